"""Judge recorded resources with the pack through engine.py, and read its answer back as findings.

engine.py owns the protocol (requests built as the engine builds them, the pack's own analyzer
servicer in process, or the pack as a subprocess over gRPC); this module only turns the pack's
analyzer info and diagnostics into :mod:`results` objects, including the pack's waived-finding
companion diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secure_serverless.check import engine
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.progress import Progress
from secure_serverless.check.results import PolicyInfo, WaiverUse

#: Advisory companion policies through which the pack reports findings a valid waiver silenced.
WAIVED_POLICIES = engine.WAIVED_POLICIES
_WAIVED = re.compile(
    r"^WAIVED \[(?P<policy>[^\]]+)\] until (?P<expires>\S+) "
    r"\((?P<source>tag [^:]+:[^:]+:[^:]+|pack config waiver for .*?): (?P<reason>.*?)\): (?P<message>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class RawFinding:
    policy: str
    level: str
    message: str
    urn: str | None
    severity: str | None
    description: str
    fix: str | None
    waiver: WaiverUse | None = None


@dataclass
class PackEvaluation:
    pack_name: str
    pack_version: str
    policies: list[PolicyInfo]
    findings: list[RawFinding]
    non_waivable: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def effective_level(name: str, default: str, config: Mapping[str, Any]) -> str:
    """The level the engine configures (engine.configure_request): "all", then the policy's own entry."""
    level = default
    all_level = config.get("all")
    if isinstance(all_level, Mapping):
        all_level = all_level.get("enforcementLevel")
    if isinstance(all_level, str):
        level = all_level
    entry = config.get(name)
    if isinstance(entry, str):
        level = entry
    elif isinstance(entry, Mapping) and isinstance(entry.get("enforcementLevel"), str):
        level = entry["enforcementLevel"]
    return level


def non_waivable_policies(policies: Iterable[engine.PolicyInfo], config: Mapping[str, Any]) -> set[str]:
    """Policies whose waivers the pack ignores: schema default ``waivable: false`` unless configured."""
    out: set[str] = set()
    for policy in policies:
        spec = policy.config_schema.get("properties", {}).get("waivable")
        waivable = spec.get("default") if isinstance(spec, Mapping) else None
        entry = config.get(policy.name)
        if isinstance(entry, Mapping) and isinstance(entry.get("waivable"), bool):
            waivable = entry["waivable"]
        if waivable is False:
            out.add(policy.name)
    return out


def to_policy_infos(policies: Iterable[engine.PolicyInfo], config: Mapping[str, Any]) -> list[PolicyInfo]:
    return [
        PolicyInfo(
            name=p.name,
            description=p.description,
            level=effective_level(p.name, p.level, config),
            severity=p.severity,
            remediation=p.remediation or None,
            stack_policy=p.stack_policy,
        )
        for p in policies
        if p.name not in WAIVED_POLICIES
    ]


def to_findings(findings: Iterable[engine.Finding], policies: Sequence[PolicyInfo]) -> list[RawFinding]:
    """Engine findings -> report findings; waived companions become findings of the waived policy."""
    info = {p.name: p for p in policies}
    out: list[RawFinding] = []
    for finding in findings:
        policy, message, level = finding.policy, finding.message, str(finding.level)
        severity, description = finding.severity, finding.description
        # pulumi_policy sends "<description>\n<message>"; the report shows the message itself.
        if description and message.startswith(description + "\n"):
            message = message[len(description) + 1 :]
        waiver: WaiverUse | None = None
        if finding.policy in WAIVED_POLICIES:
            match = _WAIVED.match(message)
            if match is not None:
                policy, message = match.group("policy"), match.group("message")
                waiver = WaiverUse(match.group("source"), match.group("reason"), match.group("expires"))
                known = info.get(policy)
                if known is not None:
                    level, severity, description = known.level, known.severity, known.description
        known = info.get(policy)
        out.append(
            RawFinding(
                policy=policy,
                level=level,
                message=message,
                urn=finding.urn or None,
                severity=severity or (known.severity if known else None),
                description=description or (known.description if known else ""),
                fix=known.remediation if known else None,
                waiver=waiver,
            )
        )
    return out


def pack_version(pack_dir: Path) -> str:
    """The version in PulumiPolicy.yaml (what `pulumi policy publish` uses)."""
    try:
        for line in (pack_dir / "PulumiPolicy.yaml").read_text(encoding="utf-8").splitlines():
            if line.startswith("version:"):
                return line.split(":", 1)[1].strip().strip("'\"")
    except OSError:
        pass
    return "0.0.0"


def from_analysis(
    analysis: engine.AnalysisResult, config: Mapping[str, Any], version: str | None = None
) -> PackEvaluation:
    policies = to_policy_infos(analysis.policies, config)
    undecided = sum(1 for f in analysis.findings if f.kind == "undecided")
    notes = (
        [f"{undecided} policy evaluation(s) could not decide because values are unknown during preview"]
        if undecided
        else []
    )
    return PackEvaluation(
        pack_name=analysis.pack_name,
        pack_version=version or analysis.pack_version,
        policies=policies,
        findings=to_findings(analysis.findings, policies),
        non_waivable=non_waivable_policies(analysis.policies, config),
        notes=notes,
    )


def evaluate_in_process(
    resources: Sequence[RecordedResource],
    pack_dir: Path,
    config: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> PackEvaluation:
    """Evaluate with engine.py's in-process analyzer (the pack's own servicer, engine semantics).

    Raises ``ValueError`` for a pack config the policies' schemas reject.
    """
    analyzer: engine.Analyzer = engine.InProcessAnalyzer(pack_dir)
    if progress is not None:
        analyzer = _CountingAnalyzer(analyzer, progress, sum(1 for r in resources if r.custom))
    analysis = engine.run_analysis(analyzer, resources, config=config, project=project, stack=stack,
                                   dry_run=dry_run)
    return from_analysis(analysis, config, pack_version(pack_dir))


class _CountingAnalyzer:
    """Passes every call through to the analyzer, counting Analyze calls for the progress indicator."""

    def __init__(self, inner: engine.Analyzer, progress: Progress, total: int) -> None:
        self._inner, self._progress, self._total, self._done = inner, progress, total, 0

    @property
    def engine_address(self) -> str:
        return self._inner.engine_address

    def handshake(self, request: Any) -> bool:
        return self._inner.handshake(request)

    def configure_stack(self, request: Any) -> None:
        self._inner.configure_stack(request)

    def get_analyzer_info(self) -> Any:
        return self._inner.get_analyzer_info()

    def configure(self, request: Any) -> None:
        self._inner.configure(request)

    def remediate(self, request: Any) -> Any:
        return self._inner.remediate(request)

    def analyze(self, request: Any) -> Any:
        response = self._inner.analyze(request)
        self._done += 1
        self._progress.update(self._done, self._total)
        return response

    def analyze_stack(self, request: Any) -> Any:
        self._progress.phase(f"evaluating the stack policies over {len(request.resources)} resources")
        return self._inner.analyze_stack(request)
