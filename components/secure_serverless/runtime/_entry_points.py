"""The public entry points: :func:`secure_handler` (wrap a handler) and :func:`validate_event` (check one
event without wrapping anything). Both build a :class:`~._guard.Guard` once: :func:`secure_handler` when
it decorates (cold start), :func:`validate_event` on the first call with given arguments (kept in a small
cache of the most recently used)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final, NamedTuple, overload

from secure_serverless.runtime._config import EnvelopeName
from secure_serverless.runtime._envelopes import LambdaHandler, event_validator, wrap_handler
from secure_serverless.runtime._guard import Guard
from secure_serverless.runtime._telemetry import SupportsLogging, SupportsMetrics


@overload
def secure_handler(
    handler: Callable[..., Any],
    /,
    *,
    model: Any = None,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
    body: Any = None,
    path: Any = None,
    query: Any = None,
    headers: Any = None,
    allow_inf_nan: bool = False,
    allow_duplicate_keys: bool = False,
) -> LambdaHandler: ...


@overload
def secure_handler(
    handler: None = None,
    /,
    *,
    model: Any = None,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
    body: Any = None,
    path: Any = None,
    query: Any = None,
    headers: Any = None,
    allow_inf_nan: bool = False,
    allow_duplicate_keys: bool = False,
) -> Callable[[Callable[..., Any]], LambdaHandler]: ...


def secure_handler(
    handler: Callable[..., Any] | None = None,
    /,
    *,
    model: Any = None,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
    body: Any = None,
    path: Any = None,
    query: Any = None,
    headers: Any = None,
    allow_inf_nan: bool = False,
    allow_duplicate_keys: bool = False,
) -> LambdaHandler | Callable[[Callable[..., Any]], LambdaHandler]:
    """Validate every event at the boundary, in pydantic strict mode, before ``handler`` runs.

    The handler receives the validated body model: ``handler(model, context)`` (or
    ``handler(model, context, event)`` with ``pass_event=True``, where ``event`` is the HTTP event, the
    SQS/SNS record, or the whole EventBridge/raw event). An HTTP handler that declares ``path``, ``query``
    or ``headers``, or no body at all, receives a :class:`Request` instead. Configuration (environment
    variables from :mod:`secure_serverless.runtime.contract`) is read once, here, at cold start.

    Parameters
    ----------
    handler
        The function to wrap (function form); omit it to use ``secure_handler`` as a decorator.
    model
        The body's model: a pydantic model class, or any type a ``TypeAdapter`` accepts (e.g. an annotated
        union). ``str`` (or a constrained ``str``) takes the payload as plain text, not JSON. Optional for
        HTTP envelopes: without it a request must have no body.
    envelope
        Where the payload is: ``"raw"`` (the event itself), ``"api_gateway_rest"`` (payload format 1.0),
        ``"api_gateway_http"`` (2.0, also function URLs), ``"alb"``, ``"sqs"``, ``"sns"`` (each record's
        message) or ``"eventbridge"`` (``detail``). See :class:`Envelope`. Events of any other source are
        refused as ``INVALID_ENVELOPE``.
    max_payload_bytes
        Largest accepted payload in UTF-8 bytes, checked before parsing. Default: the
        ``SECURE_SERVERLESS_MAX_PAYLOAD_BYTES`` environment variable, else the source's documented maximum
        (:data:`~secure_serverless.runtime.contract.DEFAULT_MAX_PAYLOAD_BYTES`).
    metric_namespace
        Namespace of the ``RejectedInput``/``HandlerError`` metrics. Default: the
        ``SECURE_SERVERLESS_METRIC_NAMESPACE`` environment variable, else ``"SecureServerless"``.
    pass_event
        Also pass the raw event (or record) to the handler.
    logger
        A Powertools ``Logger`` (or ``logging.Logger``) for the security log lines; default: JSON lines
        on stdout.
    metrics
        A Powertools ``Metrics``: the helper's metrics are also added to it. The EMF line the alarm
        reads is always written.
    body
        Another name for ``model`` (pass one of them).
    path, query, headers
        HTTP envelopes only: models of the path parameters, the query string and the headers (header
        names lower-cased: declare them as aliases, e.g. ``Field(alias="x-tenant-id")``). Values are
        strings, validated in lax mode (``"3"`` for an ``int``); a list-typed field receives every value
        of a repeated name, any other field refuses a repeated name.
    allow_inf_nan
        Accept ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``) in float and decimal
        fields. Default: refused (a field or model that sets ``allow_inf_nan`` itself keeps its choice).
    allow_duplicate_keys
        Accept JSON objects that repeat a key (the last one wins). Default: refused, since parsers
        downstream may take the first.

    Returns
    -------
    Callable
        The Lambda handler. HTTP sources: the handler's response (a dict with ``statusCode`` is passed
        through, any other value is returned as JSON with 200, ``None`` as 204), 400 on rejection, 500 on
        an unexpected exception (in the ALB's format for ``"alb"``). SQS: ``{"batchItemFailures": [...]}``.
        SNS: the list of handler results. EventBridge/raw: the handler's result. Asynchronous sources
        raise :class:`InputRejected` on rejection and re-raise handler exceptions (secrets scrubbed).

    Examples
    --------
    >>> from pydantic import BaseModel, Field
    >>> from secure_serverless.runtime import Envelope
    >>> class CreateOrder(BaseModel):
    ...     order_id: str = Field(pattern=r"^ord_[a-z0-9]{8}$")
    ...     quantity: int = Field(ge=1, le=100)
    >>> @secure_handler(model=CreateOrder, envelope=Envelope.API_GATEWAY_HTTP)
    ... def handler(order: CreateOrder, context: object) -> dict[str, object]:
    ...     return {"statusCode": 201, "body": order.model_dump_json()}
    >>> handler({"version": "2.0", "routeKey": "POST /orders",
    ...          "requestContext": {"requestId": "r1", "http": {"method": "POST"}},
    ...          "body": '{"order_id": "ord_12345678", "quantity": 3}'}, None)["statusCode"]
    201
    """

    options = _options(model, body, path, query, headers, allow_inf_nan, allow_duplicate_keys)

    def decorate(fn: Callable[..., Any]) -> LambdaHandler:
        guard = Guard(options.body, envelope, max_payload_bytes, metric_namespace, logger, metrics, **options.guard)
        return wrap_handler(fn, guard, pass_event)

    return decorate if handler is None else decorate(handler)


class _Options(NamedTuple):
    body: Any
    guard: dict[str, Any]


def _options(
    model: Any, body: Any, path: Any, query: Any, headers: Any, allow_inf_nan: bool, allow_duplicate_keys: bool
) -> _Options:
    if model is not None and body is not None:
        raise ValueError("model= and body= name the same thing (the body's model): pass one of them")
    for name, flag in (("allow_inf_nan", allow_inf_nan), ("allow_duplicate_keys", allow_duplicate_keys)):
        if type(flag) is not bool:
            raise ValueError(f"{name} must be True or False, got {flag!r}")
    parts = {"path": path, "query": query, "headers": headers}
    guard = {"parts": parts, "allow_inf_nan": allow_inf_nan, "allow_duplicate_keys": allow_duplicate_keys}
    return _Options(model if model is not None else body, guard)


#: :func:`validate_event`'s checks (each with its guard), least recently used first; at most
#: ``_MAX_CHECKS`` of them, so at most that many models, loggers and metrics objects are kept alive.
_CHECKS: OrderedDict[tuple[Any, ...], LambdaHandler] = OrderedDict()
_MAX_CHECKS: Final = 64


def _check_for(
    options: _Options,
    envelope: EnvelopeName,
    max_payload_bytes: int | None,
    metric_namespace: str | None,
    logger: SupportsLogging | None,
    metrics: SupportsMetrics | None,
) -> LambdaHandler:
    """The check for these arguments: cached, else built (reading the environment) and cached."""

    def build() -> LambdaHandler:
        guard = Guard(options.body, envelope, max_payload_bytes, metric_namespace, logger, metrics, **options.guard)
        return event_validator(guard)

    # ``logger`` and ``metrics`` by identity (they need not be hashable, and equal is not the same): while
    # the entry is cached its guard holds them, so their ids cannot be reused. The type of
    # ``max_payload_bytes`` too, so that ``True`` or ``1.0`` are refused even if ``1`` is cached.
    parts = options.guard["parts"]
    flags = (options.guard["allow_inf_nan"], options.guard["allow_duplicate_keys"])
    key = (
        options.body,
        parts["path"],
        parts["query"],
        parts["headers"],
        flags,
        envelope,
        max_payload_bytes,
        type(max_payload_bytes),
        metric_namespace,
        id(logger),
        id(metrics),
    )
    try:
        check = _CHECKS.get(key)
    except TypeError:  # an unhashable model annotation: not cached
        return build()
    if check is not None:
        try:
            _CHECKS.move_to_end(key)
        except KeyError:  # evicted meanwhile by another thread: keep it after all
            _CHECKS[key] = check
        return check
    check = build()
    _CHECKS[key] = check
    while len(_CHECKS) > _MAX_CHECKS:
        try:
            _CHECKS.popitem(last=False)
        except KeyError:  # emptied meanwhile by another thread
            break
    return check


def validate_event(
    event: Any,
    *,
    model: Any = None,
    envelope: EnvelopeName = "raw",
    context: Any = None,
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
    body: Any = None,
    path: Any = None,
    query: Any = None,
    headers: Any = None,
    allow_inf_nan: bool = False,
    allow_duplicate_keys: bool = False,
) -> Any:
    """Validate an event without wrapping a handler (the function form of :func:`secure_handler`).

    The event's envelope is checked exactly as by :func:`secure_handler` (the same code: e.g. an HTTP API
    handler refuses a REST API event, and an SQS batch needs a ``messageId`` in every record), and
    rejections are logged and counted exactly as there, then raised.

    The settings of given arguments are checked, and the environment variables read, on the first call
    with those arguments (in Lambda: at cold start, as for :func:`secure_handler`); the result is reused
    by later calls with the same arguments, so a later change of the environment does not affect them.
    At most 64 such sets of arguments are remembered (the least recently used is dropped first), each
    holding its models, ``logger`` and ``metrics``.

    Parameters
    ----------
    event, context
        The Lambda event and context.
    model, envelope, max_payload_bytes, metric_namespace, logger, metrics, body, path, query, headers, \
allow_inf_nan, allow_duplicate_keys
        As for :func:`secure_handler`.

    Returns
    -------
    Any
        The validated model (a :class:`Request` where :func:`secure_handler` passes one); for ``"sqs"``
        and ``"sns"`` a list with one model per record.

    Raises
    ------
    InputRejected
        The event (or any record of it) was refused. For HTTP sources, answer with
        ``exc.to_response()``.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Ping(BaseModel):
    ...     n: int
    >>> validate_event({"n": 1}, model=Ping)
    Ping(n=1)
    """
    options = _options(model, body, path, query, headers, allow_inf_nan, allow_duplicate_keys)
    return _check_for(options, envelope, max_payload_bytes, metric_namespace, logger, metrics)(event, context)
