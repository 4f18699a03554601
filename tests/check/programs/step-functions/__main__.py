"""A state machine that calls a function (public aws-py-stepfunctions style)."""

import json

import pulumi
import pulumi_aws as aws

lambda_role = aws.iam.Role(
    "lambda-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
hello = aws.lambda_.Function(
    "hello-step",
    role=lambda_role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return {'message': 'hello'}\n")}),
)
sfn_role = aws.iam.Role(
    "sfn-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "sfn-invoke",
    role=sfn_role.id,
    policy=hello.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [arn, f"{arn}:*"]}],
            }
        )
    ),
)
machine = aws.sfn.StateMachine(
    "hello-machine",
    role_arn=sfn_role.arn,
    definition=pulumi.Output.json_dumps(
        {
            "Comment": "Say hello",
            "StartAt": "Hello",
            "States": {"Hello": {"Type": "Task", "Resource": hello.arn, "End": True}},
        }
    ),
)
pulumi.export("state_machine_arn", machine.id)
