"""The resource graph as the report needs it: owning component, display names, secret values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from secure_serverless.check.model import RecordedResource

# Pulumi's wire form of a secret: {SIG_KEY: SECRET_SIG, "value": <plaintext>}.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
STACK_TYPE = "pulumi:pulumi:Stack"
SECRET_MASK = "[secret]"
# Shorter secrets are not substituted inside text (it would mangle it): the text is withheld instead,
# as the handler-side runtime does (secure_serverless.runtime._secrets).
MIN_SCRUB_LENGTH = 4
WITHHELD = "[message withheld: it may contain a secret value]"


def component_label(resource: RecordedResource) -> str:
    return f"{resource.type}/{resource.name}"


def owning_components(resources: Sequence[RecordedResource]) -> dict[str, str | None]:
    """URN -> "<type>/<name>" of the nearest ancestor component resource (None at top level)."""
    by_urn = {r.urn: r for r in resources}
    cache: dict[str, str | None] = {}

    def owner(urn: str) -> str | None:
        if urn in cache:
            return cache[urn]
        seen: set[str] = set()
        parent = by_urn[urn].parent
        found: str | None = None
        while parent and parent not in seen:
            seen.add(parent)
            node = by_urn.get(parent)
            if node is None:  # the root stack, or a parent outside the record
                break
            if not node.custom and node.type != STACK_TYPE:
                found = component_label(node)
                break
            parent = node.parent
        cache[urn] = found
        return found

    return {r.urn: owner(r.urn) for r in resources}


def secret_values(values: Iterable[Any]) -> set[str]:
    """Every string inside a secret-wrapped value, so reports can scrub them from messages."""
    found: set[str] = set()

    def walk(value: Any, inside: bool) -> None:
        if isinstance(value, Mapping):
            if value.get(SIG_KEY) == SECRET_SIG:
                walk(value.get("value"), True)
                return
            for item in value.values():
                walk(item, inside)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, inside)
        elif inside and isinstance(value, str) and value:
            found.add(value)

    for value in values:
        walk(value, False)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret value in ``text`` (longest first) with ``[secret]``; withhold a text that
    contains a secret too short to replace."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            if len(secret) < MIN_SCRUB_LENGTH:
                return WITHHELD
            text = text.replace(secret, SECRET_MASK)
    return text


def unwrap_secrets(value: Any) -> Any:
    """A value with secret wrappers removed (for reading tags; never for display)."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return unwrap_secrets(value.get("value"))
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value
