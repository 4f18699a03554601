"""Event factories for the runtime tests (shapes from the AWS Lambda developer guide's sample events)."""

from __future__ import annotations

import base64
from typing import Any


def apigw_v2(body: str | None, *, b64: bool = False, request_id: str = "JKJaXmPLvHcESHA=") -> dict[str, Any]:
    if b64 and body is not None:
        body = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.test"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api.example.test",
            "http": {"method": "POST", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": request_id,
            "routeKey": "POST /orders",
            "stage": "$default",
            "timeEpoch": 1583348638390,
        },
        "isBase64Encoded": b64,
    }
    if body is not None:
        event["body"] = body
    return event


def apigw_v1(body: str | None, *, b64: bool = False, request_id: str = "c6af9ac6-7b61-11e6-9a41") -> dict[str, Any]:
    if b64 and body is not None:
        body = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
    return {
        "resource": "/orders",
        "path": "/orders",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "resourcePath": "/orders",
            "httpMethod": "POST",
            "requestId": request_id,
            "stage": "prod",
            "identity": {"sourceIp": "192.0.2.1"},
        },
        "body": body,
        "isBase64Encoded": b64,
    }


def sqs_event(*bodies: str, fifo: bool = False) -> dict[str, Any]:
    arn = "arn:aws:sqs:eu-west-1:123456789012:orders" + (".fifo" if fifo else "")
    records = []
    for i, body in enumerate(bodies):
        attributes: dict[str, str] = {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"}
        if fifo:
            attributes["MessageGroupId"] = "g1"
        records.append(
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"handle-{i}",
                "body": body,
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "eu-west-1",
            }
        )
    return {"Records": records}


def sns_event(*messages: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:eu-west-1:123456789012:orders:sub",
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"sns-{i}",
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders",
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2026-11-29T00:00:00.000Z",
                    "MessageAttributes": {},
                },
            }
            for i, message in enumerate(messages)
        ]
    }


def eventbridge_event(detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "eb-6a7e8feb",
        "detail-type": "OrderPlaced",
        "source": "com.example.orders",
        "account": "123456789012",
        "time": "2026-11-29T00:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }
