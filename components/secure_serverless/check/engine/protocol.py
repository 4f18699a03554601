"""The protobuf messages the engine exchanges with a pack, built from recorded resources, and read back.

Requests are built as the engine builds them: properties as a Struct (camelCase, numbers as floats,
assets and archives as signatures), Configure with every policy and an explicit enforcement level.
User config is validated against each policy's schema first (jsonschema is a runtime dependency:
config must never go unvalidated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from secure_serverless.check.engine.diagnostics import (
    LEVEL_TO_PROTO,
    PROTO_TO_LEVEL,
    PROTO_TO_SEVERITY,
    AnalyzerPolicy,
    Diagnostic,
    Stage,
)
from secure_serverless.check.model import UNKNOWN, RecordedResource

# Pulumi's signatures for assets, archives and secrets inside a property Struct.
_SIG = "4dabf18193072939515e22adb298388d"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"


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
    policies: Sequence[AnalyzerPolicy], config: Mapping[str, Any] | None = None
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Configure as the engine sends it: every policy, an explicit level, schema defaults plus user values.

    ``config`` is the policy-pack config file's content: ``{"all": level, "<policy>": level | {...}}``.
    User values are validated against each policy's schema; invalid config raises ``ValueError``.
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
        if level not in LEVEL_TO_PROTO:
            raise ValueError(f"unknown enforcement level {level!r} for policy {policy.name}")
        item = request.policyConfig[policy.name]
        item.enforcementLevel = LEVEL_TO_PROTO[level]
        item.properties.update(to_struct_value(properties))
    return request


def _validate(policy: AnalyzerPolicy, values: Mapping[str, Any]) -> None:
    schema = {"type": "object", **policy.config_schema}
    try:
        jsonschema.validate(dict(values), schema)
    except jsonschema.ValidationError as error:
        where = ".".join(str(part) for part in error.absolute_path) or "(root)"
        raise ValueError(f"invalid config for policy {policy.name} at {where}: {error.message}") from error


def analyzer_policies(info: analyzer_pb2.AnalyzerInfo) -> tuple[AnalyzerPolicy, ...]:
    """GetAnalyzerInfo's policies as :class:`AnalyzerPolicy` (config schema as plain JSON)."""
    out = []
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema, preserving_proto_field_name=True)
        properties = json_format.MessageToDict(policy.configSchema.properties)
        schema["properties"] = properties
        out.append(
            AnalyzerPolicy(
                name=policy.name,
                description=policy.description,
                level=PROTO_TO_LEVEL.get(int(policy.enforcementLevel), "advisory"),
                severity=PROTO_TO_SEVERITY.get(int(policy.severity)),
                stack_policy=int(policy.policy_type) == analyzer_pb2.POLICY_TYPE_STACK,
                remediation=policy.remediation_steps,
                config_schema=schema,
            )
        )
    return tuple(out)


def diagnostics(response: analyzer_pb2.AnalyzeResponse, urn: str, stage: Stage) -> list[Diagnostic]:
    """An Analyze/AnalyzeStack response's diagnostics (``urn`` for those that name none)."""
    return [
        Diagnostic(
            policy=d.policyName,
            level=PROTO_TO_LEVEL.get(int(d.enforcementLevel), "advisory"),
            urn=d.urn or urn,
            message=d.message,
            description=d.description,
            severity=PROTO_TO_SEVERITY.get(int(d.severity)),
            stage=stage,
        )
        for d in response.diagnostics
    ]
