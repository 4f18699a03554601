"""The boundary of one decorated handler: size limit, strict JSON parsing and validation, and the record
of every refused event (a log line and the ``RejectedInput`` metric).

The envelope wrappers inline the common case of these checks; everything here is the general path.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ValidationError

from secure_serverless.runtime import _config, contract
from secure_serverless.runtime._config import Envelope
from secure_serverless.runtime._errors import ErrorCode, InputRejected
from secure_serverless.runtime._request import PartValidator
from secure_serverless.runtime._strict_json import duplicate_key_check
from secure_serverless.runtime._telemetry import (
    WARNING,
    SupportsLogging,
    SupportsMetrics,
    Telemetry,
    correlation_id_for,
)
from secure_serverless.runtime._validation import failure_rejection, rejection_for, schema_names, validator_for

#: The request parts besides the body, in the order they are validated.
PARTS = ("path", "query", "headers")


def _check_declared(model: Any, envelope: str, parts: dict[str, Any]) -> None:
    if parts and envelope not in Envelope.HTTP:
        raise ValueError(f"path, query and headers models need an HTTP envelope {Envelope.HTTP}, got {envelope!r}")
    if "path" in parts and envelope == Envelope.ALB:
        raise ValueError("an ALB event has no path parameters: drop path= (validate the 'path' field instead)")
    if model is None and envelope not in Envelope.HTTP:
        raise ValueError(f"the {envelope!r} envelope needs a model: model= (or body=)")


def _text(payload: str | bytes) -> str:
    if isinstance(payload, str):
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected(ErrorCode.MALFORMED_PAYLOAD) from None


class Guard:
    """Everything a decorated handler needs off the hot path: settings, payload checks, rejections."""

    def __init__(
        self,
        model: Any,
        envelope: str,
        max_payload_bytes: int | None,
        metric_namespace: str | None,
        logger: SupportsLogging | None,
        metrics: SupportsMetrics | None,
        *,
        parts: dict[str, Any] | None = None,
        allow_inf_nan: bool = False,
        allow_duplicate_keys: bool = False,
    ) -> None:
        self.envelope = _config.envelope_name(envelope)
        declared = {name: parts[name] for name in PARTS if parts and parts.get(name) is not None}
        _check_declared(model, self.envelope, declared)
        self.has_body = model is not None
        self.text = False
        self.validator: Any = None
        self._core_schema: Any = None
        if model is not None:
            self.validator, self._core_schema, self.text = validator_for(model, allow_inf_nan)
        self.parts = tuple(PartValidator(name, part, allow_inf_nan) for name, part in declared.items())
        #: HTTP handlers that declare a request part, or no body at all, receive a :class:`Request`.
        self.request_mode = bool(declared) or model is None
        self.allow_inf_nan = allow_inf_nan
        # Duplicate keys can only be seen in JSON text: a decoded event (EventBridge, raw) already lost them.
        decoded = self.envelope in (Envelope.RAW, Envelope.EVENTBRIDGE)
        check = allow_duplicate_keys or self.text or not self.has_body or decoded
        self.check_duplicates = None if check else duplicate_key_check()
        self._names: set[str] | None = None
        self.limit = _config.payload_limit(max_payload_bytes, self.envelope)
        self.telemetry = Telemetry(
            self.envelope, _config.metric_namespace(metric_namespace), _config.log_threshold(), logger, metrics
        )

    # --- payload checks (shared by every envelope) ---------------------------------------------------

    def text_payload(self, body: Any, base64_encoded: bool) -> str | bytes:
        """A text payload after the size check (and base64 decoding); raises InputRejected."""
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

    def validate(self, payload: str | bytes) -> Any:
        """The body model of a size-checked payload: plain text for a ``str`` model, else strict JSON
        (no duplicate keys unless allowed). Raises InputRejected, never chained to the input."""
        try:
            if self.text:
                return self.validator.validate_python(_text(payload), strict=True)
            value = self.validator.validate_json(payload, strict=True)
        except ValidationError as exc:
            rejection = self.rejection(exc)
        except InputRejected:
            raise
        except Exception as exc:  # a validator's own bug or trap: a rejection, never a crash
            rejection = failure_rejection(exc)
        else:
            if self.check_duplicates is not None:
                self.duplicates(payload)
            return value
        raise rejection

    def duplicates(self, payload: str | bytes) -> None:
        """MALFORMED_PAYLOAD if the JSON text repeats a key in an object."""
        assert self.check_duplicates is not None
        try:
            self.check_duplicates(payload)
        except ValueError as exc:
            kind = "json_duplicate_key" if str(exc).startswith("Detected duplicate key") else "json_invalid"
            raise InputRejected(ErrorCode.MALFORMED_PAYLOAD, ({"path": "$", "type": kind},)) from None

    def rejection(self, exc: ValidationError) -> InputRejected:
        """The rejection for a validation error of this handler's model (safe field paths only)."""
        if self._names is None:
            self._names = schema_names(self._core_schema, set())
        return rejection_for(exc, self._names)

    # --- the record of rejections --------------------------------------------------------------------

    def log_rejection(self, rejection: InputRejected, context: Any, correlation_id: Any) -> None:
        """The security log line for one rejected event/record; fixes its correlation id."""
        cid = correlation_id_for(correlation_id, context)
        rejection.correlation_id = cid
        record = self.telemetry.record("input_rejected", context, cid)
        record["code"] = rejection.code
        record["fields"] = list(rejection.fields)
        record["fieldsTruncated"] = rejection.fields_truncated
        record["payloadBytes"] = rejection.payload_bytes
        record["limitBytes"] = self.limit
        if rejection.error_type is not None:
            record["errorType"] = rejection.error_type
        self.telemetry.log(WARNING, record)

    def count_rejected(self, count: int, context: Any) -> None:
        """The ``RejectedInput`` metric: ``count`` events/records refused by one invocation."""
        self.telemetry.metric(contract.REJECTED_INPUT_METRIC, count, context)

    def reject(self, rejection: InputRejected, context: Any, correlation_id: Any) -> InputRejected:
        """Log and count one rejected event; returns the rejection (to raise or answer with)."""
        self.log_rejection(rejection, context, correlation_id)
        self.count_rejected(1, context)
        return rejection
