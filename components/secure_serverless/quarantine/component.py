"""Quarantine: watch protected SecureFunctions for denied calls and alarms, and contain them.

The component only orchestrates: patterns come from :mod:`.responder.patterns`, documents from
:mod:`.documents`, the trail from :mod:`.trail`, the handler's code from :mod:`.responder`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from secure_serverless.args import Grant, SecureFunctionArgs
from secure_serverless.function import SecureFunction, _account_for
from secure_serverless.quarantine.args import ProtectedFunction, QuarantineArgs, SignalAction
from secure_serverless.quarantine.documents import ResponderScope, responder_policy, responder_trust_policy
from secure_serverless.quarantine.model import QuarantineSettings, with_quarantine
from secure_serverless.quarantine.responder.config import ResponderConfig, Signal, Target
from secure_serverless.quarantine.responder.names import (
    CONFIG_FILE,
    DENIED_METRIC,
    METRIC_DIMENSION,
    METRIC_NAMESPACE,
)
from secure_serverless.quarantine.responder.patterns import alarm_pattern, denied_calls_pattern
from secure_serverless.quarantine.trail import SecureTrail, check_existing_trail, create_secure_trail

TYPE_TOKEN = "secure-serverless:index:Quarantine"
HANDLER_ENTRY = "secure_serverless.quarantine.responder.handler.handler"
DENIED_CALLS_SIGNAL = "denied-calls"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9\-]{0,29}$")
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


class QuarantineError(ValueError):
    """A Quarantine argument is invalid; the message names the field and the fix."""


def _bounded(name: str, limit: int) -> str:
    """``name`` if it fits AWS's length limit, else a prefix plus a short hash (still unique)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"


def handler_archive(config_json: str) -> pulumi.AssetArchive:
    """The handler's code: the responder package (no pulumi inside) and its targets file."""
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        "secure_serverless/__init__.py": pulumi.FileAsset(str(_PACKAGE_DIR / "__init__.py")),
        "secure_serverless/quarantine/__init__.py": pulumi.FileAsset(str(_PACKAGE_DIR / "quarantine" / "__init__.py")),
    }
    responder = _PACKAGE_DIR / "quarantine" / "responder"
    for path in sorted(responder.glob("*.py")):
        assets[f"secure_serverless/quarantine/responder/{path.name}"] = pulumi.FileAsset(str(path))
    assets[CONFIG_FILE] = pulumi.StringAsset(config_json)
    return pulumi.AssetArchive(assets)


class Quarantine(pulumi.ComponentResource):
    """Detection of, and a controlled response to, protected functions stepping outside their model.

    Registers, as children: an EventBridge rule on CloudTrail records of calls a protected role made
    and was refused (opted in to read-only events), a rule on the protected functions' signal alarms,
    a denied-calls threshold alarm per function, the handler (a SecureFunction with defaults) whose
    role may only assume the responder role, the responder role (scoped to the protected roles,
    functions and topics by ARN) and, with ``trail="create"``, a secure multi-region trail.

    Parameters
    ----------
    name
        Logical name (letters, digits, hyphens; at most 30 characters).
    args
        :class:`~secure_serverless.quarantine.QuarantineArgs`.
    opts
        Resource options; providers propagate to every child.

    Examples
    --------
    >>> quarantine = Quarantine("orders-quarantine", QuarantineArgs(
    ...     protect=[api, ProtectedFunction(function=consumer, mode="isolate", threshold=1)]))  # doctest: +SKIP
    >>> pulumi.export("behaviourModels", quarantine.behaviour_models)  # doctest: +SKIP
    """

    handler: SecureFunction
    responder_role: aws.iam.Role
    responder_policy: aws.iam.RolePolicy
    denied_calls_rule: aws.cloudwatch.EventRule
    alarm_rule: aws.cloudwatch.EventRule | None
    denied_call_alarms: dict[str, aws.cloudwatch.MetricAlarm]
    trail: SecureTrail | None
    behaviour_models: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: QuarantineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, QuarantineArgs):
            raise TypeError("args must be a QuarantineArgs (validated before any resource is created)")
        if not _NAME.match(name):
            raise QuarantineError(
                f"Quarantine name {name!r}: use 1-30 letters, digits or hyphens, starting with a letter"
            )
        protected = args.protected
        for index, item in enumerate(protected):
            unknown = sorted(set(item.effective_signals) - set(item.function.alarms))
            if unknown:
                raise QuarantineError(
                    f"Quarantine {name!r}: protect[{index}].signals: {unknown} are not alarms of "
                    f"{item.function._logical_name!r} (it has {sorted(item.function.alarms)}); "
                    "use those keys, or enable the alarm (runtime_helper=True adds 'rejected-input')"
                )
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        provider = self.get_provider("aws:index/getCallerIdentity:getCallerIdentity")
        account = _account_for(provider, pulumi.InvokeOutputOptions(parent=self))
        prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}"
        responder_name = _bounded(f"{prefix}-responder", 64)
        responder_arn = account.apply(lambda a: f"arn:{a.partition}:iam::{a.account_id}:role/{responder_name}")

        self.denied_call_alarms = {
            p.function._logical_name: self._threshold_alarm(p, child) for p in protected if p.threshold > 1
        }
        config = self._responder_config(protected, responder_arn)
        self.handler = SecureFunction(
            f"{name}-handler",
            SecureFunctionArgs(
                handler=HANDLER_ENTRY,
                code=config.apply(handler_archive),
                description=f"Quarantine responder of {prefix} (secure-serverless)",
                timeout=60,
                grants=[Grant(sid="AssumeQuarantineResponder", actions=["sts:AssumeRole"], resources=[responder_arn])],
                reserved_concurrent_executions=5,
                log_retention_in_days=args.log_retention_in_days,
                tags=args.tags,
            ),
            opts=child,
        )
        self.responder_role = aws.iam.Role(
            f"{name}-responder",
            name=responder_name,
            description=f"Writes quarantine policies on the roles {prefix} protects (secure-serverless)",
            assume_role_policy=self.handler.role.arn.apply(lambda arn: json.dumps(responder_trust_policy(arn))),
            max_session_duration=3600,
            tags=args.tags,
            opts=child,
        )
        self.responder_policy = aws.iam.RolePolicy(
            f"{name}-responder-policy",
            role=self.responder_role.id,
            policy=self._scope(protected, account),
            opts=child,
        )
        self.denied_calls_rule = self._denied_calls_rule(prefix, protected, args.read_only_events, account, child)
        self.alarm_rule = self._alarm_rule(prefix, protected, account, child)
        self.trail = (
            create_secure_trail(
                f"{name}-trail",
                account_id=account.apply(lambda a: a.account_id),
                partition=account.apply(lambda a: a.partition),
                region=account.apply(lambda a: a.region),
                retention_days=args.trail_retention_days,
                data_event_resource_types=args.data_event_resource_types,
                tags=args.tags,
                opts=child,
            )
            if args.trail == "create"
            else None
        )
        trail_arn: Any = self.trail.trail.arn if self.trail else None
        if args.trail == "existing":
            assert args.existing_trail_arn is not None  # the args model requires it
            trail_arn = check_existing_trail(
                f"{name}-existing-trail", args.existing_trail_arn, read_only_events=args.read_only_events, opts=child
            )
        self.behaviour_models = pulumi.Output.all(*[p.function.behaviour_model for p in protected]).apply(
            lambda models: {
                p.function._logical_name: with_quarantine(model, _settings(p))
                for p, model in zip(protected, models, strict=True)
            }
        )
        self.register_outputs(
            {
                "behaviourModels": self.behaviour_models,
                "handlerArn": self.handler.arn,
                "responderRoleArn": self.responder_role.arn,
                "deniedCallsRuleArn": self.denied_calls_rule.arn,
                "trailArn": trail_arn,  # for an existing trail: its deploy-time check
            }
        )

    # -- helpers -----------------------------------------------------------------------------
    def _threshold_alarm(self, item: ProtectedFunction, child: pulumi.ResourceOptions) -> aws.cloudwatch.MetricAlarm:
        fn = item.function
        topic = _topic_arn(fn)
        return aws.cloudwatch.MetricAlarm(
            f"{self._name}-{fn._logical_name}-denied-calls",
            alarm_description=f"{fn._logical_name}: {item.threshold} or more denied AWS calls within "
            f"{item.window_seconds}s; the quarantine ({item.mode}) follows.",
            namespace=METRIC_NAMESPACE,
            metric_name=DENIED_METRIC,
            dimensions={METRIC_DIMENSION: fn.function.name},
            statistic="Sum",
            period=item.window_seconds,
            evaluation_periods=1,
            threshold=item.threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[topic] if topic is not None else [],
            tags=fn._args.tags,
            opts=child,
        )

    def _responder_config(
        self, protected: list[ProtectedFunction], responder_arn: pulumi.Output[str]
    ) -> pulumi.Output[str]:
        def target(item: ProtectedFunction) -> pulumi.Output[Target]:
            fn = item.function
            return pulumi.Output.all(
                fn.function.name,
                fn.function.arn,
                fn.role.arn,
                fn.role.name,
                fn.log_group.arn,
                _topic_arn(fn),
                fn.behaviour_model,
            ).apply(
                lambda v: Target(
                    function_name=v[0],
                    function_arn=v[1],
                    role_arn=v[2],
                    role_name=v[3],
                    log_group_arn=v[4],
                    topic_arn=v[5],
                    mode=item.mode,
                    threshold=item.threshold,
                    window_seconds=item.window_seconds,
                    declared_actions=tuple(v[6]["declaredActions"]),
                    declared_scopes=tuple((tuple(p["actions"]), tuple(p["resources"])) for p in v[6]["permissions"]),
                )
            )

        signals: list[pulumi.Output[Signal]] = []
        for item in protected:
            fn = item.function
            pairs: list[tuple[str, SignalAction, Any]] = [
                (key, action, fn.alarms[key].arn) for key, action in sorted(item.effective_signals.items())
            ]
            threshold_alarm = self.denied_call_alarms.get(fn._logical_name)
            if threshold_alarm is not None:
                pairs.append((DENIED_CALLS_SIGNAL, "quarantine", threshold_alarm.arn))
            for key, action, arn in pairs:
                signals.append(pulumi.Output.all(arn, fn.function.name).apply(functools.partial(_signal, key, action)))
        return pulumi.Output.all(
            responder_arn, pulumi.Output.all(*[target(p) for p in protected]), pulumi.Output.all(*signals)
        ).apply(lambda v: ResponderConfig(responder_role_arn=v[0], targets=tuple(v[1]), signals=tuple(v[2])).to_json())

    def _scope(self, protected: list[ProtectedFunction], account: pulumi.Output[Any]) -> pulumi.Output[str]:
        fns = [p.function for p in protected]
        topics = [_topic_arn(fn) for fn in fns]
        keys = [fn.alarm_topic.kms_master_key_id for fn in fns if fn.alarm_topic is not None]
        stop = [p.function.function.arn for p in protected if p.mode == "stop"]
        return pulumi.Output.all(
            account,
            pulumi.Output.all(*[fn.role.arn for fn in fns]),
            pulumi.Output.all(*stop),
            pulumi.Output.all(*[t for t in topics if t is not None]),
            pulumi.Output.all(*keys),
        ).apply(
            lambda v: json.dumps(
                responder_policy(
                    ResponderScope(
                        role_arns=v[1],
                        function_arns_for_stop=v[2],
                        topic_arns=v[3],
                        topic_key_arns=[k for k in v[4] if k],
                        region=v[0].region,
                        dns_suffix=v[0].dns_suffix,
                    )
                )
            )
        )

    def _rule_with_target(
        self,
        key: str,
        rule_name: str,
        description: str,
        pattern: pulumi.Output[str],
        state: str,
        account: pulumi.Output[Any],
        child: pulumi.ResourceOptions,
    ) -> aws.cloudwatch.EventRule:
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-{key}",
            name=rule_name,
            description=description,
            event_pattern=pattern,
            state=state,
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{self._name}-{key}-target",
            rule=rule.name,
            arn=self.handler.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=3600, maximum_retry_attempts=20
            ),
            opts=child,
        )
        # The rule's ARN is known from its name: the permission never waits on (or loses) an output.
        rule_arn = account.apply(lambda a: f"arn:{a.partition}:events:{a.region}:{a.account_id}:rule/{rule_name}")
        aws.lambda_.Permission(
            f"{self._name}-{key}-invoke",
            action="lambda:InvokeFunction",
            function=self.handler.function.name,
            principal="events.amazonaws.com",
            source_arn=rule_arn,
            opts=child,
        )
        return rule

    def _denied_calls_rule(
        self,
        prefix: str,
        protected: list[ProtectedFunction],
        read_only_events: bool,
        account: pulumi.Output[Any],
        child: pulumi.ResourceOptions,
    ) -> aws.cloudwatch.EventRule:
        pattern = pulumi.Output.all(*[p.function.role.arn for p in protected]).apply(
            lambda arns: json.dumps(denied_calls_pattern(arns))
        )
        return self._rule_with_target(
            "denied-calls",
            _bounded(f"{prefix}-denied-calls", 64),
            "Calls by protected function roles that AWS refused (CloudTrail)",
            pattern,
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" if read_only_events else "ENABLED",
            account,
            child,
        )

    def _alarm_rule(
        self,
        prefix: str,
        protected: list[ProtectedFunction],
        account: pulumi.Output[Any],
        child: pulumi.ResourceOptions,
    ) -> aws.cloudwatch.EventRule | None:
        arns = [p.function.alarms[key].arn for p in protected for key in sorted(p.effective_signals)]
        arns += [alarm.arn for alarm in self.denied_call_alarms.values()]
        if not arns:
            return None
        return self._rule_with_target(
            "signals",
            _bounded(f"{prefix}-signals", 64),
            "Protected functions' signal alarms entering ALARM",
            pulumi.Output.all(*arns).apply(lambda v: json.dumps(alarm_pattern(v))),
            "ENABLED",
            account,
            child,
        )


def _signal(key: str, action: SignalAction, values: list[Any]) -> Signal:
    return Signal(alarm_arn=values[0], function_name=values[1], signal=key, action=action)


def _topic_arn(fn: SecureFunction) -> Any:
    if fn.alarm_topic is not None:
        return fn.alarm_topic.arn
    return fn._args.alarm_topic_arn


def _settings(item: ProtectedFunction) -> QuarantineSettings:
    signals = item.effective_signals
    if item.threshold > 1:
        signals[DENIED_CALLS_SIGNAL] = "quarantine"
    return QuarantineSettings(item.mode, item.threshold, item.window_seconds, signals)
