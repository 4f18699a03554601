"""IAM changes the rule tests apply to the stack SecureFunction registers (tests/policy_packs/rules/test_iam*.py)."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import types as t

from support.pack import Change, document
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

