"""The corpus over the engine protocol: the pack started as the engine starts it judges every adversarial
program exactly as the in-process analyzer does, and the rules issue 8 touched answer with their levels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import CORPUS
from programs import Program

from secure_serverless.check.engine import InProcessAnalyzer, PackProcess, run_analysis

from helpers import name_of

pytestmark = pytest.mark.slow

WAIVER_TAG = "secure-serverless:waiver:"

PACK_DIR = Path(__file__).resolve().parents[3] / "policy_packs" / "secure_serverless"
LEVELS = {
    "iam-lambda-trust-scoped": "mandatory",
    "iam-lambda-trust-source-account": "advisory",
    "iam-no-admin-managed-policies": "mandatory",
    "iam-secret-read-scoped": "mandatory",
    "kms-key-policy-no-wildcard-principal": "mandatory",
    "kms-no-cross-account-access": "mandatory",
    "sqs-no-public-access": "mandatory",
    "sns-no-public-access": "mandatory",
    "secrets-no-public-access": "mandatory",
    "monitoring-function-alarms": "mandatory",
    "lambda-permission-scoped": "mandatory",
}


@pytest.fixture(scope="module", params=[False, True], ids=["update", "preview"])
def pack(request: pytest.FixtureRequest) -> Iterator[tuple[PackProcess, bool]]:
    with PackProcess(PACK_DIR, dry_run=request.param) as process:
        yield process, request.param


def test_the_corpus_is_judged_over_the_protocol_as_in_process(pack: tuple[PackProcess, bool]) -> None:
    process, preview = pack
    local = InProcessAnalyzer(PACK_DIR)
    seen_levels: dict[str, set[str]] = {}
    for entry in CORPUS:
        program = Program(preview)
        entry.build(program)
        if any(WAIVER_TAG in str(r.inputs.get("tags")) for r in program.resources):
            continue  # waiver expiries are judged against the real date here, a fixed one in process
        remote = run_analysis(process, program.resources, config=entry.config, dry_run=preview)
        mine = run_analysis(local, program.resources, config=entry.config, dry_run=preview)
        assert remote.findings == mine.findings, entry.id
        for finding in remote.findings:
            if finding.kind == "violation":
                seen_levels.setdefault(finding.policy, set()).add(finding.level)
        if not preview:
            found = {name_of(f.urn) for f in remote.findings if f.policy == entry.policy and f.kind == "violation"}
            assert found == set(entry.expected), entry.id
    if not preview:
        for policy, level in LEVELS.items():
            assert seen_levels.get(policy) == {level}, policy
    assert process.engine_logs == []
