"""One detector: SecureFunction, lambda-no-secrets-in-env and ssm-no-plaintext-credentials call the
same function, shipped twice byte for byte (the pack is installed on its own), and give the same
verdict on every corpus entry."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest
from credential_corpus import Entry, load
from pydantic import ValidationError

import guardrails.contract.credentials as pack_detector
import guardrails.lambda_
import guardrails.ssm
import secure_serverless.contract.credentials as detector
import secure_serverless.credentials
import secure_serverless.rules
from secure_serverless import SecureFunctionArgs
from secure_serverless.check.engine import InProcessAnalyzer, run_analysis
from secure_serverless.check.model import RecordedResource

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "components" / "secure_serverless" / "contract"
PACK_COPY = ROOT / "policy_packs" / "secure_serverless" / "guardrails" / "contract"
DETECTOR_FILES = ("credentials.py", "credential_formats.py")
PACK_DIR = ROOT / "policy_packs" / "secure_serverless"
CORPUS = load()


@pytest.mark.parametrize("file", DETECTOR_FILES)
def test_pack_copy_is_byte_identical(file: str) -> None:
    assert (PACK_COPY / file).read_bytes() == (CANONICAL / file).read_bytes(), (
        f"guardrails/contract/{file} differs from components/secure_serverless/contract/{file}: "
        "copy the canonical file over it"
    )


def test_every_caller_uses_the_contract_function() -> None:
    assert secure_serverless.credentials.credential_kind is detector.credential_kind
    assert secure_serverless.rules.credential_kind is detector.credential_kind
    assert guardrails.lambda_.credential_kind is pack_detector.credential_kind
    assert guardrails.ssm.credential_kind is pack_detector.credential_kind
    assert pack_detector.credential_kind.__code__.co_code == detector.credential_kind.__code__.co_code


def test_no_second_detector_in_the_pack() -> None:
    for module in ("lambda_.py", "ssm.py"):
        text = (PACK_DIR / "guardrails" / module).read_text(encoding="utf-8")
        assert "PRIVATE KEY" not in text and "AKIA" not in text, f"{module} holds its own credential patterns"


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:stack::project::{type_}::{name}"


def _resource(type_: str, name: str, inputs: dict[str, Any]) -> RecordedResource:
    return RecordedResource(type=type_, name=name, urn=_urn(type_, name), inputs=inputs, outputs=inputs)


@cache
def _pack_verdicts() -> tuple[set[int], set[int]]:
    """Indexes of the corpus entries the pack flags, as function environment and as SSM String."""
    resources = []
    for index, entry in enumerate(CORPUS):
        resources.append(_resource("aws:lambda/function:Function", f"fn-{index}", {
            "runtime": "python3.12", "environment": {"variables": {entry.name: entry.value}}}))
        resources.append(_resource("aws:ssm/parameter:Parameter", f"param-{index}", {
            "name": f"/corpus/{entry.name}", "type": "String", "value": entry.value}))
    result = run_analysis(InProcessAnalyzer(PACK_DIR), resources)

    def flagged(policy: str, prefix: str) -> set[int]:
        names = {f.urn.rsplit("::", 1)[-1] for f in result.findings if f.policy == policy and f.kind == "violation"}
        return {int(n.removeprefix(prefix)) for n in names if n.startswith(prefix)}

    return flagged("lambda-no-secrets-in-env", "fn-"), flagged("ssm-no-plaintext-credentials", "param-")


def _component_refuses(entry: Entry) -> bool | None:
    """Whether SecureFunctionArgs refuses the variable (None: not a valid Lambda variable name)."""
    try:
        secure_serverless.rules.check_env_name(entry.name)
    except ValueError:
        return None
    try:
        SecureFunctionArgs(handler="app.handler", code=pulumi.AssetArchive({}), environment={entry.name: entry.value})
    except ValidationError as error:
        assert entry.name in str(error)
        return True
    return False


@pytest.mark.slow
def test_secure_function_refuses_exactly_what_the_pack_flags() -> None:
    in_env, in_ssm = _pack_verdicts()
    compared = 0
    for index, entry in enumerate(CORPUS):
        expected = detector.credential_kind(entry.name, entry.value) is not None
        assert (index in in_ssm) == expected, f"ssm-no-plaintext-credentials on {entry.name}"
        assert (index in in_env) == expected, f"lambda-no-secrets-in-env on {entry.name}"
        refused = _component_refuses(entry)
        if refused is not None:
            compared += 1
            assert refused == (index in in_env), f"SecureFunction and the pack disagree on {entry.name}"
    assert compared >= 150
