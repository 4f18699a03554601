"""Human-readable and JSON renderings of a :class:`CheckResult`."""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from typing import Any

from secure_serverless.check.cost import CURRENCY, PRICE_TABLE, PRICES_AS_OF, PRICES_REGION, CostReport
from secure_serverless.check.progress import plural
from secure_serverless.check.results import MANDATORY, CheckResult, DeclaredWaiver, Finding

JSON_FORMAT_VERSION = 1
_STACK_GROUP = "(stack)"
_WIDTH = 100

_ITEM_LABELS = {
    "kms-key": "KMS key",
    "alarm-standard": "alarm",
    "alarm-high-resolution": "high-res alarm",
    "alarm-anomaly-detection": "anomaly alarm",
    "alarm-composite": "composite alarm",
    "custom-metric": "custom metric",
    "secret": "secret",
    "ssm-advanced-parameter": "advanced parameter",
}


def _label(finding: Finding) -> str:
    if finding.waived:
        return "WAIVED"
    if finding.undecided:
        return "undecided"
    return "MANDATORY" if finding.level == MANDATORY else finding.level


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(
        text,
        width=_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _sort_key(finding: Finding) -> tuple[int, str]:
    rank = 2 if finding.waived else (0 if finding.level == MANDATORY else 1)
    return rank, finding.policy


def group_by_resource(result: CheckResult) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        groups[finding.urn or _STACK_GROUP].append(finding)
    return groups


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _cost_lines(cost: CostReport) -> list[str]:
    lines = [
        f"Guardrail cost: fixed monthly charges in {CURRENCY}, {PRICES_REGION} list prices as of {PRICES_AS_OF}"
        " (usage such as requests, log GB and invocations is excluded)"
    ]
    priced = [c for c in cost.components if c.monthly > 0]
    if not priced:
        lines.append("  no resources with a fixed monthly charge")
    for component in priced:
        parts = [
            f"{line.units} {_ITEM_LABELS.get(line.item, line.item)}{'s' if line.units != 1 else ''}"
            f" x {_money(line.unit_price)}"
            for line in component.lines.values()
            if line.unit_price > 0
        ]
        lines.append(f"  {component.component}: {_money(component.monthly)}/month ({', '.join(parts)})")
    owned = len(cost.secure_functions)
    if owned:
        lines.append(f"  per function: {_money(cost.per_function)}/month on average for each of {owned} "
                     f"SecureFunction{'s' if owned != 1 else ''}")
    elif cost.functions:
        lines.append(f"  per function: {_money(cost.per_function)}/month ({plural(cost.functions, 'Lambda function')})")
    lines.append(f"  stack total: {_money(cost.total)}/month for {cost.functions} Lambda "
                 f"function{'s' if cost.functions != 1 else ''}")
    return lines


def _waiver_line(waiver: DeclaredWaiver, names: dict[str, str]) -> str:
    where = names.get(waiver.resource, waiver.resource)
    origin = "tag" if waiver.source == "tag" else "pack config"
    until = f" until {waiver.expires}" if waiver.expires else ""
    detail = f" - {waiver.detail}" if waiver.detail else ""
    return f"  {waiver.status:<13}{waiver.policy} on {where} ({origin}){until}: {waiver.reason!r}{detail}"


def render_text(result: CheckResult) -> str:
    out: list[str] = []
    kind = "stack export" if result.source == "stack-export" else "program"
    mode = ", preview" if result.preview else ""
    out.append(
        f"secure-serverless check: project {result.project}, stack {result.stack} ({kind} {result.location}{mode})"
    )
    out.append(
        f"policy pack {result.pack_name} {result.pack_version}: {plural(len(result.policies), 'policy')}, "
        f"{plural(len(result.resources), 'resource')}"
    )
    out.extend(f"note: {note}" for note in result.notes)
    out.append("")

    by_urn = {r.urn: r for r in result.resources}
    names = {r.urn: f"{r.type.split(':')[-1]} '{r.name}'" for r in result.resources}
    groups = group_by_resource(result)
    if not groups:
        out.append("No findings: every resource passes every enabled policy.")
        out.append("")
    for urn in sorted(groups, key=lambda u: (u == _STACK_GROUP, min(_sort_key(f) for f in groups[u]), u)):
        findings = sorted(groups[urn], key=_sort_key)
        resource = by_urn.get(urn)
        if resource is not None:
            owner = result.component_of.get(urn)
            built_by = f"  [built by {owner}]" if owner else ""
            line = result.source_lines.get(urn)
            where = f"  ({result.location}:{line})" if line else ""
            out.append(f"{resource.type}  {resource.name}{built_by}{where}")
        elif urn == _STACK_GROUP:
            out.append("stack-wide findings")
        else:
            out.append(urn)
        for finding in findings:
            severity = f" ({finding.severity})" if finding.severity else ""
            out.append(f"  {_label(finding):<10}{finding.policy}{severity}")
            out.append(_wrap(finding.message, "      "))
            if finding.waiver is not None:
                out.append(
                    _wrap(
                        f"waived until {finding.waiver.expires} by {finding.waiver.source}: {finding.waiver.reason}",
                        "      ",
                    )
                )
            elif finding.fix and "Fix:" not in finding.message:  # the pack's message names the fix
                out.append(_wrap(f"fix: {finding.fix}", "      "))
        out.append("")

    out.append("Waivers")
    if not result.waivers:
        out.append("  none declared")
    for waiver in sorted(result.waivers, key=lambda w: (w.status, w.policy, w.resource)):
        out.append(_waiver_line(waiver, names))
    out.append("")
    out.extend(_cost_lines(result.cost))
    out.append("")
    summary = result.summary()
    verdict = "FAILED" if result.blocking else "PASSED"
    out.append(
        f"{verdict}: {plural(summary['mandatory'], 'mandatory violation')}, {summary['advisory']} advisory, "
        f"{summary['waived']} waived; {plural(summary['resources'], 'resource')} checked in "
        f"{result.duration_seconds:.1f}s (exit {result.exit_code})"
    )
    return "\n".join(out) + "\n"


def _finding_dict(finding: Finding, lines: dict[str, int]) -> dict[str, Any]:
    return {
        "policy": finding.policy,
        "level": finding.level,
        "severity": finding.severity,
        "blocking": finding.blocking,
        "undecided": finding.undecided,
        "message": finding.message,
        "fix": finding.fix,
        "urn": finding.urn,
        "resourceType": finding.resource_type,
        "resourceName": finding.resource_name,
        "component": finding.component,
        "line": lines.get(finding.urn) if finding.urn else None,
        "waiver": None
        if finding.waiver is None
        else {"source": finding.waiver.source, "reason": finding.waiver.reason, "expires": finding.waiver.expires},
    }


def render_json(result: CheckResult) -> str:
    document: dict[str, Any] = {
        "formatVersion": JSON_FORMAT_VERSION,
        "tool": "secure-serverless check",
        "source": result.source,
        "project": result.project,
        "stack": result.stack,
        "location": result.location,
        "preview": result.preview,
        "pack": {"name": result.pack_name, "version": result.pack_version},
        "passed": not result.blocking,
        "exitCode": result.exit_code,
        "summary": result.summary(),
        "findings": [
            _finding_dict(f, result.source_lines)
            for f in sorted(result.findings, key=lambda f: (f.urn or "", *_sort_key(f)))
        ],
        "waivers": [
            {
                "policy": w.policy,
                "source": w.source,
                "resource": w.resource,
                "expires": w.expires,
                "reason": w.reason,
                "status": w.status,
                "detail": w.detail,
            }
            for w in result.waivers
        ],
        "cost": result.cost.as_dict(),
        "priceTable": {item: {"monthly": price, "description": text} for item, (price, text) in PRICE_TABLE.items()},
        "policies": [
            {
                "name": p.name,
                "level": p.level,
                "severity": p.severity,
                "description": p.description,
                "stack": p.stack_policy,
            }
            for p in result.policies
        ],
        "notes": result.notes,
        "durationSeconds": round(result.duration_seconds, 3),
    }
    return json.dumps(document, indent=2) + "\n"


def render_json_error(message: str, details: list[str] | None = None) -> str:
    """The JSON document of a check that could not run (exit 2): an ``error`` object, no findings."""
    document: dict[str, Any] = {
        "formatVersion": JSON_FORMAT_VERSION,
        "tool": "secure-serverless check",
        "passed": False,
        "exitCode": 2,
        "error": {"message": message, "details": details or []},
        "findings": [],
    }
    return json.dumps(document, indent=2) + "\n"
