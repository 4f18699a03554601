"""Declared permissions against use: unused grants, denied calls, wildcard expansions, drift, a proposal.

Pure: takes what ``declared`` and ``cloudtrail`` (or ``live``) read and returns plain data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from secure_serverless.iam import SECRET_SIDS, SERVICE_SIDS, SID_DECRYPT_SECRETS
from secure_serverless.review import actions as iam
from secure_serverless.review.cloudtrail import ApiCall
from secure_serverless.review.declared import DeclaredFunction, Statement


# SecureFunction's statements for Lambda itself (logs, its key via the DLQ, the DLQ, X-Ray, VPC network
# interfaces, iam.SERVICE_SIDS): Lambda uses them on the function's behalf, and CloudTrail records few of
# those calls (PutLogEvents and PutTraceSegments are not logged), so absence from a trail says nothing.
def is_infrastructure(statement: Statement, event_sources: Sequence[str] = ()) -> bool:
    """Used by Lambda itself: SecureFunction's service statements, and grants on the function's own event
    source mappings' queues and streams (Lambda's poller reads them with the role; those are data events a
    trail rarely records)."""
    if statement.sid in SERVICE_SIDS:
        return True
    return bool(statement.resources) and bool(event_sources) and all(
        any(iam.arn_match(pattern, source) or iam.arn_match(source, pattern) for source in event_sources)
        for pattern in statement.resources
    )


@dataclass(frozen=True)
class GrantUse:
    """One action pattern of one Allow statement, and what the window used of it."""

    statement: Statement
    pattern: str
    expands_to: int
    access_levels: Mapping[str, int]
    used: tuple[str, ...]
    used_resources: tuple[str, ...]
    resources_named: bool

    @property
    def unused(self) -> bool:
        return not self.used

    @property
    def wildcard(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern


@dataclass(frozen=True)
class CallSummary:
    """Calls of one action (on the same resources, with the same outcome) and how often."""

    action: str
    resources: tuple[str, ...]
    error_code: str | None
    count: int


@dataclass(frozen=True)
class Drift:
    """A difference between what the program declares and what is deployed."""

    kind: str
    detail: str


@dataclass(frozen=True)
class FunctionReview:
    """The review of one function."""

    function: DeclaredFunction
    roles: tuple[str, ...]
    calls: int
    grants: tuple[GrantUse, ...]
    not_judged: tuple[Statement, ...]
    denied: tuple[CallSummary, ...]
    undeclared: tuple[CallSummary, ...]
    drift: tuple[Drift, ...] = ()
    last_accessed: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def unused(self) -> tuple[GrantUse, ...]:
        """Grants not used in the window; none when the window holds no call at all (no evidence)."""
        return tuple(g for g in self.grants if g.unused) if self.calls else ()

    @property
    def proposal(self) -> str:
        return propose(self)


def _resource_matches(statement: Statement, resources: Sequence[str]) -> bool:
    if not resources:
        return True  # the record names no resource: the action alone decides
    hit = any(iam.arn_match(p, r) for p in statement.resources for r in resources)
    return (not hit) if statement.not_resources else hit


def _covers(statement: Statement, action: str, resources: Sequence[str]) -> bool:
    matched = bool(iam.covering(statement.actions, action))
    if statement.not_actions:
        matched = not matched
    return matched and _resource_matches(statement, resources)


def _summaries(calls: Iterable[ApiCall]) -> tuple[CallSummary, ...]:
    counts = Counter((c.action, c.resources, c.error_code) for c in calls)
    return tuple(
        CallSummary(action, resources, error, count)
        for (action, resources, error), count in sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    )


def _levels(pattern: str) -> tuple[int, dict[str, int]]:
    expanded = iam.expand(pattern)
    if not expanded:
        return (1 if not any(c in pattern for c in "*?") else 0), {iam.access_level(pattern): 1}
    return len(expanded), dict(Counter(iam.access_level(a) for a in expanded))


def review_function(function: DeclaredFunction, calls: Sequence[ApiCall]) -> FunctionReview:
    """Compare one function's declared statements with the calls its role made."""
    allowed_calls = [c for c in calls if not c.error_code]
    grants: list[GrantUse] = []
    judged = [s for s in function.statements if s.allows and not is_infrastructure(s, function.event_sources)]
    for statement in judged:
        patterns = statement.actions if not statement.not_actions else ("*",)
        for pattern in patterns:
            covered = [
                c for c in allowed_calls
                if iam.glob_match(pattern, c.action) and _covers(statement, c.action, c.resources)
            ]
            expands_to, levels = _levels(pattern)
            grants.append(
                GrantUse(
                    statement=statement,
                    pattern=pattern,
                    expands_to=expands_to,
                    access_levels=levels,
                    used=tuple(sorted({c.action for c in covered})),
                    used_resources=tuple(sorted({r for c in covered for r in c.resources})),
                    resources_named=all(c.resources for c in covered),
                )
            )
    allows = [s for s in function.statements if s.allows]
    undeclared = [
        c for c in allowed_calls if not any(_covers(s, c.action, c.resources) for s in allows)
    ]
    return FunctionReview(
        function=function,
        roles=tuple(sorted({c.role_arn for c in calls})),
        calls=len(calls),
        grants=tuple(grants),
        not_judged=tuple(s for s in function.statements if s.allows and is_infrastructure(s, function.event_sources)),
        denied=_summaries(c for c in calls if c.denied),
        undeclared=_summaries(undeclared),
    )


@dataclass(frozen=True)
class Review:
    """Every function's review, and what the trail held besides."""

    functions: tuple[FunctionReview, ...]
    other_roles: Mapping[str, int]
    first_call: str | None
    last_call: str | None


def review(
    functions: Sequence[DeclaredFunction],
    calls: Sequence[ApiCall],
    role_overrides: Mapping[str, str] | None = None,
) -> Review:
    """Match calls to functions by their session issuer role, then review each function.

    ``role_overrides`` maps a function name to the deployed role's name or ARN where the name
    cannot be derived (a role named outside the program).
    """
    overrides = {fn: role.rsplit("/", 1)[-1] for fn, role in (role_overrides or {}).items()}
    by_function: dict[str, list[ApiCall]] = {f.name: [] for f in functions}
    others: Counter[str] = Counter()
    for call in calls:
        owner = next(
            (
                f for f in functions
                if (overrides[f.name] == call.role_name if f.name in overrides else f.role_matches(call.role_name))
            ),
            None,
        )
        if owner is None:
            others[call.role_arn] += 1
        else:
            by_function[owner.name].append(call)
    times = sorted(c.time for c in calls if c.time)
    return Review(
        functions=tuple(review_function(f, by_function[f.name]) for f in functions),
        other_roles=dict(others),
        first_call=times[0] if times else None,
        last_call=times[-1] if times else None,
    )


# -- drift --------------------------------------------------------------------------------------------

_ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_AUTONAME = re.compile(r"-[0-9a-f]{7}(?=$|[/:\"\s,])")


def normalise(document: Any, *, placeholders: bool) -> str:
    """A document as canonical JSON (lists of strings sorted; statements sorted).

    With ``placeholders``, account ids and Pulumi auto-name suffixes become placeholders: a program run
    under mocks has the mocks' account and suffixes, the deployed role the real ones.
    """

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in sorted(value.items()) if k != "Version"}
        if isinstance(value, list):
            items = [canonical(v) for v in value]
            if all(isinstance(v, str) for v in items):
                return sorted(set(items))
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return value

    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        document = {**document, "Statement": [statements]}
    text = json.dumps(canonical(document), sort_keys=True)
    if placeholders:
        text = _AUTONAME.sub("-<suffix>", _ACCOUNT.sub("<account>", text))
    return text


def _statement_lines(document: Any) -> set[str]:
    statements = document.get("Statement") if isinstance(document, dict) else None
    items = [statements] if isinstance(statements, dict) else statements if isinstance(statements, list) else []
    return {normalise(s, placeholders=True) for s in items}


@dataclass(frozen=True)
class DeployedRole:
    """A role as AWS has it now."""

    name: str
    arn: str
    trust_policy: Mapping[str, Any] | None
    inline_policies: Mapping[str, Mapping[str, Any]]
    managed_policy_arns: tuple[str, ...]


def drift(function: DeclaredFunction, deployed: DeployedRole, *, placeholders: bool) -> tuple[Drift, ...]:
    """What differs between the declared role and the deployed one."""
    found: list[Drift] = []
    declared_inline = {name: doc for name, doc in function.inline_policies.items()}
    deployed_inline = dict(deployed.inline_policies)

    def key(name: str) -> str:
        return _AUTONAME.sub("", name) if placeholders else name

    declared_by_key = {key(n): d for n, d in declared_inline.items()}
    deployed_by_key = {key(n): (n, d) for n, d in deployed_inline.items()}
    for k, (name, document) in sorted(deployed_by_key.items()):
        if k not in declared_by_key:
            found.append(Drift("inline-policy-added", f"inline policy '{name}' is not declared by the program"))
            continue
        before, after = _statement_lines(declared_by_key[k]), _statement_lines(document)
        for extra in sorted(after - before):
            found.append(Drift("statement-added", f"inline policy '{name}' has an undeclared statement {extra}"))
        for missing in sorted(before - after):
            found.append(Drift("statement-removed", f"inline policy '{name}' lacks the declared statement {missing}"))
    for k in sorted(set(declared_by_key) - set(deployed_by_key)):
        found.append(Drift("inline-policy-removed", f"the declared inline policy '{k}' is not on the deployed role"))
    norm = (lambda arn: _ACCOUNT.sub("<account>", arn)) if placeholders else (lambda arn: arn)
    declared_arns = {norm(a): a for a in function.managed_policy_arns}
    deployed_arns = {norm(a): a for a in deployed.managed_policy_arns}
    for k in sorted(set(deployed_arns) - set(declared_arns)):
        found.append(Drift("managed-policy-added", f"managed policy {deployed_arns[k]} is attached but not declared"))
    for k in sorted(set(declared_arns) - set(deployed_arns)):
        found.append(Drift("managed-policy-removed", f"the declared managed policy {declared_arns[k]} is not attached"))
    if function.trust_policy is not None and deployed.trust_policy is not None:
        declared_trust = normalise(function.trust_policy, placeholders=placeholders)
        deployed_trust = normalise(deployed.trust_policy, placeholders=placeholders)
        if declared_trust != deployed_trust:
            found.append(Drift("trust-policy-changed", f"the deployed trust policy is {deployed_trust}"))
    return tuple(found)


# -- proposal -------------------------------------------------------------------------------------------


def _narrowed_resources(uses: Sequence[GrantUse]) -> list[str]:
    statement = uses[0].statement
    wide = any("*" in r or "?" in r for r in statement.resources)
    used = sorted({r for u in uses for r in u.used_resources})
    if wide and used and all(u.resources_named for u in uses if u.used):
        return used
    return list(statement.resources)


def propose(result: FunctionReview) -> str:
    """The narrower declaration to paste back: ``grants=[...]`` (and ``secrets=[...]``), used parts only."""
    by_statement: dict[tuple[str, str], list[GrantUse]] = {}
    for use in result.grants:
        by_statement.setdefault((use.statement.source, use.statement.sid), []).append(use)
    grants: list[str] = []
    secrets: set[str] = set()
    secret_statements = False
    for (_, sid), uses in by_statement.items():
        used_actions = sorted({a for u in uses for a in u.used})
        if sid in SECRET_SIDS:
            secret_statements = True
            if sid != SID_DECRYPT_SECRETS and used_actions:
                named = {r for u in uses for r in u.used_resources}
                # a call that named its secret by name (not ARN) left no ARN: keep what was declared
                secrets.update(named if all(u.resources_named for u in uses if u.used) and named
                               else (r for u in uses for r in u.statement.resources))
            continue
        if not used_actions:
            continue
        condition = uses[0].statement.condition
        extra = f", conditions={json.dumps(condition, sort_keys=True)}" if condition else ""
        grants.append(
            f"    Grant(actions={json.dumps(used_actions)}, resources={json.dumps(_narrowed_resources(uses))}{extra}),"
        )
    for statement in result.not_judged:
        if statement.sid in SERVICE_SIDS:
            continue  # SecureFunction writes these itself
        # Lambda's poller reads the function's event sources with the role: kept as declared
        actions, resources = json.dumps(list(statement.actions)), json.dumps(list(statement.resources))
        grants.append(f"    Grant(actions={actions}, resources={resources}),  # event source")
    lines = ["grants=[", *grants, "],"] if grants else ["grants=[],  # nothing the window used needs a grant"]
    if secret_statements:
        lines.append(f"secrets={json.dumps(sorted(secrets))},")
    return "\n".join(lines)
