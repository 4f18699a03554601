"""One definition of a wildcard (GUARDRAILS.md, "What the words mean"), shared by SecureFunction and the pack.

The pack carries a byte-identical copy of the contract module; for generated statements, what
SecureFunction refuses (``Grant.wildcard_actions``, ``rules.is_wildcard_resource``) is exactly what the
pack's ``iam-no-wildcard-actions`` / ``iam-no-wildcard-resources`` fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secure_serverless import Grant, rules
from secure_serverless.contract import wildcards as component_copy

from helpers import analyse, name_of
from stack_factory import ACCOUNT, REGION, happy_stack, patch

ROOT = Path(__file__).resolve().parents[3]


def test_the_pack_carries_a_byte_identical_copy() -> None:
    canonical = ROOT / "components" / "secure_serverless" / "contract" / "wildcards.py"
    copy = ROOT / "policy_packs" / "secure_serverless" / "guardrails" / "contract" / "wildcards.py"
    assert canonical.read_bytes() == copy.read_bytes()


@pytest.mark.parametrize("action", ["*", "*:*", "s3:*", "S3:*", "s3:*?", "s3:??*", "s3:**", "s3*", "s3?*", "*?"])
def test_wildcard_actions(action: str) -> None:
    assert component_copy.is_wildcard_action(action)


@pytest.mark.parametrize("action", ["s3:GetObject", "s3:Get*", "s3:???", "*:Get*", "s3", "", "s3:*Object"])
def test_not_wildcard_actions(action: str) -> None:
    assert not component_copy.is_wildcard_action(action)


@pytest.mark.parametrize("resource", [
    "*", "arn:*", "arn:aws:s3:::*", "arn:aws:s3:::**", "arn:aws:s3:::*/*",
    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*",
    f"arn:aws:dynamodb:{REGION}:*:table/orders", f"arn:aws:dynamodb:{REGION}:12345678901?:table/orders",
    "arn:aws:*:*:*:*", "*orders*", f"arn:aws:sqs:{REGION}:{ACCOUNT}:*",
    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*:*",
])
def test_wildcard_resources(resource: str) -> None:
    assert component_copy.is_wildcard_resource(resource)


@pytest.mark.parametrize("resource", [
    "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",
    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/index/*", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app:*",
    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/app:*", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:api1/*",
    f"arn:aws:dynamodb:*:{ACCOUNT}:table/orders",
])
def test_not_wildcard_resources(resource: str) -> None:
    assert not component_copy.is_wildcard_resource(resource)


# -- generated statements: the component and the pack decide alike ------------------------------------

NAME_PARTS = st.sampled_from(["*", "?", "Get", "Object", "put", "Item", "List", "S", "3"])
SERVICES = st.sampled_from(["s3", "dynamodb", "sqs", "iam", "kms", "logs", "xray"])
ACTIONS = st.builds(lambda s, parts: f"{s}:{''.join(parts)}", SERVICES, st.lists(NAME_PARTS, min_size=1, max_size=4))
SEGMENTS = st.sampled_from(["*", "**", "?", "orders", "table", "function", "bucket", "index", "app", "", "*/*"])
ACCOUNTS = st.sampled_from([ACCOUNT, "*", "12345678901?", "", "aws"])
RESOURCES = st.one_of(
    st.just("*"),
    st.builds(lambda svc, acct, segs, sep: f"arn:aws:{svc}:{REGION}:{acct}:" + sep.join(segs),
              SERVICES, ACCOUNTS, st.lists(SEGMENTS, min_size=1, max_size=3), st.sampled_from(["/", ":"])),
    st.builds(lambda segs: "arn:aws:s3:::" + "/".join(segs), st.lists(SEGMENTS, min_size=1, max_size=3)),
)


def pack_verdicts(actions: list[str], resources: list[str]) -> tuple[bool, bool]:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    stack = patch(happy_stack(("orders",)), "orders-policy",
                  set_={"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})})
    config = {"iam-no-wildcard-resources": {"actionsAllowedOnAnyResource": []}}
    findings = analyse(stack, config).findings
    flagged = {f.policy for f in findings if f.kind == "violation" and name_of(f.urn) == "orders-policy"}
    return "iam-no-wildcard-actions" in flagged, "iam-no-wildcard-resources" in flagged


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(ACTIONS, min_size=1, max_size=3), resources=st.lists(RESOURCES, min_size=1, max_size=3))
def test_pack_and_secure_function_decide_alike(actions: list[str], resources: list[str]) -> None:
    for action in actions:
        rules.check_action(action)  # the generated actions are ones SecureFunction accepts as actions
    grant = Grant(actions=actions, resources=["*"])
    component_actions = bool(grant.wildcard_actions)
    component_resources = any(rules.is_wildcard_resource(r) for r in resources)
    assert pack_verdicts(actions, resources) == (component_actions, component_resources)
