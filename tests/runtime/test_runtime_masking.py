"""Secrets: values of fields marked secret never reach logs, responses or re-raised exceptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, SecretBytes, SecretStr
from runtime_events import apigw_v2, sqs_event
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import MASK, redact, secure_handler
from secure_serverless.runtime._secrets import WITHHELD, scrub, secret_values

API_KEY = "sk_live_4f9a8b7c6d5e"
CARD = "4111111111111111"


def _order(**extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"api_key": API_KEY, "card": {"holder": "Ann", "number": CARD}}
    return order_payload(**(fields | extra))


def test_secret_values_finds_secretstr_and_marked_fields_in_nested_models() -> None:
    order = Order.model_validate_json(json.dumps(_order()), strict=True)
    assert set(secret_values(order)) == {API_KEY, CARD}


def test_secret_values_in_containers_and_plain_types() -> None:
    class Vault(BaseModel):
        keys: list[SecretStr]
        blob: SecretBytes
        by_name: dict[str, SecretStr]
        pin: Annotated[int, Field(json_schema_extra={"secret": True})]
        notes: Annotated[list[str], Field(json_schema_extra={"secret": True})]
        public: str

    vault = Vault(
        keys=["alpha-key-1", "beta-key-22"],
        blob=b"bytes-secret",
        by_name={"x": "dict-secret"},
        pin=98765,
        notes=["note-one", "note-two"],
        public="visible",
    )
    assert set(secret_values(vault)) == {
        "alpha-key-1",
        "beta-key-22",
        "bytes-secret",
        "dict-secret",
        "98765",
        "note-one",
        "note-two",
    }


def test_scrub_replaces_longest_first_and_withholds_short_secrets() -> None:
    assert scrub("token=abcdefgh suffix", ["abcdefgh", "abcd"]) == f"token={MASK} suffix"
    assert scrub("pin is 123", ["123"]) == WITHHELD
    assert scrub("nothing here", ["abcdef"]) == "nothing here"


def test_redact_masks_every_secret_field() -> None:
    order = Order.model_validate_json(json.dumps(_order()), strict=True)
    redacted = redact(order)
    assert redacted["api_key"] == MASK and redacted["card"] == {"holder": "Ann", "number": MASK}
    assert redacted["lines"] == [{"sku": "ABC-123", "quantity": 2}]
    text = json.dumps(redacted)
    assert API_KEY not in text and CARD not in text
    assert redact([order, {"k": SecretStr("zzz")}])[1] == {"k": MASK}


@pytest.mark.parametrize("message", ["charge failed for card {card}", "auth {key} refused", "{key}/{card}"])
def test_api_handler_error_log_masks_secrets(
    message: str, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    def fn(order: Order, ctx: Any) -> None:
        assert order.api_key is not None and order.card is not None
        raise RuntimeError(message.format(card=order.card.number, key=order.api_key.get_secret_value()))

    response = secure_handler(fn, model=Order, envelope="api_gateway_http")(apigw_v2(json.dumps(_order())), context)
    assert response["statusCode"] == 500
    captured = stdout()
    assert API_KEY not in captured.raw and CARD not in captured.raw
    assert MASK in captured.logs[0]["errorMessage"]


def test_reraised_async_exception_is_scrubbed(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    def fn(order: Order, ctx: Any) -> None:
        assert order.api_key is not None
        raise ValueError(f"upstream rejected key {order.api_key.get_secret_value()}")

    with pytest.raises(ValueError) as info:
        secure_handler(fn, model=Order)(_order(), context)
    assert API_KEY not in str(info.value) and MASK in str(info.value)
    assert API_KEY not in stdout().raw


def test_rejections_never_log_secret_values(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    # The card number is too long -> rejected; neither it nor the API key may appear anywhere.
    bad = _order(card={"holder": "Ann", "number": CARD * 2})
    result = secure_handler(lambda o, c: None, model=Order, envelope="sqs")(sqs_event(json.dumps(bad)), context)
    assert result["batchItemFailures"] == [{"itemIdentifier": "msg-0"}]
    captured = stdout()
    assert CARD not in captured.raw and API_KEY not in captured.raw
    assert captured.logs[0]["fields"] == [{"path": "$.card.number", "type": "string_too_long"}]
