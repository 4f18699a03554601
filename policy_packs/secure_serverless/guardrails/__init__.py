"""secure-serverless guardrails: the CrossGuard policies of the pack, one module per service.

The pack directory is the engine's working directory, so this package is imported as ``guardrails``
(the offline checker puts the pack directory on ``sys.path`` first). ``ALL_POLICIES`` keeps the
companion policies that report waived findings last: the engine runs policies in list order.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from guardrails import iam, kms, kms_consumers, lambda_, logs, monitoring, secrets, sns, sqs, ssm, waived
from guardrails._policy import assign_order

PACK_NAME = "secure-serverless"
PACK_VERSION = "0.1.0"
PACK_DESCRIPTION = "Serverless guardrails for AWS Lambda stacks: least privilege, encryption, logging, alarms."

ALL_POLICIES: list[Policy] = [
    *lambda_.POLICIES,
    *iam.POLICIES,
    *kms.POLICIES,
    *kms_consumers.POLICIES,
    *logs.POLICIES,
    *secrets.POLICIES,
    *ssm.POLICIES,
    *sqs.POLICIES,
    *sns.POLICIES,
    *monitoring.POLICIES,
    *waived.POLICIES,
]

assign_order(ALL_POLICIES)


def pack_arguments() -> dict[str, Any]:
    """Keyword arguments of ``PolicyPack`` (the in-process analyzer builds its servicer from the same)."""
    return {
        "name": PACK_NAME,
        "policies": ALL_POLICIES,
        "enforcement_level": EnforcementLevel.ADVISORY,
        "description": PACK_DESCRIPTION,
        "display_name": "secure-serverless guardrails",
    }


__all__ = ["ALL_POLICIES", "PACK_DESCRIPTION", "PACK_NAME", "PACK_VERSION", "pack_arguments"]
