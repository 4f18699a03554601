"""The event sources: where each one's payload is, and what a rejection or a handler error becomes.

HTTP sources (:mod:`._http`) answer 400 or 500; SQS reports partial batch failures; SNS, EventBridge and
direct invocation raise, so that Lambda retries and then dead-letters the event. Each wrapper keeps its
common case inline (one ``validate_json`` call on the payload); the rest goes through the
:class:`~._guard.Guard`. Any exception raised while validating is a rejection, never a crash.

:func:`event_validator` builds what :func:`~._entry_points.validate_event` runs: each envelope's shape is
checked by the very code the wrappers run (:mod:`._sources`, or the wrapper itself), never by a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from pydantic_core import ValidationError, to_json

from secure_serverless.runtime._config import Envelope
from secure_serverless.runtime._errors import ErrorCode, InputRejected
from secure_serverless.runtime._failures import raise_handler_error, report_handler_error
from secure_serverless.runtime._guard import Guard
from secure_serverless.runtime._http import LambdaHandler, http_event_validator, wrap_http
from secure_serverless.runtime._sources import eventbridge_detail, sns_messages, sqs_records
from secure_serverless.runtime._validation import failure_rejection

__all__ = ["LambdaHandler", "event_validator", "wrap_handler"]


def wrap_handler(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    """The Lambda handler that unwraps ``guard.envelope``'s events for ``fn``."""
    envelope = guard.envelope
    if envelope in Envelope.HTTP:
        wrapped = wrap_http(fn, guard, pass_event)
    elif envelope == Envelope.SQS:
        wrapped = _wrap_sqs(fn, guard, pass_event)
    elif envelope == Envelope.SNS:
        wrapped = _wrap_sns(fn, guard, pass_event)
    else:
        wrapped = _wrap_single(fn, guard, pass_event)
    return wraps(fn)(wrapped)


TextValidator = Callable[[Any], Any]
BatchValidator = Callable[[list[tuple[Any, ...]], Any], list[Any]]


def text_validator(guard: Guard) -> TextValidator:
    """``validate(message)``: the model of one text payload (an SNS message, an SQS body), or
    InputRejected. The common case (a JSON text certainly within the limit) is one ``validate_json``."""
    validate_json = None if guard.text else guard.validator.validate_json
    duplicates = guard.duplicates if guard.check_duplicates is not None else None
    limit = guard.limit

    def validate(message: Any) -> Any:
        try:
            if validate_json is not None and type(message) is str and len(message) * 4 <= limit:
                value = validate_json(message, strict=True)
                if duplicates is not None:
                    duplicates(message)
                return value
            return guard.validate(guard.text_payload(message, False))
        except ValidationError as exc:
            rejection = guard.rejection(exc)
        except InputRejected:
            raise
        except Exception as exc:  # a validator's own bug or trap: a rejection, never a crash
            rejection = failure_rejection(exc)
        raise rejection

    return validate


def batch_validator(guard: Guard) -> BatchValidator:
    """``validate(messages, context)``: the models of every ``(text, message id, ...)`` of a batch; if any
    is refused, each refusal is logged (with its message id), all are counted, and the first is raised."""
    one = text_validator(guard)

    def validate(messages: list[tuple[Any, ...]], context: Any) -> list[Any]:
        values: list[Any] = []
        first: InputRejected | None = None
        rejected = 0
        for item in messages:
            try:
                values.append(one(item[0]))
            except InputRejected as rejection:
                guard.log_rejection(rejection, context, item[1])
                first = first or rejection
                rejected += 1
        if first is not None:
            guard.count_rejected(rejected, context)
            raise first
        return values

    return validate


def _wrap_sqs(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    validate_json = None if guard.text else guard.validator.validate_json
    duplicates = guard.duplicates if guard.check_duplicates is not None else None
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
                if validate_json is not None and type(body) is str and len(body) * 4 <= limit:
                    value = validate_json(body, strict=True)
                    if duplicates is not None:
                        duplicates(body)
                else:
                    value = guard.validate(guard.text_payload(body, False))
            except ValidationError as exc:
                rejection = guard.rejection(exc)
            except InputRejected as exc:
                rejection = exc
            except Exception as exc:  # a validator's own bug or trap: this record fails, not the batch
                rejection = failure_rejection(exc)
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
    one = text_validator(guard)
    validate_all = batch_validator(guard)

    def sns_handler(event: Any, context: Any) -> list[Any]:
        try:
            messages = sns_messages(event)
        except InputRejected as exc:
            raise guard.reject(exc, context, None) from None
        if len(messages) == 1:  # SNS invokes a function with one message: the common case, inline
            message, message_id, record = messages[0]
            try:
                value = one(message)
            except InputRejected as exc:
                raise guard.reject(exc, context, message_id) from None
            try:
                return [fn(value, context, record) if pass_event else fn(value, context)]
            except Exception as exc:
                raise_handler_error(guard.telemetry, exc, value, context, message_id)
        # Validate every record before running the handler on any, so a retry never repeats work.
        values = validate_all(messages, context)
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
    eventbridge = guard.envelope == Envelope.EVENTBRIDGE
    # Always JSON, even for a ``str`` model: the payload is re-serialised below, not a text body.
    validate_json = guard.validator.validate_json
    limit = guard.limit

    def single_handler(event: Any, context: Any) -> Any:
        rejection: InputRejected | None = None
        try:
            payload = eventbridge_detail(event) if eventbridge else event
            # One Rust serialisation gives the exact size and the same strict JSON semantics as a body
            # (NaN and infinities written as such, so that the model refuses them unless allowed).
            try:
                data = to_json(payload, inf_nan_mode="constants")
            except Exception:
                raise InputRejected(ErrorCode.MALFORMED_PAYLOAD) from None
            if len(data) > limit:
                raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=len(data))
            value = validate_json(data, strict=True)
        except ValidationError as exc:
            rejection = guard.rejection(exc)
        except InputRejected as exc:
            rejection = exc
        except Exception as exc:  # a validator's own bug or trap: a rejection, never a crash
            rejection = failure_rejection(exc)
        if rejection is not None:
            correlation = event.get("id") if eventbridge and type(event) is dict else None
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
    itself (which already raises), HTTP sources and SQS through the checks their wrappers call.
    """
    envelope = guard.envelope
    if envelope in Envelope.HTTP:
        return http_event_validator(guard)
    if envelope == Envelope.SQS:
        validate_all = batch_validator(guard)

        def check_sqs(event: Any, context: Any) -> list[Any]:
            try:
                records = sqs_records(event)
            except InputRejected as exc:
                raise guard.reject(exc, context, None) from None
            return validate_all([(record.get("body"), record["messageId"]) for record in records], context)

        return check_sqs
    if envelope == Envelope.SNS:
        return _wrap_sns(_model, guard, False)
    return _wrap_single(_model, guard, False)
