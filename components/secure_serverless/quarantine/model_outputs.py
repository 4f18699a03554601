"""The behaviour model of a live SecureFunction, as a ``pulumi.Output`` (the component's stack output)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from secure_serverless.quarantine.model import FunctionFacts, build_model

if TYPE_CHECKING:
    import pulumi_aws as aws

    from secure_serverless.function import SecureFunction


def _plain(value: Any, rename: bool = True) -> Any:
    """Property values of output types (keyed in snake_case, also after ``Output.all`` turned them into
    plain dicts) as camelCase dicts, like the engine records them; ``dimensions`` keep their keys."""
    if isinstance(value, list | tuple):
        return [_plain(v, rename) for v in value]
    if isinstance(value, dict):
        return {
            (_camel(k) if rename else k): _plain(v, rename and k != "dimensions")
            for k, v in value.items()
            if v is not None
        }
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _alarm_properties(alarm: aws.cloudwatch.MetricAlarm) -> pulumi.Output[dict[str, Any]]:
    return pulumi.Output.all(
        alarm.name,
        alarm.arn,
        alarm.alarm_description,
        alarm.namespace,
        alarm.metric_name,
        alarm.comparison_operator,
        alarm.threshold,
        alarm.period,
        alarm.metric_queries,
    ).apply(
        lambda v: {
            "name": v[0],
            "arn": v[1],
            "alarmDescription": v[2],
            "namespace": v[3],
            "metricName": v[4],
            "comparisonOperator": v[5],
            "threshold": v[6],
            "period": v[7],
            "metricQueries": _plain(v[8] or []),
        }
    )


def behaviour_model_of(component: SecureFunction) -> pulumi.Output[dict[str, Any]]:
    """The model of ``component`` (unprotected: :class:`~secure_serverless.quarantine.Quarantine` marks it).

    Examples
    --------
    >>> api = SecureFunction("orders-api", SecureFunctionArgs(...))  # doctest: +SKIP
    >>> pulumi.export("ordersApiModel", api.behaviour_model)  # doctest: +SKIP
    """
    function = component.function
    keys = sorted(component.alarms)
    topic = component.alarm_topic.arn if component.alarm_topic is not None else component._args.alarm_topic_arn
    function_props = pulumi.Output.all(
        function.name,
        function.arn,
        function.runtime,
        function.timeout,
        function.memory_size,
        function.reserved_concurrent_executions,
    ).apply(
        lambda v: {
            "name": v[0],
            "arn": v[1],
            "runtime": v[2],
            "timeout": v[3],
            "memorySize": v[4],
            "reservedConcurrentExecutions": v[5],
        }
    )
    url = component.function_url.authorization_type if component.function_url is not None else None
    return pulumi.Output.all(
        function_props,
        component.role.arn,
        component.role_policy.policy,
        component.log_group.arn,
        pulumi.Output.all(*[_alarm_properties(component.alarms[k]) for k in keys]),
        url,
        topic,
    ).apply(
        lambda v: build_model(
            FunctionFacts(
                logical_name=component._logical_name,
                function=v[0],
                role_arn=v[1],
                policy=v[2],
                log_group_arn=v[3],
                alarms=dict(zip(keys, v[4], strict=True)),
                function_url={"authorizationType": v[5]} if v[5] is not None else None,
                alarm_topic_arn=v[6],
            )
        )
    )
