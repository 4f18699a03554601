"""The parts of an HTTP request besides its body: path parameters, query string and headers, each read
from where its source puts it and validated by its own model.

Values are strings, so they are validated in pydantic's lax mode (``"3"`` for an ``int``, ``"true"`` for
a ``bool``), with the same hardening as bodies (no ``nan``/``inf`` floats). A name given more than once
becomes a list: a list-typed field receives every value, any other field refuses the list (HTTP
parameter pollution is a rejection, not a silent last-wins).
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from pydantic_core import ValidationError

from secure_serverless.runtime._config import Envelope
from secure_serverless.runtime._errors import ErrorCode, InputRejected
from secure_serverless.runtime._validation import failure_rejection, rejection_for, schema_names, validator_for

#: At most this many names (or values) per part; API Gateway's own header limits are lower.
MAX_PARAMETERS: Final = 1000
_SEQUENCE_KINDS: Final = frozenset({"list", "tuple", "set", "frozenset"})
_WRAPPERS: Final = frozenset({"default", "nullable", "function-after", "function-before", "function-wrap"})
RawPart = dict[str, list[str]]


class Request(NamedTuple):
    """The validated parts of an HTTP request, passed to a handler that declares any of ``path``,
    ``query`` or ``headers``; a part without a model is ``None``.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> from secure_serverless.runtime import Request, secure_handler
    >>> class Page(BaseModel):
    ...     limit: int = 10
    >>> @secure_handler(query=Page, envelope="api_gateway_http")
    ... def handler(request: Request, context: object) -> int:
    ...     return request.query.limit
    >>> handler({"version": "2.0", "routeKey": "GET /items", "rawQueryString": "limit=3",
    ...          "requestContext": {"requestId": "r1", "http": {"method": "GET"}}}, None)["body"]
    '3'
    """

    body: Any = None
    path: Any = None
    query: Any = None
    headers: Any = None


def _invalid() -> InputRejected:
    return InputRejected(ErrorCode.INVALID_ENVELOPE)


def _single(values: Any) -> RawPart:
    """A ``{name: value}`` map (``None`` = empty) as ``{name: [value]}``; INVALID_ENVELOPE if not strings."""
    if values is None:
        return {}
    if type(values) is not dict or len(values) > MAX_PARAMETERS:
        raise _invalid()
    out: RawPart = {}
    for name, value in values.items():
        if type(name) is not str or type(value) is not str:
            raise _invalid()
        out[name] = [value]
    return out


def _multi(values: Any) -> RawPart:
    """A ``{name: [values]}`` map (``None`` = empty), checked."""
    if type(values) is not dict or len(values) > MAX_PARAMETERS:
        raise _invalid()
    out: RawPart = {}
    for name, items in values.items():
        if type(name) is not str or type(items) is not list or not all(type(v) is str for v in items):
            raise _invalid()
        out[name] = list(items)
    return out


def _either(event: dict[str, Any], multi_key: str, single_key: str) -> RawPart:
    """The multi-value form if the source sent it (REST APIs always; ALB with multi-value headers on)."""
    values = event.get(multi_key)
    return _multi(values) if values is not None else _single(event.get(single_key))


def path_values(event: dict[str, Any], source: str) -> RawPart:
    """``pathParameters`` (API Gateway; an ALB has no path parameters)."""
    return {} if source == Envelope.ALB else _single(event.get("pathParameters"))


def query_values(event: dict[str, Any], source: str) -> RawPart:
    """Every value of every query parameter: REST APIs send them decoded in both forms; HTTP APIs join
    repeated values with commas, so the raw query string is parsed instead; an ALB sends them as the
    client encoded them, so they are decoded here."""
    if source == Envelope.API_GATEWAY_HTTP:
        raw = event.get("rawQueryString")
        if raw is None:
            return _single(event.get("queryStringParameters"))
        if type(raw) is not str:
            raise _invalid()
        from urllib.parse import parse_qsl

        out: RawPart = {}
        try:
            pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=MAX_PARAMETERS)
        except ValueError:
            raise InputRejected(ErrorCode.VALIDATION_FAILED, _too_many("query")) from None
        for name, value in pairs:
            out.setdefault(name, []).append(value)
        return out
    values = _either(event, "multiValueQueryStringParameters", "queryStringParameters")
    if source == Envelope.ALB:
        from urllib.parse import unquote_plus

        return {unquote_plus(name): [unquote_plus(v) for v in items] for name, items in values.items()}
    return values


def header_values(event: dict[str, Any], source: str) -> RawPart:
    """Every header, names lower-cased (HTTP header names are case-insensitive; HTTP APIs send them
    lower-cased, with repeated values joined by commas)."""
    if source == Envelope.API_GATEWAY_HTTP:
        values = _single(event.get("headers"))
    else:
        values = _either(event, "multiValueHeaders", "headers")
    out: RawPart = {}
    for name, items in values.items():
        out.setdefault(name.lower(), []).extend(items)
    return out


def _too_many(part: str) -> tuple[dict[str, str], ...]:
    return ({"path": "$", "type": "too_many_parameters", "in": part},)


def _list_names(schema: Any) -> frozenset[str]:
    """The names (or aliases) of the top-level fields whose type is a sequence."""
    fields = schema.get("schema", {}).get("fields") if schema.get("type") == "model" else schema.get("fields")
    out: set[str] = set()
    if not isinstance(fields, dict):
        return frozenset()
    for name, field in fields.items():
        inner = field.get("schema", {})
        while inner.get("type") in _WRAPPERS and isinstance(inner.get("schema"), dict):
            inner = inner["schema"]
        if inner.get("type") in _SEQUENCE_KINDS:
            alias = field.get("validation_alias")
            out.add(alias if isinstance(alias, str) else name)
    return frozenset(out)


class PartValidator:
    """The compiled model of one request part (``"path"``, ``"query"`` or ``"headers"``)."""

    def __init__(self, part: str, model: Any, allow_inf_nan: bool) -> None:
        compiled = validator_for(model, allow_inf_nan)
        self.part = part
        self._validate = compiled.validator.validate_python
        self._names = schema_names(compiled.core_schema, set())
        self._lists = _list_names(compiled.core_schema) if isinstance(compiled.core_schema, dict) else frozenset()

    def __call__(self, values: RawPart) -> Any:
        """The validated model of ``values``; raises InputRejected (fields marked ``in: <part>``)."""
        if len(values) > MAX_PARAMETERS or sum(len(v) for v in values.values()) > MAX_PARAMETERS:
            raise InputRejected(ErrorCode.VALIDATION_FAILED, _too_many(self.part))
        lists = self._lists
        data = {name: items if name in lists or len(items) != 1 else items[0] for name, items in values.items()}
        try:
            return self._validate(data, strict=False)
        except ValidationError as exc:
            rejection = rejection_for(exc, self._names, self.part)
        except Exception as exc:  # a validator's own bug or trap: a rejection, never a crash
            rejection = failure_rejection(exc, self.part)
        raise rejection


_READERS: Final = {"path": path_values, "query": query_values, "headers": header_values}


def read_part(part: str, event: dict[str, Any], source: str) -> RawPart:
    """The raw values of ``part`` in ``event``."""
    return _READERS[part](event, source)
