"""A policy pack started as the engine starts it, against a minimal fake engine gRPC server.

The engine starts a Python pack as ``python -u -m pulumi.policy <engineAddress> <packDir>`` (cwd: the pack
directory; env: ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``, ``PULUMI_ORGANIZATION``,
``PULUMI_CONFIG``), reads the port the pack prints, and calls the ``pulumirpc.Analyzer`` service.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent import futures
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

from secure_serverless.check.engine.diagnostics import StackContext

_MAX_MESSAGE = 1024 * 1024 * 400


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

    ``startup_seconds`` is the time from process start to the printed port. The stack is given as
    ``context`` or as its four values.
    """

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str = "project",
        stack: str = "stack",
        organization: str = "organization",
        dry_run: bool = False,
        context: StackContext | None = None,
        program_config: Mapping[str, str] | None = None,
        python: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.context = context or StackContext(project, stack, organization, dry_run)
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
            PULUMI_PROJECT=self.context.project,
            PULUMI_STACK=self.context.stack,
            PULUMI_DRY_RUN="true" if self.context.dry_run else "false",
            PULUMI_ORGANIZATION=self.context.organization,
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
