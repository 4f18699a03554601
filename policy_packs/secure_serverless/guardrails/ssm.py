"""SSM guardrails: plain String parameters never hold credentials."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _types as t
from guardrails._config import Config, minimum_entropy_millibits
from guardrails._policy import Ctx, Res, resource_policy
from guardrails._values import is_unknown
from guardrails.contract.credentials import credential_kind

_PLAIN_TYPES = ("String", "StringList")


def _check_plaintext(ctx: Ctx, parameter: Res, cfg: Config) -> None:
    kind = parameter.props.get("type")
    if is_unknown(kind):
        ctx.undecided(parameter, "type")
        return
    if kind not in _PLAIN_TYPES:
        return
    name = parameter.props.get("name")
    label = name if isinstance(name, str) and name else parameter.name
    min_entropy = cfg.integer("minimumEntropyMillibits") / 1000
    for prop in ("value", "insecureValue"):
        value = parameter.props.get(prop)
        if is_unknown(value):
            ctx.undecided(parameter, prop)
            continue
        if not isinstance(value, str):
            continue
        found = credential_kind(label.rsplit("/", 1)[-1], value, min_entropy)
        if found:
            ctx.fail(
                parameter,
                f"SSM parameter '{parameter.name}' is a plain {kind} whose {prop} looks like {found}; credentials "
                "must be stored encrypted. Fix: aws.ssm.Parameter(type='SecureString', key_id=key.arn) or "
                "aws.secretsmanager.Secret, and give the function its ARN (SecureFunctionArgs(secrets=...)).",
            )


NO_PLAINTEXT_CREDENTIALS = resource_policy(
    name="ssm-no-plaintext-credentials",
    description=(
        "SSM String and StringList parameters hold no value that looks like a credential (preview: an unknown "
        "type or value is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Store credentials as SecureString parameters (or in Secrets Manager).",
    types=[t.PARAMETER],
    check=_check_plaintext,
    config={
        "minimumEntropyMillibits": minimum_entropy_millibits(),
    },
)

POLICIES: list[Policy] = [NO_PLAINTEXT_CREDENTIALS]
