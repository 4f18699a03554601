"""The EventBridge patterns the Quarantine component deploys; the drill matches events against them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from secure_serverless.quarantine.responder.names import DENIED_ERROR_CODES


def denied_calls_pattern(role_arns: Sequence[str]) -> dict[str, Any]:
    """CloudTrail records of calls that a protected role made and its policies refused.

    Examples
    --------
    >>> denied_calls_pattern(["arn:aws:iam::123456789012:role/api-role"])["detail"]["userIdentity"]
    {'sessionContext': {'sessionIssuer': {'arn': ['arn:aws:iam::123456789012:role/api-role']}}}
    """
    if not role_arns:
        raise ValueError("denied_calls_pattern: role_arns is empty; protect at least one function")
    return {
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "errorCode": list(DENIED_ERROR_CODES),
            "userIdentity": {"sessionContext": {"sessionIssuer": {"arn": sorted(set(role_arns))}}},
        },
    }


def alarm_pattern(alarm_arns: Sequence[str]) -> dict[str, Any]:
    """An alarm of ``alarm_arns`` entering the ALARM state."""
    if not alarm_arns:
        raise ValueError("alarm_pattern: alarm_arns is empty")
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "resources": sorted(set(alarm_arns)),
        "detail": {"state": {"value": ["ALARM"]}},
    }
