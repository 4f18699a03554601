"""Recognise values that look like credentials, so they are refused as environment variables."""

from __future__ import annotations

import math
import re
from collections import Counter

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+")),
    ("a password inside a URL", re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s:@]+:[^/\s@]+@")),
)

_SECRET_NAME = re.compile(r"(PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|AUTH|ACCESS_?KEY|PWD)", re.I)

# References are what we want people to pass: ARNs and parameter/secret names, not values.
_REFERENCE = re.compile(r"^(arn:aws[a-z\-]*:(secretsmanager|ssm|kms):|/[\w.\-/]+$|[\w.\-]+/[\w.\-/]+$)")

ENTROPY_THRESHOLD = 3.5  # bits per character; random base64/hex secrets score ~4-6, words ~2.5-3.2
MIN_ENTROPY_LENGTH = 16


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def credential_kind(name: str, value: str) -> str | None:
    """What kind of credential ``value`` looks like (or ``None``), given the variable's ``name``."""
    for kind, pattern in _PATTERNS:
        if pattern.search(value):
            return kind
    if (
        _SECRET_NAME.search(name)
        and not _REFERENCE.match(value)
        and len(value) >= MIN_ENTROPY_LENGTH
        and " " not in value
        and shannon_entropy(value) >= ENTROPY_THRESHOLD
    ):
        return "a high-entropy secret under a secret-like name"
    return None
