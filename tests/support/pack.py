"""The pack in process with the engine's semantics, and the per-policy case machinery of tests/policy_packs/rules.

A :class:`Case` is one way a policy fails (or one compliant variant): a change to the happy stack, the
exact resources expected to violate, a fragment every message carries, and pack config. Each case is
judged in an update and again in a preview of the same change (never a false failure, never a false pass).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from secure_serverless.check.engine import AnalysisResult, Diagnostic, InProcessAnalyzer, run_analysis
from secure_serverless.check.model import RecordedResource
from secure_serverless.contract.policies import POLICY_NAMES

from support import PACK_DIR
from support.stacks import Stack, secure_stack

Change = Callable[[Stack], Stack]
ENABLE = {"enforcementLevel": "advisory"}


@functools.cache
def analyzer() -> InProcessAnalyzer:
    return InProcessAnalyzer(PACK_DIR)


def analyse(
    resources: Iterable[RecordedResource], config: Mapping[str, Any] | None = None, *, preview: bool = False
) -> AnalysisResult:
    return run_analysis(analyzer(), list(resources), config=config, dry_run=preview)


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def by_policy(findings: Iterable[Diagnostic], kind: str = "violation") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in findings:
        if finding.kind == kind:
            out.setdefault(finding.policy, set()).add(name_of(finding.urn))
    return out


def violations(
    resources: Iterable[RecordedResource], config: Mapping[str, Any] | None = None, *, preview: bool = False
) -> dict[str, set[str]]:
    return by_policy(analyse(resources, config, preview=preview).findings)


def messages(result: AnalysisResult, policy: str, kind: str = "violation") -> list[str]:
    return [f.message for f in result.findings if f.policy == policy and f.kind == kind]


def document(*statements: dict[str, Any]) -> str:
    """An IAM policy document as JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class Case:
    policy: str
    change: Change
    expected: frozenset[str] = frozenset()
    text: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)


def case(
    name: str,
    *,
    policy: str,
    change: Change,
    expected: Iterable[str] = (),
    text: str = "",
    config: Mapping[str, Any] | None = None,
) -> Any:
    """A named case (``pytest.param``) for :func:`assert_case` and :func:`assert_case_in_preview`."""
    return pytest.param(Case(policy, change, frozenset(expected), text, dict(config or {})), id=name)


def assert_case(item: Case) -> None:
    """The change makes exactly the expected resources violate, each message naming the fix."""
    result = analyse(item.change(secure_stack()), item.config)
    found = {name_of(f.urn) for f in result.findings if f.policy == item.policy and f.kind == "violation"}
    assert found == item.expected
    for message in messages(result, item.policy):
        assert item.text in message
    assert not any("could not judge" in f.message for f in result.findings)  # never a crash taken for a verdict


def assert_case_in_preview(item: Case) -> None:
    """The same change in a preview: every violation is one the update finds; each one the update finds
    is found in preview too, or the policy says it cannot decide."""
    result = analyse(item.change(secure_stack(preview=True)), item.config, preview=True)
    found = {name_of(f.urn) for f in result.findings if f.policy == item.policy and f.kind == "violation"}
    undecided = [f for f in result.findings if f.policy == item.policy and f.kind == "undecided"]
    assert found <= item.expected
    assert found == item.expected or undecided
    assert all(f.level == "advisory" for f in undecided)


def assert_compliant(policies: Iterable[str]) -> None:
    """The happy stack passes ``policies``, each enabled as mandatory (disabled-by-default ones included)."""
    names = list(policies)
    config = {name: {"enforcementLevel": "mandatory"} for name in names}
    found = violations(secure_stack(), config)
    assert {name: found[name] for name in names if name in found} == {}


def rule_tests(cases: list[Any], prefix: str, *, except_: Iterable[str] = ()) -> tuple[Callable[..., None], ...]:
    """A rules module's three tests: the happy stack complies with the guardrails named ``<prefix>...`` (but
    ``except_``); each case in an update; each case in a preview. Bind them to ``test_*`` names in the
    module for pytest to collect."""
    policies = sorted(name for name in POLICY_NAMES if name.startswith(prefix) and name not in set(except_))

    def test_secure_functions_comply() -> None:
        assert_compliant(policies)

    @pytest.mark.parametrize("item", cases)
    def test_case(item: Case) -> None:
        assert_case(item)

    @pytest.mark.slow
    @pytest.mark.parametrize("item", cases)
    def test_case_in_preview(item: Case) -> None:
        assert_case_in_preview(item)

    return test_secure_functions_comply, test_case, test_case_in_preview
