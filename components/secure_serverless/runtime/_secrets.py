"""Secret-aware helpers: find the values of fields marked secret, scrub them from text, redact models.

A field is secret when its value is a pydantic ``SecretStr``/``SecretBytes``/``Secret`` or when it is
declared with ``Field(json_schema_extra={"secret": True})``. Only used on error paths and by
:func:`redact`, so pydantic is imported lazily.
"""

from __future__ import annotations

from typing import Any

MASK = "**********"
_MAX_DEPTH = 32
# Secrets shorter than this are not substituted inside text (it would mangle it); the whole text is
# withheld instead.
_MIN_SCRUB_LENGTH = 4
WITHHELD = "<message withheld: it may contain a secret value>"


def _secret_types() -> tuple[type, ...]:
    from pydantic import Secret, SecretBytes, SecretStr

    return (SecretStr, SecretBytes, Secret)


def _marked_secret(field_info: Any) -> bool:
    extra = getattr(field_info, "json_schema_extra", None)
    return isinstance(extra, dict) and extra.get("secret") is True


def _fields_of(obj: Any) -> dict[str, Any] | None:
    fields = getattr(type(obj), "__pydantic_fields__", None)
    return fields if isinstance(fields, dict) else None


def _leaf_strings(value: Any, out: list[str], secret_types: tuple[type, ...], depth: int) -> None:
    """Every scalar inside ``value`` (a field marked secret), as text."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, secret_types):
        secret: Any = value
        _leaf_strings(secret.get_secret_value(), out, secret_types, depth + 1)
    elif isinstance(value, bytes):
        out.append(value.decode("utf-8", "replace"))
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        out.append(str(value))
    elif isinstance(value, dict):
        for item in value.values():
            _leaf_strings(item, out, secret_types, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _leaf_strings(item, out, secret_types, depth + 1)
    elif (fields := _fields_of(value)) is not None:
        for name in fields:
            _leaf_strings(getattr(value, name, None), out, secret_types, depth + 1)


def _collect(value: Any, out: list[str], secret_types: tuple[type, ...], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, secret_types):
        _leaf_strings(value, out, secret_types, depth)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, out, secret_types, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, out, secret_types, depth + 1)
    elif (fields := _fields_of(value)) is not None:
        for name, info in fields.items():
            item = getattr(value, name, None)
            if _marked_secret(info):
                _leaf_strings(item, out, secret_types, depth + 1)
            else:
                _collect(item, out, secret_types, depth + 1)


def secret_values(value: Any) -> list[str]:
    """The plain-text values of every secret field inside a validated model (longest first)."""
    out: list[str] = []
    _collect(value, out, _secret_types(), 0)
    return sorted({s for s in out if s}, key=len, reverse=True)


def renderings(secret: str) -> list[str]:
    """Every text form ``secret`` may take inside a message, longest first: as is; Python ``repr`` (with
    and without its quote escaped: the quote kind depends on the text around it), ``ascii``; JSON-escaped
    (with and without ``ensure_ascii``); ``unicode_escape``; and each of those forms of each form (a
    ``repr`` of a message that holds a ``repr``). Escapes work per character, so each form is also what
    the secret becomes inside a longer rendered text."""
    forms = {secret}
    for _ in range(2):
        for form in list(forms):
            forms.update(_forms(form))
    forms.discard("")
    return sorted(forms, key=len, reverse=True)


def _forms(text: str) -> tuple[str, ...]:
    import json

    quoted = repr(text + "'\"")[1:-4]  # both quote kinds force repr to use ' and escape it
    return (
        quoted,
        quoted.replace("\\'", "'"),
        ascii(text + "'\"")[1:-4],
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        text.encode("unicode_escape").decode("ascii"),
    )


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every rendering (see :func:`renderings`) of every secret value replaced by the mask,
    or withheld entirely when a short secret is found."""
    for secret in secrets:
        for form in renderings(secret):
            if form in text:
                if len(secret) < _MIN_SCRUB_LENGTH:
                    return WITHHELD
                text = text.replace(form, MASK)
    return text


def _redact(value: Any, secret_types: tuple[type, ...], depth: int) -> Any:
    from pydantic_core import to_jsonable_python

    if depth > _MAX_DEPTH:
        return "<max depth>"
    if isinstance(value, secret_types):
        return MASK
    if isinstance(value, dict):
        return {str(k): _redact(v, secret_types, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(v, secret_types, depth + 1) for v in value]
    fields = _fields_of(value)
    if fields is not None:
        return {
            name: MASK if _marked_secret(info) else _redact(getattr(value, name, None), secret_types, depth + 1)
            for name, info in fields.items()
        }
    return to_jsonable_python(value, fallback=lambda v: f"<{type(v).__name__}>")


def redact(value: Any) -> Any:
    """A JSON-compatible copy of a validated model with every secret field masked, safe to log.

    Parameters
    ----------
    value
        A pydantic model instance (or a dict/list of them) as produced by :func:`secure_handler`.

    Returns
    -------
    Any
        Plain dicts, lists and scalars; values of fields marked secret are ``"**********"``.

    Examples
    --------
    >>> from pydantic import BaseModel, Field, SecretStr
    >>> class Login(BaseModel):
    ...     user: str
    ...     password: SecretStr
    ...     otp: str = Field(json_schema_extra={"secret": True})
    >>> redact(Login(user="ann", password="hunter22", otp="123456"))
    {'user': 'ann', 'password': '**********', 'otp': '**********'}
    """
    return _redact(value, _secret_types(), 0)
