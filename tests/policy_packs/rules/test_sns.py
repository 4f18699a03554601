"""guardrails/sns.py: one compliant case and one named case per way each SNS policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Change, case, document, rule_tests
from support.stacks import ACCOUNT, REGION, add, patch, raw

PREFIX = "sns-"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"


def topic_policy(name: str, statement: dict[str, Any]) -> Change:
    return lambda s: add(s, raw(t.TOPIC_POLICY, name, {"arn": TOPIC_ARN, "policy": document(statement)}))


CASES = [
    case("encrypted:missing", policy=p.SNS_ENCRYPTED,
         change=lambda s: patch(s, "orders-alarms", drop=["kmsMasterKeyId"]),
         expected={"orders-alarms"}, text="aws.sns.Topic(kms_master_key_id=key.arn)"),
    case("public:no-condition", policy=p.SNS_NO_PUBLIC_ACCESS, change=topic_policy("open-topic-policy", {
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "*"}),
         expected={"open-topic-policy"}, text="must not be public"),
    case("public:org-pinned-ok", policy=p.SNS_NO_PUBLIC_ACCESS, change=topic_policy("org-topic-policy", {
        "Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}})),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
