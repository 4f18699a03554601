"""CloudWatch Logs guardrails: retention and encryption of log groups."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, integer
from guardrails._policy import Ctx, Res, resource_policy
from guardrails._values import as_number, is_set, is_unknown


def _check_retention(ctx: Ctx, group: Res, cfg: Config) -> None:
    raw = group.props.get("retentionInDays")
    if is_unknown(raw):
        ctx.undecided(group, "retentionInDays")
        return
    minimum = cfg.integer("minimumRetentionDays")
    days = as_number(raw)
    if days is not None and days > 0 and days >= minimum:
        return
    state = "never expires" if not days else f"keeps logs {days:g} days"
    ctx.fail(
        group,
        f"Log group '{group.name}' {state}; log groups must keep logs at least {minimum} days and never be set "
        f"to 'never expire'. Fix: SecureFunctionArgs(log_retention_in_days={max(minimum, 365)}); raw: "
        f"aws.cloudwatch.LogGroup(retention_in_days={max(minimum, 365)}).",
    )


RETENTION = resource_policy(
    name="logs-retention-set",
    anchors=("FSBP CloudWatch.16", "CKV_AWS_338", "NAG CloudWatchLogGroupRetentionPeriod"),
    description=(
        "CloudWatch log groups set a retention of at least the configured minimum (default 365 days) and are "
        "never 'never expire' (preview: an unknown retention is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Set retention_in_days on the log group to at least the configured minimum.",
    types=[t.LOG_GROUP],
    check=_check_retention,
    config={"minimumRetentionDays": integer(365, "Smallest accepted retention in days.", minimum=1)},
)


def _check_encrypted(ctx: Ctx, group: Res, cfg: Config) -> None:
    if is_set(group.props.get("kmsKeyId")) is False:
        ctx.fail(
            group,
            f"Log group '{group.name}' sets no kmsKeyId; log groups must be encrypted with a customer-managed "
            "key. Fix: SecureFunction encrypts its log group by default; raw: "
            "aws.cloudwatch.LogGroup(kms_key_id=key.arn) with a key policy allowing logs.<region>.amazonaws.com.",
        )


ENCRYPTED = resource_policy(
    name="logs-kms-encrypted",
    anchors=("CKV_AWS_158", "NAG CloudWatchLogGroupEncrypted"),
    description=(
        "CloudWatch log groups set kmsKeyId (preview: a key ARN unknown during preview counts as set)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Set kms_key_id on the log group; the key policy must allow logs.<region>.amazonaws.com.",
    types=[t.LOG_GROUP],
    check=_check_encrypted,
)

POLICIES: list[Policy] = [RETENTION, ENCRYPTED]
