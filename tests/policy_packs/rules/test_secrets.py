"""guardrails/secrets.py: one compliant case and one named case per way each secrets policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Change, case, document, rule_tests
from support.stacks import ACCOUNT, REGION, Stack, add, output, raw

PREFIX = "secrets-"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-abcdef"


def secret(rotation_days: float | None, **inputs: Any) -> Change:
    def change(stack: Stack) -> Stack:
        created = raw(t.SECRET, "db-secret", {"name": "db", **inputs}, outputs={"arn": SECRET_ARN, "id": SECRET_ARN})
        extra = [created]
        if rotation_days is not None:
            extra.append(raw(t.SECRET_ROTATION, "db-rotation", {
                "secretId": SECRET_ARN, "rotationLambdaArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rot",
                "rotationRules": {"automaticallyAfterDays": rotation_days}}, deps={"secretId": [created.urn]}))
        return add(stack, *extra)
    return change


def parameter(kind: str) -> Change:
    return lambda s: add(s, raw(t.PARAMETER, "param", {"type": kind, "value": "x"}))


def secret_policy(name: str, statement: Any) -> Change:
    return lambda s: add(s, raw(t.SECRET_POLICY, name, {"secretArn": SECRET_ARN, "policy": document(statement(s))}))


CASES = [
    case("cmk:secret", policy=p.SECRETS_CMK_ENCRYPTED, change=secret(30.0), expected={"db-secret"},
         text="customer-managed KMS key"),
    case("cmk:secret-ok", policy=p.SECRETS_CMK_ENCRYPTED,
         change=secret(30.0, kmsKeyId=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/x")),
    case("cmk:parameter", policy=p.SECRETS_CMK_ENCRYPTED, change=parameter("SecureString"), expected={"param"},
         text="aws.ssm.Parameter(key_id=key.arn)"),
    case("cmk:plain-parameter-ok", policy=p.SECRETS_CMK_ENCRYPTED, change=parameter("String")),
    case("rotation:none", policy=p.SECRETS_ROTATION_ENABLED, change=secret(None, kmsKeyId="k"),
         expected={"db-secret"}, text="has no rotation"),
    case("rotation:slow", policy=p.SECRETS_ROTATION_ENABLED, change=secret(120.0, kmsKeyId="k"),
         expected={"db-secret"}, text="rotates every 120 days"),
    case("rotation:ok", policy=p.SECRETS_ROTATION_ENABLED, change=secret(30.0, kmsKeyId="k")),
    case("public:not-principal", policy=p.SECRETS_NO_PUBLIC_ACCESS, change=secret_policy("open-secret", lambda s: {
        "Effect": "Allow", "NotPrincipal": {"AWS": output(s, "orders-role", "arn")},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}), expected={"open-secret"},
         text="must not be public"),
    case("public:named-role-ok", policy=p.SECRETS_NO_PUBLIC_ACCESS, change=secret_policy("role-secret", lambda s: {
        "Effect": "Allow", "Principal": {"AWS": output(s, "orders-role", "arn")},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"})),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
