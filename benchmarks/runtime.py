"""Benchmark the handler-side helper (secure_serverless.runtime): per-event overhead and import time.

Run: ``.venv/bin/python benchmarks/runtime.py`` (``--quick`` for a shorter, noisier run).

Per event: the helper wrapping a trivial handler, invoked with a whole Lambda event, against (a) calling
the same pydantic model directly on the payload (``Model.model_validate_json(payload, strict=True)``),
(b) a hand-written handler doing that plus the envelope lookup, and (c) Powertools for AWS Lambda's
parser (``event_parser`` with the matching envelope) on the same model. Models are the example handlers'
(``stacks/handlers``). Each figure is the median over interleaved repeats of the mean time per call.

Import time: ``import secure_serverless.runtime`` against ``import pydantic``, each timed inside a fresh
interpreter (the interpreter's own start-up excluded), repeated, median.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ROOT / "components"
HANDLERS = ROOT / "stacks" / "handlers"
for _path in (COMPONENTS, HANDLERS):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from secure_serverless.runtime import Envelope, secure_handler  # noqa: E402

OVERHEAD_TARGET = 1.2
IMPORT_TARGET = 1.2
RESPONSE = {"statusCode": 201, "body": "{}"}


class Context:
    function_name = "bench-fn"
    aws_request_id = "00000000-0000-0000-0000-000000000000"


def _powertools_parser() -> Any | None:
    try:
        return importlib.import_module("aws_lambda_powertools.utilities.parser")
    except ImportError:
        return None


def _api_event(body: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.test", "user-agent": "bench"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {
                "method": "POST",
                "path": "/orders",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "bench",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "POST /orders",
            "stage": "$default",
            "time": "29/Nov/2026:01:00:00 +0000",
            "timeEpoch": 1795914000000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"059f36b4-87a3-44ab-83d2-66197511f{i:03d}",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1545082649185",
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders",
                "awsRegion": "eu-west-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def _eventbridge_event(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "OrderPlaced",
        "source": "com.example.orders",
        "account": "123456789012",
        "time": "2026-11-29T01:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }


def _time(candidates: dict[str, Callable[[], object]], repeats: int, budget: float) -> dict[str, float]:
    """Median (over interleaved repeats) of the mean seconds per call of each candidate."""
    timers = {name: timeit.Timer(fn) for name, fn in candidates.items()}
    numbers = {}
    for name, timer in timers.items():
        number, elapsed = timer.autorange()
        numbers[name] = max(1, int(number * budget / max(elapsed, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def _report(title: str, figures: dict[str, float], baseline: str, unit: str = "us") -> None:
    scale = 1e6 if unit == "us" else 1e3
    print(f"\n{title}")
    for name, seconds in figures.items():
        ratio = seconds / figures[baseline]
        print(f"  {name:<52} {seconds * scale:10.2f} {unit}   {ratio:6.2f}x")


def per_event(repeats: int, budget: float) -> list[tuple[str, float, float, str]]:
    """Run the per-event scenarios; returns (check, value, target, comparison) rows."""
    orders_api: Any = importlib.import_module("orders_api")
    orders_consumer: Any = importlib.import_module("orders_consumer")
    parser = _powertools_parser()
    context = Context()
    checks: list[tuple[str, float, float, str]] = []

    def inner(order: Any, ctx: Any) -> dict[str, Any]:
        return RESPONSE

    # --- API Gateway HTTP API (payload 2.0): create an order ------------------------------------------
    create = orders_api.CreateOrder
    body = json.dumps(
        {
            "order_id": "ord_A1b2C3d4E5f6",
            "sku": "WIDGET-42",
            "quantity": 3,
            "unit_price_cents": 1999,
            "currency": "EUR",
            "express_shipping": True,
            "coupon_code": "WINTER26",
            "payment_token": "tok_visa_0123456789abcdef",
        }
    )
    event = _api_event(body)
    ours = secure_handler(inner, model=create, envelope=Envelope.API_GATEWAY_HTTP)
    validate_json = create.model_validate_json

    def manual(event: dict[str, Any], ctx: Any) -> dict[str, Any]:
        return inner(validate_json(event["body"], strict=True), ctx)

    assert ours(event, context) is RESPONSE and manual(event, context) is RESPONSE
    compiled = create.__pydantic_validator__.validate_json
    candidates: dict[str, Callable[[], object]] = {
        "pydantic model directly (model_validate_json)": lambda: validate_json(body, strict=True),
        "compiled validator directly (floor, info)": lambda: compiled(body, strict=True),
        "hand-written handler (envelope lookup + model)": lambda: manual(event, context),
        "secure_handler (api_gateway_http)": lambda: ours(event, context),
    }
    if parser is not None:
        pt_handler = parser.event_parser(inner, model=create, envelope=parser.envelopes.ApiGatewayV2Envelope)
        assert pt_handler(event, context) is RESPONSE
        candidates["Powertools event_parser (ApiGatewayV2Envelope)"] = lambda: pt_handler(event, context)
    figures = _time(candidates, repeats, budget)
    first = "pydantic model directly (model_validate_json)"
    _report("API Gateway HTTP API, orders_api.CreateOrder (per event)", figures, first)
    checks.append(
        (
            "API GW: secure_handler / model directly",
            figures["secure_handler (api_gateway_http)"] / figures[first],
            OVERHEAD_TARGET,
            "<=",
        )
    )
    if parser is not None:
        pt = figures["Powertools event_parser (ApiGatewayV2Envelope)"]
        checks.append(
            ("API GW: secure_handler / Powertools parser", figures["secure_handler (api_gateway_http)"] / pt, 1.0, "<")
        )

    # --- SQS batch of 10: order placed ---------------------------------------------------------------
    placed = orders_consumer.OrderPlaced
    bodies = [
        json.dumps(
            {"order_id": f"ord_A1b2C3d4E5{i:02d}", "sku": "WIDGET-42", "quantity": i + 1, "warehouse": "eu-west-1a"}
        )
        for i in range(10)
    ]
    sqs = _sqs_event(bodies)
    ours_sqs = secure_handler(inner, model=placed, envelope=Envelope.SQS)
    placed_json = placed.model_validate_json

    def direct_batch() -> object:
        return [placed_json(b, strict=True) for b in bodies]

    assert ours_sqs(sqs, context) == {"batchItemFailures": []}
    candidates = {
        "pydantic model directly, 10 bodies": direct_batch,
        "secure_handler (sqs, partial-batch response)": lambda: ours_sqs(sqs, context),
    }
    if parser is not None:

        def pt_inner(orders: list[Any], ctx: Any) -> dict[str, Any]:
            for order in orders:
                inner(order, ctx)
            return RESPONSE

        pt_sqs = parser.event_parser(pt_inner, model=placed, envelope=parser.envelopes.SqsEnvelope)
        assert pt_sqs(sqs, context) is RESPONSE
        candidates["Powertools event_parser (SqsEnvelope)"] = lambda: pt_sqs(sqs, context)
    figures = _time(candidates, repeats, budget)
    _report("SQS, 10 records of orders_consumer.OrderPlaced (per batch)", figures, "pydantic model directly, 10 bodies")
    checks.append(
        (
            "SQS: secure_handler / model directly",
            figures["secure_handler (sqs, partial-batch response)"] / figures["pydantic model directly, 10 bodies"],
            OVERHEAD_TARGET,
            "<=",
        )
    )
    if parser is not None:
        checks.append(
            (
                "SQS: secure_handler / Powertools parser",
                figures["secure_handler (sqs, partial-batch response)"]
                / figures["Powertools event_parser (SqsEnvelope)"],
                1.0,
                "<",
            )
        )

    # --- EventBridge: detail is already a dict --------------------------------------------------------
    detail = json.loads(bodies[0])
    eb = _eventbridge_event(detail)
    ours_eb = secure_handler(inner, model=placed, envelope=Envelope.EVENTBRIDGE)
    validate_python = placed.model_validate
    assert ours_eb(eb, context) is RESPONSE
    candidates = {
        "pydantic model directly (model_validate, python strict)": lambda: validate_python(detail, strict=True),
        "pydantic model directly (model_validate, python lax, info)": lambda: validate_python(detail),
        "secure_handler (eventbridge: to_json + JSON strict)": lambda: ours_eb(eb, context),
    }
    if parser is not None:
        pt_eb = parser.event_parser(inner, model=placed, envelope=parser.envelopes.EventBridgeEnvelope)
        assert pt_eb(eb, context) is RESPONSE
        candidates["Powertools event_parser (EventBridgeEnvelope)"] = lambda: pt_eb(eb, context)
    figures = _time(candidates, repeats, budget)
    _report("EventBridge, orders_consumer.OrderPlaced detail (per event)", figures, next(iter(candidates)))
    checks.append(
        (
            "EventBridge: secure_handler / model directly",
            figures["secure_handler (eventbridge: to_json + JSON strict)"] / figures[next(iter(candidates))],
            OVERHEAD_TARGET,
            "<=",
        )
    )
    if parser is not None:
        checks.append(
            (
                "EventBridge: secure_handler / Powertools parser",
                figures["secure_handler (eventbridge: to_json + JSON strict)"]
                / figures["Powertools event_parser (EventBridgeEnvelope)"],
                1.0,
                "<",
            )
        )
    return checks


IMPORTS = {
    "import pydantic": "import pydantic",
    "import secure_serverless.runtime": "import secure_serverless.runtime",
    "from pydantic import BaseModel": "from pydantic import BaseModel",
    "from pydantic import BaseModel; import secure_serverless.runtime": (
        "from pydantic import BaseModel; import secure_serverless.runtime"
    ),
    "import aws_lambda_powertools.utilities.parser": "import aws_lambda_powertools.utilities.parser",
}


def _import_once(statement: str, pycache: str | None) -> float | None:
    """Seconds ``statement`` takes in a fresh interpreter. With ``pycache`` every module's bytecode is
    read from (and written to) that prefix; without it, modules without a ``__pycache__`` (our sources in
    a bundle that was not precompiled) are compiled from source."""
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = os.pathsep.join([str(COMPONENTS), os.environ.get("PYTHONPATH", "")])
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    return float(result.stdout) if result.returncode == 0 else None


def _import_figures(repeats: int, pycache: str | None) -> dict[str, float]:
    for statement in IMPORTS.values():  # fill the bytecode cache once, untimed
        _import_once(statement, pycache)
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(repeats):
        for name, statement in IMPORTS.items():
            seconds = _import_once(statement, pycache)
            if seconds is not None:
                samples[name].append(seconds)
    return {name: statistics.median(values) for name, values in samples.items() if values}


def import_time(repeats: int) -> list[tuple[str, float, float, str]]:
    both = "from pydantic import BaseModel; import secure_serverless.runtime"
    rows: list[tuple[str, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        for label, prefix in (("bytecode cached", pycache), ("our modules compiled from source", None)):
            figures = _import_figures(repeats, prefix)
            _report(
                f"Import time, {label} (fresh interpreter each, median of {repeats})", figures, "import pydantic", "ms"
            )
            extra = figures[both] - figures["from pydantic import BaseModel"]
            print(f"  marginal cost for a handler that already imports pydantic models: {extra * 1e3:+.2f} ms")
            ratio = figures["import secure_serverless.runtime"] / figures["import pydantic"]
            if prefix is not None:
                rows.append(("import: secure_serverless.runtime / pydantic", ratio, IMPORT_TARGET, "<="))
            else:
                rows.append(("import, not precompiled (info)", ratio, float("nan"), ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    options = parser.parse_args(argv)
    repeats, budget, import_repeats = (5, 0.02, 7) if options.quick else (15, 0.05, 21)
    import pydantic

    print(f"python {sys.version.split()[0]}, pydantic {pydantic.VERSION}, {os.cpu_count()} CPUs")
    checks = per_event(repeats, budget) + import_time(import_repeats)
    print("\nSummary")
    failed = False
    for name, value, target, op in checks:
        if not op:
            print(f"  {name:<52} {value:6.2f}x")
            continue
        ok = value <= target if op == "<=" else value < target
        failed |= not ok
        print(f"  {name:<52} {value:6.2f}x  (target {op} {target:.1f}x: {'met' if ok else 'MISSED'})")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
