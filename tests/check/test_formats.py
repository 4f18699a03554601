"""Each output format: text grouped by resource, JSON, and SARIF 2.1.0 valid against the official schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from check_support import EXAMPLE_DIR, INSECURE_DIR, SARIF_SCHEMA, run_cli


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def insecure_sarif() -> dict[str, Any]:
    run = run_cli("check", INSECURE_DIR, "--format", "sarif")
    assert run.code == 1
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def test_sarif_is_valid_against_the_official_schema(
    sarif_validator: jsonschema.Draft7Validator, insecure_sarif: dict[str, Any]
) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in sarif_validator.iter_errors(insecure_sarif)]
    assert errors == []
    clean = json.loads(run_cli("check", EXAMPLE_DIR, "--format", "sarif").stdout)
    assert [f"{list(e.path)}: {e.message}" for e in sarif_validator.iter_errors(clean)] == []
    assert clean["runs"][0]["results"] == []


def test_sarif_schema_rejects_a_broken_log(sarif_validator: jsonschema.Draft7Validator) -> None:
    # The fixture is a real schema, not a permissive stand-in.
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal"}]}]}
    assert len(list(sarif_validator.iter_errors(broken))) >= 2


def test_sarif_rules_levels_and_suppressions(insecure_sarif: dict[str, Any]) -> None:
    run = insecure_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert "lambda-url-auth-iam" in by_id
    rule = by_id["lambda-url-auth-iam"]
    assert rule["shortDescription"]["text"]
    assert rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
    assert by_id["sns-encrypted"]["defaultConfiguration"]["level"] == "warning"

    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {(r["ruleId"], r["level"]) for r in results}
    assert ("lambda-url-auth-iam", "error") in levels  # mandatory
    assert ("sns-encrypted", "warning") in levels  # advisory
    waived = [r for r in results if r.get("suppressions")]
    assert [(r["ruleId"], r["level"]) for r in waived] == [("logs-retention-set", "note")]
    assert waived[0]["suppressions"][0]["kind"] == "inSource"
    assert "DPIA-7" in waived[0]["suppressions"][0]["justification"]


def test_sarif_locations_point_at_the_program_and_the_urn(insecure_sarif: dict[str, Any]) -> None:
    result = next(r for r in insecure_sarif["runs"][0]["results"] if r["ruleId"] == "lambda-url-auth-iam")
    location = result["locations"][0]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "stacks/insecure/__main__.py"
    line = physical["region"]["startLine"]
    source = (INSECURE_DIR / "__main__.py").read_text(encoding="utf-8").splitlines()
    assert '"legacy-orders-url"' in source[line - 1]
    logical = location["logicalLocations"][0]
    assert logical["fullyQualifiedName"].startswith("urn:pulumi:dev::secure-serverless-insecure-example::")
    assert logical["fullyQualifiedName"].endswith("::legacy-orders-url")


def test_json_format_document() -> None:
    run = run_cli("check", INSECURE_DIR, "--format", "json")
    document = run.json()
    assert document["exitCode"] == 1 == run.code
    assert document["summary"]["mandatory"] == sum(1 for f in document["findings"] if f["blocking"])
    finding = next(f for f in document["findings"] if f["policy"] == "lambda-runtime-supported")
    assert finding["level"] == "mandatory"
    assert finding["resourceType"] == "aws:lambda/function:Function"
    assert finding["urn"].endswith("::legacy-orders")
    assert "python3.8" in finding["message"]
    assert finding["fix"]
    source = (INSECURE_DIR / "__main__.py").read_text(encoding="utf-8").splitlines()
    assert source[finding["line"] - 1].startswith("legacy_fn = aws.lambda_.Function(")
    assert document["cost"]["currency"] == "USD"
    assert {p["name"] for p in document["policies"]} >= {"lambda-url-auth-iam", "logs-retention-set"}


def test_text_report_groups_findings_by_resource() -> None:
    text = run_cli("check", INSECURE_DIR).stdout
    block = text.split("aws:lambda/functionUrl:FunctionUrl  legacy-orders-url", 1)[1].split("\n\n", 1)[0]
    assert "MANDATORY lambda-url-auth-iam" in block
    assert "Fix:" in block or "fix:" in block
    assert "Waivers\n" in text
    assert "expired      logs-kms-encrypted on LogGroup 'legacy-logs'" in text


def test_output_file_option(tmp_path: Path) -> None:
    target = tmp_path / "results.sarif"
    run = run_cli("check", EXAMPLE_DIR, "--format", "sarif", "--output", target)
    assert run.code == 0
    assert run.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_sarif_lines_are_the_statements_that_created_the_resources(tmp_path: Path) -> None:
    from check_support import write_program

    directory = write_program(
        tmp_path / "loop",
        """
    for i in range(3):
        aws.sqs.Queue(f"queue-{i}", sqs_managed_sse_enabled=False)  # line 7: names made at run time
    """,
    )
    document = json.loads(run_cli("check", directory, "--format", "sarif").stdout)
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in document["runs"][0]["results"]}
    assert lines == {7}
    # A component's children point at the line that creates the component.
    insecure = json.loads(run_cli("check", INSECURE_DIR, "--format", "sarif").stdout)
    source = (INSECURE_DIR / "__main__.py").read_text(encoding="utf-8").splitlines()
    waived = next(r for r in insecure["runs"][0]["results"] if r.get("suppressions"))
    line = waived["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert source[line - 1].startswith("reports = SecureFunction(")


def test_preview_marks_undecided_findings() -> None:
    document = run_cli("check", INSECURE_DIR, "--preview", "--format", "json").json()
    assert document["preview"] is True
    undecided = [f for f in document["findings"] if f["undecided"]]
    assert undecided
    assert all(f["level"] == "advisory" and not f["blocking"] for f in undecided)
    assert any("during preview" in note for note in document["notes"])
    # Known values are still judged in a preview: the plaintext AWS key is found.
    assert any(f["policy"] == "lambda-no-secrets-in-env" and f["blocking"] for f in document["findings"])


def test_sarif_uris_are_relative_to_the_repository_root_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sarif_validator: jsonschema.Draft7Validator
) -> None:
    from urllib.parse import unquote

    from check_support import write_program

    directory = write_program(tmp_path / "my stacks" / "orders#1", 'aws.sqs.Queue("q", sqs_managed_sse_enabled=False)')

    def run_in(cwd: Path) -> tuple[dict[str, Any], str]:
        monkeypatch.chdir(cwd)
        document = json.loads(run_cli("check", directory, "--format", "sarif").stdout)
        assert list(sarif_validator.iter_errors(document)) == []
        run = document["runs"][0]
        [location] = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in run["results"]}
        return json.loads(location), run["originalUriBaseIds"]["%SRCROOT%"]["uri"]

    # Not in a git repository: relative to the program directory, from any working directory.
    for cwd in (tmp_path, Path("/")):
        location, base = run_in(cwd)
        assert location == {"uri": "__main__.py", "uriBaseId": "%SRCROOT%"}
        assert base == directory.as_uri() + "/"
    # In a repository: relative to its top level (what code scanning resolves paths against).
    (tmp_path / ".git").mkdir()
    location, base = run_in(directory)
    assert location == {"uri": "my%20stacks/orders%231/__main__.py", "uriBaseId": "%SRCROOT%"}
    assert unquote(location["uri"]) == "my stacks/orders#1/__main__.py"
    assert base == tmp_path.as_uri() + "/"


def test_sarif_remediate_rules_default_to_error_like_their_results(program: Any, tmp_path: Path) -> None:
    config = tmp_path / "remediate.json"
    config.write_text(json.dumps({"sns-encrypted": "remediate"}))
    run = run_cli("check", program('aws.sns.Topic("plain-topic")\n'), "--config", config, "--format", "sarif")
    assert run.code == 1  # the pack cannot remediate: the violation blocks
    sarif_run = json.loads(run.stdout)["runs"][0]
    rule = next(r for r in sarif_run["tool"]["driver"]["rules"] if r["id"] == "sns-encrypted")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert [(r["ruleId"], r["level"]) for r in sarif_run["results"]] == [("sns-encrypted", "error")]
