"""The Analyzer calls the engine makes, and the pack's own analyzer servicer called in process.

:class:`InProcessAnalyzer` builds pulumi_policy's private ``_PolicyAnalyzerServicer`` from the same
arguments ``__main__.py`` gives ``PolicyPack``; it relies on that constructor's parameters
(:data:`SERVICER_PARAMETERS`), so pyproject pins pulumi-policy's minor version and a test compares the
installed signature with it.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

#: ``pulumi_policy.policy._PolicyAnalyzerServicer.__init__``'s parameters, in order (pulumi-policy 1.21).
SERVICER_PARAMETERS = (
    "name",
    "version",
    "policies",
    "enforcement_level",
    "initial_config",
    "description",
    "display_name",
    "readme",
    "provider",
    "tags",
    "repository",
)


class Analyzer(Protocol):
    """The Analyzer calls the engine makes (gRPC stub or in-process servicer)."""

    def handshake(self, request: analyzer_pb2.AnalyzerHandshakeRequest) -> bool: ...
    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None: ...
    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo: ...
    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None: ...
    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse: ...
    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse: ...
    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse: ...

    @property
    def engine_address(self) -> str: ...


def load_pack_package(pack_dir: Path, package: str = "guardrails") -> ModuleType:
    """Import the pack's policy package from ``pack_dir`` (first on ``sys.path``), forgetting another pack's."""
    directory = str(Path(pack_dir).resolve())
    loaded = sys.modules.get(package)
    if loaded is not None and not str(getattr(loaded, "__file__", "")).startswith(directory + os.sep):
        # Another pack's package of the same name: forget it, or that pack would be judging.
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
    if sys.path[:1] != [directory]:
        if directory in sys.path:
            sys.path.remove(directory)
        sys.path.insert(0, directory)
    return importlib.import_module(package)


class _Context:
    """The few ServicerContext calls a servicer makes (for unimplemented methods)."""

    def __init__(self) -> None:
        self.code: grpc.StatusCode | None = None
        self.details = ""

    def set_code(self, code: grpc.StatusCode) -> None:
        self.code = code

    def set_details(self, details: str) -> None:
        self.details = details


class InProcessAnalyzer:
    """The pack's own analyzer servicer, called directly: the engine's semantics without a subprocess.

    The pack directory goes on ``sys.path`` and its ``guardrails`` package is imported; the servicer is
    built from ``guardrails.pack_arguments()``, the same arguments ``__main__.py`` gives ``PolicyPack``
    (which uses version "0.0.1" for its servicer, as here).
    """

    def __init__(self, pack_dir: Path, *, package: str = "guardrails") -> None:
        module = load_pack_package(pack_dir, package)
        policy_module = importlib.import_module("pulumi_policy.policy")
        arguments: dict[str, Any] = dict(module.pack_arguments())
        arguments["version"] = "0.0.1"
        arguments["enforcement_level"] = arguments.get("enforcement_level") or policy_module.EnforcementLevel.ADVISORY
        unknown = set(arguments) - set(SERVICER_PARAMETERS)
        if unknown:
            raise TypeError(f"pack_arguments() has {sorted(unknown)}, which the pinned pulumi-policy does not take")
        self._servicer = policy_module._PolicyAnalyzerServicer(**arguments)

    @property
    def engine_address(self) -> str:
        return ""

    def handshake(self, request: analyzer_pb2.AnalyzerHandshakeRequest) -> bool:
        context = _Context()
        try:
            self._servicer.Handshake(request, context)
        except NotImplementedError:
            return False
        return context.code is None

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        self._servicer.ConfigureStack(request, _Context())

    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self._servicer.GetAnalyzerInfo(empty_pb2.Empty(), _Context())
        return info

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._servicer.Configure(request, _Context())

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self._servicer.Analyze(request, _Context())
        return response

    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse:
        response: analyzer_pb2.RemediateResponse = self._servicer.Remediate(request, _Context())
        return response

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self._servicer.AnalyzeStack(request, _Context())
        return response
