"""A mock resource monitor that does what the engine does between a program and a policy pack.

It works on the wire form of each registration (protobuf Structs, as the engine receives them)
instead of the stock MockMonitor's round trip through Python objects, which is what made Resource
objects as inputs fail: deserializing a resource reference in the monitor's worker thread built a
second Resource bound to another event loop ("got Future attached to a different loop"). The engine
hands a provider (and an analyzer) a resource reference as the referenced resource's id (custom
resources) or URN (components), and so does this monitor.

Like the engine it also:

* applies new-style transforms: the resource's own, then each ancestor's, then the stack's
  (``pulumi.runtime.register_resource_transform``), by calling the SDK's callback server on the
  program's event loop, exactly as the engine calls it over gRPC;
* turns a structured value given for a string property (an IAM ``policy`` given as a dict) into
  JSON, as the provider's Check does;
* answers ``pulumi.StackReference`` from files given with ``--stack-reference NAME=FILE``;
* answers remote (multi-language) components from their declared outputs and notes that their
  children are not visible offline;
* routes lookups (invokes) to :mod:`secure_serverless.check.lookups`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from secure_serverless.check.lookups import contains_unknown
from secure_serverless.check.model import UNKNOWN, RecordedResource
from secure_serverless.check.sdk_types import STR, resource_schema

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
SIG_KEY = "4dabf18193072939515e22adb298388d"

OutputsFor = Callable[[str, str, dict[str, Any], bool], tuple[str, dict[str, Any]]]


def downgrade_references(value: Any) -> Any:
    """Resource references as the engine passes them to providers and analyzers: id, else URN."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_REF_SIG:
            if "id" in value:
                ref_id = value.get("id")
                return ref_id if isinstance(ref_id, str) and ref_id else UNKNOWN
            return value.get("urn", UNKNOWN)
        return {key: downgrade_references(item) for key, item in value.items()}
    if isinstance(value, list):
        return [downgrade_references(item) for item in value]
    return value


def _is_wire_special(value: Any) -> bool:
    return isinstance(value, dict) and SIG_KEY in value


def stringify_documents(type_token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Structured values given for properties the provider declares as strings, as JSON (its Check)."""
    schema = resource_schema(type_token)
    if schema is None:
        return inputs
    out = dict(inputs)
    for key, value in inputs.items():
        declared = schema.outputs.get(key)
        if declared is None or declared[0].kind != STR:
            continue
        if isinstance(value, dict | list) and not _is_wire_special(value) and UNKNOWN not in json.dumps(value):
            out[key] = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return out


def to_struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(value))
    return struct


def _callback(token: str) -> tuple[Any, asyncio.AbstractEventLoop] | None:
    for servicer in _CallbackServicer._servicers:
        function = servicer._callbacks.get(token)
        if function is not None:
            return function, servicer._loop
    return None


class RecordingMonitor(MockMonitor):
    """Records every registration as the engine would describe it to a policy pack."""

    def __init__(
        self,
        mocks: Mocks,
        outputs_for: OutputsFor,
        *,
        preview: bool,
        stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.notes: list[str] = []
        self._outputs_for = outputs_for
        self._preview = preview
        self._stack_references = dict(stack_references or {})
        self._own_transforms: dict[str, list[Any]] = {}
        self._parent_of: dict[str, str] = {}
        self._stack_transform_callbacks: list[Any] = []
        self._lock = threading.Lock()

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)

    # -- transforms ----------------------------------------------------------------------------
    def RegisterStackTransform(self, request: Any) -> Any:
        self._stack_transform_callbacks.append(request)
        return super().RegisterStackTransform(request)  # type: ignore[no-untyped-call]

    def _transforms_for(self, request: Any, urn: str) -> list[Any]:
        with self._lock:
            self._own_transforms[urn] = list(request.transforms)
            self._parent_of[urn] = request.parent
            chain = list(request.transforms)
            parent = request.parent
            seen: set[str] = set()
            while parent and parent not in seen:
                seen.add(parent)
                chain.extend(self._own_transforms.get(parent, []))
                parent = self._parent_of.get(parent, "")
            chain.extend(self._stack_transform_callbacks)
        return chain

    def _apply_transforms(self, request: Any, urn: str) -> struct_pb2.Struct:
        properties = request.object
        callbacks = self._transforms_for(request, urn)
        if not callbacks:
            return properties
        options = resource_pb2.TransformResourceOptions(
            protect=request.protect,
            ignore_changes=list(request.ignoreChanges),
            provider=request.provider,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            depends_on=list(request.dependencies),
        )
        for callback in callbacks:
            found = _callback(callback.token)
            if found is None:
                continue
            function, loop = found
            transform_request = resource_pb2.TransformRequest(
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                properties=properties,
                options=options,
            )
            coroutine = function(transform_request.SerializeToString())
            if loop.is_running() and not _on_loop_thread(loop):
                # The engine calls the program's callback server: run the callback on its loop.
                response = asyncio.run_coroutine_threadsafe(coroutine, loop).result()
            else:
                response = _sync_await(coroutine)
            properties = response.properties
            if response.HasField("options"):
                options = response.options
        return properties

    # -- registrations -------------------------------------------------------------------------
    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        properties = self._apply_transforms(request, urn)
        inputs = downgrade_references(json_format.MessageToDict(properties))
        if request.custom:
            inputs = stringify_documents(request.type, inputs)
        resource_id, outputs = self._resolve(request, inputs)
        with self._lock:
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
            self.recorded.append(
                RecordedResource(
                    type=request.type,
                    name=request.name,
                    urn=urn,
                    custom=bool(request.custom),
                    parent=request.parent or None,
                    provider=request.provider or None,
                    inputs=inputs,
                    outputs=outputs if request.custom else {},
                    dependencies=tuple(request.dependencies),
                    property_dependencies={key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()},
                )
            )
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=to_struct(outputs))

    def _resolve(self, request: Any, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        token = request.type
        if token == STACK_REFERENCE_TYPE:
            return self._stack_reference(request.name, inputs)
        if request.remote:
            self.note(
                f"component {token} '{request.name}' is implemented in a provider plugin (multi-language "
                "component): its outputs come from its declared types and its children are not visible "
                "offline, so they are not judged"
            )
        if not request.custom and not request.remote:
            return "", {}
        if self._preview:
            # A new stack's preview: computed outputs are unknown, as the engine reports them.
            return "", dict(inputs)
        if token.startswith("pulumi:providers:"):
            return f"{request.name}-provider-id", dict(inputs)
        try:
            return self._outputs_for(token, request.name, inputs, bool(request.custom))
        except Exception as error:  # the checker must never fail a valid program
            self.note(f"could not derive outputs for {token} '{request.name}' ({type(error).__name__}: {error})")
            return f"{request.name}-id", dict(inputs)

    def _stack_reference(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        stack = str(inputs.get("name", name))
        outputs = self._stack_references.get(stack)
        if outputs is None:
            self.note(
                f"stack reference '{stack}': no outputs given (pass --stack-reference {stack}=FILE with that "
                "stack's `pulumi stack output --json`); its outputs are unknown"
            )
            return stack, {"name": stack, "outputs": UNKNOWN, "secretOutputNames": []}
        return stack, {"name": stack, "outputs": dict(outputs), "secretOutputNames": []}

    def ReadResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = downgrade_references(json_format.MessageToDict(request.properties))
        if request.type == STACK_REFERENCE_TYPE:
            _, outputs = self._stack_reference(request.id or request.name, {"name": request.id or request.name})
        else:
            # A read resource exists already: its state is known in a preview too.
            inputs.setdefault("name", request.id)
            try:
                _, outputs = self._outputs_for(request.type, request.name, inputs, True)
            except Exception as error:
                self.note(f"could not derive outputs for {request.type} '{request.name}' ({error})")
                outputs = dict(inputs)
        with self._lock:
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, request.id, outputs)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=to_struct(outputs))

    # -- lookups -------------------------------------------------------------------------------
    def Invoke(self, request: Any) -> Any:
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)  # type: ignore[no-untyped-call]
        args = downgrade_references(json_format.MessageToDict(request.args))
        if self._preview and contains_unknown(args):
            # The engine declines an invoke whose inputs are pending creation: wholly unknown.
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        result = self.mocks.call_wire(request.tok, args)  # type: ignore[attr-defined]
        return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(result)})


def _on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


@contextlib.contextmanager
def unknown_stack_outputs() -> Iterator[None]:
    """Outputs of a stack reference without data read as unknown, as in the engine's preview.

    Outside a preview the SDK cannot hold an unknown value (it resolves one as None, and
    ``StackReference.get_output`` then fails on it), so for the run's duration the reference's
    accessors return the engine's unknown sentinel when the stack's outputs are missing: inputs built
    from them reach the pack as unknown, which it judges as undecided, never as a pass.
    """
    cls = pulumi.StackReference
    saved = (cls.get_output, cls.require_output, cls.get_output_details)

    def pick(stack: Any, name: Any, *, required: bool) -> Any:
        if stack is None:
            return UNKNOWN
        if required and name not in stack:
            raise KeyError(f"Required output '{name}' does not exist on this stack reference.")
        return stack.get(name)

    def get_output(self: pulumi.StackReference, name: Any) -> pulumi.Output[Any]:
        return pulumi.Output.all(pulumi.Output.from_input(name), self.outputs).apply(
            lambda pair: pick(pair[1], pair[0], required=False)
        )

    def require_output(self: pulumi.StackReference, name: Any) -> pulumi.Output[Any]:
        return pulumi.Output.all(pulumi.Output.from_input(name), self.outputs).apply(
            lambda pair: pick(pair[1], pair[0], required=True)
        )

    async def get_output_details(self: pulumi.StackReference, name: str) -> Any:
        from pulumi.stack_reference import StackReferenceOutputDetails

        outputs = await self.outputs.future()
        return StackReferenceOutputDetails(value=pick(outputs, name, required=False))

    cls.get_output = get_output  # type: ignore[method-assign]
    cls.require_output = require_output  # type: ignore[method-assign]
    cls.get_output_details = get_output_details  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.get_output, cls.require_output, cls.get_output_details = saved  # type: ignore[method-assign]
