"""Run the pack in process with the engine's semantics and summarise what it found."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from support import PACK_DIR

from secure_serverless.check.engine import AnalysisResult, Diagnostic, InProcessAnalyzer, run_analysis
from secure_serverless.check.model import RecordedResource


@functools.cache
def analyzer() -> InProcessAnalyzer:
    return InProcessAnalyzer(PACK_DIR)


def analyse(resources: Iterable[RecordedResource], config: Mapping[str, Any] | None = None,
            *, preview: bool = False) -> AnalysisResult:
    return run_analysis(analyzer(), list(resources), config=config, dry_run=preview)


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def by_policy(findings: Iterable[Diagnostic], kind: str = "violation") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in findings:
        if finding.kind == kind:
            out.setdefault(finding.policy, set()).add(name_of(finding.urn))
    return out


def violations(resources: Iterable[RecordedResource], config: Mapping[str, Any] | None = None,
               *, preview: bool = False) -> dict[str, set[str]]:
    return by_policy(analyse(resources, config, preview=preview).findings)


def messages(result: AnalysisResult, policy: str, kind: str = "violation") -> list[str]:
    return [f.message for f in result.findings if f.policy == policy and f.kind == kind]
