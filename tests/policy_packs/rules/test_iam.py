"""guardrails/iam.py: one compliant case and one named case per way each IAM permission policy fails."""

from __future__ import annotations

from secure_serverless.contract import policies as p

from support.iam_changes import (
    ECS_TRUST,
    allow,
    attach,
    role_policy,
    role_policy_on_own_role,
    trust,
)
from support.pack import case, document, rule_tests
from support.stacks import ACCOUNT, REGION, patch

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
    case("wildcard-resources:eni-create-ok", policy=p.IAM_NO_WILDCARD_RESOURCES,
         change=role_policy(allow(["ec2:CreateNetworkInterface"], "*"))),  # GUARDRAILS.md v2: Lambda's VPC ENI actions
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
    case("escalation:function-role-whatever-its-trust", policy=p.IAM_NO_PRIVILEGE_ESCALATION,
         change=lambda s: trust(ECS_TRUST)(role_policy(allow("iam:CreateRole", "*"))(s)), expected={"orders-policy"},
         text="iam:CreateRole"),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, "iam-no-")
