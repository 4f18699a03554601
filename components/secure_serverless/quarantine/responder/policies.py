"""Pure builders of the deny policies the responder writes on a protected function's role.

An explicit Deny wins over every Allow (IAM policy evaluation logic), so an inline deny policy
added to the role contains the function whatever else the role holds, and deleting that one
policy restores the function exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from secure_serverless.quarantine.responder.names import SID_PREFIX, Mode

PolicyDocument = dict[str, Any]
Scope = tuple[Sequence[str], Sequence[str]]  # (actions, resources) of one Allow statement

# What an isolated function may still do: write to its own log group (so its last words are kept).
LOG_WRITE_ACTIONS: tuple[str, ...] = ("logs:CreateLogStream", "logs:PutLogEvents")


def _revoke_older_sessions(since: str) -> dict[str, Any]:
    # The documented "revoke active sessions" pattern: credentials issued before the quarantine
    # (possibly copied out of the function) are refused everything; new sessions are judged normally.
    return {
        "Sid": f"{SID_PREFIX}RevokeOlderSessions",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": since}},
    }


def _resource_denials(scopes: Iterable[Scope]) -> list[dict[str, Any]]:
    """Deny each declared action on every resource outside those declared for it (actions declared on
    ``*`` keep ``*``): a policy attached to the role later cannot widen the function's reach."""
    resources_of: dict[str, set[str]] = {}
    for actions, resources in scopes:
        for action in actions:
            resources_of.setdefault(action, set()).update(resources)
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, declared in resources_of.items():
        if "*" not in declared and declared:
            groups.setdefault(tuple(sorted(declared)), []).append(action)
    return [
        {
            "Sid": f"{SID_PREFIX}DenyUndeclaredResources{index}",
            "Effect": "Deny",
            "Action": sorted(actions),
            "NotResource": list(group),
        }
        for index, (group, actions) in enumerate(sorted(groups.items(), key=lambda g: sorted(g[1])))
    ]


def contain_policy(declared_actions: Iterable[str], since: str, scopes: Iterable[Scope] = ()) -> PolicyDocument:
    """Deny every action outside the declared set, each declared action outside its declared resources
    (``scopes``: the (actions, resources) pairs of the function's Allow statements), and every session
    issued before ``since``.

    ``since`` is an ISO-8601 UTC time (``2026-12-01T07:00:00Z``). The function keeps every declared
    action on the resources its own policy names once it runs with a session issued after ``since``.

    Examples
    --------
    >>> doc = contain_policy(["dynamodb:GetItem"], "2026-12-01T07:00:00Z")
    >>> doc["Statement"][0]["NotAction"]
    ['dynamodb:GetItem']
    """
    actions = sorted({a for a in declared_actions if a})
    outside: dict[str, Any] = {"Sid": f"{SID_PREFIX}DenyUndeclaredActions", "Effect": "Deny", "Resource": "*"}
    if actions:
        outside["NotAction"] = actions
    else:  # a function that declared nothing may do nothing
        outside["Action"] = "*"
    return {
        "Version": "2012-10-17",
        "Statement": [outside, *_resource_denials(scopes), _revoke_older_sessions(since)],
    }


def isolate_policy(log_group_arn: str, since: str) -> PolicyDocument:
    """Deny everything except writing to the function's own log group.

    Examples
    --------
    >>> doc = isolate_policy("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x", "2026-12-01T07:00:00Z")
    >>> doc["Statement"][0]["NotAction"]
    ['logs:CreateLogStream', 'logs:PutLogEvents']
    """
    own_streams = f"{log_group_arn}:log-stream:*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"{SID_PREFIX}DenyAllButOwnLogs",
                "Effect": "Deny",
                "NotAction": list(LOG_WRITE_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": f"{SID_PREFIX}DenyLogsElsewhere",
                "Effect": "Deny",
                "Action": list(LOG_WRITE_ACTIONS),
                "NotResource": [own_streams],
            },
            _revoke_older_sessions(since),
        ],
    }


def quarantine_policy(
    mode: Mode, *, declared_actions: Iterable[str], log_group_arn: str, since: str, scopes: Iterable[Scope] = ()
) -> PolicyDocument:
    """The document for ``mode``: ``contain`` keeps the declared set; ``isolate`` and ``stop`` keep only logs."""
    if mode == "contain":
        return contain_policy(declared_actions, since, scopes)
    return isolate_policy(log_group_arn, since)


def written_by_us(document: Any) -> bool:
    """Whether ``document`` is a quarantine policy: every statement's Sid carries our prefix."""
    if not isinstance(document, dict):
        return False
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return False
    return all(isinstance(s, dict) and str(s.get("Sid", "")).startswith(SID_PREFIX) for s in statements)
