"""--stack-export: judge a deployed stack from `pulumi stack export` JSON, without leaking its secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure_serverless.check.model import UNKNOWN
from secure_serverless.check.stack_export import (
    SECRET_SIG,
    SIG_KEY,
    StackExportError,
    load_stack_export,
    parse_stack_export,
)

from check_support import FIXTURES, mandatory, run_cli

EXPORT = FIXTURES / "stack-export-legacy.json"
PLAINTEXT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_export_is_read_as_the_engine_analyses_it() -> None:
    export = load_stack_export(EXPORT)
    assert (export.project, export.stack) == ("legacy-orders", "prod")
    types = [r.type for r in export.resources]
    # The root stack and the default provider are not analysed.
    assert "pulumi:pulumi:Stack" not in types
    assert not any(t.startswith("pulumi:providers:") for t in types)
    assert export.skipped == 2
    function = next(r for r in export.resources if r.type == "aws:lambda/function:Function")
    assert function.name == "legacy-orders"
    assert function.provider and function.provider.startswith("urn:pulumi:prod::legacy-orders::pulumi:providers:aws")
    assert function.inputs["memorySize"] == 128.0  # numbers travel as doubles
    assert function.property_dependencies["role"] == ("urn:pulumi:prod::legacy-orders::aws:iam/role:Role::legacy-role",)
    variables = function.inputs["environment"]["variables"]
    assert variables["AWS_SECRET_ACCESS_KEY"] == {SIG_KEY: SECRET_SIG, "value": PLAINTEXT_SECRET}
    assert PLAINTEXT_SECRET in export.secret_values
    secret = next(r for r in export.resources if r.type == "aws:secretsmanager/secret:Secret")
    # Only ciphertext: unknowable without the stack's secrets provider.
    assert secret.inputs["description"] == {SIG_KEY: SECRET_SIG, "value": UNKNOWN}


def test_export_findings() -> None:
    run = run_cli("check", "--stack-export", EXPORT, "--format", "json")
    assert run.code == 1, run.stderr
    document = run.json()
    assert document["source"] == "stack-export"
    assert (document["project"], document["stack"]) == ("legacy-orders", "prod")
    assert {
        ("lambda-no-secrets-in-env", "legacy-orders"),
        ("lambda-runtime-supported", "legacy-orders"),
        ("lambda-env-kms-encrypted", "legacy-orders"),
        ("iam-no-wildcard-actions", "legacy-role-inline"),
        ("iam-no-wildcard-resources", "legacy-role-inline"),
        ("logs-retention-set", "legacy-logs"),
        ("logs-kms-encrypted", "legacy-logs"),
        ("monitoring-function-alarms", "legacy-orders"),
    } <= mandatory(document)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_plaintext_secrets_never_reach_the_report(fmt: str) -> None:
    run = run_cli("check", "--stack-export", EXPORT, "--format", fmt)
    assert run.code == 1
    assert PLAINTEXT_SECRET not in run.stdout
    assert PLAINTEXT_SECRET not in run.stderr


def test_stack_export_sarif_points_at_the_export_file() -> None:
    document = json.loads(run_cli("check", "--stack-export", EXPORT, "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"tests/check/fixtures/stack-export-legacy.json"}


def test_malformed_exports_are_errors(tmp_path: Path) -> None:
    with pytest.raises(StackExportError):
        parse_stack_export([])
    with pytest.raises(StackExportError):
        parse_stack_export({"deployment": {"resources": [{"type": "aws:sns/topic:Topic"}]}})
    with pytest.raises(StackExportError):
        parse_stack_export({"deployment": {"resources": [{"urn": "not-a-urn", "type": "x"}]}})
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    run = run_cli("check", "--stack-export", bad)
    assert run.code == 2
    assert "is not JSON" in run.stderr


def test_pending_deletes_are_skipped() -> None:
    document = json.loads(EXPORT.read_text())
    for resource in document["deployment"]["resources"]:
        if resource["type"] == "aws:lambda/function:Function":
            resource["delete"] = True
    export = parse_stack_export(document)
    assert not any(r.type == "aws:lambda/function:Function" for r in export.resources)


def _one_resource(**fields: object) -> dict[str, object]:
    resource = {"urn": "urn:pulumi:prod::p::aws:sns/topic:Topic::t", "type": "aws:sns/topic:Topic", "custom": True}
    return {"deployment": {"resources": [{**resource, **fields}]}}


def test_exports_with_missing_or_odd_fields(tmp_path: Path) -> None:
    # Absent or null fields are empty, as `pulumi stack export` omits empty ones.
    [topic] = parse_stack_export(_one_resource(inputs=None, dependencies=None, propertyDependencies=None)).resources
    assert (topic.inputs, topic.dependencies, topic.property_dependencies) == ({}, (), {})
    # Fields of the wrong JSON type are errors (exit 2), never a crash.
    for odd in ({"inputs": []}, {"outputs": "x"}, {"dependencies": {}}, {"propertyDependencies": ["role"]}):
        with pytest.raises(StackExportError, match="must be a JSON"):
            parse_stack_export(_one_resource(**odd))
    with pytest.raises(StackExportError, match=r"missing deployment\.resources"):
        parse_stack_export({"deployment": []})
    odd_file = tmp_path / "odd.json"
    odd_file.write_text(json.dumps(_one_resource(inputs=[1, 2])))
    run = run_cli("check", "--stack-export", odd_file)
    assert run.code == 2
    assert "inputs must be a JSON object" in run.stderr


def test_export_encodings(tmp_path: Path) -> None:
    # Windows PowerShell's `pulumi stack export > stack.json` writes UTF-16.
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes(EXPORT.read_text(encoding="utf-8").encode("utf-16"))
    assert load_stack_export(utf16).stack == "prod"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe")
    with pytest.raises(StackExportError, match="is not JSON"):
        load_stack_export(binary)
