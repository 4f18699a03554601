"""Credential formats recognised whatever the variable's name, and the work budget of a judgement.

Part of :mod:`credentials` (split along its seam): patterns for tokens, keys and authorization
values, private-key bodies recognised by their DER or OpenSSH structure, and base64 helpers.
"""

from __future__ import annotations

import base64
import binascii
import re

# Work is counted in pieces: a JSON node, a key=value pair, a line, a token, a key-body candidate, or
# 64 characters of text judged (at any depth). A Lambda environment holds 4 KB in all and an SSM
# parameter at most 8 KB, far below the budget (256 KB of text); a value that exceeds it is refused
# (fails closed) instead of taking unbounded time.
MAX_PIECES = 4096
CHARACTERS_PER_PIECE = 64

# -- formats -----------------------------------------------------------------------------------------
# Every pattern opens with a literal (so the engine finds candidates by fast substring search) and
# checks what precedes the literal with a lookbehind placed after it; every repetition is bounded.
# No run is rescanned from each of its positions, so a search is linear in the value's length.
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id",
     re.compile(r"A(?<![A-Z0-9]A)(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a private key", re.compile(r"PRIVATE KEY(?: BLOCK)?-----")),
    ("a GitHub token", re.compile(r"gh(?<![A-Za-z0-9_]gh)[pousr]_[A-Za-z0-9]{36}")),
    ("a GitHub token", re.compile(r"github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9_]{22,255}")),
    ("a GitLab token", re.compile(r"gl(?<![A-Za-z0-9_-]gl)(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,64}")),
    ("a Slack token", re.compile(r"xox(?<![A-Za-z0-9]xox)[abposre]-[A-Za-z0-9-]{10,255}")),
    ("a Slack webhook URL",
     re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_]{1,64}/[A-Za-z0-9_/]{8,255}")),
    ("a Discord webhook URL", re.compile(r"discord(?:app)?\.com/api/webhooks/[0-9]{5,30}/[A-Za-z0-9_-]{20,128}")),
    ("a Stripe secret key", re.compile(r"k_(?<![A-Za-z0-9_][sr]k_)(?<=[sr]k_)(?:live|test)_[A-Za-z0-9]{16,255}")),
    ("a Google API key", re.compile(r"AIza(?<![A-Za-z0-9_-]AIza)[0-9A-Za-z_-]{35}")),
    ("a SendGrid API key", re.compile(r"SG\.(?<![A-Za-z0-9_-]SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    ("a Twilio API key", re.compile(r"SK(?<![A-Za-z0-9]SK)[0-9a-fA-F]{32}(?![A-Za-z0-9])")),
    ("an npm token", re.compile(r"npm_(?<![A-Za-z0-9_]npm_)[A-Za-z0-9]{36}")),
    ("a PyPI token", re.compile(r"pypi-AgE(?<![A-Za-z0-9_-]pypi-AgE)[A-Za-z0-9_-]{50,1024}")),
    ("an OpenAI API key",
     re.compile(r"sk-(?<![A-Za-z0-9_-]sk-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,255}|[A-Za-z0-9]{20}T3BlbkFJ)")),
    ("a Mailchimp API key",
     re.compile(r"-us(?<=[0-9a-f]{32}-us)(?<![A-Za-z0-9][0-9a-f]{32}-us)[0-9]{1,2}(?![0-9])")),
    ("an Azure storage account key", re.compile(r"AccountKey=[A-Za-z0-9+/]{40,128}={0,2}")),
    ("a JSON web token",
     re.compile(r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,8192}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8}")),
    ("a Pulumi access token", re.compile(r"pul-(?<![A-Za-z0-9_-]pul-)[0-9a-f]{40}(?![A-Za-z0-9])")),
    ("a HashiCorp Vault token", re.compile(r"hv[sb]\.(?<![A-Za-z0-9_-]hv[sb]\.)[A-Za-z0-9_-]{24,512}")),
    ("an Anthropic API key", re.compile(r"sk-ant-(?<![A-Za-z0-9_-]sk-ant-)[a-z0-9]{2,10}-[A-Za-z0-9_-]{32,255}")),
    ("a Hugging Face token", re.compile(r"hf_(?<![A-Za-z0-9_]hf_)[A-Za-z]{34}(?![A-Za-z0-9])")),
    ("a DigitalOcean token", re.compile(r"do[opr]_v1_(?<![A-Za-z0-9_]do[opr]_v1_)[0-9a-f]{64}")),
    ("a Shopify token", re.compile(r"shp(?<![A-Za-z0-9_]shp)(?:at|ss|ca|pa)_[0-9a-fA-F]{32}")),
    ("a Docker Hub token", re.compile(r"dckr_pat_(?<![A-Za-z0-9_]dckr_pat_)[A-Za-z0-9_-]{27}")),
    ("a Grafana token", re.compile(r"gl(?<![A-Za-z0-9_]gl)(?:c|sa)_[A-Za-z0-9_+/=-]{32,400}")),
    ("a Postman API key", re.compile(r"PMAK-(?<![A-Za-z0-9_-]PMAK-)[0-9a-f]{24}-[0-9a-f]{34}")),
    ("a Sentry token", re.compile(r"sntr(?<![A-Za-z0-9_]sntr)y[su]_[A-Za-z0-9_+/=-]{40,400}")),
    ("an age secret key", re.compile(r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}")),
    ("a Databricks token", re.compile(r"dapi(?<![A-Za-z0-9_]dapi)[0-9a-f]{32}(?:-[0-9])?(?![A-Za-z0-9])")),
)
_URL_PASSWORD = re.compile(r"://(?<=[A-Za-z0-9+.-]://)[^/\s:@]{0,256}:([^/\s@]{1,256})@")
# A password slot that holds a placeholder or a mask, not a password (postgres://app:${DB_PASSWORD}@db).
_MASKED = re.compile(
    r"\*+|[xX]{3,}|\.{3}|<[^<>]{0,64}>|\$\{[^{}]{0,128}\}|\{\{[^{}]{0,2048}\}\}|\{[\w.-]{0,64}\}|%s|\$[A-Z_][A-Z0-9_]{0,63}"
)
# Matched in the lower-cased value (a literal opening keeps the search fast; the token class is
# case-blind, and Basic credentials are decoded from the original text at the same position).
_BEARER = re.compile(r"bearer(?<![a-z]bearer)\s{1,8}[a-z0-9._~+/-]{12}")
_BASIC_AUTH = re.compile(r"basic(?<![a-z]basic)\s{1,8}([a-z0-9+/]{8,1024}={0,2})(?![a-z0-9+/=])")
# A DER structure's base64 opens with M (0x30, SEQUENCE); the run is read from there.
_DER_BODY = re.compile(r"M[A-Za-z0-9+/]{39,}")
_OPENSSH_BODY = "b3BlbnNzaC1rZXktdjE"  # base64 of "openssh-key-v1", the private key file format

# DER openings of private keys: SEQUENCE, then version INTEGER 0 or 1, then the next field's tag
# (INTEGER: PKCS#1 RSA/DSA; SEQUENCE: PKCS#8; OCTET STRING: SEC1 EC). Certificates and public keys
# open with SEQUENCE, SEQUENCE instead, so they never match.
_DER_PRIVATE = re.compile(rb"\x30(?:[\x00-\x7f]|\x81.|\x82..|\x83...)\x02\x01[\x00\x01][\x02\x30\x04]", re.DOTALL)
# EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID pkcs5 (PBES2/PBKDF2) or pkcs12 PBE ...
_DER_ENCRYPTED = re.compile(
    rb"\x30(?:[\x00-\x7f]|\x81.|\x82..)\x30(?:[\x00-\x7f]|\x81.|\x82..)\x06[\x09\x0a]"
    rb"\x2a\x86\x48\x86\xf7\x0d\x01(?:\x05|\x0c\x01)",
    re.DOTALL,
)


def decode_base64(text: str) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def without_layout(value: str) -> str:
    """``value`` without line breaks (escaped ones too) and spaces, as a key body is read."""
    if "\\" in value:
        value = value.replace("\\n", "").replace("\\r", "")
    return "".join(value.split())


class TooLarge(Exception):
    """The value has more pieces than any deployable value: judging stops and the value is refused."""


class Budget:
    """Pieces still to judge, shared by the whole recursion: each field, token or key-body candidate is
    one, and every text judged (the value, a field, decoded base64) costs one per 64 characters."""

    def __init__(self) -> None:
        self.pieces = MAX_PIECES

    def spend(self, pieces: int = 1) -> None:
        self.pieces -= pieces
        if self.pieces < 0:
            raise TooLarge


def _key_body(value: str, budget: Budget) -> bool:
    """A private key's base64 body without its header line (lines joined, escaped newlines too)."""
    if len(value) < 40:
        return False
    joined = without_layout(value)
    if _OPENSSH_BODY in joined:
        return True
    for run in _DER_BODY.finditer(joined):
        budget.spend()
        head = decode_base64(run.group()[:64])
        if head is not None and (_DER_PRIVATE.match(head) or _DER_ENCRYPTED.match(head)):
            return True
    return False


def format_kind(value: str, budget: Budget) -> str | None:
    for kind, pattern in _FORMATS:
        if pattern.search(value):
            return kind
    for match in _URL_PASSWORD.finditer(value):
        budget.spend()
        if not _MASKED.fullmatch(match.group(1)):
            return "a password in a URL"
    lowered = value.lower()
    if _BEARER.search(lowered):
        return "a bearer token"
    for match in _BASIC_AUTH.finditer(lowered):
        budget.spend()
        decoded = decode_base64(value[match.start(1) : match.end(1)])
        if decoded is not None and b":" in decoded:
            return "a basic-auth credential"
    if _key_body(value, budget):
        return "a private key"
    return None
