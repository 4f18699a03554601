"""Secrets guardrails: customer-managed encryption and rotation of stored secrets."""

from __future__ import annotations

import re

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, integer
from guardrails._policy import Ctx, Res, Stack, referrers, resource_policy, stack_policy
from guardrails._public import public_access_check
from guardrails._values import as_number, first, get, is_set, is_unknown


def _check_cmk(ctx: Ctx, res: Res, cfg: Config) -> None:
    if res.type == t.PARAMETER:
        kind = res.props.get("type")
        if is_unknown(kind):
            ctx.undecided(res, "type")
            return
        if kind != "SecureString":
            return
        key, prop, raw = res.props.get("keyId"), "keyId", "aws.ssm.Parameter(key_id=key.arn)"
    else:
        key, prop, raw = res.props.get("kmsKeyId"), "kmsKeyId", "aws.secretsmanager.Secret(kms_key_id=key.arn)"
    present = is_set(key)
    if present is None:  # computed from a key of this stack: a customer-managed key
        return
    if present and isinstance(key, str) and "alias/aws/" not in key:
        return
    state = f"uses the AWS-managed key {key!r}" if present else f"sets no {prop} (AWS-managed key)"
    ctx.fail(
        res,
        f"{res.label()} {state}; secrets must be encrypted with a customer-managed KMS key. Fix: {raw} with a "
        "customer-managed aws.kms.Key.",
    )


CMK = resource_policy(
    name="secrets-cmk-encrypted",
    anchors=("CKV_AWS_149", "NAG SecretsManagerUsingKMSKey"),
    description=(
        "Secrets Manager secrets and SSM SecureString parameters use a customer-managed KMS key "
        "(preview: a key unknown during preview counts as set; an unknown parameter type is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Set kms_key_id (secrets) / key_id (SecureString parameters) to a customer-managed key.",
    types=[t.SECRET, t.PARAMETER],
    check=_check_cmk,
)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$")


def schedule_days(expression: str) -> float | None:
    """Longest interval in days that a rotation schedule expression implies (None if not derivable)."""
    text = expression.strip()
    match = _RATE.match(text)
    if match:
        amount = int(match.group(1))
        return amount / 24 if match.group(2).startswith("hour") else float(amount)
    if text.startswith("cron(") and text.endswith(")"):
        fields = text[5:-1].split()
        if len(fields) >= 4:
            day_of_month, month = fields[2], fields[3]
            if month == "*" and (day_of_month in ("*", "?") or (day_of_month.isdigit() and int(day_of_month) <= 28)):
                return 31.0
    return None


def _check_rotation(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    maximum = cfg.integer("maximumRotationDays")
    rotations, unresolved = referrers(stack, t.SECRET_ROTATION, "secretId", [t.SECRET], keys=("arn", "id", "name"))
    for secret in stack.of_type(t.SECRET):
        found = rotations.get(secret.urn, [])
        if not found:
            if unresolved:
                ctx.undecided(secret, "rotation.secretId")
                continue
            ctx.fail(
                secret,
                f"Secret '{secret.name}' has no rotation; secrets created in the stack must rotate at least every "
                f"{maximum} days. Fix: aws.secretsmanager.SecretRotation(secret_id=secret.id, "
                f"rotation_lambda_arn=..., rotation_rules={{'automatically_after_days': {min(maximum, 30)}}}).",
            )
            continue
        for rotation in found:
            rules = first(rotation.props.get("rotationRules"))
            days = get(rules, "automaticallyAfterDays")
            expression = get(rules, "scheduleExpression")
            if is_unknown(days) or is_unknown(expression):
                ctx.undecided(rotation, "rotationRules")
                continue
            interval = as_number(days)
            if interval is None and isinstance(expression, str):
                interval = schedule_days(expression)
            if interval is not None and 0 < interval <= maximum:
                continue
            shown = "not derivable" if interval is None else f"{interval:g} days"
            ctx.fail(
                secret,
                f"Secret '{secret.name}' rotates every {shown}; secrets must rotate at least every {maximum} "
                f"days. Fix: aws.secretsmanager.SecretRotation(rotation_rules={{'automatically_after_days': "
                f"{min(maximum, 30)}}}) or a rate(N days) schedule.",
            )


ROTATION = stack_policy(
    name="secrets-rotation-enabled",
    anchors=("FSBP SecretsManager.1/.4", "CKV2_AWS_57"),
    description=(
        "Stack policy: Secrets Manager secrets created in the stack have a SecretRotation within the "
        "configured days (preview: an unknown secret reference or schedule is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Add an aws.secretsmanager.SecretRotation for the secret with a short enough interval.",
    types=[t.SECRET, t.SECRET_ROTATION],
    check=_check_rotation,
    config={"maximumRotationDays": integer(90, "Longest accepted rotation interval in days.", minimum=1)},
)


NO_PUBLIC_ACCESS = resource_policy(
    name="secrets-no-public-access",
    anchors=("Secrets Manager BlockPublicPolicy",),
    description=(
        "Secrets Manager resource policies (aws.secretsmanager.SecretPolicy and Secret.policy) allow no "
        "Principal '*' unless a "
        "condition pins the caller to concrete values (preview: an unknown policy or principal is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals, or pin a wildcard principal with aws:PrincipalOrgID / aws:PrincipalAccount.",
    types=[t.SECRET_POLICY, t.SECRET],
    check=public_access_check(
        "secret",
        "name the roles that read the secret, and keep block_public_policy=True; raw: "
        "aws.secretsmanager.SecretPolicy(secret_arn=..., policy=..., block_public_policy=True).",
    ),
)

POLICIES: list[Policy] = [CMK, ROTATION, NO_PUBLIC_ACCESS]
