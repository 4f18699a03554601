"""Drive a CrossGuard policy pack exactly as the Pulumi engine does, over gRPC or in process.

The engine starts a Python pack as ``python -u -m pulumi.policy <engineAddress> <packDir>`` (cwd: the pack
directory; env: ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``, ``PULUMI_ORGANIZATION``,
``PULUMI_CONFIG``), reads the port the pack prints, and calls the ``pulumirpc.Analyzer`` service:
Handshake, ConfigureStack, GetAnalyzerInfo, Configure (every policy with an explicit enforcement level),
then Analyze per resource and AnalyzeStack once. This module rebuilds that sequence:

Its parts: :mod:`.diagnostics` (results), :mod:`.protocol` (requests and responses),
:mod:`.analyzers` (the Analyzer calls; the in-process servicer), :mod:`.pack_process` (the pack as a
subprocess), :mod:`.session` (the call sequence).

* :func:`analyze_request` / :func:`analyze_stack_request` build the protobuf requests from
  :class:`~secure_serverless.check.model.RecordedResource` records;
* :class:`PackProcess` runs the pack as a subprocess against a minimal fake engine gRPC server;
* :class:`InProcessAnalyzer` calls the pack's own analyzer servicer directly (no subprocess) with the
  same request objects, so both give the same findings;
* :func:`run_analysis` performs the engine's call sequence on either and returns :class:`Diagnostic` s.

Example
-------
>>> with PackProcess(Path("policy_packs/secure_serverless"), dry_run=False) as pack:  # doctest: +SKIP
...     result = run_analysis(pack, resources, config={"logs-retention-set": {"minimumRetentionDays": 30}})
>>> [f.policy for f in result.findings if f.kind == "violation"]  # doctest: +SKIP
"""

from __future__ import annotations

from secure_serverless.check.engine.analyzers import SERVICER_PARAMETERS, Analyzer, InProcessAnalyzer, load_pack_package
from secure_serverless.check.engine.diagnostics import (
    UNDECIDED_PREFIX,
    WAIVED_POLICIES,
    AnalysisResult,
    AnalyzerPolicy,
    Diagnostic,
    DiagnosticKind,
    Level,
    NotApplicable,
    StackContext,
)
from secure_serverless.check.engine.pack_process import FakeEngineServer, PackProcess
from secure_serverless.check.engine.protocol import (
    analyze_request,
    analyze_stack_request,
    analyzer_policies,
    configure_request,
    diagnostics,
    stack_properties,
    to_struct,
    to_struct_value,
)
from secure_serverless.check.engine.session import Session, run_analysis

# The names these had before the split, for code written against them.
Finding = Diagnostic
PolicyInfo = AnalyzerPolicy
policy_infos = analyzer_policies

__all__ = [
    "SERVICER_PARAMETERS",
    "UNDECIDED_PREFIX",
    "WAIVED_POLICIES",
    "AnalysisResult",
    "Analyzer",
    "AnalyzerPolicy",
    "Diagnostic",
    "DiagnosticKind",
    "FakeEngineServer",
    "Finding",
    "InProcessAnalyzer",
    "Level",
    "NotApplicable",
    "PackProcess",
    "PolicyInfo",
    "Session",
    "StackContext",
    "analyze_request",
    "analyze_stack_request",
    "analyzer_policies",
    "configure_request",
    "diagnostics",
    "load_pack_package",
    "policy_infos",
    "run_analysis",
    "stack_properties",
    "to_struct",
    "to_struct_value",
]
