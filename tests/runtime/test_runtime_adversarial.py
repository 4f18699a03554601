"""Adversarial inputs never crash the helper and never come back in responses or logs."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_events import apigw_v1, apigw_v2, eventbridge_event, sns_event, sqs_event
from runtime_models import ORDER_NAMES, Order, order_payload
from runtime_support import FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, secure_handler

pytestmark = pytest.mark.slow

CANARY = "Qz7"  # every generated string carries it: it must never be echoed
LIMIT = 4096
PATH = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*|\.\*|\[\d+\])*$")
CODES = {
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.MALFORMED_PAYLOAD,
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.INVALID_ENVELOPE,
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTEXT = FakeContext()

NASTY = st.sampled_from(
    ["\ud800", "\udfff", "\ud83d", "\x00", "\u202e", "\ufeff", "\u0301", "😀", "\\", '"', "\n", "\u2028", "</script>"]
)
# Unicode edge cases, lone surrogates included (st.characters() excludes them by default).
TEXT = st.lists(st.one_of(st.characters(exclude_categories=()), NASTY), max_size=12).map(
    lambda chars: CANARY + "".join(chars)
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), NUMBERS, TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(TEXT, st.sampled_from(sorted(ORDER_NAMES))), children, max_size=5),
    ),
    max_leaves=25,
)


def _mutated_order(data: st.DataObject) -> dict[str, Any]:
    """A valid order with some fields replaced by wrong types/values (and extra keys)."""
    payload: dict[str, Any] = order_payload(lines=[{"sku": "ABC-123", "quantity": 1}] * data.draw(st.integers(1, 3)))
    for name in data.draw(
        st.lists(st.sampled_from([*sorted(payload), "express", "card", "api_key", "trace"]), max_size=4)
    ):
        payload[name] = data.draw(JSON_VALUES)
    return payload


def _as_text(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


BODIES = st.one_of(
    st.builds(_as_text, JSON_VALUES, st.booleans()),
    TEXT,
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),  # deeply nested
    st.integers(1, 5000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(1, 20000).map(lambda n: '{"lines": [{"quantity": ' + "9" * n + "}]}"),  # huge number
    st.sampled_from(["1e999999", "-1e-999999", "NaN", "Infinity", '{"placed_at": 1e308}', "\ufeff{}", "{}" * 3]),
    st.integers(LIMIT - 10, LIMIT * 3).map(lambda n: json.dumps({"customer": CANARY * (n // 3)})),  # around the limit
)


def _run(fn: Callable[[], Any]) -> tuple[Any, str]:
    """Call ``fn`` with stdout captured; an InputRejected is returned as the result (others propagate)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            result = fn()
        except InputRejected as exc:
            result = exc
    return result, buffer.getvalue()


def _check_output(out: str) -> None:
    assert CANARY not in out
    for line in out.splitlines():
        doc = json.loads(line)  # every line the helper writes is one JSON document
        for field in doc.get("fields", []):
            assert PATH.match(field["path"]), field


def _check_api_response(response: dict[str, Any]) -> None:
    assert response["statusCode"] in (200, 400)
    assert CANARY not in response.get("body", "")
    if response["statusCode"] == 400:
        body = json.loads(response["body"])
        assert set(body) <= {"error", "message", "fields", "fieldsTruncated", "correlationId"}
        assert body["error"] in CODES
        for field in body["fields"]:
            assert PATH.match(field["path"]) and field["type"].isidentifier()
            names = re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)", field["path"])
            assert set(names) <= ORDER_NAMES


API_V2 = secure_handler(
    lambda o, c: {"statusCode": 200}, model=Order, envelope="api_gateway_http", max_payload_bytes=LIMIT
)
API_V1 = secure_handler(
    lambda o, c: {"statusCode": 200}, model=Order, envelope="api_gateway_rest", max_payload_bytes=LIMIT
)


@SETTINGS
@given(body=BODIES, b64=st.booleans(), v2=st.booleans())
def test_api_gateway_bodies(body: str, b64: bool, v2: bool) -> None:
    event = (apigw_v2 if v2 else apigw_v1)(body, b64=b64)
    response, out = _run(lambda: (API_V2 if v2 else API_V1)(event, CONTEXT))
    _check_api_response(response)
    _check_output(out)


@SETTINGS
@given(data=st.data())
def test_api_gateway_wrong_types(data: st.DataObject) -> None:
    body = json.dumps(_mutated_order(data))
    response, out = _run(lambda: API_V2(apigw_v2(body), CONTEXT))
    _check_api_response(response)
    _check_output(out)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_api_gateway_arbitrary_bytes(raw: bytes) -> None:
    event = apigw_v2(None) | {"body": base64.b64encode(raw).decode(), "isBase64Encoded": True}
    response, out = _run(lambda: API_V2(event, CONTEXT))
    assert response["statusCode"] in (200, 400)
    _check_output(out)


@SETTINGS
@given(body=st.one_of(st.none(), JSON_VALUES), extra=st.dictionaries(TEXT, JSON_VALUES, max_size=3))
def test_api_gateway_hostile_event_fields(body: Any, extra: dict[str, Any]) -> None:
    # Headers, query strings, a non-string body: whatever lands in the event, the helper answers.
    event = apigw_v2(None) | {"body": body, "headers": extra, "queryStringParameters": extra}
    response, out = _run(lambda: API_V2(event, CONTEXT))
    _check_api_response(response)
    _check_output(out)


SQS = secure_handler(lambda o, c: None, model=Order, envelope="sqs", max_payload_bytes=LIMIT)


@SETTINGS
@given(bodies=st.lists(BODIES, min_size=1, max_size=5))
def test_sqs_batches(bodies: list[str]) -> None:
    result, out = _run(lambda: SQS(sqs_event(*bodies), CONTEXT))
    assert set(result) == {"batchItemFailures"}
    assert {f["itemIdentifier"] for f in result["batchItemFailures"]} <= {f"msg-{i}" for i in range(len(bodies))}
    _check_output(out)


ASYNC = {
    "sns": (secure_handler(lambda o, c: None, model=Order, envelope="sns", max_payload_bytes=LIMIT), sns_event),
    "eventbridge": (
        secure_handler(lambda o, c: None, model=Order, envelope="eventbridge", max_payload_bytes=LIMIT),
        eventbridge_event,
    ),
}


def _deep(n: int) -> Any:
    value: Any = CANARY
    for _ in range(n):
        value = {"lines": [value]}
    return value


@SETTINGS
@given(
    sns_body=BODIES,
    detail=st.one_of(JSON_VALUES, st.just(order_payload()), st.integers(1, 3000).map(_deep)),
)
def test_async_sources_only_ever_raise_input_rejected(sns_body: str, detail: Any) -> None:
    for name, payload in (("sns", sns_body), ("eventbridge", detail)):
        handler, factory = ASYNC[name]
        result, out = _run(lambda h=handler, f=factory, p=payload: h(f(p), CONTEXT))  # type: ignore[misc]
        if isinstance(result, InputRejected):
            assert result.code in CODES and CANARY not in str(result)
            assert result.__context__ is None or CANARY not in str(result.__context__)
            assert '"input_rejected"' in out and '"RejectedInput"' in out
        _check_output(out)


@SETTINGS
@given(event=st.one_of(JSON_VALUES, st.lists(JSON_VALUES)))
def test_garbage_events_for_every_envelope(event: Any) -> None:
    for envelope in ("api_gateway_http", "api_gateway_rest", "sqs", "sns", "eventbridge", "raw"):
        handler = secure_handler(lambda o, c: {"statusCode": 200}, model=Order, envelope=envelope)
        result, out = _run(lambda h=handler: h(event, CONTEXT))  # type: ignore[misc]
        _check_output(out)
        if isinstance(result, InputRejected):
            assert not envelope.startswith("api_gateway")  # API handlers always answer
            assert CANARY not in str(result)
        elif envelope.startswith("api_gateway"):
            _check_api_response(result)


@pytest.mark.parametrize(
    ("body", "code", "field_type"),
    [
        ('{"customer": "\ud800"}', ErrorCode.MALFORMED_PAYLOAD, "string_unicode"),  # a lone surrogate character
        ('{"customer": "\\ud800"}', ErrorCode.MALFORMED_PAYLOAD, "json_invalid"),  # ... and as an escape
        ("[" * 100_000 + "]" * 100_000, ErrorCode.PAYLOAD_TOO_LARGE, None),
        ("[" * 1000 + "]" * 1000, ErrorCode.MALFORMED_PAYLOAD, "json_invalid"),  # parser recursion limit
        ('{"lines": [{"quantity": ' + "9" * 4000 + "}]}", ErrorCode.VALIDATION_FAILED, "less_than_equal"),
        ('{"lines": [{"quantity": ' + "9" * 5000 + "}]}", ErrorCode.MALFORMED_PAYLOAD, "json_invalid"),
        ('{"lines": [{"quantity": 1e999999}]}', ErrorCode.VALIDATION_FAILED, "int_type"),
        ('{"lines": [{"quantity": 1.0}]}', ErrorCode.VALIDATION_FAILED, "int_type"),  # strict: no float -> int
        ('{"express": "true"}', ErrorCode.VALIDATION_FAILED, "bool_type"),
        ("\ufeff{}", ErrorCode.MALFORMED_PAYLOAD, "json_invalid"),
        ("NaN", ErrorCode.VALIDATION_FAILED, "model_type"),
    ],
)
def test_edge_cases(body: str, code: str, field_type: str | None) -> None:
    handler = secure_handler(
        lambda o, c: {"statusCode": 200}, model=Order, envelope="api_gateway_http", max_payload_bytes=8192
    )
    response, out = _run(lambda: handler(apigw_v2(body), CONTEXT))
    answer = json.loads(response["body"])
    assert response["statusCode"] == 400 and answer["error"] == code
    if field_type is not None:
        assert field_type in {f["type"] for f in answer["fields"]}
    _check_output(out)


def test_deeply_nested_eventbridge_detail() -> None:
    result, out = _run(lambda: ASYNC["eventbridge"][0](eventbridge_event(_deep(5000)), CONTEXT))
    assert isinstance(result, InputRejected) and result.code == ErrorCode.MALFORMED_PAYLOAD
    _check_output(out)
