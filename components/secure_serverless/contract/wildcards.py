"""What a wildcard action and a wildcard resource are (GUARDRAILS.md, "What the words mean").

SecureFunction refuses grants with them and the policy pack's ``iam-no-wildcard-*`` rules fail them: both
call these two functions, so a pattern one accepts the other accepts too.

- A wildcard action is ``*``, ``*:*``, ``service:*`` or any pattern that matches every action of a
  service (``s3:*?``, ``s3:??*``, ``s3*``), case-insensitively.
- A wildcard resource is ``*``, an ARN whose resource part is only wildcards (``arn:aws:s3:::*``,
  ``arn:aws:s3:::**``, ``arn:aws:s3:::*/*``), or only a resource type and wildcards (``...:table/*``,
  ``...:function:*``), or an ARN whose account field holds a wildcard; also any pattern in which a ``*``
  spans the ARN's fields (``arn:*``, ``*orders*``), since it can match resources of any account.
"""

from __future__ import annotations

_WILD = frozenset("*?")

# Services whose ARN resource part starts with a name chosen by the user, not with a resource type:
# ``arn:aws:s3:::bucket/*`` is one bucket's objects, ``arn:aws:execute-api:...:api-id/*`` one API.
_NAMED_FIRST = frozenset({"s3", "execute-api"})


def _only_wildcards(text: str) -> bool:
    return text != "" and set(text) <= _WILD


def _covers_every_name(name: str) -> bool:
    """Whether an action-name pattern matches every action name: only ``*``/``?``, with a ``*``."""
    return _only_wildcards(name) and "*" in name


def is_wildcard_action(action: str) -> bool:
    """Whether the IAM action pattern grants every action of some service.

    Examples
    --------
    >>> [is_wildcard_action(a) for a in ("*", "S3:*", "s3:??*", "s3:Get*", "s3:GetObject")]
    [True, True, True, False, False]
    """
    text = action.strip()
    if text == "":
        return False
    _service, colon, name = text.partition(":")
    if colon:
        return _covers_every_name(name)
    # no literal ':' (e.g. 's3*'): a wildcard has to stand for the colon, so only a trailing run of
    # wildcards holding a '*' can also stand for every action name after it
    tail = len(text) - len(text.rstrip("*?"))
    return tail > 0 and "*" in text[len(text) - tail :]


def is_wildcard_resource(resource: str) -> bool:
    """Whether the IAM resource pattern names every resource of a kind (or of any account).

    Examples
    --------
    >>> [is_wildcard_resource(r) for r in ("*", "arn:aws:s3:::*/*", "arn:aws:dynamodb:eu-west-1:1:table/*")]
    [True, True, True]
    >>> [is_wildcard_resource(r) for r in ("arn:aws:s3:::bucket/*", "arn:aws:dynamodb:eu-west-1:1:table/orders")]
    [False, False]
    """
    text = resource.strip()
    if text == "":
        return False
    if not text.lower().startswith("arn:"):
        return "*" in text or _only_wildcards(text)
    parts = text.split(":", 5)
    if len(parts) < 6:
        # a '*' standing for several fields ('arn:*', 'arn:aws:*'): any service, any account
        return any(ch in _WILD for ch in text)
    service, account, rest = parts[2].lower(), parts[4], parts[5]
    if any(ch in _WILD for ch in service):
        return True
    if any(ch in _WILD for ch in account):
        return True
    segments = rest.replace(":", "/").split("/")
    if all(segment == "" or _only_wildcards(segment) for segment in segments):
        return True
    if service in _NAMED_FIRST:
        return False
    resource_type, remaining = segments[0], segments[1:]
    return (
        resource_type != ""
        and not any(ch in _WILD for ch in resource_type)
        and len(remaining) > 0
        and all(segment == "" or _only_wildcards(segment) for segment in remaining)
        and any(_only_wildcards(segment) for segment in remaining)
    )
