"""Stacks for the policy tests: the happy stack is what the real SecureFunction registers under the
checker's mocks; a test changes one thing with :func:`patch`, :func:`add` or :func:`drop`.

Physical names and ARNs are read from the recorded resources (``physical``/``output``), never
re-declared, so the tests follow the mocks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import pulumi

from secure_serverless import SecureFunction, SecureFunctionArgs
from secure_serverless.check.mocks import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, run_program
from secure_serverless.check.model import UNKNOWN, RecordedResource

REGION = DEFAULT_REGION
ACCOUNT = DEFAULT_ACCOUNT_ID
PROJECT = "project"
STACK = "stack"
Stack = list[RecordedResource]

# The two functions of the happy stack: "orders" has environment variables, "billing" none.
HAPPY_FUNCTIONS: dict[str, dict[str, Any]] = {
    "orders": {"environment": {"TABLE_NAME": "orders", "MODE": "fast"}},
    "billing": {},
}


@functools.cache
def _secure_stack(preview: bool) -> tuple[RecordedResource, ...]:
    def program() -> None:
        for name, overrides in HAPPY_FUNCTIONS.items():
            SecureFunction(name, SecureFunctionArgs(handler="app.handler", code=pulumi.AssetArchive({}), **overrides))

    run = run_program(program, preview=preview, project=PROJECT, stack=STACK, config={"aws:region": REGION})
    return tuple(run.resources)


def secure_stack(*, preview: bool = False) -> Stack:
    """What two SecureFunctions with defaults register (in an update, or in a preview of a new stack)."""
    return list(_secure_stack(preview))


def find(resources: Iterable[RecordedResource], name: str) -> RecordedResource:
    """The resource named ``name`` (a component shares its name with its function: resources only)."""
    matches = [r for r in resources if r.name == name and r.custom]
    assert len(matches) == 1, f"expected one resource named {name!r}, found {len(matches)}"
    return matches[0]


_COMPUTED = frozenset({"arn", "id", "name", "url", "keyId"})


def output(resources: Iterable[RecordedResource], name: str, key: str) -> Any:
    """An output (else input) of resource ``name``: its physical name, ARN, id, ...; in a preview, a computed
    output the resource does not have yet is unknown (as the engine sends it), not absent."""
    resource = find(resources, name)
    value = resource.outputs.get(key, resource.inputs.get(key))
    # a created resource always has these after an update; absent, they are computed and still unknown
    return UNKNOWN if value is None and resource.custom and key in _COMPUTED else value


def physical(resources: Iterable[RecordedResource], name: str) -> Any:
    """The physical name of resource ``name``."""
    return output(resources, name, "name")


def patch(
    resources: Stack,
    name: str,
    *,
    set_: Mapping[str, Any] | None = None,
    drop: Iterable[str] = (),
    deps: Mapping[str, Iterable[str]] | None = None,
) -> Stack:
    """A copy of ``resources`` where resource ``name`` has inputs (and outputs) changed."""
    dropped = set(drop)
    out = []
    for resource in resources:
        if resource.name == name and resource.custom:
            inputs = {k: v for k, v in resource.inputs.items() if k not in dropped}
            inputs.update(set_ or {})
            outputs = {k: v for k, v in resource.outputs.items() if k not in dropped}
            if resource.outputs:
                outputs.update(set_ or {})
            property_dependencies = dict(resource.property_dependencies)
            if deps is not None:
                property_dependencies.update({k: tuple(v) for k, v in deps.items()})
            resource = replace(resource, inputs=inputs, outputs=outputs, property_dependencies=property_dependencies)
        out.append(resource)
    return out


def add(resources: Stack, *extra: RecordedResource) -> Stack:
    return [*resources, *extra]


def without(resources: Stack, *names: str) -> Stack:
    """A copy of ``resources`` without the resources named."""
    return [r for r in resources if r.name not in names or not r.custom]


def urn(type_: str, name: str) -> str:
    """The URN of a resource at the stack root."""
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


def raw(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    outputs: dict[str, Any] | None = None,
    deps: Mapping[str, Iterable[str]] | None = None,
) -> RecordedResource:
    """A raw (not component) resource at the stack root."""
    property_dependencies = {k: tuple(v) for k, v in (deps or {}).items()}
    return RecordedResource(
        type=type_,
        name=name,
        urn=urn(type_, name),
        inputs=inputs,
        outputs={**inputs, **(outputs or {})},
        dependencies=tuple(dict.fromkeys(u for v in property_dependencies.values() for u in v)),
        property_dependencies=property_dependencies,
    )
