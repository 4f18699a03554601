"""HTTP sources: API Gateway REST and HTTP APIs (and function URLs), and Application Load Balancers.

A rejection is a 400 response and a handler exception a generic 500, both in the source's response
format. A handler that declares only a body model receives it (the fast path: one ``validate_json``
call); one that declares path, query or header models, or no body, receives a :class:`~._request.Request`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from pydantic_core import ValidationError

from secure_serverless.runtime._config import Envelope
from secure_serverless.runtime._errors import INTERNAL_ERROR_MESSAGE, ErrorCode, InputRejected
from secure_serverless.runtime._failures import report_handler_error
from secure_serverless.runtime._guard import Guard
from secure_serverless.runtime._request import Request, read_part
from secure_serverless.runtime._responses import alb_response, api_response, api_result
from secure_serverless.runtime._sources import api_request_id, check_alb_event, check_http_event, check_rest_event
from secure_serverless.runtime._validation import failure_rejection

LambdaHandler = Callable[[Any, Any], Any]
_EVENT_CHECKS: Final = {
    Envelope.API_GATEWAY_REST: check_rest_event,
    Envelope.API_GATEWAY_HTTP: check_http_event,
    Envelope.ALB: check_alb_event,
}
# Rejections that end the request at once; any other is merged with the other parts' rejections.
_FINAL_CODES: Final = frozenset({ErrorCode.INVALID_ENVELOPE, ErrorCode.PAYLOAD_TOO_LARGE})


def read_body(guard: Guard, event: dict[str, Any]) -> Any:
    """The validated body of a checked event; raises InputRejected."""
    return guard.validate(guard.text_payload(event.get("body"), event.get("isBase64Encoded") is True))


def read_request(guard: Guard, event: dict[str, Any]) -> Request:
    """Every declared part of a checked event, validated; the rejections of all parts merged into one."""
    values: dict[str, Any] = {}
    refused: list[InputRejected] = []
    for part in guard.parts:
        try:
            values[part.part] = part(read_part(part.part, event, guard.envelope))
        except InputRejected as exc:
            if exc.code in _FINAL_CODES:
                raise
            refused.append(exc)
    body = event.get("body")
    if guard.has_body:
        try:
            values["body"] = read_body(guard, event)
        except InputRejected as exc:
            if exc.code in _FINAL_CODES:
                raise
            fields = exc.fields or ({"path": "$", "type": exc.code.lower()},)
            exc.fields = tuple({**field, "in": "body"} for field in fields)
            refused.append(exc)
    elif body is not None and body != "":
        unexpected = {"path": "$", "type": "unexpected_body", "in": "body"}
        refused.append(InputRejected(ErrorCode.VALIDATION_FAILED, (unexpected,)))
    if refused:
        raise _merged(refused)
    return Request(**values)


def _merged(refused: list[InputRejected]) -> InputRejected:
    codes = {exc.code for exc in refused}
    code = ErrorCode.MALFORMED_PAYLOAD if ErrorCode.MALFORMED_PAYLOAD in codes else ErrorCode.VALIDATION_FAILED
    fields = tuple(field for exc in refused for field in exc.fields)
    merged = InputRejected(code, fields, fields_truncated=any(exc.fields_truncated for exc in refused))
    merged.error_type = next((exc.error_type for exc in refused if exc.error_type is not None), None)
    return merged


def wrap_http(fn: Callable[..., Any], guard: Guard, pass_event: bool) -> LambdaHandler:
    """The Lambda handler for an HTTP source."""
    check_event = _EVENT_CHECKS[guard.envelope]
    alb = guard.envelope == Envelope.ALB
    request_mode = guard.request_mode
    validate_json = None if request_mode or guard.text else guard.validator.validate_json
    duplicates = guard.duplicates if guard.check_duplicates is not None else None
    limit = guard.limit

    def http_handler(event: Any, context: Any) -> Any:
        rejection: InputRejected | None = None
        try:
            check_event(event)
            body = event.get("body")
            # Fast path: a JSON body certainly within the limit is validated directly.
            if (
                validate_json is not None
                and type(body) is str
                and len(body) * 4 <= limit
                and event.get("isBase64Encoded") is not True
            ):
                value = validate_json(body, strict=True)
                if duplicates is not None:
                    duplicates(body)
            elif request_mode:
                value = read_request(guard, event)
            else:
                value = read_body(guard, event)
        except ValidationError as exc:
            rejection = guard.rejection(exc)
        except InputRejected as exc:
            rejection = exc
        except Exception as exc:  # a validator's own bug or trap: a rejection, never a 502
            rejection = failure_rejection(exc)
        if rejection is not None:
            response = guard.reject(rejection, context, api_request_id(event)).to_response()
            return alb_response(response, "multiValueHeaders" in event) if alb else response
        try:
            result = fn(value, context, event) if pass_event else fn(value, context)
            response = api_result(result)
        except Exception as exc:
            cid, _ = report_handler_error(guard.telemetry, exc, value, context, api_request_id(event))
            error = {"error": ErrorCode.INTERNAL_ERROR, "message": INTERNAL_ERROR_MESSAGE, "correlationId": cid}
            response = result = api_response(500, error)
            if alb:
                return alb_response(response, "multiValueHeaders" in event)
        if alb and response is not result:  # the helper's own response, in the load balancer's format
            return alb_response(response, "multiValueHeaders" in event)
        return response

    return http_handler


def http_event_validator(guard: Guard) -> LambdaHandler:
    """What :func:`~._entry_points.validate_event` runs for an HTTP source: the body model (or the
    :class:`Request`), or every rejection logged, counted and raised."""
    check_event = _EVENT_CHECKS[guard.envelope]

    def check_http(event: Any, context: Any) -> Any:
        try:
            check_event(event)
            return read_request(guard, event) if guard.request_mode else read_body(guard, event)
        except InputRejected as exc:
            raise guard.reject(exc, context, api_request_id(event)) from None

    return check_http
