"""Pure builder for the key policy of a function's dedicated KMS key."""

from __future__ import annotations

from secure_serverless.iam import PolicyDocument, Statement


def key_policy(
    *,
    account_id: str,
    partition: str,
    region: str,
    role_arn: str,
    log_group_arn: str,
    alarm_topic_encrypted: bool,
    dns_suffix: str = "amazonaws.com",
) -> PolicyDocument:
    """Account administration via IAM, use by the function's role, CloudWatch Logs for exactly the
    function's log group, and CloudWatch alarms publishing to the encrypted alarm topic."""
    statements: list[Statement] = [
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "FunctionRoleUsesKey",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
        },
        {
            "Sid": "LogsEncryptsOwnLogGroup",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.{dns_suffix}"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
        },
    ]
    if alarm_topic_encrypted:
        statements.append(
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
