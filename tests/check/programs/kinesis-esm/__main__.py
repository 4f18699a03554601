"""Clickstream processing: a Kinesis stream read by a function."""

import json

import pulumi
import pulumi_aws as aws

stream = aws.kinesis.Stream(
    "clicks", shard_count=1, retention_period=24, encryption_type="KMS", kms_key_id="alias/aws/kinesis"
)
role = aws.iam.Role(
    "clicks-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
read = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"],
            resources=[stream.arn],
        ),
    ]
)
aws.iam.RolePolicy("clicks-read", role=role.name, policy=read.json)
fn = aws.lambda_.Function(
    "clicks-processor",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return len(e['Records'])\n")}),
)
aws.lambda_.EventSourceMapping(
    "clicks-mapping",
    event_source_arn=stream.arn,
    function_name=fn.arn,
    starting_position="LATEST",
    batch_size=100,
    maximum_retry_attempts=3,
    bisect_batch_on_function_error=True,
)
