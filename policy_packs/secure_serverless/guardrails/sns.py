"""SNS guardrails: topics (alarm topics included) are encrypted."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config
from guardrails._policy import Ctx, Res, resource_policy
from guardrails._public import public_access_check
from guardrails._values import is_set


def _check_topic(ctx: Ctx, topic: Res, cfg: Config) -> None:
    if is_set(topic.props.get("kmsMasterKeyId")) is False:
        ctx.fail(
            topic,
            f"SNS topic '{topic.name}' sets no kmsMasterKeyId; topics must be encrypted with a KMS key. Fix: "
            "SecureFunction's alarm topic is encrypted by default (or pass SecureFunctionArgs(alarm_topic_arn=...) "
            "of an encrypted topic); raw: aws.sns.Topic(kms_master_key_id=key.arn) (alarm topics need a "
            "customer-managed key that allows cloudwatch.amazonaws.com).",
        )


ENCRYPTED = resource_policy(
    name="sns-encrypted",
    anchors=("FSBP SNS.1", "CKV_AWS_26"),
    description="SNS topics set kmsMasterKeyId (preview: a key id unknown during preview counts as set).",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Set kms_master_key_id on the topic to a customer-managed key.",
    types=[t.TOPIC],
    check=_check_topic,
)

NO_PUBLIC_ACCESS = resource_policy(
    name="sns-no-public-access",
    anchors=("FSBP SNS.4", "CKV_AWS_169"),
    description=(
        "SNS topic policies (aws.sns.Topic policy and aws.sns.TopicPolicy) allow no Principal '*' unless a condition "
        "pins the caller to concrete values (preview: an unknown policy or principal is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Name the principals, or pin a wildcard principal with aws:SourceArn / aws:SourceAccount.",
    types=[t.TOPIC, t.TOPIC_POLICY],
    check=public_access_check(
        "topic",
        "name the publishing service or account, e.g. Principal {'Service': 'cloudwatch.amazonaws.com'} with "
        "Condition {'StringEquals': {'aws:SourceAccount': account_id}}; raw: aws.sns.TopicPolicy(arn=..., policy=...).",
    ),
)

POLICIES: list[Policy] = [ENCRYPTED, NO_PUBLIC_ACCESS]
