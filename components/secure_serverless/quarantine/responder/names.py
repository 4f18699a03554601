"""Names the component, the responder and the CLI must agree on (defined once, here)."""

from __future__ import annotations

from typing import Final, Literal

Mode = Literal["contain", "isolate", "stop"]
MODES: Final[tuple[str, ...]] = ("contain", "isolate", "stop")

# The inline policy the responder writes on a protected role; the only one it (or release) touches.
POLICY_NAME: Final = "secure-serverless-quarantine"
# Every statement it writes carries a Sid with this prefix: release refuses a policy without it.
SID_PREFIX: Final = "SecureServerlessQuarantine"

TAG_PREFIX: Final = "secure-serverless:quarantine:"
TAG_MODE: Final = TAG_PREFIX + "mode"
TAG_SINCE: Final = TAG_PREFIX + "since"
TAG_EVENT: Final = TAG_PREFIX + "event"
TAG_CONCURRENCY: Final = TAG_PREFIX + "previous-concurrency"
TAG_TOPIC: Final = TAG_PREFIX + "topic"
QUARANTINE_TAGS: Final[tuple[str, ...]] = (TAG_MODE, TAG_SINCE, TAG_EVENT, TAG_CONCURRENCY, TAG_TOPIC)

# Error codes CloudTrail records for a call the caller's policies refused. EC2 uses the two
# UnauthorizedOperation forms; most services AccessDenied; some (DynamoDB, KMS, Lambda) AccessDeniedException.
DENIED_ERROR_CODES: Final[tuple[str, ...]] = (
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
)

# The EMF metric the responder emits per denied call; the per-function threshold alarm watches it.
METRIC_NAMESPACE: Final = "SecureServerless/Quarantine"
DENIED_METRIC: Final = "DeniedCalls"
METRIC_DIMENSION: Final = "ProtectedFunction"

CONFIG_FILE: Final = "quarantine_config.json"
CONFIG_VERSION: Final = 1
