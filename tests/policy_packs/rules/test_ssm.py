"""guardrails/ssm.py: one compliant case and one named case per way each SSM policy fails."""

from __future__ import annotations

from typing import Any

import pytest

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Case, Change, assert_case, assert_case_in_preview, assert_compliant, case
from support.stacks import add, raw

PREFIX = "ssm-"


def parameter(resource: str, **inputs: Any) -> Change:
    return lambda s: add(s, raw(t.PARAMETER, resource, inputs))


CASES = [
    case("plaintext:password", policy=p.SSM_NO_PLAINTEXT_CREDENTIALS,
         change=parameter("db-password", name="/prod/db/password", type="String", value="x9F!kq2Lz#8Pw4Rt7Vb$"),
         expected={"db-password"}, text="SecureString"),
    case("plaintext:insecure-value", policy=p.SSM_NO_PLAINTEXT_CREDENTIALS,
         change=parameter("aws-key", name="/prod/aws/key", type="StringList", insecureValue="AKIAIOSFODNN7EXAMPLE"),
         expected={"aws-key"}, text="AWS access key id"),
    case("plaintext:config-ok", policy=p.SSM_NO_PLAINTEXT_CREDENTIALS,
         change=parameter("db-host", name="/prod/db/host", type="String", value="db.internal.example.com")),
]


def test_secure_functions_comply() -> None:
    assert_compliant(name for name in p.POLICY_NAMES if name.startswith(PREFIX))


@pytest.mark.parametrize("item", CASES)
def test_case(item: Case) -> None:
    assert_case(item)


@pytest.mark.slow
@pytest.mark.parametrize("item", CASES)
def test_case_in_preview(item: Case) -> None:
    assert_case_in_preview(item)
