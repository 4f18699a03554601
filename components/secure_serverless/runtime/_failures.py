"""Unexpected handler exceptions: logged and counted with secret values scrubbed, then made safe to
re-raise (or, for API Gateway, answered with a 500 by the envelope wrapper)."""

from __future__ import annotations

from typing import Any, Final, NoReturn

from secure_serverless.runtime import contract
from secure_serverless.runtime._errors import HandlerFailed
from secure_serverless.runtime._secrets import WITHHELD, scrub, secret_values
from secure_serverless.runtime._telemetry import ERROR, Telemetry, correlation_id_for, safe_text

_MAX_ERROR_MESSAGE: Final = 2048


def report_handler_error(
    telemetry: Telemetry, exc: Exception, value: Any, context: Any, correlation_id: Any
) -> tuple[str | None, Exception | None]:
    """Log an unexpected handler exception with secrets scrubbed, count it, and make the exception
    itself safe to re-raise. Returns the correlation id and, if the exception could not be scrubbed in
    place, a replacement to raise."""
    import traceback

    cid = correlation_id_for(correlation_id, context)
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
    record = telemetry.record("handler_error", context, cid)
    record["errorType"] = type(exc).__name__
    record["errorMessage"] = safe_text(clean, _MAX_ERROR_MESSAGE)
    record["stackTrace"] = [safe_text(f"{f.filename}:{f.lineno} in {f.name}", 512) for f in frames[-20:]]
    telemetry.log(ERROR, record)
    telemetry.metric(contract.HANDLER_ERROR_METRIC, 1, context)
    return cid, replacement


def raise_handler_error(telemetry: Telemetry, exc: Exception, value: Any, context: Any, cid: Any) -> NoReturn:
    """:func:`report_handler_error`, then re-raise ``exc`` (scrubbed) or its replacement."""
    _, replacement = report_handler_error(telemetry, exc, value, context, cid)
    if replacement is not None:
        raise replacement from None
    raise exc
