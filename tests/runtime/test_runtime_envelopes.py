"""Every envelope: the happy path, what the handler receives, and envelope-shape errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from runtime_events import apigw_v1, apigw_v2, eventbridge_event, sns_event, sqs_event
from runtime_models import Currency, Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import Envelope, ErrorCode, InputRejected, secure_handler, validate_event

BODY = json.dumps(order_payload())


def _recorder() -> tuple[list[Any], Callable[..., Any]]:
    seen: list[Any] = []

    def fn(*args: Any) -> Any:
        seen.append(args)
        return {"statusCode": 201, "body": "created"}

    return seen, fn


@pytest.mark.parametrize(("envelope", "factory"), [("api_gateway_http", apigw_v2), ("api_gateway_rest", apigw_v1)])
def test_api_gateway_valid_body_reaches_handler_as_model(
    envelope: Any, factory: Callable[..., dict[str, Any]], context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope=envelope)
    response = handler(factory(BODY), context)
    assert response == {"statusCode": 201, "body": "created"}
    ((order, ctx),) = seen
    assert isinstance(order, Order) and ctx is context
    assert order.currency is Currency.EUR  # JSON strict mode still accepts enum values ...
    assert order.placed_at == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # ... and ISO datetimes
    captured = stdout()
    assert captured.logs == [] and captured.metrics == []  # the happy path writes nothing


@pytest.mark.parametrize("factory", [apigw_v2, apigw_v1])
def test_api_gateway_base64_body_is_decoded(factory: Callable[..., dict[str, Any]], context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(
        fn, model=Order, envelope="api_gateway_http" if factory is apigw_v2 else "api_gateway_rest"
    )
    assert handler(factory(BODY, b64=True), context)["statusCode"] == 201
    assert seen[0][0].order_id == "ord_abc123"


def test_api_gateway_pass_event_gives_the_whole_event(context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope=Envelope.API_GATEWAY_HTTP, pass_event=True)
    event = apigw_v2(BODY)
    handler(event, context)
    assert seen[0][2] is event


def test_api_gateway_result_shapes(context: FakeContext) -> None:
    class Out(Order):
        pass

    results: list[Any] = [None, {"ok": True}, Order.model_validate_json(BODY, strict=True)]
    handler = secure_handler(lambda order, ctx: results.pop(0), model=Order, envelope="api_gateway_http")
    empty = handler(apigw_v2(BODY), context)
    assert empty["statusCode"] == 204 and "body" not in empty
    plain = handler(apigw_v2(BODY), context)
    assert plain["statusCode"] == 200 and json.loads(plain["body"]) == {"ok": True}
    assert plain["headers"]["Content-Type"] == "application/json"
    model = handler(apigw_v2(BODY), context)
    assert json.loads(model["body"])["order_id"] == "ord_abc123"


@pytest.mark.parametrize(
    ("envelope", "event"),
    [
        ("api_gateway_http", apigw_v1(BODY)),  # a REST (1.0) event sent to an HTTP API (2.0) handler
        ("api_gateway_rest", apigw_v2(BODY)),
        ("api_gateway_http", {"body": BODY}),
        ("api_gateway_http", ["not", "an", "event"]),
        ("api_gateway_http", {**apigw_v2(BODY), "requestContext": "x"}),
    ],
)
def test_api_gateway_wrong_envelope_is_a_400(
    envelope: Any, event: Any, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    seen, fn = _recorder()
    response = secure_handler(fn, model=Order, envelope=envelope)(event, context)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"] == ErrorCode.INVALID_ENVELOPE
    assert seen == []
    assert stdout().logs[0]["code"] == ErrorCode.INVALID_ENVELOPE


def test_sqs_all_valid_reports_no_failures(context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope="sqs", pass_event=True)
    event = sqs_event(BODY, json.dumps(order_payload(order_id="ord_zzz999")))
    assert handler(event, context) == {"batchItemFailures": []}
    assert [args[0].order_id for args in seen] == ["ord_abc123", "ord_zzz999"]
    assert [args[2] for args in seen] == event["Records"]  # pass_event gives the record


def test_sqs_partial_batch_failure_names_invalid_and_failing_records(
    context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    def fn(order: Order, ctx: Any) -> None:
        if order.customer == "boom":
            raise RuntimeError("downstream unavailable")

    handler = secure_handler(fn, model=Order, envelope="sqs")
    event = sqs_event(
        BODY,
        json.dumps(order_payload(currency="XXX")),  # invalid
        "{not json",  # malformed
        json.dumps(order_payload(customer="boom")),  # handler raises
        BODY,
    )
    result = handler(event, context)
    assert result == {"batchItemFailures": [{"itemIdentifier": f"msg-{i}"} for i in (1, 2, 3)]}
    captured = stdout()
    assert [(log["event"], log["correlationId"]) for log in captured.logs] == [
        ("input_rejected", "msg-1"),
        ("input_rejected", "msg-2"),
        ("handler_error", "msg-3"),
    ]
    counts = {name: doc[name] for doc in captured.metrics for name in ("RejectedInput", "HandlerError") if name in doc}
    assert counts == {"RejectedInput": 2, "HandlerError": 1}


def test_sqs_fifo_fails_every_record_after_the_first_failure(context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope="sqs")
    event = sqs_event(BODY, "{}", BODY, BODY, fifo=True)
    result = handler(event, context)
    assert result == {"batchItemFailures": [{"itemIdentifier": f"msg-{i}"} for i in (1, 2, 3)]}
    assert len(seen) == 1  # records after the failure were not processed out of order


@pytest.mark.parametrize(
    "event",
    [
        {"Records": "nope"},
        {"Records": []},
        {"Records": [{"body": BODY}]},  # no messageId: no partial answer possible
        {"Records": [{"messageId": "", "body": BODY}]},
        "not an event",
    ],
)
def test_sqs_unusable_envelope_fails_the_whole_batch(
    event: Any, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    seen, fn = _recorder()
    with pytest.raises(InputRejected) as info:
        secure_handler(fn, model=Order, envelope="sqs")(event, context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE
    assert seen == []
    assert stdout().metrics[0]["RejectedInput"] == 1


def test_sqs_record_with_non_string_body_is_rejected_alone(context: FakeContext) -> None:
    seen, fn = _recorder()
    event = sqs_event(BODY, BODY)
    event["Records"][0]["body"] = {"already": "decoded"}
    result = secure_handler(fn, model=Order, envelope="sqs")(event, context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    assert len(seen) == 1


def test_sns_each_record_reaches_handler(context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope="sns", pass_event=True)
    event = sns_event(BODY, BODY)
    results = handler(event, context)
    assert len(results) == 2 and len(seen) == 2
    assert seen[1][2] is event["Records"][1]


def test_sns_rejection_raises_before_any_record_is_processed(
    context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope="sns")
    with pytest.raises(InputRejected) as info:
        handler(sns_event(BODY, json.dumps(order_payload(lines=[]))), context)
    assert seen == []
    assert info.value.correlation_id == "sns-1"
    assert info.value.fields == ({"path": "$.lines", "type": "too_short"},)
    assert stdout().metrics[0]["RejectedInput"] == 1


@pytest.mark.parametrize("event", [{"Records": [{"Sns": {"Message": {"a": 1}}}]}, {"Records": [{"nope": 1}]}, {}])
def test_sns_wrong_envelope(event: Any, context: FakeContext) -> None:
    with pytest.raises(InputRejected) as info:
        secure_handler(lambda o, c: None, model=Order, envelope="sns")(event, context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE


def test_eventbridge_detail_is_validated_with_json_semantics(context: FakeContext) -> None:
    seen, fn = _recorder()
    handler = secure_handler(fn, model=Order, envelope=Envelope.EVENTBRIDGE, pass_event=True)
    event = eventbridge_event(order_payload())
    handler(event, context)
    order = seen[0][0]
    assert order.currency is Currency.EUR and order.placed_at.year == 2026  # str -> enum/datetime as JSON
    assert seen[0][2] is event


def test_eventbridge_strictness_is_json_strictness(context: FakeContext) -> None:
    handler = secure_handler(lambda o, c: None, model=Order, envelope="eventbridge")
    with pytest.raises(InputRejected) as info:
        handler(eventbridge_event(order_payload(lines=[{"sku": "ABC-123", "quantity": "2"}])), context)
    assert info.value.fields == ({"path": "$.lines[0].quantity", "type": "int_type"},)
    assert info.value.correlation_id == "eb-6a7e8feb"


@pytest.mark.parametrize("event", [{"detail": {}}, {"detail-type": "x"}, "str", None])
def test_eventbridge_wrong_envelope(event: Any, context: FakeContext) -> None:
    with pytest.raises(InputRejected) as info:
        secure_handler(lambda o, c: None, model=Order, envelope="eventbridge")(event, context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE


def test_raw_event_is_the_payload(context: FakeContext) -> None:
    handler = secure_handler(model=Order)(lambda order, ctx: order.order_id)
    assert handler(order_payload(), context) == "ord_abc123"
    with pytest.raises(InputRejected):
        handler({"order_id": 1}, context)


def test_model_may_be_any_type_adapter_type(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: v, model=list[int], envelope="sqs")
    assert handler(sqs_event("[1, 2]", '["1"]'), context) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


# --- function form -------------------------------------------------------------------------------------


def test_validate_event_for_every_envelope(context: FakeContext) -> None:
    assert validate_event(apigw_v2(BODY), model=Order, envelope="api_gateway_http").order_id == "ord_abc123"
    assert validate_event(apigw_v1(BODY, b64=True), model=Order, envelope="api_gateway_rest").customer == "Ann"
    assert [o.order_id for o in validate_event(sqs_event(BODY, BODY), model=Order, envelope="sqs")] == [
        "ord_abc123"
    ] * 2
    assert len(validate_event(sns_event(BODY), model=Order, envelope="sns")) == 1
    assert (
        validate_event(eventbridge_event(order_payload()), model=Order, envelope="eventbridge").lines[0].quantity == 2
    )
    assert validate_event(order_payload(), model=Order, context=context).currency is Currency.EUR


def test_validate_event_rejection_gives_the_api_response(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    with pytest.raises(InputRejected) as info:
        validate_event(apigw_v2('{"order_id": 5}'), model=Order, envelope="api_gateway_http", context=context)
    response = info.value.to_response()
    assert response["statusCode"] == 400
    body = json.loads(response["body"])
    assert body["error"] == ErrorCode.VALIDATION_FAILED
    assert body["correlationId"] == "JKJaXmPLvHcESHA="
    captured = stdout()
    assert captured.logs[0]["requestId"] == context.aws_request_id
    assert captured.metrics[0]["RejectedInput"] == 1


def test_validate_event_batch_rejects_if_any_record_is_invalid(stdout: Callable[[], Captured]) -> None:
    with pytest.raises(InputRejected) as info:
        validate_event(sqs_event(BODY, "[]", "{}"), model=Order, envelope="sqs")
    assert info.value.correlation_id == "msg-1"
    captured = stdout()
    assert len(captured.logs) == 2 and captured.metrics[0]["RejectedInput"] == 2
    with pytest.raises(InputRejected):
        validate_event({"Records": 1}, model=Order, envelope="sqs")


def test_unknown_envelope_is_refused_at_decoration() -> None:
    with pytest.raises(ValueError, match="envelope must be one of"):
        secure_handler(lambda o, c: None, model=Order, envelope="kinesis")  # type: ignore[call-overload]


def test_wrapper_keeps_the_handler_name() -> None:
    def handler(order: Order, context: Any) -> None: ...

    assert secure_handler(handler, model=Order).__name__ == "handler"
