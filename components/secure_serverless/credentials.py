"""Recognise values that look like credentials, so they are refused as environment variables.

The policy pack's lambda-no-secrets-in-env judges with the same rules (the pack cannot import this
package: the engine installs it from its requirements.txt alone); tests/parity checks that the two
agree, so a value SecureFunction accepts is never refused at deploy time.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_DEFINITE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b(sk|rk)_live_[A-Za-z0-9]{16,}")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a credential in a URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@")),
)
_SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)", re.IGNORECASE
)
# Names and values that are references (what we want people to pass), not secrets.
_REFERENCE_NAME = re.compile(r"(_ARN|_NAME|_ID|_PATH|_PARAM|_PARAMETER|_URL|_REF|_SSM)$", re.IGNORECASE)
_REFERENCE_VALUE = re.compile(r"^(arn:aws[a-z-]*:|/|\{\{resolve:)")
_CHARACTER_CLASSES = tuple(re.compile(p) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))

ENTROPY_THRESHOLD = 3.5  # bits per character (the pack's minimumEntropyMillibits default, 3500)
MIN_ENTROPY_LENGTH = 16


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``."""
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def credential_kind(name: str, value: str, min_entropy: float = ENTROPY_THRESHOLD) -> str | None:
    """What kind of credential ``value`` looks like (or ``None``), given the variable's ``name``."""
    for kind, pattern in _DEFINITE:
        if pattern.search(value):
            return kind
    if not _SECRET_NAME.search(name) or _REFERENCE_NAME.search(name):
        return None
    text = value.strip()
    if _REFERENCE_VALUE.match(text) or len(text) < MIN_ENTROPY_LENGTH or any(ch.isspace() for ch in text):
        return None
    classes = sum(bool(p.search(text)) for p in _CHARACTER_CLASSES)
    if classes >= 2 and shannon_entropy(text) >= min_entropy:
        return "a high-entropy secret"
    return None
