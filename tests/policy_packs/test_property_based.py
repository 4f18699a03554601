"""Property-based: thousands of surprising property maps per resource type, and no policy ever raises.

Resource policies get the same unknown-checking proxy the servicer builds; stack policies get
PolicyResource graphs with random dependencies. The only exception allowed out of a policy is
pulumi_policy's UnknownValueError (the designed "undecided during preview" path). STRICT mode (conftest)
re-raises any error inside a check instead of failing closed, so a bug cannot hide.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from guardrails import ALL_POLICIES
from guardrails._policy import meta

pytestmark = pytest.mark.slow

TYPES = {
    "aws:lambda/function:Function": ["environment", "kmsKeyArn", "tracingConfig", "reservedConcurrentExecutions",
                                     "deadLetterConfig", "runtime", "packageType", "loggingConfig", "name",
                                     "codeSigningConfigArn", "vpcConfig", "tags", "role"],
    "aws:iam/role:Role": ["assumeRolePolicy", "inlinePolicies", "managedPolicyArns", "permissionsBoundary", "tags",
                          "name", "arn"],
    "aws:iam/rolePolicy:RolePolicy": ["role", "policy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:iam/policy:Policy": ["policy", "arn", "name", "tags"],
    "aws:kms/key:Key": ["enableKeyRotation", "rotationPeriodInDays", "policy", "customerMasterKeySpec", "keyUsage"],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays", "kmsKeyId", "name", "tags"],
    "aws:secretsmanager/secret:Secret": ["kmsKeyId", "name", "arn"],
    "aws:secretsmanager/secretRotation:SecretRotation": ["secretId", "rotationRules"],
    "aws:ssm/parameter:Parameter": ["type", "keyId"],
    "aws:sqs/queue:Queue": ["kmsMasterKeyId", "sqsManagedSseEnabled", "policy", "url"],
    "aws:sqs/queuePolicy:QueuePolicy": ["queueUrl", "policy"],
    "aws:sns/topic:Topic": ["kmsMasterKeyId"],
    "aws:lambda/permission:Permission": ["principal", "sourceArn", "sourceAccount", "function"],
    "aws:lambda/functionUrl:FunctionUrl": ["authorizationType", "functionName"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["namespace", "metricName", "dimensions", "alarmActions",
                                               "metricQueries"],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ["functionName", "destinationConfig"],
    "aws:ec2/subnet:Subnet": ["id", "availabilityZone"],
}

WORDS = st.sampled_from([
    "*", "Allow", "Deny", "allow", "", "Active", "AWS_IAM", "NONE", "Image", "Zip", "python3.12", "python3.8",
    "SecureString", "AWS/Lambda", "Errors", "Throttles", "sqs:*", "iam:PassRole", "iam:Put*", "s3:*",
    "secretsmanager:GetSecretValue", "kms:Decrypt", "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????", "lambda.amazonaws.com", "s3.amazonaws.com",
    "AKIAIOSFODNN7EXAMPLE", "false", "true", "rate(10 days)", "cron(0 0 1 * ? *)", "alias/aws/sns",
    UNKNOWN_STRING_VALUE, "secure-serverless:waiver:logs-retention-set", "2027-01-01 a reason long enough here",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6).map(float), st.floats(allow_nan=True),
                    st.text(max_size=30), WORDS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(WORDS, st.text(max_size=8)), inner, max_size=4)),
    max_leaves=12)
FIELD = st.one_of(st.just(UNKNOWN_STRING_VALUE), WORDS, VALUES, st.dictionaries(WORDS, VALUES, max_size=3),
                  st.lists(st.dictionaries(WORDS, VALUES, max_size=3), max_size=2))
KEYS = ["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition", "Sid"]
STATEMENT = st.dictionaries(st.sampled_from(KEYS), st.one_of(VALUES, st.lists(WORDS, max_size=3),
                                                            st.dictionaries(st.sampled_from(["AWS", "Service"]),
                                                                            WORDS, max_size=2)), max_size=6)
DOCUMENT = st.one_of(
    st.builds(lambda s: {"Version": "2012-10-17", "Statement": s}, st.one_of(STATEMENT, st.lists(STATEMENT, max_size=3),
                                                                           VALUES)),
    VALUES,
)
DOC_VALUE = st.one_of(DOCUMENT, DOCUMENT.map(lambda d: json.dumps(d, default=str)),
                      DOCUMENT.map(lambda d: json.dumps(json.dumps(d, default=str))), st.just(UNKNOWN_STRING_VALUE))
DOC_KEYS = {"policy", "assumeRolePolicy"}


def props_for(type_: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = TYPES[type_]
    fixed = {k: (DOC_VALUE if k in DOC_KEYS else FIELD) for k in keys}
    return st.fixed_dictionaries({}, optional=fixed).flatmap(
        lambda d: st.dictionaries(st.text(max_size=6), VALUES, max_size=2).map(lambda extra: {**extra, **d}))


RESOURCE_POLICIES = [p for p in ALL_POLICIES if isinstance(p, ResourceValidationPolicy)]
STACK_POLICIES = [p for p in ALL_POLICIES if isinstance(p, StackValidationPolicy)]


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _report(message: str, urn: str | None = None) -> None:
    assert isinstance(message, str) and message


ALL_KEYS = sorted({key for keys in TYPES.values() for key in keys})
ANY_PROPS = st.fixed_dictionaries({}, optional={k: (DOC_VALUE if k in DOC_KEYS else FIELD) for k in ALL_KEYS})


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(props=ANY_PROPS, config=st.one_of(st.just({}), st.dictionaries(st.sampled_from(
    ["waivers", "waivable", "minimumRetentionDays", "allowedRuntimes", "requiredTags", "requireVpc"]), VALUES,
    max_size=3)))
def test_resource_policies_never_raise(props: dict[str, Any], config: dict[str, Any]) -> None:
    # Each generated map is judged as every resource type: 1,500 maps per type.
    props = json.loads(json.dumps(props, default=str))  # what survives the Struct round trip
    for type_ in TYPES:
        proxied = unknown_checking_proxy(props)
        for policy in RESOURCE_POLICIES:
            if type_ not in meta(policy).types:
                continue  # the policy returns at once for other types
            args = ResourceValidationArgs(type_, proxied, f"urn:pulumi:s::p::{type_}::r", "r", _opts(), None, config)
            with contextlib.suppress(UnknownValueError):
                policy.validate(args, _report)


@st.composite
def stacks(draw: st.DrawFn) -> list[PolicyResource]:
    count = draw(st.integers(1, 5))
    types = [draw(st.sampled_from(sorted(TYPES))) for _ in range(count)]
    resources = []
    for index, type_ in enumerate(types):
        props = json.loads(json.dumps(draw(props_for(type_)), default=str))
        resources.append(PolicyResource(type_, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_}::r{index}",
                                        f"r{index}", _opts(), None, None, [], {}))
    for resource in resources:
        others = draw(st.lists(st.sampled_from(resources), max_size=3))
        keys = draw(st.lists(st.sampled_from(["role", "policyArn", "function", "functionName", "queueUrl",
                                              "secretId", "dimensions", "loggingConfig", "vpcConfig", "name"]),
                             max_size=3))
        for key in keys:
            resource.property_dependencies[key] = others
        resource.dependencies.extend(others)
    return resources


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(resources=stacks())
def test_stack_policies_never_raise(resources: list[PolicyResource]) -> None:
    for policy in STACK_POLICIES:
        with contextlib.suppress(UnknownValueError):
            policy.validate(StackValidationArgs(resources, {}), _report)
