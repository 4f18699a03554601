"""Example program: an orders service a team would recognise.

* ``orders-api``: an HTTP API handler that reads and writes a DynamoDB table and calls a payment
  provider with an API key kept in Secrets Manager (passed by ARN, never by value).
* ``orders-consumer``: a queue consumer that processes order events from an encrypted SQS queue.
* ``orders-quarantine``: watches both: a call either makes outside its declared permissions is
  refused by IAM, recorded by CloudTrail and answered by a controlled quarantine (docs/quarantine.md).

Everything is built from SecureFunction defaults; ``secure-serverless check`` judges it offline and
``pulumi preview --policy-pack ../policy_packs/secure_serverless`` at deploy time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs
from secure_serverless.packaging import function_archive
from secure_serverless.quarantine import ProtectedFunction, Quarantine, QuarantineArgs

config = pulumi.Config()
tags: dict[str, str] = config.get_object("tags") or {}
payment_secret_arn = config.require("paymentSecretArn")
# The handlers, the runtime helper they import, and their dependencies (pydantic) when built with
#   pip install --target stacks/build/python --platform manylinux2014_aarch64 --only-binary=:all: \
#       --python-version 3.12 -r stacks/handlers/requirements.txt
build = Path(__file__).parent / "build" / "python"
handlers = function_archive(Path(__file__).parent / "handlers", dependencies_dir=build if build.is_dir() else None)

# Data at rest: one customer key with rotation for the service's own table and queue.
data_key = aws.kms.Key(
    "orders-data-key",
    description="Encrypts the orders table and the order-events queue",
    enable_key_rotation=True,
    rotation_period_in_days=365,
    deletion_window_in_days=30,
    tags=tags,
)

table = aws.dynamodb.Table(
    "orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="orderId",
    attributes=[aws.dynamodb.TableAttributeArgs(name="orderId", type="S")],
    server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=data_key.arn),
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    tags=tags,
)

events = aws.sqs.Queue(
    "order-events",
    kms_master_key_id=data_key.arn,
    kms_data_key_reuse_period_seconds=300,
    visibility_timeout_seconds=180,
    tags=tags,
)
aws.sqs.QueuePolicy(
    "order-events-tls-only",
    queue_url=events.url,
    policy=events.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sqs:*",
                        "Resource": arn,
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        )
    ),
)

api = SecureFunction(
    "orders-api",
    SecureFunctionArgs(
        runtime="python3.12",
        handler="orders_api.handler",
        code=handlers,
        memory_size=512,
        timeout=10,
        environment={"ORDERS_TABLE": table.name, "PAYMENT_SECRET_ARN": payment_secret_arn},
        secrets=[payment_secret_arn],
        grants=[
            Grant(
                sid="OrdersTableReadWrite",
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[table.arn],
            ),
            Grant(sid="OrdersTableKey", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data_key.arn]),
        ],
        reserved_concurrent_executions=50,
        function_url="AWS_IAM",
        runtime_helper=True,
        tags=tags,
    ),
)

consumer = SecureFunction(
    "orders-consumer",
    SecureFunctionArgs(
        runtime="python3.12",
        handler="orders_consumer.handler",
        code=handlers,
        timeout=30,
        environment={"ORDERS_TABLE": table.name},
        grants=[
            Grant(
                sid="ConsumeOrderEvents",
                actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                resources=[events.arn],
            ),
            Grant(sid="OrdersTableWrite", actions=["dynamodb:UpdateItem"], resources=[table.arn]),
            Grant(sid="DataKey", actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data_key.arn]),
        ],
        reserved_concurrent_executions=10,
        runtime_helper=True,
        tags=tags,
    ),
)

aws.lambda_.EventSourceMapping(
    "orders-consumer-events",
    event_source_arn=events.arn,
    function_name=consumer.function.arn,
    batch_size=10,
    function_response_types=["ReportBatchItemFailures"],
)

# The API faces the internet: a few denied calls may be a probe of its permissions, three within five
# minutes contain it. The consumer only reads its queue: its first denied call contains it, and so
# does a burst of rejected events.
quarantine = Quarantine(
    "orders-quarantine",
    QuarantineArgs(
        protect=[
            ProtectedFunction(function=api, mode="contain", threshold=3, window_seconds=300),
            ProtectedFunction(
                function=consumer,
                mode="contain",
                threshold=1,
                signals={"rejected-input": "quarantine", "invocations-anomaly": "notify"},
            ),
        ],
        tags=tags,
    ),
)

pulumi.export("ordersApiUrl", api.function_url.function_url if api.function_url else None)
pulumi.export("ordersApiArn", api.arn)
pulumi.export("ordersConsumerArn", consumer.arn)
pulumi.export("behaviourModels", quarantine.behaviour_models)
