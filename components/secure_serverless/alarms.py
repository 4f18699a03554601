"""Pure description of the alarms every function gets; the component turns them into MetricAlarms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dimension = Literal["function", "queue"]


@dataclass(frozen=True)
class AlarmSpec:
    key: str
    description: str
    namespace: str
    metric_name: str
    dimension: Dimension
    threshold: float
    comparison_operator: str = "GreaterThanOrEqualToThreshold"
    statistic: str | None = "Sum"
    extended_statistic: str | None = None
    period: int = 60
    evaluation_periods: int = 1
    datapoints_to_alarm: int = 1
    anomaly_band_width: float | None = None  # set for the anomaly-detection alarm


def alarm_specs(
    *,
    timeout_seconds: int,
    duration_ratio: float,
    anomaly_band_width: float,
    with_dead_letter_queue: bool,
    helper_metrics: tuple[str, str, str] | None,
) -> list[AlarmSpec]:
    """Errors, throttles, duration near the timeout, DLQ depth, invocation anomalies and, with the
    runtime helper (``helper_metrics`` = namespace, rejected-input metric, handler-error metric), its
    rejections and its caught handler errors."""
    specs = [
        AlarmSpec("errors", "The function raised errors.", "AWS/Lambda", "Errors", "function", 1),
        AlarmSpec(
            "throttles",
            "Invocations were throttled (concurrency cap reached).",
            "AWS/Lambda",
            "Throttles",
            "function",
            1,
        ),
        AlarmSpec(
            "duration",
            f"p99 duration above {int(duration_ratio * 100)}% of the timeout.",
            "AWS/Lambda",
            "Duration",
            "function",
            round(timeout_seconds * 1000 * duration_ratio),
            comparison_operator="GreaterThanThreshold",
            statistic=None,
            extended_statistic="p99",
            period=300,
        ),
        AlarmSpec(
            "invocations-anomaly",
            "Invocations left the learned baseline band.",
            "AWS/Lambda",
            "Invocations",
            "function",
            0,
            comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            anomaly_band_width=anomaly_band_width,
        ),
    ]
    if with_dead_letter_queue:
        specs.append(
            AlarmSpec(
                "dlq-depth",
                "Failed asynchronous events are waiting in the dead-letter queue.",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                "queue",
                1,
                statistic="Maximum",
                period=300,
            )
        )
    if helper_metrics is not None:
        namespace, rejected, handler_errors = helper_metrics
        specs.append(
            AlarmSpec(
                "rejected-input",
                "The handler rejected events that failed boundary validation.",
                namespace,
                rejected,
                "function",
                1,
                period=300,
            )
        )
        specs.append(
            AlarmSpec(
                "handler-errors",
                "The handler answered unexpected exceptions with a generic error.",
                namespace,
                handler_errors,
                "function",
                1,
            )
        )
    return specs
