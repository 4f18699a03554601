"""Run a Pulumi program under mocks and record every resource it registers.

The recording monitor (:mod:`secure_serverless.check.monitor`) keeps what the engine would hand to
a policy pack: type token, name, URN, parent, provider, dependencies and the inputs exactly as
serialised on the wire (camelCase names, numbers as floats, unknowns as the engine's sentinel,
secrets as signature maps). The mocks answer like the AWS provider: every declared output of every
resource type (:mod:`secure_serverless.check.outputs`) and the lookups programs use
(:mod:`secure_serverless.check.lookups`), so that no input built from another resource's output is
dropped.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime
import pulumi.runtime.settings
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func

from secure_serverless.check.arns import AccountContext
from secure_serverless.check.lookups import answer
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.monitor import RecordingMonitor, unknown_stack_outputs
from secure_serverless.check.outputs import computed_outputs

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "eu-west-1"


class AwsMocks(Mocks):
    """Mocks that answer like the AWS provider: every declared output, lookups, the account context.

    Resource outputs come from :func:`secure_serverless.check.outputs.computed_outputs` (declared
    output types, real ARN formats), lookups from :func:`secure_serverless.check.lookups.answer`.
    ``notes`` collects what the report should say about answers that are not the provider's.
    """

    def __init__(
        self, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION, *, preview: bool = False
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = (
            "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
        )
        self.context = AccountContext(account_id=account_id, region=region, partition=self.partition)
        # In a preview of a new stack the engine knows only a resource's inputs: computed outputs
        # (ids, ARNs, generated names) are unknown, and so is every input derived from them.
        self.preview = preview
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- wire-level entry points (used by RecordingMonitor) --------------------------------------
    def outputs_for(self, token: str, name: str, inputs: dict[str, Any], custom: bool) -> tuple[str, dict[str, Any]]:
        return computed_outputs(token, name, inputs, self.context)

    def call_wire(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        return answer(token, args, self.context, self.note)

    # -- the Mocks interface (for callers that use the stock MockMonitor) -----------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return self.call_wire(args.token, dict(args.args)), []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs: dict[str, Any] = dict(args.inputs)
        if self.preview:
            return None, inputs
        return self.outputs_for(args.typ, args.name, inputs, bool(args.custom))


@dataclass
class ProgramRun:
    """What a program registered, in registration order."""

    resources: list[RecordedResource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the report should say about offline answers

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


def _reset_runtime() -> None:
    # Module-level runtime state survives a run (a failed one leaves tasks bound to its loop).
    settings = pulumi.runtime.settings
    settings.ROOT.set(None)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()


def run_program(
    program: Callable[[], Any],
    *,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks: AwsMocks | None = None,
    collect_garbage: bool = True,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
) -> ProgramRun:
    """Run ``program`` under mocks and return every resource it registered.

    Exceptions raised by the program (or inside an ``apply``) propagate unchanged, with their own
    traceback. ``config`` uses fully qualified keys (``"aws:region"``, ``"<project>:name"``).
    ``collect_garbage=False`` skips collecting the run's garbage (seconds for a large program) and
    freezes it instead, never to be scanned again: for a process that exits after the run, such as
    ``secure-serverless check``. ``stack_references`` maps a stack name (as given to
    ``pulumi.StackReference``) to that stack's outputs.
    """
    config = dict(config or {})
    if mocks is None:
        mocks = AwsMocks(region=config.get("aws:region", DEFAULT_REGION), preview=preview)
    monitor = RecordingMonitor(mocks, mocks.outputs_for, preview=mocks.preview, stack_references=stack_references)
    # The root stack resource is created by set_mocks on the current loop: make it ours first.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # A program run creates hundreds of thousands of short-lived futures; the cyclic collector
    # rescanning them makes a run superlinear in its size (about 3x slower at 500 functions).
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        _reset_runtime()
        pulumi.runtime.set_all_config(config, secret_keys or [])
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
        with unknown_stack_outputs():
            loop.run_until_complete(run_pulumi_func(program))
    finally:
        _reset_runtime()
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        # Collect the run's garbage here, at a safe point: left to a later automatic collection, the
        # finalizers of abandoned tasks format tracebacks (which parses source) in the middle of
        # whatever the caller is doing, and a nested parse inside CPython 3.11's ast.parse fails
        # with "AST constructor recursion depth mismatch".
        if collect_garbage:
            gc.collect(0)  # the run allocated with the collector off: all of it is still in generation 0
        else:
            gc.freeze()
        if gc_enabled:
            gc.enable()
    return ProgramRun(resources=list(monitor.recorded), notes=list(dict.fromkeys([*monitor.notes, *mocks.notes])))
