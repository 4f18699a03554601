"""The synth benchmark compares like with like: its hand-written program registers the same
resources, with the same inputs, as SecureFunction does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from secure_serverless.check.mocks import run_program

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import synth


def normalise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def test_hand_written_program_registers_what_the_component_registers() -> None:
    component = run_program(synth.component_program(2))
    hand = run_program(synth.hand_written_program(2))
    by_name = {(r.type, r.name): {k: normalise(v) for k, v in r.inputs.items()} for r in hand.resources}
    custom = [r for r in component.resources if r.custom]
    assert {(r.type, r.name) for r in custom} == set(by_name)
    for resource in custom:
        assert {k: normalise(v) for k, v in resource.inputs.items()} == by_name[(resource.type, resource.name)], (
            resource.name
        )
