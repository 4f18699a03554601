// Test-only driver (never shipped): evaluates IAM requests with @cloud-copilot/iam-simulate.
//
// stdin:  a JSON array of {id, simulation} (the library's Simulation shape).
// stdout: a JSON array of {id, decision, engine, ignoredContextKeys, errors}, in the same order.
// One Node process evaluates the whole batch (starting Node per request is slow here).
//
// Strict mode: a context key absent from a request is absent (no "maybe" answers). The library's
// validated entry point drops context keys it cannot match to the action's documented keys; it
// matches templated keys only on '/' (aws:PrincipalTag/x), so KMS encryption-context keys, whose
// names contain ':' (kms:EncryptionContext:aws:logs:arn), are dropped. For those requests only,
// after the validated run accepted the policies, action and ARN, the request is evaluated again by
// the library's core engine without that key filter ('core' engine below). Any other dropped key
// is an error: a request must never be judged without a context key the test supplied.
'use strict'
const { runSimulation, runUnsafeSimulation } = require('@cloud-copilot/iam-simulate')
const { createValidatedPolicy, validateResourcePolicy } = require('@cloud-copilot/iam-policy')

const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:.+/i

async function evaluate(simulation) {
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { decision: 'Error', engine: 'validated', ignoredContextKeys: [], errors: response.errors }
  }
  if (response.resultType === 'wildcard') {
    // Resource "*" for an action with optional resource types (cloudwatch:PutMetricData): the overall
    // result covers every resource pattern, allowed if any pattern is.
    return { decision: response.overallResult, engine: 'validated', ignoredContextKeys: [], errors: null }
  }
  const ignored = response.result.ignoredContextKeys || []
  if (ignored.length === 0) {
    return { decision: response.overallResult, engine: 'validated', ignoredContextKeys: [], errors: null }
  }
  const onlyEncryptionContext = ignored.every((key) => ENCRYPTION_CONTEXT.test(key))
  if (!onlyEncryptionContext || !simulation.request.action.toLowerCase().startsWith('kms:')) {
    return { decision: 'Error', engine: 'validated', ignoredContextKeys: ignored, errors: 'context keys dropped' }
  }
  // The unsafe entry point loads a plain resource policy without a name and then fails on it; a
  // validated policy carries its metadata.
  const core = { ...simulation }
  if (simulation.resourcePolicy) {
    core.resourcePolicy = createValidatedPolicy(simulation.resourcePolicy, validateResourcePolicy, {
      name: 'resource-policy'
    })
  }
  const result = runUnsafeSimulation(core, { simulationMode: 'Strict' })
  return { decision: typeof result === 'string' ? result : result.result, engine: 'core', ignoredContextKeys: ignored, errors: null }
}

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const requests = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  const out = []
  for (const { id, simulation } of requests) {
    try {
      out.push({ id, ...(await evaluate(simulation)) })
    } catch (error) {
      out.push({ id, decision: 'Error', engine: 'none', ignoredContextKeys: [], errors: String(error && error.stack ? error.stack : error) })
    }
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error))
  process.exit(2)
})
