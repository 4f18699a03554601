"""Compiled validators, and what their errors may reveal: codes and field paths built only from the
names the model declares, never input values.

``pydantic`` itself (``TypeAdapter``) is imported when the first validator is built, at decoration time,
by which time the function's own models have loaded it anyway: importing the helper stays cheap.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final, NamedTuple

from pydantic_core import SchemaValidator, ValidationError

from secure_serverless.runtime._errors import ErrorCode, InputRejected
from secure_serverless.runtime._strict_json import compile_hardened, core_config, harden

#: At most this many failing fields are logged for one rejection.
MAX_LOGGED_FIELDS: Final = 50
_MALFORMED_TYPES: Final = frozenset({"json_invalid", "string_unicode", "json_type"})

#: Past this many errors their paths are not converted (pydantic builds a Python dict per error): the
#: rejection says ``too_many_errors`` instead. Sequences already stop at their first bad item.
MAX_CONVERTED_ERRORS: Final = 1000


class Compiled(NamedTuple):
    """A model's hardened validator (see :mod:`._strict_json`), its core schema, and whether it takes
    plain text (a ``str`` schema: the payload is passed as is, not parsed as JSON)."""

    validator: SchemaValidator
    core_schema: Any
    text: bool


_VALIDATORS: dict[Any, Compiled] = {}


def validator_for(model: Any, allow_inf_nan: bool = False) -> Compiled:
    """The compiled, hardened validator for ``model`` (a type or a ``TypeAdapter``), cached."""
    key = (model, allow_inf_nan)
    try:
        return _VALIDATORS[key]
    except (KeyError, TypeError):
        pass
    from pydantic import TypeAdapter

    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    if not isinstance(adapter.validator, SchemaValidator):  # a deferred build: force it now, at cold start
        adapter.rebuild(force=True)
    schema = adapter.core_schema
    if not isinstance(schema, dict):
        raise TypeError(f"cannot build a validator for {model!r}")
    hardened = harden(schema, allow_inf_nan)
    entry = Compiled(compile_hardened(hardened, core_config(adapter)), schema, schema.get("type") == "str")
    with contextlib.suppress(TypeError):  # an unhashable annotation is simply not cached
        _VALIDATORS[key] = entry
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


def rejection_for(exc: ValidationError, names: set[str], part: str | None = None) -> InputRejected:
    """The rejection for a validation error: malformed or invalid, with field paths in which every name
    not in ``names`` (see :func:`schema_names`) is replaced by ``*``; ``part`` (``"query"``, ...) is added
    to each field as ``in``. Past :data:`MAX_CONVERTED_ERRORS` errors no path is built."""
    if exc.error_count() > MAX_CONVERTED_ERRORS:
        too_many = (_field("$", "too_many_errors", part),)
        return InputRejected(ErrorCode.VALIDATION_FAILED, too_many, fields_truncated=True)
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
            fields.append(_field(path, kind, part))
    code = ErrorCode.MALFORMED_PAYLOAD if malformed else ErrorCode.VALIDATION_FAILED
    return InputRejected(code, tuple(fields), fields_truncated=len(errors) > MAX_LOGGED_FIELDS)


def failure_rejection(exc: BaseException, part: str | None = None) -> InputRejected:
    """The rejection for any other exception raised while validating (a model validator's ``KeyError``, a
    ``RecursionError``, ...): a fixed field, the exception's type name, never its text (it may quote input)."""
    rejection = InputRejected(ErrorCode.VALIDATION_FAILED, (_field("$", "validator_error", part),))
    rejection.error_type = type(exc).__name__[:64]
    return rejection


def _field(path: str, kind: str, part: str | None) -> dict[str, str]:
    return {"path": path, "type": kind} if part is None else {"path": path, "type": kind, "in": part}
