"""IAM guardrails about function roles themselves: who may assume them, sharing, boundaries.

A function role is any role a function uses, whatever its trust policy says (see :mod:`guardrails._graph`),
so these are stack policies: only the stack view shows which roles functions use. Waivers come from the
role's tags.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, Severity

from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._config import Config, string
from guardrails._graph import LAMBDA_SERVICES, graph
from guardrails._policy import Ctx, Res, Stack, resource_policy, stack_policy

_GUARD_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn"})
_TRUST_TYPES = [t.ROLE, t.FUNCTION]


def _function_roles(ctx: Ctx, stack: Stack) -> list[Res]:
    """The stack's function roles; a role that may be one (undecidable during preview) is reported undecided."""
    roles_graph = graph(stack)
    found: list[Res] = []
    for role in stack.of_type(t.ROLE):
        kind = roles_graph.is_function_role(role)
        if kind is None:
            ctx.undecided(role, "assumeRolePolicy")
        elif kind:
            found.append(role)
    return found


def _used_by(stack: Stack, role: Res) -> str:
    functions = graph(stack).functions_using(role)
    return f" (used by {', '.join(sorted(f.name for f in functions))})" if functions else ""


# -- iam-lambda-trust-scoped ----------------------------------------------------------------------


def _check_trust(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    for role in _function_roles(ctx, stack):
        document = docs.parse(role.props.get("assumeRolePolicy"))
        problems: list[str] = []
        for index, statement in docs.allowing_statements(ctx, role, "assumeRolePolicy", document):
            if statement.not_principals:
                problems.append(f"{statement.label(index)} trusts everyone but its NotPrincipal")
                continue
            others = [
                f"{kind}:{value}"
                for kind, value in statement.principals
                if isinstance(value, str) and not (kind.lower() == "service" and value in LAMBDA_SERVICES)
            ]
            if others:
                problems.append(f"{statement.label(index)} also trusts {', '.join(others)}")
            elif any(not isinstance(value, str) for _, value in statement.principals):
                ctx.undecided(role, docs.statement_path("assumeRolePolicy", index, "Principal"))
        if problems:
            ctx.fail(
                role,
                f"Role '{role.name}' is a Lambda function role{_used_by(stack, role)} but {'; '.join(problems)}; "
                "function roles must trust only lambda.amazonaws.com (Lambda@Edge: also "
                "edgelambda.amazonaws.com). Fix: SecureFunction's role does this by default; raw: "
                "aws.iam.Role(assume_role_policy=...) with Principal {'Service': 'lambda.amazonaws.com'} only.",
            )


TRUST = stack_policy(
    name="iam-lambda-trust-scoped",
    description=(
        "Stack policy (waivers come from the role's tags): a Lambda function role (any role a function uses, "
        "whatever its trust says) trusts only lambda.amazonaws.com (and edgelambda.amazonaws.com for "
        "Lambda@Edge) (preview: an unknown trust policy or function role is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Trust only the Lambda service principal in the function role's assume-role policy.",
    types=_TRUST_TYPES,
    check=_check_trust,
)

# -- iam-lambda-trust-source-account (the confused-deputy guard, advisory) ------------------------
# Judged on each role's own trust policy: every statement that lets the Lambda service assume a role needs
# the guard, whichever function uses the role (a role trusting anything else fails iam-lambda-trust-scoped).


def _check_source_guard(ctx: Ctx, role: Res, cfg: Config) -> None:
    document = docs.parse(role.props.get("assumeRolePolicy"))
    problems: list[str] = []
    for index, statement in docs.allowing_statements(ctx, role, "assumeRolePolicy", document):
        if any(not isinstance(value, str) for _, value in statement.principals):
            ctx.undecided(role, docs.statement_path("assumeRolePolicy", index, "Principal"))
            continue
        if not any(kind.lower() == "service" and value in LAMBDA_SERVICES for kind, value in statement.principals):
            continue
        guarded = docs.pins(statement, _GUARD_KEYS)
        if guarded is None:
            ctx.undecided(role, docs.statement_path("assumeRolePolicy", index, "Condition"))
        elif not guarded:
            problems.append(f"{statement.label(index)} has no aws:SourceAccount condition")
    if problems:
        ctx.fail(
            role,
            f"Role '{role.name}' lets the Lambda service assume it but {'; '.join(problems)}; the trust must pin "
            "aws:SourceAccount (or aws:SourceArn) to concrete values with StringEquals/ArnEquals (not "
            "StringNotEquals, not '*', not ...IfExists) against confused deputies. Fix: SecureFunction's role does "
            "this by default; raw: aws.iam.Role(assume_role_policy=...) with Condition {'StringEquals': "
            "{'aws:SourceAccount': account_id}}.",
        )


SOURCE_GUARD = resource_policy(
    name="iam-lambda-trust-source-account",
    description=(
        "A role's trust of the Lambda service is conditioned on aws:SourceAccount or aws:SourceArn with concrete "
        "values and a positive operator (confused-deputy guard) (preview: an unknown trust policy is undecided)."
    ),
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    remediation="Add Condition StringEquals aws:SourceAccount <account id> to the Lambda trust statement.",
    types=[t.ROLE],
    check=_check_source_guard,
)

# -- iam-role-not-shared --------------------------------------------------------------------------


def _check_shared(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    roles_graph = graph(stack)
    for fn in roles_graph.unresolved_functions:
        ctx.undecided(fn, "role")
    for role_urn, functions in roles_graph.users.items():
        if len(functions) > 1:
            role = stack.by_urn[role_urn]
            ctx.fail(role, _shared_message(repr(role.name), functions), owners=functions)
    for arn, functions in roles_graph.external_roles.items():
        if len(functions) > 1:
            for fn in functions:
                ctx.fail(fn, _shared_message(arn, functions))


def _shared_message(role: str, functions: list[Res]) -> str:
    names = ", ".join(sorted(f.name for f in functions))
    return (
        f"Role {role} is used by functions {names}; each function must have its own role. Fix: SecureFunction "
        "creates one role per function (do not pass a shared role); raw: one aws.iam.Role per aws.lambda_.Function."
    )


ROLE_NOT_SHARED = stack_policy(
    name="iam-role-not-shared",
    description=(
        "Stack policy: each Lambda function has its own role; no role is used by two functions (roles matched by "
        "their ARN; preview: a role reference unknown during preview and not named by a dependency is undecided)."
    ),
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation="Give each function its own aws.iam.Role with only the permissions it needs.",
    types=[t.FUNCTION, t.ROLE],
    check=_check_shared,
)

# -- iam-permissions-boundary ---------------------------------------------------------------------


def _check_boundary(ctx: Ctx, stack: Stack, cfg: Config) -> None:
    wanted = cfg.string("permissionsBoundaryArn")
    if not wanted:
        return
    for role in _function_roles(ctx, stack):
        boundary = role.props.get("permissionsBoundary")
        if not isinstance(boundary, str) and boundary is not None:
            ctx.undecided(role, "permissionsBoundary")
        elif boundary != wanted:
            ctx.fail(
                role,
                f"Role '{role.name}' is a Lambda function role with permissions boundary {boundary!r}; function "
                f"roles must carry the boundary {wanted}. Fix: SecureFunctionArgs(permissions_boundary_arn="
                f"'{wanted}'); raw: aws.iam.Role(permissions_boundary='{wanted}').",
            )


PERMISSIONS_BOUNDARY = stack_policy(
    name="iam-permissions-boundary",
    description=(
        "Stack policy: Lambda function roles carry the configured permissions boundary, when one is configured; "
        "disabled by default (preview: an unknown boundary or function role is undecided)."
    ),
    level=EnforcementLevel.DISABLED,
    severity=Severity.MEDIUM,
    remediation="Set permissions_boundary on function roles to the configured boundary policy ARN.",
    types=_TRUST_TYPES,
    check=_check_boundary,
    config={"permissionsBoundaryArn": string("", "ARN of the boundary every function role must carry.")},
)

ROLE_POLICIES: list[Policy] = [TRUST, SOURCE_GUARD, ROLE_NOT_SHARED, PERMISSIONS_BOUNDARY]
