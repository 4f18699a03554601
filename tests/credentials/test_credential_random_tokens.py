"""Generated values, beyond the hand-written corpus: random tokens in the alphabets secrets use are
flagged (under names that mention a secret, and behind a leading / under secret names), and
references built from configuration words never are. Seeded, so a failure is reproducible."""

from __future__ import annotations

import random
import string

import pytest

from secure_serverless.contract.credentials import credential_kind

ALPHABETS = {
    "alphanumeric": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "lower-case and digits": string.ascii_lowercase + string.digits,
    "upper-case and digits": string.ascii_uppercase + string.digits,
    "url-safe base64": string.ascii_letters + string.digits + "-_",
    "base64": string.ascii_letters + string.digits + "+/",
    "lower-case letters": string.ascii_lowercase,
}
SAMPLES = 500
# Words configuration is made of: environments, services, resources, secret nouns, versions.
WORDS = [
    "prod", "staging", "dev", "orders", "payments", "billing", "users", "reporting", "checkout", "inventory",
    "db", "database", "rds", "aurora", "postgres", "mysql", "redis", "cache", "queue", "events", "api",
    "service", "app", "web", "worker", "lambda", "function", "password", "secret", "token", "key", "api-key",
    "credentials", "stripe", "github", "slack", "sendgrid", "twilio", "partner", "upstream", "internal",
    "config", "settings", "v2", "2024", "eu-west-1", "us-east-1", "primary", "replica", "readonly", "admin",
    "master", "rotation", "signing", "encryption", "webhook", "client", "oauth", "cognito", "jwt",
]


def _random_values(alphabet: str, length: int, seed: int) -> list[str]:
    generator = random.Random(seed)
    return ["".join(generator.choice(alphabet) for _ in range(length)) for _ in range(SAMPLES)]


def _styled(words: list[str], style: int) -> str:
    if style == 0:
        return "-".join(words)
    if style == 1:
        return "_".join(words)
    return "".join(word.replace("-", " ").title().replace(" ", "") for word in words)


def _references(seed: int) -> list[str]:
    generator = random.Random(seed)
    values = []
    for _ in range(SAMPLES):
        segments = [
            _styled(generator.sample(WORDS, generator.randint(1, 3)), generator.randint(0, 2))
            for _ in range(generator.randint(2, 5))
        ]
        values.append(("/" if generator.random() < 0.7 else "") + "/".join(segments))
    return values


def _rate(values: list[str], name: str) -> float:
    return sum(credential_kind(name, value) is not None for value in values) / len(values)


# One class only is judged from 32 characters here: at 24, about 4% of random lower-case strings read as words.
CASES = [
    (alphabet, length)
    for alphabet in sorted(ALPHABETS)
    for length in (24, 32)
    if not (alphabet == "lower-case letters" and length < 32)
]


@pytest.mark.parametrize(("alphabet", "length"), CASES)
def test_random_tokens_are_flagged(alphabet: str, length: int) -> None:
    values = _random_values(ALPHABETS[alphabet], length, seed=length)
    mentioned = _rate(values, "CLIENT_SECRET_ID")
    behind_slash = _rate(["/" + value for value in values], "DB_PASSWORD")
    print(f"\n{alphabet}, {length} characters: {mentioned:.1%} flagged under CLIENT_SECRET_ID, "
          f"{behind_slash:.1%} behind a / under DB_PASSWORD")
    assert mentioned >= 0.98
    assert behind_slash >= 0.98


@pytest.mark.parametrize("name", ["DB_PASSWORD", "API_TOKEN", "CLIENT_SECRET", "SECRET_ARN", "TOKEN_TABLE"])
def test_references_made_of_words_are_never_flagged(name: str) -> None:
    values = _references(seed=len(name))
    flagged = [value for value in values if credential_kind(name, value) is not None]
    assert flagged == [], flagged[:5]
