"""KMS guardrails: key rotation and key policies without unconditioned wildcard principals."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config, integer
from guardrails._policy import Ctx, Res, resource_policy
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


def _check_key_policy(ctx: Ctx, key: Res, cfg: Config) -> None:
    # an absent policy has no statements: AWS applies the default key policy (the account root only)
    document = docs.parse(key.props.get("policy"))
    for index, statement in docs.allowing_statements(ctx, key, "policy", document):
        principals = [value for _, value in statement.principals]
        if any(is_unknown(v) for v in principals):
            ctx.undecided(key, docs.statement_path("policy", index, "Principal"))
            continue
        wildcard = statement.not_principals or any(v == "*" for v in principals)
        if wildcard and not statement.has_condition:
            ctx.fail(
                key,
                f"KMS key '{key.name}' policy {statement.label(index)} allows Principal '*' without a condition; "
                "key policies must name their principals or condition a wildcard. Fix: SecureFunction's key "
                "policy names every principal; raw: aws.kms.Key(policy=...) with explicit principals (account "
                "root, the role, logs.<region>.amazonaws.com).",
            )


KEY_POLICY = resource_policy(
    name="kms-key-policy-no-wildcard-principal",
    description=(
        "KMS key policies (aws.kms.Key policy and aws.kms.KeyPolicy) grant no Principal '*' without a "
        "condition (preview: an unknown policy is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals in the key policy, or add a Condition to the wildcard statement.",
    types=[t.KEY, t.KEY_POLICY],
    check=_check_key_policy,
)

POLICIES: list[Policy] = [ROTATION, KEY_POLICY]
