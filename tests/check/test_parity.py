"""Parity: `check` (in process) reports exactly what the pack reports over the engine protocol.

The reference side starts the real pack as the engine does (``python -m pulumi.policy`` subprocess,
gRPC, Handshake/ConfigureStack/GetAnalyzerInfo/Configure/Analyze/AnalyzeStack via engine.py) on the
very resources ``check`` recorded, and its raw diagnostics are normalised here independently of the
checker's own conversion, so the offline answer is shown to be the deploy-time answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from secure_serverless.check import engine
from secure_serverless.check.results import CheckResult
from secure_serverless.check.runner import check_program, check_stack_export
from secure_serverless.contract.waivers import parse_waived_line

from check_support import EXAMPLE_DIR, FIXTURES, INSECURE_DIR, PACK_DIR

pytestmark = pytest.mark.slow

Key = tuple[str, str, str, str, bool]


def from_check(result: CheckResult) -> Counter[Key]:
    return Counter((f.policy, f.level, f.urn or "", f.message, f.waived) for f in result.findings)


def from_engine(analysis: engine.AnalysisResult, config: Mapping[str, Any]) -> Counter[Key]:
    levels = {p.name: p.level for p in analysis.policies}
    for name, entry in config.items():  # levels as the engine configured them
        if isinstance(entry, str):
            levels[name] = entry
        elif isinstance(entry, Mapping) and "enforcementLevel" in entry:
            levels[name] = entry["enforcementLevel"]
    keys: list[Key] = []
    for finding in analysis.findings:
        message = finding.message
        if message.startswith(finding.description + "\n"):
            message = message[len(finding.description) + 1 :]
        if finding.policy in engine.WAIVED_POLICIES:
            line = parse_waived_line(message)
            assert line is not None, message
            keys.append((line.policy, levels[line.policy], finding.urn, line.message, True))
        else:
            keys.append((finding.policy, str(finding.level), finding.urn, message, False))
    return Counter(keys)


def over_the_protocol(result: CheckResult, config: Mapping[str, Any], *, dry_run: bool) -> engine.AnalysisResult:
    with engine.PackProcess(PACK_DIR, project=result.project, stack=result.stack, dry_run=dry_run) as pack:
        return engine.run_analysis(pack, result.resources, config=config, project=result.project,
                                   stack=result.stack, dry_run=dry_run)


def assert_parity(result: CheckResult, config: Mapping[str, Any], *, dry_run: bool) -> None:
    reference = from_engine(over_the_protocol(result, config, dry_run=dry_run), config)
    assert from_check(result) == reference


CASES: Iterable[tuple[str, Path, dict[str, Any], bool]] = [
    ("example", EXAMPLE_DIR, {}, False),
    ("insecure", INSECURE_DIR, {}, False),
    ("insecure-preview", INSECURE_DIR, {}, True),
    ("insecure-config", INSECURE_DIR, {"lambda-url-auth-iam": "advisory", "sns-encrypted": "mandatory",
                                       "logs-retention-set": {"minimumRetentionDays": 30}}, False),
]


@pytest.mark.parametrize(("case", "directory", "config", "preview"), CASES, ids=[c[0] for c in CASES])
def test_program_parity(case: str, directory: Path, config: dict[str, Any], preview: bool) -> None:
    result, _ = check_program(directory, pack_config=config, preview=preview)
    if case != "example":
        assert result.findings  # the comparison is not vacuous
    assert_parity(result, config, dry_run=preview)


def test_stack_export_parity() -> None:
    result = check_stack_export(FIXTURES / "stack-export-legacy.json")
    assert result.blocking
    assert_parity(result, {}, dry_run=False)
