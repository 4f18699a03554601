"""The guardrails' fixed monthly cost, counted from the recorded resources.

Price table
-----------
Region ``us-east-1``, on-demand list prices in USD from the public AWS pricing pages of AWS KMS,
Amazon CloudWatch, AWS Secrets Manager, Amazon SNS/SQS, AWS Systems Manager and AWS Lambda, as
recorded on 2025-06-01 (:data:`PRICES_AS_OF`; these particular prices have not changed for years,
but re-check them before budgeting: this environment cannot reach the pricing pages).

Only *fixed* charges are counted: what a resource costs per month for existing, whether or not it
is used. Usage is excluded on purpose (KMS requests at $0.03 per 10,000, log ingestion at $0.50 per
GB and storage at $0.03 per GB-month, alarm-free SNS deliveries, Lambda requests and GB-seconds,
Secrets Manager API calls at $0.05 per 10,000, X-Ray traces): it depends on traffic, not on the
guardrails. Free-tier allowances (10 free alarms per account) are ignored, so the figures are an
upper bound for the fixed part. Rotating a KMS key adds $1/month for each of its first two
rotations (so up to $3/month after two years); the table counts the first year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_serverless.check.model import RecordedResource

PRICES_REGION = "us-east-1"
PRICES_AS_OF = "2025-06-01"
CURRENCY = "USD"

#: Fixed monthly price per unit, by item. Items without a fixed charge are listed at 0 so the
#: report can say "no fixed cost" instead of leaving the reader to wonder.
PRICE_TABLE: Mapping[str, tuple[float, str]] = {
    "kms-key": (1.00, "AWS KMS customer managed key, per key-month"),
    "alarm-standard": (0.10, "CloudWatch standard-resolution metric alarm, per alarm metric-month"),
    "alarm-high-resolution": (0.30, "CloudWatch high-resolution (10 s/30 s period) alarm, per alarm metric"),
    "alarm-anomaly-detection": (
        0.30,
        "CloudWatch anomaly-detection alarm: 3 standard metrics (metric + upper and lower band) x $0.10",
    ),
    "alarm-composite": (0.50, "CloudWatch composite alarm, per alarm-month"),
    "custom-metric": (0.30, "CloudWatch custom metric (e.g. from a log metric filter), per metric-month"),
    "secret": (0.40, "AWS Secrets Manager secret, per secret-month"),
    "ssm-advanced-parameter": (0.05, "SSM Parameter Store advanced parameter, per parameter-month"),
    "sns-topic": (0.00, "Amazon SNS topic: no fixed cost (pay per publish/delivery)"),
    "sqs-queue": (0.00, "Amazon SQS queue: no fixed cost (pay per request)"),
    "log-group": (0.00, "CloudWatch Logs log group: no fixed cost (pay per GB ingested/stored)"),
    "lambda-function": (0.00, "AWS Lambda function: no fixed cost (pay per request and GB-second)"),
    "code-signing-config": (0.00, "Lambda code signing config / AWS Signer profile: no charge"),
    "iam": (0.00, "IAM roles and policies: no charge"),
}

_FREE_TYPES: Mapping[str, str] = {
    "aws:sns/topic:Topic": "sns-topic",
    "aws:sqs/queue:Queue": "sqs-queue",
    "aws:cloudwatch/logGroup:LogGroup": "log-group",
    "aws:lambda/function:Function": "lambda-function",
    "aws:lambda/codeSigningConfig:CodeSigningConfig": "code-signing-config",
    "aws:signer/signingProfile:SigningProfile": "code-signing-config",
    "aws:iam/role:Role": "iam",
    "aws:iam/rolePolicy:RolePolicy": "iam",
    "aws:iam/policy:Policy": "iam",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "iam",
}


def _alarm_item(inputs: Mapping[str, Any]) -> tuple[str, int]:
    """(price item, units) for one ``aws:cloudwatch/metricAlarm:MetricAlarm``."""
    queries = inputs.get("metricQueries") or []
    if isinstance(queries, list) and queries:
        expressions = " ".join(str(q.get("expression", "")) for q in queries if isinstance(q, dict))
        if "ANOMALY_DETECTION_BAND" in expressions.upper():
            return "alarm-anomaly-detection", 1
        # Metric-math alarms are billed per metric they read.
        metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric"))
        high_res = any(
            isinstance(q, dict) and isinstance(q.get("metric"), dict) and _period(q["metric"]) < 60 for q in queries
        )
        return ("alarm-high-resolution" if high_res else "alarm-standard"), max(metrics, 1)
    if _period(inputs) < 60:
        return "alarm-high-resolution", 1
    return "alarm-standard", 1


def _period(inputs: Mapping[str, Any]) -> float:
    value = inputs.get("period")
    return float(value) if isinstance(value, int | float) else 60.0


def price_items(resource: RecordedResource) -> list[tuple[str, int]]:
    """The priced items one resource stands for (empty for resources that are not priced)."""
    inputs = resource.inputs
    match resource.type:
        case "aws:kms/key:Key" | "aws:kms/replicaKey:ReplicaKey":
            return [("kms-key", 1)]
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return [_alarm_item(inputs)]
        case "aws:cloudwatch/compositeAlarm:CompositeAlarm":
            return [("alarm-composite", 1)]
        case "aws:cloudwatch/logMetricFilter:LogMetricFilter":
            return [("custom-metric", 1)]
        case "aws:secretsmanager/secret:Secret":
            return [("secret", 1)]
        case "aws:ssm/parameter:Parameter" if inputs.get("tier") == "Advanced":
            return [("ssm-advanced-parameter", 1)]
    item = _FREE_TYPES.get(resource.type)
    return [(item, 1)] if item else []


@dataclass
class CostLine:
    item: str
    units: int
    unit_price: float

    @property
    def monthly(self) -> float:
        return round(self.units * self.unit_price, 4)


@dataclass
class ComponentCost:
    """The fixed monthly cost of what one component (e.g. one SecureFunction) created."""

    component: str  # "<type>/<name>" or "(not in a component)"
    lines: dict[str, CostLine] = field(default_factory=dict)

    def add(self, item: str, units: int) -> None:
        line = self.lines.get(item)
        if line is None:
            self.lines[item] = CostLine(item, units, PRICE_TABLE[item][0])
        else:
            line.units += units

    @property
    def monthly(self) -> float:
        return round(sum(line.monthly for line in self.lines.values()), 4)


SECURE_FUNCTION_TYPE = "secure-serverless:index:SecureFunction"


@dataclass
class CostReport:
    components: list[ComponentCost]
    functions: int  # every aws.lambda_.Function in the stack

    @property
    def total(self) -> float:
        return round(sum(c.monthly for c in self.components), 4)

    @property
    def secure_functions(self) -> list[ComponentCost]:
        return [c for c in self.components if c.component.startswith(SECURE_FUNCTION_TYPE + "/")]

    @property
    def per_function(self) -> float:
        """What the guardrails of one SecureFunction cost (average), else the total per Lambda function."""
        owned = self.secure_functions
        if owned:
            return round(sum(c.monthly for c in owned) / len(owned), 4)
        return round(self.total / self.functions, 4) if self.functions else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": CURRENCY,
            "region": PRICES_REGION,
            "pricesAsOf": PRICES_AS_OF,
            "note": "fixed monthly charges only; usage (requests, GB ingested, invocations) excluded",
            "totalMonthly": self.total,
            "functions": self.functions,
            "secureFunctions": len(self.secure_functions),
            "perFunctionMonthly": self.per_function,
            "components": [
                {
                    "component": c.component,
                    "monthly": c.monthly,
                    "items": [
                        {"item": line.item, "units": line.units, "unitPrice": line.unit_price, "monthly": line.monthly}
                        for line in c.lines.values()
                    ],
                }
                for c in self.components
            ],
        }


UNATTRIBUTED = "(not in a component)"


def compute_cost(resources: Sequence[RecordedResource], component_of: Mapping[str, str | None]) -> CostReport:
    """Count priced items per owning component; ``component_of`` maps URN -> "<type>/<name>"."""
    by_component: dict[str, ComponentCost] = {}
    functions = 0
    for resource in resources:
        if resource.type == "aws:lambda/function:Function":
            functions += 1
        items = price_items(resource)
        if not items:
            continue
        owner = component_of.get(resource.urn) or UNATTRIBUTED
        entry = by_component.setdefault(owner, ComponentCost(owner))
        for item, units in items:
            entry.add(item, units)
    ordered = sorted(by_component.values(), key=lambda c: (c.component == UNATTRIBUTED, c.component))
    return CostReport(components=ordered, functions=functions)
