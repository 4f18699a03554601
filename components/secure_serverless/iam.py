"""Pure builders for a function's IAM documents: the trust policy and the least-privilege policy.

Every statement names exact ARNs; only the actions AWS accepts solely on ``Resource: "*"`` (X-Ray,
the two EC2 Describe calls of VPC functions) get ``*``. Tests check these functions without Pulumi,
and tests/components/test_least_privilege.py evaluates them with an independent IAM evaluator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PolicyDocument = dict[str, Any]
Statement = dict[str, Any]

# What Lambda's X-Ray page lists for active tracing ("Execution role permissions"), and no more:
# https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
# Lambda samples requests itself ("This sampling rate cannot be configured for Lambda functions"), so
# the sampling-rule reads of AWSXRayDaemonWriteAccess (xray:GetSamplingRules/Targets) are not needed.
TRACING_ACTIONS: tuple[str, ...] = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")

# What Lambda's VPC page lists for the execution role, in the order it lists them:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
# (also the AWS managed policy AWSLambdaVPCAccessExecutionRole, v3, less its logs actions).
VPC_DESCRIBE_ACTIONS: tuple[str, ...] = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets")
VPC_INTERFACE_ACTIONS: tuple[str, ...] = (
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
VPC_ACTIONS: tuple[str, ...] = ("ec2:CreateNetworkInterface", *VPC_DESCRIBE_ACTIONS, *VPC_INTERFACE_ACTIONS)


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


# A queue encrypted with a customer key: the sender needs both (SQS generates and caches the data key).
DEAD_LETTER_QUEUE_KEY_ACTIONS: tuple[str, ...] = ("kms:GenerateDataKey", "kms:Decrypt")


# Statement ids of the generated policy (`secure-serverless review` tells these apart by them).
SID_READ_SECRETS = "ReadDeclaredSecrets"
SID_READ_PARAMETERS = "ReadDeclaredParameters"
SID_DECRYPT_SECRETS = "DecryptSecretsViaService"
SID_WRITE_LOGS = "WriteOwnLogGroup"
SID_KEY_VIA_DLQ = "UseOwnKeyThroughDeadLetterQueue"
SID_SEND_TO_DLQ = "SendToDeadLetterQueue"
SID_TRACING = "XRayTracing"
SID_VPC_DESCRIBE = "VpcDescribeNetworkInterfacesAndSubnets"
SID_VPC_CREATE = "VpcCreateNetworkInterfacesInFunctionSubnets"
SID_VPC_MANAGE = "VpcLambdaManagesAccountNetworkInterfaces"
SID_VPC_DENY_CODE = "VpcDenyNetworkInterfaceCallsFromFunctionCode"
# Statements Lambda itself uses on the function's behalf: CloudTrail records few of those calls.
SERVICE_SIDS = frozenset(
    {SID_WRITE_LOGS, SID_KEY_VIA_DLQ, SID_SEND_TO_DLQ, SID_TRACING, SID_VPC_DESCRIBE, SID_VPC_CREATE, SID_VPC_MANAGE,
     SID_VPC_DENY_CODE}
)
# Statements generated from SecureFunctionArgs(secrets=...).
SECRET_SIDS = frozenset({SID_READ_SECRETS, SID_READ_PARAMETERS, SID_DECRYPT_SECRETS})


def sqs_service(region: str, dns_suffix: str = "amazonaws.com") -> str:
    """The kms:ViaService value of requests SQS makes to KMS for a caller."""
    return f"sqs.{region}.{dns_suffix}"


def trust_policy(account_id: str) -> PolicyDocument:
    """Only Lambda, and only on behalf of this account (confused-deputy guard), may assume the role.

    ``aws:SourceAccount`` stays although Lambda's own examples omit it: IAM's confused-deputy page
    recommends it for service principals, and Lambda sends it when it assumes an execution role (see
    docs/least-privilege.md, "Trust policy", for the evidence and what to do if Lambda ever refuses it).
    """
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
                "Sid": SID_READ_SECRETS,
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": secret_arns,
            }
        )
    if parameter_arns:
        statements.append(
            {
                "Sid": SID_READ_PARAMETERS,
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
                "Sid": SID_DECRYPT_SECRETS,
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": sorted(p.secret_key_arns),
                "Condition": {"StringEquals": {"kms:ViaService": services}},
            }
        )
    return statements


def function_policy(p: FunctionPermissions) -> PolicyDocument:
    """The inline policy of a function's role, generated from what the function declared."""
    statements: list[Statement] = [
        {
            "Sid": SID_WRITE_LOGS,
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"{p.log_group_arn}:log-stream:*"],
        },
    ]
    if p.dead_letter_queue_arn:
        # Lambda sends failed events with the role; SQS then asks KMS for the queue's data key on the
        # role's behalf. Nothing else needs the role to use the key: environment variables are
        # decrypted through the grant Lambda creates, logs and alarms through their own principals.
        statements.append(
            {
                "Sid": SID_KEY_VIA_DLQ,
                "Effect": "Allow",
                "Action": list(DEAD_LETTER_QUEUE_KEY_ACTIONS),
                "Resource": [p.key_arn],
                "Condition": {"StringEquals": {"kms:ViaService": sqs_service(p.region, p.dns_suffix)}},
            }
        )
        statements.append(
            {
                "Sid": SID_SEND_TO_DLQ,
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
        statements.append({"Sid": SID_TRACING, "Effect": "Allow", "Action": list(TRACING_ACTIONS), "Resource": "*"})
    if p.vpc:
        statements.extend(_vpc_statements(p.region, p.vpc))
    return {"Version": "2012-10-17", "Statement": statements}


def _vpc_statements(region: str, vpc: VpcPlacement) -> list[Statement]:
    """What Lambda needs to manage a VPC function's network interfaces, and nothing for the code.

    Lambda creates the interfaces itself, with the execution role, outside the execution environment
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
    What can be scoped follows from how it does that:

    - ``CreateNetworkInterface`` is authorised on the new interface (no ID yet: ``network-interface/*``)
      and on the subnet and security groups it is created with: those are the function's own.
    - ``Delete``/``Assign``/``Unassign`` act on interfaces Lambda created. Their IDs exist only at run
      time and one interface serves every function on the same subnet and security-group pair, so no
      ARN names "this function's" interfaces; the VPC page says to allow a unique interface ID or all
      of them (``arn:aws:ec2:<region>:<account>:*/*``). They are allowed on the account's interfaces in
      this region, and the statement says so. A subnet condition would strand the interfaces left in a
      subnet the function moved out of.
    - The two Describe calls have no resource-level permissions (``Resource: "*"``).

    The role's credentials are also in the function's environment. Lambda adds
    ``lambda:SourceFunctionArn`` to requests made from inside the execution environment and not to the
    EC2 calls it makes itself to create interfaces
    (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html), so a Deny on
    that key's presence keeps all six actions away from the function's code.
    """
    ec2 = f"arn:{vpc.partition}:ec2:{region}:{vpc.account_id}"
    interfaces = f"{ec2}:network-interface/*"
    return [
        {
            "Sid": SID_VPC_DESCRIBE,
            "Effect": "Allow",
            "Action": list(VPC_DESCRIBE_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": SID_VPC_CREATE,
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [
                interfaces,
                *(f"{ec2}:subnet/{s}" for s in vpc.subnet_ids),
                *(f"{ec2}:security-group/{g}" for g in vpc.security_group_ids),
            ],
        },
        {
            "Sid": SID_VPC_MANAGE,
            "Effect": "Allow",
            "Action": list(VPC_INTERFACE_ACTIONS),
            "Resource": [interfaces],
        },
        {
            "Sid": SID_VPC_DENY_CODE,
            "Effect": "Deny",
            "Action": list(VPC_ACTIONS),
            "Resource": "*",
            "Condition": {"Null": {"lambda:SourceFunctionArn": "false"}},
        },
    ]
