"""The AWS calls that apply and lift a quarantine. Idempotent; a missing role or function is reported.

Clients are passed in (boto3 clients, or fakes): the handler builds them from the responder role,
the CLI from the operator's credentials. Only the policy named :data:`POLICY_NAME` and the tags
starting with :data:`TAG_PREFIX` are ever written or removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from secure_serverless.quarantine.responder.config import Target
from secure_serverless.quarantine.responder.names import (
    POLICY_NAME,
    QUARANTINE_TAGS,
    TAG_CONCURRENCY,
    TAG_EVENT,
    TAG_MODE,
    TAG_PREFIX,
    TAG_SINCE,
    TAG_TOPIC,
    Mode,
)
from secure_serverless.quarantine.responder.policies import quarantine_policy, written_by_us

_MISSING = ("NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException")


@dataclass
class ActionResult:
    """What was done (``outcome``) and with what, for the log line, the topic and the CLI."""

    outcome: str  # quarantined | already-quarantined | target-missing | released | not-quarantined | refused
    function_name: str
    role_name: str
    mode: str | None = None
    since: str | None = None
    policy: dict[str, Any] | None = None
    previous_concurrency: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "outcome": self.outcome,
            "function": self.function_name,
            "role": self.role_name,
            "policyName": POLICY_NAME,
        }
        for key, value in (
            ("mode", self.mode),
            ("since", self.since),
            ("policy", self.policy),
            ("previousConcurrency", self.previous_concurrency),
        ):
            if value is not None:
                record[key] = value
        if self.notes:
            record["notes"] = list(self.notes)
        return record


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError (without importing botocore)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return code if isinstance(code, str) else None
    return None


def _is_missing(error: BaseException) -> bool:
    return error_code(error) in _MISSING


def read_policy(iam: Any, role_name: str) -> dict[str, Any] | None:
    """The quarantine policy on the role, or None. Raises the client's error when the role is missing."""
    try:
        response = iam.get_role_policy(RoleName=role_name, PolicyName=POLICY_NAME)
    except Exception as error:
        if error_code(error) in _MISSING:
            iam.get_role(RoleName=role_name)  # distinguishes "no such policy" from "no such role"
            return None
        raise
    document = response.get("PolicyDocument")
    if isinstance(document, str):  # the API returns it URL-encoded; boto3 decodes JSON only sometimes
        document = json.loads(unquote(document))
    return document if isinstance(document, dict) else None


def read_tags(iam: Any, role_name: str) -> dict[str, str]:
    tags = iam.list_role_tags(RoleName=role_name).get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags if t.get("Key", "").startswith(TAG_PREFIX)}


def _reserved_concurrency(lambda_: Any, function_name: str) -> str:
    response = lambda_.get_function_concurrency(FunctionName=function_name)
    value = response.get("ReservedConcurrentExecutions")
    return "none" if value is None else str(int(value))


def apply_quarantine(clients: Any, target: Target, *, mode: Mode, since: str, event_id: str) -> ActionResult:
    """Write the quarantine for ``mode`` unless one is already there (then change nothing)."""
    iam, lambda_ = clients.iam, clients.lambda_
    result = ActionResult("quarantined", target.function_name, target.role_name, mode=mode, since=since)
    try:
        existing = read_policy(iam, target.role_name)
    except Exception as error:
        if _is_missing(error):
            result.outcome = "target-missing"
            result.notes.append(f"role {target.role_name} does not exist; nothing was changed")
            return result
        raise
    if existing is not None:
        tags = read_tags(iam, target.role_name)
        result.outcome = "already-quarantined"
        result.mode, result.since = tags.get(TAG_MODE), tags.get(TAG_SINCE)
        result.policy = existing
        return result
    document = quarantine_policy(
        mode,
        declared_actions=target.declared_actions,
        log_group_arn=target.log_group_arn,
        since=since,
        scopes=target.declared_scopes,
    )
    function_present = True
    if mode == "stop":
        try:
            result.previous_concurrency = _reserved_concurrency(lambda_, target.function_name)
        except Exception as error:
            if not _is_missing(error):
                raise
            function_present = False
            result.notes.append(f"function {target.function_name} does not exist; its role was still quarantined")
    tags = {TAG_MODE: mode, TAG_SINCE: since, TAG_EVENT: event_id[:256]}
    if result.previous_concurrency is not None:
        tags[TAG_CONCURRENCY] = result.previous_concurrency
    if target.topic_arn:
        tags[TAG_TOPIC] = target.topic_arn
    # Tags first: a run interrupted before the policy is written simply writes it next time.
    iam.tag_role(RoleName=target.role_name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    try:
        iam.put_role_policy(RoleName=target.role_name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(document))
    except Exception as error:
        if error_code(error) != "LimitExceeded" or mode != "contain":
            raise
        # A role's inline policies share one size quota: keep the action-level containment and the
        # session revocation, drop the per-resource denials (the function's own policy still scopes them).
        document = quarantine_policy(mode, declared_actions=target.declared_actions, log_group_arn="", since=since)
        iam.put_role_policy(RoleName=target.role_name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(document))
        result.notes.append("the role's inline policy quota is full: per-resource denials were left out")
    result.policy = document
    if mode == "stop" and function_present:
        lambda_.put_function_concurrency(FunctionName=target.function_name, ReservedConcurrentExecutions=0)
        result.notes.append("reserved concurrency set to 0: the function takes no invocations")
    return result


def release_quarantine(clients: Any, *, role_name: str, function_name: str) -> ActionResult:
    """Remove the quarantine policy and tags (and restore concurrency after ``stop``).

    Refuses, changing nothing, when the policy named :data:`POLICY_NAME` was not written by the responder.
    """
    iam, lambda_ = clients.iam, clients.lambda_
    result = ActionResult("released", function_name, role_name)
    existing = read_policy(iam, role_name)
    if existing is None:
        result.outcome = "not-quarantined"
        return result
    if not written_by_us(existing):
        result.outcome = "refused"
        result.notes.append(
            f"the inline policy {POLICY_NAME!r} on {role_name} was not written by secure-serverless "
            "(its statements lack the quarantine Sids); remove it by hand if intended"
        )
        return result
    tags = read_tags(iam, role_name)
    result.mode, result.since, result.policy = tags.get(TAG_MODE), tags.get(TAG_SINCE), existing
    iam.delete_role_policy(RoleName=role_name, PolicyName=POLICY_NAME)
    present = [key for key in QUARANTINE_TAGS if key in tags]
    if present:
        iam.untag_role(RoleName=role_name, TagKeys=present)
    previous = tags.get(TAG_CONCURRENCY)
    if previous is not None:
        result.previous_concurrency = previous
        try:
            if previous == "none":
                lambda_.delete_function_concurrency(FunctionName=function_name)
            else:
                lambda_.put_function_concurrency(FunctionName=function_name, ReservedConcurrentExecutions=int(previous))
            result.notes.append(f"reserved concurrency restored to {previous}")
        except Exception as error:
            if not _is_missing(error):
                raise
            result.notes.append(f"function {function_name} does not exist; concurrency not restored")
    return result
