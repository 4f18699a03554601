"""Pure builders of the Quarantine component's IAM, key and bucket documents (tests check them without Pulumi)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from secure_serverless.quarantine.responder.names import TAG_PREFIX

PolicyDocument = dict[str, Any]


@dataclass(frozen=True)
class ResponderScope:
    """Exactly what the responder may change: these roles, these functions, these topics."""

    role_arns: Sequence[str]
    function_arns_for_stop: Sequence[str]
    topic_arns: Sequence[str]
    topic_key_arns: Sequence[str]
    region: str
    dns_suffix: str = "amazonaws.com"


def responder_trust_policy(handler_role_arn: str) -> PolicyDocument:
    """Only the quarantine handler's own role may assume the responder role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "QuarantineHandlerOnly",
                "Effect": "Allow",
                "Principal": {"AWS": handler_role_arn},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def responder_policy(scope: ResponderScope) -> PolicyDocument:
    """Write the quarantine policy and tags on the protected roles, nothing else; every statement names ARNs.

    Examples
    --------
    >>> doc = responder_policy(ResponderScope(["arn:aws:iam::123456789012:role/api-role"], [], [], [], "eu-west-1"))
    >>> doc["Statement"][0]["Resource"]
    ['arn:aws:iam::123456789012:role/api-role']
    """
    roles = sorted(set(scope.role_arns))
    if not roles:
        raise ValueError("responder_policy: no protected role")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "WriteQuarantinePolicyOnProtectedRoles",
            "Effect": "Allow",
            # IAM has no condition key for an inline policy's name: the responder's code writes only
            # POLICY_NAME, and the roles are named one by one.
            "Action": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:GetRole", "iam:ListRoleTags"],
            "Resource": roles,
        },
        {
            "Sid": "TagProtectedRolesWithQuarantineState",
            "Effect": "Allow",
            "Action": ["iam:TagRole"],
            "Resource": roles,
            "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": [f"{TAG_PREFIX}*"]}},
        },
    ]
    functions = sorted(set(scope.function_arns_for_stop))
    if functions:
        statements.append(
            {
                "Sid": "StopFunctionsThatOptedIn",
                "Effect": "Allow",
                "Action": ["lambda:GetFunctionConcurrency", "lambda:PutFunctionConcurrency"],
                "Resource": functions,
            }
        )
    topics = sorted(set(scope.topic_arns))
    if topics:
        statements.append(
            {"Sid": "PublishToProtectedAlarmTopics", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topics}
        )
    keys = sorted(set(scope.topic_key_arns))
    if keys:
        statements.append(
            {
                "Sid": "EncryptMessagesViaSns",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": keys,
                "Condition": {"StringEquals": {"kms:ViaService": f"sns.{scope.region}.{scope.dns_suffix}"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def trail_key_policy(*, account_id: str, partition: str, region: str, trail_arn: str) -> PolicyDocument:
    """The trail's key: CloudTrail encrypts only for this trail; the account administers it through IAM."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudTrailEncryptsThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
        ],
    }


def trail_bucket_policy(*, bucket_arn: str, account_id: str, trail_arn: str) -> PolicyDocument:
    """CloudTrail of this trail only may check the ACL and write its log files; TLS only for everyone."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn,
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
            },
            {
                "Sid": "CloudTrailWritesThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
                "Condition": {
                    "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}
                },
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
