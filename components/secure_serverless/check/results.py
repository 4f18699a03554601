"""What a check produces: findings, waivers, policies, cost; plus the exit-code rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from secure_serverless.check.cost import CostReport
from secure_serverless.check.model import RecordedResource

MANDATORY = "mandatory"
ADVISORY = "advisory"
REMEDIATE = "remediate"
DISABLED = "disabled"

UNDECIDED_PREFIX = "can't run policy"

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class PolicyInfo:
    """A policy as the pack describes it, with the level in force for this check."""

    name: str
    description: str
    level: str
    severity: str | None = None
    remediation: str | None = None
    stack_policy: bool = False


@dataclass(frozen=True)
class WaiverUse:
    """How a waiver silenced one finding (read from the pack's waived-finding diagnostic).

    ``holders``: the URNs of the resources whose waivers applied.
    """

    source: str
    reason: str
    expires: str
    holders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One violation reported by the pack, tied to the resource and component it concerns."""

    policy: str
    level: str
    message: str
    urn: str | None = None
    resource_type: str | None = None
    resource_name: str | None = None
    component: str | None = None
    severity: str | None = None
    description: str = ""
    fix: str | None = None
    waiver: WaiverUse | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def blocking(self) -> bool:
        return self.level == MANDATORY and not self.waived

    @property
    def undecided(self) -> bool:
        """The pack could not judge: a value it needs is unknown during preview (advisory)."""
        return self.message.startswith(UNDECIDED_PREFIX)

    def key(self) -> tuple[str, str, str, str]:
        """Identity used to compare two evaluations (parity): policy, level, resource, message."""
        return (self.policy, self.level, self.urn or "", self.message)


@dataclass(frozen=True)
class DeclaredWaiver:
    """A waiver written on a resource tag or in the pack config, and what became of it."""

    policy: str
    source: str  # "tag" or "config"
    resource: str  # URN (tag) or the name/URN the config entry gives
    expires: str
    reason: str
    status: str  # "used", "unused", "expired", "invalid", "not-waivable"
    detail: str = ""


@dataclass
class CheckResult:
    source: str  # "program" or "stack-export"
    project: str
    stack: str
    location: str  # the program file (or export file) findings point at
    pack_name: str
    pack_version: str
    preview: bool
    resources: list[RecordedResource]
    policies: list[PolicyInfo]
    findings: list[Finding]
    waivers: list[DeclaredWaiver]
    cost: CostReport
    component_of: dict[str, str | None] = field(default_factory=dict)
    source_lines: dict[str, int] = field(default_factory=dict)  # URN -> line in the program file
    duration_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def advisories(self) -> list[Finding]:
        return [f for f in self.findings if not f.waived and f.level != MANDATORY]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.waived]

    @property
    def exit_code(self) -> int:
        return EXIT_VIOLATIONS if self.blocking else EXIT_CLEAN

    def summary(self) -> dict[str, Any]:
        return {
            "resources": len(self.resources),
            "policies": len(self.policies),
            "mandatory": len(self.blocking),
            "advisory": len(self.advisories),
            "waived": len(self.waived),
            "waiversDeclared": len(self.waivers),
            "passed": not self.blocking,
        }
