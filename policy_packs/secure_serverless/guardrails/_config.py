"""Policy configuration: JSON schemas with defaults, and typed, crash-proof reads.

The engine validates user config against each policy's schema and fills in schema defaults; the
reads below fall back to the schema default as well, so a policy called with no config, or with a
wrong-typed value (in-process callers skip validation), still behaves as documented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from guardrails.contract.waivers import MIN_REASON_LENGTH

JsonSchema = dict[str, Any]

WAIVER_ITEM_SCHEMA: JsonSchema = {
    "type": "object",
    "description": "A waiver for this policy on one resource.",
    "properties": {
        "policy": {"type": "string", "description": "This policy's name (optional here)."},
        "resource": {
            "type": "string",
            "description": "URN of the waived resource, or its name when it is not a component's child.",
        },
        "type": {"type": "string", "description": "Type token narrowing a name, e.g. aws:iam/role:Role."},
        "reason": {
            "type": "string",
            "minLength": MIN_REASON_LENGTH,
            "description": f"Why (at least {MIN_REASON_LENGTH} characters).",
        },
        "expires": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "ISO date (YYYY-MM-DD), at most one year ahead.",
        },
    },
    "required": ["resource", "reason", "expires"],
    "additionalProperties": False,
}


def common_properties(waivable: bool) -> dict[str, JsonSchema]:
    """The config keys every guardrail policy has: pack-config waivers and whether waivers count."""
    return {
        "waivers": {
            "type": "array",
            "items": WAIVER_ITEM_SCHEMA,
            "default": [],
            "description": "Waivers declared in pack config: {resource, type?, reason, expires}.",
        },
        "waivable": {
            "type": "boolean",
            "default": waivable,
            "description": "Whether waivers are honoured for this policy (false: the non-waivable list).",
        },
    }


def string_array(default: list[str], description: str) -> JsonSchema:
    """Schema of a list of strings with a default."""
    return {"type": "array", "items": {"type": "string"}, "default": list(default), "description": description}


def integer(default: int, description: str, minimum: int | None = None) -> JsonSchema:
    """Schema of an integer with a default (and optional minimum)."""
    schema: JsonSchema = {"type": "integer", "default": default, "description": description}
    if minimum is not None:
        schema["minimum"] = minimum
    return schema


def boolean(default: bool, description: str) -> JsonSchema:
    """Schema of a boolean with a default."""
    return {"type": "boolean", "default": default, "description": description}


def string(default: str, description: str) -> JsonSchema:
    """Schema of a string with a default."""
    return {"type": "string", "default": default, "description": description}


class Config:
    """A policy's effective config: user values where well-typed, schema defaults otherwise."""

    def __init__(self, raw: Mapping[str, Any] | None, schema: Mapping[str, JsonSchema]) -> None:
        self._raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        self._schema = schema

    def _default(self, key: str) -> Any:
        return self._schema.get(key, {}).get("default")

    def _value(self, key: str) -> Any:
        try:
            return self._raw[key] if key in self._raw else self._default(key)
        except Exception:
            return self._default(key)

    def integer(self, key: str) -> int:
        value = self._value(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            value = self._default(key)  # the engine validates config first; NaN and infinity never reach it
        return int(value)

    def boolean(self, key: str) -> bool:
        value = self._value(key)
        if not isinstance(value, bool):
            value = self._default(key)
        return bool(value)

    def string(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            value = self._default(key)
        return str(value or "")

    def strings(self, key: str) -> list[str]:
        value = self._value(key)
        if isinstance(value, str):
            return [value]
        try:
            items = list(value)
        except TypeError:
            items = list(self._default(key) or [])
        return [item for item in items if isinstance(item, str)]

    def objects(self, key: str) -> list[Mapping[str, Any]]:
        value = self._value(key)
        try:
            items = list(value) if not isinstance(value, str | bytes) else []
        except TypeError:
            items = []
        return [item for item in items if isinstance(item, Mapping)]


def minimum_entropy_millibits() -> JsonSchema:
    """The credential detector's entropy threshold, as the rules that look for credentials configure it."""
    return integer(
        3500,
        "Shannon entropy (millibits per character) from which a token under a name that mentions a secret "
        "(CLIENT_SECRET_ID, STRIPE_KEY) counts as random (hex tokens: 500 less).",
        minimum=0,
    )
