"""Judge recorded resources with the pack through engine.py, and read its answer back as findings.

engine.py owns the protocol (requests built as the engine builds them, the pack's own analyzer
servicer in process, or the pack as a subprocess over gRPC); this module only turns the pack's
analyzer info and diagnostics into :mod:`results` objects, including the pack's waived-finding
companion diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime.proto import analyzer_pb2

from secure_serverless.check import engine
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.progress import Progress, plural
from secure_serverless.check.results import Finding, PolicyInfo, WaiverUse
from secure_serverless.check.waivers import keep_companions, waiver_use
from secure_serverless.contract.waivers import parse_waived_line

#: Advisory companion policies through which the pack reports findings a valid waiver silenced.
WAIVED_POLICIES = engine.WAIVED_POLICIES


@dataclass
class PackEvaluation:
    pack_name: str
    pack_version: str
    policies: list[PolicyInfo]
    findings: list[Finding]  # without the resource details, which the runner adds
    non_waivable: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def configured_levels(
    policies: Sequence[engine.AnalyzerPolicy], config: Mapping[str, Any]
) -> tuple[dict[str, str], set[str]]:
    """Each policy's level in force, and the policies whose waivers the pack ignores (``waivable``
    false by schema default or config), read back from the Configure request the engine sends."""
    levels: dict[str, str] = {}
    non_waivable: set[str] = set()
    for name, item in engine.configure_request(policies, config).policyConfig.items():
        levels[name] = analyzer_pb2.EnforcementLevel.Name(item.enforcementLevel).lower()
        if "waivable" in item.properties and item.properties["waivable"] is False:
            non_waivable.add(name)
    return levels, non_waivable


def to_policy_infos(policies: Iterable[engine.AnalyzerPolicy], levels: Mapping[str, str]) -> list[PolicyInfo]:
    return [
        PolicyInfo(
            name=p.name,
            description=p.description,
            level=levels.get(p.name, p.level),
            severity=p.severity,
            remediation=p.remediation or None,
            stack_policy=p.stack_policy,
        )
        for p in policies
        if p.name not in WAIVED_POLICIES
    ]


def to_findings(findings: Iterable[engine.Diagnostic], policies: Sequence[PolicyInfo]) -> list[Finding]:
    """Engine findings -> report findings; waived companions become findings of the waived policy."""
    info = {p.name: p for p in policies}
    out: list[Finding] = []
    for finding in findings:
        policy, message, level = finding.policy, finding.message, str(finding.level)
        severity, description = finding.severity, finding.description
        # pulumi_policy sends "<description>\n<message>"; the report shows the message itself.
        if description and message.startswith(description + "\n"):
            message = message[len(description) + 1 :]
        waiver: WaiverUse | None = None
        if finding.policy in WAIVED_POLICIES:
            line = parse_waived_line(message)
            if line is not None:
                policy, message, waiver = line.policy, line.message, waiver_use(line)
        known = info.get(policy)
        if waiver is not None and known is not None:  # reported as the waived policy, not the companion
            level, severity, description = known.level, known.severity, known.description
        out.append(
            Finding(
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
        document = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return "0.0.0"
    version = document.get("version") if isinstance(document, dict) else None
    return str(version) if version is not None else "0.0.0"


def from_analysis(
    analysis: engine.AnalysisResult, config: Mapping[str, Any], version: str | None = None
) -> PackEvaluation:
    levels, non_waivable = configured_levels(analysis.policies, config)
    policies = to_policy_infos(analysis.policies, levels)
    undecided = sum(1 for f in analysis.findings if f.kind == "undecided")
    notes = (
        [f"{plural(undecided, 'policy evaluation')} could not decide because values are unknown during preview"]
        if undecided
        else []
    )
    return PackEvaluation(
        pack_name=analysis.pack_name,
        pack_version=version or analysis.pack_version,
        policies=policies,
        findings=to_findings(analysis.findings, policies),
        non_waivable=non_waivable,
        notes=notes,
    )


def pack_policy_names(pack_dir: Path) -> list[str]:
    """The names of the pack's policies, as GetAnalyzerInfo reports them (the waived companions included)."""
    return [p.name for p in engine.InProcessAnalyzer(pack_dir).get_analyzer_info().policies]


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
        # The engine analyses custom resources except providers (components and the stack are only
        # seen by the stack policies): the count is of what run_analysis sends.
        analyzed = sum(1 for r in resources if r.custom and not r.type.startswith("pulumi:providers:"))
        progress.phase(f"evaluating {plural(analyzed, 'resource')} one by one")
        analyzer = _CountingAnalyzer(analyzer, progress, analyzed)
    analysis = engine.run_analysis(
        analyzer, resources, config=keep_companions(config), project=project, stack=stack, dry_run=dry_run
    )
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
        self._progress.phase(f"evaluating the stack policies over {plural(len(request.resources), 'resource')}")
        return self._inner.analyze_stack(request)
