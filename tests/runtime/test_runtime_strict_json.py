"""Strict JSON: NaN, Infinity and overflowing numbers are refused in float fields, duplicate keys are
refused (a parser differential), both opt-in; any exception raised while validating is a rejection with a
fixed message; the cost of rejecting a huge invalid payload is bounded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from runtime_events import apigw_v1, apigw_v2, eventbridge_event, rest_get, sns_event, sqs_event
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, secure_handler, validate_event


class Reading(BaseModel):
    sensor: str
    value: float
    calibration: Decimal = Decimal(0)


class Batch(BaseModel):
    readings: list[Reading]  # nested: the hardening reaches models inside models


def _api(model: Any = Reading, **kwargs: Any) -> Callable[[Any, Any], Any]:
    return secure_handler(
        lambda v, c: {"statusCode": 200, "body": repr(v)}, model=model, envelope="api_gateway_http", **kwargs
    )


def _error(response: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    body = json.loads(response["body"])
    return body["error"], body["fields"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_floats_are_refused(number: str, context: FakeContext) -> None:
    response = _api()(apigw_v2(f'{{"sensor": "t1", "value": {number}}}'), context)
    assert response["statusCode"] == 400
    code, fields = _error(response)
    assert {"path": "$.value", "type": "finite_number"} in fields or code == ErrorCode.MALFORMED_PAYLOAD


@pytest.mark.parametrize("number", ["NaN", "1e999"])
def test_non_finite_floats_are_refused_in_nested_models(number: str, context: FakeContext) -> None:
    response = _api(Batch, allow_duplicate_keys=True)(
        apigw_v2(f'{{"readings": [{{"sensor": "t1", "value": {number}}}]}}'), context
    )
    assert _error(response) == (ErrorCode.VALIDATION_FAILED, [{"path": "$.readings[0].value", "type": "finite_number"}])


def test_non_finite_in_decoded_events_and_query_strings(context: FakeContext) -> None:
    eb = secure_handler(lambda v, c: v, model=Reading, envelope="eventbridge")
    with pytest.raises(InputRejected) as info:
        eb(eventbridge_event({"sensor": "t1", "value": float("nan")}), context)  # Lambda's json.loads accepts NaN
    assert info.value.fields == ({"path": "$.value", "type": "finite_number"},)

    class Q(BaseModel):
        threshold: float

    q = secure_handler(lambda r, c: r.query.threshold, query=Q, envelope="api_gateway_rest")
    for text in ("nan", "inf", "-Infinity", "1e999"):
        assert q(rest_get(query={"threshold": [text]}), context)["statusCode"] == 400
    assert q(rest_get(query={"threshold": ["0.5"]}), context)["body"] == "0.5"


def test_non_finite_floats_opt_in(context: FakeContext) -> None:
    handler = _api(allow_inf_nan=True)
    for number in ("NaN", "Infinity", "1e999"):
        assert handler(apigw_v2(f'{{"sensor": "t1", "value": {number}}}'), context)["statusCode"] == 200


def test_a_field_that_allows_inf_nan_keeps_its_choice(context: FakeContext) -> None:
    class Lenient(BaseModel):
        model_config = ConfigDict(allow_inf_nan=True)
        value: float

    class Mixed(BaseModel):
        strict: float = 0.0
        lenient: float = Field(default=0.0, allow_inf_nan=True)
        inner: Lenient | None = None

    handler = _api(Mixed)
    assert handler(apigw_v2('{"lenient": NaN, "inner": {"value": Infinity}}'), context)["statusCode"] == 200
    assert handler(apigw_v2('{"strict": NaN}'), context)["statusCode"] == 400


def test_hardening_does_not_change_the_model_itself() -> None:
    _api(Batch)
    assert Batch.model_validate_json('{"readings": [{"sensor": "t", "value": NaN}]}').readings[0].value != 0
    assert Batch.__pydantic_complete__ is True and Reading.__pydantic_complete__ is True


@pytest.mark.parametrize(
    "body",
    [
        '{"sensor": "t1", "value": 1, "value": 2}',
        '{"sensor": "t1", "value": 1, "sens\\u006fr": "t2"}',  # the same key, escaped
        '{"readings": [{"sensor": "a", "value": 1, "sensor": "b"}]}',
    ],
)
@pytest.mark.parametrize("envelope", ["api_gateway_http", "api_gateway_rest", "alb", "sqs", "sns"])
def test_duplicate_keys_are_refused(body: str, envelope: str, context: FakeContext) -> None:
    model: Any = Batch if "readings" in body else Reading
    result = validate_event
    with pytest.raises(InputRejected) as info:
        event: Any = {
            "api_gateway_http": apigw_v2,
            "api_gateway_rest": apigw_v1,
            "sqs": sqs_event,
            "sns": sns_event,
        }.get(envelope, lambda b: None)(body)
        if envelope == "alb":
            from runtime_events import alb_event

            event = alb_event(method="POST", body=body)
        result(event, model=model, envelope=envelope, context=context)  # type: ignore[arg-type]
    assert info.value.code == ErrorCode.MALFORMED_PAYLOAD
    assert info.value.fields == ({"path": "$", "type": "json_duplicate_key"},)


def test_duplicate_keys_opt_in(context: FakeContext) -> None:
    handler = _api(allow_duplicate_keys=True)
    assert handler(apigw_v2('{"sensor": "t1", "value": 1, "value": 2}'), context)["statusCode"] == 200
    sqs = secure_handler(lambda v, c: None, model=Reading, envelope="sqs", allow_duplicate_keys=True)
    assert sqs(sqs_event('{"sensor": "a", "sensor": "b", "value": 1}'), context) == {"batchItemFailures": []}


def test_sqs_duplicate_keys_fail_only_their_record(context: FakeContext) -> None:
    sqs = secure_handler(lambda v, c: None, model=Reading, envelope="sqs")
    good = '{"sensor": "a", "value": 1}'
    event = sqs_event(good, '{"sensor": "a", "sensor": "b", "value": 1}', good)
    assert sqs(event, context) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


# --- any exception while validating is a rejection -----------------------------------------------------


class Trap(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _lookup(cls, value: str) -> str:
        if value == "key":
            raise KeyError(f"no such customer {value!r} SECRET-INPUT")
        if value == "type":
            raise TypeError(f"bad {value} SECRET-INPUT")
        if value == "deep":
            raise RecursionError("SECRET-INPUT")
        return value


class TrapAfter(BaseModel):
    n: int

    @model_validator(mode="after")
    def _check(self) -> TrapAfter:
        if self.n == 13:
            raise LookupError(f"unlucky {self.n} SECRET-INPUT")
        return self


@pytest.mark.parametrize("value", ["key", "type", "deep"])
def test_validator_exception_is_a_400_not_a_502(
    value: str, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    called: list[Any] = []
    response = secure_handler(lambda v, c: called.append(v), model=Trap, envelope="api_gateway_http")(
        apigw_v2(json.dumps({"name": value})), context
    )
    assert called == [] and response["statusCode"] == 400
    assert json.loads(response["body"])["fields"] == [{"path": "$", "type": "validator_error"}]
    captured = stdout()
    assert "SECRET-INPUT" not in response["body"] and "SECRET-INPUT" not in captured.raw
    (log,) = captured.logs
    assert log["code"] == ErrorCode.VALIDATION_FAILED and log["errorType"] in {
        "KeyError",
        "TypeError",
        "RecursionError",
    }
    assert captured.metrics[0]["RejectedInput"] == 1


def test_validator_exception_fails_one_sqs_record_not_the_batch(
    context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    seen: list[int] = []
    handler = secure_handler(lambda v, c: seen.append(v.n), model=TrapAfter, envelope="sqs")
    result = handler(sqs_event('{"n": 1}', '{"n": 13}', '{"n": 2}'), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert seen == [1, 2]
    captured = stdout()
    assert "SECRET-INPUT" not in captured.raw and captured.logs[0]["errorType"] == "LookupError"


@pytest.mark.parametrize("envelope", ["sns", "eventbridge", "raw"])
def test_validator_exception_in_async_sources_raises_a_fixed_rejection(envelope: str, context: FakeContext) -> None:
    event: Any = {"sns": sns_event('{"n": 13}'), "eventbridge": eventbridge_event({"n": 13}), "raw": {"n": 13}}[
        envelope
    ]
    with pytest.raises(InputRejected) as info:
        secure_handler(lambda v, c: None, model=TrapAfter, envelope=envelope)(event, context)  # type: ignore[arg-type]
    assert "SECRET-INPUT" not in str(info.value) and info.value.__cause__ is None
    assert str(info.value).startswith(
        "VALIDATION_FAILED: The request payload failed validation. at $ (validator_error)"
    )


def test_validator_exception_in_a_request_part(context: FakeContext) -> None:
    handler = secure_handler(lambda r, c: None, query=Trap, envelope="api_gateway_rest")
    response = handler(rest_get(query={"name": ["key"]}), context)
    assert json.loads(response["body"])["fields"] == [{"path": "$", "type": "validator_error", "in": "query"}]


# --- bounded cost of rejecting a huge invalid payload --------------------------------------------------


@pytest.mark.slow
def test_rejecting_a_huge_invalid_body_costs_about_what_its_first_error_does(context: FakeContext) -> None:
    class Numbers(BaseModel):
        values: list[int]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid")
        n: int = 0

    handler = _api(Numbers, max_payload_bytes=1_048_576)
    huge = json.dumps({"values": ["x"] * 65_000})  # 65,000 errors without a bound
    event = apigw_v2(huge)
    response = handler(event, context)
    assert json.loads(response["body"])["fields"] == [{"path": "$.values[0]", "type": "int_type"}]

    def unbounded() -> None:  # pydantic alone: every one of the 65,000 errors built
        with pytest.raises(ValidationError):
            Numbers.model_validate_json(huge)

    def best_of_three(fn: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    assert best_of_three(lambda: handler(event, context)) < best_of_three(unbounded)

    extras = json.dumps({f"k{i}": 1 for i in range(30_000)})  # errors that cannot stop early
    response = _api(Strict, max_payload_bytes=1_048_576)(apigw_v2(extras), context)
    body = json.loads(response["body"])
    assert body["fields"] == [{"path": "$", "type": "too_many_errors"}] and body["fieldsTruncated"] is True


def test_error_paths_without_a_model_name_stay_anonymous_with_parts(context: FakeContext) -> None:
    response = _api(Order)(apigw_v2(json.dumps(order_payload(surprise="CANARY"))), context)
    assert "CANARY" not in response["body"] and "surprise" not in response["body"]
