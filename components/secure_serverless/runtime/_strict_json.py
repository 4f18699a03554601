"""Strict JSON: what pydantic's JSON mode lets through and a boundary must not.

* ``NaN``, ``Infinity`` and numbers that overflow to infinity (``1e999``) validate into ``float`` (and
  ``Decimal``) fields unless the schema says ``allow_inf_nan=False``: :func:`harden` says so in every
  such schema that does not choose for itself, so the check costs nothing per event.
* Duplicate object keys are resolved last-wins by pydantic's parser, first-wins by others downstream (a
  parser differential): :func:`duplicate_key_check` refuses them with jiter, the parser pydantic-core
  itself is built on, so both read the same document.
* Validation of a huge invalid payload builds every error; :func:`harden` makes sequences and dicts stop
  at their first failing item (``fail_fast``), so rejecting a 1 MB list costs about as much as its first bad
  item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

_NON_FINITE_KINDS: Final = frozenset({"float", "decimal"})
_SEQUENCE_KINDS: Final = frozenset({"list", "tuple", "set", "frozenset", "dict"})
_MAX_DEPTH: Final = 500


def harden(schema: Any, allow_inf_nan: bool) -> Any:
    """A copy of a core schema with ``allow_inf_nan=False`` on every float/decimal schema that does not set
    it (unless ``allow_inf_nan``) and ``fail_fast=True`` on every sequence and dict schema. A model whose
    config sets ``allow_inf_nan=True`` keeps it for its own fields: that is an explicit choice."""
    return _harden(schema, allow_inf_nan, 0)


def _harden(schema: Any, allow: bool, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise ValueError("the model's schema is nested too deeply to harden")
    if isinstance(schema, list):
        return [_harden(item, allow, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind == "model":
        config = schema.get("config")
        if isinstance(config, dict) and "allow_inf_nan" in config:
            allow = config["allow_inf_nan"] is True
    out = {key: _harden(value, allow, depth + 1) for key, value in schema.items()}
    if kind in _NON_FINITE_KINDS and "allow_inf_nan" not in out and not allow:
        out["allow_inf_nan"] = False
    elif kind in _SEQUENCE_KINDS and "fail_fast" not in out:
        out["fail_fast"] = True
    return out


def compile_hardened(schema: Any, config: Any) -> Any:
    """A ``SchemaValidator`` for a hardened schema. pydantic-core reuses the validator a complete model
    class already has instead of compiling its schema (which would ignore the hardening), so each model
    class in the schema is marked incomplete while the validator is built (at cold start), then restored."""
    from pydantic_core import SchemaValidator

    classes = [cls for cls in _classes(schema, set(), 0) if cls.__dict__.get("__pydantic_complete__") is True]
    try:
        for cls in classes:
            type.__setattr__(cls, "__pydantic_complete__", False)
        return SchemaValidator(schema, config)
    finally:
        for cls in classes:
            type.__setattr__(cls, "__pydantic_complete__", True)


def _classes(schema: Any, out: set[type], depth: int) -> set[type]:
    if depth > _MAX_DEPTH:
        return out
    if isinstance(schema, list):
        for item in schema:
            _classes(item, out, depth + 1)
    elif isinstance(schema, dict):
        cls = schema.get("cls")
        if isinstance(cls, type):
            out.add(cls)
        for value in schema.values():
            if isinstance(value, dict | list):
                _classes(value, out, depth + 1)
    return out


def core_config(adapter: Any) -> Any:
    """The core config a ``TypeAdapter`` was built with (``None`` for a model: its config is in its schema)."""
    config = getattr(adapter, "_config", None)
    if not config:
        return None
    from pydantic._internal._config import ConfigWrapper  # the one way pydantic turns ConfigDict into core config

    return ConfigWrapper(config).core_config(None)


def duplicate_key_check() -> Callable[[str | bytes], None]:
    """A function that raises ``ValueError`` if a JSON text holds an object with a repeated key. Needs the
    ``jiter`` package. ``NaN``/``Infinity`` are left to the (hardened) schema, which knows the fields that
    allow them."""
    try:
        from jiter import from_json
    except ImportError:
        raise ImportError(
            "secure_handler refuses JSON with duplicate keys by default, which needs the 'jiter' package (a "
            "dependency of secure-serverless): bundle it with the function, or pass allow_duplicate_keys=True"
        ) from None

    def check(payload: str | bytes) -> None:
        data = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
        from_json(data, allow_inf_nan=True, cache_mode="keys", catch_duplicate_keys=True)

    return check
