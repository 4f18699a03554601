"""A part of a resource unknown during preview is undecided, never misjudged (regressions), on the stack
the real SecureFunction registers under the checker's mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from secure_serverless.check.model import UNKNOWN
from secure_serverless.contract import types as t

from support.pack import ENABLE, analyse, name_of
from support.stacks import ACCOUNT, REGION, Stack, add, patch, physical, raw, secure_stack

# -- preview: a part unknown during preview is undecided, never misjudged (regressions) -----------------

Out = Callable[[Any], Any]  # the value itself in an update, UNKNOWN in a preview


def _statement_doc(*statements: dict[str, Any]) -> dict[str, Any]:
    # a document given as an object (pulumi_aws's PolicyDocument): one part of it can be unknown in preview
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _role_policy_effect(action: str) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        return patch(stack, "orders-policy", set_={"policy": _statement_doc(
            {"Effect": out("Allow"), "Action": action, "Resource": "*"})})
    return change


def _trust(*statements: Callable[[Out], dict[str, Any]]) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        return patch(stack, "orders-role", set_={"assumeRolePolicy": _statement_doc(*(s(out) for s in statements))})
    return change


def _lambda_trust(out: Out) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}


def _vpc(zones: tuple[str, str], *, unknown_ids: bool) -> Callable[[Stack, Out], Stack]:
    def change(stack: Stack, out: Out) -> Stack:
        subnets = [raw(t.SUBNET, f"subnet-{i}",
                       {"vpcId": "vpc-1", "availabilityZone": zone if unknown_ids else out(zone)},
                       outputs={"id": f"subnet-{i}"}) for i, zone in enumerate(zones)]
        ids = [out(s.outputs["id"]) if unknown_ids else s.outputs["id"] for s in subnets]
        stack = add(stack, *subnets)
        for fn in ("orders", "billing"):
            stack = patch(stack, fn, set_={"vpcConfig": {"subnetIds": ids, "securityGroupIds": ["sg-1"]}},
                          deps={"vpcConfig": [s.urn for s in subnets]})
        return stack
    return change


def _second_errors_alarm(stack: Stack, out: Out) -> Stack:
    stack = patch(stack, "orders-errors", set_={"alarmActions": []})
    return add(stack, raw(t.METRIC_ALARM, "orders-errors-2", {
        "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1.0, "threshold": 0.0,
        "namespace": "AWS/Lambda", "metricName": "Errors", "period": 60.0, "statistic": "Sum",
        "dimensions": {"FunctionName": out(physical(stack, "orders"))},
        "alarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"]}))


REQUIRE_VPC = {"lambda-vpc": {**ENABLE, "requireVpc": True}}

PREVIEW_UNKNOWNS = [
    # an Allow statement whose Effect is unknown was skipped: a false pass
    pytest.param("iam-no-privilege-escalation", _role_policy_effect("iam:PassRole"), {"orders-policy"}, {},
                 id="escalation-effect"),
    pytest.param("iam-secret-read-scoped", _role_policy_effect("secretsmanager:GetSecretValue"), {"orders-policy"}, {},
                 id="secret-read-effect"),
    pytest.param("kms-key-policy-no-wildcard-principal", lambda s, out: patch(s, "orders-key", set_={
        "policy": _statement_doc({"Effect": out("Allow"), "Principal": "*", "Action": "kms:*", "Resource": "*"})}),
                 {"orders-key"}, {}, id="key-policy-effect"),
    pytest.param("iam-lambda-trust-scoped", _trust(_lambda_trust, lambda out: {
        "Effect": out("Allow"), "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-effect"),
    pytest.param("iam-lambda-trust-source-account", _trust(lambda out: {
        "Effect": out("Allow"), "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-lambda-effect"),
    # a trust policy whose only principal is unknown: whether the role is a function role is undecided (was a pass)
    pytest.param("iam-lambda-trust-source-account", _trust(lambda out: {
        "Effect": "Allow", "Principal": {"Service": out("lambda.amazonaws.com")}, "Action": "sts:AssumeRole"}),
                 {"orders-role"}, {}, id="trust-function-role-unknown"),
    # an unknown principal beside the lambda one was reported as trusting '<unknown>' (a false failure)
    pytest.param("iam-lambda-trust-scoped", _trust(_lambda_trust, lambda out: {
        **_lambda_trust(out), "Principal": {"Service": out("lambda.amazonaws.com")}}), set(), {},
                 id="trust-principal-unknown"),
    # iam:PassRole on a resource unknown during preview was passed (it may be '*')
    pytest.param("iam-no-privilege-escalation", lambda s, out: patch(s, "orders-policy", set_={
        "policy": _statement_doc({"Effect": "Allow", "Action": "iam:PassRole", "Resource": out("*")})}),
                 {"orders-policy"}, {}, id="escalation-resource"),
    # a TLS-deny statement with an unknown part was read as no TLS deny (a false failure)
    pytest.param("sqs-encrypted", lambda s, out: patch(s, "orders-dlq-policy", set_={"policy": _statement_doc(
        {"Effect": out("Deny"), "Principal": "*", "Action": "sqs:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}})}), set(), {}, id="sqs-tls-effect"),
    # an Errors alarm without action, and one with an action whose FunctionName is unknown: was a false failure
    pytest.param("monitoring-function-alarms", _second_errors_alarm, set(), {}, id="alarm-dimension"),
    # subnet ids unknown during preview, matched through dependencies, were all taken for the first subnet
    pytest.param("lambda-vpc", _vpc(("eu-west-1a", "eu-west-1b"), unknown_ids=True), set(), REQUIRE_VPC,
                 id="vpc-subnet-ids"),
    # an unknown availability zone crashed the check (failing closed: a false failure)
    pytest.param("lambda-vpc", _vpc(("eu-west-1a", "eu-west-1b"), unknown_ids=False), set(), REQUIRE_VPC,
                 id="vpc-zone"),
]


@pytest.mark.parametrize(("policy", "change", "expected", "config"), PREVIEW_UNKNOWNS)
def test_part_unknown_in_preview_is_undecided(policy: str, change: Callable[[Stack, Out], Stack],
                                              expected: set[str], config: dict[str, Any]) -> None:
    update = analyse(change(secure_stack(), lambda value: value), config)
    assert {name_of(f.urn) for f in update.findings if f.policy == policy and f.kind == "violation"} == expected
    preview = analyse(change(secure_stack(), lambda value: UNKNOWN), config, preview=True)
    assert not [f for f in preview.findings if f.policy == policy and f.kind == "violation"]
    assert [f for f in preview.findings if f.policy == policy and f.kind == "undecided"]
