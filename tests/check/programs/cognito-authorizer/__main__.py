"""REST API with a Cognito user-pool authorizer in front of a Lambda function."""

import json

import pulumi
import pulumi_aws as aws

pool = aws.cognito.UserPool(
    "users",
    auto_verified_attributes=["email"],
    mfa_configuration="OPTIONAL",
    software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(enabled=True),
)
client = aws.cognito.UserPoolClient(
    "web", user_pool_id=pool.id, explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
)

role = aws.iam.Role(
    "profile-role",
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
    "profile",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return {'statusCode': 200}\n")}),
)
api = aws.apigateway.RestApi("profile-api")
authorizer = aws.apigateway.Authorizer(
    "cognito",
    rest_api=api.id,
    type="COGNITO_USER_POOLS",
    provider_arns=[pool.arn],
    identity_source="method.request.header.Authorization",
)
resource = aws.apigateway.Resource("me", rest_api=api.id, parent_id=api.root_resource_id, path_part="me")
method = aws.apigateway.Method(
    "me-get",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="GET",
    authorization="COGNITO_USER_POOLS",
    authorizer_id=authorizer.id,
)
integration = aws.apigateway.Integration(
    "me-integration",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=fn.invoke_arn,
)
deployment = aws.apigateway.Deployment(
    "me-deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stage = aws.apigateway.Stage("v1", rest_api=api.id, deployment=deployment.id, stage_name="v1")
aws.lambda_.Permission(
    "profile-invoke",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.format("{0}/*/GET/me", api.execution_arn),
)
pulumi.export("client_id", client.id)
pulumi.export("url", stage.invoke_url)
