"""Secrets are masked in every rendering: repr (either quote kind, backslashes, control characters),
JSON-escaped, unicode-escaped, and renderings of renderings; in log lines and re-raised exceptions.

Property-based: hypothesis draws secrets from an alphabet heavy in the characters that change a
rendering (quotes, backslashes, control and non-ASCII characters), puts one rendering in a handler's
exception, and checks that no rendering of the secret survives anywhere the helper writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, SecretStr
from runtime_events import eventbridge_event, sns_event, sqs_event
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import MASK, HandlerFailed, secure_handler
from secure_serverless.runtime._secrets import renderings, scrub

#: Ways code puts a value into an exception message or a log line.
RENDERINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "f-string !r": lambda s: f"{s!r}",
    "KeyError str": lambda s: str(KeyError(s)),
    "repr in a list": lambda s: repr([s, "x"]),
    "repr in a dict": lambda s: repr({"token": s}),
    "repr next to both quotes": lambda s: repr("it's \"" + s),
    "repr next to a single quote": lambda s: repr("it's " + s),
    "ascii()": lambda s: ascii(s),
    "JSON": lambda s: json.dumps(s),
    "JSON, not ASCII-only": lambda s: json.dumps({"t": s}, ensure_ascii=False),
    "unicode_escape": lambda s: s.encode("unicode_escape").decode("ascii"),
    "repr of repr": lambda s: repr(repr(s)),
    "JSON of repr": lambda s: json.dumps(f"{s!r}"),
    "repr of JSON": lambda s: repr(json.dumps(s)),
}
_TRICKY = list("'\"\\\n\r\t\x00\x01\x1b\x7f\x85\u2028\u00e9\u00a0\U0001f600{}%")
SECRETS = st.text(
    alphabet=st.sampled_from(_TRICKY) | st.characters(codec="utf-8", exclude_characters="*"),
    min_size=8,
    max_size=24,
)
TEMPLATE = "upstream refused <{}> (step 3)"


def _survivors(text: str, secret: str) -> list[str]:
    return [form for form in renderings(secret) if form in text]


def _fresh(secret: str) -> None:
    # A secret that is part of the fixed text around it (or of the mask) cannot be told apart from it.
    assume(all(secret not in fixed for fixed in (TEMPLATE, MASK, "upstream refused <", "> (step 3)")))


@pytest.mark.parametrize("rendering", list(RENDERINGS))
@settings(max_examples=60, deadline=None)
@given(secret=SECRETS)
def test_scrub_masks_every_rendering(rendering: str, secret: str) -> None:
    _fresh(secret)
    text = TEMPLATE.format(RENDERINGS[rendering](secret))
    scrubbed = scrub(text, [secret])
    assert _survivors(scrubbed, secret) == []
    assert MASK in scrubbed


def test_renderings_cover_the_reported_leaks() -> None:
    secret = "a\\b'c\"d\x01e"  # backslash, both quote kinds, a control character
    for text in (str(KeyError(secret)), f"{secret!r}", json.dumps(secret), ascii(secret)):
        assert scrub(text, [secret]) != text and secret not in scrub(text, [secret])


class Login(BaseModel):
    user: str
    token: SecretStr


def _login(secret: str) -> str:
    return json.dumps({"user": "ann", "token": secret})


def _raiser(rendering: str) -> Callable[[Login, Any], None]:
    def fn(login: Login, ctx: Any) -> None:
        value = login.token.get_secret_value()
        if rendering == "KeyError str":
            raise KeyError(value)  # str(KeyError(x)) is repr(x)
        raise RuntimeError(TEMPLATE.format(RENDERINGS[rendering](value)))

    return fn


def _assert_nothing_leaked(secret: str, captured: Captured, *texts: str) -> None:
    for log in captured.logs:
        # Everything that can carry input: the message (the rest are ids, names and source locations).
        assert _survivors(log["errorMessage"], secret) == []
        assert MASK in log["errorMessage"] or log["errorMessage"].startswith("<message withheld")
    for text in texts:
        assert _survivors(text, secret) == []


@pytest.mark.parametrize("rendering", ["KeyError str", "f-string !r", "repr next to both quotes", "JSON of repr"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=SECRETS)
def test_reraised_exception_and_log_line_never_hold_the_secret(
    rendering: str, secret: str, context: FakeContext, capsys: pytest.CaptureFixture[str]
) -> None:
    """SNS re-raises (Lambda puts the message in the DLQ's ErrorMessage); SQS logs and reports the record."""
    _fresh(secret)
    capsys.readouterr()
    sns = secure_handler(_raiser(rendering), model=Login, envelope="sns")
    with pytest.raises(Exception) as info:
        sns(sns_event(_login(secret)), context)
    assert isinstance(info.value, KeyError | RuntimeError | HandlerFailed)
    sqs = secure_handler(_raiser(rendering), model=Login, envelope="sqs")
    assert sqs(sqs_event(_login(secret)), context) == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    raw = capsys.readouterr().out
    captured = Captured(raw=raw)
    captured.logs = [json.loads(line) for line in raw.splitlines() if '"handler_error"' in line]
    assert len(captured.logs) == 2
    _assert_nothing_leaked(secret, captured, str(info.value), repr(info.value))


def test_eventbridge_reraise_of_a_repr_with_both_quotes(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    secret = "p'a\"s\\s\tw0rd"
    handler = secure_handler(_raiser("KeyError str"), model=Login, envelope="eventbridge")
    with pytest.raises(KeyError) as info:
        handler(eventbridge_event({"user": "ann", "token": secret}), context)
    _assert_nothing_leaked(secret, stdout(), str(info.value))
    assert MASK in str(info.value)
