"""What a program declares for each function: its role, the role's statements, trust and attachments.

Read from the resources a program registers (under the checker's mocks, in update mode so values are
known). Links are values: a policy belongs to the role whose name, id or ARN its ``role`` property equals.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from secure_serverless.check.model import RecordedResource
from secure_serverless.contract.types import (
    EVENT_SOURCE_MAPPING,
    FUNCTION,
    MANAGED_POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENTS_EXCLUSIVE,
)
from secure_serverless.function import TYPE_TOKEN as COMPONENT


@dataclass(frozen=True)
class Statement:
    """One statement of a role's policy, normalised (lists of strings), with where it came from."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_actions: bool
    not_resources: bool
    condition: Mapping[str, Any] | None
    source: str

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"


@dataclass(frozen=True)
class DeclaredFunction:
    """One function as the program declares it."""

    name: str
    component: str | None
    role_logical: str
    role_name: str | None
    role_name_prefix: str | None
    trust_policy: Mapping[str, Any] | None
    inline_policies: Mapping[str, Mapping[str, Any]]
    managed_policy_arns: tuple[str, ...]
    statements: tuple[Statement, ...]
    event_sources: tuple[str, ...] = ()

    def role_matches(self, deployed_role_name: str) -> bool:
        """Whether a deployed role name is this function's role (Pulumi auto-names: logical name + 7 hex)."""
        if self.role_name is not None:
            return deployed_role_name == self.role_name
        if self.role_name_prefix is not None:
            return deployed_role_name.startswith(self.role_name_prefix)
        return re.fullmatch(re.escape(self.role_logical) + r"-[0-9a-f]{7}", deployed_role_name) is not None


_ACCOUNT = re.compile(r"(?<=:)[0-9]{12}(?=:)")
_AUTONAME_SUFFIX = re.compile(r"-[0-9a-f]{7}(?=$|[/:])")
_KEY_ID = re.compile(r"(?<=:key/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def loosened(function: DeclaredFunction) -> DeclaredFunction:
    """The function with resource ARNs that match the deployed ones although the program ran under mocks.

    The mocks invent an account id, auto-name suffixes and KMS key ids; the deployed resources have the
    real ones. Each becomes a wildcard of its exact shape (``?``), so an ARN still matches only resources
    of its own name (a `--stack-export` review compares the real ARNs instead).
    """

    def loosen(arn: str) -> str:
        arn = _KEY_ID.sub("????????-????-????-????-????????????", arn)
        return _AUTONAME_SUFFIX.sub("-???????", _ACCOUNT.sub("?" * 12, arn))

    statements = tuple(replace(s, resources=tuple(loosen(r) for r in s.resources)) for s in function.statements)
    return replace(function, statements=statements, event_sources=tuple(loosen(a) for a in function.event_sources))


def load_document(value: Any) -> dict[str, Any] | None:
    """A policy document given as JSON text or as a dict (pulumi_aws accepts both)."""
    for _ in range(2):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
    return value if isinstance(value, dict) else None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def statements_of(document: Mapping[str, Any] | None, source: str) -> list[Statement]:
    """The statements of a document, normalised."""
    if document is None:
        return []
    raw = document.get("Statement")
    items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        condition = item.get("Condition")
        out.append(
            Statement(
                sid=str(item.get("Sid") or ""),
                effect="Deny" if str(item.get("Effect", "")).lower() == "deny" else "Allow",
                actions=_strings(item.get("NotAction", item.get("Action"))),
                resources=_strings(item.get("NotResource", item.get("Resource"))),
                not_actions="NotAction" in item,
                not_resources="NotResource" in item,
                condition=condition if isinstance(condition, dict) else None,
                source=source,
            )
        )
    return out


def _aws_managed(arn: str) -> Mapping[str, Any] | None:
    """The current document of an AWS-managed policy (the checker's data set; None when unknown)."""
    from secure_serverless.check.managed_policies import load

    policies = load()
    policy = policies.by_arn(arn) if policies is not None else None
    return policy.document if policy is not None else None


def _value(resource: RecordedResource, key: str) -> Any:
    return resource.outputs.get(key, resource.inputs.get(key))


def _role_keys(role: RecordedResource) -> set[str]:
    return {v for v in (_value(role, "name"), _value(role, "id"), _value(role, "arn")) if isinstance(v, str) and v}


def _component_of(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> str | None:
    parent = resource.parent
    while parent is not None and parent in by_urn:
        owner = by_urn[parent]
        if owner.type == COMPONENT:
            return owner.name
        parent = owner.parent
    return None


def declared_functions(resources: Sequence[RecordedResource]) -> list[DeclaredFunction]:
    """Every function of the program with its role's declared permissions."""
    by_urn = {r.urn: r for r in resources}
    roles = [r for r in resources if r.type == ROLE]
    managed_documents = {
        _value(p, "arn"): load_document(_value(p, "policy")) for p in resources if p.type == MANAGED_POLICY
    }

    def targets(value: Any) -> list[RecordedResource]:
        names = set(_strings(value))
        return [role for role in roles if names & _role_keys(role)]

    inline: dict[str, dict[str, Mapping[str, Any]]] = {}
    attached: dict[str, list[str]] = {}

    def attach(values: Iterable[RecordedResource], arns: Iterable[str]) -> None:
        for role in values:
            attached.setdefault(role.urn, []).extend(arns)

    for res in resources:
        if res.type == ROLE_POLICY:
            document = load_document(_value(res, "policy"))
            for role in targets(_value(res, "role")):
                if document is not None:
                    inline.setdefault(role.urn, {})[str(_value(res, "name") or res.name)] = document
        elif res.type == ROLE_POLICY_ATTACHMENT:
            attach(targets(_value(res, "role")), _strings(_value(res, "policyArn")))
        elif res.type == ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
            attach(targets(_value(res, "roleName")), _strings(_value(res, "policyArns")))
        elif res.type == POLICY_ATTACHMENT:
            attach(targets(_value(res, "roles")), _strings(_value(res, "policyArn")))

    mappings = [r for r in resources if r.type == EVENT_SOURCE_MAPPING]
    out = []
    for fn in resources:
        if fn.type != FUNCTION:
            continue
        fn_keys = {v for v in (_value(fn, "name"), _value(fn, "arn"), _value(fn, "id")) if isinstance(v, str) and v}
        sources = tuple(
            source for m in mappings if _value(m, "functionName") in fn_keys
            for source in _strings(_value(m, "eventSourceArn"))
        )
        matches = targets(_value(fn, "role"))
        if not matches:
            continue
        role = matches[0]
        documents = dict(inline.get(role.urn, {}))
        for entry in _value(role, "inlinePolicies") or []:
            if isinstance(entry, dict) and load_document(entry.get("policy")) is not None:
                documents[str(entry.get("name") or "inline")] = load_document(entry.get("policy")) or {}
        arns = tuple(dict.fromkeys([*_strings(_value(role, "managedPolicyArns")), *attached.get(role.urn, [])]))
        statements = [s for name, doc in documents.items() for s in statements_of(doc, f"inline:{name}")]
        for arn in arns:
            # a policy of the program, else AdministratorAccess and co by their real documents
            managed = managed_documents.get(arn) or _aws_managed(arn)
            statements.extend(statements_of(managed, f"managed:{arn}"))
        name_input = role.inputs.get("name")
        prefix_input = role.inputs.get("namePrefix")
        out.append(
            DeclaredFunction(
                name=fn.name,
                component=_component_of(fn, by_urn),
                role_logical=role.name,
                role_name=name_input if isinstance(name_input, str) else None,
                role_name_prefix=prefix_input if isinstance(prefix_input, str) else None,
                trust_policy=load_document(_value(role, "assumeRolePolicy")),
                inline_policies=documents,
                managed_policy_arns=arns,
                statements=tuple(statements),
                event_sources=sources,
            )
        )
    return out
