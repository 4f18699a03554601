"""A database password in Secrets Manager, rotated every 30 days by a Lambda function."""

import json

import pulumi
import pulumi_aws as aws

key = aws.kms.Key("secrets-key", enable_key_rotation=True)
secret = aws.secretsmanager.Secret("db-password", kms_key_id=key.arn, description="orders database")
aws.secretsmanager.SecretVersion(
    "db-password-initial",
    secret_id=secret.id,
    secret_string=pulumi.Output.secret(json.dumps({"username": "orders", "password": "initial-placeholder"})),
)
role = aws.iam.Role(
    "rotator-role",
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
    "rotator-secret",
    role=role.id,
    policy=pulumi.Output.all(secret.arn, key.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Resource": arns[0],
                        "Action": [
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:PutSecretValue",
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:UpdateSecretVersionStage",
                        ],
                    },
                    {"Effect": "Allow", "Resource": arns[1], "Action": ["kms:Decrypt", "kms:GenerateDataKey"]},
                ],
            }
        )
    ),
)
rotator = aws.lambda_.Function(
    "rotator",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    timeout=60,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e['Step']\n")}),
)
permission = aws.lambda_.Permission(
    "allow-secretsmanager",
    action="lambda:InvokeFunction",
    function=rotator.name,
    principal="secretsmanager.amazonaws.com",
    source_arn=secret.arn,
)
aws.secretsmanager.SecretRotation(
    "db-password-rotation",
    secret_id=secret.id,
    rotation_lambda_arn=rotator.arn,
    rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=30),
    opts=pulumi.ResourceOptions(depends_on=[permission]),
)
