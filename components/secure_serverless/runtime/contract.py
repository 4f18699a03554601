"""The stable contract between the handler-side helper and the infrastructure that deploys it.

Pure constants, no imports beyond ``typing``: ``SecureFunction(runtime_helper=True)`` imports this module
to set the environment the helper reads and to alarm on the metric the helper emits.
"""

from __future__ import annotations

from typing import Final

#: CloudWatch namespace of the helper's embedded-metric-format metrics (overridable per function).
METRIC_NAMESPACE: Final = "SecureServerless"
#: Count of events (or SQS/SNS records) rejected at the boundary; the infrastructure alarms on it.
REJECTED_INPUT_METRIC: Final = "RejectedInput"
#: Count of unexpected handler exceptions. API Gateway handlers answer those with a 500, so Lambda's own
#: ``Errors`` metric never sees them: alarm on this one as well.
HANDLER_ERROR_METRIC: Final = "HandlerError"
#: The one dimension of every helper metric; its value is the Lambda function's name.
METRIC_DIMENSION: Final = "FunctionName"
#: Unit of both metrics (an EMF / CloudWatch standard unit).
METRIC_UNIT: Final = "Count"

#: Environment variables the helper reads once, when a handler is decorated (cold start).
ENV_METRIC_NAMESPACE: Final = "SECURE_SERVERLESS_METRIC_NAMESPACE"
ENV_MAX_PAYLOAD_BYTES: Final = "SECURE_SERVERLESS_MAX_PAYLOAD_BYTES"
ENV_LOG_LEVEL: Final = "SECURE_SERVERLESS_LOG_LEVEL"
HELPER_ENV_VARS: Final = (ENV_METRIC_NAMESPACE, ENV_MAX_PAYLOAD_BYTES, ENV_LOG_LEVEL)

#: Largest accepted payload per envelope (an API Gateway/ALB body, one SQS/SNS message, an EventBridge
#: ``detail``, a raw event), in UTF-8 bytes after base64 decoding: each source's documented maximum, so
#: that no event the source can deliver is refused by default (a smaller limit is an explicit choice).
#: Lambda: 6 MB synchronous (6,291,456 bytes: API Gateway REST/HTTP, function URLs, direct invocation),
#: 1 MB asynchronous. ALB: 1 MB request body for Lambda targets. SQS: ``MaximumMessageSize`` up to
#: 1,048,576. SNS: ``MaximumMessageSize`` up to 1 MiB (Lambda subscriptions supported). EventBridge:
#: delivered to Lambda as an asynchronous invocation (1 MB). See docs/runtime.md for the sources.
SYNC_INVOCATION_MAX_BYTES: Final = 6_291_456
ASYNC_INVOCATION_MAX_BYTES: Final = 1_048_576
DEFAULT_MAX_PAYLOAD_BYTES: Final[dict[str, int]] = {
    "raw": SYNC_INVOCATION_MAX_BYTES,
    "api_gateway_rest": SYNC_INVOCATION_MAX_BYTES,
    "api_gateway_http": SYNC_INVOCATION_MAX_BYTES,
    "alb": 1_048_576,
    "sqs": 1_048_576,
    "sns": 1_048_576,
    "eventbridge": ASYNC_INVOCATION_MAX_BYTES,
}
#: Threshold for the helper's own log lines (rejections are WARNING, handler errors ERROR).
DEFAULT_LOG_LEVEL: Final = "INFO"
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

#: Powertools for AWS Lambda settings that would otherwise copy events, responses or errors (which may
#: hold secrets or personal data) into logs and traces. Harmless when Powertools is not used.
POWERTOOLS_SAFE_ENV_DEFAULTS: Final[dict[str, str]] = {
    "POWERTOOLS_LOGGER_LOG_EVENT": "false",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
    "POWERTOOLS_DEV": "false",
}

#: Everything ``runtime_helper=True`` should put in the function's environment (user values win). The
#: payload limit is not set: each envelope defaults to its source's maximum.
SAFE_ENV_DEFAULTS: Final[dict[str, str]] = {
    ENV_METRIC_NAMESPACE: METRIC_NAMESPACE,
    ENV_LOG_LEVEL: DEFAULT_LOG_LEVEL,
    **POWERTOOLS_SAFE_ENV_DEFAULTS,
}

__all__ = [
    "ASYNC_INVOCATION_MAX_BYTES",
    "DEFAULT_LOG_LEVEL",
    "DEFAULT_MAX_PAYLOAD_BYTES",
    "ENV_LOG_LEVEL",
    "ENV_MAX_PAYLOAD_BYTES",
    "ENV_METRIC_NAMESPACE",
    "HANDLER_ERROR_METRIC",
    "HELPER_ENV_VARS",
    "LOG_LEVELS",
    "METRIC_DIMENSION",
    "METRIC_NAMESPACE",
    "METRIC_UNIT",
    "POWERTOOLS_SAFE_ENV_DEFAULTS",
    "REJECTED_INPUT_METRIC",
    "SAFE_ENV_DEFAULTS",
    "SYNC_INVOCATION_MAX_BYTES",
]
