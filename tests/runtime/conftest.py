"""Fixtures for the handler-side helper tests: fake Lambda context, stdout capture, a clean environment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from runtime_support import Captured, FakeContext


@pytest.fixture
def context() -> FakeContext:
    return FakeContext()


@pytest.fixture
def stdout(capsys: pytest.CaptureFixture[str]) -> Callable[[], Captured]:
    def read() -> Captured:
        out = capsys.readouterr().out
        captured = Captured(raw=out)
        for line in out.split("\n"):  # Lambda splits its log stream on \n only
            if not line:
                continue
            try:
                doc: Any = json.loads(line)
            except ValueError:
                captured.other.append(line)
                continue
            if isinstance(doc, dict) and "_aws" in doc:
                captured.metrics.append(doc)
            elif isinstance(doc, dict) and doc.get("logger") == "secure_serverless.runtime":
                captured.logs.append(doc)
            else:
                captured.other.append(line)
        return captured

    return read


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in (
        "SECURE_SERVERLESS_METRIC_NAMESPACE",
        "SECURE_SERVERLESS_MAX_PAYLOAD_BYTES",
        "SECURE_SERVERLESS_LOG_LEVEL",
        "AWS_LAMBDA_FUNCTION_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
