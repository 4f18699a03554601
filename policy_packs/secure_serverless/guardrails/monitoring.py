"""Monitoring guardrails: every function has Errors and Throttles alarms that notify someone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, string_array
from guardrails._policy import Ctx, Res, Stack, stack_policy
from guardrails._values import get, is_set, is_unknown


@dataclass
class _Watch:
    alarm: Res
    metric: str
    function: Any  # a name, UNKNOWN, or None
    has_action: bool | None


def _watches(alarm: Res) -> list[_Watch]:
    actions = is_set(alarm.props.get("alarmActions"))
    out: list[_Watch] = []
    metrics: list[Any] = [alarm.props]
    queries = alarm.props.get("metricQueries")
    if isinstance(queries, list):
        metrics.extend(get(q, "metric") for q in queries if isinstance(q, dict))
    for metric in metrics:
        if not isinstance(metric, dict):
            continue
        namespace, name = metric.get("namespace"), metric.get("metricName")
        if namespace != "AWS/Lambda" or not isinstance(name, str):
            continue
        dimensions = metric.get("dimensions")
        function = UNKNOWN_FN if is_unknown(dimensions) else get(dimensions, "FunctionName")
        out.append(_Watch(alarm, name, function, actions))
    return out


UNKNOWN_FN = object()


def _check_alarms(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    required = cfg.strings("requiredMetrics")
    watches = [w for alarm in stack.of_type(t.METRIC_ALARM) for w in _watches(alarm)]
    for fn in stack.of_type(t.FUNCTION):
        name = fn.props.get("name")
        for metric in required:
            candidates = [w for w in watches if w.metric == metric]
            mine: list[_Watch] = []
            undecided = False
            for watch in candidates:
                links = watch.alarm.property_dependencies
                deps = {u for prop in ("dimensions", "metricQueries") for u in links.get(prop, ())}
                if isinstance(watch.function, str) and isinstance(name, str):
                    if watch.function == name:
                        mine.append(watch)
                elif fn.urn in deps:
                    mine.append(watch)
                elif watch.function is UNKNOWN_FN or is_unknown(watch.function) or not isinstance(name, str):
                    undecided = True
            if any(w.has_action is not False for w in mine if w.has_action is not None):
                continue
            if any(w.has_action is None for w in mine) or undecided:
                ctx.undecided(fn, f"alarms.{metric}")
                continue
            state = "has no action" if mine else "is missing"
            ctx.fail(
                fn,
                f"Lambda function '{fn.name}': the {metric} alarm {state}; every function must have "
                f"{' and '.join(required)} alarms with an alarm action. Fix: SecureFunction creates them by "
                "default (keep its alarms and alarm topic); raw: aws.cloudwatch.MetricAlarm(namespace='AWS/Lambda', "
                f"metric_name='{metric}', dimensions={{'FunctionName': fn.name}}, alarm_actions=[topic.arn]).",
            )


FUNCTION_ALARMS = stack_policy(
    name="monitoring-function-alarms",
    description=(
        "Stack policy: every Lambda function has an Errors alarm and a Throttles alarm (AWS/Lambda, its "
        "FunctionName) with an alarm action (preview: alarms are matched through dependencies; an unknown "
        "action list or unmatched unknown dimension is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Create Errors and Throttles MetricAlarms for the function with alarm_actions set.",
    types=[t.FUNCTION, t.METRIC_ALARM],
    check=_check_alarms,
    config={
        "requiredMetrics": string_array(["Errors", "Throttles"], "AWS/Lambda metrics each function must alarm on.")
    },
)

POLICIES: list[Policy] = [FUNCTION_ALARMS]
