"""Process uploads: a bucket notifies a function (public aws-py-s3-folder style)."""

import json

import pulumi
import pulumi_aws as aws

bucket = aws.s3.BucketV2("uploads")
aws.s3.BucketPublicAccessBlock(
    "uploads-block",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
role = aws.iam.Role(
    "thumbnailer-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "thumbnailer-read",
    role=role.id,
    policy=bucket.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{arn}/*"}],
            }
        )
    ),
)
fn = aws.lambda_.Function(
    "thumbnailer",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return len(e['Records'])\n")}),
)
permission = aws.lambda_.Permission(
    "allow-bucket",
    action="lambda:InvokeFunction",
    function=fn.arn,
    principal="s3.amazonaws.com",
    source_arn=bucket.arn,
)
aws.s3.BucketNotification(
    "on-upload",
    bucket=bucket.id,
    lambda_functions=[
        aws.s3.BucketNotificationLambdaFunctionArgs(
            lambda_function_arn=fn.arn,
            events=["s3:ObjectCreated:*"],
            filter_prefix="images/",
        )
    ],
    opts=pulumi.ResourceOptions(depends_on=[permission]),
)
pulumi.export("bucket", bucket.bucket)
