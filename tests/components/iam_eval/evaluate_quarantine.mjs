// Test-only bridge: read [{name, principal, action, resource, accountId, context, policies, resourcePolicy?}] on stdin,
// evaluate each request with @cloud-copilot/iam-simulate (strict mode), print [{name, result}] as JSON.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const out = []
for (const c of cases) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.accountId },
      contextVariables: c.context ?? {}
    },
    identityPolicies: c.policies.map((policy, index) => ({ name: `policy${index}`, policy })),
    resourcePolicy: c.resourcePolicy,
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  const result = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (result.resultType === 'error') {
    out.push({ name: c.name, result: 'error', errors: result.errors })
  } else if (result.resultType === 'single') {
    out.push({ name: c.name, result: result.overallResult })
  } else {
    out.push({ name: c.name, result: result.overallResult ?? 'unknown', type: result.resultType })
  }
}
process.stdout.write(JSON.stringify(out))
