"""The mock runner: realistic outputs, preview unknowns, and leaving the process's GC as it was."""

from __future__ import annotations

import gc

import pulumi_aws as aws
import pytest

from secure_serverless.check.mocks import run_program
from secure_serverless.check.model import UNKNOWN


def _program() -> None:
    key = aws.kms.Key("k", enable_key_rotation=True)
    aws.cloudwatch.LogGroup("lg", name="/aws/lambda/x", kms_key_id=key.arn, retention_in_days=365)


def test_outputs_feed_dependent_inputs() -> None:
    run = run_program(_program, config={"aws:region": "eu-central-1"})
    key, log_group = run.named("k"), run.named("lg")
    assert key.outputs["arn"].startswith("arn:aws:kms:eu-central-1:123456789012:key/")
    assert log_group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert log_group.property_dependencies["kmsKeyId"] == (key.urn,)
    assert log_group.outputs["arn"] == "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/x"


def test_preview_leaves_computed_outputs_unknown() -> None:
    log_group = run_program(_program, preview=True).named("lg")
    assert log_group.inputs["kmsKeyId"] == UNKNOWN
    assert log_group.inputs["retentionInDays"] == 365


@pytest.mark.parametrize("collect", [True, False])
def test_collector_state_is_restored(collect: bool) -> None:
    was_enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        run = run_program(_program, collect_garbage=collect)
        assert len(run.resources) == 2
        assert gc.isenabled() == was_enabled
        if collect:
            assert gc.get_freeze_count() == frozen
        else:
            assert gc.get_freeze_count() > frozen  # the run's objects are parked, never scanned again
    finally:
        gc.unfreeze()


def test_program_errors_propagate_and_leave_the_runtime_usable() -> None:
    def broken() -> None:
        raise RuntimeError("boom in the program")

    with pytest.raises(RuntimeError, match="boom in the program"):
        run_program(broken)
    assert len(run_program(_program).resources) == 2
