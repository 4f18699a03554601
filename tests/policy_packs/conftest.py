"""Fixtures for the policy-pack tests: the in-process analyzer (engine semantics) and a fixed today."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


TODAY = datetime.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _strict_and_fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from guardrails import _policy, _waivers

    monkeypatch.setattr(_policy, "STRICT", True)  # a bug in a check fails the test instead of failing closed
    monkeypatch.setattr(_waivers, "today", lambda: TODAY)
    yield
