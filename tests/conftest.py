"""Shared test configuration.

hypothesis is imported up front: when its pytest plugin first imports it at the end of a run that
used the Pulumi runtime, CPython 3.11's AST compiler can fail with "recursion depth mismatch".
"""

from __future__ import annotations

import sys
from pathlib import Path

import hypothesis  # noqa: F401  (see the module docstring)

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policy_packs" / "secure_serverless"
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))
