"""guardrails/logs.py: one compliant case and one named case per way each log-group policy fails."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.pack import case, rule_tests
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


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
