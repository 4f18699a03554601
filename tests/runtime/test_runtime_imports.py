"""What importing the helper costs inside a function: no pulumi, boto3 or Powertools; pydantic lazily."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys

import pytest
from runtime_support import ROOT

import secure_serverless.runtime
from secure_serverless.runtime import _entry_points, _guard, _request, _secrets, contract

CONTRACT = ROOT / "components" / "secure_serverless" / "runtime" / "contract.py"
PYTHONPATH = os.pathsep.join([str(ROOT / "components"), str(ROOT / "stacks" / "handlers")])


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/", timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_import_pulls_in_neither_pulumi_nor_boto3() -> None:
    out = _run(
        "import sys\n"
        "import secure_serverless.runtime\n"
        "heavy = ('pulumi', 'pulumi_aws', 'boto3', 'botocore', 'aws_lambda_powertools')\n"
        "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n"
        "assert 'pydantic.main' not in sys.modules  # pydantic proper loads on first decoration\n"
        "print('ok')\n"
    )
    assert out.strip() == "ok"


@pytest.mark.slow
def test_example_handlers_import_and_run_without_pulumi_or_boto3() -> None:
    out = _run(
        "import sys, json\n"
        "import orders_api, orders_consumer\n"
        "r = orders_api.handler({'version': '2.0', 'requestContext': {'requestId': 'r'}, 'body': '{}'}, None)\n"
        "assert r['statusCode'] == 400\n"
        "heavy = ('pulumi', 'boto3', 'botocore', 'aws_lambda_powertools')\n"
        "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n"
        "print('ok')\n"
    )
    assert out.strip().endswith("ok")


@pytest.mark.slow
def test_contract_module_imports_only_typing() -> None:
    out = _run(
        "import sys, importlib.util, typing, __future__\n"
        f"spec = importlib.util.spec_from_file_location('c', {str(CONTRACT)!r})\n"
        "before = set(sys.modules)\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    assert out.strip() == "[]"


def test_contract_values() -> None:
    assert contract.METRIC_NAMESPACE == "SecureServerless"
    assert contract.REJECTED_INPUT_METRIC == "RejectedInput"
    assert contract.METRIC_DIMENSION == "FunctionName"
    # The payload limit is left to each envelope's default (its source's maximum), so it is not set.
    assert set(contract.SAFE_ENV_DEFAULTS) & set(contract.HELPER_ENV_VARS) == {
        contract.ENV_METRIC_NAMESPACE,
        contract.ENV_LOG_LEVEL,
    }
    assert contract.SAFE_ENV_DEFAULTS[contract.ENV_METRIC_NAMESPACE] == contract.METRIC_NAMESPACE
    assert set(contract.DEFAULT_MAX_PAYLOAD_BYTES) == set(secure_serverless.runtime.Envelope.ALL)
    assert contract.SAFE_ENV_DEFAULTS[contract.ENV_LOG_LEVEL] in contract.LOG_LEVELS
    assert contract.SAFE_ENV_DEFAULTS["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in contract.SAFE_ENV_DEFAULTS.items())
    assert secure_serverless.runtime.contract is contract


def test_safe_env_defaults_are_accepted_by_the_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in contract.SAFE_ENV_DEFAULTS.items():
        monkeypatch.setenv(name, value)
    guard = _guard.Guard(int, "raw", None, None, None, None)
    assert (guard.limit, guard.telemetry.namespace, guard.telemetry.threshold) == (
        contract.DEFAULT_MAX_PAYLOAD_BYTES["raw"],
        contract.METRIC_NAMESPACE,
        20,
    )


@pytest.mark.parametrize("module", [secure_serverless.runtime, _entry_points, _secrets, _request])
def test_docstring_examples(module: object) -> None:
    failures, tests = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert tests > 0 and failures == 0
