"""The shape of one entry of the pack's catalogue (``policies.CATALOGUE``, generated)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyEntry:
    """A policy's kind ("resource" or "stack"), default level, default waivability and judged types."""

    name: str
    kind: str
    level: str
    waivable: bool
    types: tuple[str, ...]
