"""get_policy_document renders what the AWS provider renders.

The expected documents are the provider's own acceptance-test expectations for
``aws_iam_policy_document`` (rendered by its Go model: reverse-sorted sets, merged principal and
condition keys, ``&{}`` variables, wildcard-principal normalisation, Go's two-space indentation),
with the empty ``Sid`` the model now omits, and the provider's documented merge rules for source
and override documents.
"""

from __future__ import annotations

import json
import zlib

import pulumi_aws as aws
import pytest

from secure_serverless.check.mocks import run_program
from secure_serverless.check.policy_document import render

BASIC_ARGS = {
    "policyId": "policy_id",
    "statements": [
        {"sid": "1", "actions": ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], "resources": ["arn:aws:s3:::*"]},
        {
            "actions": ["s3:ListBucket"],
            "resources": ["arn:aws:s3:::foo"],
            "conditions": [
                {"test": "StringLike", "variable": "s3:prefix", "values": ["home/", "", "home/&{aws:username}/"]}
            ],
            "notPrincipals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
        },
        {
            "actions": ["s3:*"],
            "resources": ["arn:aws:s3:::foo/home/&{aws:username}", "arn:aws:s3:::foo/home/&{aws:username}/*"],
            "principals": [{"type": "AWS", "identifiers": ["arn:blahblah:example"]}],
        },
        {"effect": "Deny", "notActions": ["s3:*"], "notResources": ["arn:aws:s3:::*"]},
        {"effect": "Allow", "actions": ["kinesis:*"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
        {"effect": "Allow", "actions": ["firehose:*"], "principals": [{"type": "*", "identifiers": ["*"]}]},
    ],
}

BASIC_JSON = """{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"""


def test_statements_render_as_the_provider_renders_them() -> None:
    rendered = render(BASIC_ARGS)
    assert rendered.json == BASIC_JSON
    assert rendered.minified_json == json.dumps(json.loads(BASIC_JSON), separators=(",", ":"))
    assert rendered.id == str(zlib.crc32(BASIC_JSON.encode()))


def test_source_documents_come_first_and_statements_replace_them_by_sid() -> None:
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"},
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"},
            ],
        }
    )
    override = json.dumps({"Statement": [{"Sid": "Write", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    document = json.loads(
        render(
            {
                "sourcePolicyDocuments": [source],
                "statements": [
                    {
                        "sid": "Read",
                        "actions": ["s3:GetObject", "s3:ListBucket"],
                        "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    },
                    {"sid": "Write", "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::b/*"]},
                ],
                "overridePolicyDocuments": [override],
            }
        ).json
    )
    assert document["Statement"] == [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject"],
            "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"],
        },
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"},
        {"Sid": "Write", "Effect": "Allow", "Action": "*", "Resource": "*"},
    ]


def test_principals_and_conditions_merge_and_html_characters_are_escaped() -> None:
    rendered = render(
        {
            "statements": [
                {
                    "actions": ["sts:AssumeRole", "sts:AssumeRole"],
                    "principals": [
                        {"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:root"]},
                        {
                            "type": "AWS",
                            "identifiers": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"],
                        },
                        {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
                    ],
                    "conditions": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111111111111"]},
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["222222222222"]},
                        {"test": "StringLike", "variable": "aws:userid", "values": ["a<b>&c"]},
                    ],
                }
            ]
        }
    )
    statement = json.loads(rendered.json)["Statement"][0]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {
        "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root", "arn:aws:iam::222222222222:root"],
        "Service": "lambda.amazonaws.com",
    }
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ["111111111111", "222222222222"]
    assert "\\u003c" in rendered.json and "\\u0026" in rendered.json and "<" not in rendered.json


def test_duplicate_sids_are_the_providers_errors() -> None:
    with pytest.raises(ValueError, match="duplicate Sid"):
        render({"statements": [{"sid": "A", "actions": ["s3:GetObject"]}, {"sid": "A", "actions": ["s3:PutObject"]}]})


def test_program_lookups_get_the_rendered_document() -> None:
    def program() -> None:
        doc = aws.iam.get_policy_document(
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"]),
            ]
        )
        out = aws.iam.get_policy_document_output(
            statements=[
                aws.iam.GetPolicyDocumentStatementArgs(actions=["*"], resources=["*"]),
            ]
        )
        aws.iam.Policy("plain", policy=doc.json)
        aws.iam.Policy("lifted", policy=out.minified_json)

    run = run_program(program)
    assert json.loads(run.named("plain").inputs["policy"])["Statement"][0]["Resource"] == "arn:aws:s3:::b/*"
    assert (
        run.named("lifted").inputs["policy"]
        == '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    )
