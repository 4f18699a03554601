"""Pure builder for the dead-letter queue's resource policy."""

from __future__ import annotations

from secure_serverless.iam import PolicyDocument


def tls_only_queue_policy(queue_arn: str) -> PolicyDocument:
    """Refuse any request to the queue that does not use TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
