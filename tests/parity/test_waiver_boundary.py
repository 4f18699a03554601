"""One waiver rule for SecureFunction, the pack and the checker: the one-year boundary, the expiry day,
expired waivers, and waivers that could never apply (issue: a waiver SecureFunction accepted blocked
the deploy)."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pydantic import ValidationError

from secure_serverless import SecureFunction, SecureFunctionArgs, Waiver
from secure_serverless.args import ExpiredWaiverWarning
from secure_serverless.check.engine import InProcessAnalyzer, run_analysis
from secure_serverless.check.mocks import run_program
from secure_serverless.contract import types as t
from secure_serverless.contract.policies import LOGS_RETENTION_SET, SECRETS_CMK_ENCRYPTED, SSM_NO_PLAINTEXT_CREDENTIALS
from secure_serverless.contract.waivers import latest_expiry, parse_waived_line, tag_key, utc_today

from support import PACK_DIR

REASON = "Debug logs kept short by data policy DP-12"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def pack_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from guardrails import _waivers

    monkeypatch.setattr(_waivers, "today", lambda: TODAY)
    yield


def component_waiver(days: int, today: dt.date = TODAY, policy: str = LOGS_RETENTION_SET) -> Waiver:
    data = {"policy": policy, "reason": REASON, "expires": today + dt.timedelta(days=days)}
    return Waiver.model_validate(data, context={"today": today})


def pack_verdict(days: int) -> Any:
    from guardrails import _waivers

    return _waivers.check_waiver(LOGS_RETENTION_SET, "tag", (TODAY + dt.timedelta(days=days)).isoformat(), REASON)


def test_latest_expiry_is_one_calendar_year() -> None:
    assert latest_expiry(TODAY) == TODAY + dt.timedelta(days=365)
    assert latest_expiry(dt.date(2027, 3, 1)) == dt.date(2028, 3, 1)  # 366 days: across 29 February
    assert latest_expiry(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_component_accepts_today_plus_365_and_refuses_366() -> None:
    assert component_waiver(365).expires == TODAY + dt.timedelta(days=365)
    with pytest.raises(ValidationError, match="no later than 2027-11-29"):
        component_waiver(366)


def test_pack_honours_today_plus_365_and_ignores_366(pack_today: None) -> None:
    assert pack_verdict(365).valid
    problem = pack_verdict(366).problem
    assert problem is not None and "more than one year ahead (latest: 2027-11-29)" in problem.text


@pytest.mark.parametrize("days", [-2, -1, 0, 1, 364, 365, 366, 367])
def test_component_and_pack_agree_on_every_day_around_the_boundaries(pack_today: None, days: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExpiredWaiverWarning)
        try:
            component_waiver(days)
            accepted = True
        except ValidationError:
            accepted = False
    verdict = pack_verdict(days)
    expired = days < 0
    # SecureFunction keeps an expired waiver (with a warning); the pack then reports it as expired
    assert accepted == (days <= 365)
    assert verdict.valid == (0 <= days <= 365)
    assert (verdict.problem is not None and verdict.problem.kind == "expired") == expired


def test_expiry_day_is_no_crash_and_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert component_waiver(0).expires == TODAY


def test_expired_waiver_is_accepted_with_a_full_sentence_warning() -> None:
    with pytest.warns(ExpiredWaiverWarning) as caught:
        waiver = component_waiver(-1)
    text = str(caught[0].message)
    assert text == (
        "The waiver for 'logs-retention-set' expired on 2026-11-28, so the policy pack no longer applies it and "
        "reports the finding again; renew it with a later expires date (at most one year ahead) or fix the resource."
    )
    assert waiver.expires == dt.date(2026, 11, 28)


def test_default_today_is_the_utc_date() -> None:
    today = utc_today()
    limit = latest_expiry(today)
    assert Waiver(policy=LOGS_RETENTION_SET, reason=REASON, expires=limit).expires == limit
    with pytest.raises(ValidationError):
        Waiver(policy=LOGS_RETENTION_SET, reason=REASON, expires=latest_expiry(today) + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("policy", "advice"),
    [
        (SECRETS_CMK_ENCRYPTED, "tag the parameter or secret itself"),
        (SSM_NO_PLAINTEXT_CREDENTIALS, "tag the parameter itself"),
        ("secrets-rotation-enabled", "tag the secret or secret rotation itself"),
    ],
)
def test_waiver_for_a_policy_judging_no_child_is_refused_with_advice(policy: str, advice: str) -> None:
    with pytest.raises(ValidationError) as raised:
        component_waiver(30, policy=policy)
    text = str(raised.value)
    assert "judges no resource SecureFunction creates" in text and advice in text
    assert tag_key(policy) in text


def _run(waiver: Waiver) -> Any:
    def program() -> None:
        SecureFunction("fn", SecureFunctionArgs(
            handler="app.handler", code=pulumi.AssetArchive({}), log_retention_in_days=30, waivers=[waiver]))

    run = run_program(program, config={"aws:region": "eu-west-1"})
    return run, run_analysis(InProcessAnalyzer(PACK_DIR), run.resources)


def test_expired_waiver_stays_a_tag_and_the_finding_comes_back_marked_expired() -> None:
    expired_on = utc_today() - dt.timedelta(days=3)
    with pytest.warns(ExpiredWaiverWarning):
        waiver = Waiver(policy=LOGS_RETENTION_SET, reason=REASON, expires=expired_on)
    run, result = _run(waiver)
    logs = next(r for r in run.resources if r.type == t.LOG_GROUP)
    assert logs.inputs["tags"][tag_key(LOGS_RETENTION_SET)] == f"{expired_on.isoformat()} {REASON}"
    [finding] = result.violations()
    assert finding.policy == LOGS_RETENTION_SET
    assert f"waiver expired on {expired_on.isoformat()}" in finding.message


def test_waiver_at_the_limit_is_honoured_by_the_pack() -> None:
    waiver = Waiver(policy=LOGS_RETENTION_SET, reason=REASON, expires=latest_expiry(utc_today()))
    _, result = _run(waiver)
    assert result.violations() == []
    [waived] = [f for f in result.findings if f.kind == "waived"]
    line = parse_waived_line(waived.message.split("\n", 1)[1])
    assert line is not None and line.policy == LOGS_RETENTION_SET


def test_waiver_targets_come_from_each_policys_resource_types() -> None:
    from secure_serverless.contract.policies import CATALOGUE, POLICY_NAMES
    from secure_serverless.tags import CHILD_TYPES, waiver_target

    for name in sorted(POLICY_NAMES):
        judged = set(CATALOGUE[name].types)
        if judged & set(CHILD_TYPES.values()):
            assert CHILD_TYPES[waiver_target(name)] in judged, name
        else:
            with pytest.raises(ValueError, match="itself instead"):
                waiver_target(name)
    # a policy the component has never heard of gets the same advice, not a KeyError
    with pytest.raises(ValueError, match="judges no resource SecureFunction creates"):
        waiver_target("queue-policy-something-new")
