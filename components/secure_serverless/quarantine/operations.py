"""`secure-serverless quarantine status|release`: read and lift a quarantine with the operator's credentials."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secure_serverless.quarantine.recorded import ProgramError
from secure_serverless.quarantine.responder.actions import (
    ActionResult,
    error_code,
    read_policy,
    read_tags,
    release_quarantine,
)
from secure_serverless.quarantine.responder.handler import Clients
from secure_serverless.quarantine.responder.names import (
    POLICY_NAME,
    TAG_CONCURRENCY,
    TAG_EVENT,
    TAG_MODE,
    TAG_SINCE,
    TAG_TOPIC,
)
from secure_serverless.quarantine.responder.policies import written_by_us


@dataclass(frozen=True)
class Operator:
    clients: Clients
    caller_arn: str


def operator_clients(region: str | None) -> Operator:
    """boto3 clients with the operator's own credentials (the responder role is never used here)."""
    try:
        import boto3
    except ImportError:
        raise ProgramError(
            "status and release call AWS and need boto3: pip install 'secure-serverless[live]'"
        ) from None
    session = boto3.session.Session(region_name=region)
    caller = session.client("sts").get_caller_identity()["Arn"]
    return Operator(
        Clients(iam=session.client("iam"), lambda_=session.client("lambda"), sns=session.client("sns")), str(caller)
    )


def _role_of(operator: Operator, function: str) -> str:
    try:
        configuration = operator.clients.lambda_.get_function_configuration(FunctionName=function)
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            raise ProgramError(
                f"no Lambda function {function!r} in this account and region (use its physical name)"
            ) from None
        raise
    return str(configuration["Role"]).rsplit("/", 1)[1]


def status(operator: Operator, function: str) -> dict[str, Any]:
    """The quarantine state of ``function``: ``quarantined``, ``not-quarantined`` or ``foreign-policy``."""
    role = _role_of(operator, function)
    iam = operator.clients.iam
    document = read_policy(iam, role)
    tags = read_tags(iam, role)
    record: dict[str, Any] = {"function": function, "role": role, "policyName": POLICY_NAME}
    if document is None:
        record["state"] = "not-quarantined"
        return record
    record["state"] = "quarantined" if written_by_us(document) else "foreign-policy"
    record.update(
        {
            "mode": tags.get(TAG_MODE),
            "since": tags.get(TAG_SINCE),
            "event": tags.get(TAG_EVENT),
            "previousConcurrency": tags.get(TAG_CONCURRENCY),
            "topic": tags.get(TAG_TOPIC),
            "policy": document,
        }
    )
    concurrency = operator.clients.lambda_.get_function_concurrency(FunctionName=function)
    record["reservedConcurrency"] = concurrency.get("ReservedConcurrentExecutions")
    return record


def release(operator: Operator, function: str, *, reason: str, audit_log: Path | None) -> dict[str, Any]:
    """Lift the quarantine; append an audit record to ``audit_log`` and publish it to the function's topic."""
    if len(reason.strip()) < 10:
        raise ProgramError(
            "--reason: say why the quarantine can end (at least 10 characters); it goes in the audit record"
        )
    role = _role_of(operator, function)
    topic = read_tags(operator.clients.iam, role).get(TAG_TOPIC)
    result: ActionResult = release_quarantine(operator.clients, role_name=role, function_name=function)
    audit = {
        "auditRecord": "secure-serverless.quarantine.release",
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "operator": operator.caller_arn,
        "reason": reason,
        **result.as_record(),
    }
    if result.outcome == "released" and topic:
        try:
            operator.clients.sns.publish(
                TopicArn=topic,
                Subject=f"secure-serverless: {function} released"[:100],
                Message=json.dumps(audit, indent=1),
            )
            audit["published"] = topic
        except Exception as error:
            audit.setdefault("notes", []).append(f"publish to {topic} failed: {type(error).__name__}")
    if audit_log is not None:
        audit_log.parent.mkdir(parents=True, exist_ok=True)
        with audit_log.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(audit, sort_keys=True) + "\n")
    return audit
