"""Arguments of SecureFunction: pydantic models validated before any resource is registered.

Fields accept plain values or ``pulumi.Output``s. Plain values are checked here; Outputs are checked
by the component inside ``apply`` with the same rule functions (see :mod:`secure_serverless.rules`).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any, Literal

import pulumi
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from secure_serverless import rules
from secure_serverless.arg_errors import ArgsModel  # invalid arguments raise ArgumentError, one line each
from secure_serverless.contract import waivers as waiver_rules
from secure_serverless.contract.aws import SUPPORTED_RUNTIMES
from secure_serverless.contract.policies import IAM_NO_WILDCARD_ACTIONS, NON_WAIVABLE, POLICY_NAMES
from secure_serverless.function_url import check_invoker_principal
from secure_serverless.tags import waiver_target

StrInput = str | pulumi.Output[Any]

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

_MODEL_CONFIG = ConfigDict(
    extra="forbid",
    arbitrary_types_allowed=True,
    frozen=True,
    hide_input_in_errors=True,  # an env value that is a credential must not reach a log via an error
)


class Grant(ArgsModel):
    """Permission for anything beyond logs, secrets and the key, e.g. a DynamoDB table.

    Examples
    --------
    >>> Grant(actions=["dynamodb:GetItem", "dynamodb:PutItem"], resources=[table.arn])  # doctest: +SKIP
    """

    model_config = _MODEL_CONFIG

    actions: list[str] = Field(min_length=1, description="IAM actions, `service:Action` (no `*`).")
    resources: list[StrInput] = Field(min_length=1, description="Exact resource ARNs (Outputs allowed).")
    conditions: dict[str, dict[str, Any]] | None = Field(
        default=None, description="Optional IAM Condition block, e.g. {'StringEquals': {...}}."
    )
    sid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,100}$", description="Statement id.")

    @field_validator("actions")
    @classmethod
    def _actions_well_formed(cls, actions: list[str]) -> list[str]:
        for action in actions:
            rules.check_action(action)
        return actions

    @field_validator("resources")
    @classmethod
    def _resources_well_formed(cls, resources: list[StrInput]) -> list[StrInput]:
        for resource in resources:
            if isinstance(resource, str):
                rules.check_resource_arn(resource)
        return resources

    @property
    def wildcard_actions(self) -> list[str]:
        return [a for a in self.actions if rules.is_wildcard_action(a)]


class ExpiredWaiverWarning(UserWarning):
    """A waiver's expiry date has passed: it is kept as a tag, and the pack no longer applies it."""


class Waiver(ArgsModel):
    """A narrow, expiring exception to one guardrail for this function.

    The component writes it as a tag (``secure-serverless:waiver:<policy>``) on the child resource
    whose type the policy judges; the policy pack reports the finding as waived instead of failing.
    A waiver counts through its expiry day (UTC); an expired one is accepted with an
    :class:`ExpiredWaiverWarning` and the pack reports the finding again, marked "waiver expired on DATE".
    Validation uses today's UTC date, or ``context={"today": date}`` given to ``model_validate``.

    Examples
    --------
    >>> Waiver(policy="logs-retention-set", reason="Debug logs kept short by data policy DP-12",
    ...        expires=dt.date(2027, 3, 1))  # doctest: +SKIP
    """

    model_config = _MODEL_CONFIG

    policy: str = Field(description="The policy name, e.g. 'logs-retention-set'.")
    reason: str = Field(
        min_length=waiver_rules.MIN_REASON_LENGTH,
        max_length=waiver_rules.MAX_REASON_LENGTH,
        description=f"Why (>= {waiver_rules.MIN_REASON_LENGTH} characters).",
    )
    expires: dt.date = Field(description="ISO date (UTC), at most one year ahead.")

    @field_validator("policy")
    @classmethod
    def _known_policy(cls, policy: str) -> str:
        if policy not in POLICY_NAMES:
            raise ValueError(f"unknown policy {policy!r}; use one of: {', '.join(sorted(POLICY_NAMES))}")
        if policy in NON_WAIVABLE:
            raise ValueError(f"policy {policy!r} cannot be waived; fix the resource instead")
        waiver_target(policy)
        return policy

    @field_validator("reason")
    @classmethod
    def _reason_fits_a_tag(cls, reason: str) -> str:
        if not waiver_rules.REASON_PATTERN.fullmatch(reason):
            raise ValueError("reason may use only letters, digits, spaces and _ . : / = + - @ (it is stored in a tag)")
        return reason

    @field_validator("expires")
    @classmethod
    def _expiry_window(cls, expires: dt.date, info: ValidationInfo) -> dt.date:
        context = info.context if isinstance(info.context, dict) else {}
        today = context.get("today") or waiver_rules.utc_today()
        problem = waiver_rules.expiry_problem(expires, today)
        if problem is None:
            return expires
        policy = info.data.get("policy", "this policy")
        if problem.kind == "expired":
            warnings.warn(
                f"The waiver for {policy!r} expired on {expires.isoformat()}, so the policy pack no longer "
                "applies it and reports the finding again; renew it with a later expires date (at most one "
                "year ahead) or fix the resource.",
                ExpiredWaiverWarning,
                stacklevel=2,
            )
            return expires
        latest = waiver_rules.latest_expiry(today)
        raise ValueError(
            f"{problem.text}; waivers last at most one year, so choose an expires date no later than "
            f"{latest.isoformat()}"
        )


class VpcConfig(ArgsModel):
    """Run the function inside a VPC (subnets in at least two availability zones)."""

    model_config = _MODEL_CONFIG

    subnet_ids: list[StrInput] = Field(min_length=2, description="Private subnets in >= 2 AZs.")
    security_group_ids: list[StrInput] = Field(min_length=1, description="Security groups for the ENIs.")


class SecureFunctionArgs(ArgsModel):
    """Everything a SecureFunction needs; every default is the secure choice.

    Examples
    --------
    >>> SecureFunctionArgs(
    ...     runtime="python3.12",
    ...     handler="orders_api.handler",
    ...     code=pulumi.FileArchive("./handlers"),
    ...     secrets=[payment_secret.arn],
    ...     grants=[Grant(actions=["dynamodb:GetItem"], resources=[table.arn])],
    ... )  # doctest: +SKIP
    """

    model_config = _MODEL_CONFIG

    # -- code ----------------------------------------------------------------------------------
    handler: str = Field(pattern=r"^[\w\-/.]+\.[\w\-$]+$", description="Entry point, e.g. 'app.handler'.")
    code: pulumi.Archive | pulumi.Output[Any] = Field(description="Deployment package (pulumi archive).")
    runtime: str = Field(default="python3.12", description="A runtime AWS still supports.")
    architecture: Literal["arm64", "x86_64"] = Field(default="arm64", description="Instruction set.")
    memory_size: int = Field(default=256, ge=128, le=10240, description="MB of memory.")
    timeout: int = Field(default=30, ge=1, le=900, description="Seconds before the invocation is stopped.")
    description: str | None = Field(default=None, max_length=256)
    function_name: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_\-]{1,64}$", description="Physical name; default auto-named."
    )
    environment: dict[str, StrInput] = Field(
        default_factory=dict, description="Plain configuration only; credentials go in `secrets`."
    )

    # -- least privilege -----------------------------------------------------------------------
    secrets: list[StrInput] = Field(
        default_factory=list,
        description="Secrets Manager secret ARNs (full, or ending in -??????) and SSM parameter ARNs "
        "the function may read. Pass them to the code by reference (e.g. an env var with the ARN).",
    )
    secret_kms_key_arns: list[StrInput] = Field(
        default_factory=list,
        description="Customer keys that encrypt those secrets; kms:Decrypt is granted only via "
        "Secrets Manager / SSM (kms:ViaService).",
    )
    grants: list[Grant] = Field(default_factory=list, description="Any other permission, exactly scoped.")
    permissions_boundary_arn: StrInput | None = Field(default=None, description="IAM policy ARN.")

    # -- encryption ----------------------------------------------------------------------------
    kms_key_arn: StrInput | None = Field(
        default=None,
        description="A shared customer key; default: a dedicated key with rotation. Its key policy must "
        "hold secure_serverless.kms.shared_key_policy_statements(...) (Logs for this log group, alarms, the "
        "role through SQS); the pack's kms-key-serves-its-consumers checks a key created in the program.",
    )
    key_rotation_period_in_days: int = Field(default=365, ge=90, le=2560)

    # -- logging, tracing, alarms --------------------------------------------------------------
    log_retention_in_days: int = Field(
        default=365,
        description="CloudWatch retention. Below 365 the pack's logs-retention-set flags it unless "
        "waived (Waiver(policy='logs-retention-set', ...)) or the pack's minimum is configured lower.",
    )
    log_level: Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] = Field(default="INFO")
    tracing: Literal["Active", "PassThrough"] = Field(default="Active", description="X-Ray mode.")
    create_alarms: bool = Field(default=True, description="Opt-out of the alarm set (pack flags it).")
    alarm_topic_arn: StrInput | None = Field(
        default=None, description="SNS topic for alarms; default: an encrypted topic per function."
    )
    duration_alarm_ratio: float = Field(
        default=0.8, gt=0, le=1, description="Alarm when p99 duration exceeds this share of the timeout."
    )
    anomaly_band_width: float = Field(default=2.0, gt=0, le=10, description="Std-devs of the baseline band.")

    # -- availability and exposure -------------------------------------------------------------
    reserved_concurrent_executions: int | None = Field(
        default=20, ge=1, description="Caps the blast radius; None opts out (pack advisory)."
    )
    create_dead_letter_queue: bool = Field(default=True, description="Encrypted DLQ for async failures.")
    function_url: Literal["AWS_IAM"] | None = Field(
        default=None, description="Create a function URL; only AWS_IAM authorization is allowed."
    )
    function_url_invokers: list[StrInput] = Field(
        default_factory=list,
        description="IAM role, user or account-root ARNs that may call the function URL: each gets "
        "lambda:InvokeFunctionUrl and lambda:InvokeFunction (URL calls only) in the function's "
        "resource-based policy. Callers also need both in their own policy when in another account "
        "(see docs/least-privilege.md). Requires function_url='AWS_IAM'.",
    )
    layers: list[StrInput] = Field(
        default_factory=list,
        max_length=5,
        description="Lambda layer version ARNs (e.g. one that provides pydantic for the runtime helper).",
    )
    code_signing_config_arn: StrInput | None = Field(default=None)
    vpc: VpcConfig | None = Field(default=None)
    runtime_helper: bool = Field(
        default=False,
        description="The code uses secure_serverless.runtime: set its env defaults and alarm on RejectedInput.",
    )

    # -- metadata ------------------------------------------------------------------------------
    tags: dict[str, str] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("runtime")
    @classmethod
    def _supported_runtime(cls, runtime: str) -> str:
        if runtime not in SUPPORTED_RUNTIMES:
            raise ValueError(
                f"runtime {runtime!r} is deprecated or unknown; use one of: {', '.join(sorted(SUPPORTED_RUNTIMES))}"
            )
        return runtime

    @field_validator("code", mode="before")
    @classmethod
    def _archive(cls, code: Any) -> Any:
        if isinstance(code, pulumi.Asset | str):
            raise ValueError("code must be a pulumi archive, e.g. pulumi.FileArchive('./handlers')")
        return code

    @field_validator("environment")
    @classmethod
    def _environment(cls, environment: dict[str, StrInput]) -> dict[str, StrInput]:
        for key, value in environment.items():
            rules.check_env_name(key)
            if isinstance(value, str):
                rules.check_env_value(key, value)
        return environment

    @field_validator(*rules.ARN_FIELDS)
    @classmethod
    def _arns(cls, value: StrInput | list[StrInput] | None, info: ValidationInfo) -> Any:
        for _, item in rules.field_items(info.field_name or "", value):
            if isinstance(item, str):
                rules.ARN_FIELDS[info.field_name or ""](item)
        return value

    @field_validator("function_url_invokers")
    @classmethod
    def _invokers(cls, invokers: list[StrInput]) -> list[StrInput]:
        for index, principal in enumerate(invokers):
            if isinstance(principal, str):
                try:
                    check_invoker_principal(principal)
                except ValueError as error:
                    raise ValueError(f"function_url_invokers[{index}]: {error}") from None
        if len([p for p in invokers if isinstance(p, str)]) != len({p for p in invokers if isinstance(p, str)}):
            raise ValueError("function_url_invokers lists a principal twice; keep one entry per principal")
        return invokers

    @field_validator("log_retention_in_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{days} is not a CloudWatch retention period; use one of {LOG_RETENTION_DAYS} "
                "(0, 'never expire', is not allowed)"
            )
        return days

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            rules.check_tag(key, value)
        return tags

    @model_validator(mode="after")
    def _cross_field(self) -> SecureFunctionArgs:
        waived = {w.policy for w in self.waivers}
        duplicates = [p for p in waived if sum(w.policy == p for w in self.waivers) > 1]
        if duplicates:
            raise ValueError(f"waivers: policy {duplicates[0]!r} is waived twice; keep one waiver")
        for index, grant in enumerate(self.grants):
            if grant.wildcard_actions and IAM_NO_WILDCARD_ACTIONS not in waived:
                raise ValueError(
                    f"grants[{index}].actions: wildcard actions {grant.wildcard_actions} are refused; list "
                    f"the exact actions, or add Waiver(policy='{IAM_NO_WILDCARD_ACTIONS}', ...)"
                )
            for position, resource in enumerate(grant.resources):
                if isinstance(resource, str):
                    try:
                        rules.check_grant_resource(resource, waived)
                    except ValueError as error:
                        raise ValueError(f"grants[{index}].resources[{position}]: {error}") from None
        if self.runtime_helper:
            from secure_serverless.runtime.contract import ENV_METRIC_NAMESPACE

            if not isinstance(self.environment.get(ENV_METRIC_NAMESPACE, ""), str):
                raise ValueError(
                    f"environment[{ENV_METRIC_NAMESPACE!r}] must be a plain string with runtime_helper=True: "
                    "the RejectedInput alarm is created in that namespace"
                )
        if self.function_url_invokers and self.function_url is None:
            raise ValueError(
                "function_url_invokers without function_url: there is no URL to call; set "
                "function_url='AWS_IAM' or remove function_url_invokers"
            )
        if self.function_url is not None and self.reserved_concurrent_executions is None:
            raise ValueError(
                "function_url with reserved_concurrent_executions=None: a public endpoint needs a "
                "concurrency cap; set reserved_concurrent_executions"
            )
        if self.duration_alarm_ratio * self.timeout < 1 and self.create_alarms:
            raise ValueError("duration_alarm_ratio * timeout is under one second; raise timeout or the ratio")
        return self


# pydantic resolves the forward references (``from __future__ import annotations``).
SecureFunctionArgs.model_rebuild()
