"""Declared waivers (resource tags, pack config) and what became of each: used, unused, expired.

The pack decides which findings a waiver silences (and reports them through its advisory
``waived-findings`` companion policies); this module only lists the declarations and joins them
with those waived findings, using the rules of GUARDRAILS.md to say why one did not count.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from secure_serverless.check.graph import secret_values, unwrap_secrets
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.results import DeclaredWaiver, Finding

TAG_PREFIX = "secure-serverless:waiver:"
MIN_REASON_LENGTH = 20
_TAG_VALUE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(.*?)\s*$", re.DOTALL)
CONFIG_SOURCE_PREFIX = "pack config waiver for "


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _problem(expires: str, reason: str, today: datetime.date) -> tuple[str, str] | None:
    """(status, detail) when the waiver does not count, else None."""
    if len(reason.strip()) < MIN_REASON_LENGTH:
        return "invalid", f"reason shorter than {MIN_REASON_LENGTH} characters"
    try:
        expiry = datetime.date.fromisoformat(expires.strip())
    except ValueError:
        return "invalid", f"expiry {expires!r} is not an ISO date (YYYY-MM-DD)"
    if expiry < today:
        return "expired", f"expired on {expiry.isoformat()}"
    try:
        limit = today.replace(year=today.year + 1)
    except ValueError:
        limit = today.replace(year=today.year + 1, day=28)
    if expiry > limit:
        return "invalid", f"expiry {expiry.isoformat()} is more than one year ahead"
    return None


def _tags(resource: RecordedResource) -> Mapping[str, Any]:
    tags = unwrap_secrets(resource.inputs.get("tags"))
    return tags if isinstance(tags, Mapping) else {}


def secret_reasons(resources: Iterable[RecordedResource]) -> set[str]:
    """Reasons of waiver tags whose value is secret: the pack reads and quotes them, the report must not."""
    reasons: set[str] = set()
    for resource in resources:
        for value in secret_values([resource.inputs.get("tags")]):
            match = _TAG_VALUE.match(value)
            if match is not None and match.group(2):
                reasons.add(match.group(2))
    return reasons


def policy_config_entries(pack_config: Mapping[str, Any], policy: str) -> list[Mapping[str, Any]]:
    section = pack_config.get(policy)
    if not isinstance(section, Mapping):
        return []
    entries = section.get("waivers")
    return [e for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []


def declared_waivers(
    resources: Sequence[RecordedResource],
    pack_config: Mapping[str, Any],
    findings: Iterable[Finding],
    non_waivable: Iterable[str],
    today: datetime.date | None = None,
    known_policies: Iterable[str] | None = None,
) -> list[DeclaredWaiver]:
    day = today or _today()
    blocked = set(non_waivable)
    known = set(known_policies) if known_policies is not None else None
    waived = [f for f in findings if f.waiver is not None]
    by_urn = {r.urn: r for r in resources}

    def related(finding_urn: str | None, tagged_urn: str) -> bool:
        # A tag on a role or function also waives findings on the policies/permissions attached
        # to it (they cannot carry tags): those resources depend on the tagged one.
        if finding_urn is None:
            return False
        if finding_urn == tagged_urn:
            return True
        node = by_urn.get(finding_urn)
        return node is not None and tagged_urn in node.dependencies

    def verdict(policy: str, expires: str, reason: str, used: bool) -> tuple[str, str]:
        if known is not None and policy not in known:
            return "invalid", "the pack has no policy of this name"
        if policy in blocked:
            return "not-waivable", "this policy cannot be waived (its config has waivable: false)"
        problem = _problem(expires, reason, day)
        if problem is not None:
            return problem
        return ("used", "") if used else ("unused", "no finding to waive: remove the waiver")

    out: list[DeclaredWaiver] = []
    for resource in resources:
        for key, value in _tags(resource).items():
            if not isinstance(key, str) or not key.startswith(TAG_PREFIX):
                continue
            policy = key[len(TAG_PREFIX) :]
            match = _TAG_VALUE.match(value) if isinstance(value, str) else None
            if match is None:
                out.append(
                    DeclaredWaiver(
                        policy,
                        "tag",
                        resource.urn,
                        "",
                        str(value),
                        "invalid",
                        "tag value must be '<YYYY-MM-DD> <reason>'",
                    )
                )
                continue
            expires, reason = match.group(1), match.group(2)
            used = any(
                f.policy == policy
                and f.waiver is not None
                and f.waiver.source.startswith("tag")
                and related(f.urn, resource.urn)
                for f in waived
            )
            status, detail = verdict(policy, expires, reason, used)
            out.append(DeclaredWaiver(policy, "tag", resource.urn, expires, reason, status, detail))

    for policy in sorted(k for k in pack_config if isinstance(k, str)):
        for entry in policy_config_entries(pack_config, policy):
            target = str(entry.get("resource", ""))
            expires = str(entry.get("expires", ""))
            reason = str(entry.get("reason", ""))
            source = CONFIG_SOURCE_PREFIX + target
            used = any(f.policy == policy and f.waiver is not None and f.waiver.source == source for f in waived)
            status, detail = verdict(policy, expires, reason, used)
            out.append(DeclaredWaiver(policy, "config", target, expires, reason, status, detail))
    return out
