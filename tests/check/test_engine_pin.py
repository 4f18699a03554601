"""The in-process analyzer relies on pulumi_policy's private servicer: the version is pinned and checked,
and pack config is always validated (jsonschema is a runtime dependency)."""

from __future__ import annotations

import importlib.metadata
import inspect
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from secure_serverless.check import engine

from support import PACK_DIR, ROOT


def _dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {Requirement(line).name.lower(): Requirement(line) for line in project["dependencies"]}


def test_pulumi_policy_is_pinned_to_the_minor_version_the_servicer_was_written_against() -> None:
    spec = _dependencies()["pulumi-policy"].specifier
    installed = Version(importlib.metadata.version("pulumi-policy"))
    assert installed in spec
    assert Version(f"{installed.major}.{installed.minor + 1}") not in spec  # no newer minor version allowed
    packed = next(line for line in (PACK_DIR / "requirements.txt").read_text().splitlines()
                  if line.lower().startswith("pulumi-policy=="))
    assert Version(packed.split("==")[1]) in spec  # the pack's own pin agrees


def test_the_private_servicer_takes_the_parameters_the_analyzer_passes() -> None:
    policy_module = importlib.import_module("pulumi_policy.policy")
    parameters = list(inspect.signature(policy_module._PolicyAnalyzerServicer.__init__).parameters)[1:]
    assert tuple(parameters) == engine.SERVICER_PARAMETERS


def test_jsonschema_is_a_runtime_dependency_and_bad_config_is_refused() -> None:
    assert "jsonschema" in _dependencies()
    policies = engine.Session(engine.InProcessAnalyzer(PACK_DIR))
    policies.configure()
    with pytest.raises(ValueError, match="invalid config for policy logs-retention-set at minimumRetentionDays"):
        engine.configure_request(policies.policies, {"logs-retention-set": {"minimumRetentionDays": "a year"}})


def test_the_stack_is_one_frozen_value() -> None:
    context = engine.StackContext(project="p", stack="s", organization="o", dry_run=True)
    with pytest.raises(AttributeError):
        context.stack = "other"  # type: ignore[misc]
    session = engine.Session(engine.InProcessAnalyzer(PACK_DIR), context)
    session.configure()
    assert session.context is context
