"""Turn an EventBridge event into one plain signal. Never raises: malformed input is reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from secure_serverless.quarantine.responder.names import DENIED_ERROR_CODES


@dataclass(frozen=True)
class DeniedCall:
    """A CloudTrail record of a call a role made and its policies refused."""

    event_id: str
    event_time: str
    role_arn: str
    event_source: str
    event_name: str
    error_code: str
    region: str
    source_ip: str | None


@dataclass(frozen=True)
class AlarmFired:
    alarm_arn: str
    alarm_name: str
    event_id: str


@dataclass(frozen=True)
class Unusable:
    """Not an event the responder acts on; ``reason`` says why (it is logged, never raised)."""

    reason: str


Parsed = DeniedCall | AlarmFired | Unusable


def _text(value: Any, limit: int = 2048) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def parse_event(event: Any) -> Parsed:
    """Classify ``event`` (an EventBridge envelope).

    Examples
    --------
    >>> parse_event({"detail-type": "Scheduled Event"}).reason
    "unsupported detail-type 'Scheduled Event'"
    """
    if not isinstance(event, dict):
        return Unusable(f"event is a {type(event).__name__}, not an EventBridge object")
    detail_type = event.get("detail-type")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return Unusable("event has no 'detail' object")
    if detail_type == "AWS API Call via CloudTrail":
        return _denied_call(event, detail)
    if detail_type == "CloudWatch Alarm State Change":
        return _alarm(event, detail)
    return Unusable(f"unsupported detail-type {str(detail_type)[:80]!r}")


def _denied_call(event: dict[str, Any], detail: dict[str, Any]) -> Parsed:
    error_code = _text(detail.get("errorCode"), 128)
    if error_code not in DENIED_ERROR_CODES:
        return Unusable(f"errorCode {str(detail.get('errorCode'))[:80]!r} is not a denial")
    identity = detail.get("userIdentity")
    issuer = None
    if isinstance(identity, dict) and isinstance(identity.get("sessionContext"), dict):
        candidate = identity["sessionContext"].get("sessionIssuer")
        issuer = candidate if isinstance(candidate, dict) else None
    role_arn = _text(issuer.get("arn"), 2048) if issuer else None
    if role_arn is None or ":role/" not in role_arn:
        return Unusable("detail.userIdentity.sessionContext.sessionIssuer.arn is missing or not a role ARN")
    event_id = _text(detail.get("eventID"), 128) or _text(event.get("id"), 128)
    if event_id is None:
        return Unusable("detail.eventID is missing")
    return DeniedCall(
        event_id=event_id,
        event_time=_text(detail.get("eventTime"), 64) or _text(event.get("time"), 64) or "",
        role_arn=role_arn,
        event_source=_text(detail.get("eventSource"), 256) or "unknown",
        event_name=_text(detail.get("eventName"), 256) or "unknown",
        error_code=error_code,
        region=_text(detail.get("awsRegion"), 64) or _text(event.get("region"), 64) or "",
        source_ip=_text(detail.get("sourceIPAddress"), 256),
    )


def _alarm(event: dict[str, Any], detail: dict[str, Any]) -> Parsed:
    state = detail.get("state")
    if not isinstance(state, dict) or state.get("value") != "ALARM":
        return Unusable("alarm event is not a transition to ALARM")
    resources = event.get("resources")
    arn = resources[0] if isinstance(resources, list) and resources else None
    alarm_arn = _text(arn)
    if alarm_arn is None or ":alarm:" not in alarm_arn:
        return Unusable("alarm event has no alarm ARN in 'resources'")
    return AlarmFired(
        alarm_arn=alarm_arn,
        alarm_name=_text(detail.get("alarmName"), 256) or alarm_arn.rsplit(":alarm:", 1)[-1],
        event_id=_text(event.get("id"), 128) or alarm_arn,
    )
