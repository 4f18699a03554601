"""Lambda entry point of the Quarantine handler: decide (ignore, notify, quarantine), act, publish, log.

Every decision is one JSON log line and the handler's return value; every action (and every
notification) is published to the protected function's alarm topic. Handling an event twice
changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from secure_serverless.quarantine.responder.actions import apply_quarantine
from secure_serverless.quarantine.responder.config import ResponderConfig, Target, load_config
from secure_serverless.quarantine.responder.events import AlarmFired, DeniedCall, parse_event
from secure_serverless.quarantine.responder.names import (
    DENIED_METRIC,
    METRIC_DIMENSION,
    METRIC_NAMESPACE,
    POLICY_NAME,
    Mode,
)

LOGGER = "secure-serverless.quarantine"


@dataclass(frozen=True)
class Clients:
    iam: Any
    lambda_: Any
    sns: Any


def assumed_clients(role_arn: str) -> Clients:
    """Clients acting as the responder role (the handler's own role may only assume it)."""
    import boto3  # provided by the Lambda runtime; imported here so the pure modules need no boto3

    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="secure-serverless-quarantine")[
        "Credentials"
    ]
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return Clients(iam=session.client("iam"), lambda_=session.client("lambda"), sns=session.client("sns"))


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Responder:
    """Decides and acts on one event at a time; all side effects go through ``clients`` and ``out``.

    Examples
    --------
    >>> Responder(config, assumed_clients).handle(event)  # doctest: +SKIP
    {'decision': 'quarantine', 'outcome': 'quarantined', ...}
    """

    def __init__(
        self,
        config: ResponderConfig,
        clients: Callable[[str], Clients] = assumed_clients,
        *,
        now: Callable[[], str] = utc_now,
        out: TextIO | None = None,
    ) -> None:
        self._config = config
        self._client_factory = clients
        self._clients: Clients | None = None
        self._now = now
        self._out = out or sys.stdout

    def handle(self, event: Any) -> dict[str, Any]:
        self._clients = None  # assumed-role credentials last an hour: never reuse them across events
        parsed = parse_event(event)
        if isinstance(parsed, DeniedCall):
            return self._denied(parsed)
        if isinstance(parsed, AlarmFired):
            return self._alarm(parsed)
        return self._log({"decision": "ignored", "reason": parsed.reason}, level="INFO")

    # -- decisions -------------------------------------------------------------------------------
    def _denied(self, call: DeniedCall) -> dict[str, Any]:
        trigger = {
            "kind": "denied-call",
            "eventId": call.event_id,
            "eventTime": call.event_time,
            "call": f"{call.event_source.split('.')[0]}:{call.event_name}",
            "errorCode": call.error_code,
            "sourceIPAddress": call.source_ip,
            "role": call.role_arn,
        }
        target = self._config.target_for_role(call.role_arn)
        if target is None:
            return self._log(
                {"decision": "ignored", "reason": "role is not protected by this stack", "trigger": trigger}
            )
        self._metric(target)
        if target.threshold <= 1:
            return self._quarantine(target, target.mode, trigger, call.event_id)
        record = {
            "decision": "notify",
            "function": target.function_name,
            "trigger": trigger,
            "reason": f"denied call counted; quarantine ({target.mode}) at {target.threshold} within "
            f"{target.window_seconds}s (alarm on {METRIC_NAMESPACE}/{DENIED_METRIC})",
        }
        self._publish(target, f"Denied call by {target.function_name}", record)
        return self._log(record)

    def _alarm(self, fired: AlarmFired) -> dict[str, Any]:
        trigger = {"kind": "alarm", "alarm": fired.alarm_arn, "eventId": fired.event_id}
        signal = self._config.signal_for(fired.alarm_arn)
        target = self._config.target_named(signal.function_name) if signal else None
        if signal is None or target is None:
            return self._log({"decision": "ignored", "reason": "alarm is not a configured signal", "trigger": trigger})
        trigger["signal"] = signal.signal
        if signal.action == "quarantine":
            return self._quarantine(target, target.mode, trigger, fired.event_id)
        record = {"decision": "notify", "function": target.function_name, "trigger": trigger}
        self._publish(target, f"Signal {signal.signal} on {target.function_name}", record)
        return self._log(record)

    def _quarantine(self, target: Target, mode: Mode, trigger: dict[str, Any], event_id: str) -> dict[str, Any]:
        clients = self._client()
        result = apply_quarantine(clients, target, mode=mode, since=self._now(), event_id=event_id)
        record = {"decision": "quarantine", "trigger": trigger, **result.as_record()}
        if result.outcome != "already-quarantined":  # the same event twice: no second message
            verb = {"quarantined": f"quarantined ({mode})", "target-missing": "could not be quarantined"}
            self._publish(target, f"{target.function_name} {verb.get(result.outcome, result.outcome)}", record)
        return self._log(record, level="ERROR" if result.outcome == "target-missing" else "WARNING")

    # -- effects ---------------------------------------------------------------------------------
    def _client(self) -> Clients:
        if self._clients is None:
            self._clients = self._client_factory(self._config.responder_role_arn)
        return self._clients

    def _publish(self, target: Target, subject: str, record: dict[str, Any]) -> None:
        if not target.topic_arn:
            record.setdefault("notes", []).append("no alarm topic: nothing published")
            return
        try:
            self._client().sns.publish(
                TopicArn=target.topic_arn,
                Subject=("secure-serverless: " + subject)[:100],
                Message=json.dumps(record, indent=1, sort_keys=True),
            )
            record["published"] = target.topic_arn
        except Exception as error:  # the decision stands; the failure to tell is itself logged
            record.setdefault("notes", []).append(f"publish to {target.topic_arn} failed: {type(error).__name__}")

    def _metric(self, target: Target) -> None:
        # Embedded Metric Format: the line itself is the metric; no cloudwatch:PutMetricData (Resource "*").
        line = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": METRIC_NAMESPACE,
                        "Dimensions": [[METRIC_DIMENSION]],
                        "Metrics": [{"Name": DENIED_METRIC, "Unit": "Count"}],
                    }
                ],
            },
            METRIC_DIMENSION: target.function_name,
            DENIED_METRIC: 1,
        }
        self._out.write(json.dumps(line) + "\n")

    def _log(self, record: dict[str, Any], level: str = "WARNING") -> dict[str, Any]:
        record.setdefault("policyName", POLICY_NAME)
        self._out.write(json.dumps({"level": level, "logger": LOGGER, **record}, sort_keys=True, default=str) + "\n")
        self._out.flush()
        return record


_RESPONDER: Responder | None = None


def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda entry point (``secure_serverless.quarantine.responder.handler.handler``)."""
    global _RESPONDER
    if _RESPONDER is None:
        _RESPONDER = Responder(load_config())
    return _RESPONDER.handle(event)
