"""SQS guardrails: queues (dead-letter queues included) are encrypted and refuse non-TLS access."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config
from guardrails._policy import Ctx, Res, Stack, referrers, resource_policy, stack_policy
from guardrails._public import public_access_check
from guardrails._values import UNKNOWN, as_bool, is_set, is_unknown
from guardrails.contract.wildcards import is_wildcard_action


def _false(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) > 0 and all(_false(v) for v in value)
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _verdict(known: bool, unknown: bool) -> bool | None:
    """True if it holds by the known values, else None if an unknown value may make it hold, else False."""
    return True if known else (None if unknown else False)


def _all_sqs_actions(statement: docs.Statement) -> bool | None:
    """Whether the statement's actions cover every SQS action (``*``, ``sqs:*``, ``SQS:*?``, ...)."""
    known = any(
        isinstance(a, str) and is_wildcard_action(a) and docs.glob_match(a.split(":", 1)[0] if ":" in a else a, "sqs")
        for a in statement.actions
    )
    return _verdict(known, any(is_unknown(a) for a in statement.actions))


def _covers_queue(statement: docs.Statement, queue_arn: Any) -> bool | None:
    """Whether the statement's Resource (or NotResource) includes the queue (GUARDRAILS.md: the deny must
    cover the queue it protects); None when that depends on a value unknown during preview."""
    patterns = statement.not_resources if statement.not_resources is not None else statement.resources
    negate = statement.not_resources is not None
    if any(is_unknown(p) for p in patterns):
        return None
    strings = [p for p in patterns if isinstance(p, str)]
    if not negate and any(p.strip() == "*" for p in strings):
        return True
    if not isinstance(queue_arn, str):
        return None if strings else negate
    hit = any(docs.glob_match(p.strip(), queue_arn) for p in strings)
    return not hit if negate else hit


def _denies_without_tls(statement: docs.Statement, queue_arn: Any) -> bool | None:
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
        _all_sqs_actions(statement),
        _verdict(
            any(_false(value) for value in bool_conditions),
            is_unknown(statement.condition) or any(is_unknown(value) for value in bool_conditions),
        ),
        _covers_queue(statement, queue_arn),
    ]
    if False in parts:
        return False
    return True if all(part is True for part in parts) else None


def denies_insecure_transport(document: Any, queue_arn: Any = "*") -> bool | None:
    """Whether a queue policy denies all SQS actions on the queue ``queue_arn`` to everyone when
    aws:SecureTransport is false.

    None when that depends on a value unknown during preview (the queue's ARN included).
    """
    if is_unknown(document):
        return None
    if not isinstance(document, docs.Document):
        return False
    verdicts = [_denies_without_tls(statement, queue_arn) for statement in document.statements]
    return True if True in verdicts else (None if None in verdicts else False)


def _queue_arn(queue: Res) -> Any:
    arn = queue.props.get("arn")
    return arn if isinstance(arn, str) and arn else UNKNOWN


def _check_queue(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    queue_policies, unresolved = referrers(stack, t.QUEUE_POLICY, "queueUrl", [t.QUEUE], keys=("url", "id"))
    fix = (
        "Fix: SecureFunction's dead-letter queue does this by default; raw: aws.sqs.Queue(kms_master_key_id=key.arn) "
        "and aws.sqs.QueuePolicy(queue_url=queue.url, policy=<Deny sqs:* to '*' on the queue's ARN when "
        "aws:SecureTransport is false>)."
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
        arn = _queue_arn(queue)
        verdicts = [denies_insecure_transport(docs.parse(holder.props.get("policy")), arn) for holder in holders]
        if any(v is True for v in verdicts):
            continue
        if unresolved or any(v is None for v in verdicts):
            ctx.undecided(queue, "policy")
            continue
        ctx.fail(
            queue,
            f"SQS queue '{queue.name}' has no policy denying access to it when aws:SecureTransport is false; "
            f"queues must refuse non-TLS access. {fix}",
        )


ENCRYPTED = stack_policy(
    name="sqs-encrypted",
    anchors=("FSBP SQS.1", "CKV_AWS_27"),
    description=(
        "Stack policy: SQS queues (dead-letter queues included) are encrypted (KMS or SSE-SQS) and a queue policy "
        "(the queue's own or an aws.sqs.QueuePolicy) denies non-TLS access to that queue (its Resource) "
        "(preview: an unknown key counts as set, an unknown policy is undecided)."
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
