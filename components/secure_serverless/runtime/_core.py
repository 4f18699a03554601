"""Boundary validation for Lambda handlers: envelopes, size limits, safe failures, logs and metrics.

Import cost matters (it is paid on every cold start), so this module imports only ``pydantic_core`` and
the standard library; ``pydantic`` itself (``TypeAdapter``) is imported when the first handler is
decorated, by which time the function's own models have loaded it anyway.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, Final, Literal, NoReturn, Protocol, overload

from pydantic_core import SchemaValidator, ValidationError, to_json

from secure_serverless.runtime import contract
from secure_serverless.runtime._secrets import WITHHELD, scrub, secret_values

EnvelopeName = Literal["raw", "api_gateway_rest", "api_gateway_http", "sqs", "sns", "eventbridge"]
LambdaHandler = Callable[[Any, Any], Any]


class Envelope:
    """Names of the event sources :func:`secure_handler` unwraps (plain strings, usable as literals)."""

    RAW: Final = "raw"
    API_GATEWAY_REST: Final = "api_gateway_rest"
    API_GATEWAY_HTTP: Final = "api_gateway_http"
    SQS: Final = "sqs"
    SNS: Final = "sns"
    EVENTBRIDGE: Final = "eventbridge"
    ALL: Final = (RAW, API_GATEWAY_REST, API_GATEWAY_HTTP, SQS, SNS, EVENTBRIDGE)


class ErrorCode:
    """Stable error codes: the ``error`` member of a rejection response and the ``code`` of log lines."""

    PAYLOAD_TOO_LARGE: Final = "PAYLOAD_TOO_LARGE"
    MALFORMED_PAYLOAD: Final = "MALFORMED_PAYLOAD"
    VALIDATION_FAILED: Final = "VALIDATION_FAILED"
    INVALID_ENVELOPE: Final = "INVALID_ENVELOPE"
    INTERNAL_ERROR: Final = "INTERNAL_ERROR"


_MESSAGES: Final = {
    ErrorCode.PAYLOAD_TOO_LARGE: "The request payload is larger than this endpoint accepts.",
    ErrorCode.MALFORMED_PAYLOAD: "The request payload is missing or is not valid UTF-8 JSON.",
    ErrorCode.VALIDATION_FAILED: "The request payload failed validation.",
    ErrorCode.INVALID_ENVELOPE: "The event does not have the shape this function expects.",
    ErrorCode.INTERNAL_ERROR: "Internal server error.",
}
_INTERNAL: Final = _MESSAGES[ErrorCode.INTERNAL_ERROR]
_LEVELS: Final = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}
_WARNING: Final = 30
_ERROR: Final = 40
#: At most this many failing fields are returned to the client (the log line holds up to _MAX_LOGGED).
MAX_RESPONSE_FIELDS: Final = 20
_MAX_LOGGED_FIELDS: Final = 50
_MAX_ERROR_MESSAGE: Final = 2048
_MALFORMED_TYPES: Final = frozenset({"json_invalid", "string_unicode", "json_type"})
_RESPONSE_HEADERS: Final = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class SupportsLogging(Protocol):
    """A Powertools ``Logger`` or a standard ``logging.Logger``: structured keys go in ``extra``."""

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...

    def error(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...


class SupportsMetrics(Protocol):
    """A Powertools ``Metrics`` instance (``add_metric(name=..., unit=..., value=...)``)."""

    def add_metric(self, name: str, unit: Any, value: float, *args: Any, **kwargs: Any) -> Any: ...


class InputRejected(Exception):
    """An event (or record) refused at the boundary. Its text holds codes and field paths, never values.

    Raised by :func:`validate_event`, and by handlers decorated with :func:`secure_handler` for
    asynchronous sources (SNS, EventBridge, direct invocation) so that Lambda retries and then hands
    the event to the dead-letter queue / on-failure destination.
    """

    def __init__(
        self,
        code: str,
        fields: tuple[dict[str, str], ...] = (),
        *,
        fields_truncated: bool = False,
        payload_bytes: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields
        self.fields_truncated = fields_truncated
        self.payload_bytes = payload_bytes
        self.correlation_id = correlation_id

    def __str__(self) -> str:
        paths = ", ".join(f"{f['path']} ({f['type']})" for f in self.fields[:MAX_RESPONSE_FIELDS])
        more = " ..." if self.fields_truncated or len(self.fields) > MAX_RESPONSE_FIELDS else ""
        where = f" at {paths}{more}" if paths else ""
        return f"{self.code}: {_MESSAGES.get(self.code, 'rejected')}{where} [correlationId={self.correlation_id}]"

    def body(self) -> dict[str, Any]:
        """The JSON body of the API response: code, fixed message, field paths, correlation id."""
        fields = list(self.fields[:MAX_RESPONSE_FIELDS])
        body: dict[str, Any] = {"error": self.code, "message": _MESSAGES.get(self.code, "Rejected.")}
        body["fields"] = fields
        if self.fields_truncated or len(self.fields) > MAX_RESPONSE_FIELDS:
            body["fieldsTruncated"] = True
        body["correlationId"] = self.correlation_id
        return body

    def to_response(self) -> dict[str, Any]:
        """An API Gateway (REST or HTTP API) proxy response: status 400 and :meth:`body` as JSON."""
        return _api_response(400, self.body())


class HandlerFailed(Exception):
    """Raised instead of a handler's exception whose message would have exposed a secret value."""


def _api_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": dict(_RESPONSE_HEADERS), "body": _dumps(body)}


def _dumps(obj: Any) -> str:
    try:
        return to_json(obj).decode()
    except Exception:  # e.g. a lone surrogate in an exception message: escape instead of failing
        import json

        return json.dumps(obj, ensure_ascii=True, default=repr)


_LINE_BREAKS: Final = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"})


def _safe_text(text: str, limit: int) -> str:
    """Text safe for one JSON log line: no lone surrogates, no Unicode line separators, bounded."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").translate(_LINE_BREAKS)
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def _safe_id(value: Any) -> str | None:
    if type(value) is str and 0 < len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return None


def _timestamp(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


# --- configuration read once per decorated handler (cold start) -------------------------------------


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer number of bytes, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer number of bytes, got {raw!r}")
    return value


def _check_namespace(namespace: str) -> str:
    # CloudWatch: 1-255 ASCII characters, and "AWS/" is reserved for AWS services.
    if not (0 < len(namespace) <= 255 and namespace.isascii() and namespace.isprintable()):
        raise ValueError(f"metric namespace must be 1-255 printable ASCII characters, got {namespace!r}")
    if namespace.startswith("AWS/"):
        raise ValueError(f"metric namespace must not start with the reserved 'AWS/': {namespace!r}")
    return namespace


def _log_threshold() -> int:
    raw = os.environ.get(contract.ENV_LOG_LEVEL, "").strip().upper() or contract.DEFAULT_LOG_LEVEL
    if raw not in _LEVELS:
        raise ValueError(f"{contract.ENV_LOG_LEVEL} must be one of {contract.LOG_LEVELS}, got {raw!r}")
    return _LEVELS[raw]


_VALIDATORS: dict[Any, tuple[SchemaValidator, Any]] = {}


def _validator_for(model: Any) -> tuple[SchemaValidator, Any]:
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


def _schema_names(schema: Any, out: set[str], depth: int = 0) -> set[str]:
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
                _schema_names(value, out, depth + 1)
    elif isinstance(schema, list):
        for value in schema:
            if isinstance(value, dict | list):
                _schema_names(value, out, depth + 1)
    return out


def _alias_names(alias: list[Any], out: set[str]) -> None:
    for item in alias:
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, list):
            _alias_names(item, out)


class _Guard:
    """Everything a decorated handler needs off the hot path: rejection, logging, metrics."""

    def __init__(
        self,
        model: Any,
        envelope: str,
        max_payload_bytes: int | None,
        metric_namespace: str | None,
        logger: SupportsLogging | None,
        metrics: SupportsMetrics | None,
    ) -> None:
        if envelope not in Envelope.ALL:
            raise ValueError(f"envelope must be one of {Envelope.ALL}, got {envelope!r}")
        self.envelope = envelope
        self.validator, self._core_schema = _validator_for(model)
        self._names: set[str] | None = None
        if max_payload_bytes is None:
            max_payload_bytes = _env_int(contract.ENV_MAX_PAYLOAD_BYTES, contract.DEFAULT_MAX_PAYLOAD_BYTES)
        elif type(max_payload_bytes) is not int or max_payload_bytes <= 0:
            raise ValueError(f"max_payload_bytes must be a positive int, got {max_payload_bytes!r}")
        self.limit = max_payload_bytes
        if metric_namespace is None:
            metric_namespace = os.environ.get(contract.ENV_METRIC_NAMESPACE, "") or contract.METRIC_NAMESPACE
        self.namespace = _check_namespace(metric_namespace)
        self.threshold = _log_threshold()
        self.logger = logger
        self.metrics = metrics

    # --- payload checks (shared by every envelope) ---------------------------------------------------

    def text_payload(self, body: Any, base64_encoded: bool) -> str | bytes:
        """A JSON text payload after the size check (and base64 decoding); raises InputRejected."""
        limit = self.limit
        if type(body) is not str:
            raise InputRejected(ErrorCode.MALFORMED_PAYLOAD if body is None else ErrorCode.INVALID_ENVELOPE)
        if base64_encoded:
            if len(body) // 4 * 3 > limit + 3:
                raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=len(body) // 4 * 3)
            import binascii  # only base64 bodies need it: keep it off the cold-start path

            try:
                raw = binascii.a2b_base64(body, strict_mode=True)
            except (binascii.Error, ValueError):
                raise InputRejected(ErrorCode.MALFORMED_PAYLOAD) from None
            if len(raw) > limit:
                raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=len(raw))
            return raw
        n = len(body)
        # UTF-8 needs 1-4 bytes per character, and str.isascii() is O(1): encode only when it matters.
        if n > limit or (n * 4 > limit and not body.isascii()):
            size = n if body.isascii() else len(body.encode("utf-8", "surrogatepass"))
            if size > limit:
                raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=size)
        return body

    def object_payload(self, value: Any) -> bytes:
        """A decoded JSON value (EventBridge ``detail``, a raw event) serialised once, in Rust, so that it
        is size-checked and validated with the same strict JSON semantics as a text body."""
        try:
            data = to_json(value)
        except Exception:
            data = None
        if data is None:
            raise InputRejected(ErrorCode.MALFORMED_PAYLOAD)
        if len(data) > self.limit:
            raise InputRejected(ErrorCode.PAYLOAD_TOO_LARGE, payload_bytes=len(data))
        return data

    def validate(self, payload: str | bytes) -> Any:
        """Strict validation of a JSON payload; raises InputRejected (never chained to the input)."""
        try:
            return self.validator.validate_json(payload, strict=True)
        except ValidationError as exc:
            rejection = self.rejection(exc)
        raise rejection

    def rejection(self, exc: ValidationError) -> InputRejected:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if self._names is None:
            self._names = _schema_names(self._core_schema, set())
        names = self._names
        fields: list[dict[str, str]] = []
        seen: set[tuple[str, str]] = set()
        malformed = False
        for err in errors[:_MAX_LOGGED_FIELDS]:
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
        return InputRejected(code, tuple(fields), fields_truncated=len(errors) > _MAX_LOGGED_FIELDS)

    # --- reporting -----------------------------------------------------------------------------------

    def _emit(self, level: int, record: dict[str, Any]) -> None:
        if level < self.threshold:
            return
        if self.logger is not None:
            log = self.logger.error if level >= _ERROR else self.logger.warning
            log(record["event"], extra={k: v for k, v in record.items() if k != "event"})
            return
        now = time.time()
        line = {"timestamp": _timestamp(now), "level": "ERROR" if level >= _ERROR else "WARNING"}
        line["logger"] = "secure_serverless.runtime"
        line.update(record)
        sys.stdout.write(_dumps(line) + "\n")
        sys.stdout.flush()

    def metric(self, name: str, count: int, context: Any) -> None:
        """One CloudWatch embedded-metric-format line on stdout (always: the alarm depends on it)."""
        function_name = _function_name(context)
        doc = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self.namespace,
                        "Dimensions": [[contract.METRIC_DIMENSION]],
                        "Metrics": [{"Name": name, "Unit": contract.METRIC_UNIT}],
                    }
                ],
            },
            contract.METRIC_DIMENSION: function_name,
            name: count,
        }
        sys.stdout.write(_dumps(doc) + "\n")
        sys.stdout.flush()
        if self.metrics is not None:
            try:
                self.metrics.add_metric(name=name, unit=contract.METRIC_UNIT, value=count)
            except Exception as exc:  # a team's metrics object must never turn a 400 into a 500
                self._emit(_WARNING, {"event": "metrics_integration_failed", "errorType": type(exc).__name__})

    def _base(self, event_name: str, context: Any, correlation_id: str | None) -> dict[str, Any]:
        request_id = _safe_id(getattr(context, "aws_request_id", None))
        return {
            "event": event_name,
            "source": self.envelope,
            "functionName": _function_name(context),
            "requestId": request_id,
            "correlationId": correlation_id or request_id,
        }

    def log_rejection(self, rejection: InputRejected, context: Any, correlation_id: Any) -> None:
        """The security log line for one rejected event/record; fixes its correlation id."""
        cid = _safe_id(correlation_id) or _safe_id(getattr(context, "aws_request_id", None))
        rejection.correlation_id = cid
        record = self._base("input_rejected", context, cid)
        record["code"] = rejection.code
        record["fields"] = list(rejection.fields)
        record["fieldsTruncated"] = rejection.fields_truncated
        record["payloadBytes"] = rejection.payload_bytes
        record["limitBytes"] = self.limit
        self._emit(_WARNING, record)

    def reject(self, rejection: InputRejected, context: Any, correlation_id: Any) -> InputRejected:
        self.log_rejection(rejection, context, correlation_id)
        self.metric(contract.REJECTED_INPUT_METRIC, 1, context)
        return rejection

    def handler_error(
        self, exc: Exception, value: Any, context: Any, correlation_id: Any
    ) -> tuple[str | None, Exception | None]:
        """Log an unexpected handler exception with secrets scrubbed, count it, and make the exception
        itself safe to re-raise. Returns the correlation id and, if the exception could not be scrubbed in
        place, a replacement to raise."""
        import traceback

        cid = _safe_id(correlation_id) or _safe_id(getattr(context, "aws_request_id", None))
        try:
            secrets = secret_values(value)
        except Exception:
            secrets = []
        replacement: Exception | None = None
        try:
            message = str(exc)
        except Exception:
            message = "<unprintable>"
        clean = scrub(message, secrets)
        if clean != message:
            try:
                exc.args = (clean,)
                still = str(exc)
            except Exception:
                still = message
            if scrub(still, secrets) != still:
                replacement = HandlerFailed(f"{type(exc).__name__} in handler ({WITHHELD}) [correlationId={cid}]")
        frames = traceback.extract_tb(exc.__traceback__)
        record = self._base("handler_error", context, cid)
        record["errorType"] = type(exc).__name__
        record["errorMessage"] = _safe_text(clean, _MAX_ERROR_MESSAGE)
        record["stackTrace"] = [_safe_text(f"{f.filename}:{f.lineno} in {f.name}", 512) for f in frames[-20:]]
        self._emit(_ERROR, record)
        self.metric(contract.HANDLER_ERROR_METRIC, 1, context)
        return cid, replacement


def _function_name(context: Any) -> str:
    name = getattr(context, "function_name", None)
    if type(name) is not str or not name:
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or "unknown"
    return name


def _api_result(result: Any) -> Any:
    if type(result) is dict and "statusCode" in result:
        return result
    if result is None:
        return {"statusCode": 204, "headers": dict(_RESPONSE_HEADERS)}
    return {"statusCode": 200, "headers": dict(_RESPONSE_HEADERS), "body": to_json(result).decode()}


def _raise_handler_error(guard: _Guard, exc: Exception, value: Any, context: Any, cid: Any) -> NoReturn:
    _, replacement = guard.handler_error(exc, value, context, cid)
    if replacement is not None:
        raise replacement from None
    raise exc


# --- envelope wrappers --------------------------------------------------------------------------------


def _wrap_api(fn: Callable[..., Any], guard: _Guard, pass_event: bool, v2: bool) -> LambdaHandler:
    validate_json = guard.validator.validate_json
    limit = guard.limit

    def api_handler(event: Any, context: Any) -> Any:
        rejection: InputRejected | None = None
        try:
            if type(event) is not dict or type(event.get("requestContext")) is not dict:
                raise InputRejected(ErrorCode.INVALID_ENVELOPE)
            version = event.get("version")
            if (version != "2.0") if v2 else (version is not None and version != "1.0"):
                raise InputRejected(ErrorCode.INVALID_ENVELOPE)
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
            return guard.reject(rejection, context, _api_request_id(event)).to_response()
        try:
            result = fn(value, context, event) if pass_event else fn(value, context)
            return _api_result(result)
        except Exception as exc:
            cid, _ = guard.handler_error(exc, value, context, event["requestContext"].get("requestId"))
            return _api_response(500, {"error": ErrorCode.INTERNAL_ERROR, "message": _INTERNAL, "correlationId": cid})

    return api_handler


def _api_request_id(event: Any) -> Any:
    request_context = event.get("requestContext") if type(event) is dict else None
    return request_context.get("requestId") if type(request_context) is dict else None


def _records(event: Any) -> list[Any]:
    records = event.get("Records") if type(event) is dict else None
    if type(records) is not list or not records or any(type(r) is not dict for r in records):
        raise InputRejected(ErrorCode.INVALID_ENVELOPE)
    return records


def _wrap_sqs(fn: Callable[..., Any], guard: _Guard, pass_event: bool) -> LambdaHandler:
    validate_json = guard.validator.validate_json
    limit = guard.limit

    def sqs_handler(event: Any, context: Any) -> dict[str, list[dict[str, str]]]:
        try:
            records = _records(event)
            for record in records:
                message_id = record.get("messageId")
                if type(message_id) is not str or not message_id:
                    raise InputRejected(ErrorCode.INVALID_ENVELOPE)
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
                guard.handler_error(exc, value, context, message_id)
                failures.append({"itemIdentifier": message_id})
        if rejected:
            guard.metric(contract.REJECTED_INPUT_METRIC, rejected, context)
        return {"batchItemFailures": failures}

    return sqs_handler


def _sns_messages(event: Any) -> list[tuple[Any, Any, Any]]:
    out = []
    for record in _records(event):
        sns = record.get("Sns")
        if type(sns) is not dict or type(sns.get("Message")) is not str:
            raise InputRejected(ErrorCode.INVALID_ENVELOPE)
        out.append((sns["Message"], sns.get("MessageId"), record))
    return out


def _wrap_sns(fn: Callable[..., Any], guard: _Guard, pass_event: bool) -> LambdaHandler:
    def sns_handler(event: Any, context: Any) -> list[Any]:
        try:
            messages = _sns_messages(event)
        except InputRejected as exc:
            raise guard.reject(exc, context, None) from None
        values: list[Any] = []
        first: InputRejected | None = None
        rejected = 0
        for message, message_id, _ in messages:
            try:
                values.append(guard.validate(guard.text_payload(message, False)))
            except InputRejected as exc:
                guard.log_rejection(exc, context, message_id)
                first = first or exc
                rejected += 1
        if first is not None:
            # Validate every record before running the handler on any, so a retry never repeats work.
            guard.metric(contract.REJECTED_INPUT_METRIC, rejected, context)
            raise first
        results = []
        for value, (_, message_id, record) in zip(values, messages, strict=True):
            try:
                results.append(fn(value, context, record) if pass_event else fn(value, context))
            except Exception as exc:
                _raise_handler_error(guard, exc, value, context, message_id)
        return results

    return sns_handler


def _single_payload(guard: _Guard, event: Any) -> tuple[Any, Any]:
    """(payload, correlation id) of an EventBridge event or a raw event."""
    if guard.envelope == Envelope.EVENTBRIDGE:
        if type(event) is not dict or "detail" not in event or type(event.get("detail-type")) is not str:
            raise InputRejected(ErrorCode.INVALID_ENVELOPE)
        return event["detail"], event.get("id")
    return event, None


def _wrap_single(fn: Callable[..., Any], guard: _Guard, pass_event: bool) -> LambdaHandler:
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
            _raise_handler_error(guard, exc, value, context, event.get("id") if eventbridge else None)

    return single_handler


def _build(
    fn: Callable[..., Any],
    model: Any,
    envelope: str,
    max_payload_bytes: int | None,
    metric_namespace: str | None,
    pass_event: bool,
    logger: SupportsLogging | None,
    metrics: SupportsMetrics | None,
) -> LambdaHandler:
    guard = _Guard(model, envelope, max_payload_bytes, metric_namespace, logger, metrics)
    if envelope in (Envelope.API_GATEWAY_REST, Envelope.API_GATEWAY_HTTP):
        wrapped = _wrap_api(fn, guard, pass_event, v2=envelope == Envelope.API_GATEWAY_HTTP)
    elif envelope == Envelope.SQS:
        wrapped = _wrap_sqs(fn, guard, pass_event)
    elif envelope == Envelope.SNS:
        wrapped = _wrap_sns(fn, guard, pass_event)
    else:
        wrapped = _wrap_single(fn, guard, pass_event)
    return wraps(fn)(wrapped)


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
        return _build(fn, model, envelope, max_payload_bytes, metric_namespace, pass_event, logger, metrics)

    return decorate if handler is None else decorate(handler)


_GUARDS: dict[tuple[Any, ...], _Guard] = {}


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
        guard = _Guard(model, envelope, max_payload_bytes, metric_namespace, logger, metrics)
        if cacheable:
            _GUARDS[key] = guard
    correlation: Any = None
    rejection: InputRejected | None
    try:
        if envelope in (Envelope.API_GATEWAY_REST, Envelope.API_GATEWAY_HTTP):
            if type(event) is not dict or type(event.get("requestContext")) is not dict:
                raise InputRejected(ErrorCode.INVALID_ENVELOPE)
            correlation = _api_request_id(event)
            return guard.validate(guard.text_payload(event.get("body"), event.get("isBase64Encoded") is True))
        if envelope == Envelope.SQS:
            records = _records(event)
            payloads = [(r.get("body"), r.get("messageId")) for r in records]
        elif envelope == Envelope.SNS:
            payloads = [(m, mid) for m, mid, _ in _sns_messages(event)]
        else:
            payload, correlation = _single_payload(guard, event)
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
        guard.metric(contract.REJECTED_INPUT_METRIC, rejected, context)
        raise first
    return values
