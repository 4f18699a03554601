"""Pure builders for a function's IAM documents: the trust policy and the least-privilege policy.

Every statement names exact ARNs; only the actions AWS accepts solely on ``Resource: "*"`` (X-Ray,
VPC network interfaces) get ``*``. Tests check these functions without Pulumi.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_serverless.contract.aws import XRAY_ACTIONS

PolicyDocument = dict[str, Any]
Statement = dict[str, Any]


@dataclass(frozen=True)
class GrantStatement:
    actions: Sequence[str]
    resources: Sequence[str]
    conditions: dict[str, dict[str, Any]] | None = None
    sid: str | None = None


@dataclass(frozen=True)
class FunctionPermissions:
    """What one function declared; every ARN resolved."""

    region: str
    log_group_arn: str
    key_arn: str
    dead_letter_queue_arn: str | None = None
    secret_arns: Sequence[str] = ()
    secret_key_arns: Sequence[str] = ()
    grants: Sequence[GrantStatement] = field(default_factory=tuple)
    tracing: bool = True
    vpc: VpcPlacement | None = None
    dns_suffix: str = "amazonaws.com"  # amazonaws.com.cn in the aws-cn partition


@dataclass(frozen=True)
class VpcPlacement:
    """Where the function's network interfaces live; scopes the ENI permissions."""

    account_id: str
    partition: str
    subnet_ids: Sequence[str]
    security_group_ids: Sequence[str]


def trust_policy(account_id: str) -> PolicyDocument:
    """Only Lambda, and only on behalf of this account (confused-deputy guard), may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LambdaAssumeRoleFromThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }


def _secret_statements(p: FunctionPermissions) -> list[Statement]:
    statements: list[Statement] = []
    secret_arns = sorted(a for a in p.secret_arns if ":secretsmanager:" in a)
    parameter_arns = sorted(a for a in p.secret_arns if ":ssm:" in a)
    if secret_arns:
        statements.append(
            {
                "Sid": "ReadDeclaredSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": secret_arns,
            }
        )
    if parameter_arns:
        statements.append(
            {
                "Sid": "ReadDeclaredParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": parameter_arns,
            }
        )
    if p.secret_key_arns:
        # Decrypt only on behalf of the services that hold the secrets.
        services = []
        if secret_arns or not parameter_arns:
            services.append(f"secretsmanager.{p.region}.{p.dns_suffix}")
        if parameter_arns:
            services.append(f"ssm.{p.region}.{p.dns_suffix}")
        statements.append(
            {
                "Sid": "DecryptSecretsViaService",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": sorted(p.secret_key_arns),
                "Condition": {"StringEquals": {"kms:ViaService": services}},
            }
        )
    return statements


def function_policy(p: FunctionPermissions) -> PolicyDocument:
    """The inline policy of a function's role, generated from what the function declared."""
    key_actions = ["kms:Decrypt"]
    if p.dead_letter_queue_arn:
        key_actions.append("kms:GenerateDataKey")  # sending to a queue encrypted with the key
    statements: list[Statement] = [
        {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{p.log_group_arn}:log-stream:*"],
        },
        {"Sid": "UseOwnKey", "Effect": "Allow", "Action": key_actions, "Resource": [p.key_arn]},
    ]
    if p.dead_letter_queue_arn:
        statements.append(
            {
                "Sid": "SendToDeadLetterQueue",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [p.dead_letter_queue_arn],
            }
        )
    statements.extend(_secret_statements(p))
    for index, grant in enumerate(p.grants):
        statement: Statement = {
            "Sid": grant.sid or f"Grant{index}",
            "Effect": "Allow",
            "Action": list(grant.actions),
            "Resource": list(grant.resources),
        }
        if grant.conditions:
            statement["Condition"] = grant.conditions
        statements.append(statement)
    if p.tracing:
        statements.append({"Sid": "XRayTracing", "Effect": "Allow", "Action": list(XRAY_ACTIONS), "Resource": "*"})
    if p.vpc:
        statements.extend(_vpc_statements(p.region, p.vpc))
    return {"Version": "2012-10-17", "Statement": statements}


def _vpc_statements(region: str, vpc: VpcPlacement) -> list[Statement]:
    """ENI management scoped to the function's subnets and security groups; only the Describe call
    needs ``Resource: "*"`` (AWS evaluates it without resource-level permissions)."""
    ec2 = f"arn:{vpc.partition}:ec2:{region}:{vpc.account_id}"
    interfaces = f"{ec2}:network-interface/*"
    return [
        {
            "Sid": "VpcDescribeNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces"],
            "Resource": "*",
        },
        {
            "Sid": "VpcCreateNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [
                interfaces,
                *(f"{ec2}:subnet/{s}" for s in vpc.subnet_ids),
                *(f"{ec2}:security-group/{g}" for g in vpc.security_group_ids),
            ],
        },
        {
            "Sid": "VpcManageOwnNetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            "Resource": [interfaces],
        },
    ]
