"""The pack's registry: names, texts, levels, schemas, order, files, lazy IAM database."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

import guardrails
from guardrails import ALL_POLICIES, _policy
from secure_serverless.contract.aws import SUPPORTED_RUNTIMES
from secure_serverless.contract.policies import CATALOGUE, COMPANIONS, NON_WAIVABLE, POLICY_NAMES

from support import PACK_DIR, ROOT, require_shared_catalogue

# Policies the pack adds beyond the shared catalogue (GUARDRAILS.md); each is documented as an
# extension in README.md or docs/ (the `leastpriv` branch adds kms-key-serves-its-consumers).
EXTENSIONS = {
    "kms-key-serves-its-consumers",  # issue 11
    "iam-lambda-trust-source-account",  # issue 8: the advisory half of iam-lambda-trust-scoped
}
# "What the words mean" makes a function role that trusts anything besides Lambda a mandatory failure of
# iam-lambda-trust-scoped; the catalogue table above it still says advisory (the advisory part, the
# aws:SourceAccount guard, is iam-lambda-trust-source-account).
LEVEL_OVERRIDES = {"iam-lambda-trust-scoped": "mandatory"}
_LEVEL_WORDS = ("mandatory", "advisory", "disabled")


def guardrail_policies() -> list:  # type: ignore[type-arg]
    return [p for p in ALL_POLICIES if p.name not in COMPANIONS]


def catalogue_levels() -> dict[str, set[str]]:
    """Each policy of the shared catalogue and the default levels it allows ("disabled by default is acceptable")."""
    path = require_shared_catalogue()
    levels: dict[str, set[str]] = {}
    for name, level in re.findall(r"^\| ([a-z0-9-]+)(?: \(stack\))? \| [^|]* \| ([^|]+) \|", path.read_text(),
                                  re.MULTILINE):
        allowed = {level.split()[0]}
        if "disabled by default is acceptable" in level:
            allowed.add("disabled")
        assert allowed <= set(_LEVEL_WORDS), (name, level)
        levels[name] = {LEVEL_OVERRIDES[name]} if name in LEVEL_OVERRIDES else allowed
    return levels


def test_names_unique_kebab_case_and_equal_to_the_catalogue_plus_documented_extensions() -> None:
    names = [p.name for p in ALL_POLICIES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", n) for n in names)
    catalogue = catalogue_levels()
    pack = {p.name for p in guardrail_policies()}
    assert set(catalogue) <= pack, f"catalogue policies the pack lacks: {sorted(set(catalogue) - pack)}"
    extra = pack - set(catalogue)
    assert extra <= EXTENSIONS, f"undocumented policies (add them to GUARDRAILS.md or EXTENSIONS): {sorted(extra)}"
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    texts = "\n".join(d.read_text(encoding="utf-8") for d in documents if d.name != "policies.md")
    assert all(name in texts for name in extra), "each extension is documented in README.md or docs/"


def test_levels_are_the_catalogues() -> None:
    catalogue = catalogue_levels()
    for policy in guardrail_policies():
        if policy.name in catalogue:
            assert policy.enforcement_level.value in catalogue[policy.name], policy.name


def test_anchors_are_the_catalogues() -> None:
    """Each declaration names the FSBP / Checkov / cdk-nag controls the shared catalogue maps it to."""
    path = require_shared_catalogue()
    table = dict(re.findall(r"^\| ([a-z0-9-]+)(?: \(stack\))? \| [^|]* \| [^|]+ \| ([^|]+) \|", path.read_text(),
                            re.MULTILINE))
    for policy in guardrail_policies():
        if policy.name not in table:
            continue
        ids = [a.strip() for a in table[policy.name].split(",") if re.match(r"\s*(FSBP|CKV|NAG) |\s*CKV2?_AWS_\d", a)]
        assert [a for a in _policy.meta(policy).anchors if a in ids] == ids, policy.name


def test_the_contract_catalogue_is_the_registry() -> None:
    assert {p.name for p in guardrail_policies()} == set(POLICY_NAMES)
    assert {p.name for p in ALL_POLICIES if _policy.meta(p).companion} == set(COMPANIONS)
    non_waivable = {p.name for p in guardrail_policies() if not _policy.meta(p).waivable}
    assert non_waivable == set(NON_WAIVABLE) == {"iam-no-admin-managed-policies", "lambda-url-auth-iam"}
    for policy in ALL_POLICIES:
        entry = CATALOGUE[policy.name]
        assert (entry.kind, entry.level, entry.types) == (
            _policy.meta(policy).kind, policy.enforcement_level.value, _policy.meta(policy).types)


def test_registry_is_keyed_by_name_without_attaching_to_the_policy_objects() -> None:
    assert set(_policy.REGISTRY) >= {p.name for p in ALL_POLICIES}
    assert all("guardrail" not in vars(p) for p in ALL_POLICIES)
    with pytest.raises(KeyError, match="not declared"):
        _policy.meta("no-such-policy")


def test_default_runtimes_are_the_contracts() -> None:
    from guardrails.lambda_ import DEFAULT_RUNTIMES

    assert list(SUPPORTED_RUNTIMES) == DEFAULT_RUNTIMES


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.name)
def test_policy_texts_level_severity_and_schema(policy: ResourceValidationPolicy | StackValidationPolicy) -> None:
    assert policy.description.endswith(".") and policy.description.count(". ") == 0  # one sentence
    assert "preview" in policy.description  # the preview decision is stated
    assert policy.remediation_steps and policy.severity is not None
    assert isinstance(policy.enforcement_level, EnforcementLevel)
    if policy.name not in COMPANIONS:
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
