"""The behaviour model as a stack output equals the CLI's model of the same program; Quarantine's
arguments fail fast, naming the field and the fix, before any resource is registered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs
from secure_serverless.check.mocks import AwsMocks, run_program
from secure_serverless.quarantine import ProtectedFunction, Quarantine, QuarantineArgs
from secure_serverless.quarantine.component import QuarantineError
from secure_serverless.quarantine.recorded import view_of

HANDLERS = Path(__file__).resolve().parents[2] / "stacks" / "handlers"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"


def _function(name: str, **kwargs: Any) -> SecureFunction:
    return SecureFunction(
        name,
        SecureFunctionArgs(
            handler="orders_api.handler",
            code=pulumi.FileArchive(str(HANDLERS)),
            grants=[Grant(actions=["dynamodb:GetItem"], resources=[TABLE])],
            **kwargs,
        ),
    )


def test_stack_output_model_equals_the_model_read_from_the_recorded_program() -> None:
    captured: dict[str, Any] = {}

    def program() -> None:
        api = _function("api", runtime_helper=True, function_url="AWS_IAM")
        worker = _function("worker")
        quarantine = Quarantine(
            "guard",
            QuarantineArgs(
                protect=[
                    ProtectedFunction(function=api, threshold=2, signals={"rejected-input": "quarantine"}),
                    ProtectedFunction(function=worker, mode="stop", threshold=1, signals={}),
                ],
                trail="existing",
                existing_trail_arn="arn:aws:cloudtrail:eu-west-1:123456789012:trail/org",
            ),
        )
        quarantine.behaviour_models.apply(captured.update)

    run = run_program(program)
    recorded = view_of(run.resources).models

    assert set(captured) == {"api", "worker"}
    for name, model in captured.items():
        assert model == recorded[name], name
    assert captured["worker"]["quarantine"]["mode"] == "stop"
    assert captured["api"]["quarantine"]["signals"] == {"rejected-input": "quarantine", "denied-calls": "quarantine"}
    assert not [r for r in run.resources if r.type == "aws:cloudtrail/trail:Trail"]  # trail="existing"
    responder = next(r for r in run.resources if r.name == "guard-responder-policy")
    assert '"lambda:PutFunctionConcurrency"' in responder.inputs["policy"]  # worker opted in to stop


def _protected() -> SecureFunction:
    holder: list[SecureFunction] = []
    run_program(lambda: holder.append(_function("api")))
    return holder[0]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda f: QuarantineArgs(protect=[]), "protect"),
        (lambda f: QuarantineArgs(protect=["api"]), "protect[0]: expected a SecureFunction or ProtectedFunction"),
        (lambda f: QuarantineArgs(protect=[f, f]), "protect[1]: 'api' is listed twice"),
        (lambda f: ProtectedFunction(function=f, window_seconds=90), "90 is not a multiple of 60"),
        (lambda f: ProtectedFunction(function=f, mode="delete"), "mode"),
        (lambda f: ProtectedFunction(function=f, threshold=0), "threshold"),
        (lambda f: ProtectedFunction(function=object()), "expected a SecureFunction"),
        (lambda f: QuarantineArgs(protect=[f], trail="existing"), "trail='existing' needs existing_trail_arn"),
        (
            lambda f: QuarantineArgs(protect=[f], trail="existing", existing_trail_arn="arn:aws:s3:::bucket"),
            "is not a CloudTrail trail ARN",
        ),
        (
            lambda f: QuarantineArgs(protect=[f], existing_trail_arn="arn:aws:cloudtrail:eu-west-1:1:trail/t"),
            "set trail='existing'",
        ),
    ],
)
def test_invalid_arguments_name_the_field(build: Any, message: str) -> None:
    function = _protected()
    with pytest.raises(ValueError, match=None) as raised:
        build(function)
    assert message in str(raised.value)


def test_unknown_signal_key_is_refused_before_any_resource_is_registered() -> None:
    def program() -> None:
        api = _function("api")  # no runtime helper: no rejected-input alarm
        Quarantine(
            "guard", QuarantineArgs(protect=[ProtectedFunction(function=api, signals={"rejected-input": "notify"})])
        )

    with pytest.raises(QuarantineError, match=r"protect\[0\]\.signals: \['rejected-input'\] are not alarms of 'api'"):
        run_program(program)


def test_quarantine_name_is_checked() -> None:
    def program() -> None:
        Quarantine("bad name!", QuarantineArgs(protect=[_function("api")]))

    with pytest.raises(QuarantineError, match="Quarantine name 'bad name!'"):
        run_program(program)


EXISTING = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org"


class _TrailMocks(AwsMocks):
    """The checker's mocks, answering a read of the existing trail with ``state``."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__()
        self.state = state

    def outputs_for(self, token: str, name: str, inputs: dict[str, Any], custom: bool) -> tuple[str, dict[str, Any]]:
        # a read (`Trail.get(name, id)`) reaches the mocks with the id as the name input
        if token == "aws:cloudtrail/trail:Trail" and inputs.get("name") == EXISTING:
            return EXISTING, {**inputs, "arn": EXISTING, **self.state}
        return super().outputs_for(token, name, inputs, custom)


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        ({"enableLogging": False}, "logging is off"),
        (
            {
                "enableLogging": True,
                "eventSelectors": [{"readWriteType": "WriteOnly", "includeManagementEvents": True}],
            },
            "only write management events",
        ),
        (
            {"enableLogging": True, "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": False}]},
            "no event selector includes management events",
        ),
        (
            {
                "enableLogging": True,
                "advancedEventSelectors": [
                    {"fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]},
                ],
            },
            "no advanced event selector logs management events",
        ),
    ],
)
def test_existing_trail_that_would_not_feed_the_rule_fails_the_deployment(state: dict[str, Any], problem: str) -> None:
    def program() -> None:
        Quarantine("guard", QuarantineArgs(protect=[_function("api")], trail="existing", existing_trail_arn=EXISTING))

    with pytest.raises(Exception, match="existing_trail_arn") as raised:
        run_program(program, mocks=_TrailMocks(state))
    assert problem in str(raised.value)


def test_existing_trail_that_logs_management_events_passes() -> None:
    state = {
        "enableLogging": True,
        "advancedEventSelectors": [{"fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}],
    }

    def program() -> None:
        Quarantine("guard", QuarantineArgs(protect=[_function("api")], trail="existing", existing_trail_arn=EXISTING))

    run = run_program(program, mocks=_TrailMocks(state))
    assert not [r for r in run.resources if r.type == "aws:cloudtrail/trail:Trail"]  # read, never created


def test_data_events_of_declared_types_are_logged_by_the_created_trail() -> None:
    def program() -> None:
        Quarantine(
            "guard", QuarantineArgs(protect=[_function("api")], data_event_resource_types=["AWS::DynamoDB::Table"])
        )

    [trail] = [r for r in run_program(program).resources if r.type == "aws:cloudtrail/trail:Trail"]

    selectors = trail.inputs["advancedEventSelectors"]
    assert [s["fieldSelectors"] for s in selectors] == [
        [{"field": "eventCategory", "equals": ["Management"]}],
        [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]},
        ],
    ]
    assert "eventSelectors" not in trail.inputs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data_event_resource_types": ["dynamodb"]}, "data_event_resource_types[0]: 'dynamodb' is not a CloudTrail"),
        (
            {"data_event_resource_types": ["AWS::S3::Object"], "trail": "existing", "existing_trail_arn": EXISTING},
            "applies to the trail Quarantine creates",
        ),
    ],
)
def test_data_event_types_are_checked(kwargs: dict[str, Any], message: str) -> None:
    function = _protected()
    with pytest.raises(ValueError) as raised:
        QuarantineArgs(protect=[function], **kwargs)
    assert message in str(raised.value)
