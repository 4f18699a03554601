"""Benchmark the handler-side helper (secure_serverless.runtime): per-event cost and cold import.

Run: ``.venv/bin/python benchmarks/runtime.py`` (``--quick`` for a shorter, noisier run).

Per event, for two models (``small``: 2 fields; ``realistic``: a nested list, a pattern, a Decimal, a
datetime, an enum and a SecretStr) and six sources (API Gateway REST and HTTP, ALB, SQS batch of 10, SNS,
EventBridge), on the same AWS-shaped events:

* ``raw``: the model's own ``model_validate_json(payload, strict=True)`` on the payload (for SQS each of
  the 10 bodies; for EventBridge the ``detail`` as JSON text), no envelope handling: the floor;
* ``ours``: ``secure_handler`` given the whole event, defaults (strict JSON: duplicate keys refused);
* ``ours, duplicate keys allowed``: the same with ``allow_duplicate_keys=True``, to price that check;
* ``powertools``: Powertools' ``event_parser`` with the matching envelope (ALB: a custom envelope over
  Powertools' ``AlbModel``, as its documentation suggests for sources without one).

Each figure is the median, over interleaved repeats, of the mean time per call; the spread is the
min-max of the repeats. Ratios are of medians from the same run.

Cold import: a fresh interpreter imports pydantic and defines the realistic model (the baseline a handler
pays anyway), then the same plus ``import secure_serverless.runtime``, plus decorating a handler (which
builds the hardened validator and imports jiter).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import textwrap
import timeit
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMPONENTS = ROOT / "components"
if str(COMPONENTS) not in sys.path:
    sys.path.insert(0, str(COMPONENTS))

from secure_serverless.runtime import EnvelopeName, secure_handler  # noqa: E402

#: The issue's goals.
RATIO_TARGET = 1.2  # ours / raw, realistic model
OVERHEAD_TARGET_US = {
    "api_gateway_rest": 0.5,
    "api_gateway_http": 0.5,
    "alb": 0.5,
    "eventbridge": 0.5,
    "sns": 1.0,
    "sqs": 1.0,
}
IMPORT_TARGET = 1.2

MODELS_SOURCE = textwrap.dedent(
    """
    from datetime import datetime
    from decimal import Decimal
    from enum import StrEnum
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, Field, SecretStr


    class Small(BaseModel):
        name: str
        count: int


    class Currency(StrEnum):
        EUR = "EUR"
        USD = "USD"
        GBP = "GBP"


    class Line(BaseModel):
        model_config = ConfigDict(extra="forbid")
        sku: Annotated[str, Field(pattern=r"^[A-Z]{3}-\\d{3}$")]
        quantity: Annotated[int, Field(ge=1, le=100)]
        unit_price: Annotated[Decimal, Field(max_digits=10, decimal_places=2)]


    class Realistic(BaseModel):
        model_config = ConfigDict(extra="forbid")
        order_id: Annotated[str, Field(pattern=r"^ord_[a-z0-9]{6}$")]
        customer: Annotated[str, Field(min_length=1, max_length=40)]
        currency: Currency
        lines: Annotated[list[Line], Field(min_length=1, max_length=20)]
        placed_at: datetime
        payment_token: Annotated[SecretStr, Field(min_length=16)]
    """
)
_module = types.ModuleType("bench_models")  # the same source the cold-import figures run
sys.modules[_module.__name__] = _module
exec(compile(MODELS_SOURCE, "<benchmark models>", "exec"), _module.__dict__)
_models = _module.__dict__

PAYLOADS: dict[str, dict[str, Any]] = {
    "small": {"name": "sensor-7", "count": 42},
    "realistic": {
        "order_id": "ord_abc123",
        "customer": "Ann Example",
        "currency": "EUR",
        "lines": [
            {"sku": "ABC-123", "quantity": 2, "unit_price": "12.50"},
            {"sku": "DEF-456", "quantity": 1, "unit_price": "199.99"},
            {"sku": "GHI-789", "quantity": 5, "unit_price": "3.20"},
        ],
        "placed_at": "2026-11-29T01:00:00Z",
        "payment_token": "tok_visa_0123456789abcdef",
    },
}
MODELS = {"small": _models["Small"], "realistic": _models["Realistic"]}
ENVELOPES: list[EnvelopeName] = ["api_gateway_rest", "api_gateway_http", "alb", "sqs", "sns", "eventbridge"]


class Context:
    function_name = "bench-fn"
    aws_request_id = "00000000-0000-0000-0000-000000000000"


# --- events (shapes of the sample events in AWS's documentation) -----------------------------------------


def rest_event(body: str) -> dict[str, Any]:
    return {
        "resource": "/orders",
        "path": "/orders",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "api.example.test", "User-Agent": "bench"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["api.example.test"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "1234567890",
            "authorizer": {"principalId": "user|a1b2c3d4"},
            "httpMethod": "POST",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "bench"},
            "path": "/prod/orders",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "29/Nov/2026:01:00:00 +0000",
            "requestTimeEpoch": 1795914000000,
            "resourceId": "roq9wj",
            "resourcePath": "/orders",
            "stage": "prod",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def http_event(body: str) -> dict[str, Any]:
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


def alb_event(body: str) -> dict[str, Any]:
    return {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/6d0e"}
        },
        "httpMethod": "POST",
        "path": "/orders",
        "queryStringParameters": {},
        "headers": {"content-type": "application/json", "host": "lb.example.test", "user-agent": "bench"},
        "body": body,
        "isBase64Encoded": False,
    }


def sqs_event(bodies: list[str]) -> dict[str, Any]:
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


def sns_event(message: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:eu-west-1:123456789012:orders:2bcfbf39-05c3-41de-beaa",
                "EventSource": "aws:sns",
                "Sns": {
                    "SignatureVersion": "1",
                    "Timestamp": "2026-11-29T01:00:00.000Z",
                    "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
                    "SigningCertUrl": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "Message": message,
                    "MessageAttributes": {"tenant": {"Type": "String", "Value": "acme"}},
                    "Type": "Notification",
                    "UnsubscribeUrl": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:orders",
                    "Subject": None,
                },
            }
        ]
    }


def eventbridge_event(detail: dict[str, Any]) -> dict[str, Any]:
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


# --- candidates ----------------------------------------------------------------------------------------


#: What the HTTP handlers return: a ready proxy response, passed through (as a real handler's would be).
RESPONSE = {"statusCode": 201, "body": ""}


def _inner(value: Any, context: Any) -> Any:
    return RESPONSE


def _event_for(envelope: str, payload: dict[str, Any]) -> tuple[Any, list[str]]:
    """(event, the JSON texts the raw baseline validates)."""
    text = json.dumps(payload)
    if envelope == "api_gateway_rest":
        return rest_event(text), [text]
    if envelope == "api_gateway_http":
        return http_event(text), [text]
    if envelope == "alb":
        return alb_event(text), [text]
    if envelope == "sqs":
        return sqs_event([text] * 10), [text] * 10
    if envelope == "sns":
        return sns_event(text), [text]
    return eventbridge_event(json.loads(text)), [text]


def _powertools(envelope: str, model: Any) -> Callable[[Any, Any], Any] | None:
    try:
        from aws_lambda_powertools.utilities.parser import envelopes, event_parser
        from aws_lambda_powertools.utilities.parser.envelopes.base import BaseEnvelope
        from aws_lambda_powertools.utilities.parser.models import AlbModel
    except ImportError:
        return None

    class AlbEnvelope(BaseEnvelope):  # Powertools has no ALB envelope: this is its documented extension point
        def parse(self, data: Any, model: Any) -> Any:
            return self._parse(data=AlbModel.model_validate(data).body, model=model)

    chosen = {
        "api_gateway_rest": envelopes.ApiGatewayEnvelope,
        "api_gateway_http": envelopes.ApiGatewayV2Envelope,
        "alb": AlbEnvelope,
        "sqs": envelopes.SqsEnvelope,
        "sns": envelopes.SnsEnvelope,
        "eventbridge": envelopes.EventBridgeEnvelope,
    }[envelope]
    handler: Callable[[Any, Any], Any] = event_parser(_inner, model=model, envelope=chosen)  # type: ignore[call-overload]
    return handler


@dataclass
class Figure:
    median: float
    low: float
    high: float


def _time(candidates: dict[str, Callable[[], object]], repeats: int, budget: float) -> dict[str, Figure]:
    """Median (with min-max) over interleaved repeats of the mean seconds per call of each candidate."""
    timers = {name: timeit.Timer(fn) for name, fn in candidates.items()}
    numbers = {}
    for name, timer in timers.items():
        number, elapsed = timer.autorange()
        numbers[name] = max(1, int(number * budget / max(elapsed, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: Figure(statistics.median(v), min(v), max(v)) for name, v in samples.items()}


Row = tuple[str, str, dict[str, Figure]]


def _call(handler: Callable[..., Any], event: Any, context: Any) -> Callable[[], object]:
    if context is None:
        return lambda: handler(event)
    return lambda: handler(event, context)


def per_event(repeats: int, budget: float) -> list[Row]:
    context = Context()
    rows: list[Row] = []
    for model_name, model in MODELS.items():
        for envelope in ENVELOPES:
            event, texts = _event_for(envelope, PAYLOADS[model_name])
            validate_json = model.model_validate_json
            ours = secure_handler(_inner, model=model, envelope=envelope)
            lenient = secure_handler(_inner, model=model, envelope=envelope, allow_duplicate_keys=True)
            ours(event, context)  # a rejection would raise or answer 400: check it is accepted
            if envelope in ("api_gateway_rest", "api_gateway_http", "alb"):
                assert ours(event, context) is RESPONSE
            if envelope == "sqs":
                assert ours(event, context) == {"batchItemFailures": []}

            def raw(texts: list[str] = texts, validate_json: Any = validate_json) -> None:
                for text in texts:
                    validate_json(text, strict=True)

            candidates: dict[str, Callable[[], object]] = {
                "raw": raw,
                "ours": _call(ours, event, context),
                "ours, duplicate keys allowed": _call(lenient, event, context),
            }
            if envelope == "eventbridge":  # the detail arrives decoded: pydantic's python mode, for reference
                candidates["raw, python lax mode (info)"] = _call(model.model_validate, event["detail"], None)
            powertools = _powertools(envelope, model)
            if powertools is not None:
                powertools(event, context)
                candidates["powertools"] = _call(powertools, event, context)
            rows.append((model_name, envelope, _time(candidates, repeats, budget)))
            _print_row(rows[-1])
    return rows


def _print_row(row: Row) -> None:
    model_name, envelope, figures = row
    raw = figures["raw"].median
    print(f"\n{model_name} model, {envelope}" + (" (batch of 10)" if envelope == "sqs" else ""))
    for name, fig in figures.items():
        print(
            f"  {name:<30} {fig.median * 1e6:9.2f} us  [{fig.low * 1e6:.2f}-{fig.high * 1e6:.2f}]"
            f"  {fig.median / raw:6.2f}x raw"
        )
    print(f"  overhead ours - raw: {(figures['ours'].median - raw) * 1e6:+.2f} us")


# --- rejecting a huge invalid body ----------------------------------------------------------------------


def rejection_cost(repeats: int) -> dict[str, Figure]:
    """A 256 KiB API Gateway body of ~65,000 invalid list items: the helper (fail-fast lists, bounded error
    conversion) against pydantic alone (every error built) and pydantic plus ``errors()``."""
    from pydantic import BaseModel, ValidationError

    class Numbers(BaseModel):
        values: list[int]

    body = json.dumps({"values": ["x"] * 65_000})
    event = http_event(body)
    ours = secure_handler(_inner, model=Numbers, envelope="api_gateway_http")
    context = Context()
    assert ours(event, context)["statusCode"] == 400

    def alone() -> None:
        with contextlib.suppress(ValidationError):
            Numbers.model_validate_json(body, strict=True)

    def with_errors() -> None:
        try:
            Numbers.model_validate_json(body, strict=True)
        except ValidationError as exc:
            exc.errors(include_url=False, include_input=False)

    muted = _stdout_muted(lambda: ours(event, context))
    figures = _time({"pydantic alone": alone, "pydantic + errors()": with_errors, "ours (400)": muted}, repeats, 0.2)
    print(f"\nRejecting a {len(body) / 1024:.0f} KiB body with 65,000 invalid items (per rejection)")
    for name, fig in figures.items():
        print(
            f"  {name:<30} {fig.median * 1e3:8.2f} ms  [{fig.low * 1e3:.2f}-{fig.high * 1e3:.2f}]"
            f"  {fig.median / figures['pydantic alone'].median:5.2f}x pydantic alone"
        )
    return figures


def _stdout_muted(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with stdout sent to /dev/null (a rejection writes a log line and a metric line)."""
    sink = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the benchmark

    def muted() -> object:
        with contextlib.redirect_stdout(sink):
            return fn()

    return muted


# --- cold import ---------------------------------------------------------------------------------------

_IMPORTS = {
    "pydantic + the model (baseline)": MODELS_SOURCE,
    "... + import secure_serverless.runtime": MODELS_SOURCE + "\nimport secure_serverless.runtime\n",
    "... + import + decorate a handler": MODELS_SOURCE
    + "\nfrom secure_serverless.runtime import secure_handler\n"
    + "secure_handler(lambda v, c: None, model=Realistic, envelope='sqs')\n",
    "... + Powertools parser import": MODELS_SOURCE + "\nimport aws_lambda_powertools.utilities.parser\n",
}


def _import_once(source: str, pycache: str) -> float | None:
    code = "import time\nt = time.perf_counter()\n" + source + "\nprint(time.perf_counter() - t)\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(COMPONENTS), os.environ.get("PYTHONPATH", "")])
    env["PYTHONPYCACHEPREFIX"] = pycache
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    return float(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None


def import_time(repeats: int) -> dict[str, Figure]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        for source in _IMPORTS.values():  # fill the bytecode cache once, untimed
            _import_once(source, pycache)
        samples: dict[str, list[float]] = {name: [] for name in _IMPORTS}
        for _ in range(repeats):
            for name, source in _IMPORTS.items():
                seconds = _import_once(source, pycache)
                if seconds is not None:
                    samples[name].append(seconds)
    figures = {name: Figure(statistics.median(v), min(v), max(v)) for name, v in samples.items() if v}
    base = figures["pydantic + the model (baseline)"].median
    print(f"\nCold import, fresh interpreter each, bytecode cached, median of {repeats}")
    for name, fig in figures.items():
        print(
            f"  {name:<45} {fig.median * 1e3:8.2f} ms  [{fig.low * 1e3:.2f}-{fig.high * 1e3:.2f}]"
            f"  {fig.median / base:5.2f}x"
        )
    return figures


# --- summary -------------------------------------------------------------------------------------------


def summary(rows: list[Row], imports: dict[str, Figure]) -> bool:
    missed = False

    def check(label: str, value: float, target: float, unit: str) -> None:
        nonlocal missed
        ok = value <= target if unit != "<" else value < target
        missed |= not ok
        shown = f"{value:6.2f}{'x' if unit in ('x', '<') else ' us'}"
        print(f"  {label:<58} {shown}  target {'<' if unit == '<' else '<='} {target:g}: {'met' if ok else 'MISSED'}")

    print("\nSummary (medians of one run; 'fixed' = without the per-byte duplicate-key check)")
    for model_name, envelope, figures in rows:
        raw, ours = figures["raw"].median, figures["ours"].median
        fixed = figures["ours, duplicate keys allowed"].median
        if model_name == "realistic":
            check(f"{envelope}: realistic, ours / raw", ours / raw, RATIO_TARGET, "x")
            check(f"{envelope}: realistic, duplicate keys allowed / raw", fixed / raw, RATIO_TARGET, "x")
        check(f"{envelope}: {model_name}, fixed overhead", (fixed - raw) * 1e6, OVERHEAD_TARGET_US[envelope], "us")
        if "powertools" in figures:
            check(f"{envelope}: {model_name}, ours / Powertools", ours / figures["powertools"].median, 1.0, "<")
        print(f"  {envelope + ': ' + model_name + ', duplicate-key check':<58} {(ours - fixed) * 1e6:6.2f} us (info)")
    base = imports["pydantic + the model (baseline)"].median
    check(
        "cold import: + runtime / pydantic + model",
        imports["... + import secure_serverless.runtime"].median / base,
        IMPORT_TARGET,
        "x",
    )
    decorated = imports["... + import + decorate a handler"].median / base
    print(f"  {'cold start: + import + decorate / pydantic + model':<58} {decorated:6.2f}x (info)")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    options = parser.parse_args(argv)
    repeats, budget, import_repeats = (5, 0.02, 5) if options.quick else (9, 0.05, 11)
    import pydantic

    try:
        from aws_lambda_powertools.shared.version import VERSION as powertools_version
    except ImportError:
        powertools_version = "not installed"
    print(
        f"python {sys.version.split()[0]}, pydantic {pydantic.VERSION}, Powertools {powertools_version}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    rows = per_event(repeats, budget)
    rejection_cost(repeats)
    imports = import_time(import_repeats)
    missed = summary(rows, imports)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
