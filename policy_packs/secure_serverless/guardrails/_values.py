"""Plain views of resource properties, with values unknown during preview made explicit.

pulumi_policy hands validators a proxy that raises ``UnknownValueError`` on access to a value that is
unknown during preview. Rules need to reason about unknowns (a key ARN that will exist is "set"; a
retention that is not known yet cannot be judged), so properties are first copied into plain dicts and
lists in which every unknown value is the :data:`UNKNOWN` marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class _Unknown:
    """The marker for a value that is unknown during preview."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown during preview>"

    def __bool__(self) -> bool:
        # Truthiness of an unknown is a bug waiting to happen: force explicit checks.
        raise TypeError("test unknown values with is_unknown()")


UNKNOWN: Final = _Unknown()


def is_unknown(value: object) -> bool:
    """True for the :data:`UNKNOWN` marker (and for a raw engine sentinel string)."""
    return value is UNKNOWN or (isinstance(value, str) and value in SENTINELS)


def plain(value: Any, depth: int = 0) -> Any:
    """Copy ``value`` (a pulumi_policy proxy or plain data) into plain data with UNKNOWN markers."""
    if depth > 64:  # pathological nesting: stop rather than recurse without end
        return None
    if isinstance(value, str):
        return UNKNOWN if value in SENTINELS else value
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key in list(value):
            try:
                item = value[key]
            except UnknownValueError:
                out[key] = UNKNOWN
                continue
            except Exception:  # a broken mapping entry: treat as absent
                continue
            out[key] = plain(item, depth + 1)
        return out
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            except Exception:
                continue
            items.append(plain(item, depth + 1))
        return items
    return value


def get(value: Any, *path: str) -> Any:
    """Follow ``path`` through nested dicts: UNKNOWN if a step is unknown, None if a step is missing."""
    current = value
    for key in path:
        if is_unknown(current):
            return UNKNOWN
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return UNKNOWN if is_unknown(current) else current


def first(value: Any) -> Any:
    """The first element of a one-element list (the shape of many nested AWS blocks), else the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def is_set(value: Any) -> bool | None:
    """Whether a property holds a value: True, False, or None when unknown during preview.

    A value that is unknown during preview is computed from another resource's output and will
    be set when the update runs, so callers that only need presence may treat None as set.
    """
    if is_unknown(value):
        return None
    if value is None:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


def as_number(value: Any) -> float | None:
    """A known number (numbers arrive as floats; numeric strings are accepted), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value not in SENTINELS:
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    """A known boolean ("true"/"false" strings accepted), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def string_list(value: Any) -> list[Any]:
    """A string or list as a list (elements may be UNKNOWN); anything else as an empty list."""
    if is_unknown(value):
        return [UNKNOWN]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) or is_unknown(v)]
    return []
