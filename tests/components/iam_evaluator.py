"""Run IAM requests through the independent evaluator (@cloud-copilot/iam-simulate, under Node).

Test-only. The evaluator lives in tests/components/iam_eval/ (``npm ci`` there; .ci/run does it); all
requests of a run go to one Node process (tests/components/iam_eval/evaluate.js).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVAL_DIR = Path(__file__).parent / "iam_eval"
DRIVER = EVAL_DIR / "evaluate.js"

ALLOWED = "Allowed"
DENIED = frozenset({"ImplicitlyDenied", "ExplicitlyDenied"})


@dataclass(frozen=True)
class Request:
    """One request a principal makes, the documents AWS would weigh, and what AWS should decide.

    ``expect`` is ``Allowed``, ``Denied`` (implicitly or explicitly) or ``ExplicitlyDenied``.
    """

    id: str
    principal: str
    action: str
    resource: str
    resource_account: str
    expect: str
    why: str
    identity_policies: tuple[dict[str, Any], ...] = ()
    resource_policy: dict[str, Any] | None = None
    context: dict[str, str | list[str]] = field(default_factory=dict)

    def simulation(self) -> dict[str, Any]:
        sim: dict[str, Any] = {
            "request": {
                "principal": self.principal,
                "action": self.action,
                "resource": {"resource": self.resource, "accountId": self.resource_account},
                "contextVariables": self.context,
            },
            "identityPolicies": [{"name": f"p{i}", "policy": p} for i, p in enumerate(self.identity_policies)],
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
        }
        if self.resource_policy is not None:
            sim["resourcePolicy"] = self.resource_policy
        return sim

    def matches(self, decision: str) -> bool:
        if self.expect == "Denied":
            return decision in DENIED
        return decision == self.expect


@dataclass(frozen=True)
class Decision:
    request: Request
    decision: str
    engine: str
    detail: Any

    @property
    def ok(self) -> bool:
        return self.request.matches(self.decision)

    def describe(self) -> str:
        r = self.request
        return (
            f"{r.id}: {r.principal} {r.action} on {r.resource} -> {self.decision} (expected {r.expect}; "
            f"{r.why}){' ' + str(self.detail)[:400] if self.detail else ''}"
        )


def evaluator_problem() -> str | None:
    """Why the evaluator cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    installed = EVAL_DIR / "node_modules" / "@cloud-copilot" / "iam-simulate"
    if not installed.is_dir() and shutil.which("npm") is not None:
        # the README's test command alone must work on a fresh machine: install the pinned lock file
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--silent"],
                       cwd=EVAL_DIR, capture_output=True, timeout=600, check=False)
    if not installed.is_dir():
        return f"the evaluator is not installed: run `npm ci` in {EVAL_DIR}"
    return None


def evaluate(requests: list[Request]) -> list[Decision]:
    """Evaluate every request in one Node process, in order."""
    payload = json.dumps([{"id": r.id, "simulation": r.simulation()} for r in requests])
    done = subprocess.run(
        ["node", str(DRIVER)], input=payload, capture_output=True, text=True, cwd=EVAL_DIR, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the IAM evaluator failed: {done.stderr[-2000:]}")
    results = json.loads(done.stdout)
    assert [r["id"] for r in results] == [r.id for r in requests]
    return [
        Decision(request, result["decision"], result["engine"], result["errors"] or result["ignoredContextKeys"])
        for request, result in zip(requests, results, strict=True)
    ]
