"""Every part of an HTTP request is validated by its own model: path parameters, query string (single and
multi-value), selected headers and the body (JSON or plain text); a GET without a body is servable."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field
from runtime_events import alb_event, apigw_v1, apigw_v2, http_get, rest_get, sns_event, sqs_event
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import ErrorCode, InputRejected, Request, secure_handler, validate_event


class OrderPath(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: Annotated[str, Field(alias="orderId", pattern=r"^ord_[a-z0-9]{6}$")]


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


class Listing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    sort: Sort = Sort.NEWEST
    tag: list[str] = []


class Tenant(BaseModel):
    """Selected headers (the rest are ignored); names as the lower-cased header names."""

    tenant: Annotated[str, Field(alias="x-tenant-id", pattern=r"^[a-z]{3,10}$")]
    accept: str = "*/*"


def _body(response: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(response["body"])
    return result


def _echo(request: Request, context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps({"request": repr(request)})}


def _seen() -> tuple[list[Request], Callable[[Request, Any], dict[str, Any]]]:
    seen: list[Request] = []

    def fn(request: Request, context: Any) -> dict[str, Any]:
        seen.append(request)
        return {"statusCode": 200, "body": "ok"}

    return seen, fn


def test_rest_get_without_body_validates_path_query_and_headers(context: FakeContext) -> None:
    seen, fn = _seen()
    handler = secure_handler(fn, path=OrderPath, query=Listing, headers=Tenant, envelope="api_gateway_rest")
    event = rest_get(
        path={"orderId": "ord_abc123"},
        query={"limit": ["5"], "sort": ["oldest"], "tag": ["a", "b"]},
        headers={"X-Tenant-Id": ["acme"], "Accept": ["application/json"], "User-Agent": ["curl/8.0"]},
    )
    assert handler(event, context)["statusCode"] == 200
    (request,) = seen
    assert request.body is None
    assert request.path == OrderPath(orderId="ord_abc123")
    assert request.query == Listing(limit=5, sort=Sort.OLDEST, tag=["a", "b"])  # multi-value kept for a list
    assert request.headers.tenant == "acme" and request.headers.accept == "application/json"


def test_http_api_get_reads_repeated_values_from_the_raw_query_string(context: FakeContext) -> None:
    seen, fn = _seen()
    handler = secure_handler(fn, path=OrderPath, query=Listing, envelope="api_gateway_http")
    event = http_get(path={"orderId": "ord_abc123"}, raw_query="tag=a%2Cb&tag=c&limit=7")
    assert event["queryStringParameters"]["tag"] == "a,b,c"  # API Gateway's own join is ambiguous ...
    assert handler(event, context)["statusCode"] == 200
    assert seen[0].query.tag == ["a,b", "c"]  # ... the raw query string is not
    assert seen[0].query.limit == 7


@pytest.mark.parametrize("multi_value", [False, True])
def test_alb_query_values_are_decoded_and_headers_read_in_either_form(multi_value: bool, context: FakeContext) -> None:
    seen, fn = _seen()
    handler = secure_handler(fn, query=Listing, headers=Tenant, envelope="alb")
    event = alb_event(
        query={"tag": ["red%20wine", "caf%C3%A9"], "limit": ["3"]} if multi_value else {"tag": ["a+b"]},
        headers={"x-tenant-id": ["acme"]},
        multi_value=multi_value,
    )
    response = handler(event, context)
    assert response["statusCode"] == 200
    assert seen[0].query.tag == (["red wine", "café"] if multi_value else ["a b"])
    assert seen[0].headers.tenant == "acme"


def test_repeated_value_for_a_scalar_field_is_refused(context: FakeContext) -> None:
    """HTTP parameter pollution: ?limit=5&limit=500 must not silently become either value."""
    handler = secure_handler(_echo, query=Listing, envelope="api_gateway_rest")
    response = handler(rest_get(query={"limit": ["5", "500"]}), context)
    assert response["statusCode"] == 400
    assert _body(response)["fields"] == [{"path": "$.limit", "type": "int_type", "in": "query"}]


def test_every_failing_part_is_reported_with_where_it_is(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    handler = secure_handler(_echo, path=OrderPath, query=Listing, headers=Tenant, envelope="api_gateway_rest")
    event = rest_get(
        path={"orderId": "DROP TABLE"},
        query={"limit": ["0"], "debug": ["1"]},
        headers={"X-Tenant-Id": ["ACME!"]},
    )
    response = handler(event, context)
    assert response["statusCode"] == 400
    body = _body(response)
    assert body["error"] == ErrorCode.VALIDATION_FAILED
    assert body["fields"] == [
        {"path": "$.orderId", "type": "string_pattern_mismatch", "in": "path"},
        {"path": "$.limit", "type": "greater_than_equal", "in": "query"},
        {"path": "$.*", "type": "extra_forbidden", "in": "query"},  # an unexpected name is not echoed
        {"path": "$.x-tenant-id", "type": "string_pattern_mismatch", "in": "headers"},
    ]
    assert "DROP" not in response["body"] and "ACME" not in response["body"] and "debug" not in response["body"]
    (log,) = stdout().logs
    assert log["fields"] == body["fields"]


def test_missing_required_header_and_path_parameter(context: FakeContext) -> None:
    handler = secure_handler(_echo, path=OrderPath, headers=Tenant, envelope="api_gateway_http")
    response = handler(http_get(), context)
    assert _body(response)["fields"] == [
        {"path": "$.orderId", "type": "missing", "in": "path"},
        {"path": "$.x-tenant-id", "type": "missing", "in": "headers"},
    ]


def test_body_with_parts_is_validated_and_tagged(context: FakeContext) -> None:
    seen, fn = _seen()
    handler = secure_handler(fn, body=Order, headers=Tenant, envelope="api_gateway_http")
    event = apigw_v2(json.dumps(order_payload())) | {"headers": {"x-tenant-id": "acme"}}
    assert handler(event, context)["statusCode"] == 200
    assert isinstance(seen[0].body, Order) and seen[0].headers.tenant == "acme"
    bad = apigw_v2(json.dumps(order_payload(customer=""))) | {"headers": {"x-tenant-id": "acme"}}
    assert _body(handler(bad, context))["fields"] == [{"path": "$.customer", "type": "string_too_short", "in": "body"}]
    malformed = handler(apigw_v2("{") | {"headers": {"x-tenant-id": "acme"}}, context)
    assert _body(malformed)["error"] == ErrorCode.MALFORMED_PAYLOAD


def test_handler_without_a_body_model_refuses_a_body(context: FakeContext) -> None:
    handler = secure_handler(_echo, query=Listing, envelope="api_gateway_rest")
    assert handler(rest_get(), context)["statusCode"] == 200
    response = handler(rest_get(body='{"smuggled": true}'), context)
    assert _body(response)["fields"] == [{"path": "$", "type": "unexpected_body", "in": "body"}]


@pytest.mark.parametrize(
    ("envelope", "event"),
    [
        ("api_gateway_rest", rest_get()),  # body null
        ("api_gateway_http", http_get()),  # no body member at all
        ("alb", alb_event()),  # body ""
    ],
)
def test_get_with_nothing_declared_is_servable(envelope: Any, event: dict[str, Any], context: FakeContext) -> None:
    handler = secure_handler(lambda request, ctx: {"ok": request == Request()}, envelope=envelope)
    response = handler(event, context)
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"ok": True}


def test_model_keeps_meaning_the_body(context: FakeContext) -> None:
    seen: list[Any] = []
    handler = secure_handler(lambda order, ctx: seen.append(order), model=Order, envelope="api_gateway_rest")
    assert handler(apigw_v1(json.dumps(order_payload())), context)["statusCode"] == 204
    assert isinstance(seen[0], Order)  # no Request wrapper when only the body is declared


def test_validate_event_returns_the_request(context: FakeContext) -> None:
    request = validate_event(
        rest_get(path={"orderId": "ord_abc123"}), path=OrderPath, envelope="api_gateway_rest", context=context
    )
    assert request == Request(path=OrderPath(orderId="ord_abc123"))
    with pytest.raises(InputRejected) as info:
        validate_event(rest_get(path={"orderId": "x"}), path=OrderPath, envelope="api_gateway_rest")
    assert info.value.fields[0]["in"] == "path"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": Order, "body": Order, "envelope": "api_gateway_http"}, "model= and body="),
        ({"query": Listing, "model": Order, "envelope": "sqs"}, "need an HTTP envelope"),
        ({"path": OrderPath, "envelope": "alb"}, "no path parameters"),
        ({"envelope": "sns"}, "needs a model"),
        ({"model": Order, "allow_inf_nan": "yes"}, "allow_inf_nan must be True or False"),
    ],
)
def test_bad_declarations_fail_at_cold_start(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        secure_handler(_echo, **kwargs)


# --- plain-text payloads -------------------------------------------------------------------------------


def test_plain_text_bodies_when_the_model_is_str(context: FakeContext) -> None:
    seen: list[Any] = []
    text = Annotated[str, Field(min_length=1, max_length=20)]
    api = secure_handler(lambda v, c: seen.append(v), model=text, envelope="api_gateway_http")
    assert api(apigw_v2("hello, world"), context)["statusCode"] == 204
    assert api(apigw_v2("hello, world", b64=True), context)["statusCode"] == 204
    assert seen == ["hello, world", "hello, world"]  # not parsed as JSON
    too_long = api(apigw_v2("x" * 21), context)
    assert _body(too_long)["fields"] == [{"path": "$", "type": "string_too_long"}]
    not_utf8 = apigw_v2(None) | {"body": "//79", "isBase64Encoded": True}  # base64 of bytes ff fe fd
    assert _body(api(not_utf8, context))["error"] == ErrorCode.MALFORMED_PAYLOAD


def test_plain_text_sqs_and_sns_messages(context: FakeContext) -> None:
    seen: list[Any] = []
    sqs = secure_handler(lambda v, c: seen.append(v), model=str, envelope="sqs", max_payload_bytes=16)
    assert sqs(sqs_event("plain text", "x" * 17), context) == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    sns = secure_handler(lambda v, c: v, model=str, envelope="sns")
    assert sns(sns_event("not { json"), context) == ["not { json"]
    assert seen == ["plain text"]


def test_decoded_events_with_a_str_model_are_json_strings(context: FakeContext) -> None:
    """A raw event is already decoded: a ``str`` model takes a JSON string event, not its JSON text."""
    assert secure_handler(lambda v, c: v, model=str)("abc", context) == "abc"
    with pytest.raises(InputRejected):
        secure_handler(lambda v, c: v, model=str)({"not": "text"}, context)
