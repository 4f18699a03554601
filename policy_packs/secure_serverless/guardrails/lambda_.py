"""Lambda guardrails about functions themselves (their invokers: :mod:`guardrails.lambda_triggers`)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, boolean, integer, minimum_entropy_millibits, string_array
from guardrails._policy import Ctx, Res, Stack, resource_policy, stack_policy
from guardrails._values import UNKNOWN, as_number, first, get, is_set, is_unknown
from guardrails.contract.aws import SUPPORTED_RUNTIMES
from guardrails.contract.credentials import credential_kind
from guardrails.lambda_triggers import FAILURE_DESTINATION, PERMISSION_SCOPED, URL_AUTH

# -- lambda-env-kms-encrypted ---------------------------------------------------------------------


def _variables(fn: Res) -> Any:
    env = first(fn.props.get("environment"))
    if is_unknown(env):
        return UNKNOWN
    return get(env, "variables")


def _aws_managed_key(value: str) -> bool:
    return "alias/aws/" in value


def _check_env_kms(ctx: Ctx, fn: Res, cfg: Config) -> None:
    key = fn.props.get("kmsKeyArn")
    present = is_set(key)
    if present is None:  # computed from a key in this stack: a customer-managed key will be set
        return
    if present and isinstance(key, str) and not _aws_managed_key(key):
        return
    variables = _variables(fn)
    if is_unknown(variables):
        ctx.undecided(fn, "environment.variables")
        return
    if not isinstance(variables, dict) or not variables:
        return
    state = "uses an AWS-managed key" if present else "sets no kmsKeyArn"
    ctx.fail(
        fn,
        f"Lambda function '{fn.name}' has environment variables but {state}: functions with environment "
        "variables must encrypt them with a customer-managed KMS key. Fix: SecureFunction does this by "
        "default (keep SecureFunctionArgs(kms_key_arn=None) or pass your own key ARN); raw: "
        "aws.lambda_.Function(kms_key_arn=key.arn) with a customer-managed aws.kms.Key.",
    )


ENV_KMS = resource_policy(
    name="lambda-env-kms-encrypted",
    anchors=("CKV_AWS_173",),
    description=(
        "Lambda functions with environment variables set kmsKeyArn to a customer-managed KMS key "
        "(preview: a key ARN unknown during preview counts as set; unknown variables with no key are undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Set kms_key_arn on the function to the ARN of a customer-managed aws.kms.Key.",
    types=[t.FUNCTION],
    check=_check_env_kms,
)

# -- lambda-no-secrets-in-env ---------------------------------------------------------------------


def _check_no_secrets(ctx: Ctx, fn: Res, cfg: Config) -> None:
    variables = _variables(fn)
    if is_unknown(variables):
        ctx.undecided(fn, "environment.variables")
        return
    if not isinstance(variables, dict):
        return
    min_entropy = cfg.integer("minimumEntropyMillibits") / 1000
    allowed = set(cfg.strings("ignoredVariables"))
    for key, value in variables.items():
        if key in allowed:
            continue
        if is_unknown(value):
            ctx.undecided(fn, f"environment.variables.{key}")
            continue
        if not isinstance(value, str):
            continue
        kind = credential_kind(str(key), value, min_entropy)
        if kind:
            ctx.fail(
                fn,
                f"Lambda function '{fn.name}': environment variable {key} looks like {kind}; functions must "
                "not carry credentials in environment variables (pass a secret ARN or name instead). Fix: "
                "SecureFunctionArgs(secrets=[secret.arn]) and read it at run time; raw: store it in "
                "aws.secretsmanager.Secret and put only its ARN in aws.lambda_.Function(environment=...).",
            )


NO_SECRETS = resource_policy(
    name="lambda-no-secrets-in-env",
    anchors=("CKV_AWS_45",),
    description=(
        "Lambda environment variables hold no credentials (known formats such as AWS keys, private keys, tokens "
        "and passwords in URLs; any value under a secret name such as DB_PASSWORD; random tokens under names "
        "that mention a secret); secret ARNs, names and paths are fine (preview: an unknown value is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Move the credential to Secrets Manager or SSM SecureString and pass its ARN or name instead.",
    types=[t.FUNCTION],
    check=_check_no_secrets,
    config={
        "minimumEntropyMillibits": minimum_entropy_millibits(),
        "ignoredVariables": string_array([], "Variable names never judged (false positives)."),
    },
)

# -- lambda-tracing-active ------------------------------------------------------------------------


def _check_tracing(ctx: Ctx, fn: Res, cfg: Config) -> None:
    mode = get(first(fn.props.get("tracingConfig")), "mode")
    if is_unknown(mode):
        ctx.undecided(fn, "tracingConfig.mode")
        return
    if mode != "Active":
        ctx.fail(
            fn,
            f"Lambda function '{fn.name}' has tracingConfig.mode {mode!r}; functions must have X-Ray tracing "
            "Active. Fix: SecureFunctionArgs(tracing='Active') (the default); raw: "
            "aws.lambda_.Function(tracing_config={'mode': 'Active'}).",
        )


TRACING = resource_policy(
    name="lambda-tracing-active",
    anchors=("CKV_AWS_50", "NAG LambdaTracing"),
    description="Lambda functions have X-Ray tracing mode Active (preview: an unknown mode is undecided).",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Set tracing_config.mode to 'Active' and allow xray:PutTraceSegments in the role.",
    types=[t.FUNCTION],
    check=_check_tracing,
)

# -- lambda-reserved-concurrency ------------------------------------------------------------------


def _check_concurrency(ctx: Ctx, fn: Res, cfg: Config) -> None:
    raw = fn.props.get("reservedConcurrentExecutions")
    if is_unknown(raw):
        ctx.undecided(fn, "reservedConcurrentExecutions")
        return
    value = as_number(raw)
    maximum = cfg.integer("maximumReservedConcurrency")
    if value is not None and 0 < value <= maximum:
        return
    state = "is not set" if value is None or value == -1 else f"is {value:g}"
    ctx.fail(
        fn,
        f"Lambda function '{fn.name}': reserved concurrency {state}; functions must reserve concurrency "
        f"between 1 and {maximum}. Fix: SecureFunctionArgs(reserved_concurrent_executions=20); raw: "
        "aws.lambda_.Function(reserved_concurrent_executions=20).",
    )


CONCURRENCY = resource_policy(
    name="lambda-reserved-concurrency",
    anchors=("CKV_AWS_115", "NAG LambdaConcurrency"),
    description=(
        "Lambda functions reserve concurrency above 0 and at most the configured maximum "
        "(preview: an unknown value is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Set reserved_concurrent_executions to a value between 1 and the configured maximum.",
    types=[t.FUNCTION],
    check=_check_concurrency,
    config={"maximumReservedConcurrency": integer(1000, "Largest accepted reserved concurrency.", minimum=1)},
)

# -- lambda-runtime-supported ---------------------------------------------------------------------


def _zip_packaged(ctx: Ctx, fn: Res) -> bool:
    """Whether the rule applies to ``fn``: not an image function (an unknown package type is undecided)."""
    package_type = fn.props.get("packageType")
    if is_unknown(package_type):
        ctx.undecided(fn, "packageType")
        return False
    return package_type != "Image"


DEFAULT_RUNTIMES = list(SUPPORTED_RUNTIMES)


def _check_runtime(ctx: Ctx, fn: Res, cfg: Config) -> None:
    if not _zip_packaged(ctx, fn):
        return
    runtime = fn.props.get("runtime")
    if is_unknown(runtime):
        ctx.undecided(fn, "runtime")
        return
    allowed = cfg.strings("allowedRuntimes")
    if isinstance(runtime, str) and runtime in allowed:
        return
    ctx.fail(
        fn,
        f"Lambda function '{fn.name}' uses runtime {runtime!r}, which is not in the allowed list "
        f"({', '.join(allowed)}); functions must use a supported runtime. Fix: "
        "SecureFunctionArgs(runtime='python3.13'); raw: aws.lambda_.Function(runtime='python3.13').",
    )


RUNTIME = resource_policy(
    name="lambda-runtime-supported",
    anchors=("FSBP Lambda.2", "CKV_AWS_363", "NAG L1"),
    description=(
        "Zip-packaged Lambda functions use a runtime from the configured allow-list of supported runtimes "
        "(preview: an unknown runtime is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Move the function to a supported runtime from the allow-list.",
    types=[t.FUNCTION],
    check=_check_runtime,
    config={"allowedRuntimes": string_array(DEFAULT_RUNTIMES, "Runtimes accepted (AWS-supported ones).")},
)

# -- lambda-log-group-explicit (stack) ------------------------------------------------------------


def _check_log_group(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    groups = stack.of_type(t.LOG_GROUP)
    for fn in stack.of_type(t.FUNCTION):
        logging_config = first(fn.props.get("loggingConfig"))
        named = get(logging_config, "logGroup") if not is_unknown(logging_config) else UNKNOWN
        matches: list[Res] = []
        wanted: str | None = None
        if is_unknown(named):
            matches = [
                stack.by_urn[u]
                for u in fn.property_dependencies.get("loggingConfig", ())
                if u in stack.by_urn and stack.by_urn[u].type == t.LOG_GROUP
            ]
            if not matches:
                ctx.undecided(fn, "loggingConfig.logGroup")
                continue
        else:
            if isinstance(named, str) and named:
                wanted = named
            else:
                fn_name = fn.props.get("name")
                if isinstance(fn_name, str) and fn_name:
                    wanted = f"/aws/lambda/{fn_name}"
            if wanted is None:
                matches = [g for g in groups if fn.urn in g.property_dependencies.get("name", ())]
            else:
                matches = [g for g in groups if g.props.get("name") == wanted]
            if not matches and (wanted is None or any(is_unknown(g.props.get("name")) for g in groups)):
                ctx.undecided(fn, "name")
                continue
        if not matches:
            ctx.fail(
                fn,
                f"Lambda function '{fn.name}' logs to {wanted!r}, which no log group in this stack creates; "
                "functions must log to a log group the stack creates with retention. Fix: SecureFunction "
                "creates it (the default); raw: aws.cloudwatch.LogGroup(name=f'/aws/lambda/{name}', "
                "retention_in_days=365) and aws.lambda_.Function(logging_config={'log_group': group.name, "
                "'log_format': 'JSON'}).",
            )
            continue
        for group in matches:
            retention = group.props.get("retentionInDays")
            if is_unknown(retention):
                ctx.undecided(group, "retentionInDays")
            elif not (as_number(retention) or 0) > 0:
                ctx.fail(
                    fn,
                    f"Lambda function '{fn.name}' logs to log group '{group.name}', which never expires; the "
                    "function's log group must set a retention. Fix: "
                    "SecureFunctionArgs(log_retention_in_days=365); raw: "
                    "aws.cloudwatch.LogGroup(retention_in_days=365).",
                )


LOG_GROUP = stack_policy(
    name="lambda-log-group-explicit",
    anchors=("NAG LambdaLogLevel",),
    description=(
        "Stack policy: each Lambda function logs to a log group created in the stack (loggingConfig.logGroup "
        "or /aws/lambda/<name>) that has a retention (preview: an unknown group name or retention is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Create the function's log group in the stack, with retention, before the function.",
    types=[t.FUNCTION, t.LOG_GROUP],
    check=_check_log_group,
)

# -- lambda-code-signing --------------------------------------------------------------------------


def _check_code_signing(ctx: Ctx, fn: Res, cfg: Config) -> None:
    if not _zip_packaged(ctx, fn):
        return
    if is_set(fn.props.get("codeSigningConfigArn")) is False:
        ctx.fail(
            fn,
            f"Lambda function '{fn.name}' sets no code signing config; zip functions must verify code "
            "signatures. Fix: SecureFunctionArgs(code_signing_config_arn=config.arn); raw: "
            "aws.lambda_.Function(code_signing_config_arn=aws.lambda_.CodeSigningConfig(...).arn).",
        )


CODE_SIGNING = resource_policy(
    name="lambda-code-signing",
    anchors=("CKV_AWS_272",),
    description=(
        "Zip-packaged Lambda functions set a code signing config; image functions are exempt; disabled by "
        "default (preview: an unknown config ARN counts as set)."
    ),
    level=EnforcementLevel.DISABLED,
    severity=Severity.MEDIUM,
    remediation="Create an aws.lambda_.CodeSigningConfig and set code_signing_config_arn.",
    types=[t.FUNCTION],
    check=_check_code_signing,
)

# -- lambda-vpc (stack) ---------------------------------------------------------------------------


def _zone(subnet: Res) -> Any:
    zone = subnet.props.get("availabilityZone")
    if is_unknown(zone) or zone:
        return zone
    return subnet.props.get("availabilityZoneId")


def _check_vpc(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    if not cfg.boolean("requireVpc"):
        return
    subnets = stack.of_type(t.SUBNET)
    for fn in stack.of_type(t.FUNCTION):
        vpc = first(fn.props.get("vpcConfig"))
        subnet_ids = get(vpc, "subnetIds")
        groups = get(vpc, "securityGroupIds")
        if is_unknown(subnet_ids) or is_unknown(groups):
            ctx.undecided(fn, "vpcConfig")
            continue
        ids = subnet_ids if isinstance(subnet_ids, list) else []
        zones: set[str] = set()
        undecided = False
        for subnet_id in ids:
            in_stack = [
                s
                for s in subnets
                if (is_unknown(subnet_id) and fn.urn and s.urn in fn.property_dependencies.get("vpcConfig", ()))
                or (isinstance(subnet_id, str) and s.props.get("id") == subnet_id)
            ]
            if not in_stack:
                if is_unknown(subnet_id):
                    undecided = True
                zones.add(f"external:{subnet_id}")  # outside the stack: AZ not visible, counted as distinct
                continue
            # an unknown id matched through the dependencies may be any of those subnets
            candidates = [_zone(subnet) for subnet in in_stack]
            zone = candidates[0]
            if any(is_unknown(other) or other != zone for other in candidates):
                undecided = True
            elif isinstance(zone, str):
                zones.add(zone)
        if undecided:
            ctx.undecided(fn, "vpcConfig.subnetIds")
            continue
        if len(zones) >= 2 and isinstance(groups, list) and groups:
            continue
        ctx.fail(
            fn,
            f"Lambda function '{fn.name}' does not run in a VPC with subnets in at least two availability zones "
            "and a security group; this stack requires VPC functions. Fix: "
            "SecureFunctionArgs(vpc=VpcConfig(subnet_ids=[a, b], security_group_ids=[sg])); raw: "
            "aws.lambda_.Function(vpc_config={'subnet_ids': [...], 'security_group_ids': [...]}).",
        )


VPC = stack_policy(
    name="lambda-vpc",
    anchors=("FSBP Lambda.3/.5", "CKV_AWS_117"),
    description=(
        "Stack policy, only when config requireVpc is true: Lambda functions run in a VPC with subnets in at "
        "least two availability zones (subnets outside the stack count by id); disabled by default "
        "(preview: unknown subnets are undecided)."
    ),
    level=EnforcementLevel.DISABLED,
    severity=Severity.MEDIUM,
    remediation="Set vpc_config with subnets in two or more AZs and a security group.",
    types=[t.FUNCTION, t.SUBNET],
    check=_check_vpc,
    config={"requireVpc": boolean(False, "Require every function to run in a VPC.")},
)

# -- lambda-required-tags -------------------------------------------------------------------------


def _check_tags(ctx: Ctx, fn: Res, cfg: Config) -> None:
    required = cfg.strings("requiredTags")
    if not required:
        return
    tags = fn.props.get("tags")
    if is_unknown(tags):
        ctx.undecided(fn, "tags")
        return
    present = set(tags) if isinstance(tags, dict) else set()
    defaults = get(fn.provider_props, "defaultTags")
    if isinstance(defaults, str):  # providers serialise nested inputs as JSON strings
        import json

        try:
            defaults = json.loads(defaults)
        except (ValueError, RecursionError):
            defaults = None
    defaults = get(defaults, "tags")
    if isinstance(defaults, dict):
        present |= set(defaults)
    missing = [key for key in required if key not in present]
    if missing:
        ctx.fail(
            fn,
            f"Lambda function '{fn.name}' lacks required tag(s) {', '.join(missing)}; functions must carry "
            f"the configured tags. Fix: SecureFunctionArgs(tags={{{', '.join(repr(m) + ': ...' for m in missing)}}}); "
            "raw: aws.lambda_.Function(tags={...}) or the provider's default_tags.",
        )


REQUIRED_TAGS = resource_policy(
    name="lambda-required-tags",
    anchors=("FSBP Lambda.6",),
    description=(
        "Lambda functions carry the configured tag keys, from their tags or the provider's default tags; none "
        "are required by default (preview: an unknown tag map is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation="Add the missing tag keys to the function or to the provider's default_tags.",
    types=[t.FUNCTION],
    check=_check_tags,
    config={"requiredTags": string_array([], "Tag keys every function must carry.")},
)

POLICIES: list[Policy] = [
    ENV_KMS,
    NO_SECRETS,
    TRACING,
    CONCURRENCY,
    FAILURE_DESTINATION,
    RUNTIME,
    LOG_GROUP,
    CODE_SIGNING,
    VPC,
    REQUIRED_TAGS,
    URL_AUTH,
    PERMISSION_SCOPED,
]
