"""The built wheel, installed into a fresh virtualenv outside the repository, works as a user's project uses it.

The virtualenv gets the wheel alone (``--no-deps``); its dependencies (pulumi, pydantic, ...) come from
this test environment's site-packages through a ``.pth`` path line. A path line adds the directory to
``sys.path`` after the virtualenv's own site-packages and does not run that directory's ``.pth`` files,
so this checkout's editable install stays invisible: every ``secure_serverless`` file comes from the
wheel, which the first test asserts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from secure_serverless.check.engine import PackProcess, run_analysis
from secure_serverless.check.model import RecordedResource

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACK_SOURCE = ROOT / "policy_packs" / "secure_serverless"
_SOURCES = ("pyproject.toml", "setup.py", "README.md", "components", "policy_packs")
_JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", ".mypy_cache")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    python: Path
    cli: Path
    site_packages: Path


def _run(*args: str | Path, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, check=False, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    assert not work.resolve().is_relative_to(ROOT)
    source = work / "source"  # built from a copy: the build leaves nothing in the checkout
    source.mkdir()
    for name in _SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=_JUNK)
        else:
            shutil.copy2(path, source / name)
    dist = work / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, source)
    [wheel] = dist.glob("secure_serverless-*.whl")

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel)
    site_packages = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    (site_packages / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return Installed(wheel, venv, python, venv / "bin" / "secure-serverless", site_packages)


def test_the_package_and_its_pack_come_from_the_wheel(installed: Installed) -> None:
    where = _run(installed.python, "-c", "import secure_serverless; print(secure_serverless.__file__)").stdout
    assert Path(where.strip()).is_relative_to(installed.site_packages)
    # Every file of the pack's source ships (the engine needs each rule module and the data they read).
    shipped = {
        name.removeprefix("secure_serverless/_pack/")
        for name in zipfile.ZipFile(installed.wheel).namelist()
        if name.startswith("secure_serverless/_pack/")
    }
    expected = {
        p.relative_to(PACK_SOURCE).as_posix()
        for p in PACK_SOURCE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected <= shipped
    version = _run(installed.cli, "--version").stdout.strip()
    assert version == f"secure-serverless {_project_version()}"


def _project_version() -> str:
    import tomllib

    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


SECURE_PROGRAM = """\
import pulumi
import pulumi_aws as aws

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs

print("building the orders stack")  # programs print; the report on stdout must still parse
table = aws.dynamodb.Table(
    "orders",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
)
api = SecureFunction(
    "orders-api",
    SecureFunctionArgs(
        handler="app.handler",
        code=pulumi.FileArchive("./app"),
        grants=[Grant(actions=["dynamodb:GetItem", "dynamodb:PutItem"], resources=[table.arn])],
        tags={"team": "orders", "service": "orders", "environment": "dev", "cost-center": "cc-1"},
    ),
)
topic = aws.sns.Topic("events", kms_master_key_id="alias/aws/sns")
pulumi.export("function", api.arn)
"""

INSECURE_ADDITION = """
aws.sqs.Queue("unencrypted", sqs_managed_sse_enabled=False)
"""


def _write_project(directory: Path, program: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text("name: wheel-user\nruntime: python\n", encoding="utf-8")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    (directory / "__main__.py").write_text(program, encoding="utf-8")
    (directory / "app").mkdir()
    (directory / "app" / "app.py").write_text("def handler(event, context):\n    return {}\n", encoding="utf-8")
    return directory


def test_check_a_users_program_with_the_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    secure = _write_project(tmp_path / "secure", SECURE_PROGRAM)
    run = _run(installed.cli, "check", "--format", "json", cwd=secure, check=False)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)  # the program's print went to stderr
    assert "building the orders stack" in run.stderr
    assert document["passed"] is True
    assert document["pack"]["version"] == _project_version()
    types = {f["resourceType"] for f in document["findings"]}
    assert "aws:lambda/function:Function" not in types

    insecure = _write_project(tmp_path / "insecure", SECURE_PROGRAM + INSECURE_ADDITION)
    run = _run(installed.cli, "check", "--format", "json", cwd=insecure / "app", check=False)  # Pulumi.yaml upward
    assert run.returncode == 1, run.stderr
    blocking = {(f["policy"], f["resourceName"]) for f in json.loads(run.stdout)["findings"] if f["blocking"]}
    assert blocking == {("sqs-encrypted", "unencrypted")}


def test_pack_install_writes_a_pack_the_engine_can_run(installed: Installed, tmp_path: Path) -> None:
    target = tmp_path / "policy"
    run = _run(installed.cli, "pack", "install", target)
    assert f"pulumi preview --policy-pack {target}" in run.stdout
    assert (target / "__main__.py").is_file() and (target / "guardrails" / "__init__.py").is_file()
    assert yaml.safe_load((target / "PulumiPolicy.yaml").read_text())["version"] == _project_version()
    pins = {
        line.split("==")[0]: line.split("==")[1]
        for line in (target / "requirements.txt").read_text().splitlines()
        if "==" in line
    }
    import importlib.metadata

    for name in ("pulumi", "pulumi-policy", "policy_sentry"):
        assert pins[name] == importlib.metadata.version(name)
    # A second install into the same directory needs --force; nothing is half-written.
    again = _run(installed.cli, "pack", "install", target, check=False)
    assert again.returncode == 2 and "--force" in again.stderr

    queue = RecordedResource(
        type="aws:sqs/queue:Queue",
        name="plain",
        urn="urn:pulumi:dev::wheel-user::aws:sqs/queue:Queue::plain",
        inputs={"sqsManagedSseEnabled": False},
    )
    with PackProcess(target, python=str(installed.python), project="wheel-user", stack="dev") as pack:
        result = run_analysis(pack, [queue], project="wheel-user", stack="dev")
    violations = {(f.policy, f.urn) for f in result.findings if f.kind == "violation"}
    assert ("sqs-encrypted", queue.urn) in violations


def test_missing_pack_requirement_stops_the_check_naming_the_pip_install(installed: Installed, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    _run(installed.cli, "pack", "install", pack)
    with (pack / "requirements.txt").open("a", encoding="utf-8") as requirements:
        requirements.write("secure-serverless-missing-helper==1.0\n")
    program = _write_project(tmp_path / "program", SECURE_PROGRAM)
    run = _run(installed.cli, "check", program, "--pack", pack, "--format", "json", check=False)
    assert run.returncode == 2
    assert "pip install 'secure-serverless-missing-helper==1.0'" in run.stderr
    assert "building the orders stack" not in run.stderr  # refused before the program ran
    assert json.loads(run.stdout)["error"]["message"].startswith("the policy pack in")


def test_one_version_everywhere() -> None:
    from secure_serverless.check.packs import package_version

    version = _project_version()
    assert yaml.safe_load((PACK_SOURCE / "PulumiPolicy.yaml").read_text())["version"] == version
    sys.path.insert(0, str(PACK_SOURCE))
    import guardrails

    assert version == guardrails.PACK_VERSION
    assert package_version() == version
