"""The settings of a decorated handler, each checked once, when the handler is decorated (cold start).

A setting is an argument of :func:`secure_handler` or, when that is omitted, the environment variable
named in :mod:`secure_serverless.runtime.contract`. A bad value raises ``ValueError`` at cold start.
"""

from __future__ import annotations

import os
from typing import Final, Literal

from secure_serverless.runtime import contract

EnvelopeName = Literal["raw", "api_gateway_rest", "api_gateway_http", "alb", "sqs", "sns", "eventbridge"]


class Envelope:
    """Names of the event sources :func:`secure_handler` unwraps (plain strings, usable as literals)."""

    RAW: Final = "raw"
    API_GATEWAY_REST: Final = "api_gateway_rest"
    API_GATEWAY_HTTP: Final = "api_gateway_http"
    ALB: Final = "alb"
    SQS: Final = "sqs"
    SNS: Final = "sns"
    EVENTBRIDGE: Final = "eventbridge"
    ALL: Final = (RAW, API_GATEWAY_REST, API_GATEWAY_HTTP, ALB, SQS, SNS, EVENTBRIDGE)
    #: The HTTP request sources: their handlers may declare path, query and header models.
    HTTP: Final = (API_GATEWAY_REST, API_GATEWAY_HTTP, ALB)


# The standard ``logging`` level numbers.
_LEVELS: Final = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}


def envelope_name(envelope: str) -> str:
    """``envelope``, if it is one of :attr:`Envelope.ALL`."""
    if envelope not in Envelope.ALL:
        raise ValueError(f"envelope must be one of {Envelope.ALL}, got {envelope!r}")
    return envelope


def payload_limit(max_payload_bytes: int | None, envelope: str) -> int:
    """The largest accepted payload in bytes: the argument, else the environment, else the envelope's
    source's documented maximum (:data:`~.contract.DEFAULT_MAX_PAYLOAD_BYTES`)."""
    if max_payload_bytes is None:
        return _env_int(contract.ENV_MAX_PAYLOAD_BYTES, contract.DEFAULT_MAX_PAYLOAD_BYTES[envelope])
    if type(max_payload_bytes) is not int or max_payload_bytes <= 0:
        raise ValueError(f"max_payload_bytes must be a positive int, got {max_payload_bytes!r}")
    return max_payload_bytes


def metric_namespace(namespace: str | None) -> str:
    """The CloudWatch namespace of the helper's metrics: the argument, else the environment, else the
    default."""
    if namespace is None:
        namespace = os.environ.get(contract.ENV_METRIC_NAMESPACE, "") or contract.METRIC_NAMESPACE
    return _check_namespace(namespace)


def log_threshold() -> int:
    """The level (a ``logging`` number) below which the helper's own log lines are dropped."""
    raw = os.environ.get(contract.ENV_LOG_LEVEL, "").strip().upper() or contract.DEFAULT_LOG_LEVEL
    if raw not in _LEVELS:
        raise ValueError(f"{contract.ENV_LOG_LEVEL} must be one of {contract.LOG_LEVELS}, got {raw!r}")
    return _LEVELS[raw]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer number of bytes, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer number of bytes, got {raw!r}")
    return value


def _check_namespace(namespace: str) -> str:
    # CloudWatch: 1-255 ASCII characters, and "AWS/" is reserved for AWS services.
    if not (0 < len(namespace) <= 255 and namespace.isascii() and namespace.isprintable()):
        raise ValueError(f"metric namespace must be 1-255 printable ASCII characters, got {namespace!r}")
    if namespace.startswith("AWS/"):
        raise ValueError(f"metric namespace must not start with the reserved 'AWS/': {namespace!r}")
    return namespace
