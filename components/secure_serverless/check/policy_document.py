"""`aws.iam.get_policy_document` rendered as the AWS provider renders it, byte for byte.

The provider's documented behaviour (data source ``aws_iam_policy_document``, which pulumi_aws wraps):

* ``version`` defaults to ``2012-10-17``; a statement's ``effect`` defaults to ``Allow``;
* ``actions``, ``not_actions``, ``resources``, ``not_resources`` and principal ``identifiers`` are
  sets: duplicates collapse, a single element renders as a string, several as a list sorted in
  reverse order;
* principals of the same type merge into one key; a single ``*`` principal of type ``*`` renders
  as ``"*"``; condition values keep their order, a single value renders as a string, and
  conditions with the same test and variable merge;
* ``&{...}`` in resources, principals and condition values becomes the IAM variable ``${...}``;
* ``source_policy_documents`` are merged first (in order), then the statements given, then
  ``override_policy_documents``; a statement with a ``Sid`` replaces an earlier one with that Sid;
* ``json`` is Go's indented JSON (two spaces, keys of maps sorted, ``<``, ``>`` and ``&`` escaped),
  ``minified_json`` the compact form, and ``id`` the CRC-32 of ``json``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_VERSION = "2012-10-17"

Values = str | list[str]


@dataclass
class _Statement:
    sid: str = ""
    effect: str = ""
    action: Any = None
    not_action: Any = None
    resource: Any = None
    not_resource: Any = None
    principals: list[tuple[str, Values]] = field(default_factory=list)
    not_principals: list[tuple[str, Values]] = field(default_factory=list)
    conditions: list[tuple[str, str, Values]] = field(default_factory=list)


@dataclass
class _Document:
    version: str = ""
    id: str = ""
    statements: list[_Statement] = field(default_factory=list)

    def merge(self, other: _Document) -> None:
        if other.id:
            self.id = other.id
        if other.version > self.version:
            self.version = other.version
        for statement in other.statements:
            if statement.sid:
                for index, existing in enumerate(self.statements):
                    if existing.sid == statement.sid:
                        self.statements[index] = statement
                        break
                else:
                    self.statements.append(statement)
            else:
                self.statements.append(statement)


def _set_values(values: Sequence[Any]) -> Values:
    unique = list(dict.fromkeys(str(v) for v in values))
    if len(unique) == 1:
        return unique[0]
    return sorted(unique, reverse=True)


def _replace_vars(value: Values) -> Values:
    if isinstance(value, str):
        return value.replace("&{", "${")
    return [item.replace("&{", "${") for item in value]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _principals(blocks: Any) -> list[tuple[str, Values]]:
    out: list[tuple[str, Values]] = []
    for block in _list(blocks):
        if not isinstance(block, Mapping):
            continue
        entry = (str(block.get("type", "")), _replace_vars(_set_values(_list(block.get("identifiers")))))
        if entry not in out:  # a set of blocks
            out.append(entry)
    return out


def _conditions(blocks: Any) -> list[tuple[str, str, Values]]:
    out: list[tuple[str, str, Values]] = []
    for block in _list(blocks):
        if not isinstance(block, Mapping):
            continue
        values = [str(v) for v in _list(block.get("values"))]
        rendered: Values = _replace_vars(values)
        if isinstance(rendered, list) and len(rendered) == 1:
            rendered = rendered[0]
        entry = (str(block.get("test", "")), str(block.get("variable", "")), rendered)
        if entry not in out:
            out.append(entry)
    return out


def _statement_from_args(block: Mapping[str, Any]) -> _Statement:
    statement = _Statement(sid=str(block.get("sid") or ""), effect=str(block.get("effect") or "Allow"))
    if _list(block.get("actions")):
        statement.action = _set_values(_list(block["actions"]))
    if _list(block.get("notActions")):
        statement.not_action = _set_values(_list(block["notActions"]))
    if _list(block.get("resources")):
        statement.resource = _replace_vars(_set_values(_list(block["resources"])))
    if _list(block.get("notResources")):
        statement.not_resource = _replace_vars(_set_values(_list(block["notResources"])))
    statement.principals = _principals(block.get("principals"))
    statement.not_principals = _principals(block.get("notPrincipals"))
    statement.conditions = _conditions(block.get("conditions"))
    return statement


# -- parsing a JSON document (source and override documents) -----------------------------------------


def _parse_principals(value: Any) -> list[tuple[str, Values]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [("*", ["*"])]
    if not isinstance(value, Mapping):
        raise ValueError(f"unsupported Principal {value!r}")
    out: list[tuple[str, Values]] = []
    for key, identifiers in value.items():
        if isinstance(identifiers, str):
            out.append((key, identifiers))
        elif isinstance(identifiers, list):
            out.append((key, sorted(str(i) for i in identifiers)))
        else:
            raise ValueError(f"unsupported Principal {key}: {identifiers!r}")
    return out


def _parse_conditions(value: Any) -> list[tuple[str, str, Values]]:
    out: list[tuple[str, str, Values]] = []
    if not isinstance(value, Mapping):
        return out
    for test, variables in value.items():
        if not isinstance(variables, Mapping):
            continue
        for variable, values in variables.items():
            if isinstance(values, bool):
                out.append((test, variable, "true" if values else "false"))
            elif isinstance(values, str):
                out.append((test, variable, [values]))
            elif isinstance(values, list):
                out.append((test, variable, [str(v) for v in values]))
    return out


def parse_document(text: str) -> _Document:
    """A policy JSON read into the provider's model (as its source/override merge reads it)."""
    data = json.loads(text)
    if not isinstance(data, Mapping):
        raise ValueError("a policy document must be a JSON object")
    statements = data.get("Statement") or []
    if isinstance(statements, Mapping):
        statements = [statements]
    document = _Document(version=str(data.get("Version") or ""), id=str(data.get("Id") or ""))
    for raw in statements:
        document.statements.append(
            _Statement(
                sid=str(raw.get("Sid") or ""),
                effect=str(raw.get("Effect") or ""),
                action=raw.get("Action") or None,
                not_action=raw.get("NotAction") or None,
                resource=raw.get("Resource") or None,
                not_resource=raw.get("NotResource") or None,
                principals=_parse_principals(raw.get("Principal")),
                not_principals=_parse_principals(raw.get("NotPrincipal")),
                conditions=_parse_conditions(raw.get("Condition")),
            )
        )
    return document


# -- rendering ---------------------------------------------------------------------------------------


def _render_principals(principals: list[tuple[str, Values]]) -> Any:
    if len(principals) == 1:
        kind, identifiers = principals[0]
        if kind == "*" and identifiers in ("*", ["*"]):
            return "*"
    raw: dict[str, Values] = {}
    for kind, identifiers in principals:
        existing = raw.get(kind)
        if isinstance(identifiers, list):
            merged = [] if existing is None else ([existing] if isinstance(existing, str) else list(existing))
            raw[kind] = merged + sorted(identifiers, reverse=True)
        elif existing is None:
            raw[kind] = identifiers
        else:
            raw[kind] = ([existing] if isinstance(existing, str) else list(existing)) + [identifiers]
    return {key: raw[key] for key in sorted(raw)}


def _render_conditions(conditions: list[tuple[str, str, Values]]) -> dict[str, dict[str, Values]]:
    raw: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        raw.setdefault(test, {}).setdefault(variable, [])
        raw[test][variable].extend([values] if isinstance(values, str) else values)
    return {
        test: {var: (items[0] if len(items) == 1 else items) for var, items in sorted(raw[test].items())}
        for test in sorted(raw)
    }


def _render_statement(statement: _Statement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if statement.sid:
        out["Sid"] = statement.sid
    if statement.effect:
        out["Effect"] = statement.effect
    for key, value in (
        ("Action", statement.action),
        ("NotAction", statement.not_action),
        ("Resource", statement.resource),
        ("NotResource", statement.not_resource),
    ):
        if value is not None:
            out[key] = value
    if statement.principals:
        out["Principal"] = _render_principals(statement.principals)
    if statement.not_principals:
        out["NotPrincipal"] = _render_principals(statement.not_principals)
    if statement.conditions:
        out["Condition"] = _render_conditions(statement.conditions)
    return out


def _render_document(document: _Document) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if document.version:
        out["Version"] = document.version
    if document.id:
        out["Id"] = document.id
    if document.statements:
        out["Statement"] = [_render_statement(s) for s in document.statements]
    return out


def _go_escape(text: str) -> str:
    # Go's encoding/json escapes these for safe embedding in HTML.
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@dataclass(frozen=True)
class RenderedPolicy:
    json: str
    minified_json: str
    id: str


def render(args: Mapping[str, Any]) -> RenderedPolicy:
    """The provider's result for ``get_policy_document`` arguments (camelCase, as invoked)."""
    merged = _Document()
    seen_sids: set[str] = set()
    for index, source in enumerate(_list(args.get("sourcePolicyDocuments"))):
        if not source:
            continue
        document = parse_document(str(source))
        for position, statement in enumerate(document.statements):
            if statement.sid:
                if statement.sid in seen_sids:
                    raise ValueError(
                        f"merging source document {index}: duplicate Sid ({statement.sid}) in "
                        f"source_policy_documents (statement {position}). Remove the Sid or ensure Sids are unique."
                    )
                seen_sids.add(statement.sid)
        merged.merge(document)
    own = _Document(version=str(args.get("version") or DEFAULT_VERSION), id=str(args.get("policyId") or ""))
    own_sids: set[str] = set()
    for block in _list(args.get("statements")):
        if not isinstance(block, Mapping):
            continue
        statement = _statement_from_args(block)
        if statement.sid:
            if statement.sid in own_sids:
                raise ValueError(f"duplicate Sid ({statement.sid}). Remove the Sid or ensure the Sid is unique.")
            own_sids.add(statement.sid)
        own.statements.append(statement)
    merged.merge(own)
    for override in _list(args.get("overridePolicyDocuments")):
        if override:
            merged.merge(parse_document(str(override)))
    rendered = _render_document(merged)
    pretty = _go_escape(json.dumps(rendered, indent=2, ensure_ascii=False))
    minified = _go_escape(json.dumps(rendered, separators=(",", ":"), ensure_ascii=False))
    return RenderedPolicy(json=pretty, minified_json=minified, id=str(zlib.crc32(pretty.encode())))
