"""guardrails/iam.py: one compliant case and one named case per way each IAM policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import ENABLE, Change, case, document, rule_tests
from support.stacks import ACCOUNT, REGION, Stack, add, find, output, patch, physical, raw

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"


def allow(action: Any, resource: Any = TABLE, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def role_policy(*statements: dict[str, Any]) -> Change:
    """The orders function's role policy replaced by ``statements``."""
    return lambda s: patch(s, "orders-policy", set_={"policy": document(*statements)})


def role_policy_on_own_role(action: str) -> Change:
    """The orders role policy allows ``action`` on the orders role itself."""
    return lambda s: role_policy(allow(action, output(s, "orders-role", "arn")))(s)


def attach(policy_arn: str) -> Change:
    def change(stack: Stack) -> Stack:
        return add(stack, raw(t.ROLE_POLICY_ATTACHMENT, "orders-attach", {
            "role": physical(stack, "orders-role"), "policyArn": policy_arn,
        }, deps={"role": [find(stack, "orders-role").urn]}))
    return change


def trust(*statements: dict[str, Any]) -> Change:
    return lambda s: patch(s, "orders-role", set_={"assumeRolePolicy": document(*statements)})


def share_orders_role(stack: Stack) -> Stack:
    return patch(stack, "billing", set_={"role": output(stack, "orders-role", "arn")},
                 deps={"role": [find(stack, "orders-role").urn]})


ECS_TRUST = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db"

CASES = [
    case("wildcard-actions:service-star", policy=p.IAM_NO_WILDCARD_ACTIONS, change=role_policy(allow("s3:*")),
         expected={"orders-policy"}, text="'service:*'"),
    case("wildcard-actions:not-action", policy=p.IAM_NO_WILDCARD_ACTIONS,
         change=role_policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), expected={"orders-policy"},
         text="NotAction"),
    case("wildcard-actions:deny-ok", policy=p.IAM_NO_WILDCARD_ACTIONS,
         change=role_policy({"Effect": "Deny", "Action": "*", "Resource": "*"})),
    case("wildcard-actions:inline", policy=p.IAM_NO_WILDCARD_ACTIONS, change=lambda s: patch(s, "orders-role", set_={
        "inlinePolicies": [{"name": "inline", "policy": document(allow("*"))}]}), expected={"orders-role"},
         text="inlinePolicies[0]"),
    case("wildcard-resources:star", policy=p.IAM_NO_WILDCARD_RESOURCES,
         change=role_policy(allow("dynamodb:GetItem", "*")), expected={"orders-policy"},
         text="dynamodb:GetItem on every resource"),
    case("wildcard-resources:service-wide", policy=p.IAM_NO_WILDCARD_RESOURCES,
         change=role_policy(allow("s3:GetObject", "arn:aws:s3:::*")), expected={"orders-policy"},
         text="on every resource"),
    case("wildcard-resources:eni-describe-ok", policy=p.IAM_NO_WILDCARD_RESOURCES,
         change=role_policy(allow(["ec2:DescribeNetworkInterfaces"], "*"))),
    case("wildcard-resources:eni-create-scopable", policy=p.IAM_NO_WILDCARD_RESOURCES,
         change=role_policy(allow(["ec2:CreateNetworkInterface"], "*")), expected={"orders-policy"},
         text="on every resource"),
    case("admin:administrator-access", policy=p.IAM_NO_ADMIN_MANAGED_POLICIES,
         change=attach("arn:aws:iam::aws:policy/AdministratorAccess"), expected={"orders-attach"},
         text="AdministratorAccess"),
    case("admin:full-access", policy=p.IAM_NO_ADMIN_MANAGED_POLICIES,
         change=attach("arn:aws:iam::aws:policy/AmazonS3FullAccess"), expected={"orders-attach"},
         text="AmazonS3FullAccess"),
    case("admin:read-only-ok", policy=p.IAM_NO_ADMIN_MANAGED_POLICIES,
         change=attach("arn:aws:iam::aws:policy/ReadOnlyAccess")),
    case("admin:managed-policy-arns", policy=p.IAM_NO_ADMIN_MANAGED_POLICIES, change=lambda s: patch(
        s, "orders-role", set_={"managedPolicyArns": ["arn:aws:iam::aws:policy/PowerUserAccess"]}),
         expected={"orders-role"}, text="PowerUserAccess"),
    case("escalation:passrole-star", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=role_policy(allow("iam:PassRole", "*")), expected={"orders-policy"}, text="iam:PassRole on '*'"),
    case("escalation:passrole-scoped-ok", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=role_policy_on_own_role("iam:PassRole")),
    case("escalation:put-star-expanded", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=role_policy_on_own_role("iam:Put*"), expected={"orders-policy"}, text="iam:PutRolePolicy"),
    case("escalation:permissions-management", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=role_policy(allow("kms:CreateGrant", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/x")),
         expected={"orders-policy"}, text="kms:CreateGrant"),
    case("escalation:not-function-role-ok", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=lambda s: trust(ECS_TRUST)(role_policy(allow("iam:CreateRole", "*"))(s))),
    case("trust:no-condition", policy=p.IAM_LAMBDA_TRUST_SCOPED, change=trust(
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


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, "iam-")
