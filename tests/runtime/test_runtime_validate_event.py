"""The function form, validate_event: the same envelope checks as the wrappers, and a bounded cache."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from runtime_events import apigw_v1, apigw_v2, eventbridge_event, sns_event, sqs_event
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, _entry_points, _guard, secure_handler, validate_event

BODY = json.dumps(order_payload())


class _Logger:
    """A team's logger: records what it is given (each instance is a distinct validate_event setting)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self.lines.append((msg, kwargs.get("extra", {})))

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        self.lines.append((msg, kwargs.get("extra", {})))


def _without(event: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != key}


def _sqs_with(**record: Any) -> dict[str, Any]:
    event = sqs_event(BODY, BODY)
    event["Records"][1] = {k: v for k, v in {**event["Records"][1], **record}.items() if v is not ...}
    return event


# --- 1. API Gateway: the payload format version --------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "event"),
    [
        ("api_gateway_http", apigw_v1(BODY)),  # a REST (1.0) event sent to an HTTP API (2.0) handler
        ("api_gateway_http", apigw_v1(BODY) | {"version": "1.0"}),
        ("api_gateway_http", _without(apigw_v2(BODY), "version")),
        ("api_gateway_http", apigw_v2(BODY) | {"version": 2.0}),
        ("api_gateway_rest", apigw_v2(BODY)),  # an HTTP API (2.0) event sent to a REST (1.0) handler
        ("api_gateway_rest", apigw_v1(BODY) | {"version": "3.0"}),
    ],
)
def test_validate_event_api_gateway_checks_the_payload_version(
    envelope: Any, event: dict[str, Any], context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    with pytest.raises(InputRejected) as info:
        validate_event(event, model=Order, envelope=envelope, context=context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE
    assert info.value.correlation_id == event["requestContext"]["requestId"]
    assert json.loads(info.value.to_response()["body"])["error"] == ErrorCode.INVALID_ENVELOPE
    captured = stdout()
    assert [log["code"] for log in captured.logs] == [ErrorCode.INVALID_ENVELOPE]
    assert [doc["RejectedInput"] for doc in captured.metrics] == [1]


@pytest.mark.parametrize(
    ("envelope", "event"),
    [
        ("api_gateway_http", apigw_v2(BODY)),
        ("api_gateway_rest", apigw_v1(BODY)),  # REST events carry no version ...
        ("api_gateway_rest", apigw_v1(BODY) | {"version": "1.0"}),  # ... or "1.0"
    ],
)
def test_validate_event_api_gateway_accepts_its_own_payload_version(envelope: Any, event: dict[str, Any]) -> None:
    assert validate_event(event, model=Order, envelope=envelope).order_id == "ord_abc123"


# --- 2. SQS: every record needs its message id ---------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"Records": [{"body": BODY}]},
        _sqs_with(messageId=...),  # the second record of a batch has none
        _sqs_with(messageId=""),
        _sqs_with(messageId=7),
        _sqs_with(messageId=None),
    ],
)
def test_validate_event_sqs_needs_every_message_id(
    event: dict[str, Any], context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    with pytest.raises(InputRejected) as info:
        validate_event(event, model=Order, envelope="sqs", context=context)
    assert info.value.code == ErrorCode.INVALID_ENVELOPE
    assert info.value.correlation_id == context.aws_request_id  # the batch as a whole was refused
    captured = stdout()
    assert [log["code"] for log in captured.logs] == [ErrorCode.INVALID_ENVELOPE]
    assert [doc["RejectedInput"] for doc in captured.metrics] == [1]


# --- 1 and 2: the function form and the wrappers agree on every envelope --------------------------------

_SAME_OUTCOME_CASES: list[tuple[str, Any]] = [
    # API Gateway HTTP API (payload format 2.0)
    ("api_gateway_http", apigw_v2(BODY)),
    ("api_gateway_http", apigw_v2(BODY, b64=True)),
    ("api_gateway_http", apigw_v1(BODY)),
    ("api_gateway_http", _without(apigw_v2(BODY), "version")),
    ("api_gateway_http", apigw_v2(BODY) | {"version": "1.0"}),
    ("api_gateway_http", apigw_v2('{"order_id": 5}')),
    ("api_gateway_http", apigw_v2(None)),
    ("api_gateway_http", apigw_v2(BODY) | {"requestContext": "x"}),
    ("api_gateway_http", {"body": BODY}),
    ("api_gateway_http", ["not", "an", "event"]),
    # API Gateway REST API (payload format 1.0)
    ("api_gateway_rest", apigw_v1(BODY)),
    ("api_gateway_rest", apigw_v1(BODY) | {"version": "1.0"}),
    ("api_gateway_rest", apigw_v2(BODY)),
    ("api_gateway_rest", apigw_v1(BODY) | {"version": ""}),
    ("api_gateway_rest", apigw_v1("[]")),
    # SQS (envelope-level outcomes: the whole batch is accepted or refused)
    ("sqs", sqs_event(BODY, BODY)),
    ("sqs", sqs_event(BODY, fifo=True)),
    ("sqs", {"Records": [{"body": BODY}]}),
    ("sqs", _sqs_with(messageId=...)),
    ("sqs", _sqs_with(messageId="")),
    ("sqs", _sqs_with(messageId=["msg-1"])),
    ("sqs", {"Records": []}),
    ("sqs", {"Records": "nope"}),
    ("sqs", {"Records": [BODY]}),
    ("sqs", "not an event"),
    # SNS
    ("sns", sns_event(BODY, BODY)),
    ("sns", sns_event(BODY, json.dumps(order_payload(lines=[])))),
    ("sns", {"Records": [{"Sns": {"Message": {"a": 1}}}]}),
    ("sns", {"Records": [{"nope": 1}]}),
    ("sns", {}),
    # EventBridge
    ("eventbridge", eventbridge_event(order_payload())),
    ("eventbridge", eventbridge_event(order_payload(currency="XXX"))),
    ("eventbridge", _without(eventbridge_event(order_payload()), "detail-type")),
    ("eventbridge", eventbridge_event(order_payload()) | {"detail-type": 5}),
    ("eventbridge", {"detail": {}}),
    ("eventbridge", "str"),
    ("eventbridge", None),
    # raw
    ("raw", order_payload()),
    ("raw", order_payload(order_id="nope")),
    ("raw", {"bad": float("nan")}),
]


def _wrapper_outcome(envelope: str, event: Any, context: FakeContext) -> tuple[Any, ...]:
    handler = secure_handler(lambda model, ctx: None, model=Order, envelope=envelope)  # type: ignore[call-overload]
    try:
        result = handler(event, context)
    except InputRejected as exc:
        return ("rejected", exc.code, exc.correlation_id)
    if envelope.startswith("api_gateway") and result["statusCode"] == 400:
        body = json.loads(result["body"])
        return ("rejected", body["error"], body["correlationId"])
    if envelope == "sqs":
        assert result == {"batchItemFailures": []}  # the cases hold no refusal of single records
    return ("accepted",)


def _function_outcome(envelope: str, event: Any, context: FakeContext) -> tuple[Any, ...]:
    try:
        validate_event(event, model=Order, envelope=envelope, context=context)  # type: ignore[arg-type]
    except InputRejected as exc:
        return ("rejected", exc.code, exc.correlation_id)
    return ("accepted",)


def _records(captured: Captured) -> tuple[list[tuple[Any, ...]], list[Any]]:
    logs = [(log["event"], log["code"], log["correlationId"], log["fields"]) for log in captured.logs]
    return logs, [doc.get("RejectedInput") for doc in captured.metrics]


@pytest.mark.parametrize(("envelope", "event"), _SAME_OUTCOME_CASES)
def test_validate_event_refuses_exactly_what_the_wrapper_refuses(
    envelope: str, event: Any, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    wrapped = _wrapper_outcome(envelope, event, context)
    wrapped_records = _records(stdout())
    function = _function_outcome(envelope, event, context)
    assert function == wrapped
    assert _records(stdout()) == wrapped_records  # the same log lines and metrics, too


# --- 3. the cache of validate_event's guards ----------------------------------------------------------


#: More distinct settings than any process should need: far beyond the cache's bound.
MANY = 300


def test_validate_event_cache_is_bounded_and_releases_loggers(context: FakeContext) -> None:
    first = _Logger()
    released = weakref.ref(first)
    assert validate_event(order_payload(), model=Order, logger=first).order_id == "ord_abc123"
    del first
    loggers: list[weakref.ref[_Logger]] = []
    for _ in range(MANY):
        validate_event(order_payload(), model=Order, logger=(logger := _Logger()), context=context)
        loggers.append(weakref.ref(logger))
    del logger
    gc.collect()
    assert released() is None  # not kept alive by the cache once evicted
    assert len(_entry_points._CHECKS) <= _entry_points._MAX_CHECKS
    assert sum(ref() is not None for ref in loggers) <= _entry_points._MAX_CHECKS


def test_validate_event_reuses_the_most_recently_used_guards(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Any] = []
    real = _guard.Guard

    def counting_guard(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_entry_points, "Guard", counting_guard)
    hot = _Logger()
    for _ in range(MANY):
        validate_event(order_payload(), model=Order, logger=hot)
        validate_event(order_payload(), model=Order, logger=_Logger())  # each one a new setting
    assert sum(args[4] is hot for args in built) == 1  # built once, never evicted while in use


def test_validate_event_keys_loggers_by_identity_not_equality(stdout: Callable[[], Captured]) -> None:
    class EqualLogger(_Logger):
        def __eq__(self, other: object) -> bool:
            return isinstance(other, EqualLogger)

        def __hash__(self) -> int:
            return 0

    one, two = EqualLogger(), EqualLogger()
    for logger in (one, two):
        with pytest.raises(InputRejected):
            validate_event(order_payload(order_id="nope"), model=Order, logger=logger)
    assert len(one.lines) == 1 and len(two.lines) == 1  # each rejection went to its own logger
    assert stdout().logs == []


def test_validate_event_checks_max_payload_bytes_even_when_an_equal_value_is_cached() -> None:
    logger = _Logger()
    assert validate_event(order_payload(), model=Order, max_payload_bytes=1024, logger=logger).customer == "Ann"
    with pytest.raises(ValueError, match="max_payload_bytes"):
        validate_event(order_payload(), model=Order, max_payload_bytes=1024.0, logger=logger)  # type: ignore[arg-type]


def test_validate_event_reads_the_environment_when_its_guard_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    # As documented: the first call with given arguments (the cold start) reads the environment, later
    # calls with the same arguments reuse what it read.
    logger = _Logger()
    monkeypatch.setenv("SECURE_SERVERLESS_MAX_PAYLOAD_BYTES", "16")
    with pytest.raises(InputRejected) as info:
        validate_event(order_payload(), model=Order, logger=logger)
    assert info.value.code == ErrorCode.PAYLOAD_TOO_LARGE
    monkeypatch.delenv("SECURE_SERVERLESS_MAX_PAYLOAD_BYTES")
    with pytest.raises(InputRejected):
        validate_event(order_payload(), model=Order, logger=logger)
    assert validate_event(order_payload(), model=Order, logger=_Logger()).customer == "Ann"  # new arguments
