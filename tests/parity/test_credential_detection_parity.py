"""SecureFunction refuses exactly the environment values the pack's lambda-no-secrets-in-env flags:
the component and the pack keep their own copies of the rules (the pack is installed on its own),
so this test keeps them equal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails.lambda_ import credential_kind as pack_kind
from secure_serverless.credentials import ENTROPY_THRESHOLD, credential_kind

PACK_DEFAULT_MIN_ENTROPY = 3500 / 1000  # the pack's minimumEntropyMillibits default

CORPUS = [
    ("UPSTREAM", "AKIAIOSFODNN7EXAMPLE"),
    ("CERT", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow"),
    ("GH", "ghp_" + "a1B2c3D4e5" * 4),
    ("GH", "github_pat_" + "A1b2_C3d4e" * 3),
    ("SLACK", "xoxb-1234567890-abcdefghij"),
    ("STRIPE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    ("GITLAB", "glpat-abcdefghij1234567890"),
    ("MAPS", "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"),
    ("DB_URL", "postgres://app:hunter2@db:5432/orders"),
    ("API_TOKEN", "q8Zr7Lw2Xv9Tp4Ks1Nm6Bh3J"),
    ("DB_PASSWORD", "correct horse battery staple"),
    ("DB_PASSWORD_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"),
    ("DB_PASSWORD_PARAM", "/orders/db-password"),
    ("API_KEY", "{{resolve:secretsmanager:orders/api-key}}"),
    ("TABLE", "orders"),
    ("LOG_LEVEL", "info"),
    ("SECRET_ARN", "q8Zr7Lw2Xv9Tp4Ks1Nm6Bh3J"),
    ("TOKEN", "aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("AUTH_MODE", "q8Zr7Lw2Xv9Tp4Ks1Nm6Bh3J"),
]


def test_thresholds_agree() -> None:
    assert ENTROPY_THRESHOLD == PACK_DEFAULT_MIN_ENTROPY


@pytest.mark.parametrize(("name", "value"), CORPUS)
def test_corpus_judged_alike(name: str, value: str) -> None:
    assert credential_kind(name, value) == pack_kind(name, value, PACK_DEFAULT_MIN_ENTROPY)


_names = st.sampled_from(["TOKEN", "API_KEY", "DB_PASSWORD", "SECRET_ARN", "TABLE", "X_AUTH", "PRIVATE_KEY_ID"])


@settings(max_examples=1000, deadline=None)
@given(name=_names | st.text(max_size=20), value=st.text(max_size=60))
def test_generated_values_judged_alike(name: str, value: str) -> None:
    assert credential_kind(name, value) == pack_kind(name, value, PACK_DEFAULT_MIN_ENTROPY)
