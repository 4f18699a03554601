"""Read a deployed stack from `pulumi stack export` JSON into the records the pack judges."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secure_serverless.check.graph import SECRET_SIG, SIG_KEY, STACK_TYPE, secret_values
from secure_serverless.check.model import UNKNOWN, RecordedResource

PROVIDER_PREFIX = "pulumi:providers:"


class StackExportError(Exception):
    """The file is not a `pulumi stack export` document we can read."""


@dataclass
class StackExport:
    project: str
    stack: str
    resources: list[RecordedResource]
    # Plaintext of every secret found (exported with --show-secrets): the report scrubs these
    # from messages so that a policy quoting a value cannot leak it.
    secret_values: set[str] = field(default_factory=set)
    skipped: int = 0
    encrypted_secrets: int = 0  # secrets exported as ciphertext only: policies see them as unknown

    @property
    def notes(self) -> list[str]:
        """What the report should say about the export itself."""
        if not self.encrypted_secrets:
            return []
        count = self.encrypted_secrets
        return [
            f"{count} secret value{'s are' if count != 1 else ' is'} encrypted in the export and judged as "
            "unknown; re-export with `pulumi stack export --show-secrets --file stack.json` to judge "
            f"{'them' if count != 1 else 'it'} (the report never prints secret values)"
        ]


def _urn_parts(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        raise StackExportError(f"not a Pulumi URN: {urn!r}")
    return parts[0][len("urn:pulumi:") :], parts[1], parts[2], "::".join(parts[3:])


def _convert(value: Any, encrypted: list[int] | None = None) -> Any:
    """Export values -> wire values: secrets stay secret-wrapped; undecryptable ones are unknown
    (counted in ``encrypted[0]``)."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                try:
                    inner = json.loads(value["plaintext"])
                except (TypeError, json.JSONDecodeError) as exc:
                    raise StackExportError("a secret's plaintext is not valid JSON") from exc
                return {SIG_KEY: SECRET_SIG, "value": _convert(inner, encrypted)}
            if "value" in value:
                return {SIG_KEY: SECRET_SIG, "value": _convert(value["value"], encrypted)}
            # Only ciphertext: without the stack's secrets provider the value cannot be known,
            # which is exactly what "unknown" means to a policy.
            if encrypted is not None:
                encrypted[0] += 1
            return {SIG_KEY: SECRET_SIG, "value": UNKNOWN}
        return {k: _convert(v, encrypted) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v, encrypted) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)  # the wire carries every number as a double
    return value


def _field(raw: dict[str, Any], key: str, kind: type, urn: str) -> Any:
    """``raw[key]`` when it has the expected JSON type, ``kind()`` when absent or null."""
    value = raw.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise StackExportError(f"{urn}: {key} must be a JSON {'object' if kind is dict else 'array'}")
    return value


def parse_stack_export(document: Any) -> StackExport:
    if not isinstance(document, dict):
        raise StackExportError("expected a JSON object, the output of `pulumi stack export`")
    if "deployment" not in document:
        raise StackExportError(
            "holds no deployment: this is not the output of `pulumi stack export` "
            "(expected {\"version\": 3, \"deployment\": {...}})"
        )
    deployment = document["deployment"]
    if not isinstance(deployment, dict) or not isinstance(deployment.get("resources"), list | None):
        raise StackExportError("missing deployment.resources")
    if not deployment.get("resources"):
        raise StackExportError(
            "holds no resources: the stack was never deployed or is destroyed; judge the program instead "
            "(secure-serverless check PROGRAM_DIR), or export the stack after `pulumi up`"
        )
    secrets: set[str] = set()
    encrypted = [0]
    records: list[RecordedResource] = []
    project = stack = ""
    skipped = 0
    for raw in deployment.get("resources") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("urn"), str) or not isinstance(raw.get("type"), str):
            raise StackExportError(f"resource without urn/type: {str(raw)[:120]}")
        urn: str = raw["urn"]
        type_token: str = raw["type"]
        stack, project, _, name = _urn_parts(urn)
        inputs = _convert(_field(raw, "inputs", dict, urn), encrypted)
        outputs = _convert(_field(raw, "outputs", dict, urn), encrypted)
        # Secrets of resources the pack never sees are scrubbed from the report all the same.
        secrets |= secret_values((inputs, outputs))
        # The engine analyses neither the root stack nor providers, nor resources pending deletion.
        if type_token == STACK_TYPE or type_token.startswith(PROVIDER_PREFIX) or raw.get("delete"):
            skipped += 1
            continue
        prop_deps = _field(raw, "propertyDependencies", dict, urn)
        records.append(
            RecordedResource(
                type=type_token,
                name=name,
                urn=urn,
                custom=bool(raw.get("custom", False)),
                parent=raw.get("parent") or None,
                provider=raw.get("provider") or None,
                inputs=inputs,
                outputs=outputs,
                dependencies=tuple(_field(raw, "dependencies", list, urn)),
                property_dependencies={k: tuple(v or ()) for k, v in prop_deps.items()},
            )
        )
    return StackExport(
        project=project,
        stack=stack,
        resources=records,
        secret_values=secrets,
        skipped=skipped,
        encrypted_secrets=encrypted[0],
    )


def load_stack_export(path: Path | str) -> StackExport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StackExportError(f"cannot read {path}: {exc}") from exc
    try:
        # From bytes, json detects UTF-8 (with or without BOM) and UTF-16/32, which is what
        # `pulumi stack export > file` writes in Windows PowerShell.
        document = json.loads(data)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise StackExportError(f"{path} is not JSON: {exc}") from exc
    try:
        return parse_stack_export(document)
    except StackExportError as exc:  # every error names the file
        raise StackExportError(f"stack export {path}: {exc}") from exc
