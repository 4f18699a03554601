"""iam-secret-read-scoped: secret, parameter and key reads name what they read.

Judged on every policy document that gives a role permissions, AWS-managed ones included (their current
documents from the pack's snapshot: ``SecretsManagerReadWrite`` or ``AmazonSSMReadOnlyAccess`` read every
secret or parameter of the account).
"""

from __future__ import annotations

import re

from pulumi_policy import EnforcementLevel, Severity

from guardrails import _documents as docs
from guardrails._config import Config
from guardrails._graph import PERMISSION_TYPES, AttachedDocument, graph
from guardrails._policy import Ctx, Stack, stack_policy
from guardrails._values import is_unknown

_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^*?]+?(-\?{6})?$")
_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[^*?]+$")
_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[^*?]+$")
_FAMILIES = (
    ("secretsmanager:GetSecretValue", _SECRET_ARN, "secret ARNs (a trailing '-??????' is fine)"),
    ("ssm:GetParameter", _PARAMETER_ARN, "parameter ARNs"),
    ("ssm:GetParameters", _PARAMETER_ARN, "parameter ARNs"),
    ("ssm:GetParametersByPath", _PARAMETER_ARN, "parameter ARNs"),
    ("ssm:GetParameterHistory", _PARAMETER_ARN, "parameter ARNs"),
    ("kms:Decrypt", _KEY_ARN, "key ARNs or a kms:ViaService condition"),
)
_VIA_SERVICE_OPERATORS = frozenset({"stringequals", "stringlike"})
_SERVICE_NAME = re.compile(r"^[a-z0-9-]+\.[a-z0-9.*?-]+$")


def _concrete_service(value: str) -> bool:
    """``secretsmanager.eu-west-1.amazonaws.com`` (a region pattern is fine), not ``*`` or ``*.amazonaws.com``."""
    return bool(_SERVICE_NAME.match(value.strip()))


def via_service_restricts(statement: docs.Statement) -> bool | None:
    """Whether ``kms:ViaService`` restricts the statement (GUARDRAILS.md: StringEquals/StringLike, not
    ``...IfExists``, with concrete service names); None when a part is unknown during preview."""
    condition = statement.condition
    if is_unknown(condition):
        return None
    undecided = False
    for operator, value in docs.condition_keys(condition).get("kms:viaservice", []):
        if operator.lower() not in _VIA_SERVICE_OPERATORS:
            continue
        values = value if isinstance(value, list) else [value]
        if any(is_unknown(v) for v in values):
            undecided = True
        elif values and all(isinstance(v, str) and _concrete_service(v) for v in values):
            return True
    if isinstance(condition, dict) and any(is_unknown(block) for block in condition.values()):
        undecided = True
    return None if undecided else False


def _judge(ctx: Ctx, item: AttachedDocument) -> None:
    for index, statement in item.allowing_statements(ctx):
        for action, pattern, wanted in _FAMILIES:
            covered = docs.action_allowed(statement, action)
            if covered is None:
                ctx.undecided(item.subject, item.path(index, "Action"))
                continue
            if not covered:
                continue
            if action == "kms:Decrypt":
                restricted = via_service_restricts(statement)
                if restricted is None:
                    ctx.undecided(item.subject, item.path(index, "Condition"))
                    continue
                if restricted:
                    continue
            if statement.not_resources is not None:
                loose = ["NotResource"]
            else:
                if any(is_unknown(r) for r in statement.resources):
                    ctx.undecided(item.subject, item.path(index, "Resource"))
                    continue
                loose = [r for r in statement.resources if isinstance(r, str) and not pattern.match(r)]
            if loose:
                ctx.fail(
                    item.subject,
                    f"{item.subject.label()} {item.where} {statement.label(index)} allows {action} on "
                    f"{', '.join(loose)}; it must name specific {wanted}. Fix: "
                    "SecureFunctionArgs(secrets=[secret.arn]) (grants the exact ARN); raw: list the full "
                    "ARNs, e.g. 'arn:aws:secretsmanager:<region>:<account>:secret:<name>-??????', and attach no "
                    "AWS-managed policy that reads every secret.",
                    owners=item.roles or [],
                )
                break


def _check_secret_read(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    for item in graph(stack).documents():
        _judge(ctx, item)


SECRET_READ = stack_policy(
    name="iam-secret-read-scoped",
    anchors=("SAM policy templates (scoped by ARN)",),
    description=(
        "Stack policy (waivers come from the role's tags): secretsmanager:GetSecretValue and ssm:GetParameter* "
        "name specific secrets/parameters, and kms:Decrypt names specific keys or is conditioned on kms:ViaService "
        "(StringEquals/StringLike, concrete service names), in every document a role holds, AWS-managed ones "
        "judged by their current contents (preview: unknown documents are undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Grant secret reads on exact ARNs ('<name>-??????' suffix at most), and kms:Decrypt on key ARNs.",
    types=PERMISSION_TYPES,
    check=_check_secret_read,
)
