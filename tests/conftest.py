"""Shared test configuration.

hypothesis, and the parts of it that it imports lazily, are imported up front. pytest rewrites the
modules of plugin packages when they are first imported, with ast.parse; CPython 3.11's ast.parse
fails with "AST constructor recursion depth mismatch" when a garbage-collector finalizer (an
abandoned asyncio task formatting its traceback) runs a nested parse in the middle of it. Importing
at collection time keeps those parses away from the tests' garbage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hypothesis
import hypothesis.internal.conjecture.optimiser
import hypothesis.internal.observability
import hypothesis.strategies._internal.flatmapped
import hypothesis.strategies._internal.regex  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policy_packs" / "secure_serverless"
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))
