"""Helpers shared by the test packages: repository paths, the pack in process, the shared catalogue.

Type tokens come from ``secure_serverless.contract.types`` and policy names from
``secure_serverless.contract.policies``: tests import them, never re-declare them.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from secure_serverless.check.generate import CONTRACT_DIR, DOCS_FILE, PACK_CONTRACT_DIR, PACK_DIR, ROOT

# GUARDRAILS.md, the shared catalogue: beside the clone in CI (../shared), beside the worktrees here.
SHARED_CATALOGUE_CANDIDATES = tuple(base / "shared" / "GUARDRAILS.md" for base in (ROOT.parent, ROOT.parent.parent))


#: The fixed "today" of the policy-pack tests (their waiver dates are written against it).
TODAY = datetime.date(2026, 11, 29)


def shared_catalogue() -> Path | None:
    """The shared GUARDRAILS.md, if one sits beside the repository."""
    return next((path for path in SHARED_CATALOGUE_CANDIDATES if path.exists()), None)


def require_shared_catalogue() -> Path:
    """The shared catalogue the registry is compared with. CI always has it beside the clone (a missing one
    fails there); a clone without it (a user's) skips the comparisons, saying why."""
    import os

    import pytest

    path = shared_catalogue()
    if path is None:
        where = [str(p) for p in SHARED_CATALOGUE_CANDIDATES]
        if os.environ.get("CI"):
            pytest.fail(f"GUARDRAILS.md not found at {where}")
        pytest.skip(f"the shared catalogue (GUARDRAILS.md) is not beside this clone: looked at {where}")
    return path


__all__ = [
    "CONTRACT_DIR", "DOCS_FILE", "PACK_CONTRACT_DIR", "PACK_DIR", "ROOT", "TODAY", "require_shared_catalogue",
    "shared_catalogue",
]
