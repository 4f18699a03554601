"""SQS guardrails: queues (dead-letter queues included) are encrypted and refuse non-TLS access."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config
from guardrails._policy import Ctx, Stack, referrers, resource_policy, stack_policy
from guardrails._public import public_access_check
from guardrails._values import as_bool, is_set, is_unknown


def _false(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) > 0 and all(_false(v) for v in value)
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _verdict(known: bool, unknown: bool) -> bool | None:
    """True if it holds by the known values, else None if an unknown value may make it hold, else False."""
    return True if known else (None if unknown else False)


def _denies_without_tls(statement: docs.Statement) -> bool | None:
    if statement.not_principals or statement.not_actions is not None:
        return False
    conditions = docs.condition_keys(statement.condition).get("aws:securetransport", [])
    bool_conditions = [value for operator, value in conditions if operator.lower() in ("bool", "boolifexists")]
    parts = [
        _verdict(statement.denies, statement.effect == "unknown"),
        _verdict(
            any(value == "*" for _, value in statement.principals),
            any(is_unknown(value) for _, value in statement.principals),
        ),
        _verdict(
            any(isinstance(a, str) and a.strip().lower() in ("*", "sqs:*") for a in statement.actions),
            any(is_unknown(a) for a in statement.actions),
        ),
        _verdict(
            any(_false(value) for value in bool_conditions),
            is_unknown(statement.condition) or any(is_unknown(value) for value in bool_conditions),
        ),
    ]
    if False in parts:
        return False
    return True if all(part is True for part in parts) else None


def denies_insecure_transport(document: Any) -> bool | None:
    """Whether a queue policy denies all SQS actions to everyone when aws:SecureTransport is false.

    None when that depends on a value unknown during preview.
    """
    if is_unknown(document):
        return None
    if not isinstance(document, docs.Document):
        return False
    verdicts = [_denies_without_tls(statement) for statement in document.statements]
    return True if True in verdicts else (None if None in verdicts else False)


def _check_queue(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    queue_policies, unresolved = referrers(stack, t.QUEUE_POLICY, "queueUrl", [t.QUEUE], keys=("url", "id"))
    fix = (
        "Fix: SecureFunction's dead-letter queue does this by default; raw: aws.sqs.Queue(kms_master_key_id=key.arn) "
        "and aws.sqs.QueuePolicy(queue_url=queue.url, policy=<Deny sqs:* to '*' when aws:SecureTransport is false>)."
    )
    for queue in stack.of_type(t.QUEUE):
        key = is_set(queue.props.get("kmsMasterKeyId"))
        managed = queue.props.get("sqsManagedSseEnabled")
        if key is False:
            if is_unknown(managed):
                ctx.undecided(queue, "sqsManagedSseEnabled")
            elif as_bool(managed) is not True:
                ctx.fail(
                    queue,
                    f"SQS queue '{queue.name}' is not encrypted (no kmsMasterKeyId, no SSE-SQS); queues "
                    f"must be encrypted. {fix}",
                )
        holders = [queue, *queue_policies.get(queue.urn, [])]
        verdicts = [denies_insecure_transport(docs.parse(holder.props.get("policy"))) for holder in holders]
        if any(v is True for v in verdicts):
            continue
        if unresolved or any(v is None for v in verdicts):
            ctx.undecided(queue, "policy")
            continue
        ctx.fail(
            queue,
            f"SQS queue '{queue.name}' has no policy denying access when aws:SecureTransport is false; "
            f"queues must refuse non-TLS access. {fix}",
        )


ENCRYPTED = stack_policy(
    name="sqs-encrypted",
    anchors=("FSBP SQS.1", "CKV_AWS_27"),
    description=(
        "Stack policy: SQS queues (dead-letter queues included) are encrypted (KMS or SSE-SQS) and a queue policy "
        "(the queue's own or an aws.sqs.QueuePolicy) denies non-TLS access (preview: an unknown key counts as set, "
        "an unknown policy is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Set kms_master_key_id and attach a policy denying sqs:* when aws:SecureTransport is false.",
    types=[t.QUEUE, t.QUEUE_POLICY],
    check=_check_queue,
)

NO_PUBLIC_ACCESS = resource_policy(
    name="sqs-no-public-access",
    anchors=("FSBP SQS.3", "CKV_AWS_168"),
    description=(
        "SQS queue policies (aws.sqs.Queue policy and aws.sqs.QueuePolicy) allow no Principal '*' unless a condition "
        "pins the caller to concrete values (preview: an unknown policy or principal is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals, or pin a wildcard principal with aws:SourceArn / aws:SourceAccount.",
    types=[t.QUEUE, t.QUEUE_POLICY],
    check=public_access_check(
        "queue",
        "name the sending service or account, e.g. Principal {'Service': 'sns.amazonaws.com'} with Condition "
        "{'ArnEquals': {'aws:SourceArn': topic.arn}}; raw: aws.sqs.QueuePolicy(queue_url=..., policy=...).",
    ),
)

POLICIES: list[Policy] = [ENCRYPTED, NO_PUBLIC_ACCESS]
