"""Recognise values that look like credentials: the one detector of SecureFunction and the policy pack.

SecureFunction refuses an environment variable, and the pack's ``lambda-no-secrets-in-env`` and
``ssm-no-plaintext-credentials`` fail a resource, exactly when :func:`credential_kind` names a kind.

A value is judged in three ways, strongest first:

1. **Formats** that are credentials whatever the name: AWS access key ids, private keys (PEM, PGP,
   OpenSSH; with or without their header line, or wrapped in base64), provider tokens (GitHub,
   GitLab, Slack, Stripe, Google, SendGrid, npm, PyPI, OpenAI, ...), JSON web tokens, passwords in
   URLs, ``Bearer``/``Basic`` authorization values.
2. **Secret names**: a name whose last word is a secret noun (``DB_PASSWORD``, ``DB_PASS``,
   ``API_TOKEN``, ``CLIENT_SECRET``, ``SIGNING_KEY``) holds a secret, whatever its length or
   alphabet, unless the value is a reference: an ARN, a dynamic reference, a URL, an SSM parameter
   path or secret name made of words (``/prod/orders/db-password``), a placeholder, or empty.
3. **Random tokens under secret-ish names**: a name that mentions a secret without being one
   (``CLIENT_SECRET_ID``, ``SECRET_ARN``, ``STRIPE_KEY``) is flagged only when the value holds a
   random-looking token (long, high entropy, not made of words).

Structured values are opened too: JSON (each field judged under its own key), ``key=value`` lists
(connection strings, query strings), YAML-like ``key: value`` lines, and values that are entirely
base64.

Every pattern opens with a literal and is bounded, so the work is linear in the value's length (a
200 KB value is judged in milliseconds); the work is also budgeted, and a value that exhausts the
budget (far beyond anything AWS accepts) is refused rather than judged for unbounded time.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterator

from .credential_formats import (
    CHARACTERS_PER_PIECE,
    Budget,
    TooLarge,
    decode_base64,
    format_kind,
    without_layout,
)

ENTROPY_THRESHOLD = 3.5  # bits per character (the pack's minimumEntropyMillibits default, 3500)
MIN_ENTROPY_LENGTH = 16
_WHOLE_TOKEN_LENGTH = 20  # a token of short parts is judged whole from this length
HEX_ENTROPY_ALLOWANCE = 0.5  # bits per character less asked of hex tokens
_MAX_DEPTH = 3  # JSON in base64 in a key=value list is as deep as real configuration goes
_MAX_REFERENCE_LENGTH = 2048  # SSM parameter names and secret names are far shorter
_MIN_OPENED = 24  # shortest field that can still hide base64, JSON or key=value text

HIGH_ENTROPY = "a high-entropy secret"
SECRET_UNDER_NAME = "a secret value under a secret-like name"
TOO_LARGE = "a value too large or too finely structured to judge (far beyond what AWS accepts)"

# -- 2./3. names (1. formats: credential_formats.py) -----------------------------------------------
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# Nouns that make a name a secret when they end it (DB_PASSWORD, REDIS_AUTH, API_TOKEN, CREDS).
_SECRET_NOUNS = frozenset({
    "password", "passwd", "pwd", "pass", "passphrase", "passcode", "secret", "token", "credential",
    "credentials", "creds", "cred", "apikey", "auth", "secretkey", "accesskey", "privatekey",
})
# Nouns long enough to end a one-word name too (PGPASSWORD, XSRFTOKEN); not "pass" (BYPASS), "auth" (OAUTH).
_COMPOUND_SUFFIXES = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credentials")
# Plurals name collections or counts (APP_SECRETS, MAX_TOKENS=4096): they only mention a secret.
_SECRET_PLURALS = frozenset({"passwords", "secrets", "tokens", "apikeys", "keys"})
# Words that make "<word> KEY" a secret key (API_KEY, SIGNING_KEY, SECRET_KEY, ...).
_SECRET_KEY_QUALIFIERS = frozenset({
    "api", "access", "secret", "private", "signing", "sign", "encryption", "encrypt", "auth", "master",
    "hmac", "session", "shared", "consumer", "app", "account", "jwt", "license", "decryption",
})
# Words that trail a secret noun without changing what the variable holds (DB_PASSWORD_VALUE).
_TRANSPARENT = frozenset({
    "value", "plain", "plaintext", "raw", "string", "str", "b64", "base64", "hex", "encoded", "pem", "data",
    "content", "contents", "text", "der",
})
# Words that say the named thing is public or lives in a key service (never secret material).
_PUBLIC = frozenset({"public", "publishable", "pub", "site", "kms", "cmk"})
# Last words that make the variable a fingerprint of a secret, not the secret (API_KEY_HASH).
_DIGEST = frozenset({"hash", "digest", "fingerprint", "checksum", "sha", "sha1", "sha256", "sha512", "md5", "etag"})
# Values that switch or name a mechanism rather than hold a secret (REQUIRE_AUTH=true, API_AUTH=cognito).
_SETTINGS = frozenset({
    "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "nil", "required",
    "optional", "iam", "aws_iam", "cognito", "jwt", "oidc", "oauth", "oauth2", "saml", "basic", "bearer",
    "apikey", "api_key", "mtls", "sigv4", "lambda", "custom",
})
# Words inside a value that make a word list the *name* of a secret (orders-db-password).
_REFERENCE_WORDS = frozenset({
    "password", "passwd", "pwd", "secret", "secrets", "token", "tokens", "credential", "credentials",
    "creds", "key", "keys", "apikey", "passphrase",
})


@functools.lru_cache(maxsize=1024)
def _name_tier(name: str) -> int:
    """2 if the name says it holds a secret, 1 if it only mentions one, 0 otherwise."""
    words = [word.lower() for word in _NAME_WORDS.findall(name[:256])]
    if not words or _PUBLIC.intersection(words):
        return 0
    while len(words) > 1 and words[-1] in _TRANSPARENT:
        words.pop()
    last = words[-1]
    if last in _DIGEST:
        return 0
    if last in _SECRET_NOUNS or last.endswith(_COMPOUND_SUFFIXES):
        return 2
    if last == "key" and len(words) > 1 and words[-2] in _SECRET_KEY_QUALIFIERS:
        return 2
    if last == "key" or any(word in _SECRET_NOUNS or word in _SECRET_PLURALS for word in words):
        return 1
    return 0


# -- references and random tokens --------------------------------------------------------------------
_ARN = re.compile(r"arn:aws[a-z-]{0,10}:[a-z0-9-]{1,64}:[a-z0-9-]{0,32}:(?:[0-9]{12}|aws)?:\S{1,2048}")
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[a-z-]{1,32}:[^{}]{1,2048}\}\}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}://\S{1,4096}")
_PLACEHOLDER = re.compile(r"\{{1,2}\s{0,4}[\w.-]{1,64}\s{0,4}\}{1,2}|\$\{[\w.:/-]{1,128}\}|<[\w -]{1,64}>|%[sd]")
_PATH = re.compile(r"/?[\w.@+=-]{1,512}(?:/[\w.@+=-]{1,512})*/?", re.ASCII)
_NAME_LIST = re.compile(r"[a-z0-9]{1,64}(?:[-_.][a-z0-9]{1,64}){1,16}")
_PUBLIC_KEY = re.compile(
    r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com) AAAA"
    r"|-----BEGIN (?:[A-Z0-9 ]{0,20}PUBLIC KEY(?: BLOCK)?|CERTIFICATE)-----"
)
# Everything but token characters becomes a space, so str.split finds the tokens (faster than re).
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_~.-")
_TOKEN_SEPARATORS = str.maketrans({chr(code): " " for code in range(128) if chr(code) not in _TOKEN_CHARS})
_TOKEN_PART = re.compile(r"[A-Za-z0-9+/=]{16,}")
_PART_SEPARATORS = str.maketrans(dict.fromkeys("_~.-", " "))
_ALPHA_RUN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_INTERLEAVED_DIGITS = re.compile(r"(?<=[A-Za-z])[0-9]+(?=[A-Za-z])")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
# The letter pairs that make up 97% of those in English technical text (counted once over Python's
# documentation topics and pulumi_aws's input docs); random letters hit only a third of them.
_COMMON_BIGRAMS = frozenset({
    "ab", "ac", "ad", "ag", "ai", "al", "am", "an", "ap", "ar", "as", "at", "au", "ay", "ba", "be", "bl", "bo",
    "bu", "ca", "cc", "ce", "ch", "ci", "ck", "cl", "co", "cr", "ct", "cu", "cy", "da", "de", "dg", "di", "do",
    "dp", "ds", "du", "ea", "ec", "ed", "ee", "ef", "eg", "el", "em", "en", "eo", "ep", "eq", "er", "es", "et",
    "ev", "ew", "ex", "ey", "fa", "fi", "fl", "fo", "fr", "ga", "ge", "gi", "gr", "gs", "gu", "ha", "he", "hi",
    "ho", "ht", "ia", "ic", "id", "ie", "if", "ig", "il", "im", "in", "io", "ip", "ir", "is", "it", "iv", "iz",
    "je", "ke", "la", "ld", "le", "lf", "li", "ll", "lo", "ls", "lt", "lu", "ly", "ma", "mb", "me", "mi", "mo",
    "mp", "mu", "na", "nc", "nd", "ne", "nf", "ng", "ni", "nl", "nn", "no", "np", "ns", "nt", "nu", "oa", "ob",
    "oc", "od", "of", "og", "oi", "ol", "om", "on", "oo", "op", "or", "os", "ot", "ou", "ov", "ow", "pa", "pe",
    "pi", "pl", "po", "pp", "pr", "pt", "pu", "qu", "ra", "rc", "rd", "re", "rg", "ri", "rm", "rn", "ro", "rr",
    "rs", "rt", "ru", "rv", "ry", "sa", "sc", "se", "sh", "si", "so", "sp", "ss", "st", "su", "ta", "tc", "te",
    "th", "ti", "to", "tp", "tr", "ts", "tt", "tu", "ty", "ua", "uc", "ud", "ue", "ui", "ul", "um", "un", "up",
    "ur", "us", "ut", "va", "ve", "vi", "wa", "we", "wh", "wi", "wo", "ws", "xt", "yp", "ze",
})
_MIN_COMMON_BIGRAMS = 0.6
# Technical words whose letters are not English-like (mysql, rds): a run equal to one counts as a word.
_TECHNICAL_WORDS = frozenset({
    "mysql", "postgres", "postgresql", "psql", "redis", "github", "gitlab", "jwt", "jwks", "oauth", "rds",
    "dynamodb", "ddb", "sqs", "sns", "kms", "ssm", "ecs", "eks", "ecr", "lambda", "cognito", "kafka", "msk",
    "mongodb", "mongo", "elasticsearch", "opensearch", "sentry", "datadog", "stripe", "twilio", "sendgrid",
    "slack", "webhook", "okta", "saml", "oidc", "kinesis", "firehose", "athena", "glue", "redshift", "aurora",
    "xray", "cloudwatch", "cloudfront", "apigateway", "appsync", "eventbridge", "sfn", "vpc", "subnet", "nat",
    "json", "yaml", "yml", "xml", "csv", "http", "https", "grpc", "smtp", "imap", "ldap", "ftp", "sftp", "ssh",
    "tls", "ssl", "pgp", "gpg", "hmac", "sha", "md", "rsa", "ecdsa", "uuid", "url", "uri", "dns", "cdn", "cors",
    "csrf", "xsrf", "sync", "cfg", "svc", "msg", "txn", "pkg", "lib", "tmp", "env", "prod", "dev", "qa", "uat",
    "iam", "sts", "acm", "waf", "mfa", "otp", "totp", "sso", "npm", "pypi", "nginx",
})


def shannon_entropy(value: str) -> float:
    """Bits of entropy per character of ``value``.

    Examples
    --------
    >>> round(shannon_entropy("aabb"), 2)
    1.0
    """
    if not value:
        return 0.0
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in Counter(value).values())


def _word_like(text: str) -> bool:
    """Made of words (``DbPassword``, ``orders-api``) rather than random characters."""
    letters = sum(1 for ch in text if ch.isalpha())
    digits = sum(1 for ch in text if ch.isdigit())
    if letters == 0:
        return digits <= 8
    if digits > letters or len(_INTERLEAVED_DIGITS.findall(text)) >= 3:
        return False  # words carry digits at their ends (orders2024, x86_64), not inside (hi8loi30nnj)
    mixed_case = text.upper() != text and text.lower() != text
    runs = _ALPHA_RUN.findall(text)
    worded = sum(
        len(run)
        for run in runs
        # long capital runs inside mixed-case text are noise, not acronyms (wJalrXUtnFEMI/...CYEXAMPLEKEY)
        if run.lower() in _TECHNICAL_WORDS
        or (len(run) >= 3 and _VOWEL.search(run) and not (mixed_case and len(run) > 5 and run.isupper()))
    )
    if worded < 0.7 * letters:
        return False
    # Runs of random lower-case letters have vowels too; their letter pairs are rarely English ones.
    pairs = common = 0
    for run in runs:
        lowered = run.lower()
        if len(lowered) <= 3 or lowered in _TECHNICAL_WORDS:
            continue  # abbreviations and short words say little; technical words are words
        for index in range(len(lowered) - 1):
            pairs += 1
            common += lowered[index : index + 2] in _COMMON_BIGRAMS
    return common >= _MIN_COMMON_BIGRAMS * pairs


def _is_reference(value: str) -> bool:
    """Whether a value under a secret name points at the secret (or is no value) instead of being it."""
    text = value.strip()
    if not text or text.lower() in _SETTINGS or _PLACEHOLDER.fullmatch(text) or _PUBLIC_KEY.match(text):
        return True
    if len(text) > _MAX_REFERENCE_LENGTH:
        return False
    if _ARN.fullmatch(text) or _DYNAMIC_REFERENCE.fullmatch(text) or _URL.fullmatch(text):
        return True
    if "/" in text and _PATH.fullmatch(text) and _word_like(text):
        return True
    if _NAME_LIST.fullmatch(text):
        return not _REFERENCE_WORDS.isdisjoint(text.translate(_PART_SEPARATORS).split())
    return False


def _looks_random(token: str, min_entropy: float) -> bool:
    sample = token[:256]
    classes = sum((any(ch.islower() for ch in sample), any(ch.isupper() for ch in sample),
                   any(ch.isdigit() for ch in sample)))
    # Hex draws on 16 symbols, so its entropy tops out lower (detect-secrets also keeps a lower hex limit).
    threshold = min_entropy - HEX_ENTROPY_ALLOWANCE if _HEX.fullmatch(sample) else min_entropy
    # One character class is enough from 20 characters on (a random lower-case secret): words are
    # caught by _word_like.
    enough_classes = classes >= 2 or (classes == 1 and len(sample) >= 20)
    return enough_classes and not _word_like(sample) and shannon_entropy(sample) >= threshold


def _random_token(value: str, min_entropy: float, budget: Budget) -> bool:
    """Whether ``value`` holds a long random-looking token (not a reference, word or identifier)."""
    text = value.strip()
    if _is_reference(text):
        return False
    seen: set[str] = set()
    for token in text.translate(_TOKEN_SEPARATORS).split():
        if len(token) < MIN_ENTROPY_LENGTH or token in seen:
            continue
        seen.add(token)
        budget.spend()
        # A token made of parts joined by - _ . ~ is judged by its parts (prod-TokenTable-1XYZ2ABC3DEF4):
        # one long random part is enough; a long token cut into short parts (url-safe base64 has - and _)
        # is judged whole.
        parts = [token] if _TOKEN_PART.fullmatch(token) else token.translate(_PART_SEPARATORS).split()
        if len(token) >= _WHOLE_TOKEN_LENGTH and all(len(part) < MIN_ENTROPY_LENGTH for part in parts):
            parts = [token]
        if any(len(part) >= MIN_ENTROPY_LENGTH and _looks_random(part, min_entropy) for part in parts):
            return True
    return False


# -- structured values -------------------------------------------------------------------------------
_PAIR_SEPARATORS = str.maketrans(dict.fromkeys(";&?,", " "))
_PAIR_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
_YAML_LINE = re.compile(r"[ \t]{0,64}-?[ \t]{0,8}([A-Za-z][\w.-]{0,63})[ \t]{0,8}:[ \t]{1,8}(\S.*)")
_PRINTABLE = re.compile(r"[\x20-\x7e\t\r\n]")
_BASE64_VALUE = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")


def _json_document(value: str) -> dict[str, object] | list[object] | None:
    """The JSON object or array ``value`` holds, or None."""
    text = value.strip()
    if not text.startswith(("{", "[")):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict | list) else None


def _json_fields(document: object, budget: Budget) -> Iterator[tuple[str, str]]:
    if document is None:
        return
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        key, node = stack.pop()
        budget.spend()
        if isinstance(node, dict):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        elif isinstance(node, str):
            yield key, node
        elif isinstance(node, int | float) and not isinstance(node, bool):
            yield key, str(node)


def _pairs(value: str, budget: Budget) -> Iterator[tuple[str, str]]:
    if "=" in value:
        for piece in value.translate(_PAIR_SEPARATORS).split():
            budget.spend()
            key, sep, inner = piece.partition("=")
            if sep and inner and _PAIR_KEY.fullmatch(key):
                yield key, inner
    if "\n" in value and ":" in value:
        for line in value.splitlines():
            budget.spend()
            match = _YAML_LINE.fullmatch(line)
            if match:
                yield match.group(1), match.group(2).strip().strip("'\"")


def _base64_text(value: str) -> str | None:
    """The text a value decodes to when the whole value is base64 of printable text."""
    text = without_layout(value)
    if len(text) < 24 or not _BASE64_VALUE.fullmatch(text):
        return None
    decoded = decode_base64(text)
    if decoded is None:
        return None
    try:
        plain = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = len(_PRINTABLE.findall(plain[:4096]))
    return plain if printable >= 0.95 * min(len(plain), 4096) else None


def _judge(
    name: str, value: str, min_entropy: float, depth: int, budget: Budget, *, scan: bool = True, floor: int = 0
) -> str | None:
    """``floor``: the least tier the name gets (a field of a document under a secret name gets 1)."""
    budget.spend(1 + len(value) // CHARACTERS_PER_PIECE)
    if scan:  # fields of JSON or key=value text were scanned with their whole value
        kind = format_kind(value, budget)
        if kind is not None:
            return kind
    tier = max(_name_tier(name), floor)
    document = _json_document(value)
    # A JSON document under a secret name (DB_CREDENTIALS) is judged field by field.
    if tier == 2 and document is None and not _is_reference(value):
        text = value.strip()
        randomish = len(text) >= MIN_ENTROPY_LENGTH and _looks_random(text, min_entropy)
        return HIGH_ENTROPY if randomish else SECRET_UNDER_NAME
    if tier == 1 and document is None and _random_token(value, min_entropy, budget):
        return HIGH_ENTROPY
    if depth >= _MAX_DEPTH:
        return None
    # JSON strings may hide a format behind escapes (https:\\/\\/user:pass@...): scan their fields again.
    rescan = "\\" in value
    # Fields of a document under a name that mentions secrets (APP_SECRETS={"github": "..."}) are suspect.
    inherited = 1 if tier >= 1 else 0
    for key, inner in (*_json_fields(document, budget), *_pairs(value, budget)):
        if len(inner) < _MIN_OPENED and max(_name_tier(key), inherited) == 0:
            continue  # too short to hold a format, and nothing names it a secret
        kind = _judge(key or name, inner, min_entropy, depth + 1, budget, scan=rescan, floor=inherited)
        if kind is not None:
            return f"{kind} (in its {key!r} field)" if key and " field)" not in kind else kind
    decoded = _base64_text(value)
    if decoded is not None:
        kind = _judge(name, decoded, min_entropy, depth + 1, budget, floor=floor)
        if kind is not None:
            return kind if kind.endswith("(base64-encoded)") else f"{kind} (base64-encoded)"
    return None


def credential_kind(name: str, value: str, min_entropy: float = ENTROPY_THRESHOLD) -> str | None:
    """What kind of credential ``value`` looks like (or ``None``), given the variable's ``name``.

    Parameters
    ----------
    name
        The environment variable's (or SSM parameter's last path segment's) name, any case or style
        (``DB_PASSWORD``, ``dbPassword``, ``db-password``).
    value
        The value to judge; never echoed in the result.
    min_entropy
        Shannon entropy (bits per character) from which a token counts as random; the pack's
        ``minimumEntropyMillibits`` / 1000.

    Returns
    -------
    str or None
        A phrase naming the kind (``"an AWS access key id"``), or ``None`` when the value is not a
        credential.

    Examples
    --------
    >>> credential_kind("UPSTREAM", "AKIAIOSFODNN7EXAMPLE")
    'an AWS access key id'
    >>> credential_kind("DB_PASS", "hunter2")
    'a secret value under a secret-like name'
    >>> credential_kind("DB_PASSWORD", "/prod/orders/db-password") is None
    True
    """
    try:
        return _judge(name, value, min_entropy, 0, Budget())
    except TooLarge:
        return TOO_LARGE
