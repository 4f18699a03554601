"""`secure-serverless quarantine drill`: rehearse an attack on one function, offline.

1. Build a CloudTrail record of a call the function never declared, refused by IAM, as EventBridge
   would deliver it ("AWS API Call via CloudTrail").
2. Route it through an EventBridge emulation (moto's, not ours) holding the deployed rule's pattern
   and state: the pattern is matched by an implementation independent of the one that built it.
3. Run the real responder against AWS API fakes (moto), repeating the call up to the threshold and
   firing the threshold alarm as CloudWatch would.
4. Report every decision, what was published, and the exact policy written on the role.
"""

from __future__ import annotations

import io
import json
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from secure_serverless.quarantine.recorded import Deployment, ProgramError, ProgramView, find_function
from secure_serverless.quarantine.responder.config import ResponderConfig, Target
from secure_serverless.quarantine.responder.handler import Responder, assumed_clients, utc_now
from secure_serverless.quarantine.responder.names import POLICY_NAME

READ_ONLY_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
# Calls an intruder with a function's credentials tries first: enumerate, then read secrets.
PROBES: tuple[tuple[str, str, bool], ...] = (
    ("secretsmanager.amazonaws.com", "ListSecrets", True),
    ("iam.amazonaws.com", "ListRoles", True),
    ("s3.amazonaws.com", "ListBuckets", True),
    ("dynamodb.amazonaws.com", "ListTables", True),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", False),
)
_LAMBDA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass
class DrillReport:
    function: str
    call: str
    event: dict[str, Any]
    rule_state: str
    delivered: int = 0
    attempts: int = 0
    decisions: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    published: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "call": self.call,
            "event": self.event,
            "ruleState": self.rule_state,
            "attempts": self.attempts,
            "delivered": self.delivered,
            "decisions": self.decisions,
            "policyName": POLICY_NAME,
            "policy": self.policy,
            "published": self.published,
            "notes": self.notes,
        }


def _service(event_source: str) -> str:
    return event_source.split(".", 1)[0]


def choose_probe(declared: tuple[str, ...], call: str | None) -> tuple[str, str, bool]:
    """The call to simulate: ``call`` (``service:Action``) or the first probe outside the declared set."""
    if call is not None:
        if call.count(":") != 1 or not all(call.split(":")):
            raise ProgramError(f"--call {call!r}: use service:Action, e.g. secretsmanager:ListSecrets")
        service, action = call.split(":")
        read_only = action.startswith(("Get", "List", "Describe", "Head"))
        return f"{service}.amazonaws.com", action, read_only
    for source, action, read_only in PROBES:
        if f"{_service(source)}:{action}" not in declared:
            return source, action, read_only
    raise ProgramError("every built-in probe is declared by this function; name one with --call service:Action")


def denied_call_record(
    target: Target, source: str, action: str, read_only: bool, *, region: str, when: str
) -> dict[str, Any]:
    """A CloudTrail record of ``action`` by the function's role session, refused by IAM."""
    account = target.role_arn.split(":")[4]
    session = target.function_name
    assumed = f"arn:aws:sts::{account}:assumed-role/{target.role_name}/{session}"
    call = f"{_service(source)}:{action}"
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROADRILLEXAMPLE00000:{session}",
            "arn": assumed,
            "accountId": account,
            "accessKeyId": "ASIADRILLEXAMPLE0000",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROADRILLEXAMPLE00000",
                    "arn": target.role_arn,
                    "accountId": account,
                    "userName": target.role_name,
                },
                "attributes": {"creationDate": when, "mfaAuthenticated": "false"},
            },
        },
        "eventTime": when,
        "eventSource": source,
        "eventName": action,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "Boto3/1.35.0 md/Botocore#1.35.0 exec-env/AWS_Lambda_python3.12",
        "errorCode": "AccessDenied",
        "errorMessage": f"User: {assumed} is not authorized to perform: {call} because no identity-based policy "
        f"allows the {call} action",
        "requestParameters": None,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }


@contextmanager
def _fake_aws(region: str) -> Iterator[Any]:
    try:
        import boto3
        import moto
    except ImportError as error:
        raise ProgramError(
            f"the drill runs against AWS API fakes and needs {error.name}: pip install 'secure-serverless[drill]'"
        ) from None
    saved = {
        k: os.environ.get(k)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")
    }
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "drill",
            "AWS_SECRET_ACCESS_KEY": "drill",
            "AWS_SESSION_TOKEN": "drill",
            "AWS_DEFAULT_REGION": region,
        }
    )
    try:
        with moto.mock_aws():
            yield boto3
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("drill.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


class _World:
    """The fake account: the target's role (with its own policy), function, topic; the rules as deployed."""

    def __init__(
        self, boto3: Any, view: ProgramView, deployment: Deployment, target: Target, model: dict[str, Any]
    ) -> None:
        self.iam, self.lambda_, self.sns = boto3.client("iam"), boto3.client("lambda"), boto3.client("sns")
        self.sqs, self.events = boto3.client("sqs"), boto3.client("events")
        config = deployment.config
        self.iam.create_role(RoleName=target.role_name, AssumeRolePolicyDocument=_LAMBDA_TRUST)
        self.iam.put_role_policy(
            RoleName=target.role_name,
            PolicyName=f"{model['function']['logicalName']}-policy",
            PolicyDocument=view.own_policies[target.function_name],
        )
        self.iam.create_role(
            RoleName=config.responder_role_arn.rsplit("/", 1)[1], AssumeRolePolicyDocument=_LAMBDA_TRUST
        )
        self.lambda_.create_function(
            FunctionName=target.function_name,
            Runtime="python3.12",
            Role=target.role_arn,
            Handler="drill.handler",
            Code={"ZipFile": _zip()},
        )
        reserved = model["function"].get("reservedConcurrency")
        if isinstance(reserved, int):
            self.lambda_.put_function_concurrency(
                FunctionName=target.function_name, ReservedConcurrentExecutions=reserved
            )
        self.operators = self._queue("drill-operators")
        if target.topic_arn:
            topic = self.sns.create_topic(Name=target.topic_arn.rsplit(":", 1)[1])["TopicArn"]
            self.sns.subscribe(
                TopicArn=topic,
                Protocol="sqs",
                Endpoint=self._arn(self.operators),
                Attributes={"RawMessageDelivery": "true"},
            )
        self.deliveries = self._queue("drill-deliveries")
        for key, (pattern, state) in deployment.rules.items():
            self.events.put_rule(Name=f"drill-{key}", EventPattern=pattern, State=state)
            self.events.put_targets(Rule=f"drill-{key}", Targets=[{"Id": "handler", "Arn": self._arn(self.deliveries)}])

    def _queue(self, name: str) -> str:
        return str(self.sqs.create_queue(QueueName=name)["QueueUrl"])

    def _arn(self, url: str) -> str:
        return str(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

    def drain(self, url: str) -> list[dict[str, Any]]:
        out = []
        while batch := self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return out

    def route(
        self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]
    ) -> list[dict[str, Any]]:
        """What EventBridge delivers to the handler for one event (zero or more deliveries)."""
        self.events.put_events(
            Entries=[
                {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "Resources": resources}
            ]
        )
        return self.drain(self.deliveries)


def run_drill(
    view: ProgramView, function: str, *, call: str | None = None, when: str | None = None
) -> DrillReport:
    """Rehearse a denied call by ``function`` against the program's deployed rules and responder."""
    when = when or utc_now()
    logical, model = find_function(view, function)
    name = model["function"]["name"]
    found = [(d, d.config.target_named(name)) for d in view.deployments]
    deployment, target = next(((d, t) for d, t in found if t is not None), (None, None))
    if deployment is None or target is None:
        raise ProgramError(
            f"{logical!r} is not protected by a Quarantine in this program; add it to QuarantineArgs(protect=[...])"
        )
    source, action, read_only = choose_probe(target.declared_actions, call)
    region = target.function_arn.split(":")[3]
    record = denied_call_record(target, source, action, read_only, region=region, when=when)
    state = deployment.rules["denied-calls"][1]
    report = DrillReport(logical, f"{_service(source)}:{action}", record, state)
    if read_only and state != READ_ONLY_STATE:
        report.notes.append(
            f"{report.call} is a read-only call and the rule's state is {state}: EventBridge does not deliver "
            f"read-only management events to it (set QuarantineArgs(read_only_events=True))"
        )
        return report
    with _fake_aws(region) as boto3:
        world = _World(boto3, view, deployment, target, model)
        out = io.StringIO()
        times = iter([when] * 1000)
        responder = Responder(
            ResponderConfig(deployment.config.responder_role_arn, (target,), deployment.config.signals),
            assumed_clients,
            now=lambda: next(times),
            out=out,
        )
        for attempt in range(max(1, target.threshold)):
            record = denied_call_record(target, source, action, read_only, region=region, when=when)
            report.attempts += 1
            deliveries = world.route(f"aws.{_service(source)}", "AWS API Call via CloudTrail", record, [])
            report.delivered += len(deliveries)
            report.decisions.extend(responder.handle(event) for event in deliveries)
            if attempt == 0 and not deliveries:
                report.notes.append("the rule's pattern did not match the denied call: nothing would happen")
                break
        if target.threshold > 1 and report.delivered >= target.threshold:
            alarm = next(
                (s for s in deployment.config.signals if s.function_name == name and s.signal == "denied-calls"), None
            )
            if alarm is not None:
                report.notes.append(
                    f"{target.threshold} denied calls within {target.window_seconds}s: "
                    "the DeniedCalls alarm enters ALARM"
                )
                detail = {
                    "alarmName": alarm.alarm_arn.rsplit(":alarm:", 1)[1],
                    "state": {"value": "ALARM"},
                    "previousState": {"value": "OK"},
                }
                for event in world.route("aws.cloudwatch", "CloudWatch Alarm State Change", detail, [alarm.alarm_arn]):
                    report.decisions.append(responder.handle(event))
        try:
            document = world.iam.get_role_policy(RoleName=target.role_name, PolicyName=POLICY_NAME)["PolicyDocument"]
            report.policy = document if isinstance(document, dict) else json.loads(document)
        except world.iam.exceptions.NoSuchEntityException:
            report.policy = None
        report.published = world.drain(world.operators)
    return report


def render_drill(report: DrillReport) -> str:
    lines = [
        f"Drill: {report.function} calls {report.call} (not in its behaviour model); IAM refuses it.",
        f"  EventBridge rule state {report.rule_state}; {report.delivered} of {report.attempts} denied calls delivered",
    ]
    for decision in report.decisions:
        what = decision.get("outcome") or decision.get("reason") or ""
        lines.append(f"  decision: {decision['decision']} {what}".rstrip())
    for note in report.notes:
        lines.append(f"  note: {note}")
    lines.append(f"  published to the alarm topic: {len(report.published)} message(s)")
    if report.policy is not None:
        lines.append(f"Policy written on the role ({POLICY_NAME}):")
        lines.extend("  " + line for line in json.dumps(report.policy, indent=2).splitlines())
    else:
        lines.append("No policy was written.")
    return "\n".join(lines) + "\n"
