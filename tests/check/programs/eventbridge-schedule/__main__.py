"""A scheduled Lambda function: EventRule + EventTarget + Permission with source_arn=rule.arn."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "cron-role",
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
    "cron",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    timeout=30,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    print(e)\n")}),
)
rule = aws.cloudwatch.EventRule("every-five-minutes", schedule_expression="rate(5 minutes)")
aws.cloudwatch.EventTarget("cron-target", rule=rule.name, arn=fn.arn)
aws.lambda_.Permission(
    "allow-events",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="events.amazonaws.com",
    source_arn=rule.arn,
)
pulumi.export("rule_arn", rule.arn)
