"""Strict envelopes: each envelope accepts its own source's events only (ALB, WebSocket and VPC Lattice
events look like API Gateway events; a DynamoDB stream looks like SQS), and ALB is an envelope of its own
with the load balancer's response format."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from runtime_events import (
    alb_event,
    apigw_v1,
    apigw_v2,
    dynamodb_stream_event,
    eventbridge_event,
    http_get,
    lattice_v1,
    lattice_v2,
    rest_get,
    sns_event,
    sqs_event,
    sqs_fifo_with_attributes,
    websocket_connect,
    websocket_message,
)
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, secure_handler, validate_event

BODY = json.dumps(order_payload())
HTTP_ENVELOPES = ["api_gateway_rest", "api_gateway_http", "alb"]

#: (name, event, the one HTTP envelope it belongs to or None)
HTTP_LOOKALIKES: list[tuple[str, dict[str, Any], str | None]] = [
    ("REST API", apigw_v1(BODY), "api_gateway_rest"),
    ("REST API GET with authorizer", rest_get(body=BODY), "api_gateway_rest"),
    ("HTTP API", apigw_v2(BODY), "api_gateway_http"),
    ("HTTP API GET with JWT authorizer", http_get(body=BODY), "api_gateway_http"),
    ("ALB", alb_event(method="POST", body=BODY), "alb"),
    ("ALB multi-value", alb_event(method="POST", body=BODY, multi_value=True), "alb"),
    ("WebSocket MESSAGE", websocket_message(BODY), None),
    ("WebSocket $connect", websocket_connect() | {"body": BODY}, None),
    ("VPC Lattice v1", lattice_v1(BODY), None),
    ("VPC Lattice v2", lattice_v2(BODY), None),
    ("SQS", sqs_event(BODY), None),
    ("EventBridge", eventbridge_event(order_payload()), None),
]


@pytest.mark.parametrize("envelope", HTTP_ENVELOPES)
@pytest.mark.parametrize(("name", "event", "owner"), HTTP_LOOKALIKES, ids=[c[0] for c in HTTP_LOOKALIKES])
def test_http_envelopes_accept_only_their_own_source(
    envelope: str, name: str, event: dict[str, Any], owner: str | None, context: FakeContext
) -> None:
    handler = secure_handler(lambda o, c: {"statusCode": 201, "body": "ok"}, model=Order, envelope=envelope)  # type: ignore[arg-type]
    response = handler(json.loads(json.dumps(event)), context)
    if envelope == owner:
        assert response["statusCode"] == 201, name
    else:
        assert response["statusCode"] == 400, name
        assert json.loads(response["body"])["error"] == ErrorCode.INVALID_ENVELOPE


def test_websocket_event_with_an_http_method_is_still_not_rest(context: FakeContext) -> None:
    """Even a look-alike carrying ``httpMethod`` is told apart by its WebSocket request context."""
    event = websocket_message(BODY) | {"httpMethod": "POST"}
    with pytest.raises(InputRejected) as info:
        validate_event(event, model=Order, envelope="api_gateway_rest", context=context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE


def test_sqs_checks_the_event_source(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    handler = secure_handler(lambda o, c: None, model=Order, envelope="sqs")
    with pytest.raises(InputRejected) as info:
        handler(dynamodb_stream_event(), context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE
    mixed = sqs_event(BODY, BODY)
    mixed["Records"][1]["eventSource"] = "aws:kinesis"
    with pytest.raises(InputRejected):
        handler(mixed, context)
    assert [log["code"] for log in stdout().logs] == [ErrorCode.INVALID_ENVELOPE] * 2


def test_sqs_fifo_batch_with_message_attributes(context: FakeContext) -> None:
    seen: list[Any] = []
    handler = secure_handler(
        lambda o, c, r: seen.append(r["attributes"]["MessageGroupId"]), model=Order, envelope="sqs", pass_event=True
    )
    event = sqs_fifo_with_attributes(BODY, "{}", BODY)
    assert handler(event, context) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}, {"itemIdentifier": "msg-2"}]}
    assert seen == ["g1"]


@pytest.mark.parametrize(
    "event",
    [
        sqs_event(BODY),  # an SQS record is not an SNS record
        {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": 1}}]},
        {"Records": [{"EventSource": "aws:s3", "Sns": {"Message": BODY}}]},
    ],
)
def test_sns_checks_the_event_source(event: dict[str, Any], context: FakeContext) -> None:
    handler = secure_handler(lambda o, c: None, model=Order, envelope="sns")
    with pytest.raises(InputRejected) as info:
        handler(event, context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE


def test_sns_message_attributes_reach_the_handler_with_pass_event(context: FakeContext) -> None:
    handler = secure_handler(
        lambda o, c, r: r["Sns"]["MessageAttributes"]["tenant"]["Value"], model=Order, envelope="sns", pass_event=True
    )
    assert handler(sns_event(BODY), context) == ["acme"]


@pytest.mark.parametrize(
    "event",
    [
        {"detail": order_payload()},  # no detail-type or source
        eventbridge_event(order_payload()) | {"source": None},
        sqs_event(BODY),
    ],
)
def test_eventbridge_needs_its_envelope(event: dict[str, Any], context: FakeContext) -> None:
    with pytest.raises(InputRejected) as info:
        secure_handler(lambda o, c: None, model=Order, envelope="eventbridge")(event, context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE


# --- ALB responses -------------------------------------------------------------------------------------


@pytest.mark.parametrize("multi_value", [False, True])
def test_alb_responses_use_the_load_balancers_format(multi_value: bool, context: FakeContext) -> None:
    handler = secure_handler(lambda o, c: {"id": o.order_id}, model=Order, envelope="alb")
    ok = handler(alb_event(method="POST", body=BODY, multi_value=multi_value), context)
    assert ok["statusCode"] == 200 and ok["statusDescription"] == "200 OK" and ok["isBase64Encoded"] is False
    assert json.loads(ok["body"]) == {"id": "ord_abc123"}
    bad = handler(alb_event(method="POST", body="{}", multi_value=multi_value), context)
    assert bad["statusCode"] == 400 and bad["statusDescription"] == "400 Bad Request"
    headers_key = "multiValueHeaders" if multi_value else "headers"
    other_key = "headers" if multi_value else "multiValueHeaders"
    assert other_key not in bad  # with multi-value headers on, the load balancer reads only that form
    content_type = bad[headers_key]["Content-Type"]
    assert content_type == (["application/json"] if multi_value else "application/json")


def test_alb_base64_body_and_handler_error(context: FakeContext) -> None:
    def fail(order: Order, ctx: Any) -> None:
        raise RuntimeError("boom")

    assert (
        secure_handler(lambda o, c: None, model=Order, envelope="alb")(
            alb_event(method="POST", body=BODY, b64=True), context
        )["statusCode"]
        == 204
    )
    error = secure_handler(fail, model=Order, envelope="alb")(alb_event(method="POST", body=BODY), context)
    assert error["statusCode"] == 500 and error["statusDescription"] == "500 Internal Server Error"


def test_alb_handler_response_passes_through(context: FakeContext) -> None:
    mine = {"statusCode": 302, "statusDescription": "302 Found", "headers": {"Location": "/x"}, "body": ""}
    handler = secure_handler(lambda o, c: mine, model=Order, envelope="alb")
    assert handler(alb_event(method="POST", body=BODY), context) is mine
