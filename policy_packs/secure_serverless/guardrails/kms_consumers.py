"""kms-key-serves-its-consumers: a key created in the program lets the services that use it do so.

A customer key that encrypts a log group, an alarm topic or a function's dead-letter queue is useless
unless its key policy lets the service act: CloudWatch Logs refuses to associate the key (the log
group is not created), CloudWatch alarms publishing to the topic are dropped silently, and Lambda's
failed events never reach the queue. SecureFunction's own key holds the statements; a shared key
(``kms_key_arn``) needs ``secure_serverless.kms.shared_key_policy_statements``. Only keys created in the
same program are judged: the policy of a key outside the stack cannot be seen.

The judgement is a small IAM evaluation of the key policy for one request per consumer (principal,
actions, the context AWS sends). It understands Allow and Deny, Principal/NotPrincipal, Action/NotAction
globs, Resource ``*`` or the key ARN, and the String/Arn condition operators (with ``IfExists``) on
the keys of that request; a statement with any other condition does not count as serving (fail
closed: the message names it). A key policy that delegates to the account (``arn:...:root``) serves
the function's role: the role's own policy is judged by the IAM rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config
from guardrails._policy import Ctx, Res, Stack, referrers, resolve, stack_policy
from guardrails._values import get, is_unknown

NAME = "kms-key-serves-its-consumers"
_KEY_REFERENCES = ("arn", "keyId", "id")
_LOGS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
_ALARM_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
_QUEUE_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
_FIX = (
    "Fix: SecureFunction's own key holds these statements; for a shared key (kms_key_arn) add "
    "secure_serverless.kms.shared_key_policy_statements(...) to its policy; raw: aws.kms.Key(policy=...) "
    "with {statement}."
)


@dataclass(frozen=True)
class _Need:
    """One request AWS will make with the key, on behalf of one consumer."""

    consumer: Res
    who: str  # for the message
    principal: tuple[str, str]  # ("Service", name) or ("AWS", role ARN)
    actions: tuple[str, ...]
    context: dict[str, str]
    statement: str  # the statement the fix names


# -- a small evaluation of one key policy ---------------------------------------------------------


def _like(pattern: str, value: str) -> bool:
    """StringLike/ArnLike: ``*`` and ``?`` wildcards, case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


_STRING_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda pattern, value: pattern == value,
    "stringequalsignorecase": lambda pattern, value: pattern.lower() == value.lower(),
    "stringlike": _like,
    "arnequals": lambda pattern, value: pattern == value,
    "arnlike": _like,
}


def _values(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return list(raw)
    return None


def _conditions_hold(condition: Any, context: dict[str, str]) -> bool | None:
    """True/False when every clause can be judged for ``context``; None when one cannot."""
    if condition is None or condition == {}:
        return True
    if not isinstance(condition, dict):
        return None
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, block in condition.items():
        if not isinstance(operator, str) or not isinstance(block, dict):
            return None
        name = operator.lower()
        if_exists = name.endswith("ifexists")
        base = name[: -len("ifexists")] if if_exists else name
        test = _STRING_OPERATORS.get(base)
        if test is None:
            return None
        for key, raw in block.items():
            patterns = _values(raw)
            if patterns is None:
                return None
            value = lowered.get(str(key).lower())
            if value is None:
                if if_exists:
                    continue
                return False
            if not any(test(pattern, value) for pattern in patterns):
                return False
    return True


def _principal_matches(statement: docs.Statement, principal: tuple[str, str], account: str) -> bool | None:
    kind, name = principal
    listed: list[tuple[str, Any]] = list(statement.principals)
    if any(is_unknown(v) for _, v in listed):
        return None
    hit = False
    for listed_kind, value in listed:
        if (
            value == "*"
            or (listed_kind == kind == "Service" and value == name)
            or (listed_kind == kind == "AWS" and value == name)
        ):
            hit = True
        elif listed_kind == "AWS" == kind and value in (account, f"arn:{_partition(name)}:iam::{account}:root"):
            hit = True  # the account delegates to IAM: the role's own policy decides
    return not hit if statement.not_principals else hit


def _partition(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[0] == "arn" else "aws"


def _resource_matches(statement: docs.Statement, key_arn: str | None) -> bool:
    if statement.not_resources is not None:
        return key_arn is not None and not any(
            isinstance(r, str) and docs.glob_match(r, key_arn) for r in statement.not_resources
        )
    for resource in statement.resources:
        if resource == "*" or (isinstance(resource, str) and key_arn and docs.glob_match(resource, key_arn)):
            return True
    return False


def _decide(document: docs.Document, need: _Need, action: str, key_arn: str | None, account: str) -> str:
    """'allowed', 'denied', or 'unclear' (a statement that could allow uses conditions we cannot judge)."""
    allowed = unclear = False
    for statement in document.statements:
        if docs.action_allowed(statement, action) is not True or not _resource_matches(statement, key_arn):
            continue
        if _principal_matches(statement, need.principal, account) is not True:
            continue
        holds = _conditions_hold(statement.condition, need.context)
        if statement.denies and holds is True:
            return "denied"
        if statement.allows:
            allowed = allowed or holds is True
            unclear = unclear or holds is None
    return "allowed" if allowed else "unclear" if unclear else "denied"


# -- who uses each key ------------------------------------------------------------------------------


def _arn_parts(arn: Any) -> tuple[str, str, str] | None:
    """(partition, region, account) of an ARN."""
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return (parts[1], parts[3], parts[4]) if len(parts) > 5 else None


def _dns_suffix(partition: str) -> str:
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


def _log_group_needs(ctx: Ctx, users: list[Res]) -> Iterator[_Need]:
    for group in users:
        arn = group.props.get("arn")
        parts = _arn_parts(arn)
        if is_unknown(arn) or parts is None:
            ctx.undecided(group, "arn")
            continue
        partition, region, _ = parts
        service = f"logs.{region}.{_dns_suffix(partition)}"
        yield _Need(
            group,
            f"CloudWatch Logs ({service}) for log group '{group.props.get('name', group.name)}'",
            ("Service", service),
            _LOGS_ACTIONS,
            {"kms:EncryptionContext:aws:logs:arn": str(arn)},
            f"a statement allowing Principal {{'Service': '{service}'}} kms:Encrypt*, kms:Decrypt*, "
            f"kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe* with Condition ArnEquals "
            f"kms:EncryptionContext:aws:logs:arn = '{arn}'",
        )


def _alarm_topic_needs(stack: Stack, users: list[Res], account: str) -> Iterator[_Need]:
    alarms_by_topic: dict[str, list[Res]] = {}
    for alarm in stack.of_type(t.METRIC_ALARM):
        for prop in ("alarmActions", "okActions", "insufficientDataActions"):
            for urn in alarm.property_dependencies.get(prop, ()):
                alarms_by_topic.setdefault(urn, []).append(alarm)
            actions = alarm.props.get(prop)
            for topic in users:
                arn = topic.props.get("arn")
                if isinstance(actions, list) and isinstance(arn, str) and arn in actions:
                    alarms_by_topic.setdefault(topic.urn, []).append(alarm)
    for topic in users:
        if not alarms_by_topic.get(topic.urn):
            continue  # the topic is not an alarm target
        yield _Need(
            topic,
            f"CloudWatch alarms publishing to topic '{topic.name}'",
            ("Service", "cloudwatch.amazonaws.com"),
            _ALARM_ACTIONS,
            {"aws:SourceAccount": account},
            "a statement allowing Principal {'Service': 'cloudwatch.amazonaws.com'} kms:Decrypt and "
            f"kms:GenerateDataKey* with Condition StringEquals aws:SourceAccount = '{account}'",
        )


def _dead_letter_queue_needs(ctx: Ctx, stack: Stack, users: list[Res]) -> Iterator[_Need]:
    queue_urns = {q.urn: q for q in users}
    for function in stack.of_type(t.FUNCTION):
        # the queue through the property's dependency, else through the resolved target ARN
        targets = resolve(stack, function, "deadLetterConfig", [t.QUEUE], keys=("arn",)) or []
        if not targets:
            target_arn = get(function.props.get("deadLetterConfig"), "targetArn")
            if is_unknown(target_arn):
                ctx.undecided(function, "deadLetterConfig.targetArn")
                continue
            targets = [q for q in users if isinstance(target_arn, str) and q.props.get("arn") == target_arn]
        for queue in (q for q in targets if q.urn in queue_urns):
            roles = resolve(stack, function, "role", [t.ROLE], keys=("arn",))
            if roles is None:
                ctx.undecided(function, "role")
                continue
            for role in roles:
                role_arn = role.props.get("arn")
                parts = _arn_parts(queue.props.get("arn"))
                if is_unknown(role_arn) or not isinstance(role_arn, str) or parts is None:
                    ctx.undecided(role, "arn")
                    continue
                service = f"sqs.{parts[1]}.{_dns_suffix(parts[0])}"
                yield _Need(
                    queue,
                    f"function '{function.name}' sending failed events to its dead-letter queue '{queue.name}' "
                    f"(role {role_arn}, through {service})",
                    ("AWS", role_arn),
                    _QUEUE_ACTIONS,
                    {"kms:ViaService": service, "aws:PrincipalArn": role_arn},
                    f"a statement allowing Principal {{'AWS': '{role_arn}'}} kms:GenerateDataKey and kms:Decrypt "
                    f"with Condition StringEquals kms:ViaService = '{service}'",
                )


def _key_document(stack: Stack, key: Res) -> Any:
    """The key's policy: an aws.kms.KeyPolicy for it wins over the key's own ``policy``."""
    for policy in stack.of_type(t.KEY_POLICY):
        targets = resolve(stack, policy, "keyId", [t.KEY], keys=_KEY_REFERENCES)
        if targets is None:
            return policy.props.get("keyId")  # unknown: undecided below
        if key in targets:
            return docs.parse(policy.props.get("policy"))
    return docs.parse(key.props.get("policy"))


def _check_consumers(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    users: dict[str, dict[str, list[Res]]] = {}
    for kind, type_, prop in (
        ("logs", t.LOG_GROUP, "kmsKeyId"),
        ("topics", t.TOPIC, "kmsMasterKeyId"),
        ("queues", t.QUEUE, "kmsMasterKeyId"),
    ):
        by_key, _ = referrers(stack, type_, prop, [t.KEY], _KEY_REFERENCES)
        for key_urn, resources in by_key.items():
            users.setdefault(key_urn, {}).setdefault(kind, []).extend(resources)
    for key_urn, kinds in users.items():
        key = stack.by_urn[key_urn]
        key_arn = key.props.get("arn")
        parts = _arn_parts(key_arn)
        if is_unknown(key_arn) or parts is None:
            ctx.undecided(key, "arn")
            continue
        account = parts[2]
        needs = [
            *_log_group_needs(ctx, kinds.get("logs", [])),
            *_alarm_topic_needs(stack, kinds.get("topics", []), account),
            *_dead_letter_queue_needs(ctx, stack, kinds.get("queues", [])),
        ]
        if not needs:
            continue
        document = _key_document(stack, key)
        if is_unknown(document):
            ctx.undecided(key, "policy")
            continue
        if not isinstance(document, docs.Document):
            document = docs.Document()  # no policy: AWS's default key policy (the account root only)
        if any(s.effect == "unknown" or is_unknown(s.condition) for s in document.statements):
            ctx.undecided(key, "policy")
            continue
        for need in needs:
            decisions = {a: _decide(document, need, a, str(key_arn), account) for a in need.actions}
            refused = [a for a, d in decisions.items() if d != "allowed"]
            if not refused:
                continue
            unclear = any(decisions[a] == "unclear" for a in refused)
            state = "serves it only under conditions this rule cannot judge" if unclear else "does not allow it"
            ctx.fail(
                key,
                f"KMS key '{key.name}' is used by {need.who}, but its key policy {state} "
                f"({', '.join(refused)}); keys created in the program must let the services that use them act. "
                + _FIX.format(statement=need.statement),
                owners=[need.consumer],
            )


SERVES_CONSUMERS = stack_policy(
    name=NAME,
    description=(
        "Stack policy: a KMS key created in the program whose key policy does not let CloudWatch Logs (for each "
        "log group it encrypts), CloudWatch alarms (for each alarm topic it encrypts) and each function role "
        "(through SQS, for a dead-letter queue it encrypts) use it is refused (preview: an unknown key policy "
        "or reference is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation=(
        "Add the statements from secure_serverless.kms.shared_key_policy_statements(...) to the key policy, "
        "or let SecureFunction create its own key."
    ),
    types=[t.KEY, t.KEY_POLICY, t.LOG_GROUP, t.TOPIC, t.QUEUE, t.FUNCTION, t.METRIC_ALARM, t.ROLE],
    check=_check_consumers,
)

POLICIES: list[Policy] = [SERVES_CONSUMERS]
