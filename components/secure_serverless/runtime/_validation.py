"""Compiled validators, and what their errors may reveal: codes and field paths built only from the
names the model declares, never input values.

``pydantic`` itself (``TypeAdapter``) is imported when the first validator is built, at decoration time,
by which time the function's own models have loaded it anyway: importing the helper stays cheap.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final

from pydantic_core import SchemaValidator, ValidationError

from secure_serverless.runtime._errors import ErrorCode, InputRejected

#: At most this many failing fields are logged for one rejection.
MAX_LOGGED_FIELDS: Final = 50
_MALFORMED_TYPES: Final = frozenset({"json_invalid", "string_unicode", "json_type"})

_VALIDATORS: dict[Any, tuple[SchemaValidator, Any]] = {}


def validator_for(model: Any) -> tuple[SchemaValidator, Any]:
    """The compiled validator and core schema for ``model`` (a type or a ``TypeAdapter``), cached."""
    try:
        return _VALIDATORS[model]
    except (KeyError, TypeError):
        pass
    from pydantic import TypeAdapter

    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    validator = adapter.validator
    if not isinstance(validator, SchemaValidator):  # a deferred build: force it now, at cold start
        adapter.rebuild(force=True)
        validator = adapter.validator
    if not isinstance(validator, SchemaValidator):
        raise TypeError(f"cannot build a validator for {model!r}")
    entry = (validator, adapter.core_schema)
    with contextlib.suppress(TypeError):  # an unhashable annotation is simply not cached
        _VALIDATORS[model] = entry
    return entry


def schema_names(schema: Any, out: set[str], depth: int = 0) -> set[str]:
    """Every field name and alias a core schema declares: the only names error paths may echo."""
    if depth > 200:
        return out
    if isinstance(schema, dict):
        fields = schema.get("fields")
        kind = schema.get("type")
        if kind in ("model-fields", "typed-dict") and isinstance(fields, dict):
            out.update(k for k in fields if isinstance(k, str))
        elif kind == "dataclass-args" and isinstance(fields, list):
            out.update(f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str))
        alias = schema.get("validation_alias")
        if isinstance(alias, str):
            out.add(alias)
        elif isinstance(alias, list):
            _alias_names(alias, out)
        for value in schema.values():
            if isinstance(value, dict | list):
                schema_names(value, out, depth + 1)
    elif isinstance(schema, list):
        for value in schema:
            if isinstance(value, dict | list):
                schema_names(value, out, depth + 1)
    return out


def _alias_names(alias: list[Any], out: set[str]) -> None:
    for item in alias:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, list):
            _alias_names(item, out)


def rejection_for(exc: ValidationError, names: set[str]) -> InputRejected:
    """The rejection for a validation error: malformed or invalid, with field paths in which every name
    not in ``names`` (see :func:`schema_names`) is replaced by ``*``."""
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    fields: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    malformed = False
    for err in errors[:MAX_LOGGED_FIELDS]:
        kind = err["type"]
        if kind in _MALFORMED_TYPES and not err["loc"]:
            malformed = True
        path = "$" + "".join(
            f"[{item}]" if type(item) is int else (f".{item}" if item in names else ".*") for item in err["loc"]
        )
        kind = kind if kind.isidentifier() and len(kind) <= 64 else "invalid"
        if (path, kind) not in seen:
            seen.add((path, kind))
            fields.append({"path": path, "type": kind})
    code = ErrorCode.MALFORMED_PAYLOAD if malformed else ErrorCode.VALIDATION_FAILED
    return InputRejected(code, tuple(fields), fields_truncated=len(errors) > MAX_LOGGED_FIELDS)
