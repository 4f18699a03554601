"""The contract between SecureFunction and the policy pack: defaults pass with zero violations, and
each default switched off produces exactly the matching violation. The pack is evaluated with the
engine's own analyzer servicer (the same requests the engine sends)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pulumi
import pytest

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs, VpcConfig, Waiver
from secure_serverless.check.engine import AnalysisResult, InProcessAnalyzer, run_analysis
from secure_serverless.check.mocks import run_program
from secure_serverless.contract.policies import COMPANIONS, POLICY_NAMES

from support import PACK_DIR

ACCOUNT = "123456789012"
SECRET_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:payments/api-key-Xy12Ab"
TABLE_ARN = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"


@cache
def analyzer() -> InProcessAnalyzer:
    return InProcessAnalyzer(PACK_DIR)


def args(**overrides: Any) -> SecureFunctionArgs:
    return SecureFunctionArgs(**{"handler": "app.handler", "code": pulumi.AssetArchive({}), **overrides})


def judge(build: dict[str, SecureFunctionArgs], *, preview: bool = False) -> AnalysisResult:
    def program() -> None:
        for name, function_args in build.items():
            SecureFunction(name, function_args)

    run = run_program(program, preview=preview, config={"aws:region": "eu-west-1"})
    return run_analysis(analyzer(), run.resources, dry_run=preview)


def violations(result: AnalysisResult) -> set[tuple[str, str]]:
    return {(f.policy, f.urn.rsplit("::", 1)[-1]) for f in result.violations()}


DEFAULT_STACK = {
    "plain": args(),
    "with-env": args(environment={"TABLE": "orders", "SECRET_ARN": SECRET_ARN}, secrets=[SECRET_ARN]),
    "with-grants": args(grants=[Grant(actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[TABLE_ARN])]),
    "public-api": args(function_url="AWS_IAM", runtime_helper=True),
    "in-vpc": args(vpc=VpcConfig(subnet_ids=["subnet-a", "subnet-b"], security_group_ids=["sg-1"])),
    "node": args(runtime="nodejs22.x", handler="index.handler", architecture="x86_64"),
}


def test_pack_and_component_know_the_same_policies() -> None:
    pack_policies = {p.name for p in judge({"plain": args()}).policies}
    assert pack_policies >= POLICY_NAMES
    assert pack_policies - POLICY_NAMES <= COMPANIONS


def test_defaults_pass_with_zero_findings() -> None:
    result = judge(DEFAULT_STACK)
    assert [(f.policy, f.urn, f.message) for f in result.findings] == []


def test_defaults_pass_in_preview_without_violations() -> None:
    # During preview some documents are unknown: the pack says it cannot decide (never a false pass
    # or failure), and nothing else.
    result = judge(DEFAULT_STACK, preview=True)
    assert violations(result) == set()
    assert {f.kind for f in result.findings} <= {"undecided"}


SWITCHED_OFF: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    ("tracing", {"tracing": "PassThrough"}, {("lambda-tracing-active", "fn")}),
    ("concurrency", {"reserved_concurrent_executions": None}, {("lambda-reserved-concurrency", "fn")}),
    ("dead-letter-queue", {"create_dead_letter_queue": False}, {("lambda-failure-destination", "fn")}),
    ("retention", {"log_retention_in_days": 30}, {("logs-retention-set", "fn-logs")}),
    ("alarms", {"create_alarms": False}, {("monitoring-function-alarms", "fn")}),
]


@pytest.mark.parametrize(
    ("overrides", "expected"), [(o, e) for _, o, e in SWITCHED_OFF], ids=[c for c, _, _ in SWITCHED_OFF]
)
def test_each_default_switched_off_produces_the_matching_violation(
    overrides: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert violations(judge({"fn": args(**overrides)})) == expected


def test_waived_default_is_reported_as_waived_not_as_violation() -> None:
    waiver = Waiver(
        policy="logs-retention-set",
        reason="Debug logs kept 30 days by policy DP-12",
        expires=dt.date.today() + dt.timedelta(days=60),
    )
    result = judge({"fn": args(log_retention_in_days=30, waivers=[waiver])})
    assert violations(result) == set()
    waived = [f for f in result.findings if f.kind == "waived"]
    assert len(waived) == 1 and "logs-retention-set" in waived[0].message


def test_waived_wildcard_grant_is_reported_as_waived() -> None:
    waiver = Waiver(
        policy="iam-no-wildcard-resources",
        reason="ListTables has no resource-level scope",
        expires=dt.date.today() + dt.timedelta(days=30),
    )
    result = judge({"fn": args(grants=[Grant(actions=["dynamodb:ListTables"], resources=["*"])], waivers=[waiver])})
    assert violations(result) == set()
    assert any(f.kind == "waived" and "iam-no-wildcard-resources" in f.message for f in result.findings)
