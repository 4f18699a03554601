"""The review as text (people), JSON (scripts) and SARIF 2.1.0 (code-scanning dashboards)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from secure_serverless.review.compare import FunctionReview, Review

SARIF_SCHEMA = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
RULES = {
    "review-unused-grant": ("A granted action was not used in the review window.", "warning"),
    "review-denied-call": ("The function's role was denied a call: its model is too narrow, or something is wrong.",
                           "warning"),
    "review-wildcard-grant": ("An action pattern grants more than one concrete action.", "note"),
    "review-drift": ("The deployed role differs from what the program declares.", "error"),
}


def _statement_label(review: FunctionReview, index: int) -> str:
    use = review.grants[index]
    sid = use.statement.sid or "(no Sid)"
    return f"{sid} in {use.statement.source}"


def _levels(levels: dict[str, int] | Any) -> str:
    return ", ".join(f"{count} {level}" for level, count in sorted(levels.items()))


def text(result: Review, *, window: str) -> str:
    """A report for people: one block per function."""
    lines = [f"Least-privilege review ({window})"]
    if result.first_call:
        lines.append(f"calls from {result.first_call} to {result.last_call}")
    for review in result.functions:
        fn = review.function
        owner = f" (SecureFunction '{fn.component}')" if fn.component else ""
        lines.append("")
        roles = ", ".join(review.roles) or "no matching role"
        calls = f"{review.calls} call" + ("" if review.calls == 1 else "s")
        lines.append(f"function {fn.name}{owner}: {calls} by {roles}")
        for index, use in enumerate(review.grants):
            state = ("not judged: no calls" if not review.calls else "UNUSED" if use.unused
                     else f"used: {', '.join(use.used)}")
            expansion = f" [{use.expands_to} actions: {_levels(use.access_levels)}]" if use.wildcard else (
                f" [{_levels(use.access_levels)}]")
            lines.append(f"  grant {use.pattern}{expansion} ({_statement_label(review, index)}): {state}")
        for call in review.denied:
            on = f" on {', '.join(call.resources)}" if call.resources else ""
            lines.append(f"  DENIED {call.action}{on} x{call.count} ({call.error_code})")
        for call in review.undeclared:
            lines.append(f"  used but not declared: {call.action} x{call.count} (a resource policy, or drift)")
        for item in review.drift:
            lines.append(f"  DRIFT {item.kind}: {item.detail}")
        if review.not_judged:
            sids = ", ".join(sorted({s.sid for s in review.not_judged}))
            lines.append(f"  not judged (used by Lambda itself, rarely in CloudTrail): {sids}")
        if review.calls and review.grants:
            lines.append("  proposed declaration:")
            lines.extend("    " + line for line in review.proposal.splitlines())
    for role, count in sorted(result.other_roles.items()):
        lines.append(f"other role (no function of this program): {role} x{count}")
    return "\n".join(lines) + "\n"


def as_json(result: Review, *, window: str) -> str:
    """Stable JSON: {"window", "functions": [...], "otherRoles": {...}}."""
    functions = []
    for review in result.functions:
        functions.append({
            "function": review.function.name,
            "component": review.function.component,
            "roles": list(review.roles),
            "calls": review.calls,
            "grants": [
                {"action": use.pattern, "statement": use.statement.sid, "source": use.statement.source,
                 "resources": list(use.statement.resources), "expandsTo": use.expands_to,
                 "accessLevels": dict(use.access_levels), "used": list(use.used), "unused": use in review.unused}
                for use in review.grants
            ],
            "denied": [{"action": c.action, "resources": list(c.resources), "errorCode": c.error_code,
                        "count": c.count} for c in review.denied],
            "undeclared": [{"action": c.action, "resources": list(c.resources), "count": c.count}
                           for c in review.undeclared],
            "drift": [{"kind": d.kind, "detail": d.detail} for d in review.drift],
            "lastAccessed": dict(review.last_accessed),
            "proposal": review.proposal if review.calls else None,
        })
    document = {"window": window, "firstCall": result.first_call, "lastCall": result.last_call,
                "functions": functions, "otherRoles": dict(result.other_roles)}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _result(rule: str, message: str, function: str, uri: str) -> dict[str, Any]:
    return {
        "ruleId": rule,
        "level": RULES[rule][1],
        "message": {"text": message},
        "locations": [{
            # code scanning places a result by its file: the program that declares the function
            "physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": 1}},
            "logicalLocations": [{"name": function, "kind": "resource"}],
        }],
    }


def sarif(result: Review, *, version: str, window: str, source: Path) -> str:
    """SARIF 2.1.0: one result per unused grant, denied call, wildcard grant and drift, each placed on
    ``source`` (the program's main file, or the stack export), relative to the repository root."""
    from secure_serverless.check.sarif import relative_uri, repository_root

    uri = relative_uri(source, repository_root(source, source.parent))
    results: list[dict[str, Any]] = []
    for review in result.functions:
        name = review.function.name
        for use in review.grants:
            if use in review.unused:
                text_ = f"{name}: {use.pattern} was not used ({window})."
                results.append(_result("review-unused-grant", text_, name, uri))
            if use.wildcard and use.expands_to > 1:
                results.append(_result("review-wildcard-grant",
                                       f"{name}: {use.pattern} grants {use.expands_to} actions.", name, uri))
        for call in review.denied:
            text_ = f"{name}: {call.action} denied {call.count} times."
            results.append(_result("review-denied-call", text_, name, uri))
        for item in review.drift:
            results.append(_result("review-drift", f"{name}: {item.kind}: {item.detail}", name, uri))
    rules: Sequence[dict[str, Any]] = [
        {"id": rule, "shortDescription": {"text": text_}, "defaultConfiguration": {"level": level}}
        for rule, (text_, level) in RULES.items()
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "secure-serverless-review", "version": version, "rules": list(rules)}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"
