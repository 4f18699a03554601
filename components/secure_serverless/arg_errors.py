"""Component argument errors as one line each: ``SecureFunction 'name': field: what is wrong. Fix: ...``.

The args models (:mod:`secure_serverless.args`) derive from :class:`ArgsModel`, which turns pydantic's
``ValidationError`` into an :class:`ArgumentError`: pydantic's built-in messages are rewritten in the
model's terms (an unknown field gets "did you mean", a number its allowed range, a pattern its meaning
in words), the error remembers the program line that built the arguments and, when that line builds a
``SecureFunction``, the component's name. Values are never echoed (an environment value may be a
credential), and no source line of the program is read into a message.
"""

from __future__ import annotations

import ast
import difflib
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# Frames of these modules are never "the program's line".
_LIBRARY_MODULES = ("secure_serverless", "pydantic", "pydantic_core", "pulumi", "pulumi_aws", "runpy", "importlib")

# Fields whose pydantic pattern or literal needs saying in words.
_PATTERN_MEANING = {
    "handler": (
        "must name the entry point as '<file>.<function>': the handler file's path inside the code archive "
        "without '.py' (folders separated by '/'), a dot, then the function's name",
        "handler='app.handler' for def handler(event, context) in app.py",
    ),
    "function_name": (
        "may hold only letters, digits, '-' and '_' (1 to 64 characters)",
        "function_name='orders-api', or leave it out to let Pulumi name the function",
    ),
    "sid": ("may hold only letters and digits (1 to 100 characters)", "sid='ReadOrders'"),
}
_LITERAL_MEANING = {
    "function_url": (
        "only 'AWS_IAM' is allowed: a function URL with authorization NONE is a public endpoint anyone on "
        "the internet can invoke, bypassing IAM; with AWS_IAM callers sign their requests (SigV4)",
        "function_url='AWS_IAM'; for public traffic put API Gateway or CloudFront with auth in front, "
        "or leave function_url out",
    ),
}
# pulumi_aws names people reach for, and where that concern lives in SecureFunctionArgs.
_ALIASES = {
    "role": "SecureFunction creates the function's own role; declare access with grants=[Grant(...)] and secrets=[...]",
    "memory": "use memory_size",
    "environment_variables": "use environment={'NAME': 'value'}",
    "kms_key": "use kms_key_arn='arn:aws:kms:...' (a shared key) or leave it out for a dedicated key",
    "dead_letter_config": "the component creates an encrypted dead-letter queue (create_dead_letter_queue)",
    "tracing_config": "use tracing='Active' (the default)",
    "vpc_config": "use vpc=VpcConfig(subnet_ids=[...], security_group_ids=[...])",
}
_TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "True or False",
    "string": "a string",
    "list": "a list",
    "dict": "a dict",
    "date": "a date, e.g. datetime.date(2027, 3, 1) or '2027-03-01'",
}


def _sentence(text: str) -> str:
    text = text.rstrip(" ")
    return text if text.endswith((".", "?", "!")) else text + "."


@dataclass(frozen=True)
class Problem:
    """One invalid argument: the field's path, what is wrong, and the fix."""

    field: str
    what: str
    fix: str = ""

    def text(self) -> str:
        text = f"{self.field}: {_sentence(self.what)}"
        return text + (f" Fix: {_sentence(self.fix)}" if self.fix else "")


@dataclass(frozen=True)
class Location:
    filename: str
    line: int

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}"


class ArgumentError(ValidationError):
    """Invalid component arguments; ``str()`` is one line per problem, each naming field and fix.

    A ``pydantic.ValidationError`` (code that catches that keeps working) whose ``errors()`` keep
    pydantic's types and locations with the rewritten messages.

    Examples
    --------
    >>> SecureFunctionArgs(handler="app", code=archive)  # doctest: +SKIP
    ArgumentError: SecureFunctionArgs: handler: must name the entry point as '<file>.<function>' ...
    """

    model: str
    problems: tuple[Problem, ...]
    location: Location | None
    component: str | None

    @classmethod
    def build(
        cls,
        model: str,
        problems: Sequence[Problem],
        line_errors: Sequence[Any],
        location: Location | None = None,
        component: str | None = None,
    ) -> ArgumentError:
        details: list[InitErrorDetails] = [
            {
                "type": PydanticCustomError(item["type"], problem.text()),
                "loc": tuple(item["loc"]),
                "input": item.get("input"),
            }
            for item, problem in zip(line_errors, problems, strict=True)
        ]
        error = cls.from_exception_data(model, details, hide_input=True)
        error.model, error.problems, error.location, error.component = model, tuple(problems), location, component
        return error

    @property
    def subject(self) -> str:
        return f"SecureFunction {self.component!r}" if self.component else self.model

    def lines(self) -> list[str]:
        return [f"{self.subject}: {problem.text()}" for problem in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


# -- message rewriting -------------------------------------------------------------------------------


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out and not part.isidentifier():
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def _field_info(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel], str | None]:
    """The model owning the last named field of ``loc`` (nested models followed), and that field."""
    owner, name = model, None
    for part in loc:
        if not isinstance(part, str):
            continue
        field = owner.model_fields.get(part)
        if field is None:
            return owner, part
        name = part
        nested = [a for a in getattr(field.annotation, "__args__", (field.annotation,)) if isinstance(a, type)]
        inner = [getattr(a, "__args__", (a,)) for a in nested]
        flat = [t for group in inner for t in group if isinstance(t, type) and issubclass(t, BaseModel)]
        owner = flat[0] if flat and part != loc[-1] else owner
    return owner, name


def _allowed(model: type[BaseModel], name: str | None) -> str:
    """The allowed range of a numeric/length-constrained field, in words ("from 128 to 10240")."""
    if name is None or name not in model.model_fields:
        return ""
    low: Any = None
    high: Any = None
    exclusive_low = False
    for item in model.model_fields[name].metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, exclusive_low = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = item.lt
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{'above' if exclusive_low else 'from'} {low} {'up ' if exclusive_low else ''}to {high}"
    return f"at least {low}" if high is None else f"at most {high}"


def _description(model: type[BaseModel], name: str | None) -> str:
    field = model.model_fields.get(name or "")
    if field is None or not field.description:
        return ""
    text = field.description.rstrip(".")
    if text[1:2].islower():  # "Seconds before ..." -> "seconds before ...", but "MB of memory" stays
        text = text[0].lower() + text[1:]
    return f" ({text})"


def _split_fix(message: str) -> tuple[str, str]:
    """Our validators write ``<what is wrong>; <fix>``: split them at the first '; '."""
    what, sep, fix = message.partition("; ")
    return (what, fix) if sep else (message, "")


def _tag_problem(field: str, tags: Any, message: str) -> Problem:
    keys = list(tags) if isinstance(tags, dict) else []
    for key in keys:
        lowered = str(key).lower()
        if lowered.startswith("aws:"):
            return Problem(
                f"{field}[{key!r}]",
                "tag keys starting with 'aws:' are reserved for tags AWS sets itself, and AWS refuses "
                "requests that add them",
                f"rename the key without the prefix, e.g. {str(key)[4:]!r}",
            )
        if lowered.startswith("secure-serverless:"):
            return Problem(
                f"{field}[{key!r}]",
                "tag keys starting with 'secure-serverless:' are written by the component to record waivers",
                "declare the exception as waivers=[Waiver(policy=..., reason=..., expires=...)]",
            )
    what, fix = _split_fix(message)
    return Problem(field, what, fix)


def _problem(model: type[BaseModel], error: Any) -> Problem:
    kind: str = error["type"]
    loc: tuple[int | str, ...] = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    field = _path(loc) or "(arguments)"
    owner, name = _field_info(model, loc)
    value = error.get("input")

    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        if unknown in _ALIASES:
            return Problem(field, f"is not an argument of {owner.__name__}", _ALIASES[unknown])
        close = difflib.get_close_matches(unknown, list(owner.model_fields), n=1, cutoff=0.5)
        if close:
            return Problem(field, f"is not an argument of {owner.__name__}", f"did you mean {close[0]!r}?")
        return Problem(
            field, f"is not an argument of {owner.__name__}", f"use one of: {', '.join(owner.model_fields)}"
        )
    if kind == "missing":
        if name in _PATTERN_MEANING:
            return Problem(field, "is required", _PATTERN_MEANING[name][1])
        return Problem(field, "is required", f"pass {name or field}=...{_description(owner, name)}")
    if kind == "string_pattern_mismatch" and name in _PATTERN_MEANING:
        what, fix = _PATTERN_MEANING[name]
        return Problem(field, what, fix)
    if kind == "literal_error":
        if name in _LITERAL_MEANING:
            what, fix = _LITERAL_MEANING[name]
            return Problem(field, what, fix)
        return Problem(field, f"must be {ctx.get('expected', 'one of the allowed values')}", "")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        shown = f"{value} is" if isinstance(value, int | float) and not isinstance(value, bool) else "the value is"
        return Problem(
            field, f"{shown} out of range", f"use a value {_allowed(owner, name)}{_description(owner, name)}"
        )
    if kind.endswith(("_type", "_parsing")) or kind in ("int_from_float", "date_from_datetime_inexact"):
        expected = _TYPE_WORDS.get(kind.split("_", 1)[0], kind.split("_", 1)[0])
        allowed = _allowed(owner, name)
        return Problem(
            field,
            f"must be {expected}, not {type(value).__name__}",
            f"pass {expected}{' ' + allowed if allowed else ''}{_description(owner, name)}",
        )
    if kind == "is_instance_of":
        expected = "a pulumi Output" if ctx.get("class") == "Output" else f"a {ctx.get('class', 'value')}"
        return Problem(field, f"must be {expected}, not {type(value).__name__}", "")
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        limit = ctx.get("min_length" if kind.endswith("too_short") else "max_length")
        items = "item" if limit == 1 else "items"
        unit = "characters" if isinstance(value, str) else items
        bound = "at least" if kind.endswith("too_short") else "at most"
        return Problem(field, f"needs {bound} {limit} {unit}", "")
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if name == "tags":
            return _tag_problem(field, value, message)
        if not loc:  # a model-level check names its field first: "grants[0].actions: ..."
            head, sep, rest = message.partition(": ")
            if sep and " " not in head:
                field, message = head, rest
        what, fix = _split_fix(message)
        return Problem(field, what, fix)
    return Problem(field, str(error.get("msg", kind)), "")


def _is_union_tag(part: int | str) -> bool:
    """pydantic adds the union member to ``loc`` (``str``, ``is-instance[Output]``): not a field."""
    return isinstance(part, str) and (part in _TYPE_WORDS or part in ("str", "bool") or "[" in part)


def problems_of(error: ValidationError, model: type[BaseModel]) -> tuple[list[Problem], list[Any]]:
    """One problem per field (the union members' complaints about one value become one "must be a or b"),
    and the pydantic error each problem stands for."""
    merged: dict[str, tuple[Problem, Any]] = {}
    for item in error.errors(include_url=False):
        item = {**item, "loc": tuple(part for part in item["loc"] if not _is_union_tag(part))}
        problem = _problem(model, item)
        earlier = merged.get(problem.field)
        if earlier is None:
            merged[problem.field] = (problem, item)
        elif earlier[0].what.startswith("must be ") and problem.what.startswith("must be "):
            first = earlier[0].what.split(", not ")[0]
            second = problem.what.removeprefix("must be ").split(", not ")[0]
            merged[problem.field] = (Problem(problem.field, f"{first} or {second}", ""), earlier[1])
    return [p for p, _ in merged.values()], [i for _, i in merged.values()]


# -- where the arguments were built ------------------------------------------------------------------


def _caller_frame() -> FrameType | None:
    """The innermost frame outside this package, pydantic and pulumi: the program's line."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] not in _LIBRARY_MODULES and not frame.f_code.co_filename.startswith("<"):
            return frame
        frame = frame.f_back
    return None


@functools.lru_cache(maxsize=32)
def _parsed(filename: str, mtime: float) -> ast.Module | None:
    try:
        return ast.parse(Path(filename).read_bytes(), filename)
    except (OSError, SyntaxError, ValueError):
        return None


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return (
        getattr(node, "lineno", 0),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", 0) or 0,
        getattr(node, "end_col_offset", 0) or 0,
    )


def _contains(outer: ast.AST, inner: tuple[int, int, int, int]) -> bool:
    lo, hi = _span(outer), inner
    return (lo[0], lo[1]) <= (hi[0], hi[1]) and (hi[2], hi[3]) <= (lo[2], lo[3])


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def component_at(frame: FrameType) -> tuple[str | None, str | None]:
    """The name of the ``SecureFunction("name", ...)`` call enclosing the failing call, and the field path
    of a ``Grant``/``Waiver``/``VpcConfig`` built inside ``SecureFunctionArgs(...)`` (e.g. ``grants[1]``).

    Reads the program's syntax tree only (no source line is kept or shown).
    """
    filename = frame.f_code.co_filename
    try:
        tree = _parsed(filename, Path(filename).stat().st_mtime)
    except OSError:
        return None, None
    positions = list(frame.f_code.co_positions())
    index = frame.f_lasti // 2
    if tree is None or not 0 <= index < len(positions):
        return None, None
    line, end_line, col, end_col = positions[index]
    if line is None or col is None or end_line is None or end_col is None:
        return None, None
    failing = (line, col, end_line, end_col)
    component: str | None = None
    field: str | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _contains(node, failing):
            continue
        callee = _callee(node)
        if callee == "SecureFunction" and node.args and isinstance(node.args[0], ast.Constant):
            component = str(node.args[0].value)
        elif callee == "SecureFunctionArgs":
            for keyword in node.keywords:
                if keyword.arg and _contains(keyword.value, failing) and _span(keyword.value) != failing:
                    field = keyword.arg
                    if isinstance(keyword.value, ast.List | ast.Tuple):
                        for position, element in enumerate(keyword.value.elts):
                            if _contains(element, failing):
                                field = f"{keyword.arg}[{position}]"
    return component, field


class ArgsModel(BaseModel):
    """Base of the component's argument models: invalid arguments raise :class:`ArgumentError`."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except ValidationError as error:
            caller = sys._getframe(1)
            outer = caller.f_back
            if caller.f_code is BaseModel.__init__.__code__ and outer and outer.f_code is ArgsModel.__init__.__code__:
                # pydantic validates a nested model (a Waiver given as a dict) through this __init__:
                # the outermost model reports, with the full field path.
                raise
            problems, line_errors = problems_of(error, type(self))
        # Raised outside the except block: the ValidationError, which holds the input values, is not
        # chained to it (an environment value may be a credential).
        frame = _caller_frame()
        location = component = prefix = None
        if frame is not None:
            location = Location(frame.f_code.co_filename, frame.f_lineno)
            component, prefix = component_at(frame)
            del frame
        if prefix:
            problems = [Problem(f"{prefix}.{p.field}", p.what, p.fix) for p in problems]
        raise ArgumentError.build(type(self).__name__, problems, line_errors, location, component)

    # Validation through pydantic (model_validate, a nested model) must not route through this __init__:
    # pydantic would then validate without the caller's context (Waiver's `today`). Marking it as the base
    # __init__ keeps pydantic's own path; direct construction still comes here and gets the one-line errors.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]
