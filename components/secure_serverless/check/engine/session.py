"""The engine's call sequence: Handshake, ConfigureStack, GetAnalyzerInfo, Configure, then Analyze per
resource (after Remediate, as the step generator does) and AnalyzeStack once."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from secure_serverless.check.engine.analyzers import Analyzer
from secure_serverless.check.engine.diagnostics import (
    AnalysisResult,
    AnalyzerPolicy,
    Diagnostic,
    NotApplicable,
    StackContext,
)
from secure_serverless.check.engine.protocol import (
    analyze_request,
    analyze_stack_request,
    analyzer_policies,
    configure_request,
    diagnostics,
)
from secure_serverless.check.model import RecordedResource


@dataclass
class Session:
    """Engine-side state of one deployment: configure once, then analyze."""

    analyzer: Analyzer
    context: StackContext = field(default_factory=StackContext)
    stack_tags: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    info: analyzer_pb2.AnalyzerInfo | None = None
    policies: tuple[AnalyzerPolicy, ...] = ()
    handshake_supported: bool = False

    def configure(self) -> None:
        """Handshake, ConfigureStack, GetAnalyzerInfo, Configure."""
        self.handshake_supported = self.analyzer.handshake(
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=self.analyzer.engine_address, root_directory=os.getcwd(), program_directory=os.getcwd()
            )
        )
        self.analyzer.configure_stack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.context.stack,
                project=self.context.project,
                organization=self.context.organization,
                dry_run=self.context.dry_run,
                tags=dict(self.stack_tags),
            )
        )
        self.info = self.analyzer.get_analyzer_info()
        self.policies = analyzer_policies(self.info)
        self.analyzer.configure(configure_request(self.policies, self.config))

    def analyze(
        self, resource: RecordedResource, by_urn: Mapping[str, RecordedResource] | None = None
    ) -> tuple[list[Diagnostic], list[NotApplicable]]:
        """Remediate then Analyze one resource (as the step generator does)."""
        request = analyze_request(resource, by_urn)
        self.analyzer.remediate(request)
        response = self.analyzer.analyze(request)
        return diagnostics(response, resource.urn, "analyze"), [
            NotApplicable(n.policy_name, resource.urn, n.reason) for n in response.not_applicable
        ]

    def analyze_stack(self, resources: Sequence[RecordedResource]) -> tuple[list[Diagnostic], list[NotApplicable]]:
        """AnalyzeStack over every resource."""
        response = self.analyzer.analyze_stack(analyze_stack_request(resources))
        return diagnostics(response, "", "analyze_stack"), [
            NotApplicable(n.policy_name, "", n.reason) for n in response.not_applicable
        ]


def run_analysis(
    analyzer: Analyzer,
    resources: Iterable[RecordedResource],
    *,
    config: Mapping[str, Any] | None = None,
    project: str = "project",
    stack: str = "stack",
    organization: str = "organization",
    dry_run: bool = False,
    context: StackContext | None = None,
    stack_tags: Mapping[str, str] | None = None,
) -> AnalysisResult:
    """The engine's full sequence against ``analyzer``: configure, Analyze each custom resource, AnalyzeStack.

    The stack is given as ``context`` or as its four values.
    """
    items = list(resources)
    by_urn = {r.urn: r for r in items}
    session = Session(
        analyzer,
        context or StackContext(project, stack, organization, dry_run),
        dict(stack_tags or {}),
        dict(config or {}),
    )
    session.configure()
    findings: list[Diagnostic] = []
    not_applicable: list[NotApplicable] = []
    for resource in items:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            continue
        found, skipped = session.analyze(resource, by_urn)
        findings.extend(found)
        not_applicable.extend(skipped)
    found, skipped = session.analyze_stack(items)
    findings.extend(found)
    not_applicable.extend(skipped)
    assert session.info is not None
    return AnalysisResult(
        pack_name=session.info.name,
        pack_version=session.info.version,
        policies=session.policies,
        findings=tuple(findings),
        not_applicable=tuple(not_applicable),
        handshake_supported=session.handshake_supported,
    )
