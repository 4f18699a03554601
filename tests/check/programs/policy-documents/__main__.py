"""IAM documents the way Terraform-minded Pulumi programs build them."""

import pulumi_aws as aws

table = aws.dynamodb.Table(
    "orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="id",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
)
trust = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sts:AssumeRole"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=["lambda.amazonaws.com"])
            ],
        ),
    ]
)
role = aws.iam.Role("orders-role", assume_role_policy=trust.json)

base = aws.iam.get_policy_document_output(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ReadOrders",
            actions=["dynamodb:GetItem", "dynamodb:Query"],
            resources=[table.arn],
        ),
    ]
)
scoped = aws.iam.get_policy_document_output(
    source_policy_documents=[base.json],
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="DenyOutsideRegion",
            effect="Deny",
            not_actions=["dynamodb:GetItem", "dynamodb:Query"],
            resources=["*"],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringNotEquals", variable="aws:RequestedRegion", values=["us-east-1"]
                )
            ],
        )
    ],
)
aws.iam.RolePolicy("orders-read", role=role.id, policy=scoped.json)

# An override that widens a statement to every action: the provider merges it by Sid.
widened = aws.iam.get_policy_document_output(
    source_policy_documents=[base.json],
    override_policy_documents=[
        '{"Statement": [{"Sid": "ReadOrders", "Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    ],
)
aws.iam.RolePolicy("orders-widened", role=role.id, policy=widened.json)

admin = aws.iam.get_policy_output(name="AdministratorAccess")
aws.iam.RolePolicyAttachment("orders-admin", role=role.name, policy_arn=admin.arn)
