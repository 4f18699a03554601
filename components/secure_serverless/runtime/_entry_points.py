"""The public entry points: :func:`secure_handler` (wrap a handler) and :func:`validate_event` (check one
event without wrapping anything). Both build a :class:`~._guard.Guard` once, at cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

from secure_serverless.runtime._config import Envelope, EnvelopeName
from secure_serverless.runtime._envelopes import (
    LambdaHandler,
    api_request_id,
    event_records,
    single_payload,
    sns_messages,
    wrap_handler,
)
from secure_serverless.runtime._errors import ErrorCode, InputRejected
from secure_serverless.runtime._guard import Guard
from secure_serverless.runtime._telemetry import SupportsLogging, SupportsMetrics


@overload
def secure_handler(
    handler: Callable[..., Any],
    /,
    *,
    model: Any,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
) -> LambdaHandler: ...


@overload
def secure_handler(
    handler: None = None,
    /,
    *,
    model: Any,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
) -> Callable[[Callable[..., Any]], LambdaHandler]: ...


def secure_handler(
    handler: Callable[..., Any] | None = None,
    /,
    *,
    model: Any,
    envelope: EnvelopeName = "raw",
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    pass_event: bool = False,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
) -> LambdaHandler | Callable[[Callable[..., Any]], LambdaHandler]:
    """Validate every event at the boundary, in pydantic strict mode, before ``handler`` runs.

    The handler receives the validated model: ``handler(model, context)`` (or
    ``handler(model, context, event)`` with ``pass_event=True``, where ``event`` is the API Gateway event,
    the SQS/SNS record, or the whole EventBridge/raw event). Configuration (environment variables from
    :mod:`secure_serverless.runtime.contract`) is read once, here, at cold start.

    Parameters
    ----------
    handler
        The function to wrap (function form); omit it to use ``secure_handler`` as a decorator.
    model
        A pydantic model class, or any type a ``TypeAdapter`` accepts (e.g. an annotated union).
    envelope
        Where the payload is: ``"raw"`` (the event itself), ``"api_gateway_rest"`` (payload format 1.0),
        ``"api_gateway_http"`` (2.0), ``"sqs"``, ``"sns"`` (each record's message) or ``"eventbridge"``
        (``detail``). See :class:`Envelope`.
    max_payload_bytes
        Largest accepted payload in UTF-8 bytes, checked before parsing. Default: the
        ``SECURE_SERVERLESS_MAX_PAYLOAD_BYTES`` environment variable, else 262144.
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

    Returns
    -------
    Callable
        The Lambda handler. API Gateway: the handler's response (a dict with ``statusCode`` is passed
        through, any other value is returned as JSON with 200, ``None`` as 204), 400 on rejection, 500 on
        an unexpected exception. SQS: ``{"batchItemFailures": [...]}``. SNS: the list of handler
        results. EventBridge/raw: the handler's result. Asynchronous sources raise
        :class:`InputRejected` on rejection and re-raise handler exceptions (secrets scrubbed).

    Examples
    --------
    >>> from pydantic import BaseModel, Field
    >>> class CreateOrder(BaseModel):
    ...     order_id: str = Field(pattern=r"^ord_[a-z0-9]{8}$")
    ...     quantity: int = Field(ge=1, le=100)
    >>> @secure_handler(model=CreateOrder, envelope=Envelope.API_GATEWAY_HTTP)
    ... def handler(order: CreateOrder, context: object) -> dict[str, object]:
    ...     return {"statusCode": 201, "body": order.model_dump_json()}
    >>> handler({"version": "2.0", "requestContext": {"requestId": "r1"},
    ...          "body": '{"order_id": "ord_12345678", "quantity": 3}'}, None)["statusCode"]
    201
    """

    def decorate(fn: Callable[..., Any]) -> LambdaHandler:
        guard = Guard(model, envelope, max_payload_bytes, metric_namespace, logger, metrics)
        return wrap_handler(fn, guard, pass_event)

    return decorate if handler is None else decorate(handler)


_GUARDS: dict[tuple[Any, ...], Guard] = {}


def validate_event(
    event: Any,
    *,
    model: Any,
    envelope: EnvelopeName = "raw",
    context: Any = None,
    max_payload_bytes: int | None = None,
    metric_namespace: str | None = None,
    logger: SupportsLogging | None = None,
    metrics: SupportsMetrics | None = None,
) -> Any:
    """Validate an event without wrapping a handler (the function form of :func:`secure_handler`).

    Rejections are logged and counted exactly as in :func:`secure_handler`, then raised.

    Parameters
    ----------
    event, context
        The Lambda event and context.
    model, envelope, max_payload_bytes, metric_namespace, logger, metrics
        As for :func:`secure_handler`.

    Returns
    -------
    Any
        The validated model; for ``"sqs"`` and ``"sns"`` a list with one model per record.

    Raises
    ------
    InputRejected
        The event (or any record of it) was refused. For API Gateway, answer with
        ``exc.to_response()``.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> class Ping(BaseModel):
    ...     n: int
    >>> validate_event({"n": 1}, model=Ping)
    Ping(n=1)
    """
    key = (model, envelope, max_payload_bytes, metric_namespace, logger, metrics)
    try:
        guard = _GUARDS.get(key)
        cacheable = True
    except TypeError:  # an unhashable model annotation
        guard, cacheable = None, False
    if guard is None:
        guard = Guard(model, envelope, max_payload_bytes, metric_namespace, logger, metrics)
        if cacheable:
            _GUARDS[key] = guard
    correlation: Any = None
    rejection: InputRejected | None
    try:
        if envelope in (Envelope.API_GATEWAY_REST, Envelope.API_GATEWAY_HTTP):
            if type(event) is not dict or type(event.get("requestContext")) is not dict:
                raise InputRejected(ErrorCode.INVALID_ENVELOPE)
            correlation = api_request_id(event)
            return guard.validate(guard.text_payload(event.get("body"), event.get("isBase64Encoded") is True))
        if envelope == Envelope.SQS:
            records = event_records(event)
            payloads = [(r.get("body"), r.get("messageId")) for r in records]
        elif envelope == Envelope.SNS:
            payloads = [(m, mid) for m, mid, _ in sns_messages(event)]
        else:
            payload, correlation = single_payload(guard.envelope, event)
            return guard.validate(guard.object_payload(payload))
    except InputRejected as exc:
        rejection = exc
    else:
        rejection = None
    if rejection is not None:
        raise guard.reject(rejection, context, correlation)
    values = []
    first: InputRejected | None = None
    rejected = 0
    for payload, message_id in payloads:
        try:
            values.append(guard.validate(guard.text_payload(payload, False)))
        except InputRejected as exc:
            guard.log_rejection(exc, context, message_id)
            first = first or exc
            rejected += 1
    if first is not None:
        guard.count_rejected(rejected, context)
        raise first
    return values
