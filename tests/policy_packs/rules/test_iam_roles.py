"""guardrails/iam_roles.py: function roles' trust, sharing and permissions boundary."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.iam_changes import (
    share_orders_role,
    trust,
)
from support.pack import ENABLE, case, rule_tests
from support.stacks import ACCOUNT, patch

CASES = [
    case("trust-source-account:no-condition", policy=p.IAM_LAMBDA_TRUST_SOURCE_ACCOUNT, change=trust(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
         expected={"orders-role"}, text="aws:SourceAccount"),
    case("trust:extra-principal", policy=p.IAM_LAMBDA_TRUST_SCOPED, change=trust(
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}),
         expected={"orders-role"}, text="also trusts Service:ec2.amazonaws.com"),
    case("role-not-shared:shared", policy=p.IAM_ROLE_NOT_SHARED, change=share_orders_role,
         expected={"orders-role"}, text="each function must have its own role"),
    case("boundary:missing", policy=p.IAM_PERMISSIONS_BOUNDARY,
         change=lambda s: patch(s, "orders-role", set_={"permissionsBoundary": "arn:b"}), expected={"billing-role"},
         text="permissions_boundary='arn:b'",
         config={p.IAM_PERMISSIONS_BOUNDARY: {**ENABLE, "permissionsBoundaryArn": "arn:b"}}),
    case("boundary:unconfigured-ok", policy=p.IAM_PERMISSIONS_BOUNDARY, change=lambda s: s,
         config={p.IAM_PERMISSIONS_BOUNDARY: ENABLE}),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, "iam-", except_=(
    p.IAM_NO_WILDCARD_ACTIONS, p.IAM_NO_WILDCARD_RESOURCES, p.IAM_NO_ADMIN_MANAGED_POLICIES,
    p.IAM_NO_PRIVILEGE_ESCALATION, p.IAM_SECRET_READ_SCOPED,
))
