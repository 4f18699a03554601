"""guardrails/ssm.py: one compliant case and one named case per way each SSM policy fails."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import policies as p
from secure_serverless.contract import types as t

from support.pack import Change, case, rule_tests
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


test_secure_functions_comply, test_case, test_case_in_preview = rule_tests(CASES, PREFIX)
