"""Happy-path stacks shaped like SecureFunction's resource graph, as RecordedResource lists.

``secure_function(name)`` returns the 14 resources the component contract registers per function (key,
alias, role, role policy, log group, DLQ + queue policy, alarm topic, function, five alarms) plus the
component itself, with realistic inputs (camelCase, floats), outputs, parents and property
dependencies. ``preview=True`` makes every value derived from another resource's output unknown, as in
a preview of a new stack. Tests change one thing with :func:`patch`.

Kept for test modules written before tests/support: new tests use ``support.stacks``, whose happy
stack is what the real SecureFunction registers under the checker's mocks.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from secure_serverless.check.model import UNKNOWN, RecordedResource

from support.stacks import add as add
from support.stacks import find as find
from support.stacks import patch as patch

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PROJECT = "project"
STACK = "stack"
COMPONENT = "secure-serverless:index:SecureFunction"
PROVIDER = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::default_7_51_1::provider-id"


def urn(type_: str, name: str, parent_type: str | None = COMPONENT) -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


class Builder:
    """Collects resources; ``out(value)`` is the value in an update and UNKNOWN in a preview."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview
        self.resources: list[RecordedResource] = []

    def out(self, value: Any) -> Any:
        return UNKNOWN if self.preview else value

    def add(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any] | None = None,
        *,
        parent: str | None = None,
        deps: Mapping[str, Iterable[str]] | None = None,
        custom: bool = True,
    ) -> str:
        resource_urn = urn(type_, name, COMPONENT if parent else None)
        property_dependencies = {k: tuple(v) for k, v in (deps or {}).items()}
        dependencies = tuple(dict.fromkeys(u for v in property_dependencies.values() for u in v))
        self.resources.append(
            RecordedResource(
                type=type_,
                name=name,
                urn=resource_urn,
                custom=custom,
                parent=parent,
                provider=PROVIDER if custom else None,
                inputs=inputs,
                outputs={} if self.preview or not custom else {**inputs, **(outputs or {})},
                dependencies=dependencies,
                property_dependencies=property_dependencies,
            )
        )
        return resource_urn


def _doc(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def secure_function(name: str, *, preview: bool = False, runtime: str = "python3.12") -> list[RecordedResource]:
    """The resources one SecureFunction with defaults registers."""
    b = Builder(preview)
    fn_name = f"{name}-fn"
    key_id = f"{zlib.crc32(name.encode()):08x}-aaaa-bbbb-cccc-000000000000"
    key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    role_name = f"{name}-role-1234567"
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
    group_name = f"/aws/lambda/{fn_name}"
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group_name}"
    queue_name = f"{name}-dlq-1234567"
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"
    queue_url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{queue_name}"
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-alarms-1234567"

    component = b.add(COMPONENT, name, {}, custom=False)

    root = f"arn:aws:iam::{ACCOUNT}:root"
    key_policy = _doc([
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Role", "Effect": "Allow", "Principal": {"AWS": role_arn},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"},
        {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                   f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group_name}"}}},
        {"Sid": "Alarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
    ])
    key = b.add("aws:kms/key:Key", f"{name}-key", {
        "enableKeyRotation": True, "rotationPeriodInDays": 365.0, "deletionWindowInDays": 30.0,
        "description": f"{name} key", "policy": b.out(json.dumps(key_policy)),
    }, {"arn": key_arn, "keyId": key_id, "id": key_id}, parent=component)
    b.add("aws:kms/alias:Alias", f"{name}-alias", {"name": f"alias/{name}", "targetKeyId": b.out(key_id)},
          {"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/{name}"}, parent=component, deps={"targetKeyId": [key]})

    trust = _doc([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}])
    role = b.add("aws:iam/role:Role", f"{name}-role", {
        "assumeRolePolicy": json.dumps(trust), "tags": {"secure-serverless:function": name},
    }, {"arn": role_arn, "name": role_name, "id": role_name, "uniqueId": "AROAEXAMPLE"}, parent=component)

    policy = _doc([
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [f"{group_arn}:*"]},
        {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
         "Resource": "*"},
        {"Sid": "DeadLetter", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [queue_arn]},
        {"Sid": "Key", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [key_arn]},
    ])
    b.add("aws:iam/rolePolicy:RolePolicy", f"{name}-policy", {
        "role": b.out(role_name), "policy": b.out(json.dumps(policy)),
    }, {"name": f"{name}-policy", "id": f"{role_name}:{name}-policy"}, parent=component,
        deps={"role": [role], "policy": [key, role]})

    group = b.add("aws:cloudwatch/logGroup:LogGroup", f"{name}-logs", {
        "name": group_name, "retentionInDays": 365.0, "kmsKeyId": b.out(key_arn),
    }, {"arn": group_arn, "id": group_name}, parent=component, deps={"kmsKeyId": [key]})

    queue = b.add("aws:sqs/queue:Queue", f"{name}-dlq", {
        "kmsMasterKeyId": b.out(key_arn), "messageRetentionSeconds": 1209600.0,
    }, {"arn": queue_arn, "url": queue_url, "id": queue_url, "name": queue_name}, parent=component,
        deps={"kmsMasterKeyId": [key]})
    tls = _doc([{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                 "Resource": queue_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])
    b.add("aws:sqs/queuePolicy:QueuePolicy", f"{name}-dlq-policy", {
        "queueUrl": b.out(queue_url), "policy": b.out(json.dumps(tls)),
    }, {"id": queue_url}, parent=component, deps={"queueUrl": [queue], "policy": [queue]})

    topic = b.add("aws:sns/topic:Topic", f"{name}-alarms", {"kmsMasterKeyId": b.out(key_arn)},
                  {"arn": topic_arn, "id": topic_arn}, parent=component, deps={"kmsMasterKeyId": [key]})

    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn_name}"
    function = b.add("aws:lambda/function:Function", f"{name}-function", {
        "name": fn_name, "role": b.out(role_arn), "runtime": runtime, "handler": "app.handler",
        "kmsKeyArn": b.out(key_arn), "memorySize": 256.0, "timeout": 30.0, "architectures": ["arm64"],
        "tracingConfig": {"mode": "Active"}, "reservedConcurrentExecutions": 20.0,
        "deadLetterConfig": {"targetArn": b.out(queue_arn)},
        "loggingConfig": {"logFormat": "JSON", "logGroup": group_name},
        "environment": {"variables": {"LOG_LEVEL": "INFO", "POWERTOOLS_SERVICE_NAME": name}},
        "packageType": "Zip", "tags": {"secure-serverless:function": name},
    }, {"arn": fn_arn, "id": fn_name, "invokeArn": f"{fn_arn}/invocations"}, parent=component,
        deps={"role": [role], "kmsKeyArn": [key], "deadLetterConfig": [queue], "loggingConfig": [group]})

    def alarm(suffix: str, metric: str, namespace: str = "AWS/Lambda", dims: Any = None,
              extra: dict[str, Any] | None = None, dim_deps: Iterable[str] = (function,)) -> None:
        inputs: dict[str, Any] = {
            "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1.0, "threshold": 0.0,
            "alarmActions": [b.out(topic_arn)], "treatMissingData": "notBreaching",
        }
        if metric:
            inputs.update(namespace=namespace, metricName=metric, period=60.0, statistic="Sum",
                          dimensions=dims if dims is not None else {"FunctionName": fn_name})
        inputs.update(extra or {})
        b.add("aws:cloudwatch/metricAlarm:MetricAlarm", f"{name}-{suffix}", inputs, {"arn": f"arn:alarm:{suffix}"},
              parent=component, deps={"alarmActions": [topic], "dimensions": list(dim_deps)})

    alarm("errors", "Errors")
    alarm("throttles", "Throttles")
    alarm("duration", "Duration", extra={"extendedStatistic": "p99", "threshold": 24000.0})
    alarm("dlq-depth", "ApproximateNumberOfMessagesVisible", namespace="AWS/SQS",
          dims={"QueueName": b.out(queue_name)}, dim_deps=(queue,))
    alarm("invocations-anomaly", "", extra={
        "comparisonOperator": "GreaterThanUpperThreshold", "thresholdMetricId": "band",
        "metricQueries": [
            {"id": "m1", "returnData": True, "metric": {"namespace": "AWS/Lambda", "metricName": "Invocations",
                                                        "period": 300.0, "stat": "Sum",
                                                        "dimensions": {"FunctionName": fn_name}}},
            {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": True},
        ],
    })
    return b.resources


def happy_stack(names: Iterable[str] = ("orders", "billing"), *, preview: bool = False) -> list[RecordedResource]:
    """Several SecureFunctions with defaults."""
    return [r for name in names for r in secure_function(name, preview=preview)]


def raw(type_: str, name: str, inputs: dict[str, Any], *, outputs: dict[str, Any] | None = None,
        deps: Mapping[str, Iterable[str]] | None = None) -> RecordedResource:
    """A raw (not component) resource at the stack root."""
    property_dependencies = {k: tuple(v) for k, v in (deps or {}).items()}
    return RecordedResource(
        type=type_, name=name, urn=urn(type_, name, None), provider=PROVIDER, inputs=inputs,
        outputs={**inputs, **(outputs or {})},
        dependencies=tuple(dict.fromkeys(u for v in property_dependencies.values() for u in v)),
        property_dependencies=property_dependencies,
    )
