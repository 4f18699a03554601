"""The event sources: where each one's payload is, and what a rejection or a handler error becomes.

API Gateway answers 400 (rejection) or 500 (handler error); SQS reports partial batch failures; SNS,
EventBridge and direct invocation raise, so that Lambda retries and then dead-letters the event. Each
wrapper keeps its common case inline (one ``validate_json`` call on the payload); the rest goes through
the :class:`~._guard.Guard`.

:func:`event_validator` builds what :func:`~._entry_points.validate_event` runs: each envelope's shape is
checked by the very code the wrappers run (a shared check, or the wrapper itself), never by a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from pydantic_core import ValidationError, to_json

from secure_serverless.runtime._config import Envelope
from secure_serverless.runtime._errors import INTERNAL_ERROR_MESSAGE, ErrorCode, InputRejected
from secure_serverless.runtime._failures import raise_handler_error, report_handler_error
from secure_serverless.runtime._guard import Guard
from secure_serverless.runtime._responses import api_response, api_result

LambdaHandler = Callable[[Any, Any], Any]


def wrap_handler(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    """The Lambda handler that unwraps ``guard.envelope``'s events for ``fn``."""
    envelope = guard.envelope
    if envelope in (Envelope.API_GATEWAY_REST, Envelope.API_GATEWAY_HTTP):
        wrapped = _wrap_api(fn, guard, pass_event, v2=envelope == Envelope.API_GATEWAY_HTTP)
    elif envelope == Envelope.SQS:
        wrapped = _wrap_sqs(fn, guard, pass_event)
    elif envelope == Envelope.SNS:
        wrapped = _wrap_sns(fn, guard, pass_event)
    else:
        wrapped = _wrap_single(fn, guard, pass_event)
    return wraps(fn)(wrapped)


# --- unwrapping, shared with validate_event -----------------------------------------------------------


def api_request_id(event: Any) -> Any:
    """The API Gateway request id of ``event`` (not yet checked), or ``None``."""
    request_context = event.get("requestContext") if type(event) is dict else None
    return request_context.get("requestId") if type(request_context) is dict else None


def check_api_event(event: Any, v2: bool) -> None:
    """INVALID_ENVELOPE unless ``event`` is an API Gateway proxy event of the expected payload format: a
    dict with a ``requestContext`` dict and ``version`` "2.0" (HTTP API, ``v2``) or, for a REST API,
    "1.0" or none at all."""
    if type(event) is not dict or type(event.get("requestContext")) is not dict:
        raise InputRejected(ErrorCode.INVALID_ENVELOPE)
    version = event.get("version")
    if (version != "2.0") if v2 else (version is not None and version != "1.0"):
        raise InputRejected(ErrorCode.INVALID_ENVELOPE)


def event_records(event: Any) -> list[Any]:
    """The ``Records`` of an SQS or SNS event: a non-empty list of dicts, else INVALID_ENVELOPE."""
    records = event.get("Records") if type(event) is dict else None
    if type(records) is not list or not records or any(type(r) is not dict for r in records):
        raise InputRejected(ErrorCode.INVALID_ENVELOPE)
    return records


def sqs_records(event: Any) -> list[dict[str, Any]]:
    """The records of an SQS event, each with a non-empty string ``messageId`` (without one no partial
    batch answer is possible), else INVALID_ENVELOPE."""
    records = event_records(event)
    for record in records:
        message_id = record.get("messageId")
        if type(message_id) is not str or not message_id:
            raise InputRejected(ErrorCode.INVALID_ENVELOPE)
    return records


def sns_messages(event: Any) -> list[tuple[Any, Any, Any]]:
    """(message, message id, record) of every record of an SNS event, else INVALID_ENVELOPE."""
    out = []
    for record in event_records(event):
        sns = record.get("Sns")
        if type(sns) is not dict or type(sns.get("Message")) is not str:
            raise InputRejected(ErrorCode.INVALID_ENVELOPE)
        out.append((sns["Message"], sns.get("MessageId"), record))
    return out


def validate_all(guard: Guard, messages: list[tuple[Any, Any]], context: Any) -> list[Any]:
    """The models of every (JSON text, message id) of a batch; if any is refused, each refusal is logged
    (with its message id), all are counted, and the first is raised."""
    values: list[Any] = []
    first: InputRejected | None = None
    rejected = 0
    for message, message_id in messages:
        try:
            values.append(guard.validate(guard.text_payload(message, False)))
        except InputRejected as exc:
            guard.log_rejection(exc, context, message_id)
            first = first or exc
            rejected += 1
    if first is not None:
        guard.count_rejected(rejected, context)
        raise first
    return values


# --- the wrappers --------------------------------------------------------------------------------------


def _wrap_api(fn: Callable[..., Any], guard: Guard, pass_event: bool, v2: bool) -> LambdaHandler:
    validate_json = guard.validator.validate_json
    limit = guard.limit

    def api_handler(event: Any, context: Any) -> Any:
        rejection: InputRejected | None = None
        try:
            check_api_event(event, v2)
            body = event.get("body")
            # Fast path: a plain-text body that is certainly within the limit is validated directly.
            if type(body) is str and len(body) * 4 <= limit and event.get("isBase64Encoded") is not True:
                value = validate_json(body, strict=True)
            else:
                payload = guard.text_payload(body, event.get("isBase64Encoded") is True)
                value = validate_json(payload, strict=True)
        except ValidationError as exc:
            rejection = guard.rejection(exc)
        except InputRejected as exc:
            rejection = exc
        if rejection is not None:
            return guard.reject(rejection, context, api_request_id(event)).to_response()
        try:
            result = fn(value, context, event) if pass_event else fn(value, context)
            return api_result(result)
        except Exception as exc:
            request_id = event["requestContext"].get("requestId")
            cid, _ = report_handler_error(guard.telemetry, exc, value, context, request_id)
            error = {"error": ErrorCode.INTERNAL_ERROR, "message": INTERNAL_ERROR_MESSAGE, "correlationId": cid}
            return api_response(500, error)

    return api_handler


def _wrap_sqs(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    validate_json = guard.validator.validate_json
    limit = guard.limit

    def sqs_handler(event: Any, context: Any) -> dict[str, list[dict[str, str]]]:
        try:
            records = sqs_records(event)
        except InputRejected as exc:
            # Without message ids no partial answer is possible: fail the whole batch (it is retried).
            raise guard.reject(exc, context, None) from None
        arn = records[0].get("eventSourceARN")
        fifo = type(arn) is str and arn.endswith(".fifo")
        failures: list[dict[str, str]] = []
        rejected = 0
        for record in records:
            message_id = record["messageId"]
            if fifo and failures:
                # FIFO: later messages of the batch must not overtake a failed one; return them all.
                failures.append({"itemIdentifier": message_id})
                continue
            body = record.get("body")
            rejection: InputRejected | None = None
            try:
                if type(body) is str and len(body) * 4 <= limit:
                    value = validate_json(body, strict=True)
                else:
                    value = validate_json(guard.text_payload(body, False), strict=True)
            except ValidationError as exc:
                rejection = guard.rejection(exc)
            except InputRejected as exc:
                rejection = exc
            if rejection is not None:
                guard.log_rejection(rejection, context, message_id)
                rejected += 1
                failures.append({"itemIdentifier": message_id})
                continue
            try:
                if pass_event:
                    fn(value, context, record)
                else:
                    fn(value, context)
            except Exception as exc:
                report_handler_error(guard.telemetry, exc, value, context, message_id)
                failures.append({"itemIdentifier": message_id})
        if rejected:
            guard.count_rejected(rejected, context)
        return {"batchItemFailures": failures}

    return sqs_handler


def _wrap_sns(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    def sns_handler(event: Any, context: Any) -> list[Any]:
        try:
            messages = sns_messages(event)
        except InputRejected as exc:
            raise guard.reject(exc, context, None) from None
        # Validate every record before running the handler on any, so a retry never repeats work.
        values = validate_all(guard, [(message, message_id) for message, message_id, _ in messages], context)
        results = []
        for value, (_, message_id, record) in zip(values, messages, strict=True):
            try:
                results.append(fn(value, context, record) if pass_event else fn(value, context))
            except Exception as exc:
                raise_handler_error(guard.telemetry, exc, value, context, message_id)
        return results

    return sns_handler


def _wrap_single(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    """EventBridge (``detail``) and raw events: one payload, already decoded from JSON by Lambda."""
    validate_json = guard.validator.validate_json
    limit = guard.limit
    eventbridge = guard.envelope == Envelope.EVENTBRIDGE

    def single_handler(event: Any, context: Any) -> Any:
        correlation: Any = None
        rejection: InputRejected | None = None
        try:
            if eventbridge:
                try:
                    payload = event["detail"]
                    detail_type = event["detail-type"]
                except (KeyError, TypeError, IndexError):
                    detail_type = None
                if type(detail_type) is not str or type(event) is not dict:
                    raise InputRejected(ErrorCode.INVALID_ENVELOPE)
            else:
                payload = event
            # One Rust serialisation gives the exact size and the same strict JSON semantics as a body.
            try:
                data = to_json(payload)
            except Exception:
                raise InputRejected(ErrorCode.MALFORMED_PAYLOAD) from None
            if len(data) > limit:
                raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=len(data))
            value = validate_json(data, strict=True)
        except ValidationError as exc:
            rejection = guard.rejection(exc)
        except InputRejected as exc:
            rejection = exc
        if rejection is not None:
            if eventbridge and type(event) is dict:
                correlation = event.get("id")
            raise guard.reject(rejection, context, correlation)
        try:
            return fn(value, context, event) if pass_event else fn(value, context)
        except Exception as exc:
            raise_handler_error(guard.telemetry, exc, value, context, event.get("id") if eventbridge else None)

    return single_handler


# --- the function form ---------------------------------------------------------------------------------


def _model(value: Any, context: Any) -> Any:
    return value


def event_validator(guard: Guard) -> LambdaHandler:
    """What :func:`~._entry_points.validate_event` runs for ``guard.envelope``: ``check(event, context)``
    returns the model (for SQS and SNS a list, one per record) or logs, counts and raises every rejection.

    The envelope checks are the wrappers' own: SNS, EventBridge and raw events go through the wrapper
    itself (which already raises), API Gateway and SQS through the checks their wrappers call.
    """
    envelope = guard.envelope
    if envelope in (Envelope.API_GATEWAY_REST, Envelope.API_GATEWAY_HTTP):
        v2 = envelope == Envelope.API_GATEWAY_HTTP

        def check_api(event: Any, context: Any) -> Any:
            try:
                check_api_event(event, v2)
                return guard.validate(guard.text_payload(event.get("body"), event.get("isBase64Encoded") is True))
            except InputRejected as exc:
                raise guard.reject(exc, context, api_request_id(event)) from None

        return check_api
    if envelope == Envelope.SQS:

        def check_sqs(event: Any, context: Any) -> list[Any]:
            try:
                records = sqs_records(event)
            except InputRejected as exc:
                raise guard.reject(exc, context, None) from None
            return validate_all(guard, [(record.get("body"), record["messageId"]) for record in records], context)

        return check_sqs
    if envelope == Envelope.SNS:
        return _wrap_sns(_model, guard, False)
    return _wrap_single(_model, guard, False)
