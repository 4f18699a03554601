"""Waivers: narrow (one policy, one resource), reasoned, expiring, and still reported.

Two sources, judged by the same rules (``guardrails.contract.waivers``, shared with SecureFunction
and the checker):

* a resource tag ``secure-serverless:waiver:<policy-name>`` = ``"<YYYY-MM-DD> <reason>"`` on the resource
  the finding is about (or, for resources that cannot carry tags, on the Role/Function they attach to);
* the policy's own config key ``waivers``: ``[{resource, type?, reason, expires}]`` where ``resource``
  is a URN, or the name of a resource that is not a component's child (its type and name are then
  unique in the stack); ``type`` narrows a name to one resource type.

A waiver covers the one resource that carries it: a finding about a resource shared by several
(a policy attached to two roles, a role used by two functions) is waived only when every one of them
waives it. An expired, malformed or partial waiver counts as no waiver; the message says why.

Waived findings are not reported under the waived policy (whose level may block) but handed to the
advisory companion policies ``waived-findings`` / ``waived-stack-findings``, which the pack lists last:
the engine runs a pack's policies in order on one thread per request, so a per-thread buffer carries
the waived findings of this request from the judging policy to the companion.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from guardrails.contract import waivers as contract


def today() -> datetime.date:
    """The pack's clock: today's UTC date (tests replace this function)."""
    return contract.utc_today()


class Holder(Protocol):
    """A resource that may carry a waiver (``guardrails._policy.Res``)."""

    @property
    def urn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def tags(self) -> Any: ...


@dataclass(frozen=True)
class WaiverVerdict:
    """A waiver as declared on one resource, with the verdict on its validity."""

    policy: str
    source: str
    reason: str
    expires: str
    holder: str
    problem: contract.Problem | None

    @property
    def valid(self) -> bool:
        return self.problem is None


def check_waiver(policy: str, source: str, expires: Any, reason: Any, holder: str = "") -> WaiverVerdict:
    """Judge one declared waiver (never raises)."""
    reason_text = reason.strip() if isinstance(reason, str) else ""
    expires_text = expires.strip() if isinstance(expires, str) else ""
    problem = contract.waiver_problem(expires, reason, today())
    return WaiverVerdict(policy, source, reason_text, expires_text, holder, problem)


def tag_waiver(policy: str, holder: Holder) -> WaiverVerdict | None:
    """The waiver for ``policy`` declared in ``holder``'s tags, if any."""
    tags = holder.tags
    if not isinstance(tags, Mapping):
        return None
    value = tags.get(contract.tag_key(policy))
    if value is None:
        return None
    source = contract.tag_source(policy)
    if not isinstance(value, str):
        problem = contract.Problem("invalid", "waiver tag value is unknown or not a string")
        return WaiverVerdict(policy, source, "", "", holder.urn, problem)
    parsed = contract.parse_tag_value(value)
    if parsed is None:
        return WaiverVerdict(
            policy,
            source,
            "",
            "",
            holder.urn,
            contract.Problem("invalid", "waiver tag value must be '<YYYY-MM-DD> <reason>'"),
        )
    return check_waiver(policy, source, parsed[0], parsed[1], holder.urn)


def names_holder(entry: Mapping[str, Any], holder: Holder) -> bool:
    """Whether a pack-config waiver entry names ``holder``: by URN, or by (type and) name where unique."""
    return contract.config_entry_names(entry.get("resource"), entry.get("type"), holder.urn, holder.name, holder.type)


def config_waiver(policy: str, entries: Iterable[Mapping[str, Any]], holder: Holder) -> WaiverVerdict | None:
    """The pack-config waiver for ``policy`` that names ``holder``: a valid one if any."""
    chosen: WaiverVerdict | None = None
    for entry in entries:
        if entry.get("policy") not in (None, policy) or not names_holder(entry, holder):
            continue
        waiver = check_waiver(
            policy,
            contract.config_source(str(entry["resource"])),
            entry.get("expires"),
            entry.get("reason"),
            holder.urn,
        )
        if waiver.valid:
            return waiver
        chosen = chosen or waiver
    return chosen


def holder_waiver(policy: str, holder: Holder, entries: Sequence[Mapping[str, Any]]) -> WaiverVerdict | None:
    """The best waiver of one resource (its tag, then pack config): a valid one if any."""
    candidates = [w for w in (tag_waiver(policy, holder), config_waiver(policy, entries, holder)) if w is not None]
    return next((w for w in candidates if w.valid), candidates[0] if candidates else None)


def waivers_for(
    policy: str, subject: Holder, owners: Sequence[Holder], entries: Sequence[Mapping[str, Any]]
) -> tuple[tuple[WaiverVerdict, ...], WaiverVerdict | None]:
    """(the waivers that silence a finding, the declared waiver that did not count).

    The subject's own valid waiver silences it; otherwise every owner (the resources it is shared
    by) must carry a valid one. With nothing declared, both parts are empty.
    """
    own = holder_waiver(policy, subject, entries)
    if own is not None and own.valid:
        return (own,), None
    if not owners:
        return (), own
    per_owner = [holder_waiver(policy, owner, entries) for owner in owners]
    valid = [w for w in per_owner if w is not None and w.valid]
    if len(valid) == len(owners):
        return tuple(valid), None
    declared = [w for w in per_owner if w is not None]
    invalid = next((w for w in declared if not w.valid), None)
    if own is not None or invalid is not None:
        return (), own or invalid
    if not valid:
        return (), None
    covered = {w.holder for w in valid}
    missing = sorted(owner.name for owner in owners if owner.urn not in covered)
    partial = contract.Problem(
        "invalid",
        f"the finding concerns {len(owners)} resources and a waiver covers only the one carrying it; "
        f"{', '.join(missing)} must waive it too",
    )
    first = valid[0]
    return (), WaiverVerdict(policy, first.source, first.reason, first.expires, first.holder, partial)


# -- hand-off of waived findings to the companion policies ------------------------------------------


@dataclass(frozen=True)
class WaivedFinding:
    """A finding that valid waivers kept from blocking; reported by the companion policy."""

    policy: str
    urn: str
    message: str
    waivers: tuple[WaiverVerdict, ...]

    def render(self) -> str:
        sources = list(dict.fromkeys(w.source for w in self.waivers))
        reasons = list(dict.fromkeys(w.reason for w in self.waivers))
        line = contract.WaivedLine(
            policy=self.policy,
            expires=min(w.expires for w in self.waivers),
            source="; ".join(sources),
            reason="; ".join(reasons),
            holders=tuple(w.holder for w in self.waivers),
            message=self.message,
        )
        return contract.render_waived_line(line)


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
