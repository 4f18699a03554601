"""Failure paths: error codes, field paths without values, logs, metrics, handler errors, settings."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from runtime_events import apigw_v2, eventbridge_event, sns_event, sqs_event
from runtime_models import ORDER_NAMES, Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import (
    MAX_RESPONSE_FIELDS,
    ErrorCode,
    HandlerFailed,
    InputRejected,
    contract,
    secure_handler,
)

BODY = json.dumps(order_payload())


def _api(fn: Callable[..., Any] | None = None, **kwargs: Any) -> Callable[[Any, Any], Any]:
    return secure_handler(fn or (lambda o, c: {"statusCode": 200}), model=Order, envelope="api_gateway_http", **kwargs)


def _body(response: dict[str, Any]) -> dict[str, Any]:
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["headers"]["Cache-Control"] == "no-store"
    body = json.loads(response["body"])
    assert isinstance(body, dict)
    return body


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        (
            json.dumps(order_payload(order_id="ORD_1", currency="GBP")),
            ErrorCode.VALIDATION_FAILED,
            [{"path": "$.order_id", "type": "string_pattern_mismatch"}, {"path": "$.currency", "type": "enum"}],
        ),
        (
            json.dumps(order_payload(lines=[{"sku": "ABC-123", "quantity": 11}, {"sku": "bad", "quantity": True}])),
            ErrorCode.VALIDATION_FAILED,
            # A list stops at its first failing item (bounded work on huge invalid payloads).
            [{"path": "$.lines[0].quantity", "type": "less_than_equal"}],
        ),
        (
            json.dumps(order_payload(customer="x" * 41)),
            ErrorCode.VALIDATION_FAILED,
            [{"path": "$.customer", "type": "string_too_long"}],
        ),
        (
            json.dumps(order_payload(express=True, lines=[{"sku": "ABC-123", "quantity": 6}])),
            ErrorCode.VALIDATION_FAILED,
            [{"path": "$", "type": "express_too_big"}],  # the cross-field rule, at the root
        ),
        (
            json.dumps(order_payload(placed_at="yesterday")),
            ErrorCode.VALIDATION_FAILED,
            [{"path": "$.placed_at", "type": "datetime_parsing"}],
        ),
        ('{"order_id": ', ErrorCode.MALFORMED_PAYLOAD, [{"path": "$", "type": "json_invalid"}]),
        ("", ErrorCode.MALFORMED_PAYLOAD, [{"path": "$", "type": "json_invalid"}]),
        ("[1, 2]", ErrorCode.VALIDATION_FAILED, [{"path": "$", "type": "model_type"}]),
        (None, ErrorCode.MALFORMED_PAYLOAD, []),
    ],
)
def test_api_rejection_response(
    body: str | None, code: str, fields: list[dict[str, str]], context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    called: list[object] = []
    response = _api(lambda o, c: called.append(o))(apigw_v2(body), context)
    assert called == []
    assert response["statusCode"] == 400
    assert _body(response) == {
        "error": code,
        "message": _body(response)["message"],
        "fields": fields,
        "correlationId": "JKJaXmPLvHcESHA=",
    }
    captured = stdout()
    (log,) = captured.logs
    assert log["level"] == "WARNING" and log["event"] == "input_rejected"
    assert log["code"] == code and log["fields"] == fields
    assert log["requestId"] == context.aws_request_id and log["correlationId"] == "JKJaXmPLvHcESHA="
    assert log["functionName"] == "orders-fn" and log["source"] == "api_gateway_http"
    (metric,) = captured.metrics
    assert metric["RejectedInput"] == 1 and metric["FunctionName"] == "orders-fn"


def test_error_paths_never_echo_input_keys_or_values(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    canary = "CANARY<script>alert(1)</script>"
    payload = order_payload(
        customer=canary * 10,  # too long: the value must not come back
        lines=[{"sku": canary, "quantity": canary}],
        **{canary: canary},  # an unexpected key: the key is input too
    )
    response = _api()(apigw_v2(json.dumps(payload)), context)
    assert canary not in response["body"] and "CANARY" not in response["body"]
    paths = [f["path"] for f in _body(response)["fields"]]
    assert "$.*" in paths  # the extra key is reported, anonymously
    for path in paths:
        names = [p for p in path.replace("[", ".").replace("]", "").split(".")[1:] if not p.isdigit()]
        assert set(names) <= ORDER_NAMES | {"*"}
    assert "CANARY" not in stdout().raw


def test_dict_keys_in_error_paths_are_anonymised(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: v, model=dict[str, int], envelope="api_gateway_http")
    response = handler(apigw_v2('{"secret-key-name": "x"}'), context)
    assert _body(response)["fields"] == [{"path": "$.*", "type": "int_type"}]


def test_field_list_is_capped(context: FakeContext) -> None:
    from pydantic import create_model

    wide: Any = create_model("Wide", **{f"f{i}": (int, ...) for i in range(60)})
    handler = secure_handler(lambda v, c: v, model=wide, envelope="api_gateway_http")
    response = handler(apigw_v2(json.dumps({f"f{i}": "x" for i in range(60)})), context)
    body = _body(response)
    assert len(body["fields"]) == MAX_RESPONSE_FIELDS and body["fieldsTruncated"] is True


def test_a_list_reports_its_first_failing_item_only(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: v, model=list[int], envelope="api_gateway_http")
    response = handler(apigw_v2(json.dumps([1, "x", "y"] * 500)), context)
    assert _body(response)["fields"] == [{"path": "$[1]", "type": "int_type"}]


def test_api_handler_exception_is_a_generic_500_with_correlation_id(
    context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    def fn(order: Order, ctx: Any) -> None:
        raise KeyError("customer-db-row-17")

    response = _api(fn)(apigw_v2(BODY), context)
    assert response["statusCode"] == 500
    assert _body(response) == {
        "error": "INTERNAL_ERROR",
        "message": "Internal server error.",
        "correlationId": "JKJaXmPLvHcESHA=",
    }
    assert "customer-db-row-17" not in response["body"] and "Traceback" not in response["body"]
    captured = stdout()
    (log,) = captured.logs
    assert log["level"] == "ERROR" and log["event"] == "handler_error"
    assert log["errorType"] == "KeyError" and log["correlationId"] == "JKJaXmPLvHcESHA="
    assert any(frame.endswith(" in fn") for frame in log["stackTrace"])
    assert captured.metrics[0]["HandlerError"] == 1


def test_unserialisable_api_result_is_a_500(context: FakeContext) -> None:
    response = _api(lambda o, c: object())(apigw_v2(BODY), context)
    assert response["statusCode"] == 500


@pytest.mark.parametrize(
    ("envelope", "event"),
    [("eventbridge", eventbridge_event(order_payload())), ("sns", sns_event(BODY)), ("raw", order_payload())],
)
def test_async_handler_exception_is_reraised_and_logged(
    envelope: Any, event: Any, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    class Boom(Exception):
        pass

    def fn(order: Order, ctx: Any) -> None:
        raise Boom("downstream 503")

    with pytest.raises(Boom, match="downstream 503"):
        secure_handler(fn, model=Order, envelope=envelope)(event, context)
    captured = stdout()
    assert captured.logs[0]["errorType"] == "Boom"
    assert captured.metrics[0]["HandlerError"] == 1


@pytest.mark.parametrize(
    ("envelope", "event"),
    [("eventbridge", eventbridge_event(order_payload(currency=1))), ("sns", sns_event("{}")), ("raw", {"x": 1})],
)
def test_async_rejection_raises_a_value_free_error_for_the_dlq(
    envelope: Any, event: Any, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    with pytest.raises(InputRejected) as info:
        secure_handler(lambda o, c: None, model=Order, envelope=envelope)(event, context)
    exc = info.value
    assert exc.__cause__ is None and exc.__context__ is None  # no chained ValidationError (it holds values)
    text = str(exc)
    assert text.startswith("VALIDATION_FAILED: ") and "input_value" not in text
    assert "correlationId=" in text
    assert stdout().metrics[0]["RejectedInput"] == 1


def test_input_rejected_text_lists_paths() -> None:
    exc = InputRejected("VALIDATION_FAILED", ({"path": "$.a", "type": "int_type"},), correlation_id="c1")
    assert str(exc) == "VALIDATION_FAILED: The request payload failed validation. at $.a (int_type) [correlationId=c1]"


# --- settings ------------------------------------------------------------------------------------------


def test_metric_namespace_from_environment_and_argument(
    monkeypatch: pytest.MonkeyPatch, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    monkeypatch.setenv(contract.ENV_METRIC_NAMESPACE, "Team/Orders")
    _api()(apigw_v2("{}"), context)
    _api(metric_namespace="Explicit")(apigw_v2("{}"), context)
    namespaces = [m["_aws"]["CloudWatchMetrics"][0]["Namespace"] for m in stdout().metrics]
    assert namespaces == ["Team/Orders", "Explicit"]


def test_default_namespace(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    _api()(apigw_v2("{}"), context)
    assert stdout().metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == contract.METRIC_NAMESPACE


def test_function_name_falls_back_to_environment(
    monkeypatch: pytest.MonkeyPatch, stdout: Callable[[], Captured]
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "from-env")
    _api()(apigw_v2("{}"), None)
    captured = stdout()
    assert captured.metrics[0]["FunctionName"] == "from-env"
    assert captured.logs[0]["requestId"] is None and captured.logs[0]["correlationId"] == "JKJaXmPLvHcESHA="


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        (contract.ENV_MAX_PAYLOAD_BYTES, "lots", "positive integer"),
        (contract.ENV_MAX_PAYLOAD_BYTES, "0", "positive integer"),
        (contract.ENV_LOG_LEVEL, "LOUD", "must be one of"),
        (contract.ENV_METRIC_NAMESPACE, "AWS/Lambda", "reserved"),
        (contract.ENV_METRIC_NAMESPACE, "x" * 256, "1-255"),
    ],
)
def test_bad_configuration_fails_at_cold_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, match: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=match):
        _api()


def test_bad_arguments_fail_at_decoration() -> None:
    with pytest.raises(ValueError, match="positive int"):
        _api(max_payload_bytes=0)
    with pytest.raises(ValueError, match="reserved"):
        _api(metric_namespace="AWS/Custom")


def test_log_level_threshold_silences_logs_but_never_the_metric(
    monkeypatch: pytest.MonkeyPatch, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    monkeypatch.setenv(contract.ENV_LOG_LEVEL, "error")
    _api()(apigw_v2("{}"), context)
    captured = stdout()
    assert captured.logs == [] and captured.metrics[0]["RejectedInput"] == 1
    _api(lambda o, c: 1 / 0)(apigw_v2(BODY), context)
    assert [log["event"] for log in stdout().logs] == ["handler_error"]


# --- integrations --------------------------------------------------------------------------------------


def test_standard_logger_receives_structured_extra(context: FakeContext, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("orders.security")
    with caplog.at_level(logging.WARNING, logger="orders.security"):
        _api(logger=logger)(apigw_v2("{}"), context)
    (record,) = caplog.records
    assert record.getMessage() == "input_rejected"
    assert record.__dict__["code"] == ErrorCode.VALIDATION_FAILED
    assert record.__dict__["correlationId"] == "JKJaXmPLvHcESHA="


def test_powertools_logger_and_metrics(
    monkeypatch: pytest.MonkeyPatch, context: FakeContext, capsys: pytest.CaptureFixture[str]
) -> None:
    import aws_lambda_powertools as powertools  # a dev dependency: must be installed, never skipped

    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "TeamNamespace")
    logger = powertools.Logger(service="orders")
    metrics = powertools.Metrics(service="orders")

    @metrics.log_metrics
    def lambda_handler(event: Any, ctx: Any) -> Any:
        return _api(logger=logger, metrics=metrics)(event, ctx)

    assert lambda_handler(apigw_v2("{}"), context)["statusCode"] == 400
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    (log,) = [d for d in docs if d.get("message") == "input_rejected"]
    assert log["service"] == "orders" and log["level"] == "WARNING"
    assert log["code"] == ErrorCode.VALIDATION_FAILED and log["correlationId"] == "JKJaXmPLvHcESHA="
    emf = [d for d in docs if "_aws" in d]
    namespaces = sorted(d["_aws"]["CloudWatchMetrics"][0]["Namespace"] for d in emf)
    assert namespaces == ["SecureServerless", "TeamNamespace"]  # ours (the alarm's) and theirs
    assert all(d["RejectedInput"] in (1, [1.0], 1.0, [1]) for d in emf)


def test_broken_metrics_object_does_not_break_the_response(
    context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    class Broken:
        def add_metric(self, name: str, unit: Any, value: float, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("metrics backend down")

    response = _api(metrics=Broken())(apigw_v2("{}"), context)
    assert response["statusCode"] == 400
    captured = stdout()
    assert captured.metrics[0]["RejectedInput"] == 1
    assert captured.logs[-1]["event"] == "metrics_integration_failed"


def test_secret_in_unprintable_exception_is_replaced(context: FakeContext) -> None:
    class Sneaky(Exception):
        def __str__(self) -> str:  # ignores args: scrubbing args is not enough
            return "token sk_live_abcdefgh1234"

    def fn(order: Order, ctx: Any) -> None:
        raise Sneaky()

    with pytest.raises(HandlerFailed) as info:
        secure_handler(fn, model=Order)(order_payload(api_key="sk_live_abcdefgh1234"), context)
    assert "sk_live" not in str(info.value) and "Sneaky" in str(info.value)


def test_sqs_event_with_wrong_body_types_never_reaches_handler(context: FakeContext) -> None:
    event = sqs_event(BODY)
    event["Records"][0]["body"] = None
    assert secure_handler(lambda o, c: None, model=Order, envelope="sqs")(event, context) == {
        "batchItemFailures": [{"itemIdentifier": "msg-0"}]
    }


@pytest.mark.parametrize("message", ["lone \ud800 surrogate", "nul \x00 and \u2028", "x" * 10_000])
def test_odd_exception_messages_still_give_one_json_log_line(
    message: str, context: FakeContext, stdout: Callable[[], Captured]
) -> None:
    def fn(order: Order, ctx: Any) -> None:
        raise ValueError(message)

    assert _api(fn)(apigw_v2(BODY), context)["statusCode"] == 500
    captured = stdout()
    assert captured.other == []
    (log,) = captured.logs
    assert len(log["errorMessage"]) <= 2048 + len("...(truncated)")
    assert not {"\u2028", "\u2029", "\x85"} & set(captured.raw)


def test_exception_with_broken_str_is_still_logged(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    def fn(order: Order, ctx: Any) -> None:
        raise Unprintable()

    assert _api(fn)(apigw_v2(BODY), context)["statusCode"] == 500
    assert stdout().logs[0]["errorMessage"] == "<unprintable>"
