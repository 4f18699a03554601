"""SecureFunction's IAM documents, judged by an independent IAM evaluator: sufficient and necessary.

Each configuration runs the real component under mocks; the documents it registered (role policy,
trust policy, key policy, queue policy, the function's resource-based permissions) are weighed by
@cloud-copilot/iam-simulate (ARN matching, condition operators, explicit denies, resource and key
policies, cross-account rules) for two kinds of request:

- what AWS and the function's code do at run time, which must be allowed. Sources:
  - Lambda assumes the execution role: https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
  - logs (CreateLogStream, PutLogEvents on the function's log group):
    https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
  - CloudWatch Logs uses the key with the log group's encryption context:
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  - X-Ray active tracing (PutTraceSegments, PutTelemetryRecords):
    https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
  - dead-letter queue (Lambda sends with the role; SQS uses the key through kms:ViaService):
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html and
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
  - CloudWatch alarms publishing to an encrypted topic:
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
  - secrets (GetSecretValue; kms:Decrypt via Secrets Manager):
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
  - SSM parameters (GetParameter(s); kms:Decrypt via SSM):
    https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
  - VPC network interfaces (Lambda's own calls, without lambda:SourceFunctionArn):
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html and
    https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
  - function URLs (InvokeFunctionUrl and InvokeFunction): https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
  - the runtime helper writes metrics as EMF log lines (no cloudwatch:PutMetricData):
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html
- over-grant probes, which must be denied: other secrets with a shared prefix, other tables, log groups,
  queues and keys, direct KMS calls, ENI calls from the function's code, iam:*, another account.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from iam_evaluator import ALLOWED, Decision, Request, evaluate, evaluator_problem

from secure_serverless import Grant, VpcConfig
from secure_serverless.check.mocks import ProgramRun
from secure_serverless.function_url import caller_policy
from secure_serverless.kms import shared_key_policy_statements

from component_support import (
    ACCOUNT,
    FUNCTION,
    KEY,
    LOG_GROUP,
    QUEUE,
    QUEUE_POLICY,
    REGION,
    ROLE,
    ROLE_POLICY,
    SHARED_KEY_ARN,
    TABLE_ARN,
    document,
    one,
    run_one,
)

OTHER_ACCOUNT = "444455556666"
SUFFIX_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/api-key-Xy12Ab"
PATTERN_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-??????"
PATTERN_SECRET_REAL = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-Q1w2E3"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/db-password"
SECRET_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-2222-3333-4444-555555555555"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-aaaa-bbbb-cccc-dddddddddddd"
CLIENT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-client"
PARTNER_ROLE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/partner-client"
SUBNETS = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
SECURITY_GROUP = "sg-0123abcd"
DENIED = "Denied"
EXPLICIT = "ExplicitlyDenied"


def admin_key_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A key policy with the usual account-administration statement (the default key policy's)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnableIamUserPermissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            *statements,
        ],
    }


def lambda_resource_policy(run: ProgramRun, function_arn: str) -> dict[str, Any] | None:
    """The function's resource-based policy as Lambda's AddPermission writes it from each permission."""
    statements = []
    for permission in run.of_type("aws:lambda/permission:Permission"):
        inputs = permission.inputs
        condition: dict[str, Any] = {}
        if inputs.get("functionUrlAuthType"):
            condition["StringEquals"] = {"lambda:FunctionUrlAuthType": inputs["functionUrlAuthType"]}
        if inputs.get("invokedViaFunctionUrl"):
            condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
        principal = inputs["principal"]
        statement: dict[str, Any] = {
            "Sid": permission.name,
            "Effect": "Allow",
            "Principal": {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal},
            "Action": inputs["action"],
            "Resource": function_arn,
        }
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
    return {"Version": "2012-10-17", "Id": "default", "Statement": statements} if statements else None


@dataclass
class Deployed:
    """What one configuration deployed, with the documents AWS would weigh."""

    name: str
    run: ProgramRun
    role_policy: dict[str, Any]
    trust_policy: dict[str, Any]
    role_arn: str
    function_arn: str
    function_name: str
    log_group_arn: str
    key_arn: str
    key_policy: dict[str, Any]
    queue_arn: str | None
    queue_policy: dict[str, Any] | None
    function_policy: dict[str, Any] | None
    requests: list[Request] = field(default_factory=list)

    @property
    def session(self) -> str:
        """The role session Lambda runs the function (and its own calls) as."""
        return f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.role_arn.rsplit('/', 1)[-1]}/{self.function_name}"

    def code_context(self, **extra: str) -> dict[str, str | list[str]]:
        """A request from inside the execution environment: Lambda adds lambda:SourceFunctionArn."""
        return {"lambda:SourceFunctionArn": self.function_arn, "aws:SecureTransport": "true", **extra}

    @staticmethod
    def service_context(**extra: str) -> dict[str, str | list[str]]:
        """A request Lambda makes with the role outside the execution environment (no source ARN)."""
        return {"aws:SecureTransport": "true", **extra}

    def add(
        self,
        label: str,
        action: str,
        resource: str,
        expect: str,
        why: str,
        *,
        principal: str | None = None,
        identity: tuple[dict[str, Any], ...] | None = None,
        resource_policy: dict[str, Any] | None = None,
        context: dict[str, str | list[str]] | None = None,
        account: str = ACCOUNT,
    ) -> None:
        self.requests.append(
            Request(
                id=f"{self.name}/{label}",
                principal=principal or self.session,
                action=action,
                resource=resource,
                resource_account=account,
                expect=expect,
                why=why,
                identity_policies=(self.role_policy,) if identity is None else identity,
                resource_policy=resource_policy,
                context=self.code_context() if context is None else context,
            )
        )


def deploy(name: str, key_policy_for_shared: bool = False, **overrides: Any) -> Deployed:
    run = run_one(**overrides)
    role = one(run, ROLE)
    function = one(run, FUNCTION)
    log_group = one(run, LOG_GROUP)
    queues = run.of_type(QUEUE)
    queue_policies = run.of_type(QUEUE_POLICY)
    if key_policy_for_shared:
        key_arn = SHARED_KEY_ARN
        key_policy = admin_key_policy(
            *shared_key_policy_statements(
                account_id=ACCOUNT,
                region=REGION,
                role_arn=role.outputs["arn"],
                log_group_arn=log_group.outputs["arn"],
                alarm_topic_encrypted=True,
                dead_letter_queue=bool(queues),
            )
        )
    else:
        key = one(run, KEY)
        key_arn, key_policy = key.outputs["arn"], document(key)
    return Deployed(
        name=name,
        run=run,
        role_policy=document(one(run, ROLE_POLICY)),
        trust_policy=document(role, "assumeRolePolicy"),
        role_arn=role.outputs["arn"],
        function_arn=function.outputs["arn"],
        function_name=function.outputs["name"],
        log_group_arn=log_group.outputs["arn"],
        key_arn=key_arn,
        key_policy=key_policy,
        queue_arn=queues[0].outputs["arn"] if queues else None,
        queue_policy=document(queue_policies[0]) if queue_policies else None,
        function_policy=lambda_resource_policy(run, function.outputs["arn"]),
    )


# -- requests every configuration answers -------------------------------------------------------


def common_requests(d: Deployed) -> None:
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
    stream = f"{d.log_group_arn}:log-stream:2026/12/01/[$LATEST]0123456789abcdef"
    d.add(
        "lambda-assumes-role",
        "sts:AssumeRole",
        d.role_arn,
        ALLOWED,
        "Lambda assumes the execution role",
        principal="lambda.amazonaws.com",
        identity=(),
        resource_policy=d.trust_policy,
        context={"aws:SourceAccount": ACCOUNT},
    )
    d.add(
        "other-account-lambda-assumes-role",
        "sts:AssumeRole",
        d.role_arn,
        DENIED,
        "confused deputy: Lambda acting for another account",
        principal="lambda.amazonaws.com",
        identity=(),
        resource_policy=d.trust_policy,
        context={"aws:SourceAccount": OTHER_ACCOUNT},
    )
    d.add(
        "other-service-assumes-role",
        "sts:AssumeRole",
        d.role_arn,
        DENIED,
        "only Lambda is trusted",
        principal="ec2.amazonaws.com",
        identity=(),
        resource_policy=d.trust_policy,
        context={"aws:SourceAccount": ACCOUNT},
    )
    d.add(
        "code-assumes-own-role",
        "sts:AssumeRole",
        d.role_arn,
        DENIED,
        "the code cannot re-assume its role",
        resource_policy=d.trust_policy,
    )
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        d.add(
            f"lambda-{action}", action, stream, ALLOWED, "Lambda writes the function's logs", context=d.code_context()
        )
    for other in ("/aws/lambda/project/stack/orders-admin", "/aws/lambda/project/stack/payments", "/aws/lambda/x"):
        d.add(
            f"logs-other-group{other}",
            "logs:PutLogEvents",
            f"{logs}:{other}:log-stream:s",
            DENIED,
            "another log group (shared prefix)",
        )
    d.add(
        "logs-create-group",
        "logs:CreateLogGroup",
        d.log_group_arn,
        DENIED,
        "the program creates the log group; the role need not",
    )
    d.add("logs-delete-group", "logs:DeleteLogGroup", d.log_group_arn, DENIED, "not needed")
    d.add("logs-put-retention", "logs:PutRetentionPolicy", d.log_group_arn, DENIED, "retention is the program's")
    d.add("logs-get-events", "logs:GetLogEvents", stream, DENIED, "the function never reads its logs")
    # CloudWatch Logs encrypts the group with the key, for this log group's encryption context only
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:DescribeKey"):
        d.add(
            f"logs-service-{action}",
            action,
            d.key_arn,
            ALLOWED,
            "CloudWatch Logs encrypts the log group",
            principal=f"logs.{REGION}.amazonaws.com",
            identity=(),
            resource_policy=d.key_policy,
            context={"kms:EncryptionContext:aws:logs:arn": d.log_group_arn},
        )
    d.add(
        "logs-service-other-group",
        "kms:Encrypt",
        d.key_arn,
        DENIED,
        "another log group's context",
        principal=f"logs.{REGION}.amazonaws.com",
        identity=(),
        resource_policy=d.key_policy,
        context={"kms:EncryptionContext:aws:logs:arn": f"{logs}:/aws/lambda/other"},
    )
    d.add(
        "logs-service-no-context",
        "kms:Decrypt",
        d.key_arn,
        DENIED,
        "no encryption context",
        principal=f"logs.{REGION}.amazonaws.com",
        identity=(),
        resource_policy=d.key_policy,
        context={},
    )
    d.add(
        "logs-other-region",
        "kms:Encrypt",
        d.key_arn,
        DENIED,
        "Logs of another region",
        principal="logs.us-east-1.amazonaws.com",
        identity=(),
        resource_policy=d.key_policy,
        context={"kms:EncryptionContext:aws:logs:arn": d.log_group_arn},
    )
    # CloudWatch alarms publish to the encrypted topic
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        d.add(
            f"alarms-{action}",
            action,
            d.key_arn,
            ALLOWED,
            "CloudWatch alarms publish to the encrypted topic",
            principal="cloudwatch.amazonaws.com",
            identity=(),
            resource_policy=d.key_policy,
            context={"aws:SourceAccount": ACCOUNT},
        )
    d.add(
        "alarms-other-account",
        "kms:Decrypt",
        d.key_arn,
        DENIED,
        "alarms of another account",
        principal="cloudwatch.amazonaws.com",
        identity=(),
        resource_policy=d.key_policy,
        context={"aws:SourceAccount": OTHER_ACCOUNT},
    )
    d.add(
        "alarms-encrypt",
        "kms:Encrypt",
        d.key_arn,
        DENIED,
        "alarms need Decrypt and GenerateDataKey* only",
        principal="cloudwatch.amazonaws.com",
        identity=(),
        resource_policy=d.key_policy,
        context={"aws:SourceAccount": ACCOUNT},
    )
    # X-Ray
    for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
        d.add(f"xray-{action}", action, "*", ALLOWED, "active tracing")
    for action in ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:BatchGetTraces", "xray:GetTraceSummaries"):
        d.add(f"xray-{action}", action, "*", DENIED, "Lambda samples itself; the code reads no traces")
    # the key: never directly, never for anything else
    for action in ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"):
        d.add(
            f"direct-{action}", action, d.key_arn, DENIED, "direct KMS call from the code", resource_policy=d.key_policy
        )
    for action in ("kms:CreateGrant", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"):
        d.add(f"key-admin-{action}", action, d.key_arn, DENIED, "key administration", resource_policy=d.key_policy)
    d.add(
        "other-key-via-sqs",
        "kms:GenerateDataKey",
        OTHER_KEY,
        DENIED,
        "another key",
        resource_policy=admin_key_policy(),
        context=d.code_context(**{"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}),
    )
    d.add("other-key-direct", "kms:Decrypt", OTHER_KEY, DENIED, "another key", resource_policy=admin_key_policy())
    d.add(
        "other-account-root-uses-key",
        "kms:Decrypt",
        d.key_arn,
        DENIED,
        "another account",
        principal=f"arn:aws:iam::{OTHER_ACCOUNT}:root",
        identity=(),
        resource_policy=d.key_policy,
        context={},
    )
    d.add(
        "other-account-role-uses-key",
        "kms:Decrypt",
        d.key_arn,
        DENIED,
        "another account's role with kms:*",
        principal=f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/admin/x",
        identity=({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]},),
        resource_policy=d.key_policy,
        context={},
    )
    # iam:* and the like
    for action, resource in (
        ("iam:PassRole", d.role_arn),
        ("iam:PutRolePolicy", d.role_arn),
        ("iam:AttachRolePolicy", d.role_arn),
        ("iam:UpdateAssumeRolePolicy", d.role_arn),
        ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/new"),
        ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/admin"),
        ("lambda:UpdateFunctionCode", d.function_arn),
        ("lambda:UpdateFunctionConfiguration", d.function_arn),
        ("lambda:InvokeFunction", d.function_arn),
        ("cloudwatch:PutMetricData", "*"),
        ("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:orders-alarms"),
        ("s3:GetObject", "arn:aws:s3:::orders-bucket/key"),
    ):
        d.add(f"probe-{action}", action, resource, DENIED, "never declared")
    # other queues, other tables, other secrets: nothing undeclared
    for queue in ("orders-dlq-other", "payments-dlq"):
        d.add(
            f"other-queue-{queue}",
            "sqs:SendMessage",
            f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
            DENIED,
            "another queue",
        )
    d.add(
        "other-account-queue",
        "sqs:SendMessage",
        f"arn:aws:sqs:{REGION}:{OTHER_ACCOUNT}:orders-dlq",
        DENIED,
        "another account",
        account=OTHER_ACCOUNT,
    )
    d.add(
        "other-table",
        "dynamodb:GetItem",
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/payments",
        DENIED,
        "another table",
    )
    d.add(
        "other-secret",
        "secretsmanager:GetSecretValue",
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/admin-Ab12Cd",
        DENIED,
        "another secret",
    )
    d.add(
        "other-parameter",
        "ssm:GetParameter",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/admin",
        DENIED,
        "another parameter",
    )
    d.add(
        "eni-from-code",
        "ec2:DeleteNetworkInterface",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/eni-0123456789abcdef0",
        DENIED,
        "ENI calls from the code",
    )


def dead_letter_queue_requests(d: Deployed) -> None:
    assert d.queue_arn is not None and d.queue_policy is not None
    via_sqs = {
        "kms:ViaService": f"sqs.{REGION}.amazonaws.com",
        "kms:CallerAccount": ACCOUNT,
        "kms:EncryptionContext:aws:sqs:arn": d.queue_arn,
    }
    d.add(
        "lambda-sends-to-dlq",
        "sqs:SendMessage",
        d.queue_arn,
        ALLOWED,
        "Lambda sends failed async events with the role",
        resource_policy=d.queue_policy,
        context=d.service_context(),
    )
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        d.add(
            f"sqs-uses-key-{action}",
            action,
            d.key_arn,
            ALLOWED,
            "SQS encrypts the message for the role",
            resource_policy=d.key_policy,
            context=d.service_context(**via_sqs),
        )
    d.add(
        "sqs-key-other-service",
        "kms:Decrypt",
        d.key_arn,
        DENIED,
        "through another service",
        resource_policy=d.key_policy,
        context=d.code_context(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    )
    d.add(
        "sqs-key-encrypt",
        "kms:Encrypt",
        d.key_arn,
        DENIED,
        "SQS needs GenerateDataKey and Decrypt only",
        resource_policy=d.key_policy,
        context=d.service_context(**via_sqs),
    )
    d.add(
        "dlq-plain-http",
        "sqs:SendMessage",
        d.queue_arn,
        EXPLICIT,
        "the queue refuses plain HTTP",
        resource_policy=d.queue_policy,
        context={"aws:SecureTransport": "false"},
    )
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes"):
        d.add(
            f"dlq-{action}",
            action,
            d.queue_arn,
            DENIED,
            "the function only sends to its DLQ",
            resource_policy=d.queue_policy,
        )
    d.add(
        "other-account-sends-to-dlq",
        "sqs:SendMessage",
        d.queue_arn,
        DENIED,
        "another account",
        principal=f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/admin/x",
        identity=({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]},),
        resource_policy=d.queue_policy,
        context={"aws:SecureTransport": "true"},
    )


# -- the nine configurations ---------------------------------------------------------------------


def plain() -> Deployed:
    d = deploy("plain")
    common_requests(d)
    dead_letter_queue_requests(d)
    return d


def secrets() -> Deployed:
    d = deploy("secrets", secrets=[SUFFIX_SECRET, PATTERN_SECRET], secret_kms_key_arns=[SECRET_KEY])
    common_requests(d)
    dead_letter_queue_requests(d)
    key_policy = admin_key_policy()
    for secret in (SUFFIX_SECRET, PATTERN_SECRET_REAL):
        d.add(f"read-{secret}", "secretsmanager:GetSecretValue", secret, ALLOWED, "the code reads its secret")
    d.add(
        "decrypt-via-secretsmanager",
        "kms:Decrypt",
        SECRET_KEY,
        ALLOWED,
        "Secrets Manager decrypts for the code",
        resource_policy=key_policy,
        context=d.code_context(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    )
    for label, arn in (
        ("shared-prefix-longer-name", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db-admin-Q1w2E3"),
        ("shared-prefix-suffix-name", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:orders/db2-Q1w2E3"),
        ("shared-prefix-payments", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/api-key-2-Xy12Ab"),
        ("same-name-other-suffix", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/api-key-Zz99Zz"),
        ("other-region", SUFFIX_SECRET.replace(REGION, "us-east-1")),
        ("other-account", SUFFIX_SECRET.replace(ACCOUNT, OTHER_ACCOUNT)),
    ):
        d.add(
            f"secret-{label}",
            "secretsmanager:GetSecretValue",
            arn,
            DENIED,
            "a secret the function did not declare",
            account=OTHER_ACCOUNT if OTHER_ACCOUNT in arn else ACCOUNT,
        )
    for action in ("secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecrets"):
        d.add(
            f"secret-{action}",
            action,
            SUFFIX_SECRET if action != "secretsmanager:ListSecrets" else "*",
            DENIED,
            "read-only, GetSecretValue only",
        )
    d.add(
        "decrypt-secret-key-direct",
        "kms:Decrypt",
        SECRET_KEY,
        DENIED,
        "direct decrypt with the secrets' key",
        resource_policy=key_policy,
    )
    d.add(
        "decrypt-secret-key-via-ssm",
        "kms:Decrypt",
        SECRET_KEY,
        DENIED,
        "no SSM parameters declared",
        resource_policy=key_policy,
        context=d.code_context(**{"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}),
    )
    d.add(
        "decrypt-other-key-via-secretsmanager",
        "kms:Decrypt",
        OTHER_KEY,
        DENIED,
        "another key",
        resource_policy=key_policy,
        context=d.code_context(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    )
    return d


def ssm_parameters() -> Deployed:
    d = deploy("ssm", secrets=[PARAMETER], secret_kms_key_arns=[SECRET_KEY])
    common_requests(d)
    dead_letter_queue_requests(d)
    key_policy = admin_key_policy()
    for action in ("ssm:GetParameter", "ssm:GetParameters"):
        d.add(f"read-{action}", action, PARAMETER, ALLOWED, "the code reads its parameter")
    d.add(
        "decrypt-via-ssm",
        "kms:Decrypt",
        SECRET_KEY,
        ALLOWED,
        "SSM decrypts a SecureString for the code",
        resource_policy=key_policy,
        context=d.code_context(**{"kms:ViaService": f"ssm.{REGION}.amazonaws.com"}),
    )
    for label, arn in (
        ("shared-prefix", f"{PARAMETER}-old"),
        ("child", f"{PARAMETER}/admin"),
        ("sibling", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/orders/api-key"),
    ):
        d.add(f"parameter-{label}", "ssm:GetParameter", arn, DENIED, "a parameter the function did not declare")
    for action in ("ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameterHistory"):
        d.add(f"parameter-{action}", action, PARAMETER, DENIED, "GetParameter(s) only")
    d.add("decrypt-ssm-key-direct", "kms:Decrypt", SECRET_KEY, DENIED, "direct decrypt", resource_policy=key_policy)
    d.add(
        "decrypt-ssm-key-via-secretsmanager",
        "kms:Decrypt",
        SECRET_KEY,
        DENIED,
        "no Secrets Manager secret declared",
        resource_policy=key_policy,
        context=d.code_context(**{"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    )
    return d


def grants() -> Deployed:
    index = f"{TABLE_ARN}/index/by-customer"
    d = deploy(
        "grants",
        grants=[
            Grant(sid="ReadOrders", actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[TABLE_ARN, index]),
            Grant(sid="WriteOrders", actions=["dynamodb:PutItem"], resources=[TABLE_ARN]),
        ],
    )
    common_requests(d)
    dead_letter_queue_requests(d)
    for action, resource in (
        ("dynamodb:GetItem", TABLE_ARN),
        ("dynamodb:Query", TABLE_ARN),
        ("dynamodb:Query", index),
        ("dynamodb:PutItem", TABLE_ARN),
    ):
        d.add(f"grant-{action}-{resource.rsplit('/', 1)[-1]}", action, resource, ALLOWED, "declared grant")
    for number, (action, resource) in enumerate(
        (
            ("dynamodb:DeleteItem", TABLE_ARN),
            ("dynamodb:Scan", TABLE_ARN),
            ("dynamodb:UpdateItem", TABLE_ARN),
            ("dynamodb:DeleteTable", TABLE_ARN),
            ("dynamodb:PutItem", index),
            ("dynamodb:Query", f"{TABLE_ARN}/index/other"),
            ("dynamodb:GetItem", f"{TABLE_ARN}-archive"),
            ("dynamodb:GetItem", TABLE_ARN.replace(REGION, "us-east-1")),
            ("dynamodb:GetItem", TABLE_ARN.replace(ACCOUNT, OTHER_ACCOUNT)),
        )
    ):
        d.add(
            f"grant-probe-{number}-{action}",
            action,
            resource,
            DENIED,
            "not granted",
            account=OTHER_ACCOUNT if OTHER_ACCOUNT in resource else ACCOUNT,
        )
    return d


def vpc() -> Deployed:
    d = deploy("vpc", vpc=VpcConfig(subnet_ids=SUBNETS, security_group_ids=[SECURITY_GROUP]))
    common_requests(d)
    dead_letter_queue_requests(d)
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    eni = f"{ec2}:network-interface/eni-0123456789abcdef0"
    lambda_itself = d.service_context()
    # CreateNetworkInterface is authorised on each resource it touches: the new interface, subnet, group
    for label, resource in (
        ("interface", f"{ec2}:network-interface/*"),
        ("subnet-a", f"{ec2}:subnet/{SUBNETS[0]}"),
        ("subnet-b", f"{ec2}:subnet/{SUBNETS[1]}"),
        ("security-group", f"{ec2}:security-group/{SECURITY_GROUP}"),
    ):
        d.add(
            f"lambda-create-eni-{label}",
            "ec2:CreateNetworkInterface",
            resource,
            ALLOWED,
            "Lambda creates the function's interface",
            context=lambda_itself,
        )
        d.add(
            f"code-create-eni-{label}",
            "ec2:CreateNetworkInterface",
            resource,
            EXPLICIT,
            "the code may not create interfaces",
        )
    for label, resource in (
        ("other-subnet", f"{ec2}:subnet/subnet-0fffffffffffffff0"),
        ("other-security-group", f"{ec2}:security-group/sg-0fffffff"),
        ("other-region-subnet", f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{SUBNETS[0]}"),
    ):
        d.add(
            f"lambda-create-eni-{label}",
            "ec2:CreateNetworkInterface",
            resource,
            DENIED,
            "not the function's subnets or groups",
            context=lambda_itself,
        )
    for action in ("ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"):
        d.add(f"lambda-{action}", action, eni, ALLOWED, "Lambda manages its interfaces", context=lambda_itself)
        d.add(f"code-{action}", action, eni, EXPLICIT, "the code may not touch interfaces")
        d.add(
            f"lambda-{action}-other-region",
            action,
            eni.replace(REGION, "us-east-1"),
            DENIED,
            "another region",
            context=lambda_itself,
        )
    for action in ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"):
        d.add(f"lambda-{action}", action, "*", ALLOWED, "Lambda reads the network", context=lambda_itself)
        d.add(f"code-{action}", action, "*", EXPLICIT, "the code may not read the network")
    for action, resource in (
        ("ec2:AttachNetworkInterface", eni),
        ("ec2:ModifyNetworkInterfaceAttribute", eni),
        ("ec2:CreateNetworkInterfacePermission", eni),
        ("ec2:DescribeSecurityGroups", "*"),
        ("ec2:DescribeVpcs", "*"),
        ("ec2:AuthorizeSecurityGroupIngress", f"{ec2}:security-group/{SECURITY_GROUP}"),
    ):
        d.add(f"lambda-{action}", action, resource, DENIED, "not in Lambda's documented list", context=lambda_itself)
    return d


def function_url() -> Deployed:
    d = deploy("url", function_url="AWS_IAM", function_url_invokers=[CLIENT_ROLE, PARTNER_ROLE])
    common_requests(d)
    dead_letter_queue_requests(d)
    assert d.function_policy is not None
    client = f"arn:aws:sts::{ACCOUNT}:assumed-role/orders-client/s"
    partner = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/partner-client/s"
    stranger = f"arn:aws:sts::{ACCOUNT}:assumed-role/someone-else/s"
    url_call = {"lambda:FunctionUrlAuthType": "AWS_IAM"}
    via_url = {"lambda:InvokedViaFunctionUrl": "true"}
    direct = {"lambda:InvokedViaFunctionUrl": "false"}
    partner_policy = caller_policy(d.function_arn)

    def call(label: str, who: str, identity: tuple[dict[str, Any], ...], expect: str, why: str) -> None:
        d.add(
            f"{label}-url",
            "lambda:InvokeFunctionUrl",
            d.function_arn,
            expect,
            why,
            principal=who,
            identity=identity,
            resource_policy=d.function_policy,
            context=url_call,
        )
        d.add(
            f"{label}-invoke-via-url",
            "lambda:InvokeFunction",
            d.function_arn,
            expect,
            why,
            principal=who,
            identity=identity,
            resource_policy=d.function_policy,
            context=via_url,
        )

    call("client", client, (), ALLOWED, "a declared invoker in the account (resource-based policy suffices)")
    call("partner", partner, (partner_policy,), ALLOWED, "a declared cross-account invoker with caller_policy()")
    call("partner-without-own-policy", partner, (), DENIED, "cross-account callers need their own policy too")
    call("stranger", stranger, (), DENIED, "not a declared invoker")
    call("other-account-root", f"arn:aws:iam::{OTHER_ACCOUNT}:root", (), DENIED, "not a declared invoker")
    d.add(
        "client-direct-invoke",
        "lambda:InvokeFunction",
        d.function_arn,
        DENIED,
        "the permission is for URL calls only",
        principal=client,
        identity=(),
        resource_policy=d.function_policy,
        context=direct,
    )
    d.add(
        "partner-direct-invoke",
        "lambda:InvokeFunction",
        d.function_arn,
        DENIED,
        "the permission is for URL calls only",
        principal=partner,
        identity=(partner_policy,),
        resource_policy=d.function_policy,
        context=direct,
    )
    for action in ("lambda:UpdateFunctionUrlConfig", "lambda:AddPermission", "lambda:GetFunction"):
        d.add(
            f"client-{action}",
            action,
            d.function_arn,
            DENIED,
            "invoke only",
            principal=client,
            identity=(),
            resource_policy=d.function_policy,
            context={},
        )
    return d


def shared_key() -> Deployed:
    d = deploy("shared-key", key_policy_for_shared=True, kms_key_arn=SHARED_KEY_ARN)
    common_requests(d)
    dead_letter_queue_requests(d)
    bare = admin_key_policy()
    via_sqs = d.service_context(**{"kms:ViaService": f"sqs.{REGION}.amazonaws.com"})
    d.add(
        "default-key-policy-logs",
        "kms:Encrypt",
        d.key_arn,
        DENIED,
        "without the statements CloudWatch Logs cannot use the key",
        principal=f"logs.{REGION}.amazonaws.com",
        identity=(),
        resource_policy=bare,
        context={"kms:EncryptionContext:aws:logs:arn": d.log_group_arn},
    )
    d.add(
        "default-key-policy-alarms",
        "kms:GenerateDataKey",
        d.key_arn,
        DENIED,
        "without the statements alarm notifications are lost",
        principal="cloudwatch.amazonaws.com",
        identity=(),
        resource_policy=bare,
        context={"aws:SourceAccount": ACCOUNT},
    )
    d.add(
        "default-key-policy-role-through-iam",
        "kms:GenerateDataKey",
        d.key_arn,
        ALLOWED,
        "with the default policy the role's own statement still serves the DLQ (IAM delegation)",
        resource_policy=bare,
        context=via_sqs,
    )
    # the documented way to write a shared key's policy before the function exists: role_arn=None
    delegated = admin_key_policy(
        *shared_key_policy_statements(
            account_id=ACCOUNT,
            region=REGION,
            role_arn=None,
            log_group_arn=d.log_group_arn,
            alarm_topic_encrypted=True,
            dead_letter_queue=True,
        )
    )
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        d.add(
            f"delegated-role-{action}",
            action,
            d.key_arn,
            ALLOWED,
            "the role's own statement, via IAM delegation",
            resource_policy=delegated,
            context=via_sqs,
        )
        d.add(
            f"delegated-role-direct-{action}",
            action,
            d.key_arn,
            DENIED,
            "still only through SQS",
            resource_policy=delegated,
        )
    d.add(
        "delegated-logs",
        "kms:Encrypt",
        d.key_arn,
        ALLOWED,
        "Logs for this log group",
        principal=f"logs.{REGION}.amazonaws.com",
        identity=(),
        resource_policy=delegated,
        context={"kms:EncryptionContext:aws:logs:arn": d.log_group_arn},
    )
    d.add(
        "delegated-alarms",
        "kms:GenerateDataKey",
        d.key_arn,
        ALLOWED,
        "alarms for this account",
        principal="cloudwatch.amazonaws.com",
        identity=(),
        resource_policy=delegated,
        context={"aws:SourceAccount": ACCOUNT},
    )
    return d


def runtime_helper() -> Deployed:
    d = deploy("runtime-helper", runtime_helper=True)
    common_requests(d)
    dead_letter_queue_requests(d)
    stream = f"{d.log_group_arn}:log-stream:2026/12/01/[$LATEST]0123456789abcdef"
    d.add("helper-emf-metrics", "logs:PutLogEvents", stream, ALLOWED, "the helper's metrics are EMF log lines")
    d.add(
        "helper-put-metric-data",
        "cloudwatch:PutMetricData",
        "*",
        DENIED,
        "EMF needs no PutMetricData",
        context=d.code_context(**{"cloudwatch:namespace": "SecureServerless"}),
    )
    return d


def no_dead_letter_queue() -> Deployed:
    d = deploy("no-dlq", create_dead_letter_queue=False)
    common_requests(d)
    via_sqs = d.service_context(**{"kms:ViaService": f"sqs.{REGION}.amazonaws.com"})
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        d.add(
            f"no-dlq-role-{action}-via-sqs",
            action,
            d.key_arn,
            DENIED,
            "no queue: nothing needs the role's key use",
            resource_policy=d.key_policy,
            context=via_sqs,
        )
        d.add(
            f"no-dlq-lambda-{action}",
            action,
            d.key_arn,
            DENIED,
            "environment variables are decrypted through Lambda's grant, not the role's policy",
            resource_policy=d.key_policy,
            context=d.service_context(),
        )
    d.add("no-dlq-send", "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dlq", DENIED, "no queue")
    return d


CONFIGURATIONS: dict[str, Callable[[], Deployed]] = {
    "plain": plain,
    "secrets": secrets,
    "ssm": ssm_parameters,
    "grants": grants,
    "vpc": vpc,
    "function-url": function_url,
    "shared-key": shared_key,
    "runtime-helper": runtime_helper,
    "no-dlq": no_dead_letter_queue,
}


@pytest.fixture(scope="module")
def decisions() -> dict[str, list[Decision]]:
    problem = evaluator_problem()
    if problem:
        pytest.fail(f"the IAM evaluator is required (CI installs it in .ci/run): {problem}")
    deployed = {name: build() for name, build in CONFIGURATIONS.items()}
    everything = [r for d in deployed.values() for r in d.requests]
    results = iter(evaluate(everything))
    return {name: [next(results) for _ in d.requests] for name, d in deployed.items()}


@pytest.mark.slow
@pytest.mark.parametrize("configuration", list(CONFIGURATIONS))
def test_every_request_is_decided_as_aws_documents(decisions: dict[str, list[Decision]], configuration: str) -> None:
    wrong = [d.describe() for d in decisions[configuration] if not d.ok]
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_matrix_is_large_and_covers_both_directions(decisions: dict[str, list[Decision]]) -> None:
    flat = [d for ds in decisions.values() for d in ds]
    assert len(flat) >= 300
    assert len({d.request.id for d in flat}) == len(flat), "request ids must be unique"
    per_configuration = {name: Counter(d.request.expect == ALLOWED for d in ds) for name, ds in decisions.items()}
    for name, counts in per_configuration.items():
        assert counts[True] >= 10 and counts[False] >= 40, (name, counts)
    # the evaluator judged them all (no request fell back to an error)
    assert not [d.describe() for d in flat if d.decision == "Error"]
    # only KMS encryption-context requests need the core engine (see iam_eval/evaluate.js)
    assert {d.request.action.split(":")[0] for d in flat if d.engine == "core"} == {"kms"}


def _widened(policy: dict[str, Any]) -> dict[str, Any]:
    wide = copy.deepcopy(policy)
    for statement in wide["Statement"]:
        if statement["Effect"] == "Allow":
            statement["Resource"] = "*"
            statement.pop("Condition", None)
    return wide


@pytest.mark.slow
def test_probes_catch_a_widened_policy() -> None:
    """The probes are not vacuous: the same requests against over-broad documents get allowed."""
    d = deploy(
        "widened",
        vpc=VpcConfig(subnet_ids=SUBNETS, security_group_ids=[SECURITY_GROUP]),
        secrets=[PATTERN_SECRET],
        secret_kms_key_arns=[SECRET_KEY],
    )
    d.role_policy = _widened(d.role_policy)
    d.role_policy["Statement"] = [s for s in d.role_policy["Statement"] if s["Effect"] == "Allow"]
    d.key_policy = _widened(d.key_policy)
    common_requests(d)
    dead_letter_queue_requests(d)
    results = {r.request.id.split("/", 1)[1]: r for r in evaluate(d.requests)}
    for probe in (
        "logs-other-group/aws/lambda/x",
        "other-queue-payments-dlq",
        "eni-from-code",
        "direct-kms:Decrypt",
        "logs-service-other-group",
    ):
        assert results[probe].decision == ALLOWED, results[probe].describe()


def test_matrix_summary_for_the_docs(decisions: dict[str, list[Decision]], capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the table docs/least-privilege.md shows (``pytest -s -k summary``)."""
    rows = []
    for name, ds in decisions.items():
        allowed = sum(d.request.expect == ALLOWED for d in ds)
        rows.append(f"| {name} | {len(ds)} | {allowed} | {len(ds) - allowed} | {sum(d.ok for d in ds)} |")
    total = sum(len(ds) for ds in decisions.values())
    print(json.dumps({"total": total}))
    print("\n".join(rows))
    assert total == sum(int(r.split("|")[2]) for r in rows)
