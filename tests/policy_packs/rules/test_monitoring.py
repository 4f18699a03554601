"""guardrails/monitoring.py: one compliant case and one named case per way each monitoring policy fails."""

from __future__ import annotations

import pytest

from secure_serverless.contract import policies as p

from support.pack import Case, assert_case, assert_case_in_preview, assert_compliant, case
from support.stacks import patch, without

PREFIX = "monitoring-"

CASES = [
    case("alarms:errors-missing", policy=p.MONITORING_FUNCTION_ALARMS, change=lambda s: without(s, "orders-errors"),
         expected={"orders"}, text="Errors alarm is missing"),
    case("alarms:throttles-without-action", policy=p.MONITORING_FUNCTION_ALARMS,
         change=lambda s: patch(s, "billing-throttles", set_={"alarmActions": []}), expected={"billing"},
         text="Throttles alarm has no action"),
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
