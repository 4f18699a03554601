"""`secure-serverless model` and `secure-serverless quarantine drill|status|release`, run in process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cloudtrail_events import denied_event
from moto_account import Account

from secure_serverless.check.cli import main
from secure_serverless.quarantine.responder.config import ResponderConfig, Target
from secure_serverless.quarantine.responder.handler import Responder, assumed_clients
from secure_serverless.quarantine.responder.names import POLICY_NAME

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_model_prints_json_models_and_writes_a_runbook_per_function(tmp_path: Path) -> None:
    code, out, err = cli("model", ROOT, "--format", "json", "--runbooks", tmp_path / "runbooks")

    assert code == 0, err
    document = json.loads(out)
    api = document["models"]["orders-api"]
    assert api["schema"] == "secure-serverless/behaviour-model" and api["version"] == 1
    assert api["quarantine"] == {
        "protected": True,
        "mode": "contain",
        "threshold": 3,
        "windowSeconds": 300,
        "signals": {"denied-calls": "quarantine", "invocations-anomaly": "notify", "rejected-input": "notify"},
    }
    assert api["invokers"]["functionUrl"] == {"authType": "AWS_IAM"}
    consumer = document["models"]["orders-consumer"]
    [mapping] = consumer["invokers"]["eventSourceMappings"]
    assert mapping["eventSourceArn"].startswith("arn:aws:sqs:eu-west-1:123456789012:order-events")
    assert [b["metric"] for b in consumer["baselines"]] == ["Invocations"]
    assert document["models"]["orders-quarantine-handler"]["quarantine"]["protected"] is False
    runbook = (tmp_path / "runbooks" / "orders-api.md").read_text()
    for alarm in api["alarms"]:
        assert f"### {alarm['key']} (`{alarm['name']}`)" in runbook
    assert "Mode **contain**" in runbook and "quarantine release" in runbook
    assert sorted(p.name for p in (tmp_path / "runbooks").iterdir()) == [
        "orders-api.md",
        "orders-consumer.md",
        "orders-quarantine-handler.md",
    ]


@pytest.mark.slow
def test_model_text_summarises_each_function(tmp_path: Path) -> None:
    code, out, err = cli("model", ROOT, "--no-runbooks")

    assert code == 0, err
    assert "orders-consumer (" in out and "invoked by: event source arn:aws:sqs" in out
    assert "quarantine: contain after 1 denied call(s) in 300s" in out


@pytest.mark.slow
def test_drill_shows_the_decision_and_the_exact_policy() -> None:
    code, out, err = cli("quarantine", "drill", "orders-api", ROOT, "--format", "json")

    assert code == 0, err
    report = json.loads(out)
    assert report["call"] == "secretsmanager:ListSecrets"
    assert report["event"]["errorCode"] == "AccessDenied"
    assert report["delivered"] == report["attempts"] == 3
    assert [d["decision"] for d in report["decisions"]] == ["notify", "notify", "notify", "quarantine"]
    assert report["decisions"][-1]["outcome"] == "quarantined"
    sids = [s["Sid"] for s in report["policy"]["Statement"]]
    assert sids[0] == "SecureServerlessQuarantineDenyUndeclaredActions"
    assert sids[-1] == "SecureServerlessQuarantineRevokeOlderSessions"
    assert "secretsmanager:ListSecrets" not in report["policy"]["Statement"][0]["NotAction"]
    assert len(report["published"]) == 4  # three notices and the quarantine


@pytest.mark.slow
def test_drill_with_a_declared_call_still_quarantines_on_the_denied_resource() -> None:
    code, out, err = cli("quarantine", "drill", "orders-consumer", ROOT, "--call", "sqs:SendMessage")

    assert code == 0, err
    assert "decision: quarantine quarantined" in out
    assert '"SecureServerlessQuarantineDenyUndeclaredResources' in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("quarantine", "drill", "nope", str(ROOT)), "no SecureFunction named 'nope'"),
        (
            ("quarantine", "drill", "orders-api", str(ROOT), "--call", "ListSecrets"),
            "--call 'ListSecrets': use service:Action",
        ),
        (("quarantine", "drill", "orders-quarantine-handler", str(ROOT)), "is not protected by a Quarantine"),
        (("model", "/nonexistent/program"), "error:"),
    ],
)
@pytest.mark.slow
def test_bad_input_is_a_clear_error_with_exit_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = cli(*args)

    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_status_and_release_against_aws_fakes(account: Account, tmp_path: Path) -> None:
    facts = account.add_function("orders-api", concurrency=7)
    target = Target(mode="stop", threshold=1, window_seconds=300, declared_actions=("dynamodb:GetItem",), **facts)  # type: ignore[arg-type]
    Responder(ResponderConfig(account.responder_role_arn, (target,)), assumed_clients, out=io.StringIO()).handle(
        denied_event("orders-api-role")
    )
    account.messages()

    code, out, err = cli("quarantine", "status", "orders-api", "--format", "json")
    assert code == 0, err
    state = json.loads(out)
    assert (state["state"], state["mode"], state["reservedConcurrency"]) == ("quarantined", "stop", 0)
    assert state["event"] == "3e2a6f0e-5c9b-4d1e-9b7a-0c1d2e3f4a5b"

    audit_log = tmp_path / "audit.jsonl"
    code, out, err = cli(
        "quarantine", "release", "orders-api", "--reason", "INC-42: probe traced, key rotated", "--audit-log", audit_log
    )
    assert code == 0, err
    [audit] = [json.loads(line) for line in audit_log.read_text().splitlines()]
    assert audit["outcome"] == "released" and audit["reason"] == "INC-42: probe traced, key rotated"
    assert audit["operator"].startswith("arn:aws:")
    assert audit["policy"]["Statement"][0]["Sid"].startswith("SecureServerlessQuarantine")
    assert account.lambda_.get_function_concurrency(FunctionName="orders-api")["ReservedConcurrentExecutions"] == 7
    assert account.policy("orders-api-role", POLICY_NAME) is None
    assert account.messages()[0]["auditRecord"] == "secure-serverless.quarantine.release"
    code, out, _ = cli("quarantine", "status", "orders-api")
    assert "not-quarantined" in out


def test_release_needs_a_reason_and_refuses_foreign_policies(account: Account, tmp_path: Path) -> None:
    account.add_function("orders-api")
    code, _, err = cli("quarantine", "release", "orders-api", "--reason", "ok", "--audit-log", tmp_path / "a")
    assert code == 2 and "--reason" in err
    foreign = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Manual", "Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    account.iam.put_role_policy(RoleName="orders-api-role", PolicyName=POLICY_NAME, PolicyDocument=json.dumps(foreign))

    code, out, _ = cli(
        "quarantine",
        "release",
        "orders-api",
        "--reason",
        "manual deny placed by on-call",
        "--audit-log",
        tmp_path / "a",
    )

    assert code == 1 and "refused" in out
    assert account.policy("orders-api-role", POLICY_NAME) == foreign
    code, out, _ = cli("quarantine", "status", "orders-api")
    assert "foreign-policy" in out


def test_status_of_an_unknown_function_is_a_clear_error(account: Account) -> None:
    code, _, err = cli("quarantine", "status", "nope")
    assert code == 2 and "no Lambda function 'nope'" in err


PROGRAM = """
import pulumi
from secure_serverless import Grant, SecureFunction, SecureFunctionArgs
from secure_serverless.quarantine import ProtectedFunction, Quarantine, QuarantineArgs

worker = SecureFunction("worker", SecureFunctionArgs(
    handler="app.handler", code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return 1")}),
    grants=[Grant(actions=["dynamodb:GetItem"], resources=["arn:aws:dynamodb:eu-west-1:123456789012:table/t"])],
))
Quarantine("guard", QuarantineArgs(
    protect=[ProtectedFunction(function=worker, mode="{mode}", threshold=1)], read_only_events={read_only},
))
"""


def _program(tmp_path: Path, *, mode: str, read_only: bool) -> Path:
    directory = tmp_path / "program"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: drill-program\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (directory / "__main__.py").write_text(PROGRAM.replace("{mode}", mode).replace("{read_only}", str(read_only)))
    return directory


@pytest.mark.slow
def test_drill_of_a_read_only_call_without_the_opt_in_shows_nothing_happens(tmp_path: Path) -> None:
    code, out, err = cli(
        "quarantine", "drill", "worker", _program(tmp_path, mode="contain", read_only=False), "--format", "json"
    )

    assert code == 0, err
    report = json.loads(out)
    assert report["ruleState"] == "ENABLED" and report["delivered"] == 0 and report["policy"] is None
    assert "does not deliver read-only management events" in report["notes"][0]


@pytest.mark.slow
def test_drill_of_stop_mode_isolates_and_stops(tmp_path: Path) -> None:
    code, out, err = cli(
        "quarantine",
        "drill",
        "worker",
        _program(tmp_path, mode="stop", read_only=True),
        "--call",
        "iam:CreateAccessKey",
        "--format",
        "json",
    )

    assert code == 0, err
    report = json.loads(out)
    assert report["call"] == "iam:CreateAccessKey"
    [decision] = report["decisions"]
    assert decision["outcome"] == "quarantined" and decision["previousConcurrency"] == "20"
    assert [s["Sid"] for s in report["policy"]["Statement"]] == [
        "SecureServerlessQuarantineDenyAllButOwnLogs",
        "SecureServerlessQuarantineDenyLogsElsewhere",
        "SecureServerlessQuarantineRevokeOlderSessions",
    ]


def test_aws_errors_are_one_line_not_a_traceback() -> None:
    from botocore.exceptions import ClientError, NoCredentialsError

    from secure_serverless.quarantine.cli import _fail

    for error in (NoCredentialsError(), ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetRole")):
        err = io.StringIO()
        assert _fail(err, "quarantine status", error) == 2
        assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()
        assert err.getvalue().startswith("secure-serverless quarantine status: error: AWS: ")


def test_commands_find_the_program_upward() -> None:
    from secure_serverless.quarantine.recorded import run_program_view

    view = run_program_view(ROOT / "docs")  # the repository's Pulumi.yaml is one level up
    assert "orders-api" in view.models
