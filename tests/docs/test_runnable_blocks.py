"""Every code block marked runnable in README.md and docs/*.md runs, and does what the page says.

The marker is an HTML comment on the line right before the fence (invisible when rendered):

* ``<!-- runnable -->`` / ``<!-- runnable: exit=1 -->``: a bash block, run with ``bash -e`` in the page's
  workspace (a temporary copy of the example project: Pulumi.yaml, stacks/, policy_packs/) with this
  environment's ``secure-serverless`` first on PATH; it must exit with the given code (default 0).
* ``<!-- runnable: file=PATH -->``: the block's text is written to PATH in the workspace (e.g. a
  Pulumi.yaml that later blocks of the page use).
* ``<!-- runnable: program exit=N -->``: a Python block that is a Pulumi program; it is judged by
  ``secure-serverless check`` in a project of its own (with ``app/app.py`` as handler code).
* ``<!-- runnable: ci -->``: a GitHub Actions job; its ``secure-serverless`` steps run in the workspace
  and the SARIF file its upload step names must exist and parse, for a passing program and for one
  that cannot be evaluated (exit 2).

Blocks of one page run in page order, sharing the workspace.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_MARKER = re.compile(r"^<!--\s*runnable(?::\s*(?P<options>[^>]*?))?\s*-->\s*$")
_FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w+-]*)")
_BIN = str(Path(sys.executable).parent)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    text: str
    options: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def runnable_blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    for index, line in enumerate(lines):
        marker = _MARKER.match(line.strip())
        if marker is None:
            continue
        fence = _FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
        if fence is None:
            raise AssertionError(f"{page}:{index + 1}: a runnable marker must sit right before a code fence")
        body: list[str] = []
        for inner in lines[index + 2 :]:
            if inner.startswith(fence.group("fence")):
                break
            body.append(inner)
        options: dict[str, str] = {}
        for word in (marker.group("options") or "").split():
            key, _, value = word.partition("=")
            options[key] = value or "yes"
        blocks.append(Block(page, index + 2, fence.group("lang"), "\n".join(body) + "\n", options))
    return blocks


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copy2(ROOT / "Pulumi.yaml", workspace / "Pulumi.yaml")
    junk = shutil.ignore_patterns("__pycache__", "build")
    for folder in ("stacks", "policy_packs"):
        shutil.copytree(ROOT / folder, workspace / folder, ignore=junk)
    # the Quick start's commands name the repository's virtualenv, as a reader runs them
    (workspace / ".venv").symlink_to(Path(_BIN).parent, target_is_directory=True)
    return workspace


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = _BIN + os.pathsep + env.get("PATH", "")
    return env


def _bash(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600, check=False,
    )


def _run_program(block: Block, tmp_path: Path) -> None:
    project = tmp_path / f"program-{block.line}"
    (project / "app").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: docs-example\nruntime: python\n", encoding="utf-8")
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n", encoding="utf-8")
    (project / "__main__.py").write_text(block.text, encoding="utf-8")
    (project / "app" / "app.py").write_text("def handler(event, context):\n    return {}\n", encoding="utf-8")
    run = _bash("secure-serverless check --format json", project)
    expected = int(block.options.get("exit", "0"))
    assert run.returncode == expected, f"{block.id}: exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    json.loads(run.stdout)


def _run_ci(block: Block, workspace: Path) -> None:
    job: Any = yaml.safe_load(block.text)
    steps = [step for one in job["jobs"].values() for step in one["steps"]]
    commands = [s["run"] for s in steps if str(s.get("run", "")).startswith("secure-serverless")]
    [upload] = [s for s in steps if "upload-sarif" in str(s.get("uses", ""))]
    assert upload.get("if") == "always()", f"{block.id}: the upload must run when the check fails"
    sarif = workspace / upload["with"]["sarif_file"]
    assert commands, f"{block.id}: no secure-serverless step"

    def run_job() -> tuple[int, Any]:
        sarif.unlink(missing_ok=True)
        codes = [_bash(command, workspace).returncode for command in commands]
        return max(codes), json.loads(sarif.read_text(encoding="utf-8"))

    code, document = run_job()
    assert code == 0 and document["runs"][0]["invocations"][0]["executionSuccessful"] is True
    main = workspace / "stacks" / "__main__.py"
    main.write_text(main.read_text(encoding="utf-8") + "\nraise RuntimeError('broken program')\n", encoding="utf-8")
    code, document = run_job()
    assert code == 2
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["toolExecutionNotifications"]


PAGE_BLOCKS = [(page, runnable_blocks(page)) for page in PAGES if page.is_file()]


def test_pages_mark_their_runnable_blocks() -> None:
    marked = {page.name for page, blocks in PAGE_BLOCKS if blocks}
    assert {"README.md", "checker.md", "secure-function.md"} <= marked


@pytest.mark.parametrize(("page", "blocks"), [p for p in PAGE_BLOCKS if p[1]], ids=lambda v: getattr(v, "name", ""))
def test_runnable_blocks(page: Path, blocks: list[Block], tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    for block in blocks:
        if "file" in block.options:
            target = workspace / block.options["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        elif "program" in block.options:
            assert block.lang == "python", block.id
            _run_program(block, tmp_path)
        elif "ci" in block.options:
            _run_ci(block, workspace)
        else:
            assert block.lang in ("bash", "sh", "shell"), f"{block.id}: runnable blocks are bash unless marked"
            run = _bash(block.text, workspace)
            expected = int(block.options.get("exit", "0"))
            assert run.returncode == expected, (
                f"{block.id}: exit {run.returncode}, expected {expected}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
            )


def test_readme_fits_a_page_with_the_sections_a_new_user_needs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    for needed in ("Quick start", "Use it in your own project", "What the pack judges", "Guide"):
        assert needed in headings
    quick_start = text.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = quick_start.strip().splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("secure-serverless check") and "pytest" in commands[1]
    own_project = text.split("## Use it in your own project", 1)[1].split("\n## ", 1)[0]
    for step in ("pip install", "Pulumi.yaml", "pack install", "upload-sarif"):
        assert step in own_project
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert link.endswith(".md")
