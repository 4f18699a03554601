"""What each event source's events look like: the checks that tell them apart, shared by the wrappers and
:func:`~._entry_points.validate_event`.

Strict on purpose: several sources share field names (an ALB event and a WebSocket event both have a
``requestContext``; a VPC Lattice v2 event has ``version: "2.0"`` like an HTTP API event), so each check
requires the members only its own source sends and refuses the markers of its look-alikes. Anything
else is ``INVALID_ENVELOPE``.
"""

from __future__ import annotations

from typing import Any

from secure_serverless.runtime._errors import ErrorCode, InputRejected


def _invalid() -> InputRejected:
    return InputRejected(ErrorCode.INVALID_ENVELOPE)


def api_request_id(event: Any) -> Any:
    """The API Gateway request id of ``event`` (not yet checked), or ``None``."""
    request_context = event.get("requestContext") if type(event) is dict else None
    return request_context.get("requestId") if type(request_context) is dict else None


def check_rest_event(event: Any) -> None:
    """A REST API proxy event (payload format 1.0): ``httpMethod`` and a ``requestContext`` that is
    neither an ALB's (``elb``) nor a WebSocket API's (``connectionId``/``eventType``)."""
    if type(event) is not dict or type(event.get("httpMethod")) is not str:
        raise _invalid()
    context = event.get("requestContext")
    version = event.get("version")
    if type(context) is not dict or (version is not None and version != "1.0") or "elb" in context:
        raise _invalid()
    if "connectionId" in context or "eventType" in context:  # a WebSocket API event
        raise _invalid()


def check_http_event(event: Any) -> None:
    """An HTTP API (or function URL) event, payload format 2.0: ``version`` "2.0" and a ``requestContext``
    with an ``http`` member holding the method (a VPC Lattice v2 event has neither ``http`` nor
    ``routeKey``)."""
    if type(event) is not dict or event.get("version") != "2.0" or type(event.get("routeKey")) is not str:
        raise _invalid()
    context = event.get("requestContext")
    http = context.get("http") if type(context) is dict else None
    if type(http) is not dict or type(http.get("method")) is not str:
        raise _invalid()


def check_alb_event(event: Any) -> None:
    """An Application Load Balancer event: ``httpMethod`` and ``requestContext.elb.targetGroupArn``."""
    if type(event) is not dict or type(event.get("httpMethod")) is not str:
        raise _invalid()
    context = event.get("requestContext")
    elb = context.get("elb") if type(context) is dict else None
    if type(elb) is not dict or type(elb.get("targetGroupArn")) is not str:
        raise _invalid()


def event_records(event: Any, source_key: str, source: str) -> list[dict[str, Any]]:
    """The ``Records`` of an SQS or SNS event: a non-empty list of dicts, each with ``source_key`` equal to
    ``source`` (``eventSource: "aws:sqs"``, ``EventSource: "aws:sns"``), else INVALID_ENVELOPE."""
    records = event.get("Records") if type(event) is dict else None
    if type(records) is not list or not records:
        raise _invalid()
    for record in records:
        if type(record) is not dict or record.get(source_key) != source:
            raise _invalid()
    return records


def sqs_records(event: Any) -> list[dict[str, Any]]:
    """The records of an SQS event, each from ``aws:sqs`` with a non-empty string ``messageId`` (without
    one no partial batch answer is possible), else INVALID_ENVELOPE."""
    records = event_records(event, "eventSource", "aws:sqs")
    for record in records:
        message_id = record.get("messageId")
        if type(message_id) is not str or not message_id:
            raise _invalid()
    return records


def sns_messages(event: Any) -> list[tuple[Any, Any, Any]]:
    """(message, message id, record) of every record of an SNS event (``EventSource: "aws:sns"``, a string
    ``Sns.Message``), else INVALID_ENVELOPE. One pass: SNS invokes once per message."""
    records = event.get("Records") if type(event) is dict else None
    if type(records) is not list or not records:
        raise _invalid()
    out = []
    for record in records:
        sns = record.get("Sns") if type(record) is dict and record.get("EventSource") == "aws:sns" else None
        message = sns.get("Message") if type(sns) is dict else None
        if type(message) is not str:
            raise _invalid()
        out.append((message, sns.get("MessageId"), record))  # type: ignore[union-attr]
    return out


def eventbridge_detail(event: Any) -> Any:
    """The ``detail`` of an EventBridge event (with string ``source`` and ``detail-type``)."""
    if type(event) is not dict or "detail" not in event:
        raise _invalid()
    if type(event.get("detail-type")) is not str or type(event.get("source")) is not str:
        raise _invalid()
    return event["detail"]
