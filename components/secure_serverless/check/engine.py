"""Drive a CrossGuard policy pack exactly as the Pulumi engine does, over gRPC or in process.

The engine starts a Python pack as ``python -u -m pulumi.policy <engineAddress> <packDir>`` (cwd: the pack
directory; env: ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``, ``PULUMI_ORGANIZATION``,
``PULUMI_CONFIG``), reads the port the pack prints, and calls the ``pulumirpc.Analyzer`` service:
Handshake, ConfigureStack, GetAnalyzerInfo, Configure (every policy with an explicit enforcement level),
then Analyze per resource and AnalyzeStack once. This module rebuilds that sequence:

* :func:`analyze_request` / :func:`analyze_stack_request` build the protobuf requests from
  :class:`~secure_serverless.check.model.RecordedResource` records;
* :class:`PackProcess` runs the pack as a subprocess against a minimal fake engine gRPC server;
* :class:`InProcessAnalyzer` calls the pack's own analyzer servicer directly (no subprocess) with the
  same request objects, so both give the same findings;
* :func:`run_analysis` performs the engine's call sequence on either and returns :class:`Finding` s.

Example
-------
>>> with PackProcess(Path("policy_packs/secure_serverless"), dry_run=False) as pack:  # doctest: +SKIP
...     result = run_analysis(pack, resources, config={"logs-retention-set": {"minimumRetentionDays": 30}})
>>> [f.policy for f in result.findings if f.kind == "violation"]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from secure_serverless.check.model import UNKNOWN, RecordedResource

Level = Literal["advisory", "mandatory", "remediate", "disabled"]
FindingKind = Literal["violation", "undecided", "waived"]

_LEVEL_TO_PROTO: dict[str, int] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL: dict[int, Level] = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
_SEVERITY: dict[int, str] = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
WAIVED_POLICIES = frozenset({"waived-findings", "waived-stack-findings"})
_UNDECIDED_PREFIX = "can't run policy"

# Pulumi's signatures for assets, archives and secrets inside a property Struct.
_SIG = "4dabf18193072939515e22adb298388d"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
_MAX_MESSAGE = 1024 * 1024 * 400


# -- results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One diagnostic of the pack, as the engine would report it.

    ``kind`` is ``"undecided"`` for the pack's "can't run policy ... during preview" diagnostics and
    ``"waived"`` for the waived-finding companions; ``stage`` tells Analyze from AnalyzeStack.
    """

    policy: str
    level: Level
    urn: str
    message: str
    description: str
    severity: str | None
    stage: Literal["analyze", "analyze_stack"]

    @property
    def kind(self) -> FindingKind:
        if self.policy in WAIVED_POLICIES:
            return "waived"
        if self.message.startswith(_UNDECIDED_PREFIX):
            return "undecided"
        return "violation"


@dataclass(frozen=True)
class NotApplicable:
    """A policy that declared itself not applicable to a resource (or the stack)."""

    policy: str
    urn: str
    reason: str


@dataclass(frozen=True)
class PolicyInfo:
    """A policy as GetAnalyzerInfo describes it."""

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
    policies: tuple[PolicyInfo, ...]
    findings: tuple[Finding, ...]
    not_applicable: tuple[NotApplicable, ...] = ()
    handshake_supported: bool = False

    def violations(self) -> list[Finding]:
        """Findings that are neither waived nor undecided."""
        return [f for f in self.findings if f.kind == "violation"]


# -- request building ------------------------------------------------------------------------------


def to_struct_value(value: Any) -> Any:
    """A Python value as the engine serialises it into a Struct (numbers as floats, assets as signatures)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_struct_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_struct_value(v) for v in value]
    type_name = type(value).__name__
    if type_name == "Unknown":  # pulumi.output.Unknown
        return UNKNOWN
    for attr, sig in (("path", None), ("text", None), ("uri", None)):
        if hasattr(value, attr) and type_name.endswith(("Asset", "Archive")):
            sig = _ARCHIVE_SIG if type_name.endswith("Archive") else _ASSET_SIG
            return {_SIG: sig, attr: to_struct_value(getattr(value, attr))}
    if hasattr(value, "assets") and type_name.endswith("Archive"):
        return {_SIG: _ARCHIVE_SIG, "assets": to_struct_value(dict(value.assets))}
    return str(value)


def to_struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    """Properties as a protobuf Struct."""
    struct = struct_pb2.Struct()
    struct.update({str(k): to_struct_value(v) for k, v in properties.items()})
    return struct


def _provider_urn(reference: str | None) -> str | None:
    if not reference:
        return None
    return reference.rsplit("::", 1)[0] if reference.count("::") >= 4 else reference


def _provider_message(
    reference: str | None, by_urn: Mapping[str, RecordedResource]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    urn = _provider_urn(reference)
    if urn is None:
        return None
    recorded = by_urn.get(urn)
    parts = urn.split("::")
    type_token = parts[2] if len(parts) > 3 else "pulumi:providers:aws"
    type_token = type_token.rsplit("$", 1)[-1]
    name = parts[-1]
    return analyzer_pb2.AnalyzerProviderResource(
        type=type_token,
        properties=to_struct(recorded.inputs if recorded is not None else {}),
        urn=urn,
        name=name,
    )


def _options(resource: RecordedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent or "")


def analyze_request(
    resource: RecordedResource, by_urn: Mapping[str, RecordedResource] | None = None
) -> analyzer_pb2.AnalyzeRequest:
    """The Analyze request the engine sends for a resource: its inputs, options and provider."""
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=to_struct(resource.inputs),
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
    )
    provider = _provider_message(resource.provider, by_urn or {})
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_properties(resource: RecordedResource) -> dict[str, Any]:
    """What AnalyzeStack sees of a resource: its state, i.e. the inputs as echoed by the provider plus outputs."""
    return {**resource.inputs, **resource.outputs}


def analyze_stack_request(resources: Sequence[RecordedResource]) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStack request: every resource with parent, dependencies and property dependencies."""
    by_urn = {r.urn: r for r in resources}
    request = analyzer_pb2.AnalyzeStackRequest()
    for resource in resources:
        item = request.resources.add()
        item.type = resource.type
        item.urn = resource.urn
        item.name = resource.name
        item.properties.CopyFrom(to_struct(stack_properties(resource)))
        item.options.CopyFrom(_options(resource))
        item.parent = resource.parent or ""
        item.dependencies.extend(resource.dependencies)
        for key, urns in resource.property_dependencies.items():
            item.propertyDependencies[key].urns.extend(urns)
        provider = _provider_message(resource.provider, by_urn)
        if provider is not None:
            item.provider.CopyFrom(provider)
    return request


def configure_request(
    policies: Sequence[PolicyInfo], config: Mapping[str, Any] | None = None
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Configure as the engine sends it: every policy, an explicit level, schema defaults plus user values.

    ``config`` is the policy-pack config file's content: ``{"all": level, "<policy>": level | {...}}``.
    User values are validated against each policy's schema when ``jsonschema`` is importable (the CLI
    validates too); invalid config raises ``ValueError``.
    """
    config = dict(config or {})
    all_level = config.get("all")
    if isinstance(all_level, Mapping):
        all_level = all_level.get("enforcementLevel")
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy in policies:
        entry = config.get(policy.name)
        level: str = policy.level
        if isinstance(all_level, str):
            level = all_level
        properties: dict[str, Any] = {
            key: spec["default"]
            for key, spec in policy.config_schema.get("properties", {}).items()
            if isinstance(spec, Mapping) and "default" in spec
        }
        if isinstance(entry, str):
            level = entry
        elif isinstance(entry, Mapping):
            if isinstance(entry.get("enforcementLevel"), str):
                level = entry["enforcementLevel"]
            user = {k: v for k, v in entry.items() if k != "enforcementLevel"}
            _validate(policy, user)
            properties.update(user)
        if level not in _LEVEL_TO_PROTO:
            raise ValueError(f"unknown enforcement level {level!r} for policy {policy.name}")
        item = request.policyConfig[policy.name]
        item.enforcementLevel = _LEVEL_TO_PROTO[level]
        item.properties.update(to_struct_value(properties))
    return request


def _validate(policy: PolicyInfo, values: Mapping[str, Any]) -> None:
    try:
        jsonschema = importlib.import_module("jsonschema")
    except ImportError:
        return
    schema = {"type": "object", **policy.config_schema}
    try:
        jsonschema.validate(dict(values), schema)
    except jsonschema.ValidationError as error:
        where = ".".join(str(part) for part in error.absolute_path) or "(root)"
        raise ValueError(f"invalid config for policy {policy.name} at {where}: {error.message}") from error


# -- analyzers ---------------------------------------------------------------------------------------


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


class _FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's own gRPC service, as far as a policy pack can call it: logs are recorded."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str]] = []
        self._root = ""

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        self.logs.append((int(request.severity), request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> engine_pb2.GetRootResourceResponse:
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request: Any, context: Any) -> engine_pb2.SetRootResourceResponse:
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()


class FakeEngineServer:
    """A minimal ``pulumirpc.Engine`` server on localhost (the address passed to the pack)."""

    def __init__(self) -> None:
        self.servicer = _FakeEngine()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self.servicer, self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self._server.start()

    def stop(self) -> None:
        self._server.stop(0)


class PackProcess:
    """A policy pack started as the engine starts it, reached through ``AnalyzerStub``.

    ``startup_seconds`` is the time from process start to the printed port.
    """

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str = "project",
        stack: str = "stack",
        organization: str = "organization",
        dry_run: bool = False,
        program_config: Mapping[str, str] | None = None,
        python: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.program_config = dict(program_config or {})
        self.python = python or sys.executable
        self.timeout = timeout
        self.startup_seconds = 0.0
        self.stderr_lines: list[str] = []
        self._engine: FakeEngineServer | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None

    # lifecycle
    def start(self) -> PackProcess:
        """Start the fake engine and the pack; wait for the port; connect."""
        self._engine = FakeEngineServer()
        env = dict(os.environ)
        env.update(
            PULUMI_PROJECT=self.project,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
            PULUMI_ORGANIZATION=self.organization,
            PULUMI_CONFIG=json.dumps(self.program_config),
        )
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", self._engine.address, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        port = self._read_port()
        self.startup_seconds = time.perf_counter() - started
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)],
        )
        grpc.channel_ready_future(self._channel).result(timeout=self.timeout)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self

    def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        result: list[bytes] = []
        reader = threading.Thread(
            target=lambda: result.append(self._process.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(self.timeout)
        line = result[0].decode().strip() if result else ""
        if not line.isdigit():
            self._process.kill()
            _, err = self._process.communicate(timeout=10)
            raise RuntimeError(f"policy pack did not print a port (got {line!r}):\n{err.decode(errors='replace')}")
        return int(line)

    def _drain_stderr(self) -> None:
        process = self._process
        if process is None or process.stderr is None:
            return
        for raw in process.stderr:
            self.stderr_lines.append(raw.decode(errors="replace").rstrip())

    def close(self) -> None:
        """Stop the pack (as the engine does: kill) and the fake engine."""
        if self._channel is not None:
            self._channel.close()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        if self._engine is not None:
            self._engine.stop()

    def __enter__(self) -> PackProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def engine_logs(self) -> list[tuple[int, str]]:
        """Log calls the pack made to the fake engine."""
        return list(self._engine.servicer.logs) if self._engine is not None else []

    # Analyzer
    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise RuntimeError("PackProcess is not started")
        return self._stub

    @property
    def engine_address(self) -> str:
        return self._engine.address if self._engine is not None else ""

    def handshake(self, request: analyzer_pb2.AnalyzerHandshakeRequest) -> bool:
        try:
            self.stub.Handshake(request)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return False  # older packs (pulumi_policy for Python): the engine carries on
            raise
        return True

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        try:
            self.stub.ConfigureStack(request)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    # The generated stubs name their message types after a module path that does not exist
    # (pulumi.analyzer_pb2), so mypy sees the calls' results as Any: annotate them here.
    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return info

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self.stub.Configure(request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self.stub.Analyze(request)
        return response

    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse:
        response: analyzer_pb2.RemediateResponse = self.stub.Remediate(request)
        return response

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        response: analyzer_pb2.AnalyzeResponse = self.stub.AnalyzeStack(request)
        return response


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
        module = importlib.import_module(package)
        policy_module = importlib.import_module("pulumi_policy.policy")
        arguments: dict[str, Any] = dict(module.pack_arguments())
        default_level = arguments.pop("enforcement_level", None) or policy_module.EnforcementLevel.ADVISORY
        self._servicer = policy_module._PolicyAnalyzerServicer(
            arguments.pop("name"),
            "0.0.1",
            arguments.pop("policies"),
            default_level,
            arguments.pop("initial_config", None),
            arguments.pop("description", None),
            arguments.pop("display_name", None),
            arguments.pop("readme", None),
            arguments.pop("provider", None),
            arguments.pop("tags", None),
            arguments.pop("repository", None),
        )

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


# -- the engine's sequence ---------------------------------------------------------------------------


def policy_infos(info: analyzer_pb2.AnalyzerInfo) -> tuple[PolicyInfo, ...]:
    """GetAnalyzerInfo's policies as :class:`PolicyInfo` (config schema as plain JSON)."""
    out = []
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema, preserving_proto_field_name=True)
        properties = json_format.MessageToDict(policy.configSchema.properties)
        schema["properties"] = properties
        out.append(
            PolicyInfo(
                name=policy.name,
                description=policy.description,
                level=_PROTO_TO_LEVEL.get(int(policy.enforcementLevel), "advisory"),
                severity=_SEVERITY.get(int(policy.severity)),
                stack_policy=int(policy.policy_type) == analyzer_pb2.POLICY_TYPE_STACK,
                remediation=policy.remediation_steps,
                config_schema=schema,
            )
        )
    return tuple(out)


def _findings(
    response: analyzer_pb2.AnalyzeResponse, urn: str, stage: Literal["analyze", "analyze_stack"]
) -> list[Finding]:
    return [
        Finding(
            policy=d.policyName,
            level=_PROTO_TO_LEVEL.get(int(d.enforcementLevel), "advisory"),
            urn=d.urn or urn,
            message=d.message,
            description=d.description,
            severity=_SEVERITY.get(int(d.severity)),
            stage=stage,
        )
        for d in response.diagnostics
    ]


@dataclass
class Session:
    """Engine-side state of one deployment: configure once, then analyze."""

    analyzer: Analyzer
    project: str = "project"
    stack: str = "stack"
    organization: str = "organization"
    dry_run: bool = False
    stack_tags: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    info: analyzer_pb2.AnalyzerInfo | None = None
    policies: tuple[PolicyInfo, ...] = ()
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
                stack=self.stack,
                project=self.project,
                organization=self.organization,
                dry_run=self.dry_run,
                tags=dict(self.stack_tags),
            )
        )
        self.info = self.analyzer.get_analyzer_info()
        self.policies = policy_infos(self.info)
        self.analyzer.configure(configure_request(self.policies, self.config))

    def analyze(
        self, resource: RecordedResource, by_urn: Mapping[str, RecordedResource] | None = None
    ) -> tuple[list[Finding], list[NotApplicable]]:
        """Remediate then Analyze one resource (as the step generator does)."""
        request = analyze_request(resource, by_urn)
        self.analyzer.remediate(request)
        response = self.analyzer.analyze(request)
        return _findings(response, resource.urn, "analyze"), [
            NotApplicable(n.policy_name, resource.urn, n.reason) for n in response.not_applicable
        ]

    def analyze_stack(self, resources: Sequence[RecordedResource]) -> tuple[list[Finding], list[NotApplicable]]:
        """AnalyzeStack over every resource."""
        response = self.analyzer.analyze_stack(analyze_stack_request(resources))
        return _findings(response, "", "analyze_stack"), [
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
    stack_tags: Mapping[str, str] | None = None,
) -> AnalysisResult:
    """The engine's full sequence against ``analyzer``: configure, Analyze each custom resource, AnalyzeStack."""
    items = list(resources)
    by_urn = {r.urn: r for r in items}
    session = Session(analyzer, project, stack, organization, dry_run, dict(stack_tags or {}), dict(config or {}))
    session.configure()
    findings: list[Finding] = []
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


__all__ = [
    "AnalysisResult",
    "Analyzer",
    "FakeEngineServer",
    "Finding",
    "InProcessAnalyzer",
    "NotApplicable",
    "PackProcess",
    "PolicyInfo",
    "Session",
    "analyze_request",
    "analyze_stack_request",
    "configure_request",
    "policy_infos",
    "run_analysis",
    "stack_properties",
    "to_struct",
]
