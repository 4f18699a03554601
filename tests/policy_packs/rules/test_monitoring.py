"""guardrails/monitoring.py: one compliant case and one named case per way each monitoring policy fails."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.pack import case, rule_tests
from support.stacks import patch, without

PREFIX = "monitoring-"

CASES = [
    case("alarms:errors-missing", policy=p.MONITORING_FUNCTION_ALARMS, change=lambda s: without(s, "orders-errors"),
         expected={"orders"}, text="Errors alarm is missing"),
    case("alarms:throttles-without-action", policy=p.MONITORING_FUNCTION_ALARMS,
         change=lambda s: patch(s, "billing-throttles", set_={"alarmActions": []}), expected={"billing"},
         text="Throttles alarm has no action"),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
