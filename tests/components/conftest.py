"""Fixtures for the component tests (helpers live in component_support.py)."""

from __future__ import annotations

import pytest

from secure_serverless.check.mocks import ProgramRun

from component_support import run_one


@pytest.fixture
def default_run() -> ProgramRun:
    return run_one()
