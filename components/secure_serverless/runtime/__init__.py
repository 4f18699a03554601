"""Handler-side boundary validation, shipped inside Lambda functions.

Imports neither pulumi nor boto3 (nor Powertools): only pydantic and the standard library.

Examples
--------
>>> from pydantic import BaseModel, Field
>>> from secure_serverless.runtime import Envelope, secure_handler
>>> class Ping(BaseModel):
...     n: int = Field(ge=0)
>>> @secure_handler(model=Ping, envelope=Envelope.RAW)
... def handler(ping: Ping, context: object) -> int:
...     return ping.n + 1
>>> handler({"n": 1}, None)
2
"""

from __future__ import annotations

from secure_serverless.runtime import contract
from secure_serverless.runtime._core import (
    MAX_RESPONSE_FIELDS,
    Envelope,
    EnvelopeName,
    ErrorCode,
    HandlerFailed,
    InputRejected,
    LambdaHandler,
    SupportsLogging,
    SupportsMetrics,
    secure_handler,
    validate_event,
)
from secure_serverless.runtime._secrets import MASK, redact

__all__ = [
    "MASK",
    "MAX_RESPONSE_FIELDS",
    "Envelope",
    "EnvelopeName",
    "ErrorCode",
    "HandlerFailed",
    "InputRejected",
    "LambdaHandler",
    "SupportsLogging",
    "SupportsMetrics",
    "contract",
    "redact",
    "secure_handler",
    "validate_event",
]
