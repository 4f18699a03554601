"""Finding a program like the Pulumi CLI: Pulumi.yaml main, stackConfigDir, stack selection, config values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure_serverless.check.program import SECRET_PLACEHOLDER, ProgramLoadError, load_program

from check_support import EXAMPLE_DIR, INSECURE_DIR, run_cli


def test_example_project_layout() -> None:
    spec = load_program(EXAMPLE_DIR)
    assert spec.project == "secure-serverless-example"
    assert spec.main_dir == EXAMPLE_DIR / "stacks"  # main: stacks/ -> the working directory
    assert spec.main_file == EXAMPLE_DIR / "stacks" / "__main__.py"
    assert spec.stack == "dev"
    assert spec.stack_config_file == EXAMPLE_DIR / "stacks" / "Pulumi.dev.yaml"  # stackConfigDir: stacks
    assert spec.config["aws:region"] == "eu-west-1"
    # Structured values reach the program as JSON, as `pulumi config` hands them over.
    assert json.loads(spec.config["secure-serverless-example:tags"])["team"] == "orders"


def test_insecure_project_layout() -> None:
    spec = load_program(INSECURE_DIR)
    assert (spec.project, spec.stack, spec.main_file) == (
        "secure-serverless-insecure-example",
        "dev",
        INSECURE_DIR / "__main__.py",
    )
    assert spec.config["secure-serverless-insecure-example:team"] == "legacy"


def _project(tmp_path: Path, yaml: str, stacks: dict[str, str]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(yaml)
    (tmp_path / "__main__.py").write_text("")
    for name, body in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(body)
    return tmp_path


def test_stack_selection(tmp_path: Path) -> None:
    project = _project(tmp_path, "name: p\nruntime: python\n", {"staging": "config: {}\n", "prod": "config: {}\n"})
    assert load_program(project).stack == "prod"  # the first, alphabetically
    assert load_program(project, "staging").stack == "staging"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_program(_project(empty, "name: p\nruntime: python\n", {})).stack == "dev"


def test_config_values(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "name: shop\nruntime:\n  name: python\nconfig:\n  size:\n    default: 3\n  owner: team-a\n",
        {
            "dev": "config:\n  shop:size: 5\n  flag: true\n  aws:region: us-east-1\n"
            "  shop:dbPassword:\n    secure: v1:abc==\n  shop:list: [1, 2]\n"
        },
    )
    spec = load_program(project)
    assert spec.config == {
        "shop:size": "5",
        "shop:owner": "team-a",
        "shop:flag": "true",
        "aws:region": "us-east-1",
        "shop:dbPassword": SECRET_PLACEHOLDER,
        "shop:list": "[1,2]",
    }
    assert spec.secret_keys == ("shop:dbPassword",)


def test_main_as_a_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: src/app.py\n")
    spec = load_program(tmp_path)
    assert spec.main_file == tmp_path / "src" / "app.py"
    assert spec.main_dir == tmp_path / "src"


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("runtime: python\n", "no project name"),
        ("name: p\nruntime: nodejs\n", "not supported"),
        ("name: p\nruntime: python\nmain: missing/\n", "does not exist"),
        ("name: p\nruntime: python\nmain: ../elsewhere\n", "inside the project"),
        ("name: [p\n", "cannot read"),
    ],
)
def test_invalid_projects(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(yaml)
    (tmp_path / "__main__.py").write_text("")
    with pytest.raises(ProgramLoadError, match=message):
        load_program(tmp_path)


def test_program_sees_its_config_stack_and_working_directory(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_text("from-the-program-dir")
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (tmp_path / "Pulumi.qa.yaml").write_text("config:\n  probe:retention: 7\n  aws:region: eu-central-1\n")
    (tmp_path / "helpers.py").write_text("RETENTION_DAYS = 1\n")
    (tmp_path / "__main__.py").write_text(
        "import pathlib\nimport pulumi\nimport pulumi_aws as aws\nimport helpers\n"
        "cfg = pulumi.Config()\n"
        "aws.cloudwatch.LogGroup(pathlib.Path('data.txt').read_text(), name=pulumi.get_stack(),\n"
        "    retention_in_days=cfg.require_int('retention') + helpers.RETENTION_DAYS, kms_key_id='k')\n"
    )
    document = run_cli("check", tmp_path, "--stack", "qa", "--format", "json").json()
    finding = next(f for f in document["findings"] if f["policy"] == "logs-retention-set")
    assert finding["resourceName"] == "from-the-program-dir"
    assert "8 days" in finding["message"]
    assert document["stack"] == "qa"


def test_program_modules_win_over_modules_this_process_imported(tmp_path: Path) -> None:
    import sys
    import types

    stale = types.ModuleType("helpers")
    sys.modules["helpers"] = stale  # e.g. another test directory's helpers.py
    try:
        test_program_sees_its_config_stack_and_working_directory(tmp_path)
        assert sys.modules["helpers"] is stale  # restored afterwards
    finally:
        del sys.modules["helpers"]


def test_unreadable_project_files_are_load_errors(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.yaml").write_bytes(b"name: p\nruntime: python\ndescription: caf\xe9\n")  # Latin-1
    with pytest.raises(ProgramLoadError, match="cannot read"):
        load_program(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: 5\n")
    with pytest.raises(ProgramLoadError, match="main must be a path"):
        load_program(tmp_path)


def test_a_stack_without_its_config_file_is_refused_listing_the_stacks(tmp_path: Path) -> None:
    project = _project(tmp_path, "name: p\nruntime: python\n", {"dev": "config: {}\n", "staging": "config: {}\n"})
    run = run_cli("check", project, "--stack", "prod", "--format", "json")
    assert run.code == 2
    assert f"stack 'prod' has no {tmp_path / 'Pulumi.prod.yaml'}" in run.stderr
    assert "stacks of this project: dev, staging" in run.stderr
    assert "did you mean --stack" in run_cli("check", project, "--stack", "stagin").stderr
