"""Helpers for the offline checker's tests: small generated programs and an in-process CLI runner."""

from __future__ import annotations

import io
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secure_serverless.check.cli import main

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policy_packs" / "secure_serverless"
EXAMPLE_DIR = ROOT
INSECURE_DIR = ROOT / "stacks" / "insecure"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SARIF_SCHEMA = ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json"


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(*args: str | Path) -> CliRun:
    """`secure-serverless <args>` in process (the console script calls the same main)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    return CliRun(code, out.getvalue(), err.getvalue())


def write_program(directory: Path, body: str, *, name: str = "tmp-program", config: str = "",
                  stack: str = "dev") -> Path:
    """A one-file Pulumi program: Pulumi.yaml, Pulumi.<stack>.yaml and __main__.py."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n", encoding="utf-8")
    (directory / f"Pulumi.{stack}.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n" + textwrap.indent(textwrap.dedent(config), "  "), encoding="utf-8"
    )
    header = "import json\nimport pulumi\nimport pulumi_aws as aws\n\n"
    (directory / "__main__.py").write_text(header + textwrap.dedent(body), encoding="utf-8")
    return directory



def mandatory(document: dict[str, Any]) -> set[tuple[str, str]]:
    """(policy, resource name) of the blocking findings in a --format json document."""
    return {(f["policy"], f["resourceName"] or "") for f in document["findings"] if f["blocking"]}


def advisory(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (f["policy"], f["resourceName"] or "")
        for f in document["findings"]
        if not f["blocking"] and f["waiver"] is None
    }
