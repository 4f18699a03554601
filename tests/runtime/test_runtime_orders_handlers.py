"""The example functions in stacks/handlers/ (Lambda handler names orders_api.handler, orders_consumer.handler)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orders_api
import orders_consumer
import pytest
from runtime_events import apigw_v2, sqs_event
from runtime_support import Captured, FakeContext

TOKEN = "tok_visa_0123456789abcdef"


def order(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": "ord_A1b2C3d4E5f6",
        "sku": "WIDGET-42",
        "quantity": 3,
        "unit_price_cents": 1999,
        "currency": "EUR",
        "payment_token": TOKEN,
    }
    body.update(overrides)
    return body


def call_api(body: dict[str, Any] | str, context: FakeContext) -> tuple[int, dict[str, Any]]:
    text = body if isinstance(body, str) else json.dumps(body)
    response = orders_api.handler(apigw_v2(text), context)
    return response["statusCode"], json.loads(response["body"])


def test_create_order(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    status, body = call_api(order(express_shipping=True, coupon_code="WINTER26"), context)
    assert status == 201
    assert body == {"orderId": "ord_A1b2C3d4E5f6", "status": "accepted", "totalCents": 5997, "currency": "EUR"}
    captured = stdout()
    assert TOKEN not in captured.raw  # the example logs the order redacted
    (line,) = captured.other
    assert json.loads(line)["order"]["payment_token"] == "**********"


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"order_id": "ord_short"}, [{"path": "$.order_id", "type": "string_pattern_mismatch"}]),
        ({"sku": "widget"}, [{"path": "$.sku", "type": "string_pattern_mismatch"}]),
        ({"quantity": 0}, [{"path": "$.quantity", "type": "greater_than_equal"}]),
        ({"quantity": 101}, [{"path": "$.quantity", "type": "less_than_equal"}]),
        ({"quantity": "3"}, [{"path": "$.quantity", "type": "int_type"}]),  # strict: no coercion
        ({"quantity": 3.0}, [{"path": "$.quantity", "type": "int_type"}]),
        ({"currency": "JPY"}, [{"path": "$.currency", "type": "enum"}]),
        ({"currency": "eur"}, [{"path": "$.currency", "type": "enum"}]),
        ({"express_shipping": 1}, [{"path": "$.express_shipping", "type": "bool_type"}]),
        ({"coupon_code": "x"}, [{"path": "$.coupon_code", "type": "string_pattern_mismatch"}]),
        ({"payment_token": "short"}, [{"path": "$.payment_token", "type": "too_short"}]),
        ({"admin": True}, [{"path": "$.*", "type": "extra_forbidden"}]),
        ({"quantity": 100, "unit_price_cents": 10_001}, [{"path": "$", "type": "order_total_too_high"}]),
        ({"quantity": 11, "express_shipping": True}, [{"path": "$", "type": "express_quantity_too_high"}]),
    ],
)
def test_create_order_rejections(
    overrides: dict[str, Any], fields: list[dict[str, str]], context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    status, body = call_api(order(**overrides), context)
    assert (status, body["error"], body["fields"]) == (400, "VALIDATION_FAILED", fields)
    captured = stdout()
    assert TOKEN not in captured.raw and captured.other == []  # the handler did not run
    assert captured.metrics[0]["RejectedInput"] == 1


def test_missing_fields_and_malformed_bodies(context: FakeContext) -> None:
    status, body = call_api({}, context)
    assert status == 400 and {f["path"] for f in body["fields"]} == {
        "$.order_id",
        "$.sku",
        "$.quantity",
        "$.unit_price_cents",
        "$.currency",
        "$.payment_token",
    }
    assert call_api("{", context)[1]["error"] == "MALFORMED_PAYLOAD"


def test_consumer_reports_only_bad_and_failed_records(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    good = {"order_id": "ord_A1b2C3d4E5f6", "sku": "WIDGET-42", "quantity": 2, "warehouse": "eu-west-1a"}
    event = sqs_event(
        json.dumps(good),
        json.dumps(good | {"warehouse": "mars-1"}),  # invalid
        json.dumps(good | {"sku": "OOS-7"}),  # valid, but the stock call fails
        json.dumps(good | {"quantity": 1}),
    )
    assert orders_consumer.handler(event, context) == {
        "batchItemFailures": [{"itemIdentifier": "msg-1"}, {"itemIdentifier": "msg-2"}]
    }
    captured = stdout()
    assert [json.loads(line)["quantity"] for line in captured.other] == [2, 1]
    assert [log["event"] for log in captured.logs] == ["input_rejected", "handler_error"]
    assert captured.logs[1]["errorType"] == "StockUnavailable"


def test_consumer_handler_seam_can_be_replaced(monkeypatch: pytest.MonkeyPatch, context: FakeContext) -> None:
    seen: list[str] = []
    monkeypatch.setattr(orders_consumer, "reserve_stock", lambda o: seen.append(o.order_id))
    good = {"order_id": "ord_A1b2C3d4E5f6", "sku": "WIDGET-42", "quantity": 2, "warehouse": "us-east-1a"}
    assert orders_consumer.handler(sqs_event(json.dumps(good)), context) == {"batchItemFailures": []}
    assert seen == ["ord_A1b2C3d4E5f6"]


def test_handler_names_match_the_deployment() -> None:
    # The Pulumi program points Lambda at "orders_api.handler" and "orders_consumer.handler".
    for module in (orders_api, orders_consumer):
        assert callable(module.handler) and module.handler.__name__ == "handler"
        assert module.handler.__wrapped__ is not None
