"""Helpers for running SecureFunction programs under mocks and reading what they registered."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi

from secure_serverless import SecureFunction, SecureFunctionArgs
from secure_serverless.check.mocks import ProgramRun, run_program
from secure_serverless.check.model import RecordedResource

ACCOUNT = "123456789012"
REGION = "eu-west-1"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/api-key-Xy12Ab"
PARAMETER_ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/db-password"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
SHARED_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC = "aws:sns/topic:Topic"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"


def make_args(**overrides: Any) -> SecureFunctionArgs:
    base: dict[str, Any] = {"handler": "app.handler", "code": pulumi.AssetArchive({})}
    base.update(overrides)
    return SecureFunctionArgs(**base)


def run_functions(
    build: Callable[[], Any], *, preview: bool = False, config: dict[str, str] | None = None
) -> ProgramRun:
    return run_program(build, preview=preview, config={"aws:region": REGION, **(config or {})})


def run_one(preview: bool = False, name: str = "orders", **overrides: Any) -> ProgramRun:
    return run_functions(lambda: SecureFunction(name, make_args(**overrides)), preview=preview)


def document(resource: RecordedResource, prop: str = "policy") -> dict[str, Any]:
    value = resource.inputs[prop]
    assert isinstance(value, str), f"{resource.name}.{prop} is not a resolved JSON document"
    parsed: dict[str, Any] = json.loads(value)
    return parsed


def statements(resource: RecordedResource, prop: str = "policy") -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in document(resource, prop)["Statement"]}


def one(run: ProgramRun, type_token: str) -> RecordedResource:
    found = run.of_type(type_token)
    assert len(found) == 1, f"expected one {type_token}, got {[r.name for r in found]}"
    return found[0]
