"""Fixtures for the offline checker's tests (helpers live in check_support.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from check_support import write_program


@pytest.fixture
def program(tmp_path: Path) -> Any:
    """Write a one-file Pulumi program (``body`` after the imports) and return its directory."""

    def make(body: str, **kwargs: Any) -> Path:
        return write_program(tmp_path / "program", body, **kwargs)

    return make
