"""Realistic programs (tests/check/programs/*) run to a verdict offline, with their expected findings.

Each program directory holds a Pulumi project written the way public examples are, and an
``expected.json``: the exit code, (policy, resource) pairs that must be reported, pairs that must
not be (false positives the checker used to produce), substrings of report notes, and extra CLI
arguments. Assertions name policies and resources, never message texts, so that rule wording can
change without touching these programs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from check_support import run_cli

PROGRAMS = Path(__file__).resolve().parent / "programs"
NAMES = sorted(p.name for p in PROGRAMS.iterdir() if (p / "expected.json").is_file())


def _findings(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["policy"], f["resourceName"] or "") for f in document["findings"]}


def test_the_corpus_covers_the_programs_users_copy() -> None:
    assert len(NAMES) >= 15


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_program_runs_to_its_expected_verdict(name: str) -> None:
    directory = PROGRAMS / name
    expected = json.loads((directory / "expected.json").read_text())
    extra = [str(a).replace("{dir}", str(directory)) for a in expected.get("args", [])]
    run = run_cli("check", directory, "--format", "json", *extra)
    assert run.code in (0, 1), run.stderr
    assert run.code == expected["exit"], run.stdout[:2000]
    document = run.json()
    found = _findings(document)
    names = {r["name"] for r in document.get("resources", [])} if "resources" in document else None
    for policy, resource in expected.get("present", []):
        assert (policy, resource) in found, f"{policy} on {resource} missing; found {sorted(found)}"
    for policy, resource in expected.get("absent", []):
        assert (policy, resource) not in found, f"{policy} on {resource} reported: {document['findings']}"
    for fragment in expected.get("notes", []):
        assert any(fragment in note for note in document["notes"]), (fragment, document["notes"])
    if names is not None:
        for resource in expected.get("resources", []):
            assert resource in names


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_program_runs_to_a_verdict_as_a_preview(name: str) -> None:
    """`pulumi preview` accepts these programs: so must the checker, with computed outputs unknown."""
    directory = PROGRAMS / name
    expected = json.loads((directory / "expected.json").read_text())
    extra = [str(a).replace("{dir}", str(directory)) for a in expected.get("args", [])]
    run = run_cli("check", directory, "--preview", "--format", "json", *extra)
    assert run.code in (0, 1), run.stderr
    assert run.json()["preview"] is True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("acme/platform/dev", "expected NAME=FILE"),
        ("acme/platform/dev=/nonexistent/outputs.json", "cannot read /nonexistent/outputs.json"),
        ("acme/platform/dev={dir}/Pulumi.yaml", "is not JSON"),
    ],
)
def test_bad_stack_reference_arguments_exit_2_naming_the_fix(value: str, message: str) -> None:
    directory = PROGRAMS / "stack-reference"
    run = run_cli("check", directory, "--stack-reference", value.replace("{dir}", str(directory)))
    assert run.code == 2
    assert "--stack-reference" in run.stderr and message in run.stderr
