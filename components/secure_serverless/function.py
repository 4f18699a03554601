"""SecureFunction: a Lambda function with least privilege, encryption, retention and alarms by default.

The component only orchestrates: documents come from the pure builders in ``iam``, ``kms``,
``queue`` and ``alarms``; values are checked by ``rules`` (plain values already by the args model,
Outputs here inside ``apply``).
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from secure_serverless import rules
from secure_serverless.alarms import AlarmSpec, alarm_specs
from secure_serverless.args import SecureFunctionArgs
from secure_serverless.function_url import check_invoker_principal, invoke_permissions
from secure_serverless.iam import FunctionPermissions, GrantStatement, VpcPlacement, function_policy, trust_policy
from secure_serverless.kms import key_policy
from secure_serverless.queue import tls_only_queue_policy
from secure_serverless.tags import waiver_tags

TYPE_TOKEN = "secure-serverless:index:SecureFunction"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-]{0,39}$")
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to inspect failed events


class SecureFunctionError(ValueError):
    """A SecureFunction argument is invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class _Account:
    account_id: str
    region: str
    partition: str

    @property
    def dns_suffix(self) -> str:
        """Regional service principals end in this (logs.<region>.<suffix>)."""
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"


# One account lookup per provider per program run (the root stack identifies the run): a program
# with hundreds of functions would otherwise make two invokes for each.
_ACCOUNTS: weakref.WeakKeyDictionary[pulumi.Resource, dict[int, pulumi.Output[_Account]]] = weakref.WeakKeyDictionary()


def _account_for(
    provider: pulumi.ProviderResource | None, invoke: pulumi.InvokeOutputOptions
) -> pulumi.Output[_Account]:
    root = pulumi.runtime.settings.get_root_resource()
    per_run = _ACCOUNTS.setdefault(root, {}) if root is not None else {}
    key = id(provider)
    if key not in per_run:
        identity = aws.get_caller_identity_output(opts=invoke)
        region = aws.get_region_output(opts=invoke)
        # The caller's ARN names the partition (arn:<partition>:...): no third lookup needed.
        per_run[key] = pulumi.Output.all(identity.account_id, region.region, identity.arn).apply(
            lambda v: _Account(account_id=v[0], region=v[1], partition=v[2].split(":")[1])
        )
    return per_run[key]


def _checked(component: str, field: str, value: Any, check: Callable[[str], None]) -> Any:
    """Apply ``check`` to an Output's resolved value, naming the field when it fails."""
    if not isinstance(value, pulumi.Output):
        return value

    def run(resolved: Any) -> Any:
        if not isinstance(resolved, str):
            raise SecureFunctionError(
                f"SecureFunction {component!r}: {field}: expected a string, got {type(resolved).__name__}"
            )
        try:
            check(resolved)
        except ValueError as error:
            raise SecureFunctionError(f"SecureFunction {component!r}: {field}: {error}") from None
        return resolved

    return value.apply(run)


class SecureFunction(pulumi.ComponentResource):
    """An AWS Lambda function that is secure by default.

    Registers, as children: a role of its own with a generated least-privilege inline policy, a
    dedicated KMS key with rotation (unless ``kms_key_arn`` is given), an encrypted log group with
    retention, an encrypted TLS-only dead-letter queue, an encrypted alarm topic (unless
    ``alarm_topic_arn`` is given), the function, alarms on errors, throttles, duration, DLQ
    depth and invocation anomalies, and with ``function_url`` its URL plus resource-based
    permissions for exactly the ``function_url_invokers``.

    Parameters
    ----------
    name
        Logical name (letters, digits, hyphens; at most 40 characters).
    args
        :class:`~secure_serverless.SecureFunctionArgs`, validated when constructed.
    opts
        Resource options; providers and other options propagate to every child.

    Examples
    --------
    >>> api = SecureFunction("orders-api", SecureFunctionArgs(
    ...     handler="orders_api.handler", code=pulumi.FileArchive("./handlers"),
    ...     grants=[Grant(actions=["dynamodb:GetItem"], resources=[table.arn])],
    ... ))  # doctest: +SKIP
    >>> pulumi.export("orders_api_arn", api.arn)  # doctest: +SKIP
    """

    function: aws.lambda_.Function
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy
    kms_key: aws.kms.Key | None
    log_group: aws.cloudwatch.LogGroup
    dead_letter_queue: aws.sqs.Queue | None
    alarm_topic: aws.sns.Topic | None
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    function_url: aws.lambda_.FunctionUrl | None
    function_url_permissions: list[aws.lambda_.Permission]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, SecureFunctionArgs):
            raise TypeError("args must be a SecureFunctionArgs (validated before any resource is created)")
        if not _NAME.match(name):
            raise SecureFunctionError(
                f"SecureFunction name {name!r}: use 1-40 letters, digits or hyphens, starting with a letter"
            )
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._logical_name = name
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        self._waiver_tags = waiver_tags(args.waivers)
        account = self._account()
        log_group_name = f"/aws/lambda/{pulumi.get_project()}/{pulumi.get_stack()}/{name}"
        log_group_arn = account.apply(
            lambda a: f"arn:{a.partition}:logs:{a.region}:{a.account_id}:log-group:{log_group_name}"
        )

        self.role = aws.iam.Role(
            f"{name}-role",
            description=f"Execution role of the {name} function (secure-serverless)",
            assume_role_policy=account.apply(lambda a: json.dumps(trust_policy(a.account_id))),
            permissions_boundary=self._checked_arn("permissions_boundary_arn"),
            max_session_duration=3600,
            tags=self._tags_for("role"),
            opts=self._child,
        )
        self.kms_key, key_arn = self._key(account, self.role, log_group_arn)
        self.log_group = self._log_group(log_group_name, key_arn)
        self.dead_letter_queue = self._dead_letter_queue(key_arn) if args.create_dead_letter_queue else None
        self.role_policy = self._role_policy(account, key_arn, self.role, self.log_group, self.dead_letter_queue)
        self.function = self._function(key_arn, self.role, self.role_policy, self.log_group, self.dead_letter_queue)
        self.function_url = self._function_url(self.function) if args.function_url else None
        self.alarm_topic, topic_arn = self._alarm_topic(key_arn) if args.create_alarms else (None, None)
        self.alarms = (
            self._alarms(topic_arn, self.function, self.dead_letter_queue) if topic_arn is not None else {}
        )
        self.function_url_permissions = self._function_url_permissions(self.function)
        self.arn = self.function.arn
        self.name = self.function.name
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.name,
                "roleArn": self.role.arn,
                "logGroupName": self.log_group.name,
                "kmsKeyArn": key_arn,
                "deadLetterQueueArn": self.dead_letter_queue.arn if self.dead_letter_queue else None,
                "url": self.function_url.function_url if self.function_url else None,
            }
        )

    @functools.cached_property
    def behaviour_model(self) -> pulumi.Output[dict[str, Any]]:
        """What the function declared, as data (docs/quarantine.md): built on first use, so a function that
        nothing protects or exports pays nothing for it (a few dozen Outputs per function otherwise)."""
        from secure_serverless.quarantine.model_outputs import behaviour_model_of

        return behaviour_model_of(self)

    # -- helpers -----------------------------------------------------------------------------

    def _check(self, field: str, value: Any, check: Callable[[str], None]) -> Any:
        return _checked(self._logical_name, field, value, check)

    def _checked_arn(self, field: str) -> Any:
        """The field's value with its Outputs checked (in apply) by the same rule the args model uses."""
        value = getattr(self._args, field)
        check = rules.ARN_FIELDS[field]
        checked = [self._check(path, item, check) for path, item in rules.field_items(field, value)]
        return checked if isinstance(value, list) else (checked[0] if checked else None)

    def _tags_for(self, child: str) -> dict[str, str]:
        return {**self._args.tags, **self._waiver_tags.get(child, {})}

    def _account(self) -> pulumi.Output[_Account]:
        provider = self.get_provider("aws:index/getCallerIdentity:getCallerIdentity")
        return _account_for(provider, pulumi.InvokeOutputOptions(parent=self))

    def _key(
        self, account: pulumi.Output[_Account], role: aws.iam.Role, log_group_arn: pulumi.Output[str]
    ) -> tuple[aws.kms.Key | None, pulumi.Output[str]]:
        """The dedicated key (None with ``kms_key_arn``) and the ARN of the key in use."""
        args = self._args
        if args.kms_key_arn is not None:
            return None, pulumi.Output.from_input(self._checked_arn("kms_key_arn"))
        encrypted_topic = args.create_alarms and args.alarm_topic_arn is None
        policy = pulumi.Output.all(account, role.arn, log_group_arn).apply(
            lambda v: json.dumps(
                key_policy(
                    account_id=v[0].account_id,
                    partition=v[0].partition,
                    region=v[0].region,
                    role_arn=v[1],
                    log_group_arn=v[2],
                    alarm_topic_encrypted=encrypted_topic,
                    dead_letter_queue=args.create_dead_letter_queue,
                    dns_suffix=v[0].dns_suffix,
                )
            )
        )
        key = aws.kms.Key(
            f"{self._logical_name}-key",
            description=f"Encrypts the {self._logical_name} function's environment, logs, DLQ and alarm topic",
            enable_key_rotation=True,
            rotation_period_in_days=args.key_rotation_period_in_days,
            deletion_window_in_days=30,
            policy=policy,
            tags=self._tags_for("key"),
            opts=self._child,
        )
        aws.kms.Alias(
            f"{self._logical_name}-key-alias",
            name_prefix=f"alias/{self._logical_name}-",
            target_key_id=key.key_id,
            opts=self._child,
        )
        return key, key.arn

    def _log_group(self, log_group_name: str, key_arn: pulumi.Output[str]) -> aws.cloudwatch.LogGroup:
        return aws.cloudwatch.LogGroup(
            f"{self._logical_name}-logs",
            name=log_group_name,
            retention_in_days=self._args.log_retention_in_days,
            kms_key_id=key_arn,
            tags=self._tags_for("logs"),
            opts=self._child,
        )

    def _dead_letter_queue(self, key_arn: pulumi.Output[str]) -> aws.sqs.Queue:
        queue = aws.sqs.Queue(
            f"{self._logical_name}-dlq",
            kms_master_key_id=key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=self._tags_for("queue"),
            opts=self._child,
        )
        aws.sqs.QueuePolicy(
            f"{self._logical_name}-dlq-policy",
            queue_url=queue.url,
            policy=queue.arn.apply(lambda arn: json.dumps(tls_only_queue_policy(arn))),
            opts=self._child,
        )
        return queue

    def _role_policy(
        self,
        account: pulumi.Output[_Account],
        key_arn: pulumi.Output[str],
        role: aws.iam.Role,
        log_group: aws.cloudwatch.LogGroup,
        dead_letter_queue: aws.sqs.Queue | None,
    ) -> aws.iam.RolePolicy:
        args = self._args
        waived = {w.policy for w in args.waivers}
        secrets = self._checked_arn("secrets")
        secret_keys = self._checked_arn("secret_kms_key_arns")

        check_grant_resource = functools.partial(rules.check_grant_resource, waived=waived)
        grant_resources = [
            [self._check(f"grants[{i}].resources[{j}]", r, check_grant_resource) for j, r in enumerate(g.resources)]
            for i, g in enumerate(args.grants)
        ]
        vpc = args.vpc
        vpc_ids = pulumi.Output.all(
            pulumi.Output.all(*(vpc.subnet_ids if vpc else [])),
            pulumi.Output.all(*(vpc.security_group_ids if vpc else [])),
        )
        dlq_arn = dead_letter_queue.arn if dead_letter_queue else None

        def build(values: list[Any]) -> str:
            acct, lg_arn, k_arn, q_arn, secret_arns, key_arns, resources, (subnets, groups) = values
            grants = [
                GrantStatement(actions=g.actions, resources=res, conditions=g.conditions, sid=g.sid)
                for g, res in zip(args.grants, resources, strict=True)
            ]
            return json.dumps(
                function_policy(
                    FunctionPermissions(
                        region=acct.region,
                        log_group_arn=lg_arn,
                        key_arn=k_arn,
                        dead_letter_queue_arn=q_arn,
                        secret_arns=secret_arns,
                        secret_key_arns=key_arns,
                        grants=grants,
                        tracing=args.tracing == "Active",
                        vpc=VpcPlacement(acct.account_id, acct.partition, subnets, groups) if vpc else None,
                        dns_suffix=acct.dns_suffix,
                    )
                )
            )

        document = pulumi.Output.all(
            account,
            log_group.arn,
            key_arn,
            dlq_arn,
            pulumi.Output.all(*secrets),
            pulumi.Output.all(*secret_keys),
            pulumi.Output.all(*[pulumi.Output.all(*r) for r in grant_resources]),
            vpc_ids,
        ).apply(build)
        return aws.iam.RolePolicy(f"{self._logical_name}-policy", role=role.id, policy=document, opts=self._child)

    def _function_url_permissions(self, function: aws.lambda_.Function) -> list[aws.lambda_.Permission]:
        """Resource-based permissions for exactly the declared URL callers (see function_url.py)."""
        invokers = [
            self._check(f"function_url_invokers[{index}]", principal, check_invoker_principal)
            for index, principal in enumerate(self._args.function_url_invokers)
        ]
        return [
            aws.lambda_.Permission(
                f"{self._logical_name}-{spec.key}",
                function=function.name,
                action=spec.action,
                principal=invokers[spec.invoker],
                function_url_auth_type=spec.function_url_auth_type,
                invoked_via_function_url=spec.invoked_via_function_url,
                opts=self._child,
            )
            for spec in invoke_permissions(len(invokers))
        ]

    def _environment(self) -> dict[str, Any]:
        args = self._args
        variables: dict[str, Any] = {}
        if args.runtime_helper:
            from secure_serverless.runtime.contract import SAFE_ENV_DEFAULTS

            variables.update(SAFE_ENV_DEFAULTS)
        for key, value in args.environment.items():
            variables[key] = self._check(f"environment[{key!r}]", value, functools.partial(rules.check_env_value, key))
        return variables

    def _function(
        self,
        key_arn: pulumi.Output[str],
        role: aws.iam.Role,
        role_policy: aws.iam.RolePolicy,
        log_group: aws.cloudwatch.LogGroup,
        dead_letter_queue: aws.sqs.Queue | None,
    ) -> aws.lambda_.Function:
        args = self._args
        variables = self._environment()
        vpc = args.vpc
        depends: Sequence[pulumi.Resource] = [role_policy, log_group]
        return aws.lambda_.Function(
            self._logical_name,
            name=args.function_name,
            description=args.description,
            role=role.arn,
            runtime=args.runtime,
            handler=args.handler,
            code=args.code,
            architectures=[args.architecture],
            memory_size=args.memory_size,
            timeout=args.timeout,
            kms_key_arn=key_arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=variables) if variables else None,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode=args.tracing),
            reserved_concurrent_executions=args.reserved_concurrent_executions,
            dead_letter_config=(
                aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dead_letter_queue.arn)
                if dead_letter_queue
                else None
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON",
                log_group=log_group.name,
                application_log_level=args.log_level,
                system_log_level="INFO",
            ),
            code_signing_config_arn=self._checked_arn("code_signing_config_arn"),
            layers=self._checked_arn("layers") or None,
            vpc_config=(
                aws.lambda_.FunctionVpcConfigArgs(subnet_ids=vpc.subnet_ids, security_group_ids=vpc.security_group_ids)
                if vpc
                else None
            ),
            tags=self._tags_for("function"),
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(depends_on=list(depends))),
        )

    def _function_url(self, function: aws.lambda_.Function) -> aws.lambda_.FunctionUrl:
        return aws.lambda_.FunctionUrl(
            f"{self._logical_name}-url",
            function_name=function.name,
            authorization_type="AWS_IAM",
            opts=self._child,
        )

    def _alarm_topic(self, key_arn: pulumi.Output[str]) -> tuple[aws.sns.Topic | None, pulumi.Output[str]]:
        """The dedicated encrypted topic (None with ``alarm_topic_arn``) and the ARN alarms notify."""
        if self._args.alarm_topic_arn is not None:
            return None, pulumi.Output.from_input(self._checked_arn("alarm_topic_arn"))
        topic = aws.sns.Topic(
            f"{self._logical_name}-alarms",
            kms_master_key_id=key_arn,
            tags=self._tags_for("topic"),
            opts=self._child,
        )
        return topic, topic.arn

    def _alarms(
        self, topic_arn: pulumi.Output[str], function: aws.lambda_.Function, dead_letter_queue: aws.sqs.Queue | None
    ) -> dict[str, aws.cloudwatch.MetricAlarm]:
        args = self._args
        helper_metrics: tuple[str, str, str] | None = None
        if args.runtime_helper:
            from secure_serverless.runtime import contract

            # The alarm must watch the namespace the helper will really emit to.
            namespace = str(args.environment.get(contract.ENV_METRIC_NAMESPACE, contract.METRIC_NAMESPACE))
            helper_metrics = (namespace, contract.REJECTED_INPUT_METRIC, contract.HANDLER_ERROR_METRIC)
        specs = alarm_specs(
            timeout_seconds=args.timeout,
            duration_ratio=args.duration_alarm_ratio,
            anomaly_band_width=args.anomaly_band_width,
            with_dead_letter_queue=dead_letter_queue is not None,
            helper_metrics=helper_metrics,
        )
        return {spec.key: self._alarm(spec, topic_arn, function, dead_letter_queue) for spec in specs}

    def _alarm(
        self,
        spec: AlarmSpec,
        topic_arn: pulumi.Output[str],
        function: aws.lambda_.Function,
        dead_letter_queue: aws.sqs.Queue | None,
    ) -> aws.cloudwatch.MetricAlarm:
        if spec.dimension == "queue":
            assert dead_letter_queue is not None
            dimensions = {"QueueName": dead_letter_queue.name}
        else:
            dimensions = {"FunctionName": function.name}
        common: dict[str, Any] = dict(
            alarm_description=f"{self._logical_name}: {spec.description}",
            comparison_operator=spec.comparison_operator,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data="notBreaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=self._tags_for("alarm"),
            opts=self._child,
        )
        if spec.anomaly_band_width is not None:
            return aws.cloudwatch.MetricAlarm(
                f"{self._logical_name}-{spec.key}",
                threshold_metric_id="band",
                metric_queries=[
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id="m1",
                        return_data=True,
                        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            namespace=spec.namespace,
                            metric_name=spec.metric_name,
                            dimensions=dimensions,
                            period=spec.period,
                            stat=spec.statistic or "Sum",
                        ),
                    ),
                    aws.cloudwatch.MetricAlarmMetricQueryArgs(
                        id="band",
                        expression=f"ANOMALY_DETECTION_BAND(m1, {spec.anomaly_band_width:g})",
                        label=f"{spec.metric_name} (expected)",
                        return_data=True,
                    ),
                ],
                **common,
            )
        return aws.cloudwatch.MetricAlarm(
            f"{self._logical_name}-{spec.key}",
            namespace=spec.namespace,
            metric_name=spec.metric_name,
            dimensions=dimensions,
            statistic=spec.statistic,
            extended_statistic=spec.extended_statistic,
            period=spec.period,
            threshold=spec.threshold,
            **common,
        )
