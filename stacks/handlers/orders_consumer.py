"""Example function: an SQS consumer that reserves stock for placed orders.

Lambda handler name: ``orders_consumer.handler``. Each record is validated on its own; invalid records
and records whose processing fails are returned in ``batchItemFailures`` so that only they are retried
(and end up in the queue's dead-letter queue), which needs ``ReportBatchItemFailures`` on the event
source mapping.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from secure_serverless.runtime import Envelope, secure_handler


class OrderPlaced(BaseModel):
    """The message the orders API publishes for every accepted order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: Annotated[str, Field(pattern=r"^ord_[0-9A-Za-z]{12}$")]
    sku: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
    quantity: Annotated[int, Field(ge=1, le=100)]
    warehouse: Literal["eu-west-1a", "us-east-1a"]


class StockUnavailable(Exception):
    """The warehouse cannot reserve the requested quantity (the record is retried later)."""


def reserve_stock(order: OrderPlaced) -> None:
    """Stand-in for the warehouse call."""
    if order.sku.startswith("OOS-"):
        raise StockUnavailable(f"no stock for {order.sku}")
    print(json.dumps({"event": "stock_reserved", "orderId": order.order_id, "quantity": order.quantity}))


@secure_handler(model=OrderPlaced, envelope=Envelope.SQS)
def handler(order: OrderPlaced, context: Any) -> None:
    reserve_stock(order)
