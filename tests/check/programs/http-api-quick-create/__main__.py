"""HTTP API quick create: one Api with `target`, as in the public aws-py-apigatewayv2-http-api-quickcreate example."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "fn-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    managed_policy_arns=[aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE],
)
fn = aws.lambda_.Function(
    "quick",
    role=role.arn,
    runtime=aws.lambda_.Runtime.PYTHON3D12,
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return 'ok'\n")}),
)
api = aws.apigatewayv2.Api("http-api", protocol_type="HTTP", target=fn.invoke_arn)
aws.lambda_.Permission(
    "api-invoke",
    action="lambda:InvokeFunction",
    principal="apigateway.amazonaws.com",
    function=fn.arn,
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
)
pulumi.export("endpoint", api.api_endpoint)
