"""Waivers: narrow (one policy, one resource), reasoned, expiring, and still reported.

Two sources, both checked the same way:

* a resource tag ``secure-serverless:waiver:<policy-name>`` = ``"<YYYY-MM-DD> <reason>"`` on the resource
  the policy judges (or, for resources that cannot carry tags, on the Role/Function they attach to);
* the policy's own config key ``waivers``: ``[{resource, reason, expires}]`` where ``resource`` is a
  logical name or a URN.

A waiver counts only if its reason has at least 20 characters and its expiry is an ISO date that is
neither past nor more than one year ahead; otherwise it is ignored and the violation message says why.

Waived findings are not reported under the waived policy (whose level may block) but handed to the
advisory companion policies ``waived-findings`` / ``waived-stack-findings``, which the pack lists last:
the engine runs a pack's policies in order on one thread per request, so a per-thread buffer carries
the waived findings of this request from the judging policy to the companion.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TAG_PREFIX = "secure-serverless:waiver:"
MIN_REASON_LENGTH = 20
_TAG_VALUE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(.*?)\s*$", re.DOTALL)


def today() -> datetime.date:
    """Today's date in UTC (tests replace this function)."""
    return datetime.datetime.now(datetime.UTC).date()


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class Waiver:
    """A waiver as declared, with the verdict on its validity."""

    policy: str
    source: str
    reason: str
    expires: str
    problem: str | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def check_waiver(policy: str, source: str, expires: Any, reason: Any) -> Waiver:
    """Judge one declared waiver (never raises)."""
    reason_text = reason.strip() if isinstance(reason, str) else ""
    expires_text = expires.strip() if isinstance(expires, str) else ""
    problem: str | None = None
    if len(reason_text) < MIN_REASON_LENGTH:
        problem = f"its reason must have at least {MIN_REASON_LENGTH} characters"
    else:
        try:
            expiry = datetime.date.fromisoformat(expires_text)
        except ValueError:
            problem = f"its expiry {expires_text!r} is not an ISO date (YYYY-MM-DD)"
        else:
            now = today()
            if expiry < now:
                problem = f"it expired on {expiry.isoformat()}"
            elif expiry > _one_year_after(now):
                problem = f"its expiry {expiry.isoformat()} is more than one year ahead"
    return Waiver(policy, source, reason_text, expires_text, problem)


def tag_waiver(policy: str, tags: Any) -> Waiver | None:
    """The waiver for ``policy`` declared in a resource's tags, if any."""
    if not isinstance(tags, Mapping):
        return None
    value = tags.get(TAG_PREFIX + policy)
    if value is None:
        return None
    source = f"tag {TAG_PREFIX}{policy}"
    if not isinstance(value, str):
        return Waiver(policy, source, "", "", "its tag value is not known or not a string")
    match = _TAG_VALUE.match(value)
    if match is None:
        return Waiver(policy, source, "", "", "its tag value must be '<YYYY-MM-DD> <reason>'")
    return check_waiver(policy, source, match.group(1), match.group(2))


def config_waiver(policy: str, entries: Iterable[Mapping[str, Any]], identities: Iterable[str]) -> Waiver | None:
    """The pack-config waiver for ``policy`` naming one of ``identities`` (logical names / URNs)."""
    names = {identity for identity in identities if identity}
    chosen: Waiver | None = None
    for entry in entries:
        declared_policy = entry.get("policy")
        if declared_policy not in (None, policy):
            continue
        resource = entry.get("resource")
        if not isinstance(resource, str) or resource not in names:
            continue
        waiver = check_waiver(policy, f"pack config waiver for {resource}", entry.get("expires"), entry.get("reason"))
        if waiver.valid:
            return waiver
        chosen = chosen or waiver
    return chosen


def find_waiver(
    policy: str,
    tag_sources: Iterable[Any],
    entries: Iterable[Mapping[str, Any]],
    identities: Iterable[str],
) -> Waiver | None:
    """The best waiver among tags of the given resources and config entries: a valid one if any."""
    candidates: list[Waiver] = []
    for tags in tag_sources:
        waiver = tag_waiver(policy, tags)
        if waiver is not None:
            candidates.append(waiver)
    waiver = config_waiver(policy, entries, identities)
    if waiver is not None:
        candidates.append(waiver)
    for candidate in candidates:
        if candidate.valid:
            return candidate
    return candidates[0] if candidates else None


# -- hand-off of waived findings to the companion policies ------------------------------------------


@dataclass(frozen=True)
class WaivedFinding:
    """A finding that a valid waiver kept from blocking; reported by the companion policy."""

    policy: str
    urn: str
    message: str
    waiver: Waiver

    def render(self) -> str:
        return (
            f"WAIVED [{self.policy}] until {self.waiver.expires} ({self.waiver.source}: "
            f"{self.waiver.reason}): {self.message}"
        )


class _Buffer(threading.local):
    def __init__(self) -> None:
        self.last_order = -1
        self.items: list[WaivedFinding] = []


_RESOURCE = _Buffer()
_STACK = _Buffer()


def _buffer(scope: str) -> _Buffer:
    return _STACK if scope == "stack" else _RESOURCE


def begin(scope: str, order: int) -> None:
    """Mark the start of a policy's run; a policy that is not after the last one starts a new request."""
    buffer = _buffer(scope)
    if order <= buffer.last_order:
        buffer.items = []
    buffer.last_order = order


def hand_off(scope: str, finding: WaivedFinding) -> None:
    """Keep a waived finding for the companion policy of this request."""
    _buffer(scope).items.append(finding)


def take(scope: str) -> list[WaivedFinding]:
    """The waived findings of this request (and forget them)."""
    buffer = _buffer(scope)
    items, buffer.items = buffer.items, []
    return items
