"""Models shared by the runtime tests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_core import PydanticCustomError


class Currency(StrEnum):
    EUR = "EUR"
    USD = "USD"


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Annotated[str, Field(pattern=r"^[A-Z]{3}-\d{3}$")]
    quantity: Annotated[int, Field(ge=1, le=10)]


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holder: str
    number: Annotated[str, Field(json_schema_extra={"secret": True}, min_length=12, max_length=19)]


class Order(BaseModel):
    """Types, lengths, formats, an enum, nesting, secrets and a cross-field rule."""

    model_config = ConfigDict(extra="forbid")
    order_id: Annotated[str, Field(pattern=r"^ord_[a-z0-9]{6}$")]
    customer: Annotated[str, Field(min_length=1, max_length=40)]
    currency: Currency
    lines: Annotated[list[Line], Field(min_length=1, max_length=5)]
    placed_at: datetime
    trace: UUID | None = None
    api_key: SecretStr | None = None
    card: Card | None = None
    express: bool = False

    @model_validator(mode="after")
    def _express_small(self) -> Order:
        if self.express and sum(line.quantity for line in self.lines) > 5:
            raise PydanticCustomError("express_too_big", "express orders hold at most 5 items")
        return self


def order_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "order_id": "ord_abc123",
        "customer": "Ann",
        "currency": "EUR",
        "lines": [{"sku": "ABC-123", "quantity": 2}],
        "placed_at": "2026-11-29T01:00:00Z",
    }
    payload.update(overrides)
    return payload


#: Every name the Order schema declares: the only names an error path may contain.
ORDER_NAMES = frozenset(set(Order.model_fields) | set(Line.model_fields) | set(Card.model_fields))
