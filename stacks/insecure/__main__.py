"""A deliberately insecure Lambda stack: the second quick-start example, showing what a failure looks like.

DO NOT DEPLOY. Every resource below carries a mistake the guardrails catch, marked ``MISTAKE:``
with the policy that reports it. Part of it is a hand-written "legacy" function built from raw
``pulumi_aws`` resources; part is a SecureFunction whose owner weakened its defaults (which the
pack flags as advisories) and waived one finding (which the report lists as waived).
"""

from __future__ import annotations

import datetime
import json

import pulumi
import pulumi_aws as aws

from secure_serverless import SecureFunction, SecureFunctionArgs, Waiver

config = pulumi.Config()
team = config.get("team") or "legacy"
code = pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(event, context):\n    return event\n")})

# MISTAKE (iam-lambda-trust-scoped): trusts lambda.amazonaws.com without an aws:SourceAccount guard.
legacy_role = aws.iam.Role(
    "legacy-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)

# MISTAKE (iam-no-wildcard-actions, iam-no-wildcard-resources, iam-no-privilege-escalation,
# iam-secret-read-scoped): "do anything to anything".
aws.iam.RolePolicy(
    "legacy-role-inline",
    role=legacy_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            ],
        }
    ),
)

# MISTAKE (iam-no-admin-managed-policies): AdministratorAccess on a function role.
aws.iam.RolePolicyAttachment(
    "legacy-role-admin",
    role=legacy_role.name,
    policy_arn="arn:aws:iam::aws:policy/AdministratorAccess",
)

# MISTAKE (logs-retention-set, logs-kms-encrypted): never expires, not encrypted with a key. The
# waiver tag below has expired, so it no longer counts (the report lists it as expired).
legacy_logs = aws.cloudwatch.LogGroup(
    "legacy-logs",
    name="/aws/lambda/legacy-orders",
    retention_in_days=0,
    tags={
        "team": team,
        "secure-serverless:waiver:logs-kms-encrypted": "2024-01-31 logs move to the new account in Q1 2024",
    },
)

# MISTAKE (sqs-encrypted): a dead-letter queue with encryption switched off and no TLS-only policy.
legacy_dlq = aws.sqs.Queue("legacy-dlq", sqs_managed_sse_enabled=False)

# MISTAKE (sns-encrypted): an unencrypted topic.
aws.sns.Topic("legacy-notifications")

# MISTAKE (kms-key-rotation-enabled, kms-key-policy-no-wildcard-principal): no rotation, and a key
# policy that lets anyone use the key.
aws.kms.Key(
    "legacy-key",
    enable_key_rotation=False,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}],
        }
    ),
)

# MISTAKE (secrets-cmk-encrypted, secrets-rotation-enabled): AWS-managed key, never rotated.
aws.secretsmanager.Secret("legacy-db-password")

# MISTAKE (lambda-no-secrets-in-env, lambda-env-kms-encrypted, lambda-runtime-supported; advisories
# lambda-tracing-active, lambda-reserved-concurrency, lambda-failure-destination (S3 invokes it
# asynchronously), lambda-log-group-explicit): an AWS access key pair in plaintext environment
# variables (the AWS documentation's example key), python3.8, no tracing, no dead-letter queue.
legacy_fn = aws.lambda_.Function(
    "legacy-orders",
    name="legacy-orders",
    role=legacy_role.arn,
    runtime="python3.8",
    handler="app.handler",
    code=code,
    environment=aws.lambda_.FunctionEnvironmentArgs(
        variables={
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "DLQ_URL": legacy_dlq.url,
        }
    ),
    opts=pulumi.ResourceOptions(depends_on=[legacy_logs]),
)

# MISTAKE (iam-role-not-shared): a second function on the same role (and, as advisories, no
# dead-letter queue and no log group of its own).
aws.lambda_.Function(
    "legacy-reports",
    role=legacy_role.arn,
    runtime="python3.12",
    handler="app.handler",
    code=code,
    tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
    reserved_concurrent_executions=5,
)

# MISTAKE (lambda-url-auth-iam): a public, unauthenticated function URL.
legacy_url = aws.lambda_.FunctionUrl("legacy-orders-url", function_name=legacy_fn.name, authorization_type="NONE")

# MISTAKE (lambda-permission-scoped): any account's S3 bucket may invoke the function.
aws.lambda_.Permission(
    "legacy-orders-s3-invoke",
    action="lambda:InvokeFunction",
    function=legacy_fn.name,
    principal="s3.amazonaws.com",
)

# (monitoring-function-alarms) neither legacy function has Errors/Throttles alarms.

# A SecureFunction whose owner weakened two defaults: 30-day log retention (waived below, so it is
# reported as waived, not failed) and no reserved concurrency (an advisory).
reports = SecureFunction(
    "weekly-report",
    SecureFunctionArgs(
        runtime="python3.12",
        handler="app.handler",
        code=code,
        log_retention_in_days=30,
        reserved_concurrent_executions=None,
        waivers=[
            Waiver(
                policy="logs-retention-set",
                reason="report logs hold no personal data per DPIA-7",
                # Waivers expire: this example's waiver always runs 90 days ahead of today.
                expires=datetime.date.today() + datetime.timedelta(days=90),
            )
        ],
        tags={"team": team},
    ),
)

pulumi.export("legacyUrl", legacy_url.function_url)
pulumi.export("weeklyReportArn", reports.arn)
