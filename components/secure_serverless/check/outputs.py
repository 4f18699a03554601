"""Provider-like outputs for any resource type, from the SDK's declared output types.

A real provider returns every output a resource declares: the inputs the program gave, and values
it computes (ids, ARNs, names, URLs, timestamps). This module builds the computed part from the
resource class's own declarations (:mod:`secure_serverless.check.sdk_types`): each declared output
the program did not give gets a deterministic, plausible value of its declared type, chosen by what
its name says it is (``arn``, ``*Arn``, ``*Id``, ``*Url``/``*Endpoint``, ``name``, dates), with ARNs
in the service's real format (:mod:`secure_serverless.check.arns`). Optional inputs the program left
out stay absent, as they do in a provider's state.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from secure_serverless.check import arns
from secure_serverless.check.known_outputs import KNOWN_OUTPUTS
from secure_serverless.check.sdk_types import (
    ANY,
    BOOL,
    FLOAT,
    INT,
    LIST,
    MAP,
    OBJECT,
    STR,
    ResourceSchema,
    Shape,
    resource_schema,
)

TIMESTAMP = "2026-01-01T00:00:00Z"
_DATE_WORDS = re.compile(r"(Date|Time|Timestamp|At|Modified)$")
_URL_WORDS = re.compile(r"(Url|Uri|Endpoint|Urls|Uris|Endpoints)$", re.IGNORECASE)


def short_hash(text: str, length: int = 7) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def physical_name(logical: str, type_token: str, inputs: Mapping[str, Any]) -> str:
    """The given ``name``, else an auto-name (Pulumi adds a random suffix; a hash keeps runs stable)."""
    given = inputs.get("name")
    if isinstance(given, str) and given:
        return given
    return f"{logical}-{short_hash(type_token + logical)}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


class _Builder:
    """Values for one resource: knows its name, id, ARN and account context."""

    def __init__(
        self, token: str, logical: str, name: str, resource_id: str, inputs: Mapping[str, Any], ctx: arns.AccountContext
    ) -> None:
        self.token, self.logical, self.name, self.id, self.inputs, self.ctx = (
            token,
            logical,
            name,
            resource_id,
            inputs,
            ctx,
        )
        module = token.split(":")[1] if token.count(":") == 2 else token
        prefixes = arns.service_prefixes(module)
        self.service = prefixes[0] if prefixes else module.split("/", 1)[0]
        self.kind = _kebab(token.rsplit(":", 1)[-1])
        self._arn: str | None = None

    @property
    def arn(self) -> str:
        if self._arn is None:
            template = arns.template_for(self.token)
            if template is not None:
                self._arn = arns.fill(
                    template,
                    name=self.name,
                    resource_id=self.id,
                    inputs=self.inputs,
                    context=self.ctx,
                    seed=self.token + self.logical,
                )
            else:
                self._arn = arns.generic_arn(self.service, self.kind, self.name, self.ctx)
        return self._arn

    def url(self, field: str) -> str:
        host = f"{self.id}.{self.service}.{self.ctx.region}.amazonaws.com"
        if "Endpoint" in field and not field.endswith("Url"):
            return f"https://{host}"
        return f"https://{host}/"

    def string(self, field: str) -> str:
        if field == "arn":
            return self.arn
        if field == "name":
            return self.name
        if field.endswith("Arn"):
            return arns.generic_arn(self.service, _kebab(field[:-3]) or self.kind, self.name, self.ctx)
        if _URL_WORDS.search(field):
            return self.url(field)
        if field.endswith(("DomainName", "DnsName", "Hostname", "Host")):
            return f"{self.id}.{self.service}.{self.ctx.region}.amazonaws.com"
        if field.endswith("Id") or field == "id":
            return arns.short_id(self.token + self.logical + field)
        if _DATE_WORDS.search(field):
            return TIMESTAMP
        if field in ("region", "awsRegion"):
            return self.ctx.region
        if field in ("accountId", "ownerId", "owner"):
            return self.ctx.account_id
        if field == "version":
            return "1"
        return f"{_kebab(field)}-{short_hash(self.token + self.logical + field, 8)}"

    def value(self, field: str, shape: Shape, depth: int = 0) -> Any:
        kind = shape.kind
        if kind in (STR, ANY):
            return self.string(field)
        if kind == INT:
            return 1
        if kind == FLOAT:
            return 1.0
        if kind == BOOL:
            return False
        if kind == LIST:
            item = shape.item or Shape(ANY)
            # One element: programs index computed lists (`api.uris[0]`, `cert.domain_validation_options[0]`).
            singular = field[:-1] if field.endswith("s") else field
            return [self.value(singular, item, depth + 1)]
        if kind == MAP:
            return {}
        if kind == OBJECT:
            return {name: self.value(name, sub, depth + 1) for name, sub, optional in shape.fields if not optional}
        return self.string(field)


def _wanted(schema: ResourceSchema, given: Mapping[str, Any]) -> list[tuple[str, Shape]]:
    out = []
    for name, (shape, optional) in schema.outputs.items():
        if name in given or name == "id":
            continue
        if optional and name in schema.input_names:
            continue  # an optional input the program did not set stays unset
        out.append((name, shape))
    return out


def _unset_collections(schema: ResourceSchema, given: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs the program did not set whose output is a computed list or map: the provider reads back what
    exists, which for a resource just created is nothing (a role's ``managedPolicyArns`` and
    ``inlinePolicies`` are ``[]``, not an invented attachment the pack would then judge)."""
    out: dict[str, Any] = {}
    for name, (shape, optional) in schema.outputs.items():
        if name in given or optional or name not in schema.input_names:
            continue
        if shape.kind == LIST:
            out[name] = []
        elif shape.kind == MAP:
            out[name] = {}
    return out


def computed_outputs(
    token: str, logical: str, inputs: Mapping[str, Any], ctx: arns.AccountContext
) -> tuple[str, dict[str, Any]]:
    """``(id, outputs)`` for a created resource: its inputs plus every declared output they lack."""
    name = physical_name(logical, token, inputs)
    known = KNOWN_OUTPUTS.get(token)
    resource_id, extra = known(ctx, name, dict(inputs)) if known is not None else (None, {})
    template = arns.template_for(token)
    own = template.own_placeholder if template is not None else None
    if resource_id is None:
        resource_id = name if own is None or "Name" in own else arns.short_id(token + logical)
    builder = _Builder(token, logical, name, resource_id, inputs, ctx)
    outputs: dict[str, Any] = dict(inputs)
    schema = resource_schema(token)
    if schema is not None:
        empty = _unset_collections(schema, {**inputs, **extra})
        for field, shape in _wanted(schema, {**inputs, **extra, **empty}):
            outputs[field] = builder.value(field, shape)
        outputs.update(empty)
        if "tagsAll" in schema.outputs:
            tags = inputs.get("tags")
            outputs["tagsAll"] = dict(tags) if isinstance(tags, Mapping) else {}
    outputs.update(extra)
    return resource_id, outputs


def object_values(
    fields: Mapping[str, tuple[Shape, bool]], seed: str, ctx: arns.AccountContext, given: Mapping[str, Any]
) -> dict[str, Any]:
    """Values for a declared result type (lookups): every field the caller did not give."""
    token = f"lookup:{seed}:Result"
    given_name = given.get("name")
    name = given_name if isinstance(given_name, str) else seed
    builder = _Builder(token, seed, name, seed, given, ctx)
    out = dict(given)
    for field, (shape, _optional) in fields.items():
        if field not in out:
            out[field] = builder.value(field, shape)
    return out
