"""The JSON the helper writes: API Gateway proxy responses, and the text of its log and metric lines."""

from __future__ import annotations

from typing import Any, Final

from pydantic_core import to_json

RESPONSE_HEADERS: Final = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def dumps(obj: Any) -> str:
    """``obj`` as JSON text. Never raises: what ``to_json`` refuses is escaped by the standard library."""
    try:
        return to_json(obj).decode()
    except Exception:  # e.g. a lone surrogate in an exception message: escape instead of failing
        import json

        return json.dumps(obj, ensure_ascii=True, default=repr)


def api_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """An API Gateway (REST or HTTP API) proxy response: ``status``, the fixed headers, ``body`` as JSON."""
    return {"statusCode": status, "headers": dict(RESPONSE_HEADERS), "body": dumps(body)}


def api_result(result: Any) -> Any:
    """The proxy response for a handler's return value: a dict with ``statusCode`` is passed through,
    ``None`` becomes 204, anything else 200 with the value as JSON."""
    if type(result) is dict and "statusCode" in result:
        return result
    if result is None:
        return {"statusCode": 204, "headers": dict(RESPONSE_HEADERS)}
    return {"statusCode": 200, "headers": dict(RESPONSE_HEADERS), "body": to_json(result).decode()}


# ALB needs a status description; the helper itself only answers with these statuses.
_REASONS: Final = {200: "OK", 204: "No Content", 400: "Bad Request", 500: "Internal Server Error"}


def alb_response(response: dict[str, Any], multi_value: bool) -> dict[str, Any]:
    """An API Gateway-style response in the Application Load Balancer's format: a ``statusDescription``,
    ``isBase64Encoded``, and the headers as ``multiValueHeaders`` when the target group has multi-value
    headers on (the load balancer then ignores ``headers``)."""
    status = response["statusCode"]
    out = {"statusCode": status, "statusDescription": f"{status} {_REASONS.get(status, 'Unknown')}"}
    headers = response.get("headers", {})
    if multi_value:
        out["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    else:
        out["headers"] = headers
    out["body"] = response.get("body", "")
    out["isBase64Encoded"] = False
    return out
