"""The quarantine policies combined with the function's own generated policy, judged by an IAM evaluator
we did not write: @cloud-copilot/iam-simulate (npm, in tests/components/iam_eval/, shared with the
SecureFunction matrix), which implements explicit Deny, NotAction / NotResource and condition
operators such as DateLessThan.

Contain must keep every declared action on every declared resource for sessions issued after the
quarantine, deny everything else explicitly (even with a broad policy attached later), and deny every
older session.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from secure_serverless.quarantine.recorded import ProgramView, run_program_view
from secure_serverless.quarantine.responder.policies import contain_policy, isolate_policy

ROOT = Path(__file__).resolve().parents[2]
EVALUATOR = Path(__file__).resolve().parents[1] / "components" / "iam_eval"
ACCOUNT = "123456789012"
SINCE = "2026-12-01T07:00:00Z"
OLDER = "2026-12-01T06:59:59Z"
NEWER = "2026-12-01T07:00:01Z"
# KMS grants nothing unless the key policy delegates to IAM: AWS's default key policy does.
DEFAULT_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    ],
}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
UNDECLARED = [
    ("secretsmanager:ListSecrets", "*"),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:prod/db-AbCdEf"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/admin"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin"),
    ("s3:GetObject", "arn:aws:s3:::customer-exports/2026/all.csv"),
    ("lambda:UpdateFunctionCode", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:payments"),
    ("dynamodb:DeleteTable", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"),
    ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"),
]


@cache
def _evaluator_problem() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are needed for the independent IAM evaluator"
    if not (EVALUATOR / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=EVALUATOR, check=True,
                       capture_output=True)
    return None


def evaluate(cases: list[dict[str, Any]]) -> dict[str, str]:
    problem = _evaluator_problem()
    if problem:
        pytest.fail(f"the IAM evaluator is required (CI installs it in .ci/run): {problem}")
    run = subprocess.run(
        ["node", "evaluate_quarantine.mjs"], cwd=EVALUATOR, input=json.dumps(cases), capture_output=True, text=True,
        check=True,
    )
    results = {r["name"]: r["result"] for r in json.loads(run.stdout)}
    errors = {name: result for name, result in results.items() if result == "error"}
    assert not errors, errors
    return results


@cache
def example() -> ProgramView:
    return run_program_view(ROOT)


def _case(
    name: str, model: dict[str, Any], action: str, resource: str, issued: str, policies: list[Any],
    context: dict[str, str] | None = None,
) -> dict[str, Any]:
    fn = model["function"]
    return {
        "name": name,
        "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/{fn['roleName']}/{fn['name']}",
        "action": action,
        "resource": resource,
        "accountId": ACCOUNT,
        "context": {"aws:TokenIssueTime": issued, **(context or {})},
        "policies": policies,
        "resourcePolicy": DEFAULT_KEY_POLICY if resource.startswith("arn:aws:kms:") else None,
    }


_SATISFIABLE = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")


def _context_meeting(conditions: dict[str, Any]) -> dict[str, str]:
    """The request context under which a statement's conditions hold (e.g. kms:ViaService = sqs...)."""
    context: dict[str, str] = {}
    for operator, block in conditions.items():
        assert operator in _SATISFIABLE, f"extend the cases for condition operator {operator}"
        for key, value in block.items():
            context[key] = value[0] if isinstance(value, list) else value
    return context


def _declared_requests(model: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """Every (action, resource, context) the function's own policy allows; a ``log-stream:*`` pattern gets a
    concrete stream, a conditioned statement the context that meets its condition."""
    out = []
    for permission in model["permissions"]:
        context = _context_meeting(permission["conditions"] or {})
        for action in permission["actions"]:
            for resource in permission["resources"]:
                out.append((action, resource.replace("log-stream:*", "log-stream:2026/12/01/[$LATEST]abc"), context))
    return out


def _scopes(model: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    return [(p["actions"], p["resources"]) for p in model["permissions"]]


@pytest.mark.slow
@pytest.mark.parametrize("function", ["orders-api", "orders-consumer"])
def test_contain_keeps_the_declared_set_and_denies_everything_else_and_every_older_session(function: str) -> None:
    model = example().models[function]
    own = json.loads(example().own_policies[model["function"]["name"]])
    contain = contain_policy(model["declaredActions"], SINCE, _scopes(model))
    declared = _declared_requests(model)
    cases = []
    for index, (action, resource, context) in enumerate(declared):
        cases.append(_case(f"declared-new-{index}", model, action, resource, NEWER, [own, contain], context))
        cases.append(_case(f"declared-old-{index}", model, action, resource, OLDER, [own, contain], context))
        cases.append(_case(f"declared-before-{index}", model, action, resource, OLDER, [own], context))
    for index, (action, resource) in enumerate(UNDECLARED):
        cases.append(_case(f"undeclared-new-{index}", model, action, resource, NEWER, [own, contain]))
        cases.append(_case(f"undeclared-admin-{index}", model, action, resource, NEWER, [own, ADMIN, contain]))
        cases.append(_case(f"undeclared-admin-before-{index}", model, action, resource, NEWER, [own, ADMIN]))

    results = evaluate(cases)

    for index, request in enumerate(declared):
        assert results[f"declared-before-{index}"] == "Allowed", request  # the baseline: the request is real
        assert results[f"declared-new-{index}"] == "Allowed", request
        assert results[f"declared-old-{index}"] == "ExplicitlyDenied", request
    for index, request in enumerate(UNDECLARED):
        assert results[f"undeclared-admin-before-{index}"] == "Allowed", request  # a broad policy would allow it
        assert results[f"undeclared-new-{index}"] == "ExplicitlyDenied", request
        assert results[f"undeclared-admin-{index}"] == "ExplicitlyDenied", request


@pytest.mark.slow
def test_contain_denies_a_declared_action_on_undeclared_resources_even_with_a_broad_policy() -> None:
    model = example().models["orders-api"]
    own = json.loads(example().own_policies[model["function"]["name"]])
    contain = contain_policy(model["declaredActions"], SINCE, _scopes(model))
    other_table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/customers"

    other_secret = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:prod/db-AbCdEf"
    cases = [
        _case("other-table", model, "dynamodb:GetItem", other_table, NEWER, [own, ADMIN, contain]),
        _case("other-secret", model, "secretsmanager:GetSecretValue", other_secret, NEWER, [own, ADMIN, contain]),
        _case("other-table-before", model, "dynamodb:GetItem", other_table, NEWER, [own, ADMIN]),
    ]

    results = evaluate(cases)

    assert results == {
        "other-table": "ExplicitlyDenied",
        "other-secret": "ExplicitlyDenied",
        "other-table-before": "Allowed",
    }


@pytest.mark.slow
def test_isolate_keeps_only_writing_to_its_own_log_streams() -> None:
    model = example().models["orders-consumer"]
    own = json.loads(example().own_policies[model["function"]["name"]])
    log_group = model["function"]["logGroupArn"]
    isolate = isolate_policy(log_group, SINCE)
    other_group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/lambda/other:log-stream:x"
    requests = {
        "own-logs-new": ("logs:PutLogEvents", f"{log_group}:log-stream:x", NEWER, [own, isolate], "Allowed"),
        "own-logs-old": ("logs:PutLogEvents", f"{log_group}:log-stream:x", OLDER, [own, isolate], "ExplicitlyDenied"),
        "other-logs-admin": ("logs:PutLogEvents", other_group, NEWER, [own, ADMIN, isolate], "ExplicitlyDenied"),
        "declared-queue": (
            "sqs:ReceiveMessage",
            model["invokers"]["eventSourceMappings"][0]["eventSourceArn"],
            NEWER,
            [own, isolate],
            "ExplicitlyDenied",
        ),
        "xray": ("xray:PutTraceSegments", "*", NEWER, [own, isolate], "ExplicitlyDenied"),
    }

    results = evaluate([_case(name, model, a, r, t, p) for name, (a, r, t, p, _) in requests.items()])

    assert {name: results[name] for name in requests} == {name: want for name, (*_, want) in requests.items()}
