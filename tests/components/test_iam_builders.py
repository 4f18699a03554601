"""The pure IAM builders: every statement names specific ARNs, no wildcard actions, and each action
is used on a resource type that the IAM action database says it accepts."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from secure_serverless.iam import FunctionPermissions, GrantStatement, VpcPlacement, function_policy, trust_policy
from secure_serverless.kms import key_policy
from secure_serverless.queue import tls_only_queue_policy

ACCOUNT = "123456789012"
REGION = "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/p/s/orders"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dlq"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments-Ab12Cd"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/db"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"

FULL = FunctionPermissions(
    region=REGION,
    log_group_arn=LOG_GROUP,
    key_arn=KEY,
    dead_letter_queue_arn=QUEUE,
    secret_arns=[SECRET, PARAMETER],
    secret_key_arns=[KEY.replace("0f1e", "aaaa")],
    grants=[GrantStatement(actions=["dynamodb:GetItem", "dynamodb:PutItem"], resources=[TABLE], sid="Table")],
    tracing=True,
    vpc=VpcPlacement(ACCOUNT, "aws", ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], ["sg-0123abcd"]),
)


@cache
def arn_formats(action: str) -> tuple[str, ...]:
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":")
    rows: list[dict[str, Any]] = get_action_data(service, name)[service]
    return tuple(row["resource_arn_format"] for row in rows)


def format_regex(arn_format: str) -> re.Pattern[str]:
    pattern = re.escape(arn_format)
    pattern = re.sub(r"\\\$\\\{[A-Za-z]+\\\}", r"[^:]+", pattern)
    pattern = pattern.replace(r"\*", ".*")
    # a trailing name segment may contain slashes (log group names, parameter paths)
    return re.compile("^" + pattern.replace("[^:]+$", ".+") + "$")


def resources_of(statement: dict[str, Any]) -> list[str]:
    resource = statement["Resource"]
    return [resource] if isinstance(resource, str) else list(resource)


def test_every_statement_names_specific_arns_or_is_a_star_only_action() -> None:
    for statement in function_policy(FULL)["Statement"]:
        if statement["Effect"] == "Deny":
            continue  # a Deny on "*" narrows; test_vpc_actions_are_denied_to_function_code covers it
        for action in statement["Action"]:
            assert "*" not in action, statement["Sid"]
            formats = arn_formats(action)
            if formats == ("*",):
                # the action has no resource-level permissions: AWS needs Resource "*"
                assert statement["Resource"] == "*", action
                continue
            for resource in resources_of(statement):
                assert resource != "*", f"{action} supports resource-level permissions but got '*'"
                assert any(format_regex(f).match(resource) for f in formats), (action, resource, formats)


def test_star_resources_are_only_xray_and_vpc_interfaces() -> None:
    star = [s for s in function_policy(FULL)["Statement"] if s["Resource"] == "*" and s["Effect"] == "Allow"]
    assert {s["Sid"] for s in star} == {"XRayTracing", "VpcDescribeNetworkInterfacesAndSubnets"}


def test_xray_is_exactly_what_lambda_documents_for_active_tracing() -> None:
    xray = {s["Sid"]: s for s in function_policy(FULL)["Statement"]}["XRayTracing"]
    assert xray["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


def test_vpc_actions_are_denied_to_function_code() -> None:
    by_sid = {s["Sid"]: s for s in function_policy(FULL)["Statement"]}
    deny = by_sid["VpcDenyNetworkInterfaceCallsFromFunctionCode"]
    allowed = {
        a
        for s in function_policy(FULL)["Statement"]
        if s["Sid"].startswith("Vpc") and s["Effect"] == "Allow"
        for a in s["Action"]
    }
    assert (
        set(deny["Action"])
        == allowed
        == {
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        }
    )
    assert deny["Condition"] == {"Null": {"lambda:SourceFunctionArn": "false"}}


def test_minimal_policy_has_no_optional_statements() -> None:
    minimal = FunctionPermissions(region=REGION, log_group_arn=LOG_GROUP, key_arn=KEY, tracing=False)
    sids = [s["Sid"] for s in function_policy(minimal)["Statement"]]
    assert sids == ["WriteOwnLogGroup"]  # no DLQ: nothing needs the role to use the key


def test_kms_decrypt_for_secrets_requires_via_service() -> None:
    decrypt = {s["Sid"]: s for s in function_policy(FULL)["Statement"]}["DecryptSecretsViaService"]
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com", f"ssm.{REGION}.amazonaws.com"]}
    }


def test_trust_policy_has_confused_deputy_guard() -> None:
    [statement] = trust_policy(ACCOUNT)["Statement"]
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_key_policy_has_no_anonymous_principal_and_scoped_logs() -> None:
    policy = key_policy(
        account_id=ACCOUNT,
        partition="aws",
        region=REGION,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/r",
        log_group_arn=LOG_GROUP,
        alarm_topic_encrypted=False,
        dead_letter_queue=True,
    )
    principals = [s["Principal"] for s in policy["Statement"]]
    assert "*" not in principals and {"AWS": "*"} not in principals
    logs = [s for s in policy["Statement"] if s["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}]
    assert logs[0]["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == LOG_GROUP
    assert not any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} for s in policy["Statement"])


def test_queue_policy_denies_plain_http() -> None:
    [statement] = tls_only_queue_policy(QUEUE)["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"]["Bool"]["aws:SecureTransport"] == "false"


_names = st.from_regex(r"[a-z][a-z0-9\-]{2,20}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(
    fn=_names,
    secrets=st.lists(_names, max_size=4),
    parameters=st.lists(_names, max_size=3),
    tables=st.lists(_names, max_size=3),
    tracing=st.booleans(),
    dlq=st.booleans(),
)
def test_generated_policies_never_use_wildcards(
    fn: str, secrets: list[str], parameters: list[str], tables: list[str], tracing: bool, dlq: bool
) -> None:
    permissions = FunctionPermissions(
        region=REGION,
        log_group_arn=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{fn}",
        key_arn=KEY,
        dead_letter_queue_arn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{fn}-dlq" if dlq else None,
        secret_arns=[f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{s}-AbCdEf" for s in secrets]
        + [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{p}" for p in parameters],
        grants=[
            GrantStatement(actions=["dynamodb:Query"], resources=[f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{t}"])
            for t in tables
        ],
        tracing=tracing,
    )
    for statement in function_policy(permissions)["Statement"]:
        assert all("*" not in a for a in statement["Action"])
        if statement["Sid"] != "XRayTracing":
            assert "*" not in resources_of(statement)
            for resource in resources_of(statement):
                assert resource.startswith("arn:aws:")
