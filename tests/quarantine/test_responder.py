"""The quarantine handler against AWS API fakes (moto): each mode, idempotency, release, unknown targets.

moto proves the call flow (which calls, in which order, with which documents), never that a policy
is least-privilege: that is test_iam_evaluation.py's job.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cloudtrail_events import alarm_event, denied_event
from moto_account import OWN_POLICY, Account

from secure_serverless.quarantine.responder.actions import release_quarantine
from secure_serverless.quarantine.responder.config import ResponderConfig, Signal, Target, parse_config
from secure_serverless.quarantine.responder.handler import Clients, Responder, assumed_clients
from secure_serverless.quarantine.responder.names import (
    POLICY_NAME,
    TAG_CONCURRENCY,
    TAG_MODE,
    TAG_SINCE,
)

SINCE = "2026-12-01T07:02:00Z"
LATER = "2026-12-01T07:09:00Z"
DECLARED = ("dynamodb:GetItem", "dynamodb:PutItem", "logs:CreateLogStream", "logs:PutLogEvents")


def target(facts: dict[str, str], *, mode: str = "contain", threshold: int = 1) -> Target:
    return Target(mode=mode, threshold=threshold, window_seconds=300, declared_actions=DECLARED, **facts)  # type: ignore[arg-type]


class Clock:
    def __init__(self, *times: str) -> None:
        self._times: Iterator[str] = iter(times)

    def __call__(self) -> str:
        return next(self._times)


def responder(
    account: Account, targets: list[Target], signals: list[Signal] = (), *times: str
) -> tuple[Responder, io.StringIO]:  # type: ignore[assignment]
    out = io.StringIO()
    config = ResponderConfig(account.responder_role_arn, tuple(targets), tuple(signals))
    return Responder(config, assumed_clients, now=Clock(*(times or (SINCE, LATER, LATER))), out=out), out


def log_lines(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def operator(account: Account) -> Clients:
    return Clients(iam=account.iam, lambda_=account.lambda_, sns=account.sns)


# -- contain -----------------------------------------------------------------------------------------


def test_contain_writes_deny_outside_declared_set_and_older_sessions(account: Account) -> None:
    api = account.add_function("orders-api")
    handler, out = responder(account, [target(api)])

    record = handler.handle(denied_event("orders-api-role"))

    assert record["decision"] == "quarantine" and record["outcome"] == "quarantined"
    policy = account.policy("orders-api-role", POLICY_NAME)
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SecureServerlessQuarantineDenyUndeclaredActions",
                "Effect": "Deny",
                "Resource": "*",
                "NotAction": sorted(DECLARED),
            },
            {
                "Sid": "SecureServerlessQuarantineRevokeOlderSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": SINCE}},
            },
        ],
    }
    # The function's own policy is untouched: release restores exactly the previous state.
    assert account.policy("orders-api-role", "orders-api-policy") == OWN_POLICY
    assert account.tags("orders-api-role")[TAG_MODE] == "contain"
    assert account.tags("orders-api-role")[TAG_SINCE] == SINCE
    [message] = account.messages()
    assert message["outcome"] == "quarantined" and message["policy"] == policy
    assert message["trigger"]["call"] == "secretsmanager:GetSecretValue"
    logged = log_lines(out)
    assert logged[-1]["decision"] == "quarantine" and logged[-1]["logger"] == "secure-serverless.quarantine"
    assert logged[-1]["published"] == account.topics["orders-api"]


def test_isolate_denies_everything_but_own_log_streams(account: Account) -> None:
    api = account.add_function("orders-api")
    handler, _ = responder(account, [target(api, mode="isolate")])

    handler.handle(
        denied_event(
            "orders-api-role",
            event_source="ec2.amazonaws.com",
            event_name="RunInstances",
            error_code="Client.UnauthorizedOperation",
            read_only=False,
        )
    )

    policy = account.policy("orders-api-role", POLICY_NAME)
    assert policy is not None
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["SecureServerlessQuarantineDenyAllButOwnLogs"]["NotAction"] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    assert by_sid["SecureServerlessQuarantineDenyLogsElsewhere"]["NotResource"] == [
        f"{api['log_group_arn']}:log-stream:*"
    ]


@pytest.mark.parametrize(("reserved", "recorded"), [(50, "50"), (None, "none")])
def test_stop_sets_concurrency_zero_and_release_restores_it(
    account: Account, reserved: int | None, recorded: str
) -> None:
    api = account.add_function("orders-api", concurrency=reserved)
    handler, _ = responder(account, [target(api, mode="stop")])

    record = handler.handle(denied_event("orders-api-role"))

    assert record["outcome"] == "quarantined" and record["previousConcurrency"] == recorded
    assert account.lambda_.get_function_concurrency(FunctionName="orders-api")["ReservedConcurrentExecutions"] == 0
    assert account.tags("orders-api-role")[TAG_CONCURRENCY] == recorded

    released = release_quarantine(operator(account), role_name="orders-api-role", function_name="orders-api")

    assert released.outcome == "released"
    assert (
        account.lambda_.get_function_concurrency(FunctionName="orders-api").get("ReservedConcurrentExecutions")
        == reserved
    )
    assert account.policy("orders-api-role", POLICY_NAME) is None
    assert not [k for k in account.tags("orders-api-role") if k.startswith("secure-serverless:quarantine:")]


# -- idempotency, thresholds, signals -------------------------------------------------------------------


def test_same_event_twice_changes_nothing_the_second_time(account: Account) -> None:
    api = account.add_function("orders-api")
    handler, _ = responder(account, [target(api)])
    event = denied_event("orders-api-role")

    first = handler.handle(event)
    policy = account.policy("orders-api-role", POLICY_NAME)
    second = handler.handle(event)

    assert first["outcome"] == "quarantined" and second["outcome"] == "already-quarantined"
    assert account.policy("orders-api-role", POLICY_NAME) == policy  # the clock moved on; the policy did not
    assert account.tags("orders-api-role")[TAG_SINCE] == SINCE
    assert len(account.messages()) == 1


def test_below_threshold_notifies_and_counts_then_the_threshold_alarm_quarantines(account: Account) -> None:
    api = account.add_function("orders-api")
    alarm_arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-denied-calls"
    signal = Signal(alarm_arn=alarm_arn, function_name="orders-api", signal="denied-calls", action="quarantine")
    handler, out = responder(account, [target(api, threshold=3)], [signal])

    record = handler.handle(denied_event("orders-api-role"))

    assert record["decision"] == "notify"
    assert account.policy("orders-api-role", POLICY_NAME) is None
    metric = next(line for line in log_lines(out) if "_aws" in line)
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "SecureServerless/Quarantine"
    assert metric["ProtectedFunction"] == "orders-api" and metric["DeniedCalls"] == 1
    assert account.messages()[0]["decision"] == "notify"

    record = handler.handle(alarm_event(alarm_arn))

    assert record["outcome"] == "quarantined" and record["trigger"]["signal"] == "denied-calls"
    assert account.policy("orders-api-role", POLICY_NAME) is not None


def test_notify_signal_publishes_without_quarantine(account: Account) -> None:
    api = account.add_function("orders-api")
    alarm_arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-rejected-input"
    signal = Signal(alarm_arn=alarm_arn, function_name="orders-api", signal="rejected-input", action="notify")
    handler, _ = responder(account, [target(api)], [signal])

    record = handler.handle(alarm_event(alarm_arn))

    assert record["decision"] == "notify" and record["trigger"]["signal"] == "rejected-input"
    assert account.policy("orders-api-role", POLICY_NAME) is None
    assert account.messages()[0]["trigger"]["alarm"] == alarm_arn


# -- unknown and missing targets ------------------------------------------------------------------------


def _no_clients(_: str) -> Clients:
    raise AssertionError("the responder must not call AWS for an event it ignores")


def test_role_not_protected_is_ignored_without_any_call(account: Account) -> None:
    api = account.add_function("orders-api")
    out = io.StringIO()
    handler = Responder(ResponderConfig(account.responder_role_arn, (target(api),)), _no_clients, out=out)

    record = handler.handle(denied_event("someone-elses-role"))

    assert record["decision"] == "ignored" and "not protected" in record["reason"]


def test_missing_role_is_reported_not_crashed_on(account: Account) -> None:
    api = account.add_function("orders-api")
    gone = {**api, "role_name": "deleted-role", "role_arn": "arn:aws:iam::123456789012:role/deleted-role"}
    handler, out = responder(account, [target(gone)])

    record = handler.handle(denied_event("deleted-role"))

    assert record["outcome"] == "target-missing"
    assert "deleted-role does not exist" in record["notes"][0]
    assert log_lines(out)[-1]["level"] == "ERROR"
    assert account.messages()[0]["outcome"] == "target-missing"


def test_stop_with_missing_function_still_quarantines_the_role(account: Account) -> None:
    api = account.add_function("orders-api", create_function=False)
    handler, _ = responder(account, [target(api, mode="stop")])

    record = handler.handle(denied_event("orders-api-role"))

    assert record["outcome"] == "quarantined"
    assert any("does not exist" in note for note in record["notes"])
    assert account.policy("orders-api-role", POLICY_NAME) is not None


def test_publish_failure_is_logged_and_the_quarantine_stands(account: Account) -> None:
    api = {**account.add_function("orders-api"), "topic_arn": "arn:aws:sns:eu-west-1:123456789012:deleted-topic"}
    handler, _ = responder(account, [target(api)])

    record = handler.handle(denied_event("orders-api-role"))

    assert record["outcome"] == "quarantined"
    assert any("publish to" in note for note in record["notes"])


# -- malformed events -----------------------------------------------------------------------------------


def _without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    node = event
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return event


MALFORMED: dict[str, Any] = {
    "none": None,
    "list": [denied_event("orders-api-role")],
    "string": json.dumps(denied_event("orders-api-role")),
    "empty": {},
    "detail is a string": {**denied_event("orders-api-role"), "detail": "{}"},
    "scheduled event": {"detail-type": "Scheduled Event", "detail": {}},
    "no error code": _without(denied_event("orders-api-role"), "detail", "errorCode"),
    "throttled, not denied": denied_event("orders-api-role", error_code="ThrottlingException"),
    "error code not a string": {
        **denied_event("orders-api-role"),
        "detail": {**denied_event("orders-api-role")["detail"], "errorCode": ["AccessDenied"]},
    },
    "no session issuer": _without(
        denied_event("orders-api-role"), "detail", "userIdentity", "sessionContext", "sessionIssuer"
    ),
    "issuer is a user": {
        **denied_event("orders-api-role"),
        "detail": {
            **denied_event("orders-api-role")["detail"],
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/alice"},
        },
    },
    "no event id": _without(_without(denied_event("orders-api-role"), "detail", "eventID"), "id"),
    "alarm back to OK": alarm_event("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x", state="OK"),
    "alarm without resources": {**alarm_event("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x"), "resources": []},
    "alarm not configured": alarm_event("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:someone-elses"),
    "huge issuer arn": {
        **denied_event("orders-api-role"),
        "detail": {
            **denied_event("orders-api-role")["detail"],
            "userIdentity": {"sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/" + "x" * 100_000}}},
        },
    },
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_or_foreign_events_are_ignored_and_logged(account: Account, case: str) -> None:
    api = account.add_function("orders-api")
    out = io.StringIO()
    handler = Responder(ResponderConfig(account.responder_role_arn, (target(api),)), _no_clients, out=out)

    record = handler.handle(MALFORMED[case])

    assert record["decision"] == "ignored" and record["reason"]
    assert log_lines(out)[-1]["decision"] == "ignored"
    assert account.policy("orders-api-role", POLICY_NAME) is None


# -- release --------------------------------------------------------------------------------------------


def test_release_removes_only_what_the_responder_wrote(account: Account) -> None:
    api = account.add_function("orders-api")
    account.iam.tag_role(RoleName="orders-api-role", Tags=[{"Key": "team", "Value": "orders"}])
    handler, _ = responder(account, [target(api)])
    handler.handle(denied_event("orders-api-role"))

    released = release_quarantine(operator(account), role_name="orders-api-role", function_name="orders-api")

    assert released.outcome == "released" and released.mode == "contain"
    assert account.policy("orders-api-role", POLICY_NAME) is None
    assert account.policy("orders-api-role", "orders-api-policy") == OWN_POLICY
    assert account.tags("orders-api-role") == {"team": "orders"}
    again = release_quarantine(operator(account), role_name="orders-api-role", function_name="orders-api")
    assert again.outcome == "not-quarantined"


def test_release_refuses_a_policy_it_did_not_write(account: Account) -> None:
    account.add_function("orders-api")
    foreign = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Manual", "Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    account.iam.put_role_policy(RoleName="orders-api-role", PolicyName=POLICY_NAME, PolicyDocument=json.dumps(foreign))

    released = release_quarantine(operator(account), role_name="orders-api-role", function_name="orders-api")

    assert released.outcome == "refused" and "not written by secure-serverless" in released.notes[0]
    assert account.policy("orders-api-role", POLICY_NAME) == foreign


def test_config_round_trips_and_names_bad_fields(account: Account) -> None:
    api = account.add_function("orders-api")
    config = ResponderConfig(account.responder_role_arn, (target(api, mode="isolate", threshold=4),))
    assert parse_config(config.to_json()) == config
    broken = json.loads(config.to_json())
    broken["targets"][0]["mode"] = "delete"
    with pytest.raises(ValueError, match=r"targets\[0\]\.mode: 'delete'"):
        parse_config(json.dumps(broken))
    broken["targets"][0]["mode"] = "contain"
    broken["targets"][0]["threshold"] = True
    with pytest.raises(ValueError, match=r"targets\[0\]\.threshold"):
        parse_config(json.dumps(broken))


class _QuotaFull(Exception):
    response = {"Error": {"Code": "LimitExceeded", "Message": "Maximum policy size of 10240 bytes exceeded"}}


def test_inline_policy_quota_full_falls_back_to_action_level_containment(account: Account) -> None:
    api = account.add_function("orders-api")
    real_iam = account.iam
    calls: list[str] = []

    class QuotaIam:
        """The real (moto) client, except that the first, larger quarantine policy exceeds the quota."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real_iam, name)

        def put_role_policy(self, **kwargs: Any) -> Any:
            calls.append(kwargs["PolicyDocument"])
            if "DenyUndeclaredResources" in kwargs["PolicyDocument"]:
                raise _QuotaFull()
            return real_iam.put_role_policy(**kwargs)

    scoped = Target(
        mode="contain",
        threshold=1,
        window_seconds=300,
        declared_actions=DECLARED,
        declared_scopes=((("dynamodb:GetItem",), ("arn:aws:dynamodb:eu-west-1:123456789012:table/orders",)),),
        **api,  # type: ignore[arg-type]
    )
    clients = Clients(iam=QuotaIam(), lambda_=account.lambda_, sns=account.sns)
    handler = Responder(ResponderConfig(account.responder_role_arn, (scoped,)), lambda _: clients, out=io.StringIO())

    record = handler.handle(denied_event("orders-api-role"))

    assert record["outcome"] == "quarantined" and len(calls) == 2
    assert any("quota" in note for note in record["notes"])
    policy = account.policy("orders-api-role", POLICY_NAME)
    assert policy is not None
    assert [s["Sid"] for s in policy["Statement"]] == [
        "SecureServerlessQuarantineDenyUndeclaredActions",
        "SecureServerlessQuarantineRevokeOlderSessions",
    ]
