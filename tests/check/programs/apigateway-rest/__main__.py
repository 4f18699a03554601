"""API Gateway REST API proxying to a Lambda function, in the style of the public aws-py examples."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "lambda-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "lambda-basic",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
)

handler = aws.lambda_.Function(
    "hello",
    runtime="python3.12",
    handler="handler.handler",
    role=role.arn,
    code=pulumi.AssetArchive(
        {
            "handler.py": pulumi.StringAsset(
                "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n"
            )
        }
    ),
)

api = aws.apigateway.RestApi("api", description="hello API")
resource = aws.apigateway.Resource("hello", rest_api=api.id, parent_id=api.root_resource_id, path_part="hello")
method = aws.apigateway.Method(
    "hello-get", rest_api=api.id, resource_id=resource.id, http_method="GET", authorization="NONE"
)
integration = aws.apigateway.Integration(
    "hello-integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=handler.invoke_arn,
)
deployment = aws.apigateway.Deployment(
    "deployment",
    rest_api=api.id,
    triggers={"redeployment": pulumi.Output.json_dumps([resource.id, method.id, integration.id])},
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")

aws.lambda_.Permission(
    "apigw-invoke",
    action="lambda:InvokeFunction",
    function=handler.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/hello"))
