"""Read-only AWS reads for ``review --live``: CloudTrail events, deployed roles, IAM last-accessed data.

Every client is built from a session guarded by :func:`read_only`: a call outside
:data:`READ_ONLY_OPERATIONS` raises before anything is sent, so the review can never change an account.
(``GenerateServiceLastAccessedDetails`` starts a report job; it changes no configuration.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from secure_serverless.review.cloudtrail import Trail, parse_records
from secure_serverless.review.compare import DeployedRole
from secure_serverless.review.declared import DeclaredFunction, load_document

READ_ONLY_OPERATIONS = frozenset(
    {
        "LookupEvents",
        "ListRoles",
        "GetRole",
        "ListRolePolicies",
        "GetRolePolicy",
        "ListAttachedRolePolicies",
        "GetPolicy",
        "GetPolicyVersion",
        "GenerateServiceLastAccessedDetails",
        "GetServiceLastAccessedDetails",
    }
)


class WriteRefused(Exception):
    """A call that is not a read was about to be made (a bug: nothing was sent)."""


class LiveError(Exception):
    """AWS could not be read (credentials, permissions, throttling); the message says which call."""


def read_only(session: Any) -> Any:
    """Register a guard on ``session`` (a boto3 Session) refusing every operation but the listed reads."""

    def guard(model: Any, **_: Any) -> None:
        if model.name not in READ_ONLY_OPERATIONS:
            raise WriteRefused(f"review refuses to call {model.service_model.service_name}:{model.name}")

    session.events.register("before-call.*.*", guard)
    return session


def _document(value: Any) -> Mapping[str, Any] | None:
    """A document as IAM returns it: a dict (boto3 decodes it), or URL-encoded JSON text."""
    return load_document(unquote(value) if isinstance(value, str) else value)


def lookup_events(client: Any, start: datetime, end: datetime, max_events: int) -> Trail:
    """CloudTrail management events of the window (LookupEvents; data events are not available there)."""
    records: list[Any] = []
    for page in client.get_paginator("lookup_events").paginate(StartTime=start, EndTime=end):
        for event in page.get("Events", []):
            text = event.get("CloudTrailEvent")
            try:
                records.append(json.loads(text) if isinstance(text, str) else event)
            except ValueError:
                records.append("not JSON")
            if len(records) >= max_events:
                return parse_records(records)
    return parse_records(records)


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def role_names(client: Any) -> list[str]:
    """Every role name of the account."""
    return [role["RoleName"] for role in _pages(client, "list_roles", "Roles")]


def deployed_role(client: Any, name: str) -> DeployedRole:
    """A role as it is now: trust policy, inline policies, attached managed policies."""
    role = client.get_role(RoleName=name)["Role"]
    inline = {
        policy_name: _document(client.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]) or {}
        for policy_name in _pages(client, "list_role_policies", "PolicyNames", RoleName=name)
    }
    attached = tuple(p["PolicyArn"] for p in _pages(client, "list_attached_role_policies", "AttachedPolicies",
                                                    RoleName=name))
    return DeployedRole(
        name=name,
        arn=role["Arn"],
        trust_policy=_document(role.get("AssumeRolePolicyDocument")),
        inline_policies=inline,
        managed_policy_arns=attached,
    )


def last_accessed(
    client: Any, role_arn: str, *, wait_seconds: float = 60.0, sleep: Callable[[float], None] = time.sleep
) -> dict[str, str | None]:
    """IAM's last-accessed data at action level: {"service:Action" or "service": ISO time or None}."""
    job = client.generate_service_last_accessed_details(Arn=role_arn, Granularity="ACTION_LEVEL")["JobId"]
    waited = 0.0
    while True:
        details = client.get_service_last_accessed_details(JobId=job)
        status = details.get("JobStatus")
        if status == "COMPLETED":
            break
        if status == "FAILED" or waited >= wait_seconds:
            raise LiveError(f"IAM last-accessed report for {role_arn} did not complete ({status})")
        sleep(1.0)
        waited += 1.0
    out: dict[str, str | None] = {}
    for service in details.get("ServicesLastAccessed", []):
        prefix = service.get("ServiceNamespace", "")
        when = service.get("LastAuthenticated")
        out[prefix] = when.isoformat() if isinstance(when, datetime) else None
        for action in service.get("TrackedActionsLastAccessed", []) or []:
            stamp = action.get("LastAccessedTime")
            out[f"{prefix}:{action.get('ActionName')}"] = stamp.isoformat() if isinstance(stamp, datetime) else None
    return out


def match_roles(
    functions: Sequence[DeclaredFunction], names: Iterable[str], overrides: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The deployed role name of each function (by override, else by the declared or auto-generated name),
    and the functions several deployed roles fit (one per stack of the same program, say)."""
    available = list(names)
    out: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for function in functions:
        if function.name in overrides:
            out[function.name] = overrides[function.name].rsplit("/", 1)[-1]
            continue
        hits = [n for n in available if function.role_matches(n)]
        if len(hits) == 1:
            out[function.name] = hits[0]
        elif hits:
            ambiguous[function.name] = sorted(hits)
    return out, ambiguous
