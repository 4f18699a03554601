"""Who may call a function's AWS_IAM URL: pure builders for both sides of the permission.

Since October 2025 a caller of an ``AWS_IAM`` function URL needs both ``lambda:InvokeFunctionUrl`` and
``lambda:InvokeFunction`` ("Control access to Lambda function URLs",
https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). For a caller in the function's account
either the function's resource-based policy or the caller's identity policy may allow them; for a
caller in another account both must. SecureFunction adds, for each principal in
``function_url_invokers``, the two resource-based statements below (``aws.lambda_.Permission``), each
narrowed to URL calls: ``lambda:FunctionUrlAuthType = AWS_IAM`` on the first, and
``lambda:InvokedViaFunctionUrl = true`` on the second, so the permission cannot be used to invoke the
function through the Invoke API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PRINCIPAL = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+)$")

FUNCTION_URL_AUTH_TYPE = "AWS_IAM"


@dataclass(frozen=True)
class InvokePermission:
    """One resource-based permission: what ``aws.lambda_.Permission`` gets."""

    key: str
    action: str
    invoker: int  # index into function_url_invokers
    function_url_auth_type: str | None = None
    invoked_via_function_url: bool | None = None


def check_invoker_principal(principal: str) -> None:
    """An IAM role, user or account-root ARN, without wildcards (raises ValueError with the fix)."""
    if "*" in principal or "?" in principal:
        raise ValueError(f"{principal!r} uses a wildcard; name each role or user ARN that may call the URL")
    if not _PRINCIPAL.match(principal):
        raise ValueError(
            f"{principal!r} is not an IAM principal ARN; use a role, user or account ARN such as "
            "'arn:aws:iam::111122223333:role/orders-client' (service principals and '*' are refused)"
        )


def invoke_permissions(invoker_count: int) -> list[InvokePermission]:
    """The two permissions per invoker, in a stable order (``key`` names the Pulumi resource)."""
    out: list[InvokePermission] = []
    for index in range(invoker_count):
        out.append(
            InvokePermission(
                key=f"url-invoker-{index}",
                action="lambda:InvokeFunctionUrl",
                invoker=index,
                function_url_auth_type=FUNCTION_URL_AUTH_TYPE,
            )
        )
        out.append(
            InvokePermission(
                key=f"url-invoker-{index}-invoke",
                action="lambda:InvokeFunction",
                invoker=index,
                invoked_via_function_url=True,
            )
        )
    return out


def caller_policy(function_arn: str) -> dict[str, Any]:
    """What a caller's own identity policy needs to call the URL (required when it is in another account).

    Examples
    --------
    >>> [s["Action"] for s in caller_policy("arn:aws:lambda:eu-west-1:111122223333:function:orders")["Statement"]]
    [['lambda:InvokeFunctionUrl'], ['lambda:InvokeFunction']]
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CallFunctionUrl",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunctionUrl"],
                "Resource": function_arn,
                "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": FUNCTION_URL_AUTH_TYPE}},
            },
            {
                "Sid": "InvokeThroughFunctionUrl",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": function_arn,
                "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
            },
        ],
    }
