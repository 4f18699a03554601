"""Declared against used: the example stack's functions with a trail of their deployed roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from secure_serverless.review.cloudtrail import parse_records
from secure_serverless.review.compare import DeployedRole, Review, drift, review
from secure_serverless.review.declared import DeclaredFunction, declared_functions, loosened

from .trail_records import REGION, record, role_arn, secret_arn, table_arn

API_ROLE = "orders-api-role-3f9a1c2"
CONSUMER_ROLE = "orders-consumer-role-0a1b2c3"
SECRET = secret_arn("payments/provider-api-key-Xy12Ab")
TABLE = table_arn("orders-9e8d7c6")


def _trail() -> list[dict[str, object]]:
    return [
        record(API_ROLE, "secretsmanager.amazonaws.com", "GetSecretValue", request={"secretId": SECRET}),
        record(API_ROLE, "secretsmanager.amazonaws.com", "GetSecretValue", request={"secretId": SECRET}),
        record(API_ROLE, "dynamodb.amazonaws.com", "GetItem", request={"tableName": "orders-9e8d7c6"},
               data_event=True),
        record(API_ROLE, "dynamodb.amazonaws.com", "PutItem", request={"tableName": "orders-9e8d7c6"},
               data_event=True),
        # a secret it never declared: denied
        record(API_ROLE, "secretsmanager.amazonaws.com", "GetSecretValue",
               request={"secretId": secret_arn("payments/provider-api-key-admin-Zz99Zz")}, error="AccessDenied"),
        record(CONSUMER_ROLE, "sqs.amazonaws.com", "ReceiveMessage", data_event=True,
               request={"queueUrl": f"https://sqs.{REGION}.amazonaws.com/210987654321/order-events-4d5e6f7"},
               session="orders-consumer-fn"),
        # a role of something else in the account
        record("ci-deployer", "iam.amazonaws.com", "GetRole", request={"roleName": "x"}, session="ci"),
    ]


@pytest.fixture
def result(example_functions: dict[str, DeclaredFunction]) -> Review:
    return review(list(example_functions.values()), parse_records(_trail()).calls)


def _grant(result: Review, function: str, action: str) -> tuple[bool, tuple[str, ...]]:
    item = next(r for r in result.functions if r.function.name == function)
    use = next(g for g in item.grants if g.pattern == action)
    return use.unused, use.used


def test_calls_are_matched_by_the_session_issuer_role(result: Review) -> None:
    counts = {r.function.name: (r.calls, r.roles) for r in result.functions}
    assert counts == {
        "orders-api": (5, (role_arn(API_ROLE),)),
        "orders-consumer": (1, (role_arn(CONSUMER_ROLE),)),
        "orders-quarantine-handler": (0, ()),  # the example's Quarantine responder: a function too
    }
    assert result.other_roles == {role_arn("ci-deployer"): 1}


def test_used_and_unused_grants(result: Review) -> None:
    assert _grant(result, "orders-api", "secretsmanager:GetSecretValue") == (False, ("secretsmanager:GetSecretValue",))
    assert _grant(result, "orders-api", "dynamodb:GetItem") == (False, ("dynamodb:GetItem",))
    assert _grant(result, "orders-api", "dynamodb:UpdateItem") == (True, ())
    assert _grant(result, "orders-api", "kms:Decrypt") == (True, ())


def test_a_call_on_another_resource_does_not_use_the_grant(example_functions: dict[str, DeclaredFunction]) -> None:
    other_table = record(API_ROLE, "dynamodb.amazonaws.com", "UpdateItem", request={"tableName": "invoices-1a2b3c4"},
                         data_event=True)
    result = review(list(example_functions.values()), parse_records([other_table]).calls)
    assert _grant(result, "orders-api", "dynamodb:UpdateItem") == (True, ())
    api = next(r for r in result.functions if r.function.name == "orders-api")
    assert [c.action for c in api.undeclared] == ["dynamodb:UpdateItem"]  # allowed by something undeclared


def test_denied_calls_are_reported(result: Review) -> None:
    api = next(r for r in result.functions if r.function.name == "orders-api")
    assert [(c.action, c.error_code, c.count) for c in api.denied] == [
        ("secretsmanager:GetSecretValue", "AccessDenied", 1)]


def test_lambda_infrastructure_statements_are_not_judged(result: Review) -> None:
    api = next(r for r in result.functions if r.function.name == "orders-api")
    assert {s.sid for s in api.not_judged} == {"WriteOwnLogGroup", "UseOwnKeyThroughDeadLetterQueue",
                                               "SendToDeadLetterQueue", "XRayTracing"}
    assert not any(g.pattern.startswith(("xray:", "logs:")) for g in api.grants)


def test_access_levels_come_from_the_action_database(result: Review) -> None:
    api = next(r for r in result.functions if r.function.name == "orders-api")
    levels = {g.pattern: dict(g.access_levels) for g in api.grants}
    assert levels["dynamodb:GetItem"] == {"Read": 1}
    assert levels["dynamodb:PutItem"] == {"Write": 1}
    assert levels["secretsmanager:GetSecretValue"] == {"Read": 1}


def test_proposal_keeps_only_what_was_used(result: Review) -> None:
    api = next(r for r in result.functions if r.function.name == "orders-api")
    proposal = api.proposal
    assert 'Grant(actions=["dynamodb:GetItem", "dynamodb:PutItem"]' in proposal
    assert "UpdateItem" not in proposal
    assert "secrets=[" in proposal and "payments/provider-api-key-Xy12Ab" in proposal
    consumer = next(r for r in result.functions if r.function.name == "orders-consumer")
    # the queue its event source mapping reads: used by Lambda's poller, kept as declared, never judged unused
    assert "ConsumeOrderEvents" in {s.sid for s in consumer.not_judged}
    assert 'Grant(actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]' in consumer.proposal


PROGRAM = '''
import json
import pulumi
import pulumi_aws as aws

role = aws.iam.Role("reports-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("reports-read", role=role.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:Get*", "s3:ListBucket"],
                   "Resource": ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]}],
}))
aws.lambda_.Function("reports", role=role.arn, runtime="python3.12", handler="app.handler",
                     code=pulumi.AssetArchive({}))
'''


def _raw_program(tmp_path: Path) -> list[DeclaredFunction]:
    from secure_serverless.check.program import load_program
    from secure_serverless.check.runner import run_program_spec

    (tmp_path / "Pulumi.yaml").write_text("name: reports\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    return [loosened(f) for f in declared_functions(run_program_spec(load_program(tmp_path), preview=False))]


def test_wildcards_are_expanded_with_the_action_database(tmp_path: Path) -> None:
    functions = _raw_program(tmp_path)
    calls = parse_records([
        record("reports-role-5a6b7c8", "s3.amazonaws.com", "GetObject", data_event=True,
               request={"bucketName": "reports-bucket", "key": "2026/11/report.csv"}, session="reports"),
    ]).calls
    (item,) = review(functions, calls).functions
    get = next(g for g in item.grants if g.pattern == "s3:Get*")
    assert get.wildcard and get.expands_to > 40  # s3:Get* grants dozens of actions
    assert set(get.access_levels) <= {"Read", "Write", "List", "Permissions management", "Tagging"}
    assert get.used == ("s3:GetObject",)
    assert 'Grant(actions=["s3:GetObject"], resources=["arn:aws:s3:::reports-bucket/2026/11/report.csv"])' in (
        item.proposal)
    assert _grant(review(functions, calls), "reports", "s3:ListBucket") == (True, ())


def _deployed(function: DeclaredFunction, **changes: object) -> DeployedRole:
    base = DeployedRole(
        name="orders-api-role-3f9a1c2",
        arn=role_arn("orders-api-role-3f9a1c2"),
        trust_policy=function.trust_policy,
        inline_policies=dict(function.inline_policies),
        managed_policy_arns=function.managed_policy_arns,
    )
    return DeployedRole(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_no_drift_when_the_deployed_role_is_the_declared_one(example_functions: dict[str, DeclaredFunction]) -> None:
    api = example_functions["orders-api"]
    assert drift(api, _deployed(api), placeholders=True) == ()


def test_drift_console_statement_managed_policy_and_trust(example_functions: dict[str, DeclaredFunction]) -> None:
    api = example_functions["orders-api"]
    (name, document), = api.inline_policies.items()
    edited = {**document, "Statement": [*document["Statement"],
                                        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    deployed = _deployed(
        api,
        inline_policies={name.replace(name[-7:], "4c4c4c4"): edited},  # the real auto-name suffix differs
        managed_policy_arns=("arn:aws:iam::aws:policy/AdministratorAccess",),
        trust_policy=trust,
    )
    kinds = [d.kind for d in drift(api, deployed, placeholders=True)]
    assert kinds == ["statement-added", "managed-policy-added", "trust-policy-changed"]


def test_aws_managed_policies_are_reviewed_by_their_documents() -> None:
    from secure_serverless.check.program import load_program
    from secure_serverless.check.runner import run_program_spec

    resources = run_program_spec(load_program(Path(__file__).resolve().parents[2] / "stacks" / "insecure"),
                                 preview=False)
    functions = [loosened(f) for f in declared_functions(resources)]
    admin = [s for f in functions for s in f.statements if s.source.endswith("policy/AdministratorAccess")]
    assert admin and admin[0].actions == ("*",)  # read from the document, not dropped
