"""The resource record that flows from a program run (or a stack export) into the policy evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The engine's sentinel for a value that is unknown during preview (same string in pulumi and
# pulumi_policy); recorded inputs keep it verbatim so the pack sees what the engine would send.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class RecordedResource:
    """One registered resource as the engine would describe it to an analyzer.

    ``inputs`` use the engine's camelCase property names, with numbers as floats and unknown values
    as :data:`UNKNOWN`. ``parent`` and ``provider`` are URNs / provider references or ``None``.
    """

    type: str
    name: str
    urn: str
    custom: bool = True
    parent: str | None = None
    provider: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
