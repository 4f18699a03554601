"""Bad input: each invalid argument set is refused with a message naming the field and the fix,
before any resource is registered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs, VpcConfig, Waiver
from secure_serverless.function import SecureFunctionError

from component_support import ACCOUNT, REGION, SECRET_ARN, run_functions

TODAY = dt.date.today()
GOOD_REASON = "Vendor SDK needs this until v3 ships"


def waiver(policy: str = "logs-retention-set", reason: str = GOOD_REASON, days: int = 30) -> dict[str, Any]:
    return {"policy": policy, "reason": reason, "expires": TODAY + dt.timedelta(days=days)}


def grant(actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"actions": actions, "resources": resources}


# (case id, overrides of a valid argument set, text the error must contain: the field, then the fix)
INVALID: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("unknown-field", {"memory": 512}, ("memory", "is not an argument", "use memory_size")),
    ("deprecated-runtime", {"runtime": "python3.8"}, ("runtime", "python3.12")),
    ("unknown-runtime", {"runtime": "cobol1"}, ("runtime", "use one of")),
    ("handler-format", {"handler": "no_dot"}, ("handler", "'<file>.<function>'", "handler='app.handler'")),
    ("code-is-a-path", {"code": "./src"}, ("code", "pulumi.FileArchive")),
    ("code-is-an-asset", {"code": pulumi.StringAsset("x")}, ("code", "archive")),
    ("memory-too-small", {"memory_size": 64}, ("memory_size", "128")),
    ("memory-too-large", {"memory_size": 20000}, ("memory_size", "10240")),
    ("timeout-zero", {"timeout": 0}, ("timeout", "1")),
    ("timeout-over-15-min", {"timeout": 901}, ("timeout", "900")),
    ("retention-not-allowed", {"log_retention_in_days": 42}, ("log_retention_in_days", "use one of")),
    ("retention-never-expire", {"log_retention_in_days": 0}, ("log_retention_in_days", "never expire")),
    ("aws-key-in-env", {"environment": {"UPSTREAM": "AKIAIOSFODNN7EXAMPLE"}}, ("UPSTREAM", "secrets")),
    ("private-key-in-env", {"environment": {"CERT": "-----BEGIN RSA PRIVATE KEY-----\nMII"}}, ("CERT", "private key")),
    ("password-url-in-env", {"environment": {"DB_URL": "postgres://app:hunter2@db:5432/x"}}, ("DB_URL", "secrets")),
    ("entropy-secret-in-env", {"environment": {"API_TOKEN": "q8Zr7Lw2Xv9Tp4Ks1Nm6Bh3J"}}, ("API_TOKEN", "secrets")),
    ("reserved-env-name", {"environment": {"AWS_REGION": "us-east-1"}}, ("AWS_REGION", "reserved")),
    ("invalid-env-name", {"environment": {"1BAD": "x"}}, ("1BAD", "letters")),
    ("secret-not-an-arn", {"secrets": ["payments/api-key"]}, ("secrets", "secret.arn")),
    (
        "secret-prefix-wildcard",
        {"secrets": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments*"]},
        ("secrets", "-??????"),
    ),
    (
        "secret-without-suffix",
        {"secrets": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments"]},
        ("secrets", "suffix"),
    ),
    ("parameter-wildcard", {"secrets": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*"]}, ("secrets", "one SSM")),
    ("secret-key-not-kms", {"secret_kms_key_arns": [SECRET_ARN]}, ("secret_kms_key_arns", "KMS key ARN")),
    (
        "wildcard-action",
        {"grants": [grant(["s3:*"], ["arn:aws:s3:::bucket/*"])]},
        ("grants[0].actions", "iam-no-wildcard-actions"),
    ),
    ("star-action", {"grants": [grant(["*"], ["arn:aws:s3:::bucket"])]}, ("actions", "exact actions")),
    ("malformed-action", {"grants": [grant(["GetItem"], ["arn:aws:s3:::b"])]}, ("actions", "service:Action")),
    (
        "wildcard-resource",
        {"grants": [grant(["dynamodb:GetItem"], ["*"])]},
        ("grants[0].resources", "iam-no-wildcard-resources"),
    ),
    (
        "service-wide-resource",
        {"grants": [grant(["s3:GetObject"], ["arn:aws:s3:::*"])]},
        ("grants[0].resources", "exact ARNs"),
    ),
    ("resource-not-arn", {"grants": [grant(["s3:GetObject"], ["my-bucket"])]}, ("resources", "not an ARN")),
    ("empty-grant", {"grants": [grant([], ["arn:aws:s3:::b"])]}, ("actions", "at least 1")),
    ("shared-key-not-kms", {"kms_key_arn": "alias/my-key"}, ("kms_key_arn", "KMS key ARN")),
    ("topic-not-sns", {"alarm_topic_arn": SECRET_ARN}, ("alarm_topic_arn", "SNS topic ARN")),
    (
        "boundary-not-policy",
        {"permissions_boundary_arn": f"arn:aws:iam::{ACCOUNT}:role/x"},
        ("permissions_boundary_arn", "policy/"),
    ),
    ("url-without-auth", {"function_url": "NONE"}, ("function_url", "AWS_IAM")),
    ("zero-concurrency", {"reserved_concurrent_executions": 0}, ("reserved_concurrent_executions", "1")),
    (
        "url-without-concurrency-cap",
        {"function_url": "AWS_IAM", "reserved_concurrent_executions": None},
        ("reserved_concurrent_executions", "concurrency cap"),
    ),
    ("tracing-off-typo", {"tracing": "Off"}, ("tracing", "Active")),
    (
        "vpc-one-subnet",
        {"vpc": {"subnet_ids": ["subnet-a"], "security_group_ids": ["sg-1"]}},
        ("vpc.subnet_ids", "at least 2"),
    ),
    ("reserved-tag-prefix", {"tags": {"aws:owner": "me"}}, ("tags", "reserved")),
    ("tag-bad-chars", {"tags": {"team": "a,b"}}, ("tags", "letters")),
    ("waiver-unknown-policy", {"waivers": [waiver("logs-retention")]}, ("waivers[0].policy", "use one of")),
    ("waiver-non-waivable", {"waivers": [waiver("lambda-url-auth-iam")]}, ("waivers[0].policy", "cannot be waived")),
    ("waiver-short-reason", {"waivers": [waiver(reason="because")]}, ("waivers[0].reason", "20")),
    # an expired waiver is accepted with a warning (tests/parity/test_waiver_boundary.py)
    ("waiver-never-applies", {"waivers": [waiver("secrets-cmk-encrypted")]}, ("waivers[0].policy", "itself")),
    ("waiver-too-long", {"waivers": [waiver(days=400)]}, ("waivers[0].expires", "one year")),
    ("waiver-twice", {"waivers": [waiver(), waiver()]}, ("waivers", "keep one")),
    (
        "helper-namespace-output",
        {"runtime_helper": True, "environment": {"SECURE_SERVERLESS_METRIC_NAMESPACE": pulumi.Output.from_input("x")}},
        ("SECURE_SERVERLESS_METRIC_NAMESPACE", "plain string"),
    ),
    ("layer-not-versioned", {"layers": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:pydantic"]}, ("layers", "version")),
    ("duration-alarm-ratio", {"duration_alarm_ratio": 1.5}, ("duration_alarm_ratio", "1")),
]


@pytest.mark.parametrize(("overrides", "expected"), [(o, e) for _, o, e in INVALID], ids=[c for c, _, _ in INVALID])
def test_invalid_arguments_are_refused_before_any_resource(
    overrides: dict[str, Any], expected: tuple[str, ...]
) -> None:
    errors: list[Exception] = []

    def program() -> None:
        try:
            args = {"handler": "app.handler", "code": pulumi.AssetArchive({}), **overrides}
            SecureFunction("orders", SecureFunctionArgs(**args))
        except (ValidationError, SecureFunctionError) as error:
            errors.append(error)

    run = run_functions(program)
    assert len(errors) == 1, "the argument set was accepted"
    message = str(errors[0])
    for text in expected:
        assert text in message, f"{text!r} not in:\n{message}"
    assert run.resources == [], "resources were registered before validation failed"


def test_table_has_at_least_25_cases() -> None:
    assert len(INVALID) >= 25
    assert len({c for c, _, _ in INVALID}) == len(INVALID)


def test_invalid_component_name_registers_nothing() -> None:
    errors: list[Exception] = []

    def program() -> None:
        try:
            SecureFunction("orders api!", SecureFunctionArgs(handler="app.handler", code=pulumi.AssetArchive({})))
        except SecureFunctionError as error:
            errors.append(error)

    assert run_functions(program).resources == []
    assert "letters, digits or hyphens" in str(errors[0])


def test_credential_value_never_echoed_in_error() -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"
    with pytest.raises(ValidationError) as info:
        SecureFunctionArgs(handler="a.b", code=pulumi.AssetArchive({}), environment={"K": secret})
    assert secret not in str(info.value)


def test_valid_secret_references_are_accepted() -> None:
    args = SecureFunctionArgs(
        handler="a.b",
        code=pulumi.AssetArchive({}),
        environment={"PAYMENT_SECRET_ARN": SECRET_ARN, "DB_PASSWORD_PARAM": "/orders/db-password", "LOG_LEVEL": "info"},
        secrets=[SECRET_ARN, f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments-??????"],
        grants=[Grant(actions=["s3:GetObject"], resources=["arn:aws:s3:::bucket/orders/*"])],
        vpc=VpcConfig(subnet_ids=["a", "b"], security_group_ids=["sg"]),
        waivers=[Waiver(**waiver())],
    )
    assert args.environment["PAYMENT_SECRET_ARN"] == SECRET_ARN
