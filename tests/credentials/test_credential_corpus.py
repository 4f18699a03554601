"""The detector on the labelled corpus: every secret found, (almost) no configuration flagged."""

from __future__ import annotations

from collections import Counter

import pytest
from credential_corpus import Entry, load, score

from secure_serverless.contract.credentials import credential_kind

CORPUS = load()

# The families the corpus must cover (issue 8, item 12, and ordinary configuration).
SECRET_FAMILIES = {
    "aws-access-key-id", "aws-secret-key", "private-key", "pem-body", "pgp-private-key", "base64-wrapped-key",
    "bearer", "url-credentials", "password", "passphrase", "token", "json", "connection-string", "slack", "jwt",
}
CONFIG_FAMILIES = {
    "url", "arn", "table-name", "queue", "issuer-url", "oauth-endpoint", "reset-url", "id", "hash", "flag",
    "version", "json", "path", "reference", "settings", "public-key",
}


def test_corpus_is_large_and_covers_every_family() -> None:
    assert len(CORPUS) >= 150
    secrets = Counter(e.family for e in CORPUS if e.secret)
    config = Counter(e.family for e in CORPUS if not e.secret)
    assert set(secrets) >= SECRET_FAMILIES, SECRET_FAMILIES - set(secrets)
    assert set(config) >= CONFIG_FAMILIES, CONFIG_FAMILIES - set(config)
    assert len({(e.name, e.value) for e in CORPUS}) == len(CORPUS), "duplicate entries"


def test_recall_and_precision() -> None:
    result = score(CORPUS, lambda name, value: credential_kind(name, value) is not None)
    secrets = sum(e.secret for e in CORPUS)
    print(
        f"\ncredential detector on {len(CORPUS)} variables ({secrets} secrets, {len(CORPUS) - secrets} config): "
        f"recall {result.recall:.1%}, precision {result.precision:.1%}"
    )
    missed = [f"{e.family}: {e.name}" for e in result.false_negatives]
    wrong = [f"{e.family}: {e.name} -> {credential_kind(e.name, e.value)}" for e in result.false_positives]
    assert result.recall == 1.0, f"missed: {missed}"
    assert result.precision >= 0.98, f"false alarms: {wrong}"


# The classes issue 8 names, one representative each, so a regression names its class.
ISSUE_CLASSES = [
    ("BACKUP_AWS_SECRET", "value starting with /"),
    ("TLS_KEY_BODY", "PEM body without its header"),
    ("AUTH_HEADER", "Bearer token"),
    ("UPSTREAM_AUTHORIZATION", "Bearer with a tab"),
    ("ALERTS_WEBHOOK_URL", "Slack webhook under an _URL name"),
    ("CLIENT_SECRET_ID", "secret under an _ID name"),
    ("RELEASE_SIGNING", "PGP private key block"),
    ("BROKER", "upper-case URL scheme with a password"),
    ("DB_PASSWORD", "password shorter than 16 characters"),
    ("DB_PASS", "DB_PASS"),
    ("GPG_PASSPHRASE", "lower-case passphrase"),
    ("DB_CONFIG", "secret inside JSON"),
    ("TLS_KEY_B64", "base64-wrapped key"),
    ("TOKEN_ISSUER", "Cognito issuer URL (false alarm)"),
    ("TOKEN_TABLE", "table name (false alarm)"),
    ("TOKEN_URL", "OAuth endpoint (false alarm)"),
    ("PASSWORD_RESET_URL", "password-reset page (false alarm)"),
]


def _entries(name: str) -> list[Entry]:
    return [e for e in CORPUS if e.name == name]


@pytest.mark.parametrize(("name", "what"), ISSUE_CLASSES, ids=[w for _, w in ISSUE_CLASSES])
def test_issue_class(name: str, what: str) -> None:
    entries = _entries(name)
    assert entries, f"the corpus lacks {name}"
    for entry in entries:
        assert (credential_kind(entry.name, entry.value) is not None) == entry.secret, (what, entry.value[:40])


def test_kind_never_echoes_the_value() -> None:
    for entry in CORPUS:
        kind = credential_kind(entry.name, entry.value)
        if kind is not None and len(entry.value) >= 6:
            assert entry.value not in kind
