"""function_url_invokers: bad principals are refused with the field and the fix, before any resource."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from secure_serverless import SecureFunction, SecureFunctionArgs
from secure_serverless.function import SecureFunctionError
from secure_serverless.function_url import caller_policy, check_invoker_principal, invoke_permissions

from component_support import ACCOUNT, make_args, run_functions

CLIENT = f"arn:aws:iam::{ACCOUNT}:role/orders-client"

INVALID: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("star", {"function_url_invokers": ["*"]}, ("function_url_invokers[0]", "wildcard")),
    (
        "role-glob",
        {"function_url_invokers": [f"arn:aws:iam::{ACCOUNT}:role/*"]},
        ("function_url_invokers[0]", "wildcard"),
    ),
    (
        "service",
        {"function_url_invokers": ["apigateway.amazonaws.com"]},
        ("function_url_invokers[0]", "service principals"),
    ),
    ("account-id", {"function_url_invokers": [ACCOUNT]}, ("function_url_invokers[0]", "role, user or account ARN")),
    ("session-arn", {"function_url_invokers": [f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s"]}, ("not an IAM principal",)),
    (
        "not-iam",
        {"function_url_invokers": [f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"]},
        ("not an IAM principal",),
    ),
    ("twice", {"function_url_invokers": [CLIENT, CLIENT]}, ("function_url_invokers", "twice")),
    (
        "no-url",
        {"function_url": None, "function_url_invokers": [CLIENT]},
        ("function_url_invokers", "function_url='AWS_IAM'"),
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), [(o, e) for _, o, e in INVALID], ids=[c for c, _, _ in INVALID])
def test_bad_invokers_are_refused_before_any_resource(overrides: dict[str, Any], expected: tuple[str, ...]) -> None:
    errors: list[Exception] = []

    def program() -> None:
        try:
            args = {"handler": "app.handler", "code": pulumi.AssetArchive({}), "function_url": "AWS_IAM", **overrides}
            SecureFunction("orders", SecureFunctionArgs(**args))
        except (ValidationError, SecureFunctionError) as error:
            errors.append(error)

    run = run_functions(program)
    assert len(errors) == 1, "the argument set was accepted"
    for text in expected:
        assert text in str(errors[0]), f"{text!r} not in:\n{errors[0]}"
    assert run.resources == []


def test_output_invoker_is_checked_in_apply() -> None:
    def program() -> None:
        SecureFunction(
            "orders",
            make_args(function_url="AWS_IAM", function_url_invokers=[pulumi.Output.from_input("*")]),
        )

    with pytest.raises(Exception, match=r"function_url_invokers\[0\].*wildcard"):
        run_functions(program)


@pytest.mark.parametrize(
    "principal",
    [
        CLIENT,
        f"arn:aws:iam::{ACCOUNT}:user/ops",
        f"arn:aws:iam::{ACCOUNT}:root",
        "arn:aws-cn:iam::123456789012:role/a/b",
    ],
)
def test_good_principals(principal: str) -> None:
    check_invoker_principal(principal)


def test_two_permissions_per_invoker_and_caller_policy() -> None:
    specs = invoke_permissions(2)
    assert [(s.key, s.action, s.invoker) for s in specs] == [
        ("url-invoker-0", "lambda:InvokeFunctionUrl", 0),
        ("url-invoker-0-invoke", "lambda:InvokeFunction", 0),
        ("url-invoker-1", "lambda:InvokeFunctionUrl", 1),
        ("url-invoker-1-invoke", "lambda:InvokeFunction", 1),
    ]
    actions = [a for s in caller_policy("arn:aws:lambda:eu-west-1:1:function:f")["Statement"] for a in s["Action"]]
    assert actions == ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"]
