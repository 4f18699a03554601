"""Monitoring guardrails: every function has Errors and Throttles alarms that notify someone.

An alarm notifies when ``actionsEnabled`` is not false and alarm actions are set; a composite alarm
that notifies and whose rule names a function's alarm (``ALARM("name")`` or its ARN) notifies for it
(GUARDRAILS.md, "Alarms that notify").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, string_array
from guardrails._policy import Ctx, Res, Stack, stack_policy
from guardrails._values import UNKNOWN, as_bool, get, is_set, is_unknown

COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
# ALARM(name), ALARM("name") or ALARM('arn:...'): the alarm states a composite rule reacts to
_RULE_ALARM = re.compile(r"\bALARM\s*\(\s*[\"']?([^\"')]+?)[\"']?\s*\)", re.IGNORECASE)


@dataclass
class _Watch:
    alarm: Res
    metric: str
    function: Any  # a name, UNKNOWN, or None


def notifies_itself(alarm: Res) -> bool | None:
    """Whether an alarm's own actions notify: actions enabled and alarm actions set (None: unknown)."""
    enabled = alarm.props.get("actionsEnabled")
    if is_unknown(enabled):
        return None
    if as_bool(enabled) is False:
        return False
    return is_set(alarm.props.get("alarmActions"))


def _named_by_rule(rule: str, alarm: Res) -> bool:
    keys = {alarm.props.get("name"), alarm.props.get("arn"), alarm.props.get("alarmName")}
    return any(isinstance(k, str) and k and name.strip() == k for name in _RULE_ALARM.findall(rule) for k in keys)


def _notifying(stack: Stack) -> dict[str, bool | None]:
    """Alarm URN -> whether it notifies, by its own actions or through composite alarms naming it."""
    alarms = stack.of_type(t.METRIC_ALARM, COMPOSITE_ALARM)
    verdict: dict[str, bool | None] = {alarm.urn: notifies_itself(alarm) for alarm in alarms}
    composites = stack.of_type(COMPOSITE_ALARM)
    for _ in range(len(composites) + 1):  # composites may name composites: settle to a fixed point
        changed = False
        for composite in composites:
            own = verdict[composite.urn]
            if own is False:
                continue
            rule = composite.props.get("alarmRule")
            for alarm in alarms:
                if alarm is composite or verdict[alarm.urn] is True:
                    continue
                if is_unknown(rule):
                    by_dependency = alarm.urn in composite.property_dependencies.get("alarmRule", ())
                    named: bool | None = True if by_dependency else None
                else:
                    named = isinstance(rule, str) and _named_by_rule(rule, alarm)
                if named is False:
                    continue
                new = True if (named is True and own is True) else None
                if new is None and verdict[alarm.urn] is False:
                    verdict[alarm.urn] = None
                    changed = True
                elif new is True:
                    verdict[alarm.urn] = True
                    changed = True
        if not changed:
            break
    return verdict


def _watches(alarm: Res) -> list[_Watch]:
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
        function = UNKNOWN if is_unknown(dimensions) else get(dimensions, "FunctionName")
        out.append(_Watch(alarm, name, function))
    return out


def _check_alarms(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    required = cfg.strings("requiredMetrics")
    watches = [w for alarm in stack.of_type(t.METRIC_ALARM) for w in _watches(alarm)]
    notifying = _notifying(stack) if watches else {}
    for fn in stack.of_type(t.FUNCTION):
        name = fn.props.get("name")
        for metric in required:
            mine: list[_Watch] = []
            undecided = False
            for watch in (w for w in watches if w.metric == metric):
                links = watch.alarm.property_dependencies
                deps = {u for prop in ("dimensions", "metricQueries") for u in links.get(prop, ())}
                if isinstance(watch.function, str) and isinstance(name, str):
                    if watch.function == name:  # links are values: the dimension names the function
                        mine.append(watch)
                elif is_unknown(watch.function) or is_unknown(name) or not isinstance(name, str):
                    if fn.urn in deps:
                        mine.append(watch)
                    else:
                        undecided = True
            verdicts = [notifying.get(w.alarm.urn) for w in mine]
            if any(v is True for v in verdicts):
                continue
            if any(v is None for v in verdicts) or undecided:
                ctx.undecided(fn, f"alarms.{metric}")
                continue
            disabled = any(as_bool(w.alarm.props.get("actionsEnabled")) is False for w in mine)
            state = ("has its actions disabled" if disabled else "has no action") if mine else "is missing"
            ctx.fail(
                fn,
                f"Lambda function '{fn.name}': the {metric} alarm {state}; every function must have "
                f"{' and '.join(required)} alarms with an alarm action. Fix: SecureFunction creates them by "
                "default (keep its alarms and alarm topic); raw: aws.cloudwatch.MetricAlarm(namespace='AWS/Lambda', "
                f"metric_name='{metric}', dimensions={{'FunctionName': fn.name}}, alarm_actions=[topic.arn]) "
                "(actions_enabled not False), or a notifying aws.cloudwatch.CompositeAlarm whose rule names it.",
            )


FUNCTION_ALARMS = stack_policy(
    name="monitoring-function-alarms",
    description=(
        "Stack policy: every Lambda function has an Errors alarm and a Throttles alarm (AWS/Lambda, its "
        "FunctionName) that notifies: actions enabled with an alarm action, or named by a notifying composite "
        "alarm (preview: alarms are matched through dependencies; an unknown action list or unmatched unknown "
        "dimension is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation="Create Errors and Throttles MetricAlarms for the function with alarm_actions set.",
    types=[t.FUNCTION, t.METRIC_ALARM, COMPOSITE_ALARM],
    check=_check_alarms,
    config={
        "requiredMetrics": string_array(["Errors", "Throttles"], "AWS/Lambda metrics each function must alarm on.")
    },
)

POLICIES: list[Policy] = [FUNCTION_ALARMS]
