"""The function-role and permission graph of a stack (GUARDRAILS.md, "What the words mean").

- A **function role** is any role an ``aws.lambda.Function`` uses (its ``role``, matched by value), whatever
  its trust policy says; a role whose trust policy lets the Lambda service assume it is one too (its
  function may live in another stack).
- **A role's permissions** come from every attachment form: ``RolePolicy``, ``Role.inlinePolicies``,
  ``RolePoliciesExclusive``, ``RolePolicyAttachment``, ``RolePolicyAttachmentsExclusive``,
  ``PolicyAttachment`` (its ``roles``) and ``Role.managedPolicyArns``; customer-managed documents are read
  from their ``aws.iam.Policy``, AWS-managed ones from the pack's snapshot. Attachments to users or groups
  are not role permissions.
- **Links are values** (:func:`guardrails._policy.resolve`): dependencies decide only for values unknown
  during preview.

The graph is built once per :class:`Stack` (every stack rule of a request shares it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from guardrails import _aws_managed
from guardrails import _documents as docs
from guardrails import _types as t
from guardrails._policy import Ctx, Res, Stack, read_prop, resolve, resolve_value
from guardrails._values import UNKNOWN, is_unknown, string_list

# Attachment forms only the graph reads.
USER_POLICY_ATTACHMENT: Final = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT: Final = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"

# Every resource type that can give a role permissions (what the IAM stack rules are about).
PERMISSION_TYPES: Final = (
    t.ROLE,
    t.ROLE_POLICY,
    t.MANAGED_POLICY,
    t.ROLE_POLICY_ATTACHMENT,
    t.POLICY_ATTACHMENT,
    t.ROLE_POLICIES_EXCLUSIVE,
    t.ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
    t.FUNCTION,
)

LAMBDA_SERVICES: Final = frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"})

_ROLE_KEYS = ("name", "id", "arn")


@dataclass
class AttachedDocument:
    """A policy document and the roles it gives permissions to (None: undecidable during preview)."""

    subject: Res
    where: str
    document: Any
    roles: list[Res] | None
    aws_managed: bool = False

    def allowing_statements(self, ctx: Ctx) -> Iterator[tuple[int, docs.Statement]]:
        """The document's Allow statements; an unknown document or Effect is reported undecided."""
        return docs.allowing_statements(ctx, self.subject, self.where, self.document)

    def path(self, index: int, key: str) -> str:
        """The path of statement ``index``'s ``key``, for undecided reports."""
        return docs.statement_path(self.where, index, key)


@dataclass
class ManagedAttachment:
    """One managed-policy ARN attached to roles: where it is written and what it names."""

    subject: Res
    where: str
    arn: Any  # a string, or UNKNOWN during preview
    policies: list[Res] | None  # the stack's aws.iam.Policy resources it names (None: undecidable)
    roles: list[Res] | None


def trusts_lambda(role: Res) -> bool | None:
    """Whether the role's trust policy lets the Lambda service assume it (None: unknown during preview)."""
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
            elif kind.lower() == "service" and value in LAMBDA_SERVICES:
                if statement.allows:
                    return True
                undecided = True  # the Effect is unknown during preview
    return None if undecided else False


class Graph:
    """Functions, the roles they use, and every policy document and managed ARN attached to roles."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.users: dict[str, list[Res]] = {}  # role URN -> functions using it
        self.role_refs: dict[str, list[Res] | None] = {}  # function URN -> its roles (None: undecidable)
        self.external_roles: dict[str, list[Res]] = {}  # role ARN outside the stack -> functions
        for fn in stack.of_type(t.FUNCTION):
            roles = resolve(stack, fn, "role", [t.ROLE], keys=("arn", "name", "id"))
            self.role_refs[fn.urn] = roles
            for role in roles or []:
                self.users.setdefault(role.urn, []).append(fn)
            arn = read_prop(fn, "role")
            if roles == [] and isinstance(arn, str) and arn:
                self.external_roles.setdefault(arn, []).append(fn)
        self.unresolved_functions = [stack.by_urn[urn] for urn, roles in self.role_refs.items() if roles is None]
        self._attachments: list[ManagedAttachment] | None = None
        self._documents: list[AttachedDocument] | None = None

    # -- function roles ----------------------------------------------------------------------------

    def functions_using(self, role: Res) -> list[Res]:
        return self.users.get(role.urn, [])

    def is_function_role(self, role: Res) -> bool | None:
        """True for a role a function uses (or that trusts Lambda); None when that is undecidable."""
        if role.urn in self.users:
            return True
        trust = trusts_lambda(role)
        if trust is True:
            return True
        if self.unresolved_functions or trust is None:
            return None
        return False

    def any_function_role(self, roles: list[Res] | None) -> bool | None:
        """Whether some of ``roles`` is a function role (None: undecidable)."""
        if roles is None:
            return None
        kinds = [self.is_function_role(role) for role in roles]
        if any(kind is True for kind in kinds):
            return True
        return None if any(kind is None for kind in kinds) else False

    # -- managed policy attachments ----------------------------------------------------------------

    def attachments(self) -> list[ManagedAttachment]:
        """Every managed-policy ARN attached to a role, in each of the forms AWS and pulumi_aws offer."""
        if self._attachments is None:
            self._attachments = list(self._gather_attachments())
        return self._attachments

    def _policies_named(self, source: Res, prop: str) -> list[Res] | None:
        value = source.props.get(prop)
        if isinstance(value, str) and _aws_managed.policy_path(value) is not None:
            return []  # an AWS-managed policy is never one of the stack's
        return resolve(self.stack, source, prop, [t.MANAGED_POLICY], keys=("arn", "id"))

    def _policy_named(self, source: Res, prop: str, arn: Any) -> list[Res] | None:
        if isinstance(arn, str) and _aws_managed.policy_path(arn) is not None:
            return []
        return resolve_value(self.stack, source, prop, arn, {t.MANAGED_POLICY}, ("arn", "id"))

    def _gather_attachments(self) -> Iterator[ManagedAttachment]:
        stack = self.stack
        roles: list[Res] | None
        for attachment in stack.of_type(t.ROLE_POLICY_ATTACHMENT):
            roles = resolve(stack, attachment, "role", [t.ROLE], keys=_ROLE_KEYS)
            yield ManagedAttachment(
                attachment, "policyArn", _one(attachment.props.get("policyArn")),
                self._policies_named(attachment, "policyArn"), roles,
            )
        for attachment in stack.of_type(t.POLICY_ATTACHMENT):
            if is_unknown(attachment.props.get("roles")):
                roles = None
            elif not string_list(attachment.props.get("roles")):
                continue  # users and groups only: not role permissions
            else:
                roles = resolve(stack, attachment, "roles", [t.ROLE], keys=_ROLE_KEYS)
            yield ManagedAttachment(
                attachment, "policyArn", _one(attachment.props.get("policyArn")),
                self._policies_named(attachment, "policyArn"), roles,
            )
        for attachment in stack.of_type(t.ROLE_POLICY_ATTACHMENTS_EXCLUSIVE):
            roles = resolve(stack, attachment, "roleName", [t.ROLE], keys=_ROLE_KEYS)
            yield from self._each_arn(attachment, "policyArns", roles)
        for role in stack.of_type(t.ROLE):
            yield from self._each_arn(role, "managedPolicyArns", [role])

    def _each_arn(self, source: Res, prop: str, roles: list[Res] | None) -> Iterator[ManagedAttachment]:
        value = source.props.get(prop)
        if is_unknown(value):
            yield ManagedAttachment(source, prop, UNKNOWN, self._policies_named(source, prop), roles)
            return
        arns = string_list(value)
        for index, arn in enumerate(arns):
            policies = self._policy_named(source, prop, arn)
            yield ManagedAttachment(source, f"{prop}[{index}]", arn, policies, roles)

    # -- documents ---------------------------------------------------------------------------------

    def documents(self) -> list[AttachedDocument]:
        """Every policy document giving a role permissions (customer-managed and inline), and those of the
        AWS-managed policies attached to roles (``aws_managed=True``)."""
        if self._documents is None:
            self._documents = list(self._gather_documents())
        return self._documents

    def _gather_documents(self) -> Iterator[AttachedDocument]:
        stack = self.stack
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
        exclusive = self._exclusive_inline_roles()
        for role_policy in stack.of_type(t.ROLE_POLICY):
            roles = resolve(stack, role_policy, "role", [t.ROLE], keys=_ROLE_KEYS)
            extra = exclusive.get(role_policy.urn, [])
            if roles is not None:
                roles = roles + [r for r in extra if all(r is not other for other in roles)]
            yield AttachedDocument(role_policy, "policy", docs.parse(role_policy.props.get("policy")), roles)
        yield from self._managed_documents()

    def _exclusive_inline_roles(self) -> dict[str, list[Res]]:
        """RolePolicy URN -> roles whose RolePoliciesExclusive lists its name."""
        out: dict[str, list[Res]] = {}
        for exclusive in self.stack.of_type(t.ROLE_POLICIES_EXCLUSIVE):
            roles = resolve(self.stack, exclusive, "roleName", [t.ROLE], keys=_ROLE_KEYS) or []
            for policy in resolve(self.stack, exclusive, "policyNames", [t.ROLE_POLICY], keys=("name",)) or []:
                out.setdefault(policy.urn, []).extend(roles)
        return out

    def _managed_documents(self) -> Iterator[AttachedDocument]:
        roles_of: dict[str, list[Res]] = {}
        undecided: set[str] = set()
        unresolved_attachment = False
        for attachment in self.attachments():
            if attachment.policies is None:
                unresolved_attachment = True
            for policy in attachment.policies or []:
                if attachment.roles is None:
                    undecided.add(policy.urn)
                else:
                    roles_of.setdefault(policy.urn, []).extend(attachment.roles)
            if isinstance(attachment.arn, str):  # (roles may be outside the stack: still role permissions)
                document = _aws_managed.document(attachment.arn)
                if document is not None:
                    name = attachment.arn.rsplit("/", 1)[-1]
                    yield AttachedDocument(
                        attachment.subject, f"{attachment.where} ({name})", docs.parse(document), attachment.roles,
                        aws_managed=True,
                    )
        elsewhere = self._attached_to_users_or_groups()
        for policy in self.stack.of_type(t.MANAGED_POLICY):
            roles = _unique(roles_of.get(policy.urn, []))
            if policy.urn in undecided or (unresolved_attachment and not roles):
                found: list[Res] | None = roles if roles else None
            else:
                found = roles
            if found == [] and policy.urn in elsewhere:
                continue  # attached to users or groups only: not role permissions
            yield AttachedDocument(policy, "policy", docs.parse(policy.props.get("policy")), found)

    def _attached_to_users_or_groups(self) -> set[str]:
        out: set[str] = set()
        for attachment in self.stack.of_type(USER_POLICY_ATTACHMENT, GROUP_POLICY_ATTACHMENT, t.POLICY_ATTACHMENT):
            if attachment.type == t.POLICY_ATTACHMENT and not (
                string_list(attachment.props.get("users")) or string_list(attachment.props.get("groups"))
            ):
                continue
            out.update(p.urn for p in self._policies_named(attachment, "policyArn") or [])
        return out


def _one(value: Any) -> Any:
    return value if isinstance(value, str) or is_unknown(value) else None


def _unique(items: list[Res]) -> list[Res]:
    seen: dict[str, Res] = {}
    for item in items:
        seen.setdefault(item.urn, item)
    return list(seen.values())


def graph(stack: Stack) -> Graph:
    """The stack's graph, built on first use and kept with the stack."""
    cached = stack.__dict__.get("_accuracy_graph")
    if not isinstance(cached, Graph):
        cached = Graph(stack)
        stack.__dict__["_accuracy_graph"] = cached
    return cached
