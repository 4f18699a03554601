"""Waivers become tags on the child resource that the waived policy judges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from secure_serverless.args import Waiver
from secure_serverless.guardrails import WAIVER_TAG_PREFIX

# policy-name prefix -> the child that carries its waiver tag
_TARGETS: Mapping[str, str] = {
    "lambda": "function",
    "monitoring": "function",
    "iam": "role",
    "kms": "key",
    "logs": "logs",
    "sqs": "queue",
    "sns": "topic",
    "secrets": "function",
    "ssm": "function",
}


def waiver_target(policy: str) -> str:
    """Which child of a SecureFunction carries the waiver for ``policy``."""
    return _TARGETS[policy.split("-", 1)[0]]


def waiver_tags(waivers: Iterable[Waiver]) -> dict[str, dict[str, str]]:
    """Tags to add per child ("function", "role", "key", "logs", "queue", "topic")."""
    by_target: dict[str, dict[str, str]] = {}
    for waiver in waivers:
        by_target.setdefault(waiver_target(waiver.policy), {})[WAIVER_TAG_PREFIX + waiver.policy] = waiver.tag_value()
    return by_target
