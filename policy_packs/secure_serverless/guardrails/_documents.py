"""IAM policy documents as the rules see them: parsed defensively, normalised, walked, matched.

A document may arrive as a dict, a JSON string, or JSON encoded twice; ``Statement`` may be a dict or
a list; ``Action``/``Resource``/``Principal`` may be strings or lists, or be replaced by their ``Not``
forms. Anything malformed is skipped rather than raised on: AWS rejects malformed documents at
deploy time, so there is nothing to guard.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guardrails._values import UNKNOWN, is_unknown, plain
from guardrails.contract.wildcards import is_wildcard_resource

if TYPE_CHECKING:
    from guardrails._policy import Ctx, Res


@dataclass(frozen=True)
class Statement:
    """One statement; list fields hold strings or UNKNOWN."""

    effect: str
    actions: tuple[Any, ...] = ()
    not_actions: tuple[Any, ...] | None = None
    resources: tuple[Any, ...] = ()
    not_resources: tuple[Any, ...] | None = None
    principals: tuple[tuple[str, Any], ...] = ()
    not_principals: bool = False
    principal_present: bool = False
    condition: Any = None
    sid: str = ""

    @property
    def allows(self) -> bool:
        return self.effect == "allow"

    @property
    def denies(self) -> bool:
        return self.effect == "deny"

    @property
    def has_condition(self) -> bool:
        return is_unknown(self.condition) or (isinstance(self.condition, dict) and len(self.condition) > 0)

    def label(self, index: int) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{index + 1}"


@dataclass(frozen=True)
class Document:
    """A parsed policy document."""

    statements: tuple[Statement, ...] = field(default_factory=tuple)


def _loads(value: Any) -> Any:
    for _ in range(3):  # JSON nested in JSON strings
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return None
    return value if not isinstance(value, str) else None


def _strings(value: Any) -> tuple[Any, ...]:
    if is_unknown(value):
        return (UNKNOWN,)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) or is_unknown(v))
    return ()


def _principals(value: Any) -> tuple[tuple[str, Any], ...]:
    if is_unknown(value):
        return (("*", UNKNOWN),)
    if isinstance(value, str):
        return (("*" if value == "*" else "AWS", value),)
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for kind, items in value.items():
            for item in _strings(items):
                out.append((str(kind), item))
        return tuple(out)
    return ()


def _statement(raw: Any) -> Statement | None:
    if not isinstance(raw, dict):
        return None
    effect = raw.get("Effect")
    effect_text = effect.strip().lower() if isinstance(effect, str) else ("unknown" if is_unknown(effect) else "")
    principal = raw.get("Principal") if "Principal" in raw else raw.get("NotPrincipal")
    return Statement(
        effect=effect_text,
        actions=_strings(raw.get("Action")),
        not_actions=_strings(raw["NotAction"]) if "NotAction" in raw else None,
        resources=_strings(raw.get("Resource")),
        not_resources=_strings(raw["NotResource"]) if "NotResource" in raw else None,
        principals=_principals(principal),
        not_principals="NotPrincipal" in raw,
        principal_present="Principal" in raw or "NotPrincipal" in raw,
        condition=raw.get("Condition"),
        sid=raw["Sid"] if isinstance(raw.get("Sid"), str) else "",
    )


def parse(value: Any) -> Document | Any | None:
    """Parse a document: a :class:`Document`, UNKNOWN (unknown during preview), or None (absent/invalid)."""
    if is_unknown(value):
        return UNKNOWN
    loaded = plain(_loads(value))
    if is_unknown(loaded):
        return UNKNOWN
    if not isinstance(loaded, dict):
        return None
    raw_statements = loaded.get("Statement")
    if is_unknown(raw_statements):
        return UNKNOWN
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        return Document(())
    statements = []
    for raw in raw_statements:
        if is_unknown(raw):
            return UNKNOWN
        statement = _statement(raw)
        if statement is not None:
            statements.append(statement)
    return Document(tuple(statements))


def statement_path(where: str, index: int, key: str) -> str:
    """The path of one statement's ``key`` in the document at ``where`` (how undecided parts are named)."""
    return f"{where}.Statement[{index}].{key}"


def allowing_statements(ctx: Ctx, subject: Res, where: str, document: Any) -> Iterator[tuple[int, Statement]]:
    """The Allow statements (with their indexes) of a parsed ``document``, held by ``subject`` at ``where``.

    A document unknown during preview, and a statement whose Effect is unknown, are reported to ``ctx`` as
    undecided; an absent or invalid document has no statements.
    """
    if is_unknown(document):
        ctx.undecided(subject, where)
        return
    if not isinstance(document, Document):
        return
    for index, statement in enumerate(document.statements):
        if statement.allows:
            yield index, statement
        elif statement.effect == "unknown":
            ctx.undecided(subject, statement_path(where, index, "Effect"))


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def glob_match(glob: str, text: str) -> bool:
    """IAM-style wildcard match (``*`` and ``?``, case-insensitive)."""
    if "*" not in glob and "?" not in glob:  # most patterns are plain names: no regex to build
        return glob.lower() == text.lower()
    return _pattern(glob).fullmatch(text) is not None


def action_allowed(statement: Statement, action: str) -> bool | None:
    """Whether the statement's action list covers ``action`` (None if that depends on an unknown)."""
    if statement.not_actions is not None:
        if any(is_unknown(a) for a in statement.not_actions):
            return None
        return not any(glob_match(a, action) for a in statement.not_actions)
    hit = any(isinstance(a, str) and glob_match(a, action) for a in statement.actions)
    if hit:
        return True
    return None if any(is_unknown(a) for a in statement.actions) else False


def condition_keys(condition: Any) -> dict[str, list[tuple[str, Any]]]:
    """Condition as {lower-cased key: [(operator, value), ...]}."""
    out: dict[str, list[tuple[str, Any]]] = {}
    if not isinstance(condition, dict):
        return out
    for operator, block in condition.items():
        if not isinstance(block, dict):
            continue
        for key, value in block.items():
            out.setdefault(str(key).lower(), []).append((str(operator), value))
    return out


# Condition keys that pin a caller of a wildcard principal to concrete values (GUARDRAILS.md, "Public principal").
PINNING_KEYS = frozenset(
    {"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount",
     "aws:sourcevpce"}
)
_POSITIVE_OPERATORS = frozenset({"stringequals", "stringlike", "arnequals", "arnlike", "stringequalsignorecase"})


def _only_wildcards(value: str) -> bool:
    return value.strip("*?") == ""


def _operator_is_positive(operator: str) -> bool:
    name = operator.lower()
    for prefix in ("forallvalues:", "foranyvalue:"):
        if name.startswith(prefix):
            # ForAllValues passes when the key is absent from the request, so it pins nobody
            return prefix == "foranyvalue:" and name[len(prefix):] in _POSITIVE_OPERATORS
    return name in _POSITIVE_OPERATORS


def concrete_value(key: str, value: str) -> bool:
    """Whether a condition value names something specific for ``key`` (lower-cased).

    An ARN key (``aws:SourceArn``) needs an ARN that is not a wildcard resource; account, organisation and
    endpoint ids hold no wildcard at all; any other key needs more than wildcards.
    """
    text = value.strip()
    if key.endswith("arn"):
        return text != "" and not is_wildcard_resource(text)
    if key in _ID_KEYS:
        return text != "" and not any(ch in "*?" for ch in text)
    return text != "" and not _only_wildcards(text)


_ID_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount",
                      "aws:sourcevpce", "kms:calleraccount"})


def pins(statement: Statement, keys: frozenset[str]) -> bool | None:
    """Whether the statement's condition restricts one of ``keys`` (lower-cased) to concrete values.

    A positive operator (``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``; not ``...IfExists``,
    not ``Not...``, not ``ForAllValues:``) with values that are all concrete (:func:`concrete_value`).
    None when that depends on a value unknown during preview.
    """
    condition = statement.condition
    if is_unknown(condition):
        return None
    undecided = isinstance(condition, dict) and any(is_unknown(block) for block in condition.values())
    for key, entries in condition_keys(condition).items():
        if key not in keys:
            continue
        for operator, value in entries:
            if not _operator_is_positive(operator):
                continue
            values = value if isinstance(value, list) else [value]
            if any(is_unknown(v) for v in values):
                undecided = True
                continue
            strings = [v for v in values if isinstance(v, str)]
            if strings and len(strings) == len(values) and all(concrete_value(key, v) for v in strings):
                return True
    return None if undecided else False


def pins_caller(statement: Statement) -> bool | None:
    """Whether the statement's condition pins its caller to concrete values (None: unknown during preview).

    Only the keys in :data:`PINNING_KEYS` count (GUARDRAILS.md, "Public principal"), as :func:`pins` says.
    """
    return pins(statement, PINNING_KEYS)


def wildcard_principal(statement: Statement) -> bool | None:
    """Whether the statement names everyone (``"*"``, ``{"AWS": "*"}`` or a NotPrincipal); None if unknown."""
    if statement.not_principals:
        return True
    values = [value for kind, value in statement.principals if kind in ("*", "AWS")]
    if any(value == "*" for value in values):
        return True
    return None if any(is_unknown(value) for _, value in statement.principals) else False


def public_statement(statement: Statement) -> bool | None:
    """An Allow statement open to everyone: a wildcard principal that no condition pins (None: unknown)."""
    if statement.effect == "unknown":
        return None
    if not statement.allows:
        return False
    everyone = wildcard_principal(statement)
    if everyone is False:
        return False
    pinned = pins_caller(statement)
    if pinned is True:
        return False
    return None if everyone is None or pinned is None else True
