"""`secure-serverless review` end to end: formats, gates, and clear errors instead of tracebacks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from secure_serverless.check.cli import main

from .test_compare import PROGRAM, _trail

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["review", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trail_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trail") / "trail.json"
    path.write_text(json.dumps({"Records": _trail()}))
    return path


def test_text_report(trail_file: Path) -> None:
    code, out, err = run(str(ROOT), "--events", str(trail_file))
    assert code == 0, err
    assert "function orders-api (SecureFunction 'orders-api'): 5 calls" in out
    assert "grant dynamodb:UpdateItem [1 Write] (OrdersTableReadWrite in inline:" in out and "UNUSED" in out
    assert "DENIED secretsmanager:GetSecretValue" in out
    assert "proposed declaration:" in out
    assert "other role (no function of this program): arn:aws:iam::210987654321:role/ci-deployer x1" in out


def test_json_report(trail_file: Path) -> None:
    code, out, _ = run(str(ROOT), "--events", str(trail_file), "--format", "json")
    document = json.loads(out)
    assert code == 0
    api = next(f for f in document["functions"] if f["function"] == "orders-api")
    unused = sorted(g["action"] for g in api["grants"] if g["unused"])
    assert unused == ["dynamodb:UpdateItem", "kms:Decrypt", "kms:GenerateDataKey"]
    assert api["denied"][0]["errorCode"] == "AccessDenied"
    assert "Grant(" in api["proposal"]


def test_sarif_report_is_valid_sarif(trail_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "review.sarif"
    code, out, _ = run(str(ROOT), "--events", str(trail_file), "--format", "sarif", "-o", str(target))
    assert code == 0 and out == ""
    document = json.loads(target.read_text())
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"review-unused-grant", "review-denied-call"}
    # placed on the program's file, relative to the repository root, as code scanning needs
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"stacks/__main__.py"}


def test_fail_on_unused_is_a_gate(trail_file: Path) -> None:
    assert run(str(ROOT), "--events", str(trail_file), "--fail-on-unused")[0] == 1
    assert run(str(ROOT), "--events", str(trail_file), "--fail-on-drift")[0] == 0  # no drift from a file


def test_empty_window_is_said_and_judges_nothing_unused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"Records": []}))
    code, out, err = run(str(ROOT), "--events", str(empty), "--fail-on-unused")
    assert code == 0
    assert "no calls in the window for orders-api, orders-consumer, orders-quarantine-handler" in err
    assert "UNUSED" not in out and "not judged: no calls" in out  # no evidence: no verdict, no proposal
    assert "proposed declaration" not in out


def test_malformed_records_are_skipped_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"Records": [*_trail(), {"eventName": "x"}, "junk"]}))
    code, _, err = run(str(ROOT), "--events", str(path))
    assert code == 0
    assert "skipped record 8: no userIdentity" in err and "skipped record 9: not a JSON object" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "give --events FILE (CloudTrail records) or --live"),
        (("--events", "/nonexistent/trail.json"), "/nonexistent/trail.json: cannot be read"),
        (("--events", "{trail}", "--role", "nobody=role-x"), "--role names no function of the program: nobody"),
        (("--events", "{trail}", "--role", "orders-api"), "--role takes FUNCTION=ROLE"),
        (("--events", "{trail}", "--days", "0"), "--days must be a positive number"),
    ],
)
def test_errors_are_one_line_and_exit_2(trail_file: Path, argv: tuple[str, ...], message: str) -> None:
    code, out, err = run(str(ROOT), *[a.replace("{trail}", str(trail_file)) for a in argv])
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_a_program_that_is_not_there(tmp_path: Path, trail_file: Path) -> None:
    code, _, err = run(str(tmp_path), "--events", str(trail_file))
    assert code == 2 and "no Pulumi.yaml" in err


def test_program_prints_do_not_reach_the_report(tmp_path: Path, trail_file: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: noisy\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("print('hello from the program')\n" + PROGRAM)
    code, out, err = run(str(tmp_path), "--events", str(trail_file), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["functions"] and "hello from the program" not in out


def test_role_override_matches_an_explicitly_named_role(trail_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "renamed.json"
    records = _trail()
    for item in records:
        issuer = item["userIdentity"]["sessionContext"]["sessionIssuer"]  # type: ignore[index]
        if "orders-api-role" in issuer["arn"]:
            issuer["arn"] = "arn:aws:iam::210987654321:role/prod/orders-api-execution"
    path.write_text(json.dumps({"Records": records}))
    _, out, _ = run(str(ROOT), "--events", str(path), "--format", "json",
                    "--role", "orders-api=arn:aws:iam::210987654321:role/prod/orders-api-execution")
    api = next(f for f in json.loads(out)["functions"] if f["function"] == "orders-api")
    assert api["calls"] == 5


def test_a_secret_read_by_name_keeps_the_declared_secret_in_the_proposal(tmp_path: Path) -> None:
    records = [r for r in _trail() if r["eventName"] != "GetSecretValue"]
    by_name = _trail()[0]
    by_name["requestParameters"] = {"secretId": "payments/provider-api-key"}  # a name: no ARN in the record
    path = tmp_path / "by-name.json"
    path.write_text(json.dumps({"Records": [by_name, *records]}))
    _, out, _ = run(str(ROOT), "--events", str(path), "--format", "json")
    api = next(f for f in json.loads(out)["functions"] if f["function"] == "orders-api")
    assert "payments/provider-api-key-Xy12Ab" in api["proposal"]  # never a proposal that cuts the secret off


def test_a_report_that_cannot_be_written_is_exit_2(trail_file: Path, tmp_path: Path) -> None:
    code, _, err = run(str(ROOT), "--events", str(trail_file), "-o", str(tmp_path / "missing" / "review.json"))
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_the_program_is_found_upward_as_check_finds_it(trail_file: Path) -> None:
    code, out, err = run(str(ROOT / "docs"), "--events", str(trail_file))
    assert code == 0, err
    assert "function orders-api" in out
