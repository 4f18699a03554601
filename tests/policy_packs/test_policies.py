"""Per-policy fixtures: the happy path passes; one change per case makes exactly the expected resources fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from secure_serverless.check.model import UNKNOWN, RecordedResource

from helpers import analyse, messages, name_of, violations
from stack_factory import ACCOUNT, PROVIDER, REGION, add, find, happy_stack, patch, raw

Stack = list[RecordedResource]
FN = "aws:lambda/function:Function"
PERM = "aws:lambda/permission:Permission"
URL = "aws:lambda/functionUrl:FunctionUrl"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/orders-role-1234567"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def with_policy(stack: Stack, *statements: dict[str, Any]) -> Stack:
    return patch(stack, "orders-policy", set_={"policy": doc(*statements)})


def allow(action: Any, resource: Any = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
          **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def orders_fn(stack: Stack) -> RecordedResource:
    return find(stack, "orders-function")


def fn_env(stack: Stack, variables: dict[str, Any]) -> Stack:
    return patch(stack, "orders-function", set_={"environment": {"variables": variables}})


def permission(principal: str, **inputs: Any) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        fn = orders_fn(stack)
        return add(stack, raw(PERM, "orders-invoke", {"action": "lambda:InvokeFunction", "function": "orders-fn",
                                                       "principal": principal, **inputs}, deps={"function": [fn.urn]}))
    return change


def function_url(auth: str) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        return add(stack, raw(URL, "orders-url", {"functionName": "orders-fn", "authorizationType": auth},
                              deps={"functionName": [orders_fn(stack).urn]}))
    return change


def attach(policy_arn: str) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        role = find(stack, "orders-role")
        return add(stack, raw("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "orders-attach",
                              {"role": "orders-role-1234567", "policyArn": policy_arn}, deps={"role": [role.urn]}))
    return change


def secret(rotation_days: float | None, **inputs: Any) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-abcdef"
        s = raw("aws:secretsmanager/secret:Secret", "db-secret", {"name": "db", **inputs},
                outputs={"arn": arn, "id": arn})
        extra = [s]
        if rotation_days is not None:
            extra.append(raw("aws:secretsmanager/secretRotation:SecretRotation", "db-rotation",
                             {"secretId": arn, "rotationLambdaArn": "arn:aws:lambda:eu-west-1:1:function:rot",
                              "rotationRules": {"automaticallyAfterDays": rotation_days}}, deps={"secretId": [s.urn]}))
        return add(stack, *extra)
    return change


def provider_default_tags(default_tags: Any) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        return add(stack, RecordedResource(type="pulumi:providers:aws", name="default_7_51_1",
                                           urn=PROVIDER.rsplit("::", 1)[0],
                                           inputs={"region": REGION, "defaultTags": default_tags}))
    return change


def subnets_in(zones: list[str]) -> Callable[[Stack], Stack]:
    def change(stack: Stack) -> Stack:
        subnets = [raw("aws:ec2/subnet:Subnet", f"subnet-{i}", {"vpcId": "vpc-1", "availabilityZone": zone,
                                                                  "cidrBlock": f"10.0.{i}.0/24"},
                       outputs={"id": f"subnet-{i}"}) for i, zone in enumerate(zones)]
        vpc = {"subnetIds": [f"subnet-{i}" for i in range(len(zones))], "securityGroupIds": ["sg-1"]}
        stack = add(stack, *subnets)
        for fn in ("orders-function", "billing-function"):
            stack = patch(stack, fn, set_={"vpcConfig": vpc})
        return stack
    return change


@dataclass
class Case:
    policy: str
    change: Callable[[Stack], Stack]
    expected: set[str]
    text: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    id: str = ""


def C(policy: str, change: Callable[[Stack], Stack], expected: set[str], text: str = "",
      config: dict[str, Any] | None = None, id: str = "") -> Any:
    return pytest.param(Case(policy, change, expected, text, config or {}), id=f"{policy}:{id}")


ENABLE = {"enforcementLevel": "advisory"}

CASES = [
    # lambda-env-kms-encrypted
    C("lambda-env-kms-encrypted", lambda s: patch(s, "orders-function", drop=["kmsKeyArn"]), {"orders-function"},
      "aws.lambda_.Function(kms_key_arn=key.arn)", id="no-key"),
    C("lambda-env-kms-encrypted", lambda s: patch(s, "orders-function",
                                                  set_={"kmsKeyArn": "arn:aws:kms:eu-west-1:1:alias/aws/lambda"}),
      {"orders-function"}, "AWS-managed key", id="aws-managed"),
    C("lambda-env-kms-encrypted", lambda s: patch(s, "orders-function", drop=["kmsKeyArn", "environment"]), set(),
      id="no-env-no-key-ok"),
    # lambda-no-secrets-in-env
    C("lambda-no-secrets-in-env", lambda s: fn_env(s, {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}),
      {"orders-function"}, "AWS access key id", id="aws-key"),
    C("lambda-no-secrets-in-env", lambda s: fn_env(s, {"DB_PASSWORD": "x9F!kq2Lz#8Pw4Rt7Vb$"}),
      {"orders-function"}, "high-entropy secret", id="entropy"),
    C("lambda-no-secrets-in-env", lambda s: fn_env(s, {"KEY": "-----BEGIN RSA PRIVATE KEY-----\nabc"}),
      {"orders-function"}, "private key", id="pem"),
    C("lambda-no-secrets-in-env", lambda s: fn_env(s, {
        "DB_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbC123",
        "API_TOKEN_NAME": "prod/api/Token-2024x", "MODE": "fast"}), set(), id="references-ok"),
    # lambda-tracing-active
    C("lambda-tracing-active", lambda s: patch(s, "orders-function", set_={"tracingConfig": {"mode": "PassThrough"}}),
      {"orders-function"}, "tracing_config={'mode': 'Active'}", id="passthrough"),
    C("lambda-tracing-active", lambda s: patch(s, "billing-function", drop=["tracingConfig"]), {"billing-function"},
      "SecureFunctionArgs(tracing=", id="missing"),
    # lambda-reserved-concurrency
    C("lambda-reserved-concurrency", lambda s: patch(s, "orders-function", drop=["reservedConcurrentExecutions"]),
      {"orders-function"}, "is not set", id="missing"),
    C("lambda-reserved-concurrency", lambda s: patch(s, "orders-function", set_={"reservedConcurrentExecutions": -1.0}),
      {"orders-function"}, "reserved_concurrent_executions", id="unreserved"),
    C("lambda-reserved-concurrency", lambda s: s, {"orders-function", "billing-function"}, "between 1 and 10",
      config={"lambda-reserved-concurrency": {"maximumReservedConcurrency": 10}}, id="threshold"),
    # lambda-failure-destination
    C("lambda-failure-destination", lambda s: patch(s, "orders-function", drop=["deadLetterConfig"]),
      {"orders-function"}, "dead_letter_config", id="untriggered"),
    C("lambda-failure-destination", lambda s: permission("apigateway.amazonaws.com", sourceArn="arn:x")(
        patch(s, "orders-function", drop=["deadLetterConfig"])), set(), id="sync-only-ok"),
    C("lambda-failure-destination", lambda s: permission("sns.amazonaws.com", sourceArn="arn:x")(
        patch(s, "orders-function", drop=["deadLetterConfig"])), {"orders-function"}, "asynchronously", id="async"),
    C("lambda-failure-destination", lambda s: patch(s, "orders-function", drop=["deadLetterConfig"]), set(),
      config={"lambda-failure-destination": {"requireWhenNoTriggerInStack": False}}, id="config-untriggered-ok"),
    # lambda-runtime-supported
    C("lambda-runtime-supported", lambda s: patch(s, "orders-function", set_={"runtime": "python3.8"}),
      {"orders-function"}, "runtime='python3.13'", id="deprecated"),
    C("lambda-runtime-supported", lambda s: patch(s, "orders-function", set_={"runtime": "go1.x"}),
      {"orders-function"}, "not in the allowed list", id="go1"),
    C("lambda-runtime-supported", lambda s: patch(s, "orders-function", set_={"packageType": "Image"},
                                                  drop=["runtime"]), set(), id="image-ok"),
    C("lambda-runtime-supported", lambda s: s, {"orders-function", "billing-function"}, "allowed list",
      config={"lambda-runtime-supported": {"allowedRuntimes": ["python3.13"]}}, id="config"),
    # lambda-log-group-explicit
    C("lambda-log-group-explicit", lambda s: patch(s, "orders-function", set_={"loggingConfig": {"logFormat": "JSON"},
                                                                               "name": "renamed"}),
      {"orders-function"}, "no log group in this stack", id="not-created"),
    C("lambda-log-group-explicit", lambda s: patch(s, "orders-function", set_={"loggingConfig": {"logFormat": "JSON"}}),
      set(), id="default-name-ok"),
    C("lambda-log-group-explicit", lambda s: patch(s, "orders-logs", drop=["retentionInDays"]), {"orders-function"},
      "never expires", id="no-retention"),
    # lambda-code-signing (disabled by default)
    C("lambda-code-signing", lambda s: s, set(), id="disabled-by-default"),
    C("lambda-code-signing", lambda s: patch(s, "orders-function", set_={"codeSigningConfigArn": "arn:csc"}),
      {"billing-function"}, "code_signing_config_arn", config={"lambda-code-signing": ENABLE}, id="enabled"),
    # lambda-vpc (disabled by default; requireVpc)
    C("lambda-vpc", lambda s: s, {"orders-function", "billing-function"}, "VpcConfig(",
      config={"lambda-vpc": {**ENABLE, "requireVpc": True}}, id="required"),
    C("lambda-vpc", subnets_in(["eu-west-1a", "eu-west-1a"]), {"orders-function", "billing-function"},
      "two availability zones", config={"lambda-vpc": {**ENABLE, "requireVpc": True}}, id="one-az"),
    C("lambda-vpc", subnets_in(["eu-west-1a", "eu-west-1b"]), set(),
      config={"lambda-vpc": {**ENABLE, "requireVpc": True}}, id="two-az-ok"),
    C("lambda-vpc", lambda s: s, set(), config={"lambda-vpc": ENABLE}, id="not-required-ok"),
    # lambda-required-tags
    C("lambda-required-tags", lambda s: patch(s, "orders-function", set_={"tags": {"team": "a"}}),
      {"billing-function"}, "SecureFunctionArgs(tags=", config={"lambda-required-tags": {"requiredTags": ["team"]}},
      id="missing"),
    # (the provider sends its nested inputs as JSON strings: default tags there were ignored, a false failure)
    C("lambda-required-tags", provider_default_tags('{"tags":{"team":"payments"}}'), set(),
      config={"lambda-required-tags": {"requiredTags": ["team"]}}, id="provider-default-tags-json-ok"),
    C("lambda-required-tags", provider_default_tags({"tags": {"team": "payments"}}), {"orders-function",
                                                                                      "billing-function"},
      "lacks required tag(s) owner", config={"lambda-required-tags": {"requiredTags": ["team", "owner"]}},
      id="provider-default-tags-object"),
    # lambda-url-auth-iam
    C("lambda-url-auth-iam", function_url("NONE"), {"orders-url"}, "authorization_type='AWS_IAM'", id="none"),
    C("lambda-url-auth-iam", function_url("AWS_IAM"), set(), id="iam-ok"),
    # lambda-permission-scoped
    C("lambda-permission-scoped", permission("s3.amazonaws.com"), {"orders-invoke"}, "source_arn=", id="service"),
    C("lambda-permission-scoped", permission("*"), {"orders-invoke"}, "sourceArn or sourceAccount", id="star"),
    C("lambda-permission-scoped", permission("s3.amazonaws.com", sourceAccount=ACCOUNT), set(), id="account-ok"),
    C("lambda-permission-scoped", permission(ACCOUNT), set(), id="account-principal-ok"),
    # iam-no-wildcard-actions
    C("iam-no-wildcard-actions", lambda s: with_policy(s, allow("s3:*")), {"orders-policy"}, "'service:*'",
      id="service-star"),
    C("iam-no-wildcard-actions", lambda s: with_policy(s, {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
      {"orders-policy"}, "NotAction", id="not-action"),
    C("iam-no-wildcard-actions", lambda s: with_policy(s, {"Effect": "Deny", "Action": "*", "Resource": "*"}), set(),
      id="deny-ok"),
    C("iam-no-wildcard-actions", lambda s: patch(s, "orders-role", set_={"inlinePolicies": [
        {"name": "inline", "policy": doc(allow("*"))}]}), {"orders-role"}, "inlinePolicies[0]", id="inline"),
    # iam-no-wildcard-resources
    C("iam-no-wildcard-resources", lambda s: with_policy(s, allow("dynamodb:GetItem", "*")), {"orders-policy"},
      "dynamodb:GetItem on every resource", id="star"),
    C("iam-no-wildcard-resources", lambda s: with_policy(s, allow("s3:GetObject", "arn:aws:s3:::*")),
      {"orders-policy"}, "on every resource", id="service-wide"),
    C("iam-no-wildcard-resources", lambda s: with_policy(s, allow(["ec2:DescribeNetworkInterfaces"], "*")), set(),
      id="eni-describe-ok"),
    # GUARDRAILS.md v2: the ENI actions Lambda needs for VPC functions may use '*'
    C("iam-no-wildcard-resources", lambda s: with_policy(s, allow(["ec2:CreateNetworkInterface"], "*")),
      set(), id="eni-create-ok"),
    # iam-no-admin-managed-policies
    C("iam-no-admin-managed-policies", attach("arn:aws:iam::aws:policy/AdministratorAccess"), {"orders-attach"},
      "AdministratorAccess", id="admin"),
    C("iam-no-admin-managed-policies", attach("arn:aws:iam::aws:policy/AmazonS3FullAccess"), {"orders-attach"},
      "AmazonS3FullAccess", id="full-access"),
    C("iam-no-admin-managed-policies", attach("arn:aws:iam::aws:policy/ReadOnlyAccess"), set(), id="read-only-ok"),
    C("iam-no-admin-managed-policies", lambda s: patch(s, "orders-role", set_={
        "managedPolicyArns": ["arn:aws:iam::aws:policy/PowerUserAccess"]}), {"orders-role"}, "PowerUserAccess",
      id="managed-arns"),
    # iam-no-privilege-escalation
    C("iam-no-privilege-escalation", lambda s: with_policy(s, allow("iam:PassRole", "*")), {"orders-policy"},
      "iam:PassRole on '*'", id="passrole-star"),
    C("iam-no-privilege-escalation", lambda s: with_policy(s, allow("iam:PassRole", ROLE_ARN)), set(),
      id="passrole-scoped-ok"),
    C("iam-no-privilege-escalation", lambda s: with_policy(s, allow("iam:Put*", ROLE_ARN)), {"orders-policy"},
      "iam:PutRolePolicy", id="put-star-expanded"),
    C("iam-no-privilege-escalation",
      lambda s: with_policy(s, allow("kms:CreateGrant", "arn:aws:kms:eu-west-1:1:key/x")),
      {"orders-policy"}, "kms:CreateGrant", id="permissions-management"),
    C("iam-no-privilege-escalation", lambda s: patch(with_policy(s, allow("iam:CreateRole", "*")), "orders-role", set_={
        "assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                 "Action": "sts:AssumeRole"})}), {"orders-policy"},
      "iam:CreateRole", id="function-role-whatever-its-trust"),
    # iam-lambda-trust-scoped
    C("iam-lambda-trust-source-account", lambda s: patch(s, "orders-role", set_={"assumeRolePolicy": doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})}),
      {"orders-role"}, "aws:SourceAccount", id="no-condition"),
    C("iam-lambda-trust-scoped", lambda s: patch(s, "orders-role", set_={"assumeRolePolicy": doc(
        {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})}),
      {"orders-role"}, "also trusts Service:ec2.amazonaws.com", id="extra-principal"),
    # iam-role-not-shared
    C("iam-role-not-shared", lambda s: patch(s, "billing-function", set_={"role": ROLE_ARN},
                                             deps={"role": [find(s, "orders-role").urn]}),
      {"orders-role"}, "each function must have its own role", id="shared"),
    # iam-permissions-boundary (disabled by default)
    C("iam-permissions-boundary", lambda s: patch(s, "orders-role", set_={"permissionsBoundary": "arn:b"}),
      {"billing-role"}, "permissions_boundary='arn:b'",
      config={"iam-permissions-boundary": {**ENABLE, "permissionsBoundaryArn": "arn:b"}}, id="enabled"),
    C("iam-permissions-boundary", lambda s: s, set(), config={"iam-permissions-boundary": ENABLE},
      id="unconfigured-ok"),
    # iam-secret-read-scoped
    C("iam-secret-read-scoped", lambda s: with_policy(s, allow(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db*")), {"orders-policy"},
      "specific secret ARNs", id="name-star"),
    C("iam-secret-read-scoped", lambda s: with_policy(s, allow(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-??????")), set(),
      id="suffix-ok"),
    C("iam-secret-read-scoped", lambda s: with_policy(s, allow(
        "ssm:GetParameter*", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*")), {"orders-policy"},
      "parameter ARNs", id="ssm-path"),
    C("iam-secret-read-scoped", lambda s: with_policy(s, allow(
        "kms:Decrypt", "*", Condition={"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}})),
      set(), id="via-service-ok"),
    C("iam-secret-read-scoped", lambda s: with_policy(s, allow("kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/*")),
      {"orders-policy"}, "kms:Decrypt", id="kms-star"),
    # kms-key-rotation-enabled
    C("kms-key-rotation-enabled", lambda s: patch(s, "orders-key", set_={"enableKeyRotation": False}), {"orders-key"},
      "enable_key_rotation=True", id="off"),
    C("kms-key-rotation-enabled", lambda s: patch(s, "orders-key", set_={"rotationPeriodInDays": 730.0}),
      {"orders-key"}, "730 days", id="period"),
    C("kms-key-rotation-enabled", lambda s: patch(s, "orders-key", set_={"enableKeyRotation": False,
                                                                         "customerMasterKeySpec": "RSA_2048",
                                                                         "keyUsage": "SIGN_VERIFY"}), set(),
      id="asymmetric-ok"),
    # kms-key-policy-no-wildcard-principal
    C("kms-key-policy-no-wildcard-principal", lambda s: patch(s, "orders-key", set_={"policy": doc(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"})}), {"orders-key"},
      "Principal '*'", id="star"),
    C("kms-key-policy-no-wildcard-principal", lambda s: patch(s, "orders-key", set_={"policy": doc(
        {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}})}), set(), id="conditioned-ok"),
    # logs-retention-set
    C("logs-retention-set", lambda s: patch(s, "orders-logs", set_={"retentionInDays": 30.0}), {"orders-logs"},
      "SecureFunctionArgs(log_retention_in_days=365)", id="short"),
    C("logs-retention-set", lambda s: patch(s, "orders-logs", drop=["retentionInDays"]), {"orders-logs"},
      "never expires", id="never"),
    C("logs-retention-set", lambda s: patch(s, "orders-logs", set_={"retentionInDays": 30.0}), set(),
      config={"logs-retention-set": {"minimumRetentionDays": 30}}, id="config-ok"),
    # logs-kms-encrypted
    C("logs-kms-encrypted", lambda s: patch(s, "orders-logs", drop=["kmsKeyId"]), {"orders-logs"},
      "aws.cloudwatch.LogGroup(kms_key_id=key.arn)", id="missing"),
    # secrets-cmk-encrypted
    C("secrets-cmk-encrypted", secret(30.0), {"db-secret"}, "customer-managed KMS key", id="secret"),
    C("secrets-cmk-encrypted", secret(30.0, kmsKeyId="arn:aws:kms:eu-west-1:1:key/x"), set(), id="secret-ok"),
    C("secrets-cmk-encrypted", lambda s: add(s, raw("aws:ssm/parameter:Parameter", "param",
                                                    {"type": "SecureString", "value": "x"})), {"param"},
      "aws.ssm.Parameter(key_id=key.arn)", id="parameter"),
    C("secrets-cmk-encrypted", lambda s: add(s, raw("aws:ssm/parameter:Parameter", "param",
                                                    {"type": "String", "value": "x"})), set(), id="plain-parameter-ok"),
    # secrets-rotation-enabled
    C("secrets-rotation-enabled", secret(None, kmsKeyId="k"), {"db-secret"}, "has no rotation", id="none"),
    C("secrets-rotation-enabled", secret(120.0, kmsKeyId="k"), {"db-secret"}, "rotates every 120 days", id="slow"),
    C("secrets-rotation-enabled", secret(30.0, kmsKeyId="k"), set(), id="ok"),
    # sqs-encrypted
    C("sqs-encrypted", lambda s: patch(s, "orders-dlq", drop=["kmsMasterKeyId"]), {"orders-dlq"}, "not encrypted",
      id="no-key"),
    C("sqs-encrypted", lambda s: [r for r in s if r.name != "orders-dlq-policy"], {"orders-dlq"},
      "aws:SecureTransport is false", id="no-tls-policy"),
    C("sqs-encrypted", lambda s: patch(s, "orders-dlq", drop=["kmsMasterKeyId"], set_={"sqsManagedSseEnabled": True}),
      set(), id="sse-sqs-ok"),
    # sns-encrypted
    C("sns-encrypted", lambda s: patch(s, "orders-alarms", drop=["kmsMasterKeyId"]), {"orders-alarms"},
      "aws.sns.Topic(kms_master_key_id=key.arn)", id="missing"),
    # monitoring-function-alarms
    C("monitoring-function-alarms", lambda s: [r for r in s if r.name != "orders-errors"], {"orders-function"},
      "Errors alarm is missing", id="missing"),
    C("monitoring-function-alarms", lambda s: patch(s, "billing-throttles", set_={"alarmActions": []}),
      {"billing-function"}, "Throttles alarm has no action", id="no-action"),
    # kms-no-cross-account-access
    C("kms-no-cross-account-access", lambda s: add(s, raw("aws:kms/keyPolicy:KeyPolicy", "shared-key-policy", {
        "keyId": "k-1", "policy": doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                                       "Action": "kms:Decrypt", "Resource": "*"})})),
      {"shared-key-policy"}, "another account", id="other-account-in-policy"),
    C("kms-no-cross-account-access", lambda s: add(s, raw("aws:kms/grant:Grant", "shared-grant", {
        "keyId": "k-1", "operations": ["Decrypt"], "granteePrincipal": "arn:aws:iam::999988887777:role/reader"})),
      {"shared-grant"}, "999988887777", id="grant-to-other-account"),
    C("kms-no-cross-account-access", lambda s: add(s, raw("aws:kms/replicaKey:ReplicaKey", "replica", {
        "primaryKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/mrk-1", "policy": doc(
            {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": "999988887777"}}})})),
      {"replica"}, "another account", id="wildcard-pinned-to-other-account"),
    C("kms-no-cross-account-access", lambda s: add(s, raw("aws:kms/grant:Grant", "trusted-grant", {
        "keyId": "k-1", "operations": ["Decrypt"], "granteePrincipal": "arn:aws:iam::999988887777:role/reader"})),
      set(), config={"kms-no-cross-account-access": {"trustedAccounts": ["999988887777"]}}, id="trusted-ok"),
    C("kms-no-cross-account-access", lambda s: add(s, raw("aws:kms/grant:Grant", "own-grant", {
        "keyId": "k-1", "operations": ["Decrypt"], "granteePrincipal": ROLE_ARN})), set(), id="own-account-ok"),
    # sqs-no-public-access
    C("sqs-no-public-access", lambda s: add(s, raw("aws:sqs/queuePolicy:QueuePolicy", "open-queue-policy", {
        "queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "policy": doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}})})),
      {"open-queue-policy"}, "must not be public", id="securetransport-pins-nobody"),
    C("sqs-no-public-access", lambda s: add(s, raw("aws:sqs/queuePolicy:QueuePolicy", "open-queue-policy", {
        "queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "policy": doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceAccount": "123456789012"}}})})),
      {"open-queue-policy"}, "must not be public", id="negative-operator"),
    C("sqs-no-public-access", lambda s: add(s, raw("aws:sqs/queuePolicy:QueuePolicy", "open-queue-policy", {
        "queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "policy": doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
             "Condition": {"StringLike": {"aws:SourceArn": "*"}}})})),
      {"open-queue-policy"}, "must not be public", id="wildcard-only-pattern"),
    C("sqs-no-public-access", lambda s: add(s, raw("aws:sqs/queuePolicy:QueuePolicy", "sns-queue-policy", {
        "queueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "policy": doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
             "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:orders"}}})})),
      set(), id="pinned-by-source-arn-ok"),
    # sns-no-public-access
    C("sns-no-public-access", lambda s: add(s, raw("aws:sns/topicPolicy:TopicPolicy", "open-topic-policy", {
        "arn": "arn:aws:sns:eu-west-1:123456789012:t", "policy": doc(
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*"})})),
      {"open-topic-policy"}, "must not be public", id="no-condition"),
    C("sns-no-public-access", lambda s: add(s, raw("aws:sns/topicPolicy:TopicPolicy", "org-topic-policy", {
        "arn": "arn:aws:sns:eu-west-1:123456789012:t", "policy": doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*",
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})})), set(), id="org-pinned-ok"),
    # secrets-no-public-access
    C("secrets-no-public-access", lambda s: add(s, raw("aws:secretsmanager/secretPolicy:SecretPolicy", "open-secret", {
        "secretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-abcdef", "policy": doc(
            {"Effect": "Allow", "NotPrincipal": {"AWS": ROLE_ARN}, "Action": "secretsmanager:GetSecretValue",
             "Resource": "*"})})),
      {"open-secret"}, "must not be public", id="not-principal"),
    C("secrets-no-public-access", lambda s: add(s, raw("aws:secretsmanager/secretPolicy:SecretPolicy", "role-secret", {
        "secretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-abcdef", "policy": doc(
            {"Effect": "Allow", "Principal": {"AWS": ROLE_ARN}, "Action": "secretsmanager:GetSecretValue",
             "Resource": "*"})})), set(), id="named-role-ok"),
    # ssm-no-plaintext-credentials
    C("ssm-no-plaintext-credentials", lambda s: add(s, raw("aws:ssm/parameter:Parameter", "db-password", {
        "name": "/prod/db/password", "type": "String", "value": "x9F!kq2Lz#8Pw4Rt7Vb$"})),
      {"db-password"}, "SecureString", id="plain-password"),
    C("ssm-no-plaintext-credentials", lambda s: add(s, raw("aws:ssm/parameter:Parameter", "aws-key", {
        "name": "/prod/aws/key", "type": "StringList", "insecureValue": "AKIAIOSFODNN7EXAMPLE"})),
      {"aws-key"}, "AWS access key id", id="insecure-value"),
    C("ssm-no-plaintext-credentials", lambda s: add(s, raw("aws:ssm/parameter:Parameter", "db-host", {
        "name": "/prod/db/host", "type": "String", "value": "db.internal.example.com"})), set(), id="config-ok"),
]


@pytest.mark.parametrize("case", CASES)
def test_policy_case(case: Case) -> None:
    stack = case.change(happy_stack())
    result = analyse(stack, case.config)
    found = {name_of(f.urn) for f in result.findings if f.policy == case.policy and f.kind == "violation"}
    assert found == case.expected
    for message in messages(result, case.policy):
        assert case.text in message
    # the cause is a violation, never a crash reported as one
    assert not any("could not judge" in f.message for f in result.findings)


def test_happy_stack_has_no_findings_at_all() -> None:
    result = analyse(happy_stack())
    assert [(f.policy, f.message) for f in result.findings] == []


def test_every_policy_has_a_failing_and_a_passing_case() -> None:
    from guardrails import ALL_POLICIES

    failing = {p.values[0].policy for p in CASES if p.values[0].expected}  # type: ignore[union-attr]
    names = {p.name for p in ALL_POLICIES} - {"waived-findings", "waived-stack-findings"}
    assert names <= failing
    # and the happy stack is a compliant fixture for every policy (enabled ones by default, disabled ones enabled)
    # (code signing is not a SecureFunction default: its compliant fixture is orders-function in "enabled")
    enabled = {name: {"enforcementLevel": "mandatory"} for name in names}
    assert violations(happy_stack(), enabled) == {"lambda-code-signing": {"orders-function", "billing-function"}}


@pytest.mark.parametrize("case", CASES)
def test_policy_case_in_preview_never_false_pass_nor_false_failure(case: Case) -> None:
    """The same change on a preview of the stack (outputs unknown): every violation is one the update finds,
    and each resource the update flags is flagged in preview too, or the policy says it cannot decide."""
    stack = case.change(happy_stack(preview=True))
    result = analyse(stack, case.config, preview=True)
    found = {name_of(f.urn) for f in result.findings if f.policy == case.policy and f.kind == "violation"}
    undecided = [f for f in result.findings if f.policy == case.policy and f.kind == "undecided"]
    assert found <= case.expected  # never a false failure
    assert found == case.expected or undecided  # never a false pass
    assert all(f.level == "advisory" for f in undecided)


# -- preview: a part unknown during preview is undecided, never misjudged (regressions) -----------------

Out = Callable[[Any], Any]  # the value itself in an update, UNKNOWN in a preview


def _statement_doc(*statements: dict[str, Any]) -> dict[str, Any]:
    # a document given as an object (pulumi_aws's PolicyDocument): one part of it can be unknown in preview
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _role_policy_effect(action: str) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        return patch(stack, "orders-policy", set_={"policy": _statement_doc(
            {"Effect": out("Allow"), "Action": action, "Resource": "*"})})
    return change


def _trust(*statements: Callable[[Out], dict[str, Any]]) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        return patch(stack, "orders-role", set_={"assumeRolePolicy": _statement_doc(*(s(out) for s in statements))})
    return change


def _lambda_trust(out: Out) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}


def _vpc(zones: tuple[str, str], *, unknown_ids: bool) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        subnets = [raw("aws:ec2/subnet:Subnet", f"subnet-{i}",
                       {"vpcId": "vpc-1", "availabilityZone": zone if unknown_ids else out(zone)},
                       outputs={"id": f"subnet-{i}"}) for i, zone in enumerate(zones)]
        ids = [out(s.outputs["id"]) if unknown_ids else s.outputs["id"] for s in subnets]
        stack = add(stack, *subnets)
        for fn in ("orders-function", "billing-function"):
            stack = patch(stack, fn, set_={"vpcConfig": {"subnetIds": ids, "securityGroupIds": ["sg-1"]}},
                          deps={"vpcConfig": [s.urn for s in subnets]})
        return stack
    return change


def _second_errors_alarm(stack: Stack, out: Out) -> Stack:
    stack = patch(stack, "orders-errors", set_={"alarmActions": []})
    return add(stack, raw("aws:cloudwatch/metricAlarm:MetricAlarm", "orders-errors-2", {
        "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1.0, "threshold": 0.0,
        "namespace": "AWS/Lambda", "metricName": "Errors", "period": 60.0, "statistic": "Sum",
        "dimensions": {"FunctionName": out("orders-fn")}, "alarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"]}))


REQUIRE_VPC = {"lambda-vpc": {**ENABLE, "requireVpc": True}}

PREVIEW_UNKNOWNS = [
    # an Allow statement whose Effect is unknown was skipped: a false pass
    pytest.param("iam-no-privilege-escalation", _role_policy_effect("iam:PassRole"), {"orders-policy"}, {},
                 id="escalation-effect"),
    pytest.param("iam-secret-read-scoped", _role_policy_effect("secretsmanager:GetSecretValue"), {"orders-policy"}, {},
                 id="secret-read-effect"),
    pytest.param("kms-key-policy-no-wildcard-principal", lambda s, out: patch(s, "orders-key", set_={
        "policy": _statement_doc({"Effect": out("Allow"), "Principal": "*", "Action": "kms:*", "Resource": "*"})}),
                 {"orders-key"}, {}, id="key-policy-effect"),
    pytest.param("iam-lambda-trust-scoped", _trust(_lambda_trust, lambda out: {
        "Effect": out("Allow"), "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-effect"),
    pytest.param("iam-lambda-trust-source-account", _trust(lambda out: {
        "Effect": out("Allow"), "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-lambda-effect"),
    # a trust policy whose only principal is unknown: whether the role is a function role is undecided (was a pass)
    pytest.param("iam-lambda-trust-source-account", _trust(lambda out: {
        "Effect": "Allow", "Principal": {"Service": out("lambda.amazonaws.com")}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-function-role-unknown"),
    # an unknown principal beside the lambda one was reported as trusting '<unknown>' (a false failure)
    pytest.param("iam-lambda-trust-scoped", _trust(_lambda_trust, lambda out: {
        **_lambda_trust(out), "Principal": {"Service": out("lambda.amazonaws.com")}}), set(), {},
                 id="trust-principal-unknown"),
    # iam:PassRole on a resource unknown during preview was passed (it may be '*')
    pytest.param("iam-no-privilege-escalation", lambda s, out: patch(s, "orders-policy", set_={
        "policy": _statement_doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": out("*")})}),
                 {"orders-policy"}, {}, id="escalation-resource"),
    # a TLS-deny statement with an unknown part was read as no TLS deny (a false failure)
    pytest.param("sqs-encrypted", lambda s, out: patch(s, "orders-dlq-policy", set_={"policy": _statement_doc(
        {"Effect": out("Deny"), "Principal": "*", "Action": "sqs:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}), set(), {}, id="sqs-tls-effect"),
    # an Errors alarm without action, and one with an action whose FunctionName is unknown: was a false failure
    pytest.param("monitoring-function-alarms", _second_errors_alarm, set(), {}, id="alarm-dimension"),
    # subnet ids unknown during preview, matched through dependencies, were all taken for the first subnet
    pytest.param("lambda-vpc", _vpc(("eu-west-1a", "eu-west-1b"), unknown_ids=True), set(), REQUIRE_VPC,
                 id="vpc-subnet-ids"),
    # an unknown availability zone crashed the check (failing closed: a false failure)
    pytest.param("lambda-vpc", _vpc(("eu-west-1a", "eu-west-1b"), unknown_ids=False), set(), REQUIRE_VPC,
                 id="vpc-zone"),
]


@pytest.mark.parametrize(("policy", "change", "expected", "config"), PREVIEW_UNKNOWNS)
def test_part_unknown_in_preview_is_undecided(policy: str, change: Callable[[Stack, Out], Stack],
                                              expected: set[str], config: dict[str, Any]) -> None:
    update = analyse(change(happy_stack(), lambda value: value), config)
    assert {name_of(f.urn) for f in update.findings if f.policy == policy and f.kind == "violation"} == expected
    preview = analyse(change(happy_stack(), lambda value: UNKNOWN), config, preview=True)
    assert not [f for f in preview.findings if f.policy == policy and f.kind == "violation"]
    assert [f for f in preview.findings if f.policy == policy and f.kind == "undecided"]
