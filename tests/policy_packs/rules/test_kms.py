"""guardrails/kms.py: one compliant case and one named case per way each KMS policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Change, case, document, rule_tests
from support.stacks import ACCOUNT, REGION, Stack, add, output, patch, raw

PREFIX = "kms-"
OTHER_ACCOUNT = "999988887777"


def key_policy(*statements: dict[str, Any]) -> Change:
    return lambda s: patch(s, "orders-key", set_={"policy": document(*statements)})


def grant(name: str, grantee: Any) -> Change:
    def change(stack: Stack) -> Stack:
        principal = grantee(stack) if callable(grantee) else grantee
        inputs = {"keyId": "k-1", "operations": ["Decrypt"], "granteePrincipal": principal}
        return add(stack, raw(t.GRANT, name, inputs))
    return change


CASES = [
    case("rotation:off", policy=p.KMS_KEY_ROTATION_ENABLED,
         change=lambda s: patch(s, "orders-key", set_={"enableKeyRotation": False}), expected={"orders-key"},
         text="enable_key_rotation=True"),
    case("rotation:period-too-long", policy=p.KMS_KEY_ROTATION_ENABLED,
         change=lambda s: patch(s, "orders-key", set_={"rotationPeriodInDays": 730.0}), expected={"orders-key"},
         text="730 days"),
    case("rotation:asymmetric-ok", policy=p.KMS_KEY_ROTATION_ENABLED, change=lambda s: patch(s, "orders-key", set_={
        "enableKeyRotation": False, "customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"})),
    case("wildcard-principal:star", policy=p.KMS_KEY_POLICY_NO_WILDCARD_PRINCIPAL, change=key_policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}), expected={"orders-key"},
         text="Principal '*'"),
    case("wildcard-principal:conditioned-ok", policy=p.KMS_KEY_POLICY_NO_WILDCARD_PRINCIPAL, change=key_policy(
        {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}}})),
    case("cross-account:other-account-in-policy", policy=p.KMS_NO_CROSS_ACCOUNT_ACCESS,
         change=lambda s: add(s, raw(t.KEY_POLICY, "shared-key-policy", {"keyId": "k-1", "policy": document(
             {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "kms:Decrypt",
              "Resource": "*"})})), expected={"shared-key-policy"}, text="another account"),
    case("cross-account:grant-to-other-account", policy=p.KMS_NO_CROSS_ACCOUNT_ACCESS,
         change=grant("shared-grant", f"arn:aws:iam::{OTHER_ACCOUNT}:role/reader"), expected={"shared-grant"},
         text=OTHER_ACCOUNT),
    case("cross-account:wildcard-pinned-to-other-account", policy=p.KMS_NO_CROSS_ACCOUNT_ACCESS,
         change=lambda s: add(s, raw(t.REPLICA_KEY, "replica", {
             "primaryKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/mrk-1", "policy": document(
                 {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                  "Condition": {"StringEquals": {"kms:CallerAccount": OTHER_ACCOUNT}}})})),
         expected={"replica"}, text="another account"),
    case("cross-account:trusted-ok", policy=p.KMS_NO_CROSS_ACCOUNT_ACCESS,
         change=grant("trusted-grant", f"arn:aws:iam::{OTHER_ACCOUNT}:role/reader"),
         config={p.KMS_NO_CROSS_ACCOUNT_ACCESS: {"trustedAccounts": [OTHER_ACCOUNT]}}),
    case("cross-account:own-account-ok", policy=p.KMS_NO_CROSS_ACCOUNT_ACCESS,
         change=grant("own-grant", lambda s: output(s, "orders-role", "arn"))),
]


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
