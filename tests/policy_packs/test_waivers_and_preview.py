"""Waivers (tags and pack config, validity, non-waivable list) and preview behaviour (unknown values)."""

from __future__ import annotations

import datetime
import json

from secure_serverless.check.model import UNKNOWN
from secure_serverless.contract import types as t
from secure_serverless.contract.waivers import TAG_PREFIX, parse_waived_line

from support import TODAY
from support.pack import analyse, by_policy, messages, name_of, violations
from support.stacks import ACCOUNT, add, find, patch, physical, raw
from support.stacks import secure_stack as happy_stack

TAG = TAG_PREFIX
STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:x"
REASON = "Legacy tracing vendor until the Q1 migration"


def tracing_off_with_tag(value: str, policy: str = "lambda-tracing-active") -> list:  # type: ignore[type-arg]
    stack = happy_stack()
    return patch(stack, "orders", set_={"tracingConfig": {"mode": "PassThrough"},
                                                 "tags": {TAG + policy: value}})


def test_valid_tag_waiver_moves_the_finding_to_the_advisory_companion() -> None:
    result = analyse(tracing_off_with_tag(f"2027-01-15 {REASON}"))
    assert by_policy(result.findings) == {}
    waived = [f for f in result.findings if f.kind == "waived"]
    assert [(f.policy, name_of(f.urn), f.level) for f in waived] == [("waived-findings", "orders", "advisory")]
    line = parse_waived_line(waived[0].message.split("\n", 1)[1])
    assert line is not None
    fn = find(result_stack := tracing_off_with_tag(f"2027-01-15 {REASON}"), "orders")
    assert (line.policy, line.expires, line.source, line.reason, line.holders) == (
        "lambda-tracing-active", "2027-01-15", f"tag {TAG}lambda-tracing-active", REASON, (fn.urn,))
    assert result_stack and "tracing_config={'mode': 'Active'}" in line.message


def test_invalid_waivers_count_as_no_waiver_and_say_why() -> None:
    cases = {
        f"2026-11-01 {REASON}": "expired on 2026-11-01",
        f"2028-01-01 {REASON}": "more than one year ahead",
        "2027-01-15 too short": "at least 20 characters",
        f"soon {REASON}": "must be '<YYYY-MM-DD> <reason>'",
        f"2027-02-30 {REASON}": "not an ISO date",
    }
    for value, why in cases.items():
        result = analyse(tracing_off_with_tag(value))
        assert by_policy(result.findings) == {"lambda-tracing-active": {"orders"}}, value
        assert why in messages(result, "lambda-tracing-active")[0], value
        assert by_policy(result.findings, "waived") == {}


def test_waiver_for_another_policy_does_not_apply() -> None:
    result = analyse(tracing_off_with_tag(f"2027-01-15 {REASON}", policy="lambda-reserved-concurrency"))
    assert by_policy(result.findings) == {"lambda-tracing-active": {"orders"}}


def test_non_waivable_policy_ignores_the_waiver_unless_configured() -> None:
    stack = happy_stack()
    fn = find(stack, "orders")
    stack = patch(stack, "orders", set_={"tags": {TAG + "lambda-url-auth-iam": f"2027-01-15 {REASON}"}})
    stack = [*stack, raw(t.FUNCTION_URL, "orders-url", {"functionName": physical(stack, "orders"),
                                                         "authorizationType": "NONE"}, deps={"functionName": [fn.urn]})]
    result = analyse(stack)
    assert by_policy(result.findings) == {"lambda-url-auth-iam": {"orders-url"}}
    assert "cannot be waived" in messages(result, "lambda-url-auth-iam")[0]
    configured = analyse(stack, {"lambda-url-auth-iam": {"waivable": True}})
    assert by_policy(configured.findings) == {}
    assert by_policy(configured.findings, "waived") == {"waived-stack-findings": {"orders-url"}}


def test_stack_policy_takes_waivers_from_the_role_a_role_policy_attaches_to() -> None:
    stack = happy_stack()
    stack = patch(stack, "orders-policy", set_={"policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "states:*", "Resource": STATE_MACHINE}]})})
    assert violations(stack) == {"iam-no-wildcard-actions": {"orders-policy"}}
    waived = patch(stack, "orders-role", set_={"tags": {TAG + "iam-no-wildcard-actions": f"2027-06-01 {REASON}"}})
    result = analyse(waived)
    assert by_policy(result.findings) == {}
    assert by_policy(result.findings, "waived") == {"waived-stack-findings": {"orders-policy"}}


def test_pack_config_waiver_names_a_component_child_by_urn_only() -> None:
    stack = patch(happy_stack(), "orders-logs", set_={"retentionInDays": 30.0})
    urn = find(stack, "orders-logs").urn

    def config(resource: str, expires: str = "2027-03-01") -> dict:  # type: ignore[type-arg]
        return {"logs-retention-set": {"waivers": [
            {"resource": resource, "reason": "Short retention agreed with the DPO", "expires": expires}]}}

    result = analyse(stack, config(urn))
    assert by_policy(result.findings) == {}
    assert by_policy(result.findings, "waived") == {"waived-findings": {"orders-logs"}}
    # every SecureFunction has an "<x>-logs" child: a name alone does not reach inside a component
    assert violations(stack, config("orders-logs")) == {"logs-retention-set": {"orders-logs"}}
    assert violations(stack, config(urn, expires="2026-01-01")) == {"logs-retention-set": {"orders-logs"}}


def test_pack_config_waiver_by_name_and_type_for_a_resource_outside_components() -> None:
    group = raw(t.LOG_GROUP, "audit-logs", {"name": "/audit", "retentionInDays": 30.0, "kmsKeyId": "k"})
    stack = add(happy_stack(), group)

    def config(**entry: str) -> dict:  # type: ignore[type-arg]
        return {"logs-retention-set": {"waivers": [
            {"reason": "Short retention agreed with the DPO", "expires": "2027-03-01", **entry}]}}

    assert by_policy(analyse(stack, config(resource="audit-logs")).findings, "waived") == {
        "waived-findings": {"audit-logs"}}
    assert by_policy(analyse(stack, config(resource="audit-logs", type=t.LOG_GROUP)).findings, "waived") == {
        "waived-findings": {"audit-logs"}}
    assert violations(stack, config(resource="audit-logs", type=t.FUNCTION)) == {"logs-retention-set": {"audit-logs"}}


def _shared_wildcard_policy(stack: list) -> list:  # type: ignore[type-arg]
    """A customer-managed policy with a wildcard action, attached to the orders and billing roles."""
    policy_arn = f"arn:aws:iam::{ACCOUNT}:policy/shared"
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "states:*", "Resource": STATE_MACHINE}]})
    policy = raw(t.MANAGED_POLICY, "shared-policy", {"name": "shared", "policy": document},
                 outputs={"arn": policy_arn, "id": policy_arn})
    attachments = [
        raw(t.ROLE_POLICY_ATTACHMENT, f"{owner}-shared", {"role": find(stack, f"{owner}-role").outputs["name"],
                                                          "policyArn": policy_arn},
            deps={"role": [find(stack, f"{owner}-role").urn], "policyArn": [policy.urn]})
        for owner in ("orders", "billing")
    ]
    return add(stack, policy, *attachments)


def test_a_tag_on_one_of_two_roles_sharing_a_policy_waives_nothing() -> None:
    stack = _shared_wildcard_policy(happy_stack())
    assert violations(stack) == {"iam-no-wildcard-actions": {"shared-policy"}}
    one = patch(stack, "orders-role", set_={"tags": {TAG + "iam-no-wildcard-actions": f"2027-06-01 {REASON}"}})
    result = analyse(one)
    assert by_policy(result.findings) == {"iam-no-wildcard-actions": {"shared-policy"}}
    assert "billing-role must waive it too" in messages(result, "iam-no-wildcard-actions")[0]
    both = patch(one, "billing-role", set_={"tags": {TAG + "iam-no-wildcard-actions": f"2027-05-01 {REASON}"}})
    result = analyse(both)
    assert by_policy(result.findings) == {}
    [waived] = [f for f in result.findings if f.kind == "waived"]
    line = parse_waived_line(waived.message.split("\n", 1)[1])
    assert line is not None and line.expires == "2027-05-01"  # the earliest of the two
    assert set(line.holders) == {find(both, "orders-role").urn, find(both, "billing-role").urn}


def test_a_tag_on_the_shared_policy_itself_waives_it() -> None:
    stack = _shared_wildcard_policy(happy_stack())
    tagged = patch(stack, "shared-policy", set_={"tags": {TAG + "iam-no-wildcard-actions": f"2027-06-01 {REASON}"}})
    assert by_policy(analyse(tagged).findings, "waived") == {"waived-stack-findings": {"shared-policy"}}


def test_expired_waiver_brings_the_finding_back_marked_expired_even_on_the_day_after() -> None:
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    result = analyse(tracing_off_with_tag(f"{yesterday} {REASON}"))
    assert by_policy(result.findings) == {"lambda-tracing-active": {"orders"}}
    assert f"waiver expired on {yesterday}" in messages(result, "lambda-tracing-active")[0]
    on_the_day = analyse(tracing_off_with_tag(f"{TODAY.isoformat()} {REASON}"))
    assert by_policy(on_the_day.findings) == {}  # a waiver counts through its expiry day


def test_waived_findings_do_not_leak_between_resources() -> None:
    stack = happy_stack()
    for fn in ("orders", "billing"):
        stack = patch(stack, fn, set_={"tracingConfig": {"mode": "PassThrough"},
                                       "tags": {TAG + "lambda-tracing-active": f"2027-01-15 {REASON}"}})
    result = analyse(stack)
    waived = sorted(name_of(f.urn) for f in result.findings if f.kind == "waived")
    assert waived == ["billing", "orders"]


# -- preview ----------------------------------------------------------------------------------------

UNDECIDED_IN_PREVIEW = {
    # documents that embed ARNs of resources created in the same stack are unknown during preview
    "kms-key-policy-no-wildcard-principal",
    "kms-key-serves-its-consumers",
    "iam-no-wildcard-actions",
    "iam-no-wildcard-resources",
    "iam-no-privilege-escalation",
    "iam-secret-read-scoped",
    "sqs-encrypted",
    "sqs-no-public-access",
    "kms-no-cross-account-access",
}


def test_preview_of_happy_stack_has_no_violation_and_says_what_it_could_not_judge() -> None:
    result = analyse(happy_stack(preview=True), preview=True)
    assert by_policy(result.findings) == {}
    undecided = {f.policy for f in result.findings if f.kind == "undecided"}
    assert undecided == UNDECIDED_IN_PREVIEW
    assert all(f.level == "advisory" and "during preview" in f.message
               for f in result.findings if f.kind == "undecided")


def test_preview_reports_known_violations() -> None:
    stack = patch(happy_stack(preview=True), "orders", set_={"tracingConfig": {"mode": "PassThrough"}})
    assert violations(stack, preview=True) == {"lambda-tracing-active": {"orders"}}


def test_preview_unknown_deciding_value_is_undecided_then_judged_in_update() -> None:
    preview = patch(happy_stack(preview=True), "orders-logs", set_={"retentionInDays": UNKNOWN})
    result = analyse(preview, preview=True)
    assert "logs-retention-set" not in by_policy(result.findings)
    assert "logs-retention-set" in by_policy(result.findings, "undecided")
    update = patch(happy_stack(), "orders-logs", set_={"retentionInDays": 30.0})
    assert violations(update)["logs-retention-set"] == {"orders-logs"}


def test_preview_unknown_key_counts_as_set_but_missing_key_fails() -> None:
    preview = happy_stack(preview=True)
    assert next(r for r in preview if r.name == "orders-logs").inputs["kmsKeyId"] == UNKNOWN
    result = analyse(preview, preview=True)
    assert not [f for f in result.findings if f.policy == "logs-kms-encrypted"]
    missing = patch(preview, "orders-logs", drop=["kmsKeyId"])
    assert violations(missing, preview=True) == {"logs-kms-encrypted": {"orders-logs"}}


def test_preview_stack_policy_reports_known_violation_and_undecided_part() -> None:
    stack = patch(happy_stack(preview=True), "billing-policy", set_={"policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "states:*", "Resource": STATE_MACHINE}]})})
    result = analyse(stack, preview=True)
    assert by_policy(result.findings) == {"iam-no-wildcard-actions": {"billing-policy"}}
    assert "iam-no-wildcard-actions" in {f.policy for f in result.findings if f.kind == "undecided"}


def test_preview_matches_alarms_and_log_groups_through_dependencies() -> None:
    # autonamed functions: no name known during preview; alarms and log groups are matched by dependency
    stack = patch(happy_stack(preview=True), "orders", drop=["name"],
                  set_={"loggingConfig": {"logFormat": "JSON", "logGroup": UNKNOWN}})
    for alarm in ("orders-errors", "orders-throttles"):
        stack = patch(stack, alarm, set_={"dimensions": {"FunctionName": UNKNOWN}})
    result = analyse(stack, preview=True)
    assert by_policy(result.findings) == {}
    undecided = {f.policy for f in result.findings if f.kind == "undecided"}
    assert "monitoring-function-alarms" not in undecided and "lambda-log-group-explicit" not in undecided
    # without its Errors alarm the function fails, or (other alarms' actions being unknown) is undecided: never a pass
    without_errors = analyse([r for r in stack if r.name != "orders-errors"], preview=True)
    assert by_policy(without_errors.findings).get("monitoring-function-alarms", {"orders"}) == {"orders"}
    assert "monitoring-function-alarms" in {f.policy for f in without_errors.findings if f.kind != "waived"}
