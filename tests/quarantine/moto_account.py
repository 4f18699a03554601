"""A moto account with protected functions, and the responder config (shared by the quarantine tests)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cloudtrail_events import ACCOUNT, REGION

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
OWN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OrdersTableReadWrite",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"],
        }
    ],
}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


@dataclass
class Account:
    """A moto account: protected roles and functions, their alarm topics, and a queue reading the topics."""

    iam: Any
    lambda_: Any
    sns: Any
    sqs: Any
    queue_url: str = ""
    responder_role_arn: str = ""
    topics: dict[str, str] = field(default_factory=dict)

    def add_function(
        self, name: str, *, concurrency: int | None = None, create_function: bool = True
    ) -> dict[str, str]:
        role = self.iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]
        self.iam.put_role_policy(
            RoleName=role["RoleName"], PolicyName=f"{name}-policy", PolicyDocument=json.dumps(OWN_POLICY)
        )
        function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        if create_function:
            function_arn = self.lambda_.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role["Arn"],
                Handler="app.handler",
                Code={"ZipFile": _zip()},
            )["FunctionArn"]
            if concurrency is not None:
                self.lambda_.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=concurrency)
        topic_arn = self.sns.create_topic(Name=f"{name}-alarms")["TopicArn"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
        self.topics[name] = topic_arn
        return {
            "function_name": name,
            "function_arn": function_arn,
            "role_arn": role["Arn"],
            "role_name": role["RoleName"],
            "log_group_arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/project/dev/{name}",
            "topic_arn": topic_arn,
        }

    def messages(self) -> list[dict[str, Any]]:
        out = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return out
            for message in batch:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def policy(self, role_name: str, policy_name: str) -> dict[str, Any] | None:
        try:
            document = self.iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
        except self.iam.exceptions.NoSuchEntityException:
            return None
        return document if isinstance(document, dict) else json.loads(document)

    def tags(self, role_name: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.iam.list_role_tags(RoleName=role_name)["Tags"]}


