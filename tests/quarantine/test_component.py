"""The example stack under the checker's mocks: Quarantine's rules, targets, alarms, roles; the pack's verdict."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cloudtrail_events import alarm_event, denied_event
from eventbridge import delivered

from secure_serverless.check.model import RecordedResource
from secure_serverless.check.results import CheckResult
from secure_serverless.check.runner import check_program
from secure_serverless.quarantine.responder.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
PROTECTED = ("orders-api", "orders-consumer")


@cache
def example() -> CheckResult:
    result, _ = check_program(ROOT)
    return result


def resources(type_token: str) -> list[RecordedResource]:
    return [r for r in example().resources if r.type == type_token]


def named(type_token: str, name: str) -> RecordedResource:
    [match] = [r for r in resources(type_token) if r.name == name]
    return match


def role_arn(component: str) -> str:
    return str(named("aws:iam/role:Role", f"{component}-role").outputs["arn"])


def matches(event: dict[str, Any], pattern: str) -> bool:
    return delivered(event, pattern)


def statements(document: Any) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    return list(parsed["Statement"])


def test_pack_passes_the_protected_example_with_zero_findings_and_zero_waivers() -> None:
    result = example()
    assert [(f.policy, f.resource_name) for f in result.findings] == []
    assert result.waivers == []
    assert resources("secure-serverless:index:Quarantine")  # the stack really is protected


def test_denied_calls_rule_names_each_protected_role_and_opts_in_to_read_only_events() -> None:
    rule = named("aws:cloudwatch/eventRule:EventRule", "orders-quarantine-denied-calls")
    pattern = json.loads(rule.inputs["eventPattern"])
    issuers = pattern["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    assert sorted(issuers) == sorted(role_arn(c) for c in PROTECTED)
    assert rule.inputs["state"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    for component in PROTECTED:
        role_name = role_arn(component).rsplit("/", 1)[1]
        for code, source, name in [
            ("AccessDenied", "secretsmanager.amazonaws.com", "GetSecretValue"),
            ("AccessDeniedException", "dynamodb.amazonaws.com", "Scan"),
            ("Client.UnauthorizedOperation", "ec2.amazonaws.com", "RunInstances"),
        ]:
            event = denied_event(role_name, error_code=code, event_source=source, event_name=name)
            assert matches(event, rule.inputs["eventPattern"]), (component, code)
    handler_role = role_arn("orders-quarantine-handler").rsplit("/", 1)[1]
    assert not matches(denied_event(handler_role), rule.inputs["eventPattern"])
    api_role = role_arn("orders-api").rsplit("/", 1)[1]
    assert not matches(denied_event(api_role, error_code="ThrottlingException"), rule.inputs["eventPattern"])


def test_rules_target_the_handler_with_scoped_invoke_permissions() -> None:
    handler_arn = named("aws:lambda/function:Function", "orders-quarantine-handler").outputs["arn"]
    handler_name = named("aws:lambda/function:Function", "orders-quarantine-handler").outputs["name"]
    for key in ("denied-calls", "signals"):
        rule = named("aws:cloudwatch/eventRule:EventRule", f"orders-quarantine-{key}")
        target = named("aws:cloudwatch/eventTarget:EventTarget", f"orders-quarantine-{key}-target")
        assert target.inputs["rule"] == rule.inputs["name"] and target.inputs["arn"] == handler_arn
        permission = named("aws:lambda/permission:Permission", f"orders-quarantine-{key}-invoke")
        assert permission.inputs["principal"] == "events.amazonaws.com"
        assert permission.inputs["function"] == handler_name
        assert permission.inputs["sourceArn"] == f"arn:aws:events:eu-west-1:123456789012:rule/{rule.inputs['name']}"


def test_threshold_alarm_and_signal_alarms_exist_and_reach_the_handler() -> None:
    api_fn = named("aws:lambda/function:Function", "orders-api").outputs["name"]
    alarm = named("aws:cloudwatch/metricAlarm:MetricAlarm", "orders-quarantine-orders-api-denied-calls")
    assert alarm.inputs["namespace"] == "SecureServerless/Quarantine"
    assert alarm.inputs["metricName"] == "DeniedCalls"
    assert alarm.inputs["dimensions"] == {"ProtectedFunction": api_fn}
    assert (alarm.inputs["threshold"], alarm.inputs["period"]) == (3.0, 300.0)
    api_topic = named("aws:sns/topic:Topic", "orders-api-alarms").outputs["arn"]
    assert alarm.inputs["alarmActions"] == [api_topic]
    # threshold 1 for the consumer: its first denied call quarantines, no counting alarm needed
    assert not [
        r for r in resources("aws:cloudwatch/metricAlarm:MetricAlarm") if r.name.endswith("consumer-denied-calls")
    ]
    signals = named("aws:cloudwatch/eventRule:EventRule", "orders-quarantine-signals").inputs["eventPattern"]
    for name in (
        "orders-quarantine-orders-api-denied-calls",
        "orders-consumer-rejected-input",
        "orders-api-invocations-anomaly",
    ):
        arn = named("aws:cloudwatch/metricAlarm:MetricAlarm", name).outputs["arn"]
        assert matches(alarm_event(arn), signals), name
        assert not matches(alarm_event(arn, state="OK"), signals), name
    errors_alarm = named("aws:cloudwatch/metricAlarm:MetricAlarm", "orders-api-errors").outputs["arn"]
    assert not matches(alarm_event(errors_alarm), signals)


def test_handler_role_may_only_assume_the_responder_role() -> None:
    policy = named("aws:iam/rolePolicy:RolePolicy", "orders-quarantine-handler-policy").inputs["policy"]
    responder = named("aws:iam/role:Role", "orders-quarantine-responder")
    actions = {a for s in statements(policy) for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert not [a for a in actions if a.startswith(("iam:", "lambda:"))]
    [assume] = [s for s in statements(policy) if "sts:AssumeRole" in s["Action"]]
    assert assume["Resource"] == [responder.outputs["arn"]]
    trust = statements(responder.inputs["assumeRolePolicy"])
    assert trust == [
        {
            "Sid": "QuarantineHandlerOnly",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn("orders-quarantine-handler")},
            "Action": "sts:AssumeRole",
        }
    ]


def test_responder_role_changes_only_the_protected_roles_and_topics() -> None:
    policy = statements(named("aws:iam/rolePolicy:RolePolicy", "orders-quarantine-responder-policy").inputs["policy"])
    protected_roles = sorted(role_arn(c) for c in PROTECTED)
    for statement in policy:
        assert statement["Effect"] == "Allow"
        assert isinstance(statement["Resource"], list) and "*" not in statement["Resource"], statement["Sid"]
        assert not any(a.endswith("*") for a in statement["Action"]), statement["Sid"]
        if any(a.startswith("iam:") for a in statement["Action"]):
            assert statement["Resource"] == protected_roles, statement["Sid"]
    by_sid = {s["Sid"]: s for s in policy}
    assert by_sid["TagProtectedRolesWithQuarantineState"]["Condition"] == {
        "ForAllValues:StringLike": {"aws:TagKeys": ["secure-serverless:quarantine:*"]}
    }
    assert "StopFunctionsThatOptedIn" not in by_sid  # neither function opted in to stop
    topics = sorted(named("aws:sns/topic:Topic", f"{c}-alarms").outputs["arn"] for c in PROTECTED)
    assert by_sid["PublishToProtectedAlarmTopics"]["Resource"] == topics
    assert by_sid["EncryptMessagesViaSns"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "sns.eu-west-1.amazonaws.com"}
    }


def test_secure_trail_is_encrypted_validated_and_its_bucket_private() -> None:
    [trail] = resources("aws:cloudtrail/trail:Trail")
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["isMultiRegionTrail"] is True and trail.inputs["includeGlobalServiceEvents"] is True
    key = named("aws:kms/key:Key", "orders-quarantine-trail-key")
    assert trail.inputs["kmsKeyId"] == key.outputs["arn"] and key.inputs["enableKeyRotation"] is True
    [block] = resources("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block.inputs[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    [bucket_policy] = resources("aws:s3/bucketPolicy:BucketPolicy")
    trail_arn = f"arn:aws:cloudtrail:eu-west-1:123456789012:trail/{trail.inputs['name']}"
    for statement in statements(bucket_policy.inputs["policy"]):
        if statement["Effect"] == "Allow":
            assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
            assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == trail_arn
        else:
            assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def _handler_assets() -> dict[str, Any]:
    return dict(named("aws:lambda/function:Function", "orders-quarantine-handler").inputs["code"]["assets"])


def test_shipped_config_describes_each_protected_function() -> None:
    config = parse_config(_handler_assets()["quarantine_config.json"]["text"])
    assert sorted(t.role_arn for t in config.targets) == sorted(role_arn(c) for c in PROTECTED)
    api = next(t for t in config.targets if t.role_arn == role_arn("orders-api"))
    assert (api.mode, api.threshold, api.window_seconds) == ("contain", 3, 300)
    assert {"dynamodb:GetItem", "dynamodb:PutItem", "secretsmanager:GetSecretValue"} <= set(api.declared_actions)
    own = json.loads(named("aws:iam/rolePolicy:RolePolicy", "orders-api-policy").inputs["policy"])
    assert [list(resources) for _, resources in api.declared_scopes] == [
        s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]] for s in own["Statement"]
    ]
    assert config.responder_role_arn == named("aws:iam/role:Role", "orders-quarantine-responder").outputs["arn"]


@pytest.mark.slow
def test_shipped_archive_runs_without_pulumi(tmp_path: Path) -> None:
    for name, asset in _handler_assets().items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(asset["text"] if "text" in asset else Path(asset["path"]).read_text(), encoding="utf-8")
    script = (
        "import json, sys\n"
        "sys.modules['pulumi'] = None; sys.modules['pulumi_aws'] = None; sys.modules['pydantic'] = None\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from secure_serverless.quarantine.responder.handler import handler\n"
        "print(json.dumps(handler({'detail-type': 'Scheduled Event', 'detail': {}}, None)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["decision"] == "ignored"
