"""SARIF 2.1.0 output that code-scanning tools accept (GitHub code scanning, Azure DevOps, IDEs)."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from pathlib import Path, PurePosixPath
from typing import Any

from secure_serverless.check.results import DISABLED, MANDATORY, REMEDIATE, CheckResult, Finding, PolicyInfo

SARIF_SCHEMA = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "secure-serverless"
SRCROOT = "%SRCROOT%"

# GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (< 4.0).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _level(finding: Finding) -> str:
    if finding.waived:
        return "note"
    return "error" if finding.level == MANDATORY else "warning"


def _default_level(policy: PolicyInfo) -> str:
    if policy.level in (MANDATORY, REMEDIATE):  # a violation left after remediation blocks, as mandatory
        return "error"
    if policy.level == DISABLED:
        return "none"
    return "warning"


def _rule(policy: PolicyInfo) -> dict[str, Any]:
    help_text = policy.remediation or policy.description
    properties: dict[str, Any] = {
        "tags": ["security", "pulumi", "aws", "stack-policy" if policy.stack_policy else "resource-policy"],
        "enforcementLevel": policy.level,
    }
    if policy.severity:
        properties["security-severity"] = _SECURITY_SEVERITY.get(policy.severity, "5.5")
        properties["severity"] = policy.severity
    return {
        "id": policy.name,
        "name": "".join(part.capitalize() for part in policy.name.split("-")),
        "shortDescription": {"text": policy.description},
        "fullDescription": {"text": policy.description},
        "help": {
            "text": f"{policy.description}\n\nFix: {help_text}",
            "markdown": f"{policy.description}\n\n**Fix:** {help_text}",
        },
        "defaultConfiguration": {"level": _default_level(policy), "enabled": policy.level != DISABLED},
        "properties": properties,
    }


def _name_lines(source: Path | None) -> dict[str, int]:
    """First line on which each string literal appears in the program file."""
    lines: dict[str, int] = {}
    if source is None or not source.is_file():
        return lines
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return lines
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer(r"""(["'])([^"'\\]{1,200})\1""", line):
            lines.setdefault(match.group(2), number)
    return lines


def _artifact_location(path: str) -> dict[str, str]:
    """A path as SARIF wants it: a percent-encoded URI, relative to %SRCROOT% unless it lies outside."""
    if PurePosixPath(path).is_absolute():
        return {"uri": Path(path).as_uri()}  # outside the working directory: no base applies
    return {"uri": urllib.parse.quote(path), "uriBaseId": SRCROOT}


def _fingerprint(finding: Finding) -> str:
    return hashlib.sha256(f"{finding.policy}|{finding.urn or ''}".encode()).hexdigest()[:32]


def repository_root(path: Path, fallback: Path) -> Path:
    """The git top level holding ``path`` (what code scanning resolves URIs against), else ``fallback``."""
    start = path.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():  # a directory, or a file in worktrees and submodules
            return directory
    return fallback.resolve()


def relative_uri(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (absolute when it lies outside)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def render_sarif(
    result: CheckResult, source_file: Path | None = None, uri: str | None = None, root: Path | None = None
) -> str:
    """The result as a SARIF log; ``uri`` is the program file relative to ``root`` (the repository root,
    the base of ``%SRCROOT%``; default: the working directory)."""
    policies = {p.name: p for p in result.policies}
    for finding in result.findings:  # policies the pack did not list (e.g. the waived companions)
        if finding.policy not in policies:
            policies[finding.policy] = PolicyInfo(
                finding.policy, finding.description or finding.policy, finding.level, finding.severity, finding.fix
            )
    rules = [_rule(p) for p in policies.values()]
    index = {p.name: i for i, p in enumerate(policies.values())}
    artifact = _artifact_location(uri or result.location)
    # The fallback below reads the program file: only when some finding has no recorded line.
    unlocated = any(not (f.urn and f.urn in result.source_lines) for f in result.findings)
    name_lines = _name_lines(source_file) if unlocated else {}

    def region_for(finding: Finding) -> dict[str, int] | None:
        # The line whose statement created the resource (recorded while the program ran), else the
        # first line naming it or its component.
        if finding.urn and finding.urn in result.source_lines:
            return {"startLine": result.source_lines[finding.urn]}
        candidates = [finding.resource_name or ""]
        if finding.component:
            candidates.append(finding.component.rsplit("/", 1)[-1])
        for name in candidates:
            if name and name in name_lines:
                return {"startLine": name_lines[name]}
        return None

    results: list[dict[str, Any]] = []
    for finding in result.findings:
        physical: dict[str, Any] = {"artifactLocation": dict(artifact)}
        region = region_for(finding)
        if region is not None:
            physical["region"] = region
        location: dict[str, Any] = {"physicalLocation": physical}
        if finding.urn:
            logical: dict[str, Any] = {"fullyQualifiedName": finding.urn, "kind": "resource"}
            if finding.resource_name:
                logical["name"] = finding.resource_name
            location["logicalLocations"] = [logical]
        entry: dict[str, Any] = {
            "ruleId": finding.policy,
            "ruleIndex": index[finding.policy],
            "level": _level(finding),
            "message": {"text": finding.message},
            "locations": [location],
            "partialFingerprints": {"secureServerlessFinding/v1": _fingerprint(finding)},
            "properties": {
                "enforcementLevel": finding.level,
                "resourceType": finding.resource_type,
                "component": finding.component,
            },
        }
        if finding.waiver is not None:
            entry["suppressions"] = [
                {
                    "kind": "external" if finding.waiver.source.startswith("pack config") else "inSource",
                    "state": "accepted",
                    "justification": f"{finding.waiver.reason} (waiver until {finding.waiver.expires}, "
                    f"{finding.waiver.source})",
                }
            ]
        results.append(entry)

    base = (root or Path.cwd()).resolve().as_uri()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": result.pack_version,
                "semanticVersion": result.pack_version,
                "rules": rules,
                "properties": {"policyPack": result.pack_name},
            }
        },
        "automationDetails": {"id": f"secure-serverless/{result.project}/{result.stack}/"},
        "invocations": [
            {
                "executionSuccessful": True,
                "exitCode": result.exit_code,
                "properties": {"summary": result.summary()},
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": base if base.endswith("/") else base + "/"}},  # "/" is file:///
        "results": results,
        "properties": {"cost": result.cost.as_dict(), "project": result.project, "stack": result.stack},
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


def render_sarif_error(message: str, details: list[str] | None = None, version: str = "") -> str:
    """A SARIF log for a check that could not run (exit 2): no results, ``executionSuccessful: false``
    and the error as a tool execution notification, so code scanning shows why instead of "no alerts"."""
    notification: dict[str, Any] = {"level": "error", "message": {"text": message}}
    if details:
        notification["properties"] = {"details": details}
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": []}
    if version:
        driver.update(version=version, semanticVersion=version)
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [
            {"executionSuccessful": False, "exitCode": 2, "toolExecutionNotifications": [notification]}
        ],
        "results": [],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
