"""What one run of the engine's call sequence produces: the pack's diagnostics and policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pulumi.runtime.proto import analyzer_pb2

from secure_serverless.contract.policies import COMPANIONS

Level = Literal["advisory", "mandatory", "remediate", "disabled"]
DiagnosticKind = Literal["violation", "undecided", "waived"]
Stage = Literal["analyze", "analyze_stack"]

LEVEL_TO_PROTO: dict[str, int] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
PROTO_TO_LEVEL: dict[int, Level] = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
PROTO_TO_SEVERITY: dict[int, str] = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
#: The pack's advisory companions, through which it reports findings a valid waiver silenced.
WAIVED_POLICIES = COMPANIONS
#: How pulumi_policy words the diagnostic of a policy that raised UnknownValueError during preview.
UNDECIDED_PREFIX = "can't run policy"


@dataclass(frozen=True)
class StackContext:
    """The stack a deployment targets, as the engine tells the pack (ConfigureStack, environment)."""

    project: str = "project"
    stack: str = "stack"
    organization: str = "organization"
    dry_run: bool = False


@dataclass(frozen=True)
class Diagnostic:
    """One diagnostic of the pack, as the engine would receive it.

    ``kind`` is ``"undecided"`` for the pack's "can't run policy ... during preview" diagnostics and
    ``"waived"`` for the waived-finding companions; ``stage`` tells Analyze from AnalyzeStack.
    """

    policy: str
    level: Level
    urn: str
    message: str
    description: str
    severity: str | None
    stage: Stage

    @property
    def kind(self) -> DiagnosticKind:
        if self.policy in WAIVED_POLICIES:
            return "waived"
        if self.message.startswith(UNDECIDED_PREFIX):
            return "undecided"
        return "violation"


@dataclass(frozen=True)
class NotApplicable:
    """A policy that declared itself not applicable to a resource (or the stack)."""

    policy: str
    urn: str
    reason: str


@dataclass(frozen=True)
class AnalyzerPolicy:
    """A policy as GetAnalyzerInfo describes it (its level is the pack's default, not the configured one)."""

    name: str
    description: str
    level: Level
    severity: str | None
    stack_policy: bool
    remediation: str
    config_schema: dict[str, Any]


@dataclass(frozen=True)
class AnalysisResult:
    """What one run of the engine's sequence produced."""

    pack_name: str
    pack_version: str
    policies: tuple[AnalyzerPolicy, ...]
    findings: tuple[Diagnostic, ...]
    not_applicable: tuple[NotApplicable, ...] = ()
    handshake_supported: bool = False

    def violations(self) -> list[Diagnostic]:
        """Diagnostics that are neither waived nor undecided."""
        return [f for f in self.findings if f.kind == "violation"]
