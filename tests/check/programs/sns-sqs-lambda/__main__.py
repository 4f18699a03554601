"""SNS -> SQS -> Lambda with an event source mapping; queue policy built with get_policy_document_output."""

import json

import pulumi
import pulumi_aws as aws

key = aws.kms.Key("messages-key", enable_key_rotation=True, description="orders messages")
topic = aws.sns.Topic("orders", kms_master_key_id=key.arn)
queue = aws.sqs.Queue("orders-queue", kms_master_key_id=key.arn, visibility_timeout_seconds=180)
aws.sns.TopicSubscription("orders-to-queue", topic=topic.arn, protocol="sqs", endpoint=queue.arn)

queue_policy = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="AllowTopic",
            actions=["sqs:SendMessage"],
            resources=[queue.arn],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=["sns.amazonaws.com"])
            ],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="ArnEquals", variable="aws:SourceArn", values=[topic.arn]
                )
            ],
        ),
    ]
)
aws.sqs.QueuePolicy("orders-queue-policy", queue_url=queue.id, policy=queue_policy.json)

role = aws.iam.Role(
    "consumer-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
consume = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            resources=[queue.arn],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(actions=["kms:Decrypt"], resources=[key.arn]),
    ]
)
aws.iam.RolePolicy("consumer-policy", role=role.id, policy=consume.json)
fn = aws.lambda_.Function(
    "consumer",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    timeout=30,
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(e, c):\n    return {'batchItemFailures': []}\n")}
    ),
)
aws.lambda_.EventSourceMapping(
    "queue-to-consumer",
    event_source_arn=queue.arn,
    function_name=fn.arn,
    batch_size=10,
    function_response_types=["ReportBatchItemFailures"],
)
