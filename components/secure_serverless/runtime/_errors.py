"""What a caller is told when an event is refused: stable error codes, their fixed messages, and the
exceptions the helper raises. Neither holds input values: only codes and field paths."""

from __future__ import annotations

from typing import Any, Final

from secure_serverless.runtime._responses import api_response


class ErrorCode:
    """Stable error codes: the ``error`` member of a rejection response and the ``code`` of log lines."""

    PAYLOAD_TOO_LARGE: Final = "PAYLOAD_TOO_LARGE"
    MALFORMED_PAYLOAD: Final = "MALFORMED_PAYLOAD"
    VALIDATION_FAILED: Final = "VALIDATION_FAILED"
    INVALID_ENVELOPE: Final = "INVALID_ENVELOPE"
    INTERNAL_ERROR: Final = "INTERNAL_ERROR"


MESSAGES: Final = {
    ErrorCode.PAYLOAD_TOO_LARGE: "The request payload is larger than this endpoint accepts.",
    ErrorCode.MALFORMED_PAYLOAD: "The request payload is missing or is not valid UTF-8 JSON.",
    ErrorCode.VALIDATION_FAILED: "The request payload failed validation.",
    ErrorCode.INVALID_ENVELOPE: "The event does not have the shape this function expects.",
    ErrorCode.INTERNAL_ERROR: "Internal server error.",
}
INTERNAL_ERROR_MESSAGE: Final = MESSAGES[ErrorCode.INTERNAL_ERROR]
#: At most this many failing fields are returned to the client (the log line holds up to
#: ``_validation.MAX_LOGGED_FIELDS``).
MAX_RESPONSE_FIELDS: Final = 20


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
        #: The type name of an unexpected exception raised while validating (logged, never returned).
        self.error_type: str | None = None

    def __str__(self) -> str:
        paths = ", ".join(
            f"{f['in'] + ':' if 'in' in f else ''}{f['path']} ({f['type']})" for f in self.fields[:MAX_RESPONSE_FIELDS]
        )
        more = " ..." if self.fields_truncated or len(self.fields) > MAX_RESPONSE_FIELDS else ""
        where = f" at {paths}{more}" if paths else ""
        return f"{self.code}: {MESSAGES.get(self.code, 'rejected')}{where} [correlationId={self.correlation_id}]"

    def body(self) -> dict[str, Any]:
        """The JSON body of the API response: code, fixed message, field paths, correlation id."""
        fields = list(self.fields[:MAX_RESPONSE_FIELDS])
        body: dict[str, Any] = {"error": self.code, "message": MESSAGES.get(self.code, "Rejected.")}
        body["fields"] = fields
        if self.fields_truncated or len(self.fields) > MAX_RESPONSE_FIELDS:
            body["fieldsTruncated"] = True
        body["correlationId"] = self.correlation_id
        return body

    def to_response(self) -> dict[str, Any]:
        """An API Gateway (REST or HTTP API) proxy response: status 400 and :meth:`body` as JSON."""
        return api_response(400, self.body())


class HandlerFailed(Exception):
    """Raised instead of a handler's exception whose message would have exposed a secret value."""
