"""Every benchmark script still imports what it measures (a moved test helper once broke one silently)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[2] / "benchmarks").glob("*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_script_loads(script: Path) -> None:
    run = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120,
                         check=False)
    # argparse scripts print their usage; credentials.py takes no options and runs its (one-second) evaluation
    assert run.returncode == 0, run.stderr[-2000:]
