"""The example stack under mocks, once per session: the declaration every review test compares against."""

from __future__ import annotations

from pathlib import Path

import pytest

from secure_serverless.check.model import RecordedResource
from secure_serverless.review.declared import DeclaredFunction, declared_functions, loosened

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def example_resources() -> list[RecordedResource]:
    from secure_serverless.check.program import load_program
    from secure_serverless.check.runner import run_program_spec

    return run_program_spec(load_program(ROOT), preview=False)


@pytest.fixture(scope="session")
def example_functions(example_resources: list[RecordedResource]) -> dict[str, DeclaredFunction]:
    return {f.name: loosened(f) for f in declared_functions(example_resources)}
