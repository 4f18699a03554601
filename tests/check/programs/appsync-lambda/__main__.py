"""AppSync API resolving a query with a Lambda data source (public aws-py-appsync style)."""

import json

import pulumi
import pulumi_aws as aws

schema = """
type Query { getItem(id: ID!): Item }
type Item { id: ID! name: String }
schema { query: Query }
"""
api = aws.appsync.GraphQLApi("items-api", authentication_type="API_KEY", schema=schema)
api_key = aws.appsync.ApiKey("items-key", api_id=api.id)

fn_role = aws.iam.Role(
    "resolver-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
resolver_fn = aws.lambda_.Function(
    "resolver",
    role=fn_role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(e, c):\n    return {'id': e['arguments']['id']}\n")}
    ),
)
ds_role = aws.iam.Role(
    "appsync-ds-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "appsync.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "appsync-invoke",
    role=ds_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [resolver_fn.arn]}],
        }
    ),
)
source = aws.appsync.DataSource(
    "items-source",
    api_id=api.id,
    name="items_lambda",
    type="AWS_LAMBDA",
    service_role_arn=ds_role.arn,
    lambda_config=aws.appsync.DataSourceLambdaConfigArgs(function_arn=resolver_fn.arn),
)
aws.appsync.Resolver("get-item", api_id=api.id, type="Query", field="getItem", data_source=source.name)

pulumi.export("endpoint", api.uris["GRAPHQL"])
pulumi.export("key", api_key.key)
