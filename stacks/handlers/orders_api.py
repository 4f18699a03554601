"""Example function: create an order through an API Gateway HTTP API (payload format 2.0).

Lambda handler name: ``orders_api.handler``. Every request body is validated by
:func:`secure_serverless.runtime.secure_handler` before :func:`handler` runs; invalid bodies get a 400
with a stable error code and the failing field paths, and count towards the ``RejectedInput`` alarm.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_core import PydanticCustomError

from secure_serverless.runtime import Envelope, redact, secure_handler

#: Largest order this endpoint accepts, in minor units of the order's currency.
MAX_ORDER_TOTAL_CENTS = 1_000_000
#: Express shipping is only offered for small orders.
MAX_EXPRESS_QUANTITY = 10


class Currency(StrEnum):
    EUR = "EUR"
    USD = "USD"
    GBP = "GBP"


class CreateOrder(BaseModel):
    """The body of ``POST /orders``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: Annotated[str, Field(pattern=r"^ord_[0-9A-Za-z]{12}$", description="Client-generated id.")]
    sku: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
    quantity: Annotated[int, Field(ge=1, le=100)]
    unit_price_cents: Annotated[int, Field(ge=1, le=MAX_ORDER_TOTAL_CENTS)]
    currency: Currency
    express_shipping: bool = False
    coupon_code: Annotated[str | None, Field(pattern=r"^[A-Z0-9]{6,12}$")] = None
    payment_token: Annotated[SecretStr, Field(min_length=16, max_length=128)]

    @model_validator(mode="after")
    def _cross_field_rules(self) -> CreateOrder:
        if self.quantity * self.unit_price_cents > MAX_ORDER_TOTAL_CENTS:
            # A custom error type is a stable code the client sees (never the values).
            raise PydanticCustomError("order_total_too_high", "the order total exceeds the limit")
        if self.express_shipping and self.quantity > MAX_EXPRESS_QUANTITY:
            raise PydanticCustomError("express_quantity_too_high", "express shipping is limited")
        return self


def place_order(order: CreateOrder) -> dict[str, Any]:
    """Stand-in for the real work (payment, persistence): logs the order with secrets masked."""
    print(json.dumps({"event": "order_created", "order": redact(order)}))
    return {
        "orderId": order.order_id,
        "status": "accepted",
        "totalCents": order.quantity * order.unit_price_cents,
        "currency": order.currency.value,
    }


@secure_handler(model=CreateOrder, envelope=Envelope.API_GATEWAY_HTTP)
def handler(order: CreateOrder, context: Any) -> dict[str, Any]:
    receipt = place_order(order)
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(receipt),
    }
