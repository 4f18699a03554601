"""The pack started as the engine starts it, driven over gRPC; and the in-process analyzer agrees with it."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from secure_serverless.check.engine import (
    AnalysisResult,
    InProcessAnalyzer,
    PackProcess,
    analyze_request,
    analyze_stack_request,
    run_analysis,
)
from secure_serverless.check.model import UNKNOWN, RecordedResource
from secure_serverless.contract import types as t

from support import PACK_DIR
from support.stacks import add, find, patch, raw
from support.stacks import secure_stack as happy_stack

pytestmark = pytest.mark.slow


def bad_stack(preview: bool = False) -> list[RecordedResource]:
    stack = happy_stack(preview=preview)
    stack = patch(stack, "orders", set_={"tracingConfig": {"mode": "PassThrough"}})
    stack = patch(stack, "orders-logs", set_={"retentionInDays": 30.0})
    return patch(
        stack,
        "billing-role",
        set_={
            "assumeRolePolicy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                }
            )
        },
    )


def summary(result: AnalysisResult) -> set[tuple[str, str, str, str]]:
    return {(f.policy, f.level, f.kind, f.urn.rsplit("::", 1)[-1]) for f in result.findings}


@pytest.fixture(scope="module")
def update_pack() -> Iterator[PackProcess]:
    with PackProcess(PACK_DIR, dry_run=False) as pack:
        yield pack


@pytest.fixture(scope="module")
def preview_pack() -> Iterator[PackProcess]:
    with PackProcess(PACK_DIR, dry_run=True) as pack:
        yield pack


def test_requests_carry_what_the_engine_sends() -> None:
    stack = happy_stack(preview=True)
    fn = find(stack, "orders")
    request = analyze_request(fn)
    assert request.type == t.FUNCTION and request.urn == fn.urn
    assert request.properties["reservedConcurrentExecutions"] == 20.0
    assert request.properties["kmsKeyArn"] == UNKNOWN
    assert request.options.parent == fn.parent
    provided = replace(fn, provider="urn:pulumi:stack::project::pulumi:providers:aws::default_7_51_1::id-1")
    assert analyze_request(provided).provider.type == "pulumi:providers:aws"
    stack_request = analyze_stack_request(stack)
    item = next(r for r in stack_request.resources if r.name == "orders" and r.type == t.FUNCTION)
    assert item.parent == fn.parent
    assert list(item.propertyDependencies["role"].urns) == list(fn.property_dependencies["role"])


def test_full_sequence_update(update_pack: PackProcess) -> None:
    happy = run_analysis(update_pack, happy_stack())
    assert happy.pack_name == "secure-serverless"
    assert not happy.handshake_supported  # pulumi_policy for Python does not implement Handshake
    assert len(happy.policies) == 38  # 34 catalogue rules, two of the pack's own, two waived-findings companions
    assert happy.findings == ()
    bad = run_analysis(update_pack, bad_stack())
    assert summary(bad) == {
        ("lambda-tracing-active", "advisory", "violation", "orders"),
        ("logs-retention-set", "mandatory", "violation", "orders-logs"),
        ("iam-lambda-trust-source-account", "advisory", "violation", "billing-role"),
    }
    assert update_pack.startup_seconds < 10
    assert update_pack.engine_logs == []  # the pack logged nothing to the engine
    time.sleep(0.2)  # stderr is drained by a thread
    assert update_pack.stderr_lines == []  # loading the IAM database printed nothing


def _open(principal: object, condition: object = None) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "*", "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_second_version_rules_over_the_protocol(update_pack: PackProcess) -> None:
    """The rules added in the catalogue's second version, as the engine drives them."""
    queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/q"
    stack = add(
        happy_stack(),
        raw(t.QUEUE_POLICY, "open-queue", {"queueUrl": queue_url, "policy": _open("*")}),
        raw(t.TOPIC_POLICY, "open-topic",
            {"arn": "arn:aws:sns:eu-west-1:123456789012:t", "policy": _open({"AWS": "*"})}),
        raw(t.SECRET_POLICY, "open-secret",
            {"secretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-abcdef",
             "policy": _open("*", {"Bool": {"aws:SecureTransport": "true"}})}),
        raw(t.GRANT, "foreign-grant",
            {"keyId": "k", "operations": ["Decrypt"], "granteePrincipal": "arn:aws:iam::999988887777:root"}),
        raw(t.PARAMETER, "plain-key",
            {"name": "/app/aws-key", "type": "String", "value": "AKIAIOSFODNN7EXAMPLE"}),
        raw("aws:kms/replicaKey:ReplicaKey", "open-replica",
            {"primaryKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/mrk-1", "policy": _open("*")}),
    )
    assert {s for s in summary(run_analysis(update_pack, stack)) if s[0] != "sqs-encrypted"} == {
        ("sqs-no-public-access", "mandatory", "violation", "open-queue"),
        ("sns-no-public-access", "mandatory", "violation", "open-topic"),
        ("secrets-no-public-access", "mandatory", "violation", "open-secret"),
        ("kms-no-cross-account-access", "mandatory", "violation", "foreign-grant"),
        ("ssm-no-plaintext-credentials", "mandatory", "violation", "plain-key"),
        ("kms-key-policy-no-wildcard-principal", "mandatory", "violation", "open-replica"),
    }


def test_config_overrides_take_effect(update_pack: PackProcess) -> None:
    config = {
        "lambda-tracing-active": "mandatory",  # a level changed
        "logs-retention-set": {"minimumRetentionDays": 30},  # a threshold changed
        "iam-lambda-trust-source-account": {"enforcementLevel": "disabled"},
        "lambda-code-signing": {"enforcementLevel": "advisory"},
    }
    result = run_analysis(update_pack, bad_stack(), config=config)
    assert summary(result) == {
        ("lambda-tracing-active", "mandatory", "violation", "orders"),
        ("lambda-code-signing", "advisory", "violation", "orders"),
        ("lambda-code-signing", "advisory", "violation", "billing"),
    }
    with pytest.raises(ValueError, match="minimumRetentionDays"):
        run_analysis(update_pack, bad_stack(), config={"logs-retention-set": {"minimumRetentionDays": "a year"}})


def test_full_sequence_preview(preview_pack: PackProcess) -> None:
    happy = run_analysis(preview_pack, happy_stack(preview=True), dry_run=True)
    assert {f.kind for f in happy.findings} == {"undecided"}
    assert all(f.level == "advisory" for f in happy.findings)
    bad = run_analysis(preview_pack, bad_stack(preview=True), dry_run=True)
    assert {s for s in summary(bad) if s[2] == "violation"} == {
        ("lambda-tracing-active", "advisory", "violation", "orders"),
        ("logs-retention-set", "mandatory", "violation", "orders-logs"),
        ("iam-lambda-trust-source-account", "advisory", "violation", "billing-role"),
    }


@pytest.mark.parametrize("preview", [False, True])
def test_subprocess_and_in_process_give_identical_findings(
    update_pack: PackProcess, preview_pack: PackProcess, preview: bool
) -> None:
    pack = preview_pack if preview else update_pack
    local = InProcessAnalyzer(PACK_DIR)
    stack = patch(
        bad_stack(preview),
        "billing-logs",
        set_={"tags": {"secure-serverless:waiver:logs-retention-set": "2099-01-01 this waiver is far too late"}},
    )
    config = {"lambda-tracing-active": "mandatory", "lambda-vpc": {"enforcementLevel": "advisory", "requireVpc": True}}
    remote = run_analysis(pack, stack, config=config, dry_run=preview)
    mine = run_analysis(local, stack, config=config, dry_run=preview)
    assert remote.findings == mine.findings
    assert remote.not_applicable == mine.not_applicable
    assert remote.policies == mine.policies
    assert len(remote.findings) >= 4


def test_in_process_analyzer_loads_the_pack_it_is_given(tmp_path: Path) -> None:
    """A second pack in the same process is that pack, not the first one's cached ``guardrails``."""
    import shutil

    other = tmp_path / "other-pack"
    shutil.copytree(PACK_DIR, other, ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "guardrails" / "__init__.py"
    init.write_text(init.read_text().replace('PACK_NAME = "secure-serverless"', 'PACK_NAME = "other-pack"'))
    saved_modules = {n: m for n, m in sys.modules.items() if n == "guardrails" or n.startswith("guardrails.")}
    saved_path = list(sys.path)
    try:
        assert InProcessAnalyzer(PACK_DIR).get_analyzer_info().name == "secure-serverless"
        assert InProcessAnalyzer(other).get_analyzer_info().name == "other-pack"
        assert InProcessAnalyzer(PACK_DIR).get_analyzer_info().name == "secure-serverless"
    finally:  # the other test modules hold the original pack's modules
        for name in [n for n in sys.modules if n == "guardrails" or n.startswith("guardrails.")]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
