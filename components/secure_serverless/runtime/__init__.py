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

# Private modules, each importing only those above it (and contract, _secrets):
#   _responses     JSON text, API Gateway proxy responses and their ALB form
#   _errors        error codes, their fixed messages, InputRejected and HandlerFailed
#   _config        Envelope names and the settings read from arguments or the environment at cold start
#   _telemetry     log lines and EMF metric lines
#   _strict_json   schema hardening (no NaN/Infinity/overflow, fail-fast sequences), the duplicate-key check
#   _validation    compiled, hardened validators; validation errors turned into safe rejections
#   _sources       what each source's events look like: the strict envelope checks
#   _request       path, query and header values of HTTP requests, their validators, Request
#   _guard         one handler's boundary: declared models, size, parse, validate, record rejections
#   _failures      handler exceptions: secrets scrubbed, logged, counted, re-raised safely
#   _http          API Gateway REST/HTTP and ALB wrappers (bodies and request parts)
#   _envelopes     SQS, SNS, EventBridge/raw wrappers; dispatch; validate_event's checks
#   _entry_points  secure_handler and validate_event
from secure_serverless.runtime import contract
from secure_serverless.runtime._config import Envelope, EnvelopeName
from secure_serverless.runtime._entry_points import secure_handler, validate_event
from secure_serverless.runtime._envelopes import LambdaHandler
from secure_serverless.runtime._errors import MAX_RESPONSE_FIELDS, ErrorCode, HandlerFailed, InputRejected
from secure_serverless.runtime._request import Request
from secure_serverless.runtime._secrets import MASK, redact
from secure_serverless.runtime._telemetry import SupportsLogging, SupportsMetrics

__all__ = [
    "MASK",
    "MAX_RESPONSE_FIELDS",
    "Envelope",
    "EnvelopeName",
    "ErrorCode",
    "HandlerFailed",
    "InputRejected",
    "LambdaHandler",
    "Request",
    "SupportsLogging",
    "SupportsMetrics",
    "contract",
    "redact",
    "secure_handler",
    "validate_event",
]
