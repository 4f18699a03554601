"""Where the helper's security signals go: JSON log lines (or a team's logger) and EMF metric lines.

This module only writes; :mod:`._guard` (rejections) and :mod:`._failures` (handler errors) decide what.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Final, Protocol

from secure_serverless.runtime import contract
from secure_serverless.runtime._responses import dumps

# The standard ``logging`` level numbers of the helper's two kinds of line.
WARNING: Final = 30
ERROR: Final = 40
_LINE_BREAKS: Final = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\x85"})


class SupportsLogging(Protocol):
    """A Powertools ``Logger`` or a standard ``logging.Logger``: structured keys go in ``extra``."""

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...

    def error(self, msg: str, *args: Any, **kwargs: Any) -> Any: ...


class SupportsMetrics(Protocol):
    """A Powertools ``Metrics`` instance (``add_metric(name=..., unit=..., value=...)``)."""

    def add_metric(self, name: str, unit: Any, value: float, *args: Any, **kwargs: Any) -> Any: ...


def safe_text(text: str, limit: int) -> str:
    """Text safe for one JSON log line: no lone surrogates, no Unicode line separators, bounded."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").translate(_LINE_BREAKS)
    return text if len(text) <= limit else text[:limit] + "...(truncated)"


def correlation_id_for(candidate: Any, context: Any) -> str | None:
    """``candidate`` if it is a short printable ASCII string, else the Lambda request id (if that is)."""
    return _safe_id(candidate) or _safe_id(getattr(context, "aws_request_id", None))


def _safe_id(value: Any) -> str | None:
    if type(value) is str and 0 < len(value) <= 128 and value.isascii() and value.isprintable():
        return value
    return None


def _timestamp(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _function_name(context: Any) -> str:
    name = getattr(context, "function_name", None)
    if type(name) is not str or not name:
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or "unknown"
    return name


class Telemetry:
    """The log lines and metrics of one decorated handler (``source`` is its envelope name)."""

    def __init__(
        self,
        source: str,
        namespace: str,
        threshold: int,
        logger: SupportsLogging | None,
        metrics: SupportsMetrics | None,
    ) -> None:
        self.source = source
        self.namespace = namespace
        self.threshold = threshold
        self.logger = logger
        self.metrics = metrics

    def record(self, event_name: str, context: Any, correlation_id: str | None) -> dict[str, Any]:
        """The members every log line starts with."""
        request_id = _safe_id(getattr(context, "aws_request_id", None))
        return {
            "event": event_name,
            "source": self.source,
            "functionName": _function_name(context),
            "requestId": request_id,
            "correlationId": correlation_id or request_id,
        }

    def log(self, level: int, record: dict[str, Any]) -> None:
        """One log line (if ``level`` reaches the threshold): to the team's logger, else JSON on stdout."""
        if level < self.threshold:
            return
        if self.logger is not None:
            log = self.logger.error if level >= ERROR else self.logger.warning
            log(record["event"], extra={k: v for k, v in record.items() if k != "event"})
            return
        now = time.time()
        line = {"timestamp": _timestamp(now), "level": "ERROR" if level >= ERROR else "WARNING"}
        line["logger"] = "secure_serverless.runtime"
        line.update(record)
        sys.stdout.write(dumps(line) + "\n")
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
        sys.stdout.write(dumps(doc) + "\n")
        sys.stdout.flush()
        if self.metrics is not None:
            try:
                self.metrics.add_metric(name=name, unit=contract.METRIC_UNIT, value=count)
            except Exception as exc:  # a team's metrics object must never turn a 400 into a 500
                self.log(WARNING, {"event": "metrics_integration_failed", "errorType": type(exc).__name__})
