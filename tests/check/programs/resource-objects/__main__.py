"""Resource objects where pulumi_aws accepts them: the provider receives their ids."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "worker-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
queue = aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True)
policy = aws.iam.Policy(
    "worker-queue",
    policy=queue.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": arn}],
            }
        )
    ),
)
aws.iam.RolePolicyAttachment("worker-queue-attachment", role=role, policy_arn=policy)
fn = aws.lambda_.Function(
    "worker",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 'ok'\n")}),
)
topic = aws.sns.Topic("jobs-topic", kms_master_key_id="alias/aws/sns")
aws.sns.TopicSubscription("jobs-to-worker", topic=topic, protocol="lambda", endpoint=fn.arn)
aws.lambda_.Permission(
    "allow-topic", action="lambda:InvokeFunction", function=fn, principal="sns.amazonaws.com", source_arn=topic.arn
)
aws.lambda_.FunctionEventInvokeConfig("worker-async", function_name=fn.name, maximum_retry_attempts=1)
