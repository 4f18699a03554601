"""Arguments of Quarantine: pydantic models validated before any resource is registered."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secure_serverless.quarantine.responder.names import Mode

SignalAction = Literal["quarantine", "notify"]

_MODEL_CONFIG = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

# The runtime helper's rejections and the invocation baseline: worth a message, not a quarantine,
# unless the team says so (a traffic spike is not an intrusion).
DEFAULT_SIGNALS: dict[str, SignalAction] = {"rejected-input": "notify", "invocations-anomaly": "notify"}


class ProtectedFunction(BaseModel):
    """One SecureFunction under quarantine protection, with its response settings.

    Examples
    --------
    >>> ProtectedFunction(function=api, mode="contain", threshold=3, window_seconds=300,
    ...                   signals={"rejected-input": "quarantine"})  # doctest: +SKIP
    """

    model_config = _MODEL_CONFIG

    function: Any = Field(description="The SecureFunction to protect.")
    mode: Mode = Field(
        default="contain",
        description="contain: deny what it never declared and every older session; isolate: deny all but "
        "its own logs; stop: isolate and reserved concurrency 0 (opt-in: the function stops serving).",
    )
    threshold: int = Field(
        default=3, ge=1, le=10_000, description="Denied calls within window_seconds that quarantine (1: the first)."
    )
    window_seconds: int = Field(default=300, ge=60, le=86_400, description="Counting window (a multiple of 60).")
    signals: dict[str, SignalAction] | None = Field(
        default=None,
        description="The function's alarms (by key: 'invocations-anomaly', 'rejected-input', 'errors', ...) "
        "whose ALARM state notifies or quarantines. Keys the function has no alarm for are refused. Default: "
        "notify on 'rejected-input' and 'invocations-anomaly' where the function has them.",
    )

    @property
    def effective_signals(self) -> dict[str, SignalAction]:
        """``signals``, or the defaults restricted to the alarms the function has."""
        if self.signals is not None:
            return dict(self.signals)
        return {key: action for key, action in DEFAULT_SIGNALS.items() if key in self.function.alarms}

    @field_validator("function")
    @classmethod
    def _secure_function(cls, function: Any) -> Any:
        from secure_serverless.function import SecureFunction

        if not isinstance(function, SecureFunction):
            raise ValueError(f"expected a SecureFunction, got {type(function).__name__}")
        return function

    @field_validator("window_seconds")
    @classmethod
    def _whole_minutes(cls, seconds: int) -> int:
        if seconds % 60:
            raise ValueError(
                f"{seconds} is not a multiple of 60 (CloudWatch alarm periods); use e.g. {seconds // 60 * 60 or 60}"
            )
        return seconds


class QuarantineArgs(BaseModel):
    """What Quarantine protects and how it sees denied calls.

    Examples
    --------
    >>> QuarantineArgs(protect=[api, ProtectedFunction(function=consumer, mode="isolate")])  # doctest: +SKIP
    """

    model_config = _MODEL_CONFIG

    protect: list[Any] = Field(min_length=1, description="SecureFunctions or ProtectedFunction settings.")
    trail: Literal["create", "existing"] = Field(
        default="create",
        description="CloudTrail events reach EventBridge only while a trail logs them. 'create': a secure "
        "multi-region trail (KMS-encrypted, log file validation, a private TLS-only versioned bucket); "
        "'existing': the account already has one (name it in existing_trail_arn).",
    )
    existing_trail_arn: str | None = Field(default=None, description="The trail that logs management events.")
    read_only_events: bool = Field(
        default=True,
        description="Also match denied read-only calls (Get*, List*, Describe*, e.g. GetSecretValue): the "
        "rule opts in with state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.",
    )
    data_event_resource_types: list[str] = Field(
        default_factory=list,
        description="With trail='create': also log data events of these resource types (e.g. "
        "'AWS::DynamoDB::Table', 'AWS::S3::Object', 'AWS::Lambda::Function'), so that refused data-plane calls "
        "(GetItem, GetObject, Invoke) are seen too. Data events are charged per event.",
    )
    log_retention_in_days: int = Field(default=365, description="Retention of the handler's logs.")
    trail_retention_days: int = Field(
        default=365, ge=90, le=3653, description="Days the trail's log files are kept before expiring."
    )
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("protect")
    @classmethod
    def _protected(cls, protect: list[Any]) -> list[Any]:
        from secure_serverless.function import SecureFunction

        out: list[ProtectedFunction] = []
        for index, item in enumerate(protect):
            if isinstance(item, SecureFunction):
                item = ProtectedFunction(function=item)
            if not isinstance(item, ProtectedFunction):
                raise ValueError(
                    f"protect[{index}]: expected a SecureFunction or ProtectedFunction, got {type(item).__name__}"
                )
            if any(p.function is item.function for p in out):
                raise ValueError(f"protect[{index}]: {item.function._logical_name!r} is listed twice; keep one entry")
            out.append(item)
        return out

    @model_validator(mode="after")
    def _trail(self) -> QuarantineArgs:
        if self.trail == "existing" and not self.existing_trail_arn:
            raise ValueError("trail='existing' needs existing_trail_arn (the trail that logs management events)")
        if self.trail == "create" and self.existing_trail_arn:
            raise ValueError("existing_trail_arn is set but trail='create'; set trail='existing' or drop the ARN")
        if self.data_event_resource_types and self.trail != "create":
            raise ValueError(
                "data_event_resource_types applies to the trail Quarantine creates (trail='create'); configure data "
                "events on the existing trail instead"
            )
        for index, kind in enumerate(self.data_event_resource_types):
            if not re.fullmatch(r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+", kind):
                raise ValueError(
                    f"data_event_resource_types[{index}]: {kind!r} is not a CloudTrail resource type such as "
                    "'AWS::DynamoDB::Table'"
                )
        arn = self.existing_trail_arn
        if arn is not None and not (arn.startswith("arn:") and ":cloudtrail:" in arn and ":trail/" in arn):
            raise ValueError(f"existing_trail_arn {self.existing_trail_arn!r} is not a CloudTrail trail ARN")
        return self

    @property
    def protected(self) -> list[ProtectedFunction]:
        return list(self.protect)
