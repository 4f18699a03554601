"""The resource types and shapes issue 8 taught the pack to read, generated at random (unknowns, wrong
types, documents as strings or objects, dangling links): no policy ever raises (STRICT mode re-raises any
error a check makes, so a bug cannot hide behind failing closed)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secure_serverless.check.model import UNKNOWN, RecordedResource

from helpers import analyse
from stack_factory import PROVIDER, urn

pytestmark = pytest.mark.slow

ARNS = [
    "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    "arn:aws:iam::aws:policy/job-function/SystemAdministrator", "arn:aws:iam::aws:policy/NotARealPolicy",
    "arn:aws:iam::123456789012:policy/p", "arn:aws:iam::123456789012:role/r", "arn:aws:lambda:eu-west-1:1:function:f",
    "arn:aws:lambda:eu-west-1:123456789012:function:f:live", "arn:aws:s3:::*", "*", "", "r", "p", "f",
]
STATEMENTS = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny", "allow", UNKNOWN, 3]),
}, optional={
    "Action": st.one_of(st.sampled_from(["*", "iam:*", "kms:Decrypt", "sqs:*", "s3:*?", UNKNOWN]),
                        st.lists(st.sampled_from(["iam:PassRole", "secretsmanager:GetSecretValue", UNKNOWN, 7]))),
    "NotAction": st.sampled_from(["iam:*", UNKNOWN]),
    "Resource": st.one_of(st.sampled_from([*ARNS, UNKNOWN]), st.lists(st.sampled_from([*ARNS, UNKNOWN]))),
    "NotResource": st.sampled_from(["*", UNKNOWN]),
    "Principal": st.one_of(st.sampled_from(["*", UNKNOWN, {"AWS": "*"}, {"Service": "lambda.amazonaws.com"},
                                            {"AWS": ["arn:aws:iam::999988887777:root", UNKNOWN]}, [], None])),
    "NotPrincipal": st.just({"AWS": "x"}),
    "Condition": st.one_of(st.sampled_from([UNKNOWN, None, "x", {"StringEquals": UNKNOWN}]), st.dictionaries(
        st.sampled_from(["StringEquals", "StringLike", "ForAllValues:StringEquals", "Bool", "ArnLike", "Null"]),
        st.dictionaries(st.sampled_from(["aws:SourceAccount", "aws:SourceArn", "kms:ViaService", "aws:SecureTransport",
                                         "kms:CallerAccount"]),
                        st.one_of(st.sampled_from(["*", "123456789012", "false", UNKNOWN, 1]),
                                  st.lists(st.sampled_from(["*", "x", UNKNOWN]))), max_size=2), max_size=2)),
})
DOCUMENTS = st.one_of(
    st.sampled_from([UNKNOWN, None, "", "{", "[]", 5]),
    st.lists(STATEMENTS, max_size=3).map(lambda s: {"Version": "2012-10-17", "Statement": s}),
    st.lists(STATEMENTS, max_size=3).map(
        lambda s: json.dumps({"Statement": s}, default=lambda _: "<unknown>")),
)
VALUES = st.one_of(st.sampled_from([*ARNS, UNKNOWN, None, True, False, "false", 0.0]),
                   st.lists(st.sampled_from([*ARNS, UNKNOWN]), max_size=3))

TYPES: dict[str, dict[str, Any]] = {
    "aws:iam/role:Role": {"assumeRolePolicy": DOCUMENTS, "managedPolicyArns": VALUES, "name": VALUES, "arn": VALUES,
                          "inlinePolicies": st.one_of(VALUES, st.lists(st.fixed_dictionaries({"policy": DOCUMENTS})))},
    "aws:iam/policy:Policy": {"policy": DOCUMENTS, "arn": VALUES, "name": VALUES},
    "aws:iam/rolePolicy:RolePolicy": {"role": VALUES, "policy": DOCUMENTS, "name": VALUES},
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": {"roleName": VALUES, "policyNames": VALUES},
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": {"roleName": VALUES, "policyArns": VALUES},
    "aws:iam/policyAttachment:PolicyAttachment": {"policyArn": VALUES, "roles": VALUES, "users": VALUES,
                                                   "groups": VALUES},
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"role": VALUES, "policyArn": VALUES},
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": {"group": VALUES, "policyArn": VALUES},
    "aws:lambda/function:Function": {"role": VALUES, "name": VALUES, "arn": VALUES, "deadLetterConfig": VALUES},
    "aws:lambda/permission:Permission": {"principal": VALUES, "function": VALUES, "sourceArn": VALUES,
                                         "sourceAccount": VALUES},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        "namespace": st.sampled_from(["AWS/Lambda", UNKNOWN]), "metricName": st.sampled_from(["Errors", "Throttles"]),
        "dimensions": st.one_of(VALUES, st.fixed_dictionaries({"FunctionName": VALUES})), "name": VALUES,
        "alarmActions": VALUES, "actionsEnabled": VALUES},
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
        "alarmRule": st.one_of(VALUES, st.sampled_from(['ALARM("r")', "ALARM(f) OR ALARM('p')", "ALARM("])),
        "alarmActions": VALUES, "actionsEnabled": VALUES},
    "aws:kms/replicaKey:ReplicaKey": {"policy": DOCUMENTS},
    "aws:kms/externalKey:ExternalKey": {"policy": DOCUMENTS},
    "aws:kms/replicaExternalKey:ReplicaExternalKey": {"policy": DOCUMENTS},
    "aws:secretsmanager/secret:Secret": {"policy": DOCUMENTS, "kmsKeyId": VALUES},
    "aws:sqs/queue:Queue": {"policy": DOCUMENTS, "arn": VALUES, "url": VALUES, "kmsMasterKeyId": VALUES},
    "aws:sqs/queuePolicy:QueuePolicy": {"queueUrl": VALUES, "policy": DOCUMENTS},
    "aws:sfn/stateMachine:StateMachine": {"definition": st.one_of(VALUES, DOCUMENTS)},
    "aws:apigateway/integration:Integration": {"uri": VALUES},
    "aws:s3/bucketNotification:BucketNotification": {
        "lambdaFunctions": st.one_of(VALUES, st.lists(st.fixed_dictionaries({"lambdaFunctionArn": VALUES})))},
}


@st.composite
def stacks(draw: st.DrawFn) -> list[RecordedResource]:
    chosen = draw(st.lists(st.sampled_from(sorted(TYPES)), min_size=1, max_size=8))
    resources: list[RecordedResource] = []
    for index, type_ in enumerate(chosen):
        props = {key: draw(strategy) for key, strategy in TYPES[type_].items() if draw(st.booleans())}
        deps = {key: tuple(r.urn for r in resources if draw(st.booleans())) for key in props}
        resources.append(RecordedResource(
            type=type_, name=f"r{index}", urn=urn(type_, f"r{index}", None), provider=PROVIDER, inputs=props,
            outputs=props, property_dependencies={k: v for k, v in deps.items() if v}))
    return resources


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(stack=stacks(), preview=st.booleans())
def test_no_policy_raises_on_any_graph(stack: list[RecordedResource], preview: bool) -> None:
    result = analyse(stack, preview=preview)
    assert not [f for f in result.findings if "could not judge" in f.message]
