"""The behaviour model: what a function declared, as plain versioned data.

Built from resolved values by :func:`build_model` (no Pulumi): the component path
(:mod:`.model_outputs`, a stack output) and the CLI path (:mod:`.graph`, a program run under mocks)
both feed it, so the shape is defined once. Shape, version 1::

    {"schema": "secure-serverless/behaviour-model", "version": 1,
     "function": {"logicalName", "name", "arn", "roleArn", "roleName", "logGroupArn", "runtime",
                  "timeoutSeconds", "memoryMb", "reservedConcurrency", "alarmTopicArn"},
     "permissions": [{"sid", "actions", "resources", "conditions"}],  # the generated policy's Allows
     "declaredActions": [...],            # sorted union of permissions[*].actions
     "invokers": {"functionUrl": {"authType"} | null, "permissions": [{"principal", "sourceArn", ...}],
                  "eventSourceMappings": [{"eventSourceArn", "batchSize"}]},
     "alarms": [{"key", "name", "arn", "description", "namespace", "metric", "comparison",
                 "threshold", "periodSeconds", "anomalyBandWidth"}],
     "baselines": [{"alarm", "namespace", "metric", "bandWidth", "periodSeconds"}],
     "quarantine": {"protected": bool, "mode", "threshold", "windowSeconds", "signals": {...}}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "secure-serverless/behaviour-model"
MODEL_VERSION = 1


@dataclass(frozen=True)
class FunctionFacts:
    """Resolved facts about one SecureFunction (camelCase dicts as the engine records resources)."""

    logical_name: str
    function: Mapping[str, Any]  # name, arn, runtime, timeout, memorySize, reservedConcurrentExecutions
    role_arn: str
    policy: Any  # the role's inline policy, a JSON string or a dict
    log_group_arn: str
    alarms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # key -> MetricAlarm properties
    function_url: Mapping[str, Any] | None = None
    permissions: Sequence[Mapping[str, Any]] = ()
    event_source_mappings: Sequence[Mapping[str, Any]] = ()
    alarm_topic_arn: str | None = None


@dataclass(frozen=True)
class QuarantineSettings:
    mode: str
    threshold: int
    window_seconds: int
    signals: Mapping[str, str] = field(default_factory=dict)  # alarm key -> quarantine | notify


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def allowed_statements(policy: Any) -> list[dict[str, Any]]:
    """The Allow statements of a policy document (a JSON string or a dict), normalised."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    if not isinstance(document, dict):
        raise ValueError("behaviour model: the role policy is not a JSON object")
    out = []
    for index, statement in enumerate(_as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        out.append(
            {
                "sid": statement.get("Sid") or f"Statement{index}",
                "actions": sorted(str(a) for a in _as_list(statement.get("Action"))),
                "resources": [str(r) for r in _as_list(statement.get("Resource"))],
                "conditions": statement.get("Condition") or {},
            }
        )
    return out


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _alarm(key: str, props: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": key,
        "name": props.get("name"),
        "arn": props.get("arn"),
        "description": props.get("alarmDescription"),
        "namespace": props.get("namespace"),
        "metric": props.get("metricName"),
        "comparison": props.get("comparisonOperator"),
        "threshold": _number(props.get("threshold")),
        "periodSeconds": _number(props.get("period")),
        "anomalyBandWidth": None,
    }
    for query in _as_list(props.get("metricQueries")):
        if not isinstance(query, Mapping):
            continue
        metric = query.get("metric")
        if isinstance(metric, Mapping):
            entry["namespace"] = metric.get("namespace")
            entry["metric"] = metric.get("metricName")
            entry["periodSeconds"] = _number(metric.get("period"))
        expression = query.get("expression")
        if isinstance(expression, str) and expression.startswith("ANOMALY_DETECTION_BAND("):
            width = expression.rstrip(")").rsplit(",", 1)[-1].strip()
            try:
                entry["anomalyBandWidth"] = float(width)
            except ValueError:
                entry["anomalyBandWidth"] = None
    return entry


def build_model(facts: FunctionFacts, quarantine: QuarantineSettings | None = None) -> dict[str, Any]:
    """The behaviour model of one function (see the module docstring for the shape).

    Examples
    --------
    >>> facts = FunctionFacts("api", {"name": "api-1", "arn": "arn:aws:lambda:eu-west-1:123456789012:function:api-1"},
    ...     "arn:aws:iam::123456789012:role/api-role", '{"Statement": [{"Effect": "Allow", '
    ...     '"Action": ["dynamodb:GetItem"], "Resource": ["arn:aws:dynamodb:eu-west-1:123456789012:table/t"]}]}',
    ...     "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api")
    >>> build_model(facts)["declaredActions"]
    ['dynamodb:GetItem']
    """
    permissions = allowed_statements(facts.policy)
    alarms = [_alarm(key, props) for key, props in sorted(facts.alarms.items())]
    fn = facts.function
    url = facts.function_url
    return {
        "schema": SCHEMA,
        "version": MODEL_VERSION,
        "function": {
            "logicalName": facts.logical_name,
            "name": fn.get("name"),
            "arn": fn.get("arn"),
            "roleArn": facts.role_arn,
            "roleName": facts.role_arn.rsplit("/", 1)[-1],
            "logGroupArn": facts.log_group_arn,
            "runtime": fn.get("runtime"),
            "timeoutSeconds": _number(fn.get("timeout")),
            "memoryMb": _number(fn.get("memorySize")),
            "reservedConcurrency": _number(fn.get("reservedConcurrentExecutions")),
            "alarmTopicArn": facts.alarm_topic_arn,
        },
        "permissions": permissions,
        "declaredActions": sorted({a for p in permissions for a in p["actions"]}),
        "invokers": {
            "functionUrl": {"authType": url.get("authorizationType")} if url is not None else None,
            "permissions": [
                {
                    "principal": p.get("principal"),
                    "action": p.get("action"),
                    "sourceArn": p.get("sourceArn"),
                    "sourceAccount": p.get("sourceAccount"),
                }
                for p in facts.permissions
            ],
            "eventSourceMappings": [
                {"eventSourceArn": m.get("eventSourceArn"), "batchSize": _number(m.get("batchSize"))}
                for m in facts.event_source_mappings
            ],
        },
        "alarms": alarms,
        "baselines": [
            {
                "alarm": a["key"],
                "namespace": a["namespace"],
                "metric": a["metric"],
                "bandWidth": a["anomalyBandWidth"],
                "periodSeconds": a["periodSeconds"],
            }
            for a in alarms
            if a["anomalyBandWidth"] is not None
        ],
        "quarantine": _quarantine_block(quarantine),
    }


def with_quarantine(model: Mapping[str, Any], quarantine: QuarantineSettings) -> dict[str, Any]:
    """A copy of ``model`` marked as protected with ``quarantine``'s settings."""
    return {**model, "quarantine": _quarantine_block(quarantine)}


def _quarantine_block(quarantine: QuarantineSettings | None) -> dict[str, Any]:
    if quarantine is None:
        return {"protected": False, "mode": None, "threshold": None, "windowSeconds": None, "signals": {}}
    return {
        "protected": True,
        "mode": quarantine.mode,
        "threshold": quarantine.threshold,
        "windowSeconds": quarantine.window_seconds,
        "signals": dict(quarantine.signals),
    }
