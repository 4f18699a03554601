"""tests/policy_packs/rules mirrors the pack: a test module per policy module, a failing case per guardrail."""

from __future__ import annotations

import importlib
from pathlib import Path

from secure_serverless.contract.policies import POLICY_NAMES

from support import PACK_DIR

HERE = Path(__file__).resolve().parent
# pack modules that hold the pack's frame, not policies
FRAME = {"__init__", "waived"}


def _rule_modules() -> list[str]:
    modules = [path.stem for path in (PACK_DIR / "guardrails").glob("*.py") if not path.stem.startswith("_")]
    return sorted(m for m in modules if m not in FRAME)


def test_a_test_module_per_pack_module() -> None:
    tests = {path.stem.removeprefix("test_") for path in HERE.glob("test_*.py")} - {"mirror"}
    assert {m.rstrip("_") for m in _rule_modules()} <= tests


def test_every_guardrail_has_a_failing_case() -> None:
    failing: set[str] = set()
    for path in sorted(HERE.glob("test_*.py")):
        if path.stem == "test_mirror":
            continue
        module = importlib.import_module(path.stem)
        failing |= {param.values[0].policy for param in module.CASES if param.values[0].expected}
    assert failing >= POLICY_NAMES, sorted(POLICY_NAMES - failing)
