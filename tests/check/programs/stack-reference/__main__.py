"""An application stack that takes its KMS key and network from a platform stack."""

import json

import pulumi
import pulumi_aws as aws

platform = pulumi.StackReference(f"acme/platform/{pulumi.get_stack()}")
key_arn = platform.require_output("kmsKeyArn")
subnet_ids = platform.get_output("privateSubnetIds")

logs = aws.cloudwatch.LogGroup(
    "/aws/lambda/reports", name="/aws/lambda/reports", retention_in_days=365, kms_key_id=key_arn
)
role = aws.iam.Role(
    "reports-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
fn = aws.lambda_.Function(
    "reports",
    name="reports",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    kms_key_arn=key_arn,
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=subnet_ids, security_group_ids=[platform.get_output("lambdaSecurityGroupId")]
    ),
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 'ok'\n")}),
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)
