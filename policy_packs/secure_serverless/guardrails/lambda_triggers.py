"""Lambda guardrails about who invokes a function: failure destinations for asynchronous callers,
function URL authorization, and resource-based permissions (stack policies: a trigger is linked to its
function by value, see :func:`guardrails._policy.resolve`)."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from guardrails import _types as t
from guardrails._config import Config, boolean
from guardrails._policy import Ctx, Res, Stack, resolve, resolve_value, stack_policy
from guardrails._values import first, get, is_set, is_unknown
from guardrails.contract.wildcards import is_wildcard_resource

# -- lambda-failure-destination (stack) -----------------------------------------------------------

ASYNC_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "events.amazonaws.com",
        "ses.amazonaws.com",
        "logs.amazonaws.com",
        "iot.amazonaws.com",
        "config.amazonaws.com",
        "codecommit.amazonaws.com",
        "lambda.alarms.cloudwatch.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "scheduler.amazonaws.com",
        "connect.amazonaws.com",
        "cognito-sync.amazonaws.com",
    }
)


def _has_dead_letter(fn: Res) -> bool | None:
    return is_set(get(first(fn.props.get("deadLetterConfig")), "targetArn"))


# Triggers named by a function ARN (or invoke ARN) in one property, and whether they invoke asynchronously.
# Step Functions tasks, API Gateway and ALB invoke synchronously (GUARDRAILS.md, "Failure destination").
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
_FUNCTION_ARN_TRIGGERS: tuple[tuple[str, str, bool], ...] = (
    (t.TOPIC_SUBSCRIPTION, "endpoint", True),
    (t.EVENT_TARGET, "arn", True),
    ("aws:apigateway/integration:Integration", "uri", False),
    ("aws:apigatewayv2/integration:Integration", "integrationUri", False),
    ("aws:lb/targetGroupAttachment:TargetGroupAttachment", "targetId", False),
    ("aws:alb/targetGroupAttachment:TargetGroupAttachment", "targetId", False),
)
_INVOKE_ARN = re.compile(r"(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+)")


def _function_arn_in(value: Any) -> Any:
    """The function ARN inside an invoke ARN or a plain ARN (UNKNOWN stays UNKNOWN)."""
    if not isinstance(value, str):
        return value
    match = _INVOKE_ARN.search(value)
    return match.group(1) if match else value


def _named_in_definition(stack: Stack, machine: Res, functions: list[Res]) -> list[Res] | None:
    """The functions a state machine's definition names by ARN or by name (None: unknown, no dependency)."""
    definition = machine.props.get("definition")
    if is_unknown(definition):
        found = [stack.by_urn[u] for u in machine.property_dependencies.get("definition", ()) if u in stack.by_urn]
        found = [f for f in found if f.type == t.FUNCTION]
        return found or None
    if not isinstance(definition, str):
        return []
    named: list[Res] = []
    for fn in functions:
        keys = [fn.props.get("arn"), fn.props.get("name")]
        if any(isinstance(k, str) and k and (k in definition) for k in keys):
            named.append(fn)
    return named


def _check_failure_destination(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    functions = stack.of_type(t.FUNCTION)
    if not functions:
        return
    handled: set[str] = set()
    async_for: set[str] = set()
    sync_for: set[str] = set()
    unresolved = False

    def targets(source: Res, prop: str) -> list[Res] | None:
        return resolve(stack, source, prop, [t.FUNCTION], keys=("name", "arn", "id"))

    for config in stack.of_type(t.EVENT_INVOKE_CONFIG):
        fns = targets(config, "functionName")
        if fns is None:
            unresolved = True
            continue
        on_failure = get(first(get(first(config.props.get("destinationConfig")), "onFailure")), "destination")
        for fn in fns:
            async_for.add(fn.urn)
            if is_set(on_failure) is not False:
                handled.add(fn.urn)
    for permission in stack.of_type(t.PERMISSION):
        fns = targets(permission, "function")
        principal = permission.props.get("principal")
        if fns is None or is_unknown(principal):
            unresolved = True
            continue
        kind = async_for if isinstance(principal, str) and principal in ASYNC_PRINCIPALS else sync_for
        kind.update(fn.urn for fn in fns)
    for trigger in stack.of_type(t.FUNCTION_URL, t.EVENT_SOURCE_MAPPING):
        fns = targets(trigger, "functionName")
        if fns is None:
            unresolved = True
            continue
        sync_for.update(fn.urn for fn in fns)
    for trigger_type, prop, asynchronous in _FUNCTION_ARN_TRIGGERS:
        for trigger in stack.of_type(trigger_type):
            value = _function_arn_in(trigger.props.get(prop))
            fns = resolve_value(stack, trigger, prop, value, {t.FUNCTION}, ("arn", "name"))
            if fns is None:
                unresolved = True
                continue
            (async_for if asynchronous else sync_for).update(fn.urn for fn in fns)
    for notification in stack.of_type(t.BUCKET_NOTIFICATION):
        entries = notification.props.get("lambdaFunctions")
        for entry in entries if isinstance(entries, list) else [entries]:
            value = get(entry, "lambdaFunctionArn")
            if value is None:
                continue
            fns = resolve_value(stack, notification, "lambdaFunctions", value, {t.FUNCTION}, ("arn", "name"))
            if fns is None:
                unresolved = True
                continue
            async_for.update(fn.urn for fn in fns)
    for machine in stack.of_type(STATE_MACHINE):
        fns = _named_in_definition(stack, machine, functions)
        if fns is None:
            unresolved = True
            continue
        sync_for.update(fn.urn for fn in fns)

    untriggered_required = cfg.boolean("requireWhenNoTriggerInStack")
    for fn in functions:
        dead_letter = _has_dead_letter(fn)
        if dead_letter is not False or fn.urn in handled:
            continue  # unknown-at-preview target ARN: a queue/topic of this stack will be set
        if fn.urn in async_for:
            why = "is invoked asynchronously"
        elif unresolved:
            ctx.undecided(fn, "triggers")
            continue
        elif fn.urn in sync_for:
            continue
        elif untriggered_required:
            why = "has no trigger in this stack (it may be invoked asynchronously from elsewhere)"
        else:
            continue
        ctx.fail(
            fn,
            f"Lambda function '{fn.name}' {why} but has no dead-letter queue or on-failure destination; "
            "async-invoked functions must keep failed events. Fix: "
            "SecureFunctionArgs(create_dead_letter_queue=True) (the default); raw: "
            "aws.lambda_.Function(dead_letter_config={'target_arn': queue.arn}) or "
            "aws.lambda_.FunctionEventInvokeConfig(destination_config={'on_failure': {'destination': arn}}).",
        )


FAILURE_DESTINATION = stack_policy(
    name="lambda-failure-destination",
    anchors=("CKV_AWS_116", "NAG LambdaDLQ"),
    description=(
        "Stack policy: asynchronously invoked Lambda functions have a dead-letter queue or an on-failure "
        "destination, judged from the function and its triggers in the stack; sync-only functions (API Gateway, "
        "function URLs, ALB, Step Functions tasks, event source mappings) are exempt "
        "(preview: an unknown target ARN counts as set, an unknown trigger is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Add dead_letter_config.target_arn, or a FunctionEventInvokeConfig with an on_failure destination.",
    types=[
        t.FUNCTION, t.EVENT_INVOKE_CONFIG, t.PERMISSION, t.FUNCTION_URL, t.EVENT_SOURCE_MAPPING, STATE_MACHINE,
        t.BUCKET_NOTIFICATION, *(trigger for trigger, _, _ in _FUNCTION_ARN_TRIGGERS),
    ],
    check=_check_failure_destination,
    config={
        "requireWhenNoTriggerInStack": boolean(
            True, "Treat functions with no trigger in the stack as async-invoked (their callers may be elsewhere)."
        )
    },
)

# -- lambda-url-auth-iam (stack) ------------------------------------------------------------------


def _function_owner(stack: Stack, source: Res, prop: str) -> list[Res]:
    return resolve(stack, source, prop, [t.FUNCTION], keys=("name", "arn", "id")) or []


def _check_url_auth(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    for url in stack.of_type(t.FUNCTION_URL):
        auth = url.props.get("authorizationType")
        if is_unknown(auth):
            ctx.undecided(url, "authorizationType")
            continue
        if auth != "AWS_IAM":
            ctx.fail(
                url,
                f"Function URL '{url.name}' uses authorizationType {auth!r}; function URLs must use AWS_IAM. "
                "Fix: SecureFunction creates URLs with AWS_IAM only; raw: "
                "aws.lambda_.FunctionUrl(authorization_type='AWS_IAM').",
                owners=_function_owner(stack, url, "functionName"),
            )


URL_AUTH = stack_policy(
    name="lambda-url-auth-iam",
    anchors=("CKV_AWS_258", "NAG LambdaFunctionUrlAuth"),
    description=(
        "Stack policy (waivers come from the function's tags): Lambda function URLs use AWS_IAM "
        "authorization (preview: an unknown authorization type is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Set authorization_type='AWS_IAM' on the aws.lambda_.FunctionUrl and grant lambda:InvokeFunctionUrl.",
    types=[t.FUNCTION_URL, t.FUNCTION],
    check=_check_url_auth,
    waivable=False,
)

# -- lambda-permission-scoped (stack) -------------------------------------------------------------

_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9.-]+\.(amazonaws\.com(\.cn)?|amazon\.com|aws\.internal)$")


_ACCOUNT = re.compile(r"^\d{12}$")


def _source_scoped(permission: Res) -> bool | None:
    """A specific ``sourceArn`` (not a wildcard resource) or a concrete ``sourceAccount`` (GUARDRAILS.md, "Scoped
    Lambda permission"); None when the only candidate is unknown during preview (computed from a resource of
    this stack, so specific)."""
    arn, account = permission.props.get("sourceArn"), permission.props.get("sourceAccount")
    if isinstance(arn, str) and arn.strip() and not is_wildcard_resource(arn):
        return True
    if isinstance(account, str) and _ACCOUNT.match(account.strip()):
        return True
    return None if is_unknown(arn) or is_unknown(account) else False


def _check_permission(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    for permission in stack.of_type(t.PERMISSION):
        principal = permission.props.get("principal")
        if is_unknown(principal):
            ctx.undecided(permission, "principal")
            continue
        if not isinstance(principal, str):
            continue
        if principal != "*" and not _SERVICE_PRINCIPAL.match(principal):
            continue
        if _source_scoped(permission) is not False:  # unknown during preview: a resource's ARN will be set
            continue
        given = {k: permission.props.get(k) for k in ("sourceArn", "sourceAccount") if is_set(permission.props.get(k))}
        state = f"with only {given}" if given else "without sourceArn or sourceAccount"
        owners = _function_owner(stack, permission, "function")
        ctx.fail(
            permission,
            f"Lambda permission '{permission.name}' lets principal {principal!r} invoke the function {state}; "
            "permissions for '*' or a service principal must name a specific source ARN (not a wildcard such as "
            "'arn:aws:s3:::*') or a concrete source account. Fix: aws.lambda_.Permission(source_arn=<the "
            "rule/bucket/topic ARN>, source_account=<account id>).",
            owners=owners,
        )


PERMISSION_SCOPED = stack_policy(
    name="lambda-permission-scoped",
    anchors=("FSBP Lambda.1", "CKV_AWS_301/364"),
    description=(
        "Stack policy (waivers come from the function's tags, the function matched by value): a lambda.Permission "
        "for principal '*' or a service principal names a specific sourceArn (not a wildcard resource) or a "
        "concrete sourceAccount (preview: an unknown source counts as set, an unknown principal is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Set source_arn (and source_account) on every aws.lambda_.Permission for a service or '*'.",
    types=[t.PERMISSION, t.FUNCTION],
    check=_check_permission,
)
