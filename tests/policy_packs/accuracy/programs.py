"""Raw pulumi_aws-style programs recorded the way the engine describes them, in update and in preview.

A program is a function of a :class:`Program`: it registers resources with camelCase inputs; a value
taken from another resource's output is written ``p.out(handle, "arn")``. In an update that is the
output's value; in a preview of a new stack it is unknown, and the input records a property
dependency on the resource it came from (what the engine sends). A JSON policy document that holds
an output becomes wholly unknown in preview (``json.dumps`` inside ``apply``), as in real programs;
``p.doc_object`` keeps the document as an object whose single values may be unknown (pulumi_aws's
PolicyDocument inputs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from secure_serverless.check.model import UNKNOWN, RecordedResource

from stack_factory import PROVIDER, urn

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999988887777"
REGION = "eu-west-1"


@dataclass(frozen=True)
class Handle:
    urn: str
    name: str
    outputs: dict[str, Any]


@dataclass(frozen=True)
class Out:
    """An output of another resource (``fmt`` turns it into the value written, e.g. an f-string)."""

    source: Handle
    attr: str
    fmt: Callable[[Any], Any] | None = None

    def value(self) -> Any:
        value = self.source.outputs[self.attr]
        return self.fmt(value) if self.fmt else value


@dataclass
class Program:
    preview: bool
    resources: list[RecordedResource] = field(default_factory=list)

    def out(self, source: Handle, attr: str, fmt: Callable[[Any], Any] | None = None) -> Out:
        return Out(source, attr, fmt)

    def _resolve(self, value: Any, deps: set[str]) -> Any:
        if isinstance(value, _JsonOut):
            deps.update(value.deps)
            return UNKNOWN if value.text is None else value.text
        if isinstance(value, Out):
            deps.add(value.source.urn)
            return UNKNOWN if self.preview else value.value()
        if isinstance(value, dict):
            return {k: self._resolve(v, deps) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v, deps) for v in value]
        return value

    def json(self, document: Any) -> _JsonOut:
        """A document serialised with json.dumps: unknown as a whole in preview if it holds an output."""
        deps: set[str] = set()
        resolved = self._resolve(document, deps)
        if deps and self.preview:
            return _JsonOut(frozenset(deps))
        return _JsonOut(frozenset(deps), json.dumps(resolved))

    def add(self, type_: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> Handle:
        """Register a resource at the stack root; ``outputs`` are what the provider computes (ids, ARNs)."""
        plain: dict[str, Any] = {}
        property_dependencies: dict[str, tuple[str, ...]] = {}
        for key, value in inputs.items():
            deps: set[str] = set()
            plain[key] = self._resolve(value, deps)
            if deps:
                property_dependencies[key] = tuple(sorted(deps))
        resource_urn = urn(type_, name, None)
        computed = dict(outputs or {})
        self.resources.append(
            RecordedResource(
                type=type_, name=name, urn=resource_urn, provider=PROVIDER, inputs=plain,
                outputs={} if self.preview else {**plain, **computed},
                dependencies=tuple(dict.fromkeys(u for v in property_dependencies.values() for u in v)),
                property_dependencies=property_dependencies,
            )
        )
        return Handle(resource_urn, name, {**plain, **computed})


@dataclass(frozen=True)
class _JsonOut:
    deps: frozenset[str]
    text: str | None = None


def statement(effect: str = "Allow", **parts: Any) -> dict[str, Any]:
    return {"Effect": effect, **parts}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LAMBDA_TRUST = document(statement(
    Principal={"Service": "lambda.amazonaws.com"}, Action="sts:AssumeRole",
    Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}},
))


# -- building blocks in the style of public Pulumi examples ------------------------------------------


def role(p: Program, name: str, trust: Any = LAMBDA_TRUST, **inputs: Any) -> Handle:
    role_name = f"{name}-7a1b2c3"
    return p.add("aws:iam/role:Role", name, {"assumeRolePolicy": p.json(trust), **inputs},
                 {"arn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}", "name": role_name, "id": role_name})


def function(p: Program, name: str, role_arn: Any, **inputs: Any) -> Handle:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return p.add("aws:lambda/function:Function", name, {
        "name": name, "role": role_arn, "runtime": "python3.12", "handler": "app.handler", "packageType": "Zip",
        **inputs,
    }, {"arn": arn, "id": name, "invokeArn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}"
                                             "/invocations"})


def role_policy(p: Program, name: str, role_ref: Any, *statements: dict[str, Any]) -> Handle:
    return p.add("aws:iam/rolePolicy:RolePolicy", name, {"role": role_ref, "policy": p.json(document(*statements))},
                 {"id": f"{name}-id", "name": name})


def managed_policy(p: Program, name: str, *statements: dict[str, Any]) -> Handle:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    return p.add("aws:iam/policy:Policy", name, {"policy": p.json(document(*statements))},
                 {"arn": arn, "id": arn, "name": name})


def function_with_role(p: Program, name: str = "app", trust: Any = LAMBDA_TRUST, **role_inputs: Any
                       ) -> tuple[Handle, Handle]:
    r = role(p, f"{name}-role", trust, **role_inputs)
    fn = function(p, name, p.out(r, "arn"))
    return r, fn


def aws_managed(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"
