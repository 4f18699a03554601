"""Waivers become tags on the child resource whose type the waived policy judges.

The child is derived from the pack's catalogue (``contract.policies``): the first child, in the order
below, whose resource type the policy judges. A policy that judges none of them (a secret, a
parameter, a queue policy written by hand) cannot be waived on a SecureFunction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from secure_serverless.contract import types as t
from secure_serverless.contract.policies import CATALOGUE
from secure_serverless.contract.waivers import render_tag_value, tag_key

if TYPE_CHECKING:
    from secure_serverless.args import Waiver

# SecureFunction's children that carry tags, with their types; the first match wins (a policy
# about a function and its alarms or log group is waived on the function; one about a role's
# permissions, which reads the functions to find function roles, on the role its findings concern).
CHILD_TYPES: Mapping[str, str] = {
    "role": t.ROLE,
    "function": t.FUNCTION,
    "key": t.KEY,
    "logs": t.LOG_GROUP,
    "queue": t.QUEUE,
    "topic": t.TOPIC,
    "alarm": t.METRIC_ALARM,
}


def _kind(type_token: str) -> str:
    """``aws:secretsmanager/secretRotation:SecretRotation`` -> ``secret rotation``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_token.rsplit(":", 1)[-1]).lower()


def waiver_target(policy: str) -> str:
    """Which child of a SecureFunction carries the waiver for ``policy``.

    Raises ``ValueError`` with the advice to follow when no child is of a type the policy judges.
    """
    entry = CATALOGUE.get(policy)
    judged = set(entry.types) if entry is not None else set()
    for child, type_token in CHILD_TYPES.items():
        if type_token in judged:
            return child
    kinds = " or ".join(sorted({_kind(token) for token in judged})) or "resource"
    raise ValueError(
        f"policy {policy!r} judges no resource SecureFunction creates, so a waiver here would never apply; "
        f"tag the {kinds} itself instead: tags={{'{tag_key(policy)}': '<YYYY-MM-DD> <reason>'}}, or waive it "
        "in the pack config"
    )


def waiver_tags(waivers: Iterable[Waiver]) -> dict[str, dict[str, str]]:
    """Tags to add per child ("function", "role", "key", "logs", "queue", "topic", "alarm")."""
    by_target: dict[str, dict[str, str]] = {}
    for waiver in waivers:
        tags = by_target.setdefault(waiver_target(waiver.policy), {})
        tags[tag_key(waiver.policy)] = render_tag_value(waiver.expires, waiver.reason)
    return by_target
