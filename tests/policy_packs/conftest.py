"""Fixtures for the policy-pack tests: the in-process analyzer (engine semantics) and a fixed today."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support import TODAY


@pytest.fixture(autouse=True)
def _strict_and_fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from guardrails import _policy, _waivers

    monkeypatch.setattr(_policy, "STRICT", True)  # a bug in a check fails the test instead of failing closed
    monkeypatch.setattr(_waivers, "today", lambda: TODAY)
    yield
