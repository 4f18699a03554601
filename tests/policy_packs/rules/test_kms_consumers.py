"""kms-key-serves-its-consumers, judged on programs run under mocks (a shared key, as users write them)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from secure_serverless import SecureFunction, SecureFunctionArgs
from secure_serverless.check.mocks import ProgramRun, run_program
from secure_serverless.contract import policies as p
from secure_serverless.kms import shared_key_policy_statements

from helpers import analyse, by_policy, messages
from support.pack import case, document, rule_tests
from support.stacks import ACCOUNT, REGION, patch

RULE = "kms-key-serves-its-consumers"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/project/stack/orders"
ROOT = {
    "Sid": "EnableIamUserPermissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def args(**overrides: Any) -> SecureFunctionArgs:
    return SecureFunctionArgs(handler="app.handler", code=pulumi.AssetArchive({}), **overrides)


def run(build: Callable[[], Any], *, preview: bool = False) -> ProgramRun:
    return run_program(build, preview=preview, config={"aws:region": REGION})


def shared_key_program(policy: dict[str, Any] | None, **overrides: Any) -> Callable[[], None]:
    """A key in the program, written before the function (the log group ARN is known in advance)."""

    def program() -> None:
        key = aws.kms.Key(
            "shared",
            enable_key_rotation=True,
            policy=json.dumps(policy) if policy is not None else None,
        )
        SecureFunction("orders", args(kms_key_arn=key.arn, **overrides))

    return program


def documented_statements(**overrides: Any) -> list[dict[str, Any]]:
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "region": REGION,
        "role_arn": None,
        "log_group_arn": LOG_GROUP_ARN,
        "alarm_topic_encrypted": True,
        "dead_letter_queue": True,
    }
    values.update(overrides)
    return shared_key_policy_statements(**values)


def violations_of(program_run: ProgramRun) -> set[str]:
    return by_policy(analyse(program_run.resources).findings).get(RULE, set())


def test_secure_function_with_its_own_key_passes() -> None:
    result = analyse(run(lambda: SecureFunction("orders", args())).resources)
    assert RULE not in by_policy(result.findings)
    assert RULE not in by_policy(result.findings, "undecided")


def test_shared_key_with_the_documented_statements_passes() -> None:
    assert (
        violations_of(run(shared_key_program({"Version": "2012-10-17", "Statement": [ROOT, *documented_statements()]})))
        == set()
    )


def test_shared_key_with_the_role_named_and_no_root_passes() -> None:
    def program() -> None:
        key = aws.kms.Key("shared", enable_key_rotation=True)
        function = SecureFunction("orders", args(kms_key_arn=key.arn))
        aws.kms.KeyPolicy(
            "shared-policy",
            key_id=key.id,
            policy=function.role.arn.apply(
                lambda role: json.dumps({"Version": "2012-10-17", "Statement": documented_statements(role_arn=role)})
            ),
        )

    assert violations_of(run(program)) == set()


def test_shared_key_with_the_default_policy_fails_for_each_consumer() -> None:
    program_run = run(shared_key_program(None))
    result = analyse(program_run.resources)
    assert by_policy(result.findings)[RULE] == {"shared"}
    text = " ".join(messages(result, RULE))
    assert f"CloudWatch Logs (logs.{REGION}.amazonaws.com)" in text
    assert "CloudWatch alarms publishing to topic 'orders-alarms'" in text
    # the account root alone would delegate to IAM; the default key policy of an absent policy has it
    # too, but an explicit policy without it does not serve the role:
    no_root = run(shared_key_program({"Version": "2012-10-17", "Statement": documented_statements()}))
    no_root_text = " ".join(messages(analyse(no_root.resources), RULE))
    assert "dead-letter queue" in no_root_text and "through sqs.eu-west-1.amazonaws.com" in no_root_text
    assert "used by CloudWatch Logs" not in no_root_text


def test_logs_statement_for_another_log_group_fails() -> None:
    wrong = documented_statements(log_group_arn=LOG_GROUP_ARN.replace("orders", "payments"))
    result = analyse(run(shared_key_program({"Version": "2012-10-17", "Statement": [ROOT, *wrong]})).resources)
    [message] = messages(result, RULE)
    assert "CloudWatch Logs" in message and "kms:Encrypt" in message and "shared_key_policy_statements" in message


def test_alarm_statement_missing_fails_only_with_an_encrypted_alarm_topic() -> None:
    without_alarms = documented_statements(alarm_topic_encrypted=False)
    policy = {"Version": "2012-10-17", "Statement": [ROOT, *without_alarms]}
    [message] = messages(analyse(run(shared_key_program(policy)).resources), RULE)
    assert "CloudWatch alarms" in message
    external_topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops-alarms"
    assert violations_of(run(shared_key_program(policy, alarm_topic_arn=external_topic))) == set()


def test_explicit_deny_wins() -> None:
    deny = {
        "Sid": "NoCloudWatch",
        "Effect": "Deny",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "kms:*",
        "Resource": "*",
    }
    policy = {"Version": "2012-10-17", "Statement": [ROOT, *documented_statements(), deny]}
    [message] = messages(analyse(run(shared_key_program(policy)).resources), RULE)
    assert "CloudWatch alarms" in message and "does not allow it" in message


def test_conditions_the_rule_cannot_judge_fail_closed() -> None:
    statements = documented_statements()
    statements[0]["Condition"] = {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}
    policy = {"Version": "2012-10-17", "Statement": [ROOT, *statements]}
    [message] = messages(analyse(run(shared_key_program(policy)).resources), RULE)
    assert "conditions this rule cannot judge" in message


def test_a_key_outside_the_program_is_not_judged() -> None:
    outside = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    assert violations_of(run(lambda: SecureFunction("orders", args(kms_key_arn=outside)))) == set()


def test_unused_key_with_default_policy_passes() -> None:
    assert violations_of(run(lambda: aws.kms.Key("idle", enable_key_rotation=True))) == set()


def test_preview_with_an_unknown_key_policy_is_undecided_not_failed() -> None:
    def program() -> None:
        key = aws.kms.Key("shared", enable_key_rotation=True)
        function = SecureFunction("orders", args(kms_key_arn=key.arn))
        aws.kms.KeyPolicy(
            "shared-policy",
            key_id=key.id,
            policy=function.role.arn.apply(lambda _: json.dumps({"Version": "2012-10-17", "Statement": [ROOT]})),
        )

    result = analyse(run(program, preview=True).resources, preview=True)
    assert RULE not in by_policy(result.findings)
    assert RULE in by_policy(result.findings, "undecided")


def test_secure_function_key_without_a_statement_fails() -> None:
    """The rule engages on SecureFunction's own key too: drop one statement and it is refused."""
    program_run = run(lambda: SecureFunction("orders", args()))
    resources = []
    for resource in program_run.resources:
        if resource.type == "aws:kms/key:Key":
            policy = json.loads(resource.inputs["policy"])
            policy["Statement"] = [
                s for s in policy["Statement"] if s["Sid"] != "CloudWatchAlarmsPublishToEncryptedTopic"
            ]
            text = json.dumps(policy)
            resource = dataclasses.replace(
                resource, inputs={**resource.inputs, "policy": text}, outputs={**resource.outputs, "policy": text}
            )
        resources.append(resource)
    result = analyse(resources)
    assert by_policy(result.findings)[RULE] == {"orders-key"}
    [message] = messages(result, RULE)
    assert "CloudWatch alarms publishing to topic 'orders-alarms'" in message


# -- the mirror's keyword cases (the stack SecureFunction registers, in update and preview) -------------

CASES = [
    case("account-root-only", policy=p.KMS_KEY_SERVES_ITS_CONSUMERS,
         change=lambda s: patch(s, "orders-key", set_={"policy": document(
             {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
              "Resource": "*"})}),
         expected={"orders-key"}, text="must let the services that use them act"),
]

test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, "kms-key-serves-")
