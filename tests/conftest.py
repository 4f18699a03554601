"""Shared test configuration.

hypothesis, and the parts of it that it imports lazily, are imported up front. pytest rewrites the
modules of plugin packages when they are first imported, with ast.parse; CPython 3.11's ast.parse
fails with "AST constructor recursion depth mismatch" when a garbage-collector finalizer (an
abandoned asyncio task formatting its traceback) runs a nested parse in the middle of it. Importing
at collection time keeps those parses away from the tests' garbage.
"""

from __future__ import annotations

import hypothesis
import hypothesis.internal.conjecture.optimiser
import hypothesis.internal.observability
import hypothesis.strategies._internal.flatmapped
import hypothesis.strategies._internal.regex  # noqa: F401

from secure_serverless.check.engine import load_pack_package

from support import PACK_DIR

# The pack's package ("guardrails"), importable by the tests as the checker imports it.
load_pack_package(PACK_DIR)
