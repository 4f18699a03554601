"""guardrails/iam_secrets.py: secret and parameter reads name what they read."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.iam_changes import (
    SECRET_ARN,
    allow,
    role_policy,
)
from support.pack import case, rule_tests
from support.stacks import ACCOUNT, REGION

CASES = [
    case("secret-read:name-star", policy=p.IAM_SECRET_READ_SCOPED,
         change=role_policy(allow("secretsmanager:GetSecretValue", f"{SECRET_ARN}*")), expected={"orders-policy"},
         text="specific secret ARNs"),
    case("secret-read:suffix-ok", policy=p.IAM_SECRET_READ_SCOPED,
         change=role_policy(allow("secretsmanager:GetSecretValue", f"{SECRET_ARN}-??????"))),
    case("secret-read:ssm-path", policy=p.IAM_SECRET_READ_SCOPED,
         change=role_policy(allow("ssm:GetParameter*", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*")),
         expected={"orders-policy"}, text="parameter ARNs"),
    case("secret-read:via-service-ok", policy=p.IAM_SECRET_READ_SCOPED, change=role_policy(allow(
        "kms:Decrypt", "*", Condition={"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}))),
    case("secret-read:kms-star", policy=p.IAM_SECRET_READ_SCOPED,
         change=role_policy(allow("kms:Decrypt", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*")), expected={"orders-policy"},
         text="kms:Decrypt"),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, "iam-secret-")
