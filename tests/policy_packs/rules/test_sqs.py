"""guardrails/sqs.py: one compliant case and one named case per way each SQS policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Change, case, document, rule_tests
from support.stacks import ACCOUNT, REGION, add, patch, raw, without

PREFIX = "sqs-"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/q"


def queue_policy(name: str, statement: dict[str, Any]) -> Change:
    return lambda s: add(s, raw(t.QUEUE_POLICY, name, {"queueUrl": QUEUE_URL, "policy": document(statement)}))


def public_send(condition: dict[str, Any], principal: Any = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": "*",
            "Condition": condition}


CASES = [
    case("encrypted:no-key", policy=p.SQS_ENCRYPTED, change=lambda s: patch(s, "orders-dlq", drop=["kmsMasterKeyId"]),
         expected={"orders-dlq"}, text="not encrypted"),
    case("encrypted:no-tls-policy", policy=p.SQS_ENCRYPTED, change=lambda s: without(s, "orders-dlq-policy"),
         expected={"orders-dlq"}, text="aws:SecureTransport is false"),
    case("encrypted:sse-sqs-ok", policy=p.SQS_ENCRYPTED, change=lambda s: patch(
        s, "orders-dlq", drop=["kmsMasterKeyId"], set_={"sqsManagedSseEnabled": True})),
    case("public:secure-transport-pins-nobody", policy=p.SQS_NO_PUBLIC_ACCESS, change=queue_policy(
        "open-queue-policy", public_send({"Bool": {"aws:SecureTransport": "true"}}, {"AWS": "*"})),
         expected={"open-queue-policy"}, text="must not be public"),
    case("public:negative-operator", policy=p.SQS_NO_PUBLIC_ACCESS, change=queue_policy(
        "open-queue-policy", public_send({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}})),
         expected={"open-queue-policy"}, text="must not be public"),
    case("public:wildcard-only-pattern", policy=p.SQS_NO_PUBLIC_ACCESS, change=queue_policy(
        "open-queue-policy", public_send({"StringLike": {"aws:SourceArn": "*"}})),
         expected={"open-queue-policy"}, text="must not be public"),
    case("public:pinned-by-source-arn-ok", policy=p.SQS_NO_PUBLIC_ACCESS, change=queue_policy(
        "sns-queue-policy", public_send({"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:orders"}}))),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
