"""Waivers: how one is written, when it counts, and how a waived finding is reported.

SecureFunction writes a waiver as a tag, the pack judges it, the checker reports what became of it;
all three use the rules below, with an explicit ``today`` (a UTC date: the pack runs on servers in
any time zone, and a waiver must mean the same day everywhere).

The waived-finding line is the pack's advisory report of a finding that a waiver silenced; the
checker reads it back with :func:`parse_waived_line`, written beside :func:`render_waived_line`.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Literal

TAG_PREFIX = "secure-serverless:waiver:"
MIN_REASON_LENGTH = 20
# Tag values hold at most 256 characters: "<YYYY-MM-DD> " and the reason.
MAX_REASON_LENGTH = 200
# Characters AWS accepts in tag values (on every service SecureFunction tags).
REASON_PATTERN = re.compile(r"[\w .:/=+\-@]+")
_TAG_VALUE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(.*?)\s*$", re.DOTALL)

ProblemKind = Literal["expired", "invalid"]


def utc_today() -> datetime.date:
    """Today's date in UTC, the calendar every waiver rule uses."""
    return datetime.datetime.now(datetime.UTC).date()


def latest_expiry(today: datetime.date) -> datetime.date:
    """The last expiry date a waiver may have: the same day one year later (28 February for 29 February).

    Examples
    --------
    >>> latest_expiry(datetime.date(2026, 11, 29))
    datetime.date(2027, 11, 29)
    """
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


@dataclass(frozen=True)
class Problem:
    """Why a declared waiver does not count: ``kind`` is ``"expired"`` or ``"invalid"``; ``text`` a clause."""

    kind: ProblemKind
    text: str


def expiry_problem(expires: datetime.date, today: datetime.date) -> Problem | None:
    """Whether ``expires`` is out of the window: a waiver counts through its expiry day, one year at most."""
    if expires < today:
        return Problem("expired", f"waiver expired on {expires.isoformat()}")
    latest = latest_expiry(today)
    if expires > latest:
        return Problem(
            "invalid",
            f"waiver expiry {expires.isoformat()} is more than one year ahead (latest: {latest.isoformat()})",
        )
    return None


def waiver_problem(expires: object, reason: object, today: datetime.date) -> Problem | None:
    """Why a waiver as declared (ISO date text and reason, of any type) does not count, or None."""
    reason_text = reason.strip() if isinstance(reason, str) else ""
    if len(reason_text) < MIN_REASON_LENGTH:
        return Problem("invalid", f"waiver reason must have at least {MIN_REASON_LENGTH} characters")
    expires_text = expires.strip() if isinstance(expires, str) else ""
    try:
        expiry = datetime.date.fromisoformat(expires_text)
    except ValueError:
        return Problem("invalid", f"waiver expiry {expires_text!r} is not an ISO date (YYYY-MM-DD)")
    return expiry_problem(expiry, today)


# -- tags ---------------------------------------------------------------------------------------------


def tag_key(policy: str) -> str:
    """The tag key that waives ``policy`` on the resource carrying it."""
    return TAG_PREFIX + policy


def tag_policy(key: object) -> str | None:
    """The policy a tag key waives, or None for any other tag."""
    return key[len(TAG_PREFIX) :] if isinstance(key, str) and key.startswith(TAG_PREFIX) else None


def render_tag_value(expires: datetime.date, reason: str) -> str:
    """A waiver tag's value: ``"<YYYY-MM-DD> <reason>"``."""
    return f"{expires.isoformat()} {reason}"


def parse_tag_value(value: object) -> tuple[str, str] | None:
    """(expiry text, reason) of a waiver tag's value, or None when it is not ``"<YYYY-MM-DD> <reason>"``."""
    match = _TAG_VALUE.match(value) if isinstance(value, str) else None
    return (match.group(1), match.group(2)) if match is not None else None


def tag_source(policy: str) -> str:
    """How a waived-finding line names a tag waiver."""
    return f"tag {tag_key(policy)}"


CONFIG_SOURCE_PREFIX = "pack config waiver for "


def config_source(resource: str) -> str:
    """How a waived-finding line names a pack-config waiver for ``resource`` (its URN or name)."""
    return CONFIG_SOURCE_PREFIX + resource


def is_component_child(urn: str) -> bool:
    """Whether a URN's type chain has a parent type (``<component type>$<type>``)."""
    parts = urn.split("::")
    return len(parts) >= 4 and "$" in parts[2]


def config_entry_names(resource: object, type_token: object, urn: str, name: str, actual_type: str) -> bool:
    """Whether a pack-config waiver entry (``resource``, optional ``type``) names the resource ``urn``.

    A URN names one resource. A name stands only for a resource outside any component (names repeat
    across components: every SecureFunction has an ``<x>-logs`` child), whose URN makes its type and
    name unique; ``type`` narrows the name to one resource type.
    """
    if not isinstance(resource, str) or not resource:
        return False
    if resource.startswith("urn:"):
        return resource == urn
    if isinstance(type_token, str) and type_token and type_token != actual_type:
        return False
    return resource == name and not is_component_child(urn)


# -- the waived-finding line ---------------------------------------------------------------------------

_LINE_START = "WAIVED ["


@dataclass(frozen=True)
class WaivedLine:
    """A finding a waiver silenced, as the pack reports it through its ``waived-findings`` companions.

    ``holders`` are the URNs of the resources whose waivers applied (all of them, for a finding about
    a resource shared by several); ``expires`` is the earliest of their expiry dates.
    """

    policy: str
    expires: str
    source: str
    reason: str
    holders: tuple[str, ...]
    message: str


def render_waived_line(line: WaivedLine) -> str:
    """The diagnostic text: ``WAIVED [<policy>] {<waiver as JSON>}: <message>``.

    Examples
    --------
    >>> text = render_waived_line(WaivedLine("logs-retention-set", "2027-03-01", "tag x", "r", (), "m"))
    >>> parse_waived_line(text) == WaivedLine("logs-retention-set", "2027-03-01", "tag x", "r", (), "m")
    True
    """
    waiver = {"until": line.expires, "by": line.source, "reason": line.reason, "on": list(line.holders)}
    return f"{_LINE_START}{line.policy}] {json.dumps(waiver, ensure_ascii=False)}: {line.message}"


def parse_waived_line(text: str) -> WaivedLine | None:
    """The :class:`WaivedLine` that :func:`render_waived_line` wrote, or None for any other text."""
    if not text.startswith(_LINE_START):
        return None
    end = text.find("] ", len(_LINE_START))
    if end < 0:
        return None
    policy = text[len(_LINE_START) : end]
    try:
        waiver, after = json.JSONDecoder().raw_decode(text, end + 2)
    except ValueError:
        return None
    if not isinstance(waiver, dict) or not text.startswith(": ", after):
        return None
    holders = waiver.get("on")
    fields = (waiver.get("until"), waiver.get("by"), waiver.get("reason"))
    if not all(isinstance(value, str) for value in fields) or not isinstance(holders, list):
        return None
    return WaivedLine(
        policy,
        str(waiver["until"]),
        str(waiver["by"]),
        str(waiver["reason"]),
        tuple(str(urn) for urn in holders),
        text[after + 2 :],
    )
