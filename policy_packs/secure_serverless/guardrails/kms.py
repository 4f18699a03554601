"""KMS guardrails: key rotation, no unconditioned wildcard principals, no access from other accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config, integer, string_array
from guardrails._policy import Ctx, Res, Stack, resource_policy, stack_policy
from guardrails._values import as_bool, as_number, is_unknown


def _check_rotation(ctx: Ctx, key: Res, cfg: Config) -> None:
    spec = key.props.get("customerMasterKeySpec")
    if spec is None:
        spec = key.props.get("keySpec")
    usage = key.props.get("keyUsage")
    if is_unknown(spec) or is_unknown(usage):
        ctx.undecided(key, "keySpec")
        return
    asymmetric = isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT"
    if asymmetric or (isinstance(usage, str) and usage != "ENCRYPT_DECRYPT"):
        return  # asymmetric and HMAC keys cannot rotate automatically
    enabled = key.props.get("enableKeyRotation")
    period = key.props.get("rotationPeriodInDays")
    if is_unknown(enabled) or is_unknown(period):
        ctx.undecided(key, "enableKeyRotation")
        return
    maximum = cfg.integer("maximumRotationPeriodDays")
    days = as_number(period)
    effective = 365.0 if days is None else days  # AWS rotates yearly when no period is given
    if as_bool(enabled) is True and effective <= maximum:
        return
    state = "rotation is off" if as_bool(enabled) is not True else f"rotation period is {effective:g} days"
    ctx.fail(
        key,
        f"KMS key '{key.name}': {state}; customer-managed keys must rotate at least every {maximum} days. Fix: "
        "SecureFunction's key does this by default; raw: aws.kms.Key(enable_key_rotation=True, "
        f"rotation_period_in_days={min(maximum, 365)}).",
    )


ROTATION = resource_policy(
    name="kms-key-rotation-enabled",
    anchors=("FSBP KMS.4", "CKV_AWS_7", "NAG KMS5"),
    description=(
        "Customer-managed symmetric KMS keys have automatic rotation on, with a period of at most the configured "
        "days (preview: unknown rotation settings are undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Set enable_key_rotation=True (and rotation_period_in_days within the limit) on the key.",
    types=[t.KEY],
    check=_check_rotation,
    config={"maximumRotationPeriodDays": integer(365, "Longest accepted rotation period in days.", minimum=90)},
)


# Key policies: Key, KeyPolicy, and the multi-Region replica and imported-material keys, which carry their own.
REPLICA_EXTERNAL_KEY = "aws:kms/replicaExternalKey:ReplicaExternalKey"
KEY_POLICY_HOLDERS = (t.KEY, t.REPLICA_KEY, t.EXTERNAL_KEY, REPLICA_EXTERNAL_KEY, t.KEY_POLICY)
# kms:CallerAccount pins a key-policy caller like aws:PrincipalAccount (AWS's own key policies use it).
_KEY_PINNING_KEYS = docs.PINNING_KEYS | {"kms:calleraccount"}


def _check_key_policy(ctx: Ctx, key: Res, cfg: Config) -> None:
    # an absent policy has no statements: AWS applies the default key policy (the account root only)
    document = docs.parse(key.props.get("policy"))
    for index, statement in docs.allowing_statements(ctx, key, "policy", document):
        everyone = docs.wildcard_principal(statement)
        pinned = docs.pins(statement, _KEY_PINNING_KEYS)
        if everyone is False or pinned is True:
            continue
        if everyone is None or pinned is None:
            ctx.undecided(key, docs.statement_path("policy", index, "Principal"))
            continue
        ctx.fail(
            key,
            f"{key.label()} policy {statement.label(index)} allows Principal '*' without a condition that pins the "
            "caller (aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount, ... with "
            "concrete values); key policies must name their principals. Fix: SecureFunction's key policy names "
            "every principal; raw: aws.kms.Key(policy=...) with explicit principals (account root, the role, "
            "logs.<region>.amazonaws.com).",
        )


KEY_POLICY = resource_policy(
    name="kms-key-policy-no-wildcard-principal",
    anchors=("FSBP KMS.5", "CKV_AWS_33"),
    description=(
        "KMS key policies (aws.kms.Key, KeyPolicy, ReplicaKey, ExternalKey, ReplicaExternalKey) grant no Principal "
        "'*' unless a condition pins the caller to concrete values (preview: an unknown policy is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals in the key policy, or pin a wildcard with aws:PrincipalAccount/kms:CallerAccount.",
    types=KEY_POLICY_HOLDERS,
    check=_check_key_policy,
)

# -- kms-no-cross-account-access ------------------------------------------------------------------

_ACCOUNT_IN_ARN = re.compile(r"^arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_CALLER_ACCOUNT_KEYS = ("kms:calleraccount", "aws:principalaccount")


def _account_of(principal: str) -> str | None:
    if _ACCOUNT_ID.match(principal):
        return principal
    match = _ACCOUNT_IN_ARN.match(principal)
    return match.group(1) if match else None


def stack_accounts(stack: Stack) -> set[str]:
    """The accounts the stack's resources live in (from their known ARNs and providers' allowedAccountIds)."""
    accounts: set[str] = set()
    # the resources that carry the account in an ARN of their own (reading every resource's properties
    # would cost a large stack more than the rule)
    for res in stack.of_type(*KEY_POLICY_HOLDERS, t.GRANT, t.ROLE, t.FUNCTION, t.QUEUE, t.TOPIC, t.LOG_GROUP):
        arn = res.props.get("arn")
        if isinstance(arn, str):
            account = _account_of(arn)
            if account:
                accounts.add(account)
        allowed = res.provider_props.get("allowedAccountIds")
        if isinstance(allowed, list):
            accounts.update(a for a in allowed if isinstance(a, str) and _ACCOUNT_ID.match(a))
    return accounts


def _granted_accounts(res: Res) -> Iterator[tuple[str, Any]]:
    """(where, principal or account) pairs naming who a key policy or grant lets in."""
    if res.type == t.GRANT:
        for prop in ("granteePrincipal", "retiringPrincipal"):
            yield prop, res.props.get(prop)
        return
    document = docs.parse(res.props.get("policy"))
    if is_unknown(document):
        yield "policy", document
        return
    if not isinstance(document, docs.Document):
        return
    for index, statement in enumerate(document.statements):
        if not (statement.allows or statement.effect == "unknown"):
            continue
        where = docs.statement_path("policy", index, "Principal")
        for kind, value in statement.principals:
            if kind in ("AWS", "*") and value != "*":
                yield where, value
        if any(value == "*" for _, value in statement.principals):
            conditions = docs.condition_keys(statement.condition)
            for key in _CALLER_ACCOUNT_KEYS:
                for _, value in conditions.get(key, []):
                    for item in value if isinstance(value, list) else [value]:
                        yield docs.statement_path("policy", index, "Condition"), item


def _check_cross_account(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    own = stack_accounts(stack)
    trusted = set(cfg.strings("trustedAccounts"))
    for res in stack.of_type(*KEY_POLICY_HOLDERS, t.GRANT):
        outsiders: list[str] = []
        for where, principal in _granted_accounts(res):
            if is_unknown(principal):
                ctx.undecided(res, where)
                continue
            if not isinstance(principal, str):
                continue
            account = _account_of(principal)
            if account is None or account in trusted or account in own:
                continue
            if not own:  # no ARN known yet (a new stack's preview): nothing to compare with
                ctx.undecided(res, where)
                continue
            outsiders.append(principal)
        if outsiders:
            ctx.fail(
                res,
                f"{res.label()} lets principals of another account use the key ({', '.join(sorted(set(outsiders)))}); "
                "keys must not be shared outside the stack's account unless the account is trusted. Fix: remove "
                "the statement or grant, or list the account in the pack config trustedAccounts of "
                "kms-no-cross-account-access; SecureFunction's key names only this account.",
            )


NO_CROSS_ACCOUNT = stack_policy(
    name="kms-no-cross-account-access",
    anchors=("IAM Access Analyzer external access findings",),
    description=(
        "Stack policy: KMS key policies (Key, ReplicaKey, ExternalKey, ReplicaExternalKey, KeyPolicy) and grants "
        "give no principal "
        "outside the stack's account except configured trusted accounts (preview: an unknown principal, or an "
        "account that cannot be compared yet, is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Remove principals of other accounts from key policies and grants, or trust the account in config.",
    types=[*KEY_POLICY_HOLDERS, t.GRANT],
    check=_check_cross_account,
    config={"trustedAccounts": string_array([], "Account ids outside the stack that keys may be shared with.")},
)

POLICIES: list[Policy] = [ROTATION, KEY_POLICY, NO_CROSS_ACCOUNT]
