"""The small frame every guardrail shares: plain resource views, findings, waivers, unknowns.

A check function receives plain data and a :class:`Ctx`; it calls ``ctx.fail(...)`` for each
violation and ``ctx.undecided(...)`` for each part it cannot judge because a value is unknown during
preview. After the check, the frame reports violations (or hands waived ones to the companion), and
then, if anything was undecided, raises pulumi_policy's ``UnknownValueError``: the engine turns that
into an advisory "can't run policy ... during preview" diagnostic, so an undecidable rule neither
passes silently nor fails. A bug in a check never crashes the pack: it is reported as a violation
of that policy (fail closed), unless ``STRICT`` is set (tests).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from guardrails import _waivers
from guardrails._config import Config, JsonSchema, common_properties
from guardrails._values import UNKNOWN, is_unknown, plain

STRICT = False
"""Re-raise errors from checks instead of reporting them (set by the test-suite)."""


class Res:
    """One resource as a check sees it: type, names, plain properties (UNKNOWN markers), graph links."""

    def __init__(
        self,
        type_: str,
        urn: str,
        name: str,
        raw_props: Any,
        *,
        provider_props: Any = None,
        parent: str | None = None,
        dependencies: Iterable[str] = (),
        property_dependencies: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.type = type_
        self.urn = urn
        self.name = name
        self._raw = raw_props
        self._props: dict[str, Any] | None = None
        self._provider_raw = provider_props
        self.parent = parent
        self.dependencies = tuple(dependencies)
        self.property_dependencies = {k: tuple(v) for k, v in (property_dependencies or {}).items()}

    @property
    def props(self) -> dict[str, Any]:
        if self._props is None:
            value = plain(self._raw)
            self._props = value if isinstance(value, dict) else {}
        return self._props

    @property
    def provider_props(self) -> dict[str, Any]:
        value = plain(self._provider_raw) if self._provider_raw is not None else {}
        return value if isinstance(value, dict) else {}

    @property
    def tags(self) -> Any:
        return self.props.get("tags")

    def label(self) -> str:
        return f"{self.type.split(':')[-1]} '{self.name}'"

    @staticmethod
    def from_policy_resource(resource: PolicyResource) -> Res:
        return Res(
            resource.resource_type,
            resource.urn,
            resource.name,
            resource.props,
            provider_props=resource.provider.props if resource.provider is not None else None,
            parent=resource.parent.urn if resource.parent is not None else None,
            dependencies=[d.urn for d in resource.dependencies],
            property_dependencies={k: [d.urn for d in v] for k, v in resource.property_dependencies.items()},
        )


class Stack:
    """All resources of a stack, with lazy plain views and lookups by URN and type."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = [Res.from_policy_resource(r) for r in resources]
        self.by_urn = {r.urn: r for r in self.resources}

    def of_type(self, *types: str) -> list[Res]:
        return [r for r in self.resources if r.type in types]


@dataclass
class Violation:
    """What a check found wrong with ``subject``; ``owners`` are the resources it is shared by."""

    message: str
    subject: Res
    owners: tuple[Res, ...] = ()


@dataclass
class Ctx:
    """Collects what a check found."""

    violations: list[Violation] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)

    def fail(self, subject: Res, message: str, owners: Iterable[Res] = ()) -> None:
        """A violation on ``subject``; waivers come from the subject, or from every one of ``owners``."""
        self.violations.append(Violation(message, subject, tuple(owners)))

    def undecided(self, subject: Res, path: str) -> None:
        """Part of the rule cannot be judged: ``path`` is unknown during preview."""
        self.unknowns.append(f"{subject.name}.{path}" if path else subject.name)


ResourceCheck = Callable[[Ctx, Res, Config], None]
StackCheck = Callable[[Ctx, Stack, Config], None]


@dataclass
class Meta:
    """What the pack's registry holds about a policy beyond pulumi_policy's fields.

    ``types`` are the resource types the policy judges (a waiver tag on a resource of another type
    never applies); ``anchors`` name the same control in other tools (FSBP, CKV, NAG ids), for auditors;
    ``order`` is the policy's position in the pack (set by :func:`assign_order`): the waiver hand-off uses
    it to tell one request from the next.
    """

    name: str
    kind: str
    types: tuple[str, ...]
    schema: dict[str, JsonSchema]
    order: int = 0
    companion: bool = False
    anchors: tuple[str, ...] = ()

    @property
    def waivable(self) -> bool:
        """Whether waivers count by default (the ``waivable`` config key's default)."""
        return bool(self.schema.get("waivable", {}).get("default", False))


REGISTRY: dict[str, Meta] = {}
"""Every policy declared through this module, keyed by policy name: the one place its metadata lives."""


def _finish(
    policy_name: str,
    scope: str,
    ctx: Ctx,
    config: Config,
    report: ReportViolation,
    default_urn: str | None,
) -> None:
    waivable = config.boolean("waivable")
    entries = config.objects("waivers")
    for violation in ctx.violations:
        applied, ignored = _waivers.waivers_for(policy_name, violation.subject, violation.owners, entries)
        message = violation.message
        if applied and waivable:
            _waivers.hand_off(scope, _waivers.WaivedFinding(policy_name, violation.subject.urn, message, applied))
            continue
        if applied:
            message += f" Not waived: policy '{policy_name}' cannot be waived ({applied[0].source})."
        elif ignored is not None and ignored.problem is not None:
            message += f" Not waived: {ignored.problem.text} ({ignored.source})."
        report(message, violation.subject.urn if default_urn is None else None)
    if ctx.unknowns:
        first = ctx.unknowns[0]
        more = f" (and {len(ctx.unknowns) - 1} more)" if len(ctx.unknowns) > 1 else ""
        raise UnknownValueError(UNKNOWN_STRING_VALUE, [first + more])


def _internal_error(ctx: Ctx, subject: Res, policy_name: str, error: Exception) -> None:
    if STRICT:
        raise error
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    ctx.fail(subject, f"Policy '{policy_name}' could not judge {subject.label()} ({detail}); failing closed.")


_Subject = TypeVar("_Subject", Res, Stack)

# What a stack check's internal error is reported on.
_STACK_ANCHOR = Res("pulumi:pulumi:Stack", "", "stack", {})


def _run(
    policy_name: str,
    scope: str,
    check: Callable[[Ctx, _Subject, Config], None],
    subject: _Subject,
    anchor: Res,
    config: Config,
    report: ReportViolation,
    default_urn: str | None,
) -> None:
    """Run ``check`` on ``subject`` and report what it found; an error in it is a finding on ``anchor``."""
    ctx = Ctx()
    try:
        check(ctx, subject, config)
    except UnknownValueError:
        raise
    except Exception as error:
        ctx = Ctx()
        _internal_error(ctx, anchor, policy_name, error)
    _finish(policy_name, scope, ctx, config, report, default_urn)


def _guardrail_info(
    name: str,
    kind: str,
    types: Iterable[str],
    config: Mapping[str, JsonSchema] | None,
    waivable: bool,
    anchors: Iterable[str],
) -> Meta:
    schema = {**(config or {}), **common_properties(waivable)}
    return Meta(name, kind, tuple(sorted(set(types))), schema, anchors=tuple(anchors))


_Policy = TypeVar("_Policy", ResourceValidationPolicy, StackValidationPolicy)


def declare(
    policy_class: type[_Policy],
    info: Meta,
    validate: Callable[[Any, ReportViolation], None],
    *,
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    remediation: str,
) -> _Policy:
    """A pulumi_policy policy whose ``info`` (config schema included) goes into :data:`REGISTRY`."""
    policy = policy_class(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        config_schema=PolicyConfigSchema(properties=info.schema),
        severity=severity,
        remediation_steps=remediation,
    )
    if info.name != name:
        raise ValueError(f"policy {name!r} declared with the metadata of {info.name!r}")
    REGISTRY[name] = info
    return policy


def resource_policy(
    *,
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    remediation: str,
    types: Iterable[str],
    check: ResourceCheck,
    config: Mapping[str, JsonSchema] | None = None,
    waivable: bool = True,
    anchors: Iterable[str] = (),
) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy judging resources of ``types`` with ``check``."""
    info = _guardrail_info(name, "resource", types, config, waivable, anchors)
    type_set = frozenset(info.types)

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in type_set:
            return
        _waivers.begin("resource", info.order)
        cfg = Config(args.get_config(), info.schema)
        res = Res(
            args.resource_type,
            args.urn,
            args.name,
            args.props,
            provider_props=args.provider.props if args.provider is not None else None,
            parent=args.opts.parent if args.opts is not None else None,
        )
        _run(name, "resource", check, res, res, cfg, report, args.urn)

    return declare(
        ResourceValidationPolicy,
        info,
        validate,
        name=name,
        description=description,
        level=level,
        severity=severity,
        remediation=remediation,
    )


def stack_policy(
    *,
    name: str,
    description: str,
    level: EnforcementLevel,
    severity: Severity,
    remediation: str,
    types: Iterable[str],
    check: StackCheck,
    config: Mapping[str, JsonSchema] | None = None,
    waivable: bool = True,
    anchors: Iterable[str] = (),
) -> StackValidationPolicy:
    """A StackValidationPolicy judging the whole stack with ``check``."""
    info = _guardrail_info(name, "stack", types, config, waivable, anchors)

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        _waivers.begin("stack", info.order)
        cfg = Config(args.get_config(), info.schema)
        _run(name, "stack", check, Stack(args.resources), _STACK_ANCHOR, cfg, report, None)

    return declare(
        StackValidationPolicy,
        info,
        validate,
        name=name,
        description=description,
        level=level,
        severity=severity,
        remediation=remediation,
    )


def meta(policy: Any) -> Meta:
    """The registry's metadata of a policy declared here."""
    name = getattr(policy, "name", policy)
    value = REGISTRY.get(name) if isinstance(name, str) else None
    if value is None:
        raise KeyError(f"{name!r} was not declared through guardrails._policy")
    return value


def assign_order(policies: Iterable[Any]) -> None:
    """Number the pack's policies in list order (the order the engine runs them in)."""
    for index, policy in enumerate(policies):
        meta(policy).order = index


def read_prop(res: Res, key: str) -> Any:
    """One property of ``res`` as plain data, without copying all of them (links read one or two keys of
    many resources; the full plain view is built only for what a rule judges)."""
    if res._props is not None:
        return res._props.get(key)
    raw = res._raw
    try:
        value = raw[key] if isinstance(raw, Mapping) and key in raw else None
    except UnknownValueError:
        return UNKNOWN
    except Exception:  # a broken entry reads as absent, as in the full view
        return None
    return plain(value)


def _arn_name(value: str) -> str | None:
    """The name an ARN ends in (``arn:...:function:<name>[:<qualifier>]``, ``.../<name>``), None if not an ARN."""
    if not value.startswith("arn:") or value.count(":") < 5:
        return None
    if ":function:" in value:  # a Lambda ARN may carry a version or alias qualifier after the name
        return value.split(":function:", 1)[1].split(":", 1)[0]
    return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


class _ValueIndex:
    """Targets of some types by each known value of some keys, and by name (built once per stack)."""

    def __init__(self, stack: Stack, types: frozenset[str], keys: tuple[str, ...]) -> None:
        self.position: dict[str, int] = {}
        self.by_value: dict[str, list[Res]] = {}
        self.by_name: dict[str, list[Res]] = {}
        self.keyless: list[Res] = []  # no key known yet (a preview's outputs are absent): may equal any value
        for index, target in enumerate(stack.resources):
            if target.type not in types:
                continue
            self.position[target.urn] = index
            candidates = [read_prop(target, key) for key in keys]
            for candidate in candidates:
                if isinstance(candidate, str) and candidate and not is_unknown(candidate):
                    self.by_value.setdefault(candidate, []).append(target)
            name = read_prop(target, "name")
            if isinstance(name, str) and name and not is_unknown(name):
                self.by_name.setdefault(name, []).append(target)
            if any(is_unknown(c) for c in candidates) or all(c is None for c in candidates):
                self.keyless.append(target)

    def lookup(self, value: str) -> list[Res] | None:
        found = {t.urn: t for t in self.by_value.get(value, [])}
        name = _arn_name(value)
        if name is not None:
            service = value.split(":")[2]
            for target in self.by_name.get(name, []):
                if service and service in target.type.lower():
                    found.setdefault(target.urn, target)
        if found:
            return sorted(found.values(), key=lambda t: self.position[t.urn])
        if name is None:
            ambiguous = bool(self.keyless)
        else:  # an ARN: a target whose name is known and differs cannot be it
            ambiguous = any(not isinstance(read_prop(t, "name"), str) or is_unknown(read_prop(t, "name"))
                            for t in self.keyless)
        return None if ambiguous else []


def _value_index(stack: Stack, types: frozenset[str], keys: tuple[str, ...]) -> _ValueIndex:
    indexes: dict[tuple[frozenset[str], tuple[str, ...]], _ValueIndex] = stack.__dict__.setdefault(
        "_value_indexes", {}
    )
    index = indexes.get((types, keys))
    if index is None:
        index = indexes[(types, keys)] = _ValueIndex(stack, types, keys)
    return index


def resolve_value(
    stack: Stack, source: Res, prop: str, value: Any, types: set[str] | frozenset[str], keys: tuple[str, ...]
) -> list[Res] | None:
    """What one ``value`` of ``source.<prop>`` (the property or one item of its list) refers to; see :func:`resolve`."""
    if is_unknown(value):
        # what a value unknown during preview was computed from is the only clue to what it names
        found = [
            stack.by_urn[urn]
            for urn in source.property_dependencies.get(prop, ())
            if urn in stack.by_urn and stack.by_urn[urn].type in types
        ]
        return found or None
    if not isinstance(value, str) or not value:
        return []
    return _value_index(stack, frozenset(types), keys).lookup(value)


def resolve(
    stack: Stack,
    source: Res,
    prop: str,
    target_types: Iterable[str],
    keys: Iterable[str] = ("name", "id", "arn"),
) -> list[Res] | None:
    """The resources of ``target_types`` that ``source.<prop>`` refers to (GUARDRAILS.md: links are values).

    A known value names the targets whose ``keys`` (or the last segment of an ARN naming the target's
    ``name``) equal it, whatever it was computed from; only a value unknown during preview falls back to
    the property's dependencies. A list value names the union of its items. Returns None when a reference
    cannot be decided during preview; an empty list means "outside this stack".
    """
    types = set(target_types)
    key_list = tuple(keys)
    value = read_prop(source, prop)
    items = value if isinstance(value, list) else [value]
    found: list[Res] = []
    for item in items:
        targets = resolve_value(stack, source, prop, item, types, key_list)
        if targets is None:
            return None
        found.extend(t for t in targets if all(t is not other for other in found))
    return found


def referrers(
    stack: Stack,
    source_type: str,
    prop: str,
    target_types: Iterable[str],
    keys: Iterable[str],
) -> tuple[dict[str, list[Res]], bool]:
    """Resources of ``source_type`` by the URN of each target of their ``prop`` (see :func:`resolve`).

    Also returns whether a reference is unknown during preview and named by no dependency.
    """
    by_target: dict[str, list[Res]] = {}
    unresolved = False
    for source in stack.of_type(source_type):
        targets = resolve(stack, source, prop, target_types, keys)
        if targets is None:
            unresolved = True
            continue
        for target in targets:
            by_target.setdefault(target.urn, []).append(source)
    return by_target, unresolved
