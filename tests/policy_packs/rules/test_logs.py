"""guardrails/logs.py: one compliant case and one named case per way each log-group policy fails."""

from __future__ import annotations

import pytest

from secure_serverless.contract import policies as p

from support.pack import Case, assert_case, assert_case_in_preview, assert_compliant, case
from support.stacks import patch

PREFIX = "logs-"

CASES = [
    case("retention:short", policy=p.LOGS_RETENTION_SET,
         change=lambda s: patch(s, "orders-logs", set_={"retentionInDays": 30.0}), expected={"orders-logs"},
         text="SecureFunctionArgs(log_retention_in_days=365)"),
    case("retention:never-expires", policy=p.LOGS_RETENTION_SET,
         change=lambda s: patch(s, "orders-logs", drop=["retentionInDays"]), expected={"orders-logs"},
         text="never expires"),
    case("retention:configured-minimum-ok", policy=p.LOGS_RETENTION_SET,
         change=lambda s: patch(s, "orders-logs", set_={"retentionInDays": 30.0}),
         config={p.LOGS_RETENTION_SET: {"minimumRetentionDays": 30}}),
    case("kms:missing", policy=p.LOGS_KMS_ENCRYPTED, change=lambda s: patch(s, "orders-logs", drop=["kmsKeyId"]),
         expected={"orders-logs"}, text="aws.cloudwatch.LogGroup(kms_key_id=key.arn)"),
]


def test_secure_functions_comply() -> None:
    assert_compliant(name for name in p.POLICY_NAMES if name.startswith(PREFIX))


@pytest.mark.parametrize("item", CASES)
def test_case(item: Case) -> None:
    assert_case(item)


@pytest.mark.slow
@pytest.mark.parametrize("item", CASES)
def test_case_in_preview(item: Case) -> None:
    assert_case_in_preview(item)
