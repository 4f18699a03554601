"""What a provider SDK declares about its resources and lookups: classes, output names and types.

Every Pulumi provider SDK generated for Python registers its resource modules with the runtime
(``pulumi.runtime.register_resource_module``), each module listing its type tokens and classes, and
declares every output property as a ``@pulumi.getter`` with a return annotation
(``pulumi.Output[str]``, ``pulumi.Output[Optional[Sequence[outputs.X]]]``). Lookups return an
``@pulumi.output_type`` result class declared the same way. This module reads those declarations
(through ``pulumi._types``, which the SDK itself uses to deserialize outputs) and turns them into
:class:`Shape` trees the mocks fill with values. Nothing here is a hand-written list of resources.
"""

from __future__ import annotations

import collections.abc
import contextlib
import functools
import importlib
import re
import typing
from dataclasses import dataclass
from typing import Any

from pulumi import _types as pulumi_types
from pulumi.runtime import rpc

# Shape kinds
STR, INT, FLOAT, BOOL, ANY, LIST, MAP, OBJECT = "str", "int", "float", "bool", "any", "list", "map", "object"
_MAX_DEPTH = 4  # nested output types can be recursive (WAFv2 rule statements)


@dataclass(frozen=True)
class Shape:
    """A declared type: a scalar kind, a list/map of ``item``, or an object with ``fields``."""

    kind: str
    item: Shape | None = None
    fields: tuple[tuple[str, Shape, bool], ...] = ()  # (pulumi name, shape, optional)


@dataclass(frozen=True)
class ResourceSchema:
    """A resource class and its declared outputs (pulumi name -> (shape, optional))."""

    token: str
    cls: type
    outputs: dict[str, tuple[Shape, bool]]
    input_names: frozenset[str]


def _registered_modules() -> list[Any]:
    # The registry the SDK's own deserializer uses to rebuild resource references.
    return [module for modules in rpc._RESOURCE_MODULES.values() for module in modules]


def resource_tokens() -> dict[str, tuple[str, str]]:
    """Every registered resource type token -> (module, class name), from the installed SDKs."""
    table: dict[str, tuple[str, str]] = {}
    for module in _registered_modules():
        info = getattr(module, "mod_info", None)
        if isinstance(info, dict) and isinstance(info.get("classes"), dict):
            for token, class_name in info["classes"].items():
                table.setdefault(token, (str(info["fqn"]), str(class_name)))
    return table


def resource_class(token: str) -> type | None:
    """The SDK class registered for ``token`` (imported on demand), or None."""
    entry = resource_tokens().get(token)
    if entry is None:
        _import_package_of(token)
        entry = resource_tokens().get(token)
        if entry is None:
            return None
    try:
        found = getattr(importlib.import_module(entry[0]), entry[1], None)
    except ImportError:
        return None
    return found if isinstance(found, type) else None


def _import_package_of(token: str) -> None:
    # A package registers its modules when imported: try `pulumi_<package>` once.
    package = token.split(":", 1)[0].replace("-", "_")
    with contextlib.suppress(ImportError):
        importlib.import_module(f"pulumi_{package}")


def _is_optional(hint: Any) -> bool:
    return typing.get_origin(hint) is typing.Union and type(None) in typing.get_args(hint)


def _strip_output(hint: Any) -> Any:
    from pulumi import Output

    if typing.get_origin(hint) is Output:
        return typing.get_args(hint)[0]
    return hint


def _strip_optional(hint: Any) -> tuple[Any, bool]:
    if _is_optional(hint):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True  # noqa: UP007
    return hint, False


def shape_of(hint: Any, depth: int = 0) -> Shape:
    """The :class:`Shape` of a (resolved) annotation such as ``Sequence[outputs.RuleTarget]``."""
    hint, _ = _strip_optional(_strip_output(hint))
    if hint is str:
        return Shape(STR)
    if hint is bool:
        return Shape(BOOL)
    if hint is int:
        return Shape(INT)
    if hint is float:
        return Shape(FLOAT)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (list, collections.abc.Sequence) and args:
        return Shape(LIST, item=shape_of(args[0], depth))
    if origin in (dict, collections.abc.Mapping) and len(args) == 2:
        return Shape(MAP, item=shape_of(args[1], depth))
    if isinstance(hint, type) and pulumi_types.is_output_type(hint):
        if depth >= _MAX_DEPTH:
            return Shape(OBJECT)
        return Shape(OBJECT, fields=_fields(hint, depth + 1))
    return Shape(ANY)


def _fields(cls: type, depth: int) -> tuple[tuple[str, Shape, bool], ...]:
    try:
        hints = pulumi_types._raw_return_hints(cls)
    except Exception:  # an annotation that does not resolve: no declared fields
        return ()
    out = []
    for name, hint in hints.items():
        inner, optional = _strip_optional(_strip_output(hint))
        out.append((name, shape_of(inner, depth), optional))
    return tuple(out)


@functools.cache
def resource_schema(token: str) -> ResourceSchema | None:
    """Declared outputs of the resource (or remote component) class registered for ``token``."""
    cls = resource_class(token)
    if cls is None:
        return None
    outputs = {name: (shape, optional) for name, shape, optional in _fields(cls, 0)}
    return ResourceSchema(token=token, cls=cls, outputs=outputs, input_names=_input_names(cls))


def _input_names(cls: type) -> frozenset[str]:
    """Pulumi names of the resource's inputs (its ``<Class>Args`` input type), if declared."""
    module = importlib.import_module(cls.__module__)
    # `<Class>Args`, or `<Class>InitArgs` where the SDK had to avoid a clash.
    names = [n for n in getattr(module, "__all__", []) if n.endswith("Args") and n.startswith(cls.__name__)]
    args_cls = getattr(module, names[0], None) if len(names) == 1 else None
    if not isinstance(args_cls, type):
        return frozenset()
    try:
        return frozenset(pulumi_types.input_type_py_to_pulumi_names(args_cls).values())
    except Exception:
        return frozenset()


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """``getPolicyDocument`` -> ``get_policy_document``."""
    return _CAMEL.sub("_", name).lower()


@functools.cache
def invoke_result_schema(token: str) -> dict[str, tuple[Shape, bool]] | None:
    """Declared fields of a lookup's result type (``aws:iam/getRole:getRole`` -> ``GetRoleResult``)."""
    package, module_path, function = ([*token.split(":"), "", ""])[:3]
    module_dir = module_path.split("/", 1)[0]
    base = f"pulumi_{package.replace('-', '_')}"
    sdk_module = base if module_dir == "index" else f"{base}.{_python_module(module_dir)}"
    try:
        module = importlib.import_module(f"{sdk_module}.{snake(function)}")
    except ImportError:
        return None
    result_cls = getattr(module, f"{function[:1].upper()}{function[1:]}Result", None)
    if not isinstance(result_cls, type):
        return None
    return {name: (shape, optional) for name, shape, optional in _fields(result_cls, 0)}


def _python_module(module: str) -> str:
    # Python keywords are suffixed in generated SDKs (`lambda` -> `lambda_`).
    import keyword

    return f"{module}_" if keyword.iskeyword(module) else module
