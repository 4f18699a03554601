"""Declared waivers (resource tags, pack config) and what became of each: used, unused, expired.

The pack decides which findings a waiver silences and reports them through its advisory
``waived-findings`` companions, naming the resources whose waivers applied; this module lists the
declarations and joins them with those waived findings. Validity comes from the same rules the pack
and SecureFunction use (``secure_serverless.contract.waivers``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from secure_serverless.check.graph import secret_values, unwrap_secrets
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.results import DeclaredWaiver, Finding, WaiverUse
from secure_serverless.contract import waivers as rules
from secure_serverless.contract.policies import COMPANIONS


def waiver_use(line: rules.WaivedLine) -> WaiverUse:
    """How a waived-finding line says a waiver was used."""
    return WaiverUse(line.source, line.reason, line.expires, line.holders)


def keep_companions(pack_config: Mapping[str, Any]) -> dict[str, Any]:
    """``pack_config`` with the waived-findings companions running (advisory) even where it disables them.

    ``check`` must show every waived finding (and so never call a used waiver "unused"); a deployment
    with the companions disabled only hides them from the engine's output.
    """
    config = dict(pack_config)
    for name in COMPANIONS:
        entry = config.get(name)
        level = entry.get("enforcementLevel") if isinstance(entry, Mapping) else entry
        if level == "disabled" or (level is None and config.get("all") == "disabled"):
            config[name] = (
                {**entry, "enforcementLevel": "advisory"} if isinstance(entry, Mapping) else "advisory"
            )
    return config


def _tags(resource: RecordedResource) -> Mapping[str, Any]:
    tags = unwrap_secrets(resource.inputs.get("tags"))
    return tags if isinstance(tags, Mapping) else {}


def secret_reasons(resources: Iterable[RecordedResource]) -> set[str]:
    """Reasons of waiver tags whose value is secret: the pack reads and quotes them, the report must not."""
    reasons: set[str] = set()
    for resource in resources:
        for value in secret_values([resource.inputs.get("tags")]):
            parsed = rules.parse_tag_value(value)
            if parsed is not None and parsed[1]:
                reasons.add(parsed[1])
    return reasons


def policy_config_entries(pack_config: Mapping[str, Any], policy: str) -> list[Mapping[str, Any]]:
    section = pack_config.get(policy)
    if not isinstance(section, Mapping):
        return []
    entries = section.get("waivers")
    return [e for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []


def _sources(finding: Finding) -> list[str]:
    return finding.waiver.source.split("; ") if finding.waiver is not None else []


def declared_waivers(
    resources: Sequence[RecordedResource],
    pack_config: Mapping[str, Any],
    findings: Iterable[Finding],
    non_waivable: Iterable[str],
    today: datetime.date | None = None,
    known_policies: Iterable[str] | None = None,
) -> list[DeclaredWaiver]:
    """Every waiver declared in tags or pack config, with its status and why."""
    day = today or rules.utc_today()
    blocked = set(non_waivable)
    known = set(known_policies) if known_policies is not None else None
    waived = [f for f in findings if f.waiver is not None]

    def verdict(policy: str, expires: str, reason: str, used: bool) -> tuple[str, str]:
        if known is not None and policy not in known:
            return "invalid", "the pack has no policy of this name"
        if policy in blocked:
            return "not-waivable", "this policy cannot be waived (its config has waivable: false)"
        problem = rules.waiver_problem(expires, reason, day)
        if problem is not None:
            return problem.kind, problem.text
        return ("used", "") if used else ("unused", "no finding to waive: remove the waiver")

    out: list[DeclaredWaiver] = []
    for resource in resources:
        for key, value in _tags(resource).items():
            policy = rules.tag_policy(key)
            if policy is None:
                continue
            parsed = rules.parse_tag_value(value)
            if parsed is None:
                detail = "tag value must be '<YYYY-MM-DD> <reason>'"
                out.append(DeclaredWaiver(policy, "tag", resource.urn, "", str(value), "invalid", detail))
                continue
            expires, reason = parsed
            used = any(
                f.policy == policy
                and f.waiver is not None
                and resource.urn in f.waiver.holders
                and rules.tag_source(policy) in _sources(f)
                for f in waived
            )
            status, detail = verdict(policy, expires, reason, used)
            out.append(DeclaredWaiver(policy, "tag", resource.urn, expires, reason, status, detail))

    for policy in sorted(k for k in pack_config if isinstance(k, str)):
        for entry in policy_config_entries(pack_config, policy):
            target = str(entry.get("resource", ""))
            expires = str(entry.get("expires", ""))
            reason = str(entry.get("reason", ""))
            source = rules.config_source(target)
            used = any(f.policy == policy and source in _sources(f) for f in waived)
            status, detail = verdict(policy, expires, reason, used)
            if status == "unused" and not _names_any(entry, resources):
                status, detail = "invalid", _unmatched(target, resources)
            out.append(DeclaredWaiver(policy, "config", target, expires, reason, status, detail))
    return out


def _names_any(entry: Mapping[str, Any], resources: Sequence[RecordedResource]) -> bool:
    return any(
        rules.config_entry_names(entry.get("resource"), entry.get("type"), r.urn, r.name, r.type) for r in resources
    )


def _unmatched(target: str, resources: Sequence[RecordedResource]) -> str:
    children = [r.urn for r in resources if r.name == target and rules.is_component_child(r.urn)]
    if children:
        return f"{target!r} is the name of a component's child, which names repeat; name it by its URN: {children[0]}"
    return f"no resource in the stack is named {target!r} (name a resource outside a component, or give a URN)"
