"""Exit codes: 0 clean (advisories allowed), 1 mandatory violations, 2 cannot evaluate; config changes levels."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from check_support import EXAMPLE_DIR, ROOT, run_cli

ONLY_ADVISORY = """
# An unencrypted SNS topic: the pack's sns-encrypted is advisory by default.
aws.sns.Topic("plain-topic")
"""

RAISES = """
def build_table(name):
    settings = {"billing": "PAY_PER_REQUEST"}
    return settings["capacity"]  # a bug in the program itself

aws.sns.Topic("before-the-bug", kms_master_key_id="alias/aws/sns")
build_table("orders")
"""

RAISES_IN_APPLY = """
topic = aws.sns.Topic("t", kms_master_key_id="alias/aws/sns")
topic.arn.apply(lambda arn: int(arn))  # ValueError inside an apply callback
"""

MakeProgram = Callable[..., Path]


def test_clean_program_exits_0(program: MakeProgram) -> None:
    directory = program('aws.sns.Topic("t", kms_master_key_id="alias/my-key")\n')
    run = run_cli("check", directory)
    assert run.code == 0, run.stdout + run.stderr
    assert "No findings" in run.stdout


def test_advisories_alone_exit_0(program: MakeProgram) -> None:
    run = run_cli("check", program(ONLY_ADVISORY), "--format", "json")
    assert run.code == 0
    assert [(f["policy"], f["level"]) for f in run.json()["findings"]] == [("sns-encrypted", "advisory")]


def test_config_file_that_raises_a_level_changes_the_exit_code(program: MakeProgram, tmp_path: Path) -> None:
    config = tmp_path / "pack-config.json"
    config.write_text(json.dumps({"sns-encrypted": "mandatory"}))
    run = run_cli("check", program(ONLY_ADVISORY), "--config", config, "--format", "json")
    assert run.code == 1
    assert [(f["policy"], f["level"], f["blocking"]) for f in run.json()["findings"]] == [
        ("sns-encrypted", "mandatory", True)
    ]


def test_config_file_that_lowers_a_level_and_sets_properties(tmp_path: Path) -> None:
    from check_support import INSECURE_DIR

    config = tmp_path / "pack-config.json"
    config.write_text(
        json.dumps(
            {
                "lambda-url-auth-iam": {"enforcementLevel": "advisory"},
                "logs-retention-set": {"enforcementLevel": "disabled"},
            }
        )
    )
    document = run_cli("check", INSECURE_DIR, "--config", config, "--format", "json").json()
    levels = {(f["policy"], f["level"]) for f in document["findings"]}
    assert ("lambda-url-auth-iam", "advisory") in levels
    assert not any(f["policy"] == "logs-retention-set" for f in document["findings"])
    policy_levels = {p["name"]: p["level"] for p in document["policies"]}
    assert policy_levels["lambda-url-auth-iam"] == "advisory"
    assert policy_levels["logs-retention-set"] == "disabled"


def test_config_all_sets_every_level(program: MakeProgram, tmp_path: Path) -> None:
    config = tmp_path / "pack-config.json"
    config.write_text(json.dumps({"all": "mandatory"}))
    assert run_cli("check", program(ONLY_ADVISORY), "--config", config).code == 1


def test_violation_exits_1(program: MakeProgram) -> None:
    run = run_cli("check", program('aws.sqs.Queue("q", sqs_managed_sse_enabled=False)\n'))
    assert run.code == 1
    assert "MANDATORY sqs-encrypted" in run.stdout


def test_program_that_raises_exits_2_with_its_own_traceback(program: MakeProgram) -> None:
    directory = program(RAISES)
    run = run_cli("check", directory)
    assert run.code == 2
    assert run.stdout == ""
    assert "Traceback (most recent call last):" in run.stderr
    assert f'File "{directory / "__main__.py"}", line 11, in <module>' in run.stderr
    assert 'in build_table\n    return settings["capacity"]' in run.stderr
    assert "KeyError: 'capacity'" in run.stderr
    assert "raised KeyError" in run.stderr


def test_exception_inside_apply_exits_2(program: MakeProgram) -> None:
    run = run_cli("check", program(RAISES_IN_APPLY))
    assert run.code == 2
    assert "ValueError" in run.stderr
    assert "invalid literal for int()" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/nonexistent/program"], "is not a directory"),
        (["check", str(ROOT / "stacks" / "handlers")], "no Pulumi.yaml"),
        (["check", str(EXAMPLE_DIR), "--config", "/nonexistent.json"], "cannot read pack config"),
        (["check", str(EXAMPLE_DIR), "--pack", "/tmp"], "is not a policy pack"),
        (["check", "--stack-export", "/nonexistent.json"], "cannot read"),
    ],
)
def test_unreadable_input_exits_2(args: list[str], message: str) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert message in run.stderr


def test_invalid_config_json_and_schema_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "is not JSON" in run_cli("check", EXAMPLE_DIR, "--config", broken).stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"logs-retention-set": {"minimumRetentionDays": "a year"}}))
    run = run_cli("check", EXAMPLE_DIR, "--config", wrong)
    assert run.code == 2
    assert "logs-retention-set" in run.stderr
    level = tmp_path / "level.json"
    level.write_text(json.dumps({"sns-encrypted": "sometimes"}))
    assert run_cli("check", EXAMPLE_DIR, "--config", level).code == 2


def test_console_script_exit_codes(tmp_path: Path) -> None:
    """The installed entry point, as CI calls it."""
    script = Path(sys.executable).parent / "secure-serverless"
    ok = subprocess.run([str(script), "check", str(EXAMPLE_DIR)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [str(script), "check", str(ROOT / "stacks" / "insecure")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    usage = subprocess.run([str(script), "check", "--format", "xml"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2


def test_traceback_starts_in_the_program_when_main_is_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: nested\nruntime: python\nmain: app/\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text("import pulumi\n\nraise RuntimeError('no region configured')\n")
    run = run_cli("check", tmp_path)
    assert run.code == 2
    first_frame = run.stderr.split("Traceback (most recent call last):\n", 1)[1].splitlines()[0]
    assert first_frame == f'  File "{tmp_path / "app" / "__main__.py"}", line 3, in <module>'
    assert "RuntimeError: no region configured" in run.stderr
    assert "secure_serverless/check" not in run.stderr


def test_stack_export_with_a_bad_pack_or_config_exits_2(tmp_path: Path) -> None:
    from check_support import FIXTURES

    export = FIXTURES / "stack-export-legacy.json"
    run = run_cli("check", "--stack-export", export, "--pack", tmp_path)
    assert run.code == 2
    assert "is not a policy pack" in run.stderr
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"logs-retention-set": {"minimumRetentionDays": "a year"}}))
    run = run_cli("check", "--stack-export", export, "--config", wrong)
    assert run.code == 2
    assert "pack config: invalid config for policy logs-retention-set" in run.stderr


def test_config_file_encodings(program: MakeProgram, tmp_path: Path) -> None:
    binary = tmp_path / "config.json.gz"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe")  # not UTF-8 at all
    run = run_cli("check", program(ONLY_ADVISORY), "--config", binary)
    assert run.code == 2
    assert "is not JSON" in run.stderr
    # What editors and Windows PowerShell's `>` write: UTF-8 with a BOM, UTF-16.
    for encoding in ("utf-8-sig", "utf-16"):
        config = tmp_path / f"{encoding}.json"
        config.write_bytes(json.dumps({"sns-encrypted": "mandatory"}).encode(encoding))
        assert run_cli("check", program(ONLY_ADVISORY), "--config", config).code == 1


def test_an_unexpected_error_exits_2_not_1(program: MakeProgram, monkeypatch: pytest.MonkeyPatch) -> None:
    from secure_serverless.check import runner

    def broken_pack(*args: object, **kwargs: object) -> None:
        raise KeyError("a policy the pack lost")

    directory = program(ONLY_ADVISORY)
    monkeypatch.setattr(runner, "evaluate_in_process", broken_pack)
    run = run_cli("check", directory)
    assert run.code == 2  # 1 would tell CI "mandatory violations"
    assert run.stdout == ""
    assert "Traceback (most recent call last):" in run.stderr
    assert "error: internal error: KeyError" in run.stderr


@pytest.mark.parametrize("call", ["sys.exit(0)", "raise SystemExit('missing config: region')"])
def test_a_program_that_exits_early_exits_2(program: MakeProgram, call: str) -> None:
    # Not 0 ("passed") or 1 ("violations") without a report: what it registered is incomplete.
    run = run_cli("check", program(f'import sys\naws.sqs.Queue("q", sqs_managed_sse_enabled=False)\n{call}\n'))
    assert run.code == 2
    assert run.stdout == ""
    assert "raised SystemExit" in run.stderr
