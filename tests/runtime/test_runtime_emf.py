"""The RejectedInput / HandlerError metrics are valid CloudWatch embedded-metric-format documents."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from runtime_events import apigw_v2, sqs_event
from runtime_models import Order, order_payload
from runtime_support import Captured, FakeContext

from secure_serverless.runtime import contract, secure_handler

SCHEMA = json.loads((Path(__file__).with_name("emf_schema.json")).read_text())
BODY = json.dumps(order_payload())


def check_emf(doc: dict[str, Any]) -> None:
    """Validate ``doc`` against the EMF specification: the JSON schema plus the member cross-reference."""
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for key in dimension_set:
                assert isinstance(doc.get(key), str), f"dimension {key} must be a top-level string member"
        for metric in directive["Metrics"]:
            value = doc.get(metric["Name"])
            values = value if isinstance(value, list) else [value]
            assert 0 < len(values) <= 100
            assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in values), metric["Name"]


def test_schema_has_teeth() -> None:
    good: dict[str, Any] = {
        "_aws": {
            "Timestamp": 1,
            "CloudWatchMetrics": [
                {"Namespace": "N", "Dimensions": [["D"]], "Metrics": [{"Name": "M", "Unit": "Count"}]}
            ],
        },
        "D": "x",
        "M": 1,
    }
    check_emf(good)
    bad_cases: list[dict[str, Any]] = [
        {**good, "_aws": {**good["_aws"], "Timestamp": 1.5}},
        {
            **good,
            "_aws": {
                **good["_aws"],
                "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": ["D"], "Metrics": [{"Name": "M"}]}],
            },
        },
        {
            **good,
            "_aws": {
                **good["_aws"],
                "CloudWatchMetrics": [
                    {"Namespace": "N", "Dimensions": [["D"]], "Metrics": [{"Name": "M", "Unit": "Things"}]}
                ],
            },
        },
        {k: v for k, v in good.items() if k != "D"},
        {**good, "M": "1"},
    ]
    for bad in bad_cases:
        with pytest.raises((jsonschema.ValidationError, AssertionError)):
            check_emf(bad)


def test_every_emitted_metric_is_valid_emf(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    before = int(time.time() * 1000)
    api = secure_handler(lambda o, c: 1 / 0, model=Order, envelope="api_gateway_http")
    api(apigw_v2("{}"), context)  # rejection
    api(apigw_v2(BODY), context)  # handler error
    sqs = secure_handler(lambda o, c: None, model=Order, envelope="sqs")
    sqs(sqs_event("{}", "[]", BODY), context)  # two rejections in one batch
    after = int(time.time() * 1000)
    captured = stdout()
    assert len(captured.metrics) == 3
    for doc in captured.metrics:
        check_emf(doc)
        assert before <= doc["_aws"]["Timestamp"] <= after
        (directive,) = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == contract.METRIC_NAMESPACE
        assert directive["Dimensions"] == [[contract.METRIC_DIMENSION]]  # exactly what the alarm names
        assert doc[contract.METRIC_DIMENSION] == context.function_name
    assert [
        (d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], d.get("RejectedInput", d.get("HandlerError")))
        for d in captured.metrics
    ] == [
        (contract.REJECTED_INPUT_METRIC, 1),
        (contract.HANDLER_ERROR_METRIC, 1),
        (contract.REJECTED_INPUT_METRIC, 2),
    ]


def test_emf_is_one_json_document_per_line(context: FakeContext, stdout: Callable[[], Captured]) -> None:
    secure_handler(lambda o, c: None, model=Order, envelope="api_gateway_http")(apigw_v2("{}"), context)
    captured = stdout()
    assert captured.other == []  # every stdout line parsed as a JSON document
    assert captured.raw.endswith("\n") and captured.raw.count("\n") == 2
