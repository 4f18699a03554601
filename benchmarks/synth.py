"""Benchmark: building N SecureFunctions under Pulumi mocks against a hand-written program that
registers the same raw resources, measured in the same run.

Targets: overhead ratio (component / hand-written) <= 1.15, and time(500) / time(50) <= 11.
Run: .venv/bin/python benchmarks/synth.py [--sizes 10,50,100,500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs
from secure_serverless.check.mocks import run_program

TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments-Xy12Ab"
CODE = pulumi.AssetArchive({})


def component_program(n: int) -> Callable[[], None]:
    def program() -> None:
        for i in range(n):
            SecureFunction(
                f"fn{i}",
                SecureFunctionArgs(
                    handler="app.handler",
                    code=CODE,
                    environment={"TABLE": "orders"},
                    secrets=[SECRET_ARN],
                    grants=[Grant(actions=["dynamodb:GetItem"], resources=[TABLE_ARN])],
                ),
            )

    return program


def _doc(statements: list[dict[str, object]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def hand_written_program(n: int) -> Callable[[], None]:
    """What a careful team writes without the component: the same resources with the same inputs
    (tests/benchmarks/test_synth_equivalence.py checks that both programs register equal inputs)."""

    def program() -> None:
        account = aws.get_caller_identity_output().account_id
        region = "eu-west-1"
        for i in range(n):
            _hand_written_function(f"fn{i}", account, region)

    return program


def _hand_written_function(name: str, account: pulumi.Output[str], region: str) -> None:
    log_group_name = f"/aws/lambda/project/stack/{name}"
    log_group_arn = account.apply(lambda a: f"arn:aws:logs:{region}:{a}:log-group:{log_group_name}")
    role = aws.iam.Role(
        f"{name}-role",
        description=f"Execution role of the {name} function (secure-serverless)",
        assume_role_policy=account.apply(
            lambda a: _doc(
                [
                    {
                        "Sid": "LambdaAssumeRoleFromThisAccount",
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": a}},
                    }
                ]
            )
        ),
        max_session_duration=3600,
        tags={},
    )
    key = aws.kms.Key(
        f"{name}-key",
        description=f"Encrypts the {name} function's environment, logs, DLQ and alarm topic",
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=30,
        policy=pulumi.Output.all(account, role.arn, log_group_arn).apply(
            lambda v: _doc(
                [
                    {
                        "Sid": "AccountAdministersKeyThroughIam",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{v[0]}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "FunctionRoleUsesKeyThroughDeadLetterQueue",
                        "Effect": "Allow",
                        "Principal": {"AWS": v[1]},
                        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}},
                    },
                    {
                        "Sid": "LogsEncryptsOwnLogGroup",
                        "Effect": "Allow",
                        "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                        "Action": [
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ],
                        "Resource": "*",
                        "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": v[2]}},
                    },
                    {
                        "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": v[0]}},
                    },
                ]
            )
        ),
        tags={},
    )
    aws.kms.Alias(f"{name}-key-alias", name_prefix=f"alias/{name}-", target_key_id=key.key_id)
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-logs", name=log_group_name, retention_in_days=365, kms_key_id=key.arn, tags={}
    )
    queue = aws.sqs.Queue(
        f"{name}-dlq",
        kms_master_key_id=key.arn,
        kms_data_key_reuse_period_seconds=300,
        message_retention_seconds=1209600,
        tags={},
    )
    aws.sqs.QueuePolicy(
        f"{name}-dlq-policy",
        queue_url=queue.url,
        policy=queue.arn.apply(
            lambda arn: _doc(
                [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sqs:*",
                        "Resource": arn,
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            )
        ),
    )
    policy = aws.iam.RolePolicy(
        f"{name}-policy",
        role=role.id,
        policy=pulumi.Output.all(log_group.arn, key.arn, queue.arn).apply(
            lambda v: _doc(
                [
                    {
                        "Sid": "WriteOwnLogGroup",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": [f"{v[0]}:log-stream:*"],
                    },
                    {
                        "Sid": "UseOwnKeyThroughDeadLetterQueue",
                        "Effect": "Allow",
                        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": [v[1]],
                        "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}},
                    },
                    {
                        "Sid": "SendToDeadLetterQueue",
                        "Effect": "Allow",
                        "Action": ["sqs:SendMessage"],
                        "Resource": [v[2]],
                    },
                    {
                        "Sid": "ReadDeclaredSecrets",
                        "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue"],
                        "Resource": [SECRET_ARN],
                    },
                    {"Sid": "Grant0", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [TABLE_ARN]},
                    {
                        "Sid": "XRayTracing",
                        "Effect": "Allow",
                        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                        "Resource": "*",
                    },
                ]
            )
        ),
    )
    function = aws.lambda_.Function(
        name,
        role=role.arn,
        runtime="python3.12",
        handler="app.handler",
        code=CODE,
        architectures=["arm64"],
        memory_size=256,
        timeout=30,
        kms_key_arn=key.arn,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": "orders"}),
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
        reserved_concurrent_executions=20,
        dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=queue.arn),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="JSON", log_group=log_group.name, application_log_level="INFO", system_log_level="INFO"
        ),
        tags={},
        opts=pulumi.ResourceOptions(depends_on=[policy, log_group]),
    )
    topic = aws.sns.Topic(f"{name}-alarms", kms_master_key_id=key.arn, tags={})
    common: dict[str, Any] = dict(
        treat_missing_data="notBreaching", alarm_actions=[topic.arn], ok_actions=[topic.arn], tags={}
    )
    by_function = {"FunctionName": function.name}
    for key_name, metric, description in (
        ("errors", "Errors", "The function raised errors."),
        ("throttles", "Throttles", "Invocations were throttled (concurrency cap reached)."),
    ):
        aws.cloudwatch.MetricAlarm(
            f"{name}-{key_name}",
            alarm_description=f"{name}: {description}",
            namespace="AWS/Lambda",
            metric_name=metric,
            dimensions=by_function,
            statistic="Sum",
            period=60,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            **common,
        )
    aws.cloudwatch.MetricAlarm(
        f"{name}-duration",
        alarm_description=f"{name}: p99 duration above 80% of the timeout.",
        namespace="AWS/Lambda",
        metric_name="Duration",
        dimensions=by_function,
        extended_statistic="p99",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=24000,
        comparison_operator="GreaterThanThreshold",
        **common,
    )
    aws.cloudwatch.MetricAlarm(
        f"{name}-invocations-anomaly",
        alarm_description=f"{name}: Invocations left the learned baseline band.",
        comparison_operator="LessThanLowerOrGreaterThanUpperThreshold",
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold_metric_id="band",
        metric_queries=[
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="m1",
                return_data=True,
                metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace="AWS/Lambda", metric_name="Invocations", dimensions=by_function, period=300, stat="Sum"
                ),
            ),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="band", expression="ANOMALY_DETECTION_BAND(m1, 2)", label="Invocations (expected)", return_data=True
            ),
        ],
        **common,
    )
    aws.cloudwatch.MetricAlarm(
        f"{name}-dlq-depth",
        alarm_description=f"{name}: Failed asynchronous events are waiting in the dead-letter queue.",
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimensions={"QueueName": queue.name},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        **common,
    )


def timed(program: Callable[[], None]) -> tuple[float, int]:
    """Seconds to build the program under mocks; the run's garbage is collected after the clock stops
    (as `secure-serverless check` leaves it to the process exit)."""
    start = time.perf_counter()
    run = run_program(program, collect_garbage=False)
    elapsed = time.perf_counter() - start
    count = len(run.resources)
    del run
    gc.unfreeze()
    gc.collect()
    return elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,100,500")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    timed(component_program(5))  # warm imports and caches for both
    timed(hand_written_program(5))
    results: dict[int, tuple[float, float, int, int]] = {}
    print(f"{'N':>5} {'component s':>12} {'hand-written s':>15} {'ratio':>6} {'resources':>10} {'ms/function':>12}")
    for n in sizes:
        comp: list[float] = []
        hand: list[float] = []
        comp_count = hand_count = 0
        for _ in range(options.repeat):  # interleave so machine noise hits both alike
            t, comp_count = timed(component_program(n))
            comp.append(t)
            t, hand_count = timed(hand_written_program(n))
            hand.append(t)
        c, h = statistics.median(comp), statistics.median(hand)
        results[n] = (c, h, comp_count, hand_count)
        print(f"{n:>5} {c:>12.3f} {h:>15.3f} {c / h:>6.2f} {comp_count:>5}/{hand_count:<4} {1000 * c / n:>12.2f}")
    if 500 in results and 50 in results:
        scaling = results[500][0] / results[50][0]
        print(f"scaling time(500)/time(50) = {scaling:.2f} (target <= 11)")
    worst = max(c / h for c, h, _, _ in results.values())
    print(f"worst overhead ratio = {worst:.2f} (target <= 1.15)")


if __name__ == "__main__":
    main()
