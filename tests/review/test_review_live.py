"""`review --live`: IAM drift read from moto, CloudTrail and last-accessed data through botocore's Stubber.

moto implements the IAM role and policy reads; it does not implement CloudTrail LookupEvents nor IAM's
GenerateServiceLastAccessedDetails, so those two go through Stubber with responses in the documented
shapes. Every operation the review calls is recorded: none may be a write.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from secure_serverless.review.cli import run_review
from secure_serverless.review.declared import DeclaredFunction
from secure_serverless.review.live import READ_ONLY_OPERATIONS, WriteRefused, read_only

from .test_compare import _trail

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
API_ROLE = "orders-api-role-3f9a1c2"
CONSUMER_ROLE = "orders-consumer-role-0a1b2c3"


class _SplitIam:
    """IAM reads from moto; the last-accessed report (not in moto) from a stubbed client."""

    def __init__(self, moto_client: Any, stubbed: Any) -> None:
        self._moto, self._stubbed = moto_client, stubbed

    def __getattr__(self, name: str) -> Any:
        stubbed = ("generate_service_last_accessed_details", "get_service_last_accessed_details")
        return getattr(self._stubbed if name in stubbed else self._moto, name)


class _Session:
    def __init__(self, session: Any, clients: dict[str, Any]) -> None:
        self._session, self._clients = session, clients

    def client(self, name: str) -> Any:
        return self._clients[name]


@pytest.fixture
def calls() -> list[str]:
    return []


def _deploy(example_functions: dict[str, DeclaredFunction], *, console_edit: bool) -> None:
    """Create the two roles as the program would have deployed them (unguarded: this is the test's setup)."""
    iam = boto3.client("iam", region_name=REGION)
    for function, role in (("orders-api", API_ROLE), ("orders-consumer", CONSUMER_ROLE)):
        declared = example_functions[function]
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(declared.trust_policy))
        for name, document in declared.inline_policies.items():
            statements = list(document["Statement"])
            if console_edit and function == "orders-api":
                statements.append({"Sid": "ConsoleDebug", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
            iam.put_role_policy(RoleName=role, PolicyName=name[:-7] + "9f9f9f9",
                                PolicyDocument=json.dumps({**document, "Statement": statements}))
    if console_edit:  # a customer-managed policy attached in the console
        arn = iam.create_policy(PolicyName="DebugAccess", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}),
        )["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=API_ROLE, PolicyArn=arn)


@pytest.fixture
def live(example_functions: dict[str, DeclaredFunction], calls: list[str]) -> Iterator[Any]:
    with mock_aws():
        guarded = read_only(boto3.Session(region_name=REGION))
        guarded.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
        cloudtrail = guarded.client("cloudtrail")
        iam_stubbed = guarded.client("iam")
        trail_stub, iam_stub = Stubber(cloudtrail), Stubber(iam_stubbed)
        events = [{"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": json.dumps(r)}
                  for r in _trail()]
        trail_stub.add_response("lookup_events", {"Events": events[:4], "NextToken": "page-2"},
                                {"StartTime": ANY, "EndTime": ANY})
        trail_stub.add_response("lookup_events", {"Events": events[4:]},
                                {"StartTime": ANY, "EndTime": ANY, "NextToken": "page-2"})
        for index in range(2):
            job = f"00000000-0000-4000-8000-00000000000{index}"  # job ids are UUIDs
            iam_stub.add_response("generate_service_last_accessed_details", {"JobId": job},
                                  {"Arn": ANY, "Granularity": "ACTION_LEVEL"})
            iam_stub.add_response("get_service_last_accessed_details", {
                "JobStatus": "COMPLETED", "JobCreationDate": datetime(2026, 11, 30, tzinfo=UTC),
                "JobCompletionDate": datetime(2026, 11, 30, tzinfo=UTC), "ServicesLastAccessed": [{
                    "ServiceName": "AWS Secrets Manager", "ServiceNamespace": "secretsmanager",
                    "LastAuthenticated": datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
                    "TrackedActionsLastAccessed": [{"ActionName": "GetSecretValue",
                                                    "LastAccessedTime": datetime(2026, 11, 28, 9, 30, tzinfo=UTC)}],
                }],
            }, {"JobId": job})
        with trail_stub, iam_stub:
            yield lambda: _Session(guarded, {"cloudtrail": cloudtrail,
                                             "iam": _SplitIam(guarded.client("iam"), iam_stubbed)})


def _args(**overrides: Any) -> argparse.Namespace:
    values: dict[str, Any] = dict(
        program_dir=str(ROOT), stack=None, stack_export=None, events=None, live=True, days=30, max_events=100_000,
        role=[], region=REGION, profile=None, format="json", output=None, fail_on_unused=False, fail_on_drift=True,
    )
    values.update(overrides)
    return argparse.Namespace(**values)


def test_live_review_reads_only_and_finds_console_drift(
    live: Any, example_functions: dict[str, DeclaredFunction], calls: list[str]
) -> None:
    _deploy(example_functions, console_edit=True)
    calls.clear()
    out, err = io.StringIO(), io.StringIO()
    code = run_review(_args(), out, err, session=live())
    assert code == 1, err.getvalue()  # --fail-on-drift
    document = json.loads(out.getvalue())
    api = next(f for f in document["functions"] if f["function"] == "orders-api")
    assert [d["kind"] for d in api["drift"]] == ["statement-added", "managed-policy-added"]
    assert "ConsoleDebug" in api["drift"][0]["detail"]
    assert api["lastAccessed"]["secretsmanager:GetSecretValue"] == "2026-11-28T09:30:00+00:00"
    assert api["calls"] == 5
    consumer = next(f for f in document["functions"] if f["function"] == "orders-consumer")
    assert consumer["drift"] == []
    assert calls and set(calls) <= READ_ONLY_OPERATIONS  # every call the review made was a read
    assert {"LookupEvents", "GetRole", "GetRolePolicy", "ListAttachedRolePolicies",
            "GenerateServiceLastAccessedDetails"} <= set(calls)


def test_live_review_without_drift_passes_the_gate(live: Any, example_functions: dict[str, DeclaredFunction]) -> None:
    _deploy(example_functions, console_edit=False)
    assert run_review(_args(), io.StringIO(), io.StringIO(), session=live()) == 0


def test_the_guard_refuses_writes_before_sending() -> None:
    with mock_aws():
        iam = read_only(boto3.Session(region_name=REGION)).client("iam")
        with pytest.raises(WriteRefused, match="iam:PutRolePolicy"):
            iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument="{}")
        assert iam.list_roles()["Roles"] == []  # reads go through


def test_live_errors_are_one_line(example_functions: dict[str, DeclaredFunction]) -> None:
    with mock_aws():
        session = _Session(None, {"cloudtrail": boto3.client("cloudtrail", region_name=REGION),
                                  "iam": boto3.client("iam", region_name=REGION)})
        err = io.StringIO()
        assert run_review(_args(), io.StringIO(), err, session=session) == 2
    assert err.getvalue().count("\n") == 1 and "NotImplementedError" in err.getvalue()


def test_several_deployed_roles_fitting_one_function_is_an_error_naming_them(
    example_functions: dict[str, DeclaredFunction],
) -> None:
    from secure_serverless.review.live import match_roles

    names, ambiguous = match_roles(list(example_functions.values()),
                                   ["orders-api-role-1111111", "orders-api-role-2222222", CONSUMER_ROLE], {})
    assert ambiguous == {"orders-api": ["orders-api-role-1111111", "orders-api-role-2222222"]}
    assert names == {"orders-consumer": CONSUMER_ROLE}
    names, ambiguous = match_roles(list(example_functions.values()), ["orders-api-role-1111111",
                                   "orders-api-role-2222222"], {"orders-api": "orders-api-role-2222222"})
    assert ambiguous == {} and names == {"orders-api": "orders-api-role-2222222"}
