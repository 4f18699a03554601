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
                    "MessageAttributes": {"tenant": {"Type": "String", "Value": "acme"}},
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


# --- HTTP request fixtures modelled on the sample events of AWS's documentation -------------------------


def rest_get(
    *,
    path: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """A REST API (payload 1.0) request with a Lambda authorizer's context: both single- and multi-value
    forms of the query string and headers, as API Gateway sends them (the single form keeps the last)."""
    query = query or {}
    headers = headers or {"Accept": ["application/json"], "Host": ["api.example.test"]}
    return {
        "resource": "/orders/{orderId}",
        "path": "/orders/ord_abc123",
        "httpMethod": "GET",
        "headers": {name: values[-1] for name, values in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "1234567890",
            "authorizer": {"principalId": "user|a1b2c3d4", "integrationLatency": 0, "tier": "gold"},
            "domainName": "api.example.test",
            "extendedRequestId": "BQGojGkBjoEFsTw=",
            "httpMethod": "GET",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/8.0"},
            "path": "/prod/orders/ord_abc123",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "29/Nov/2026:01:00:00 +0000",
            "requestTimeEpoch": 1795914000000,
            "resourceId": "roq9wj",
            "resourcePath": "/orders/{orderId}",
            "stage": "prod",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def http_get(
    *,
    path: dict[str, str] | None = None,
    raw_query: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) request with a JWT authorizer: headers lower-cased and repeated values
    comma-joined, cookies in their own list, the raw query string beside its comma-joined map."""
    from urllib.parse import parse_qsl

    joined: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "GET /orders/{orderId}",
        "rawPath": "/orders/ord_abc123",
        "rawQueryString": raw_query,
        "cookies": ["session=s3cr3t-cookie"],
        "headers": headers if headers is not None else {"accept": "application/json", "host": "api.example.test"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "authorizer": {"jwt": {"claims": {"sub": "a1b2c3d4"}, "scopes": ["orders:read"]}},
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {
                "method": "GET",
                "path": "/orders/ord_abc123",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "curl/8.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "GET /orders/{orderId}",
            "stage": "$default",
            "time": "29/Nov/2026:01:00:00 +0000",
            "timeEpoch": 1795914000000,
        },
        "isBase64Encoded": False,
    }
    if joined:
        event["queryStringParameters"] = joined
    if path is not None:
        event["pathParameters"] = path
    if body is not None:
        event["body"] = body
    return event


TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/6d0ecf831eec9f09"


def alb_event(
    *,
    method: str = "GET",
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    body: str = "",
    multi_value: bool = False,
    b64: bool = False,
) -> dict[str, Any]:
    """An Application Load Balancer request: query values as the client encoded them (not decoded), and
    either the single-value or (target group attribute on) the multi-value forms, never both."""
    query = query or {}
    headers = headers or {"accept": ["application/json"], "host": ["lb.example.test"]}
    if b64:
        body = base64.b64encode(body.encode()).decode()
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP_ARN}},
        "httpMethod": method,
        "path": "/orders",
        "body": body,
        "isBase64Encoded": b64,
    }
    if multi_value:
        event["multiValueQueryStringParameters"] = query
        event["multiValueHeaders"] = headers
    else:
        event["queryStringParameters"] = {name: values[-1] for name, values in query.items()}
        event["headers"] = {name: values[-1] for name, values in headers.items()}
    return event


def websocket_message(body: str) -> dict[str, Any]:
    """A WebSocket API MESSAGE event (no ``httpMethod``, no ``version``; ``connectionId`` and
    ``eventType`` in the request context)."""
    return {
        "requestContext": {
            "routeKey": "sendmessage",
            "messageId": "d5fv5dBJoAMCJVQ=",
            "eventType": "MESSAGE",
            "extendedRequestId": "d5fv5FgroAMFxqg=",
            "requestTime": "29/Nov/2026:01:00:00 +0000",
            "messageDirection": "IN",
            "stage": "production",
            "connectedAt": 1795913990000,
            "requestTimeEpoch": 1795914000000,
            "identity": {"sourceIp": "192.0.2.1"},
            "requestId": "d5fv5FgroAMFxqg=",
            "domainName": "ws.example.test",
            "connectionId": "d5fv5cC1oAMCJVQ=",
            "apiId": "abcdef1234",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def websocket_connect() -> dict[str, Any]:
    """A WebSocket API $connect event: it carries headers like a REST API request, but no body."""
    event = websocket_message("")
    del event["body"]
    event["requestContext"].update({"routeKey": "$connect", "eventType": "CONNECT"})
    event["headers"] = {"Host": "ws.example.test", "Sec-WebSocket-Version": "13"}
    event["multiValueHeaders"] = {"Host": ["ws.example.test"], "Sec-WebSocket-Version": ["13"]}
    return event


def lattice_v1(body: str) -> dict[str, Any]:
    """A VPC Lattice event, payload version 1 (snake_case members, no request context)."""
    return {
        "raw_path": "/orders",
        "method": "POST",
        "headers": {"content-type": "application/json", "x-forwarded-for": "10.0.0.1"},
        "query_string_parameters": {},
        "body": body,
        "is_base64_encoded": False,
    }


def lattice_v2(body: str) -> dict[str, Any]:
    """A VPC Lattice event, payload version 2.0: ``version`` "2.0" like an HTTP API event, but the method
    at the top level and a request context of service-network ARNs, with no ``http`` member."""
    return {
        "version": "2.0",
        "path": "/orders",
        "method": "POST",
        "headers": {"content-type": ["application/json"]},
        "queryStringParameters": {},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {
            "serviceNetworkArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
            "serviceArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:service/svc-0a40eebed65f8d69c",
            "targetGroupArn": "arn:aws:vpc-lattice:eu-west-1:123456789012:targetgroup/tg-6d0ecf831eec9f09",
            "identity": {"sourceVpcArn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0b8276c84697e7339"},
            "region": "eu-west-1",
            "timeEpoch": "1795914000000000",
        },
    }


def sqs_fifo_with_attributes(*bodies: str) -> dict[str, Any]:
    """An SQS FIFO batch as in AWS's sample: system attributes of a FIFO queue and message attributes."""
    event = sqs_event(*bodies, fifo=True)
    for i, record in enumerate(event["Records"]):
        record["attributes"].update(
            {
                "SequenceNumber": f"1862770364962312{i:04d}",
                "MessageDeduplicationId": f"dedup-{i}",
                "SenderId": "AIDAIO23YVJENQZJOL4VO",
                "ApproximateFirstReceiveTimestamp": "1545082649185",
            }
        )
        record["messageAttributes"] = {
            "tenant": {"stringValue": "acme", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
        }
    return event


def dynamodb_stream_event() -> dict[str, Any]:
    """A DynamoDB stream record: ``Records`` too, but ``eventSource`` "aws:dynamodb"."""
    return {
        "Records": [
            {
                "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-1",
                "dynamodb": {"Keys": {"Id": {"N": "101"}}, "SequenceNumber": "4421584500000000017450439091"},
                "messageId": "not-an-sqs-message",
                "body": "{}",
            }
        ]
    }
