"""The payload size limit is checked before parsing, in UTF-8 bytes, for every envelope."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from runtime_events import apigw_v2, eventbridge_event, sns_event, sqs_event
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, contract, secure_handler

LIMIT = 64


def _padded(n_bytes: int, char: str = "a") -> str:
    """A JSON string document of exactly ``n_bytes`` UTF-8 bytes."""
    width = len(char.encode("utf-8", "surrogatepass"))
    body = json.dumps(char * ((n_bytes - 2) // width), ensure_ascii=False)
    assert len(body.encode("utf-8", "surrogatepass")) == n_bytes
    return body


def _api(**kwargs: Any) -> Callable[[Any, Any], Any]:
    return secure_handler(lambda v, c: {"statusCode": 200}, model=str, envelope="api_gateway_http", **kwargs)


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])  # 1, 2, 3 and 4 bytes per character
def test_limit_is_exact_in_utf8_bytes(char: str, context: FakeContext, stdout: Callable[[], Captured]) -> None:
    width = len(char.encode())
    at_limit = _padded(LIMIT - (LIMIT - 2) % width, char)
    handler = _api(max_payload_bytes=LIMIT)
    assert handler(apigw_v2(at_limit), context)["statusCode"] == 200
    over = json.dumps(char * ((LIMIT - 2) // width + 1), ensure_ascii=False)
    response = handler(apigw_v2(over), context)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"] == ErrorCode.PAYLOAD_TOO_LARGE
    (log,) = stdout().logs
    assert log["payloadBytes"] == len(over.encode()) and log["limitBytes"] == LIMIT


def test_limit_applies_to_decoded_base64(context: FakeContext) -> None:
    handler = _api(max_payload_bytes=LIMIT)
    assert handler(apigw_v2(_padded(LIMIT), b64=True), context)["statusCode"] == 200
    assert handler(apigw_v2(_padded(LIMIT + 1), b64=True), context)["statusCode"] == 400
    huge = apigw_v2(_padded(10 * LIMIT), b64=True)
    assert json.loads(handler(huge, context)["body"])["error"] == ErrorCode.PAYLOAD_TOO_LARGE


@pytest.mark.parametrize("bad", ["not base64!", "YQ", "\u00e9\u00e9\u00e9\u00e9", "YWJj\nZA=="])
def test_invalid_base64_is_malformed(bad: str, context: FakeContext) -> None:
    event = apigw_v2(None) | {"body": bad, "isBase64Encoded": True}
    response = _api()(event, context)
    assert json.loads(response["body"])["error"] == ErrorCode.MALFORMED_PAYLOAD


def test_limit_from_environment(monkeypatch: pytest.MonkeyPatch, context: FakeContext) -> None:
    monkeypatch.setenv(contract.ENV_MAX_PAYLOAD_BYTES, str(LIMIT))
    handler = _api()
    assert handler(apigw_v2(_padded(LIMIT)), context)["statusCode"] == 200
    assert handler(apigw_v2(_padded(LIMIT + 1)), context)["statusCode"] == 400


@pytest.mark.parametrize(
    ("envelope", "limit"),
    [
        ("api_gateway_http", 6_291_456),  # Lambda synchronous invocation: 6 MB
        ("api_gateway_rest", 6_291_456),
        ("alb", 1_048_576),  # ALB: 1 MB request body for Lambda targets
        ("sqs", 1_048_576),  # SQS MaximumMessageSize: up to 1 MiB
        ("sns", 1_048_576),  # SNS MaximumMessageSize: up to 1 MiB
        ("eventbridge", 1_048_576),  # asynchronous invocation: 1 MB
        ("raw", 6_291_456),
    ],
)
def test_default_limit_is_the_sources_documented_maximum(envelope: str, limit: int) -> None:
    assert contract.DEFAULT_MAX_PAYLOAD_BYTES[envelope] == limit
    assert secure_handler(lambda v, c: v, model=str, envelope=envelope)  # builds


@pytest.mark.slow
@pytest.mark.parametrize("envelope", ["api_gateway_http", "sqs"])
def test_default_limit_is_exact(envelope: str, context: FakeContext) -> None:
    limit = contract.DEFAULT_MAX_PAYLOAD_BYTES[envelope]
    handler = secure_handler(lambda v, c: None, model=str, envelope=envelope)
    factory = apigw_v2 if envelope == "api_gateway_http" else sqs_event
    ok, over = handler(factory(_padded(limit)), context), handler(factory(_padded(limit + 1)), context)
    if envelope == "sqs":
        assert ok == {"batchItemFailures": []} and over == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    else:
        assert (ok["statusCode"], over["statusCode"]) == (204, 400)


def test_sqs_limit_is_per_record(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: None, model=str, envelope="sqs", max_payload_bytes=LIMIT)
    result = handler(sqs_event(_padded(LIMIT), _padded(LIMIT + 1), _padded(LIMIT)), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


def test_sns_limit(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: None, model=str, envelope="sns", max_payload_bytes=LIMIT)
    assert handler(sns_event(_padded(LIMIT)), context) == [None]
    with pytest.raises(InputRejected) as info:
        handler(sns_event(_padded(LIMIT + 1)), context)
    assert info.value.code == ErrorCode.PAYLOAD_TOO_LARGE and info.value.payload_bytes == LIMIT + 1


def test_eventbridge_limit_is_on_the_serialised_detail(context: FakeContext) -> None:
    handler = secure_handler(lambda v, c: v, model=str, envelope="eventbridge", max_payload_bytes=LIMIT)
    assert handler(eventbridge_event("é" * ((LIMIT - 2) // 2)), context)  # 2 + 62 bytes: at the limit
    with pytest.raises(InputRejected) as info:
        handler(eventbridge_event("é" * ((LIMIT - 2) // 2 + 1)), context)
    assert info.value.code == ErrorCode.PAYLOAD_TOO_LARGE


def test_oversized_body_is_rejected_without_parsing(context: FakeContext) -> None:
    # Invalid JSON far beyond the limit is reported as too large, i.e. the parser never ran.
    response = _api(max_payload_bytes=LIMIT)(apigw_v2("{" * 10_000), context)
    assert json.loads(response["body"])["error"] == ErrorCode.PAYLOAD_TOO_LARGE
