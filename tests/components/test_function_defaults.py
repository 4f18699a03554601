"""SecureFunction under Pulumi mocks: every secure default, each opt-out, and option propagation."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from secure_serverless import Grant, SecureFunction, VpcConfig, Waiver
from secure_serverless.check.mocks import ProgramRun, run_program
from secure_serverless.check.model import UNKNOWN
from secure_serverless.function import TYPE_TOKEN
from secure_serverless.packaging import function_archive

from component_support import (
    ACCOUNT,
    ALARM,
    FUNCTION,
    FUNCTION_URL,
    KEY,
    LOG_GROUP,
    PARAMETER_ARN,
    QUEUE,
    QUEUE_POLICY,
    REGION,
    ROLE,
    ROLE_POLICY,
    SECRET_ARN,
    SHARED_KEY_ARN,
    TABLE_ARN,
    TOPIC,
    document,
    make_args,
    one,
    run_functions,
    run_one,
    statements,
)


def test_component_registers_children_under_itself(default_run: ProgramRun) -> None:
    component = one(default_run, TYPE_TOKEN)
    children = default_run.children_of(component.urn)
    assert {r.type for r in children} >= {
        FUNCTION,
        ROLE,
        ROLE_POLICY,
        KEY,
        LOG_GROUP,
        QUEUE,
        QUEUE_POLICY,
        TOPIC,
        ALARM,
    }
    assert all(r.parent == component.urn for r in default_run.resources if r is not component)


def test_role_trusts_only_lambda_from_this_account(default_run: ProgramRun) -> None:
    trust = document(one(default_run, ROLE), "assumeRolePolicy")
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_inline_policy_is_scoped_to_own_resources(default_run: ProgramRun) -> None:
    by_sid = statements(one(default_run, ROLE_POLICY))
    log_group = one(default_run, LOG_GROUP)
    key = one(default_run, KEY)
    queue = one(default_run, QUEUE)
    assert by_sid["WriteOwnLogGroup"]["Resource"] == [f"{log_group.outputs['arn']}:log-stream:*"]
    assert by_sid["UseOwnKeyThroughDeadLetterQueue"]["Resource"] == [key.outputs["arn"]]
    assert by_sid["UseOwnKeyThroughDeadLetterQueue"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}
    }
    assert by_sid["SendToDeadLetterQueue"]["Resource"] == [queue.outputs["arn"]]
    assert by_sid["XRayTracing"]["Resource"] == "*"
    assert all(a.startswith("xray:") for a in by_sid["XRayTracing"]["Action"])
    for sid, statement in by_sid.items():
        actions = statement["Action"]
        assert all("*" not in action for action in actions), sid
        if sid != "XRayTracing":
            assert "*" not in statement["Resource"], sid
    # no managed policies are attached
    assert not default_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_secrets_granted_by_arn_with_key_via_service() -> None:
    key_arn = SHARED_KEY_ARN.replace("1111", "9999")
    run = run_one(secrets=[SECRET_ARN, PARAMETER_ARN], secret_kms_key_arns=[key_arn])
    by_sid = statements(one(run, ROLE_POLICY))
    assert by_sid["ReadDeclaredSecrets"] == {
        "Sid": "ReadDeclaredSecrets",
        "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [SECRET_ARN],
    }
    assert by_sid["ReadDeclaredParameters"]["Resource"] == [PARAMETER_ARN]
    decrypt = by_sid["DecryptSecretsViaService"]
    assert decrypt["Resource"] == [key_arn]
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == [
        f"secretsmanager.{REGION}.amazonaws.com",
        f"ssm.{REGION}.amazonaws.com",
    ]


def test_grants_are_passed_through_exactly() -> None:
    run = run_one(grants=[Grant(sid="Orders", actions=["dynamodb:GetItem"], resources=[TABLE_ARN])])
    assert statements(one(run, ROLE_POLICY))["Orders"]["Resource"] == [TABLE_ARN]


def test_grant_resources_may_be_outputs() -> None:
    def program() -> None:
        table = aws.dynamodb.Table("t", hash_key="id", attributes=[{"name": "id", "type": "S"}])
        SecureFunction("orders", make_args(grants=[Grant(sid="T", actions=["dynamodb:Query"], resources=[table.arn])]))

    run = run_functions(program)
    table = one(run, "aws:dynamodb/table:Table")
    assert statements(one(run, ROLE_POLICY))["T"]["Resource"] == [table.outputs["arn"]]


def test_dedicated_key_with_rotation_and_scoped_policy(default_run: ProgramRun) -> None:
    key = one(default_run, KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365
    by_sid = statements(key)
    role = one(default_run, ROLE)
    log_group = one(default_run, LOG_GROUP)
    assert by_sid["AccountAdministersKeyThroughIam"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert by_sid["FunctionRoleUsesKeyThroughDeadLetterQueue"]["Principal"] == {"AWS": role.outputs["arn"]}
    assert by_sid["FunctionRoleUsesKeyThroughDeadLetterQueue"]["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}
    }
    logs = by_sid["LogsEncryptsOwnLogGroup"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group.outputs["arn"]}}
    assert by_sid["CloudWatchAlarmsPublishToEncryptedTopic"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert all(s["Principal"] != "*" and s["Principal"] != {"AWS": "*"} for s in by_sid.values())


def test_function_defaults(default_run: ProgramRun) -> None:
    fn = one(default_run, FUNCTION)
    key = one(default_run, KEY)
    log_group = one(default_run, LOG_GROUP)
    assert fn.inputs["role"] == one(default_run, ROLE).outputs["arn"]
    assert fn.inputs["kmsKeyArn"] == key.outputs["arn"]
    assert fn.inputs["tracingConfig"] == {"mode": "Active"}
    assert fn.inputs["reservedConcurrentExecutions"] == 20
    assert fn.inputs["deadLetterConfig"] == {"targetArn": one(default_run, QUEUE).outputs["arn"]}
    assert fn.inputs["loggingConfig"]["logFormat"] == "JSON"
    assert fn.inputs["loggingConfig"]["logGroup"] == log_group.inputs["name"]
    assert fn.inputs["architectures"] == ["arm64"]
    # the policy and the log group exist before the function can run or log
    assert one(default_run, ROLE_POLICY).urn in fn.dependencies
    assert log_group.urn in fn.dependencies


def test_log_group_encrypted_with_retention(default_run: ProgramRun) -> None:
    log_group = one(default_run, LOG_GROUP)
    assert log_group.inputs["retentionInDays"] == 365
    assert log_group.inputs["kmsKeyId"] == one(default_run, KEY).outputs["arn"]


def test_dead_letter_queue_encrypted_and_tls_only(default_run: ProgramRun) -> None:
    queue = one(default_run, QUEUE)
    assert queue.inputs["kmsMasterKeyId"] == one(default_run, KEY).outputs["arn"]
    [deny] = document(one(default_run, QUEUE_POLICY))["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == queue.outputs["arn"]


def test_alarms_cover_errors_throttles_duration_dlq_and_anomalies(default_run: ProgramRun) -> None:
    topic = one(default_run, TOPIC)
    assert topic.inputs["kmsMasterKeyId"] == one(default_run, KEY).outputs["arn"]
    alarms = {r.name: r for r in default_run.of_type(ALARM)}
    assert set(alarms) == {
        "orders-errors",
        "orders-throttles",
        "orders-duration",
        "orders-dlq-depth",
        "orders-invocations-anomaly",
    }
    fn_name = one(default_run, FUNCTION).outputs["name"]
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]
    assert alarms["orders-errors"].inputs["dimensions"] == {"FunctionName": fn_name}
    assert alarms["orders-duration"].inputs["threshold"] == 24000  # 80% of the 30 s timeout
    anomaly = alarms["orders-invocations-anomaly"].inputs
    assert anomaly["thresholdMetricId"] == "band"
    assert any("ANOMALY_DETECTION_BAND(m1, 2)" in q.get("expression", "") for q in anomaly["metricQueries"])
    assert alarms["orders-dlq-depth"].inputs["dimensions"] == {"QueueName": one(default_run, QUEUE).outputs["name"]}


def test_exposes_children_and_outputs() -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        fn = SecureFunction("orders", make_args())
        seen.update(
            function=fn.function,
            role=fn.role,
            log_group=fn.log_group,
            kms_key=fn.kms_key,
            alarms=fn.alarms,
            dlq=fn.dead_letter_queue,
            arn=fn.arn,
            name=fn.name,
        )

    run_functions(program)
    assert isinstance(seen["function"], aws.lambda_.Function)
    assert isinstance(seen["role"], aws.iam.Role)
    assert isinstance(seen["log_group"], aws.cloudwatch.LogGroup)
    assert isinstance(seen["kms_key"], aws.kms.Key)
    assert isinstance(seen["dlq"], aws.sqs.Queue)
    assert isinstance(seen["arn"], pulumi.Output) and isinstance(seen["name"], pulumi.Output)
    assert set(seen["alarms"]) == {"errors", "throttles", "duration", "dlq-depth", "invocations-anomaly"}  # type: ignore[arg-type]


# -- opt-outs ---------------------------------------------------------------------------------


def test_shared_key_creates_no_key() -> None:
    run = run_one(kms_key_arn=SHARED_KEY_ARN)
    assert not run.of_type(KEY)
    assert one(run, FUNCTION).inputs["kmsKeyArn"] == SHARED_KEY_ARN
    assert one(run, LOG_GROUP).inputs["kmsKeyId"] == SHARED_KEY_ARN
    assert statements(one(run, ROLE_POLICY))["UseOwnKeyThroughDeadLetterQueue"]["Resource"] == [SHARED_KEY_ARN]


def test_shared_key_attribute_is_none() -> None:
    seen: list[object] = []
    run_functions(lambda: seen.append(SecureFunction("orders", make_args(kms_key_arn=SHARED_KEY_ARN)).kms_key))
    assert seen == [None]


def test_opt_out_of_dead_letter_queue() -> None:
    run = run_one(create_dead_letter_queue=False)
    assert not run.of_type(QUEUE)
    assert "deadLetterConfig" not in one(run, FUNCTION).inputs
    # nothing else needs the role to use the key: no statement for it in either policy
    assert not [s for s in statements(one(run, ROLE_POLICY)).values() if any(a.startswith("kms:") for a in s["Action"])]
    assert "FunctionRoleUsesKeyThroughDeadLetterQueue" not in statements(one(run, KEY))
    assert "SendToDeadLetterQueue" not in statements(one(run, ROLE_POLICY))
    assert "orders-dlq-depth" not in {a.name for a in run.of_type(ALARM)}


def test_opt_out_of_alarms() -> None:
    run = run_one(create_alarms=False)
    assert not run.of_type(ALARM)
    assert not run.of_type(TOPIC)


def test_given_alarm_topic_is_used_and_none_created() -> None:
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops-alarms"
    run = run_one(alarm_topic_arn=topic_arn)
    assert not run.of_type(TOPIC)
    assert {tuple(a.inputs["alarmActions"]) for a in run.of_type(ALARM)} == {(topic_arn,)}
    assert "CloudWatchAlarmsPublishToEncryptedTopic" not in statements(one(run, KEY))


def test_opt_out_of_tracing_and_concurrency() -> None:
    run = run_one(tracing="PassThrough", reserved_concurrent_executions=None)
    fn = one(run, FUNCTION)
    assert fn.inputs["tracingConfig"] == {"mode": "PassThrough"}
    assert "reservedConcurrentExecutions" not in fn.inputs
    assert "XRayTracing" not in statements(one(run, ROLE_POLICY))


def test_shorter_retention_is_honoured() -> None:
    assert one(run_one(log_retention_in_days=30), LOG_GROUP).inputs["retentionInDays"] == 30


def test_function_url_uses_iam_auth() -> None:
    run = run_one(function_url="AWS_IAM")
    assert one(run, FUNCTION_URL).inputs["authorizationType"] == "AWS_IAM"


def test_vpc_adds_network_interface_permissions() -> None:
    run = run_one(vpc=VpcConfig(subnet_ids=["subnet-a", "subnet-b"], security_group_ids=["sg-1"]))
    assert one(run, FUNCTION).inputs["vpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"]
    by_sid = statements(one(run, ROLE_POLICY))
    create = by_sid["VpcCreateNetworkInterfacesInFunctionSubnets"]
    assert create["Action"] == ["ec2:CreateNetworkInterface"]
    assert f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-a" in create["Resource"]
    assert f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-1" in create["Resource"]
    assert by_sid["VpcDescribeNetworkInterfacesAndSubnets"]["Action"] == [
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
    ]
    deny = by_sid["VpcDenyNetworkInterfaceCallsFromFunctionCode"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Null": {"lambda:SourceFunctionArn": "false"}}


def test_function_url_invokers_get_both_url_permissions() -> None:
    client = f"arn:aws:iam::{ACCOUNT}:role/orders-client"
    run = run_one(function_url="AWS_IAM", function_url_invokers=[client])
    permissions = run.of_type("aws:lambda/permission:Permission")
    assert sorted((p.inputs["action"], p.inputs["principal"]) for p in permissions) == [
        ("lambda:InvokeFunction", client),
        ("lambda:InvokeFunctionUrl", client),
    ]
    by_action = {p.inputs["action"]: p.inputs for p in permissions}
    assert by_action["lambda:InvokeFunctionUrl"]["functionUrlAuthType"] == "AWS_IAM"
    assert by_action["lambda:InvokeFunction"]["invokedViaFunctionUrl"] is True


def test_function_url_without_invokers_adds_no_permission() -> None:
    assert not run_one(function_url="AWS_IAM").of_type("aws:lambda/permission:Permission")


def test_permissions_boundary_is_set() -> None:
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/serverless-boundary"
    assert one(run_one(permissions_boundary_arn=boundary), ROLE).inputs["permissionsBoundary"] == boundary


def test_runtime_helper_sets_env_defaults_and_alarms() -> None:
    from secure_serverless.runtime.contract import SAFE_ENV_DEFAULTS

    run = run_one(runtime_helper=True, environment={"SECURE_SERVERLESS_LOG_LEVEL": "WARNING"})
    variables = one(run, FUNCTION).inputs["environment"]["variables"]
    assert variables["SECURE_SERVERLESS_LOG_LEVEL"] == "WARNING"  # the user's value wins
    for key, value in SAFE_ENV_DEFAULTS.items():
        if key != "SECURE_SERVERLESS_LOG_LEVEL":
            assert variables[key] == value
    names = {a.name for a in run.of_type(ALARM)}
    assert {"orders-rejected-input", "orders-handler-errors"} <= names
    rejected = run.named("orders-rejected-input").inputs
    assert rejected["namespace"] == SAFE_ENV_DEFAULTS["SECURE_SERVERLESS_METRIC_NAMESPACE"]
    assert rejected["metricName"] == "RejectedInput"


def test_waivers_become_tags_on_the_judged_child() -> None:
    expires = dt.date.today() + dt.timedelta(days=90)
    run = run_one(
        log_retention_in_days=30,
        waivers=[Waiver(policy="logs-retention-set", reason="Debug logs kept short by policy DP-12", expires=expires)],
        tags={"team": "orders"},
    )
    tag = "secure-serverless:waiver:logs-retention-set"
    assert one(run, LOG_GROUP).inputs["tags"] == {
        "team": "orders",
        tag: f"{expires.isoformat()} Debug logs kept short by policy DP-12",
    }
    assert tag not in one(run, FUNCTION).inputs["tags"]
    assert one(run, FUNCTION).inputs["tags"] == {"team": "orders"}


def test_wildcard_grant_allowed_only_with_waiver() -> None:
    waiver = Waiver(
        policy="iam-no-wildcard-resources",
        reason="ListTables has no resource-level scope",
        expires=dt.date.today() + dt.timedelta(days=30),
    )
    run = run_one(grants=[Grant(sid="List", actions=["dynamodb:ListTables"], resources=["*"])], waivers=[waiver])
    assert statements(one(run, ROLE_POLICY))["List"]["Resource"] == ["*"]
    assert "secure-serverless:waiver:iam-no-wildcard-resources" in one(run, ROLE).inputs["tags"]


# -- several functions, providers, secrets ----------------------------------------------------


def test_two_functions_never_share_a_role() -> None:
    def program() -> None:
        SecureFunction("a", make_args())
        SecureFunction("b", make_args())

    run = run_functions(program)
    roles = {r.name: r.outputs["arn"] for r in run.of_type(ROLE)}
    assert len(roles) == 2
    fn_roles = {f.name: f.inputs["role"] for f in run.of_type(FUNCTION)}
    assert fn_roles["a"] == roles["a-role"] and fn_roles["b"] == roles["b-role"]
    assert len(set(fn_roles.values())) == 2
    policies = {p.name: p.inputs["role"] for p in run.of_type(ROLE_POLICY)}
    assert policies["a-policy"] != policies["b-policy"]


def test_provider_propagates_to_every_child() -> None:
    def program() -> None:
        provider = aws.Provider("eu-central", region="eu-central-1")
        SecureFunction("orders", make_args(), opts=pulumi.ResourceOptions(providers=[provider]))

    run = run_functions(program)
    provider = run.named("eu-central")
    children = [r for r in run.resources if r.custom and r.type.startswith("aws:") and r.name != "eu-central"]
    assert children
    for child in children:
        assert child.provider is not None and child.provider.startswith(provider.urn), child.name


def test_no_plaintext_secret_value_in_any_input() -> None:
    secret_value = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

    def program() -> None:
        secret = aws.secretsmanager.Secret("payments")
        aws.secretsmanager.SecretVersion(
            "payments-v1", secret_id=secret.id, secret_string=pulumi.Output.secret(secret_value)
        )
        SecureFunction("orders", make_args(secrets=[secret.arn], environment={"PAYMENT_SECRET_ARN": secret.arn}))

    run = run_functions(program)
    for resource in run.resources:
        if resource.type == "aws:secretsmanager/secretVersion:SecretVersion":
            # the one place the value lives is marked secret, so the engine encrypts it in state
            assert (
                resource.inputs["secretString"]["4dabf18193072939515e22adb298388d"]
                == "1b47061264138c4ac30d75fd1eb44270"
            )
            continue
        assert secret_value not in json.dumps(resource.inputs), resource.name
    variables = one(run, FUNCTION).inputs["environment"]["variables"]
    assert variables["PAYMENT_SECRET_ARN"].startswith("arn:aws:secretsmanager:")


def test_output_env_value_checked_in_apply() -> None:
    def program() -> None:
        leaked = pulumi.Output.from_input("AKIAIOSFODNN7EXAMPLE")
        SecureFunction("orders", make_args(environment={"UPSTREAM": leaked}))

    with pytest.raises(Exception, match=r"environment\['UPSTREAM'\].*AWS access key id.*secrets"):
        run_functions(program)


def test_output_secret_arn_checked_in_apply() -> None:
    def program() -> None:
        SecureFunction(
            "orders", make_args(secrets=[pulumi.Output.from_input("arn:aws:secretsmanager:eu-west-1:1:secret:x*")])
        )

    with pytest.raises(Exception, match=r"secrets\[0\]"):
        run_functions(program)


def test_output_wildcard_grant_resource_checked_in_apply() -> None:
    def program() -> None:
        SecureFunction(
            "orders", make_args(grants=[Grant(actions=["s3:GetObject"], resources=[pulumi.Output.from_input("*")])])
        )

    with pytest.raises(Exception, match=r"grants\[0\]\.resources\[0\].*iam-no-wildcard-resources"):
        run_functions(program)


def test_preview_leaves_computed_values_unknown_but_keeps_declared_ones() -> None:
    run = run_one(preview=True)
    fn = one(run, FUNCTION)
    assert fn.inputs["role"] == UNKNOWN
    assert fn.inputs["tracingConfig"] == {"mode": "Active"}
    assert one(run, LOG_GROUP).inputs["retentionInDays"] == 365
    # the trust policy only needs the account id, which an invoke answers during preview too
    assert "lambda.amazonaws.com" in one(run, ROLE).inputs["assumeRolePolicy"]


def test_runtime_helper_alarm_follows_a_custom_namespace() -> None:
    run = run_one(runtime_helper=True, environment={"SECURE_SERVERLESS_METRIC_NAMESPACE": "Orders/Boundary"})
    assert run.named("orders-rejected-input").inputs["namespace"] == "Orders/Boundary"
    assert run.named("orders-handler-errors").inputs["namespace"] == "Orders/Boundary"


def test_layers_are_attached() -> None:
    layer = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:pydantic:3"
    assert one(run_one(layers=[layer]), FUNCTION).inputs["layers"] == [layer]


def test_function_archive_bundles_code_and_runtime_helper(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(e, c): return 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"")
    deps = tmp_path / "deps"
    (deps / "pydantic").mkdir(parents=True)
    (deps / "pydantic" / "__init__.py").write_text("")
    archive = function_archive(tmp_path, dependencies_dir=deps)
    names = set(archive.assets)
    assert "app.py" in names and "pydantic/__init__.py" in names
    assert "secure_serverless/__init__.py" in names
    assert "secure_serverless/runtime/__init__.py" in names and "secure_serverless/runtime/contract.py" in names
    assert not any("__pycache__" in n for n in names)
    assert not any(n.startswith("secure_serverless/function") for n in names)  # no infrastructure code


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("permissions_boundary_arn", f"arn:aws:iam::{ACCOUNT}:role/not-a-policy", "policy/"),
        ("code_signing_config_arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:x", "code-signing-config:"),
        ("kms_key_arn", "alias/shared", "KMS key ARN"),
        ("alarm_topic_arn", SECRET_ARN, "SNS topic ARN"),
        ("layers", [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:deps"], "layers[0]"),
    ],
)
def test_output_arns_checked_in_apply_with_the_args_rule(field: str, value: object, expected: str) -> None:
    def program() -> None:
        wrapped = (
            [pulumi.Output.from_input(v) for v in value] if isinstance(value, list) else pulumi.Output.from_input(value)
        )
        SecureFunction("orders", make_args(**{field: wrapped}))

    with pytest.raises(Exception, match=re.escape(expected)) as info:
        run_functions(program)
    assert field in str(info.value)


def test_partition_comes_from_the_account_lookup() -> None:
    run = run_program(lambda: SecureFunction("orders", make_args()), config={"aws:region": "cn-north-1"})
    by_sid = statements(one(run, KEY))
    assert by_sid["AccountAdministersKeyThroughIam"]["Principal"] == {"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}
    log_group_arn = one(run, LOG_GROUP).outputs["arn"]
    assert log_group_arn.startswith("arn:aws-cn:logs:cn-north-1:")
    assert by_sid["LogsEncryptsOwnLogGroup"]["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == (
        log_group_arn
    )
    assert by_sid["LogsEncryptsOwnLogGroup"]["Principal"] == {"Service": "logs.cn-north-1.amazonaws.com.cn"}
