"""The price table, declared-waiver bookkeeping, component attribution and the progress indicator."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

from secure_serverless.check.cost import PRICE_TABLE, PRICES_AS_OF, PRICES_REGION, compute_cost, price_items
from secure_serverless.check.graph import WITHHELD, owning_components, scrub, secret_values
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.progress import Progress
from secure_serverless.check.results import Finding, WaiverUse
from secure_serverless.check.runner import check_program
from secure_serverless.check.waivers import declared_waivers

from check_support import EXAMPLE_DIR, run_cli

STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
COMPONENT = "urn:pulumi:dev::p::secure-serverless:index:SecureFunction::api"


def res(type_: str, name: str, parent: str | None = STACK, custom: bool = True, **inputs: Any) -> RecordedResource:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return RecordedResource(type=type_, name=name, urn=urn, custom=custom, parent=parent, inputs=inputs)


# -- cost ---------------------------------------------------------------------------------------------


def test_price_table_documents_region_and_date() -> None:
    assert PRICES_REGION == "us-east-1"
    datetime.date.fromisoformat(PRICES_AS_OF)
    assert PRICE_TABLE["kms-key"][0] == 1.00
    assert PRICE_TABLE["alarm-standard"][0] == 0.10
    assert PRICE_TABLE["alarm-anomaly-detection"][0] == pytest.approx(3 * PRICE_TABLE["alarm-standard"][0])
    assert PRICE_TABLE["secret"][0] == 0.40
    assert PRICE_TABLE["sns-topic"][0] == 0.0


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (res("aws:kms/key:Key", "k"), [("kms-key", 1)]),
        (res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", period=60.0), [("alarm-standard", 1)]),
        (res("aws:cloudwatch/metricAlarm:MetricAlarm", "hr", period=10.0), [("alarm-high-resolution", 1)]),
        (
            res(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "anomaly",
                thresholdMetricId="band",
                metricQueries=[
                    {"id": "m1", "metric": {"metricName": "Invocations", "period": 300.0}, "returnData": True},
                    {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "returnData": True},
                ],
            ),
            [("alarm-anomaly-detection", 1)],
        ),
        (
            res(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                "math",
                metricQueries=[
                    {"id": "e", "metric": {"metricName": "Errors", "period": 60.0}},
                    {"id": "i", "metric": {"metricName": "Invocations", "period": 60.0}},
                    {"id": "rate", "expression": "e / i", "returnData": True},
                ],
            ),
            [("alarm-standard", 2)],
        ),
        (res("aws:secretsmanager/secret:Secret", "s"), [("secret", 1)]),
        (res("aws:sns/topic:Topic", "t"), [("sns-topic", 1)]),
        (res("aws:ssm/parameter:Parameter", "p", tier="Standard"), []),
        (res("aws:dynamodb/table:Table", "t"), []),
    ],
)
def test_price_items(resource: RecordedResource, expected: list[tuple[str, int]]) -> None:
    assert price_items(resource) == expected


def test_cost_is_counted_per_component() -> None:
    resources = [
        res("secure-serverless:index:SecureFunction", "api", custom=False),
        res("aws:kms/key:Key", "api-key", parent=COMPONENT),
        res("aws:cloudwatch/metricAlarm:MetricAlarm", "api-errors", parent=COMPONENT),
        res("aws:cloudwatch/metricAlarm:MetricAlarm", "api-throttles", parent=COMPONENT),
        res("aws:lambda/function:Function", "api", parent=COMPONENT),
        res("aws:secretsmanager/secret:Secret", "shared"),
    ]
    report = compute_cost(resources, owning_components(resources))
    by_component = {c.component: c.monthly for c in report.components}
    assert by_component == {
        "secure-serverless:index:SecureFunction/api": pytest.approx(1.20),
        "(not in a component)": pytest.approx(0.40),
    }
    assert report.total == pytest.approx(1.60)
    assert report.per_function == pytest.approx(1.20)
    assert report.functions == 1


def test_example_cost_matches_its_resources() -> None:
    result, _ = check_program(EXAMPLE_DIR)
    expected = sum(PRICE_TABLE[item][0] * units for r in result.resources for item, units in price_items(r))
    assert result.cost.total == pytest.approx(expected)
    keys = sum(1 for r in result.resources if r.type == "aws:kms/key:Key")
    assert keys == 5  # one per SecureFunction (the quarantine handler's included), the data key, the trail's key
    per_function = {c.component: c.monthly for c in result.cost.secure_functions}
    assert set(per_function) == {
        "secure-serverless:index:SecureFunction/orders-api",
        "secure-serverless:index:SecureFunction/orders-consumer",
        "secure-serverless:index:SecureFunction/orders-quarantine-handler",
    }
    assert all(value >= 1.0 for value in per_function.values())  # at least the key


# -- component attribution and secrets ------------------------------------------------------------------


def test_nearest_component_ancestor() -> None:
    inner = "urn:pulumi:dev::p::x:index:Inner::inner"
    resources = [
        res("secure-serverless:index:SecureFunction", "api", custom=False),
        RecordedResource(type="x:index:Inner", name="inner", urn=inner, custom=False, parent=COMPONENT),
        res("aws:iam/role:Role", "deep", parent=inner),
        res("aws:iam/role:Role", "direct", parent=COMPONENT),
        res("aws:iam/role:Role", "top"),
    ]
    owners = owning_components(resources)
    assert owners["urn:pulumi:dev::p::aws:iam/role:Role::deep"] == "x:index:Inner/inner"
    assert owners["urn:pulumi:dev::p::aws:iam/role:Role::direct"] == "secure-serverless:index:SecureFunction/api"
    assert owners["urn:pulumi:dev::p::aws:iam/role:Role::top"] is None


def test_secret_values_are_scrubbed() -> None:
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2-secret"}
    found = secret_values([{"env": {"PASSWORD": wrapped, "PLAIN": "visible"}}])
    assert found == {"hunter2-secret"}
    assert scrub("value hunter2-secret here", found) == "value [secret] here"


def test_short_secrets_withhold_the_message_instead_of_leaking() -> None:
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "Xy9"}
    found = secret_values([{"pin": wrapped}])
    assert found == {"Xy9"}  # found whatever its length
    assert scrub("the PIN is Xy9", found) == WITHHELD  # too short to replace without mangling the text
    assert scrub("no secret here", found) == "no secret here"


# -- waivers --------------------------------------------------------------------------------------------

TODAY = datetime.date(2026, 6, 1)


def waived(policy: str, urn: str, source: str, holders: tuple[str, ...] = ()) -> Finding:
    return Finding(
        policy=policy,
        level="mandatory",
        message="m",
        urn=urn,
        waiver=WaiverUse(source, "a reason of twenty characters", "2026-09-01", holders or (urn,)),
    )


def test_declared_waiver_statuses() -> None:
    tag = "secure-serverless:waiver:"
    reason = "a reason of twenty characters"
    logs = res(
        "aws:cloudwatch/logGroup:LogGroup",
        "logs",
        tags={
            tag + "logs-retention-set": f"2026-09-01 {reason}",  # used
            tag + "logs-kms-encrypted": f"2026-09-01 {reason}",  # valid, nothing to waive
            tag + "sns-encrypted": f"2025-01-01 {reason}",  # expired
            tag + "lambda-tracing-active": "2026-09-01 too short",  # invalid reason
            tag + "lambda-url-auth-iam": f"2026-09-01 {reason}",  # policy cannot be waived
            tag + "lambda-vpc": "someday",  # malformed
            tag + "secrets-cmk-encrypted": f"2027-06-02 {reason}",  # more than a year ahead
            "team": "a",
        },
    )
    # A tag on the role waives findings on the policy attached to it: the pack names the role as holder.
    role = res("aws:iam/role:Role", "role", tags={tag + "iam-no-wildcard-actions": f"2026-12-01 {reason}"})
    policy = RecordedResource(
        type="aws:iam/rolePolicy:RolePolicy",
        name="policy",
        urn="urn:pulumi:dev::p::aws:iam/rolePolicy:RolePolicy::policy",
        dependencies=(role.urn,),
    )
    config = {
        "sqs-encrypted": {
            "waivers": [
                {"resource": "dlq", "reason": reason, "expires": "2026-07-01"},
                {"resource": "other", "reason": reason, "expires": "2028-01-01"},
                {"resource": "nowhere", "reason": reason, "expires": "2026-07-01"},
            ]
        }
    }
    findings = [
        waived("logs-retention-set", logs.urn, f"tag {tag}logs-retention-set"),
        waived("iam-no-wildcard-actions", policy.urn, f"tag {tag}iam-no-wildcard-actions", (role.urn,)),
        waived("sqs-encrypted", "urn:pulumi:dev::p::aws:sqs/queue:Queue::dlq", "pack config waiver for dlq"),
    ]
    statuses = {
        (w.policy, w.source, w.status)
        for w in declared_waivers([logs, role, policy], config, findings, {"lambda-url-auth-iam"}, today=TODAY)
    }
    assert statuses == {
        ("logs-retention-set", "tag", "used"),
        ("logs-kms-encrypted", "tag", "unused"),
        ("sns-encrypted", "tag", "expired"),
        ("lambda-tracing-active", "tag", "invalid"),
        ("lambda-url-auth-iam", "tag", "not-waivable"),
        ("lambda-vpc", "tag", "invalid"),
        ("secrets-cmk-encrypted", "tag", "invalid"),
        ("iam-no-wildcard-actions", "tag", "used"),
        ("sqs-encrypted", "config", "used"),
        ("sqs-encrypted", "config", "invalid"),
    }
    declared = declared_waivers([logs, role, policy], config, findings, set(), today=TODAY)
    details = {w.resource: w.detail for w in declared}
    assert details["nowhere"].startswith("no resource in the stack is named 'nowhere'")
    assert details["other"].startswith("waiver expiry 2028-01-01 is more than one year ahead")


# -- progress -------------------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_unless_a_terminal_or_forced() -> None:
    quiet = io.StringIO()
    progress = Progress.auto(False, quiet)
    progress.phase("running")
    progress.update(5, 10)
    progress.done()
    assert quiet.getvalue() == ""

    forced = io.StringIO()
    progress = Progress.auto(True, forced)
    progress.phase("evaluating")
    for i in range(11):
        progress.update(i, 10)
    progress.done("3 findings")
    lines = forced.getvalue().splitlines()
    assert lines[0].endswith("evaluating...")
    assert any(line.endswith("evaluating: 10/10") for line in lines)
    assert lines[-1].endswith("3 findings")
    assert "\r" not in forced.getvalue()

    tty = _Tty()
    progress = Progress.auto(False, tty)
    progress.phase("running")
    progress.update(10, 10)
    progress.done()
    assert "\r" in tty.getvalue()


def test_cli_progress_goes_to_stderr_only() -> None:
    run = run_cli("check", EXAMPLE_DIR, "--format", "json", "--progress")
    assert run.code == 0
    assert run.json()["passed"] is True  # stdout stays machine-readable
    assert "under mocks" in run.stderr
    assert "evaluating" in run.stderr


def test_waiver_for_an_unknown_policy_is_invalid() -> None:
    logs = res(
        "aws:cloudwatch/logGroup:LogGroup",
        "logs",
        tags={"secure-serverless:waiver:logs-retention": "2026-09-01 a reason of twenty characters"},
    )
    [waiver] = declared_waivers([logs], {}, [], set(), today=TODAY, known_policies=["logs-retention-set"])
    assert (waiver.status, waiver.detail) == ("invalid", "the pack has no policy of this name")


SECRET_PROGRAM = """
aws.sqs.Queue(
    "q",
    sqs_managed_sse_enabled=False,
    tags={
        "secret-id": pulumi.Output.secret("Xy9"),
        "secure-serverless:waiver:sqs-encrypted": pulumi.Output.secret("{expires} the reason is itself secret"),
    },
)
aws.sns.Topic("t", name=pulumi.Output.secret("Xy9"))
"""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_secrets_in_a_program_never_reach_the_report(program: Any, fmt: str) -> None:
    expires = datetime.date.today() + datetime.timedelta(days=90)
    run = run_cli("check", program(SECRET_PROGRAM.replace("{expires}", expires.isoformat())), "--format", fmt)
    assert run.code == 0, run.stderr  # the (secret) waiver is honoured
    assert "the reason is itself secret" not in run.stdout
    assert "Xy9" not in run.stdout
    assert "[secret]" in run.stdout
