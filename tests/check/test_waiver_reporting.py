"""What `check` says about waivers: waived findings are always shown, and a used waiver is never "unused"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pulumi
import pytest

from secure_serverless import SecureFunction, SecureFunctionArgs, Waiver
from secure_serverless.check.evaluate import evaluate_in_process
from secure_serverless.check.mocks import run_program
from secure_serverless.check.waivers import declared_waivers, keep_companions
from secure_serverless.contract.policies import LOGS_RETENTION_SET, WAIVED_FINDINGS, WAIVED_STACK_FINDINGS
from secure_serverless.contract.waivers import utc_today

from support import PACK_DIR

REASON = "Debug logs kept short by data policy DP-12"


def _resources() -> list[Any]:
    waiver = Waiver(policy=LOGS_RETENTION_SET, reason=REASON, expires=utc_today() + dt.timedelta(days=30))

    def program() -> None:
        SecureFunction("fn", SecureFunctionArgs(
            handler="app.handler", code=pulumi.AssetArchive({}), log_retention_in_days=30, waivers=[waiver]))

    return list(run_program(program, config={"aws:region": "eu-west-1"}).resources)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {WAIVED_FINDINGS: "disabled", WAIVED_STACK_FINDINGS: {"enforcementLevel": "disabled"}},
        {"all": "disabled", LOGS_RETENTION_SET: "mandatory"},
    ],
    ids=["default", "companions-disabled", "all-disabled"],
)
def test_waived_findings_are_shown_and_the_waiver_is_used_whatever_the_companions_level(
    config: dict[str, Any],
) -> None:
    resources = _resources()
    evaluation = evaluate_in_process(resources, PACK_DIR, config, project="p", stack="s", dry_run=False)
    waived = [f for f in evaluation.findings if f.waived]
    assert [(f.policy, f.level) for f in waived] == [(LOGS_RETENTION_SET, "mandatory")]
    assert waived[0].waiver is not None and waived[0].waiver.reason == REASON
    [declared] = declared_waivers(resources, config, evaluation.findings, evaluation.non_waivable)
    assert (declared.policy, declared.status) == (LOGS_RETENTION_SET, "used")


def test_keep_companions_changes_only_disabled_companions() -> None:
    assert keep_companions({LOGS_RETENTION_SET: "disabled"}) == {LOGS_RETENTION_SET: "disabled"}
    kept = keep_companions({WAIVED_FINDINGS: {"enforcementLevel": "disabled", "x": 1}})
    assert kept == {WAIVED_FINDINGS: {"enforcementLevel": "advisory", "x": 1}}


def test_a_config_waiver_naming_a_component_child_by_name_is_invalid_and_says_to_use_its_urn() -> None:
    resources = _resources()
    logs = next(r for r in resources if r.name == "fn-logs")
    entry = {"resource": "fn-logs", "reason": REASON, "expires": (utc_today() + dt.timedelta(days=30)).isoformat()}
    config = {LOGS_RETENTION_SET: {"waivers": [entry]}}
    evaluation = evaluate_in_process(resources, PACK_DIR, config, project="p", stack="s", dry_run=False)
    declared = declared_waivers(resources, config, evaluation.findings, evaluation.non_waivable)
    [by_config] = [w for w in declared if w.source == "config"]
    assert by_config.status == "invalid"
    assert by_config.detail.endswith(f"name it by its URN: {logs.urn}")
