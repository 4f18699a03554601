"""The CLI as CI uses it: clean stdout, one-line argument errors, a report file even on exit 2, and every
input error naming the file or flag to fix."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from secure_serverless.check.progress import plural

from check_support import EXAMPLE_DIR, FIXTURES, PACK_DIR, ROOT, run_cli, write_program

MakeProgram = Callable[..., Path]
EXPORT = FIXTURES / "stack-export-legacy.json"

PRINTING = """
import os, subprocess, sys
print("hello from the program")
sys.stdout.write("written to sys.stdout\\n")
os.system("echo from-a-child-process")
aws.sqs.Queue("q", sqs_managed_sse_enabled=False)
"""


def test_program_prints_go_to_stderr_and_stdout_is_the_report(program: MakeProgram) -> None:
    directory = program(PRINTING)
    run = run_cli("check", directory, "--format", "json")
    assert run.code == 1, run.stderr
    assert "sqs-encrypted" in {f["policy"] for f in run.json()["findings"] if f["blocking"]}
    assert "hello from the program" in run.stderr and "written to sys.stdout" in run.stderr
    # The console script, where a child process writes to the inherited descriptor 1.
    script = Path(sys.executable).parent / "secure-serverless"
    for fmt in ("json", "sarif"):
        done = subprocess.run([str(script), "check", str(directory), "--format", fmt], capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        json.loads(done.stdout)
        assert "from-a-child-process" in done.stderr and "hello from the program" in done.stderr


CREDENTIAL = "AKIAIOSFODNN7EXAMPLE"
BAD_ARGUMENTS = f"""
from secure_serverless import Grant, SecureFunction, SecureFunctionArgs

api = SecureFunction(
    "orders-api",
    SecureFunctionArgs(
        handler="orders_api",
        code=pulumi.AssetArchive({{}}),
        memory_size=64,
        memroy_size=512,
        function_url="NONE",
        environment={{"UPSTREAM_KEY": "{CREDENTIAL}"}},
        tags={{"aws:team": "orders"}},
    ),
)
"""


def test_argument_errors_are_one_line_each_with_the_program_location(program: MakeProgram) -> None:
    directory = program(BAD_ARGUMENTS)
    run = run_cli("check", directory)
    assert run.code == 2
    assert run.stdout == ""
    where = f"{directory / '__main__.py'}:10: SecureFunction 'orders-api': "  # the SecureFunctionArgs( line
    lines = run.stderr.splitlines()
    problems = [line.removeprefix(where) for line in lines if line.startswith(where)]
    assert [p.split(": ", 1)[0] for p in problems] == [
        "handler", "memory_size", "environment", "function_url", "tags['aws:team']", "memroy_size",
    ]
    assert lines[-1] == "secure-serverless check: error: the program stopped on invalid SecureFunction arguments"
    assert len(lines) == len(problems) + 1  # nothing else: no frames, no source lines
    text = run.stderr
    assert "Traceback" not in text and "pydantic" not in text and "secure_serverless/" not in text
    assert CREDENTIAL not in text and 'handler="orders_api"' not in text
    assert "did you mean 'memory_size'?" in text
    assert "from 128 to 10240" in text
    assert "'<file>.<function>'" in text
    assert "public endpoint" in text and "function_url='AWS_IAM'" in text
    assert "reserved for tags AWS sets itself" in text and "e.g. 'team'" in text


def test_argument_error_of_a_nested_grant_names_the_component_and_the_list_position(program: MakeProgram) -> None:
    directory = program(
        """
from secure_serverless import Grant, SecureFunction, SecureFunctionArgs

SecureFunction("reader", SecureFunctionArgs(
    handler="app.handler",
    code=pulumi.AssetArchive({}),
    grants=[
        Grant(actions=["dynamodb:GetItem"], resources=["arn:aws:dynamodb:eu-west-1:123456789012:table/t"]),
        Grant(actions=["GetItem"], resources=["arn:aws:dynamodb:eu-west-1:123456789012:table/t"]),
    ],
))
"""
    )
    run = run_cli("check", directory)
    assert run.code == 2
    assert (
        f"{directory / '__main__.py'}:13: SecureFunction 'reader': grants[1].actions: 'GetItem' is not an IAM action."
        in run.stderr
    )


def test_component_errors_raised_by_secure_function_are_one_line_too(program: MakeProgram) -> None:
    directory = program(
        """
from secure_serverless import SecureFunction, SecureFunctionArgs

args = SecureFunctionArgs(handler="app.handler", code=pulumi.AssetArchive({}))
SecureFunction("orders api!", args)
"""
    )
    run = run_cli("check", directory)
    assert run.code == 2
    assert run.stderr.splitlines() == [
        f"{directory / '__main__.py'}:9: SecureFunction name 'orders api!': use 1-40 letters, digits or hyphens, "
        "starting with a letter",
        "secure-serverless check: error: the program stopped on invalid SecureFunction arguments",
    ]


def _sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("fmt", ["sarif", "json"])
def test_exit_2_still_writes_the_report_file(program: MakeProgram, tmp_path: Path, fmt: str) -> None:
    directory = program('raise RuntimeError("no region configured")\n')
    report = tmp_path / f"report.{fmt}"
    run = run_cli("check", directory, "--format", fmt, "-o", report)
    assert run.code == 2
    assert "RuntimeError: no region configured" in run.stderr
    document = json.loads(report.read_text())
    if fmt == "sarif":
        assert list(_sarif_validator().iter_errors(document)) == []
        [invocation] = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        [notification] = invocation["toolExecutionNotifications"]
        assert notification["level"] == "error"
        assert "raised RuntimeError" in notification["message"]["text"]
        assert document["runs"][0]["results"] == []
    else:
        assert document["passed"] is False and document["exitCode"] == 2
        assert "raised RuntimeError" in document["error"]["message"]
    # Without -o, machine formats put the error document on stdout (`> results.sarif` parses too).
    piped = run_cli("check", directory, "--format", fmt)
    assert piped.code == 2 and json.loads(piped.stdout)


def test_argument_errors_in_the_json_error_object(program: MakeProgram) -> None:
    run = run_cli("check", program(BAD_ARGUMENTS), "--format", "json")
    error = run.json()["error"]
    assert error["message"] == "the program stopped on invalid SecureFunction arguments"
    assert any("did you mean 'memory_size'?" in line for line in error["details"])
    assert CREDENTIAL not in run.stdout


SECRET_PORT = """
config = pulumi.Config()
port = int(config.require("dbPort"))  # encrypted in the stack file: the offline check cannot decrypt it
aws.sns.Topic("t", kms_master_key_id="alias/aws/sns", display_name=f"db on {port}")
"""


def test_encrypted_config_needs_a_stand_in_named_by_key_and_flag(program: MakeProgram) -> None:
    directory = program(SECRET_PORT, config="tmp-program:dbPort:\n  secure: v1:AAAbbbCCC=\n")
    run = run_cli("check", directory)
    assert run.code == 2
    assert "--config-value tmp-program:dbPort=VALUE" in run.stderr
    assert "Pulumi.dev.yaml holds encrypted (secure:) value for tmp-program:dbPort" in run.stderr
    run = run_cli("check", directory, "--config-value", "dbPort=5432", "--format", "json")
    assert run.code == 0, run.stderr
    assert "--config-value" not in run.stderr
    bad = run_cli("check", directory, "--config-value", "5432")
    assert bad.code == 2 and "--config-value needs KEY=VALUE" in bad.stderr and "5432" not in bad.stderr


def test_pack_config_unknown_policy_and_bad_level(tmp_path: Path) -> None:
    config = tmp_path / "pack-config.json"
    config.write_text(json.dumps({"lambda-tracing-activ": "mandatory"}))
    run = run_cli("check", EXAMPLE_DIR, "--config", config)
    assert run.code == 2
    assert f"pack config {config}" in run.stderr
    assert "'lambda-tracing-activ' is not a policy of the pack; did you mean 'lambda-tracing-active'?" in run.stderr
    config.write_text(json.dumps({"sns-encrypted": {"enforcementLevel": "blocking"}, "sqs-encrypted": "strict"}))
    run = run_cli("check", EXAMPLE_DIR, "--config", config)
    assert run.code == 2
    assert "sns-encrypted.enforcementLevel: 'blocking' is not an enforcement level" in run.stderr
    levels = "use one of advisory, mandatory, remediate, disabled"
    assert f"sqs-encrypted: 'strict' is not an enforcement level; {levels}" in run.stderr
    config.write_text(json.dumps({"all": "advisory", "sqs-encrypted": {"enforcementLevel": "mandatory"}}))
    assert run_cli("check", EXAMPLE_DIR, "--config", config).code == 0


def _export(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(document))
    return path


def test_stack_exports_without_deployment_or_resources_are_refused_naming_the_file(tmp_path: Path) -> None:
    no_deployment = _export(tmp_path, {"version": 3, "checkpoint": {}})
    run = run_cli("check", "--stack-export", no_deployment)
    assert run.code == 2
    assert f"stack export {no_deployment}: holds no deployment" in run.stderr
    empty = _export(tmp_path, {"version": 3, "deployment": {"manifest": {}, "resources": []}})
    run = run_cli("check", "--stack-export", empty)
    assert run.code == 2
    assert f"stack export {empty}: holds no resources" in run.stderr
    odd = _export(tmp_path, {"deployment": {"resources": [{"type": "aws:sns/topic:Topic"}]}})
    assert f"stack export {odd}: resource without urn/type" in run_cli("check", "--stack-export", odd).stderr


def test_program_dir_and_stack_export_exclude_each_other() -> None:
    run = run_cli("check", EXAMPLE_DIR, "--stack-export", EXPORT)
    assert run.code == 2
    assert "PROGRAM_DIR" in run.stderr and "--stack-export" in run.stderr and "pass one" in run.stderr


def test_encrypted_secrets_in_an_export_get_the_show_secrets_hint(tmp_path: Path) -> None:
    document = json.loads(EXPORT.read_text())
    for resource in document["deployment"]["resources"]:
        if resource["type"] == "aws:lambda/function:Function":
            resource["inputs"]["description"] = {
                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                "ciphertext": "v1:abc==",
            }
    def encrypted_count(export: Path) -> int:
        run = run_cli("check", "--stack-export", export, "--format", "json")
        assert run.code in (0, 1), run.stderr
        [note] = [n for n in run.json()["notes"] if "pulumi stack export --show-secrets" in n]
        return int(note.split(" ", 1)[0])

    assert encrypted_count(_export(tmp_path, document)) == encrypted_count(EXPORT) + 1
    single = {"deployment": {"resources": [document["deployment"]["resources"][-1]]}}
    lambda_only = [r for r in document["deployment"]["resources"] if r["type"] == "aws:lambda/function:Function"]
    single["deployment"]["resources"] = lambda_only[:1]
    lambda_only[0]["outputs"] = {}
    lambda_only[0]["inputs"] = {"description": lambda_only[0]["inputs"]["description"], "runtime": "python3.12"}
    run = run_cli("check", "--stack-export", _export(tmp_path, single), "--format", "json")
    assert next(n for n in run.json()["notes"] if "--show-secrets" in n).startswith("1 secret value is encrypted")


def test_pulumi_yaml_is_found_upward_from_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "stacks" / "handlers")
    run = run_cli("check", "--format", "json")
    assert run.code == 0, run.stderr
    assert run.json()["project"] == "secure-serverless-example"
    monkeypatch.chdir("/")
    run = run_cli("check")
    assert run.code == 2 and "no Pulumi.yaml in / or any directory above it" in run.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    with pytest.raises(SystemExit) as exit_info:
        run_cli("--version")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"secure-serverless {version}\n"


def test_plurals() -> None:
    assert [plural(n, "resource") for n in (0, 1, 2)] == ["0 resources", "1 resource", "2 resources"]
    assert plural(1, "policy") == "1 policy" and plural(3, "policy") == "3 policies"
    assert plural(2, "mandatory violation") == "2 mandatory violations"


def test_progress_counts_reach_their_total_and_use_plurals(program: MakeProgram) -> None:
    directory = program('aws.sns.Topic("t", kms_master_key_id="alias/aws/sns")\n')
    run = run_cli("check", directory, "--progress")
    assert run.code == 0
    counts = [line.rsplit(": ", 1)[1] for line in run.stderr.splitlines() if "one by one: " in line]
    assert counts[-1] == "1/1"  # the topic; the provider is not analysed, as by the engine
    assert "evaluating 1 resource one by one" in run.stderr
    assert run.stderr.rstrip().endswith("] 0 findings")
    assert "policy pack secure-serverless" in run.stdout and "1 resource\n" in run.stdout


def test_pack_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from secure_serverless.check import packs

    installed = tmp_path / "site" / "secure_serverless" / "_pack"
    shutil.copytree(PACK_DIR, installed, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(packs, "INSTALLED_PACK", installed)
    program = write_program(tmp_path / "repo" / "infra" / "app", 'aws.sns.Topic("t")\n')
    assert packs.find_pack_dir(program) == installed  # nothing upward: the installed package's pack
    upward = tmp_path / "repo" / "policy_packs" / "secure_serverless"
    shutil.copytree(PACK_DIR, upward, ignore=shutil.ignore_patterns("__pycache__"))
    assert packs.find_pack_dir(program) == upward
    monkeypatch.setattr(packs, "SOURCE_PACK", tmp_path / "nowhere")
    monkeypatch.setattr(packs, "INSTALLED_PACK", tmp_path / "nowhere")
    with pytest.raises(packs.PackError, match="has no policy pack"):
        packs.find_pack_dir(tmp_path)


def test_missing_pack_requirement_exits_2_before_the_program_runs(program: MakeProgram, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(PACK_DIR, pack, ignore=shutil.ignore_patterns("__pycache__"))
    with (pack / "requirements.txt").open("a") as requirements:
        requirements.write("definitely-not-installed-helper>=2\n")
    run = run_cli("check", program('print("ran")\naws.sns.Topic("t")\n'), "--pack", pack)
    assert run.code == 2
    assert "needs definitely-not-installed-helper, which is not installed" in run.stderr
    assert "pip install 'definitely-not-installed-helper>=2'" in run.stderr
    assert "ran" not in run.stderr.split("\n")


def test_pack_install_refuses_to_overwrite_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "policy"
    assert run_cli("pack", "install", target).code == 0
    assert (target / "PulumiPolicy.yaml").is_file()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("x")
    run = run_cli("pack", "install", other)
    assert run.code == 2 and "holds no policy pack" in run.stderr
    assert sorted(p.name for p in other.iterdir()) == ["todo.txt"]
    assert run_cli("pack", "install", target, "--force").code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind
