"""Companion policies that report waived findings at advisory level (never blocking, never dropped).

They must be the last resource policy and the last stack policy of the pack: see ``_waivers``.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from guardrails import _waivers
from guardrails._policy import Meta, declare

_RESOURCE_META = Meta("waived-findings", "resource", (), {}, companion=True)
_STACK_META = Meta("waived-stack-findings", "stack", (), {}, companion=True)


def _report_resource(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _waivers.begin("resource", _RESOURCE_META.order)
    for finding in _waivers.take("resource"):
        report(finding.render(), None)


def _report_stack(args: StackValidationArgs, report: ReportViolation) -> None:
    _waivers.begin("stack", _STACK_META.order)
    for finding in _waivers.take("stack"):
        report(finding.render(), finding.urn or None)


_DESCRIPTION = (
    "Reports, at advisory level, every {} finding that a valid waiver (reason of 20+ characters, expiry within "
    "a year) keeps from blocking, so waived findings stay visible (preview: as the waived policy)."
)

_REMEDIATION = "Fix the waived finding before the waiver expires, or renew the waiver with a reason."

WAIVED_FINDINGS = declare(
    ResourceValidationPolicy,
    _RESOURCE_META,
    _report_resource,
    name=_RESOURCE_META.name,
    description=_DESCRIPTION.format("resource-policy"),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation=_REMEDIATION,
)

WAIVED_STACK_FINDINGS = declare(
    StackValidationPolicy,
    _STACK_META,
    _report_stack,
    name=_STACK_META.name,
    description=_DESCRIPTION.format("stack-policy"),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation=_REMEDIATION,
)

POLICIES: list[Policy] = [WAIVED_FINDINGS, WAIVED_STACK_FINDINGS]
