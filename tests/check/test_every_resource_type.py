"""Every pulumi_aws resource class, registered with only its required inputs, gets every declared output.

The expectations come from the SDK, not from the checker: the resource classes registered with the
Pulumi runtime by pulumi_aws, their ``<Class>Args`` constructors (which inputs are required), and
the return annotations of their output properties (``pulumi.Output[str]``,
``pulumi.Output[Sequence[outputs.X]]``). Values are read back through the resource objects, as a
program reads them, and checked against those annotations by the small checker below.
"""

from __future__ import annotations

import collections.abc
import enum
import importlib
import inspect
import typing
from typing import Any

import pulumi
import pulumi_aws  # noqa: F401  (registers its resource modules)
import pytest
from pulumi import _types as pulumi_types
from pulumi.runtime import rpc

from secure_serverless.check.mocks import run_program

MISSING = object()


def _aws_classes() -> dict[str, type]:
    classes: dict[str, type] = {}
    for modules in rpc._RESOURCE_MODULES.values():
        for module in modules:
            info = getattr(module, "mod_info", None)
            if not info or not info["fqn"].startswith("pulumi_aws"):
                continue
            for token, class_name in info["classes"].items():
                classes[token] = getattr(importlib.import_module(info["fqn"]), class_name)
    return dict(sorted(classes.items()))


def _strip(hint: Any) -> tuple[Any, bool]:
    """(hint without Output/Input/Optional wrappers, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is pulumi.Output:
            hint = args[0]
        elif origin is typing.Union:
            members = [a for a in args if a is not type(None)]
            optional = optional or len(members) < len(args)
            # Input[T] = Union[T, Awaitable[T], Output[T]]: keep T
            plain = [m for m in members if typing.get_origin(m) not in (pulumi.Output, collections.abc.Awaitable)]
            hint = plain[0] if plain else members[0]
            if len(plain) > 1:
                return hint, optional
        else:
            return hint, optional


def _sample(hint: Any, depth: int = 0) -> Any:
    """A minimal valid value for an input annotation."""
    hint, _ = _strip(hint)
    if hint is str:
        return "value"
    if hint is bool:
        return False
    if hint is int:
        return 1
    if hint is float:
        return 1.0
    origin = typing.get_origin(hint)
    if origin in (list, collections.abc.Sequence):
        return [_sample(typing.get_args(hint)[0], depth + 1)]
    if origin in (dict, collections.abc.Mapping):
        return {}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if isinstance(hint, type) and pulumi_types.is_input_type(hint) and depth < 6:
        return hint(**_required_kwargs(hint, depth + 1))
    return "value"


def _args_class(cls: type) -> type:
    """The resource's input type (``<Class>Args``; ``<Class>InitArgs`` where that name is taken)."""
    module = importlib.import_module(cls.__module__)
    names = [n for n in getattr(module, "__all__", []) if n.endswith("Args") and n.startswith(cls.__name__)]
    assert len(names) == 1, (cls, names)
    return getattr(module, names[0])  # type: ignore[no-any-return]


def _required_kwargs(args_cls: type, depth: int = 0) -> dict[str, Any]:
    signature = inspect.signature(args_cls.__init__)
    hints = typing.get_type_hints(
        args_cls.__init__,
        globalns=vars(importlib.import_module(args_cls.__module__)),
        localns={"Output": pulumi.Output, "T": typing.Any},
    )
    return {
        name: _sample(hints[name], depth)
        for name, parameter in signature.parameters.items()
        if name != "__self__"
        and parameter.default is inspect.Parameter.empty
        and parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }


def _type_errors(value: Any, hint: Any, path: str) -> list[str]:
    hint, optional = _strip(hint)
    if value is None:
        return [] if optional else [f"{path}: None for declared {hint}"]
    if hint is str:
        ok = isinstance(value, str)
    elif hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif typing.get_origin(hint) in (list, collections.abc.Sequence):
        if not isinstance(value, list | tuple):
            return [f"{path}: {type(value).__name__} for declared {hint}"]
        item = typing.get_args(hint)[0]
        return [e for i, v in enumerate(value) for e in _type_errors(v, item, f"{path}[{i}]")]
    elif typing.get_origin(hint) in (dict, collections.abc.Mapping):
        ok = isinstance(value, dict)
    elif isinstance(hint, type) and pulumi_types.is_output_type(hint):
        if not isinstance(value, hint):
            return [f"{path}: {type(value).__name__} for declared {hint.__name__}"]
        errors: list[str] = []
        for name, sub in pulumi_types._raw_return_hints(hint).items():
            python_name = pulumi_types._pulumi_to_py_names_from_py_properties(hint).get(name, name)
            errors += _type_errors(getattr(value, python_name, None), sub, f"{path}.{name}")
        return errors
    else:
        ok = True  # Any / unions of several types
    return [] if ok else [f"{path}: {value!r} for declared {hint}"]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # pulumi_aws warns when deprecated resources are built
def test_every_declared_output_has_a_value_of_its_declared_type() -> None:
    classes = _aws_classes()
    assert len(classes) > 1500  # the whole provider, not a hand list
    seen: list[tuple[str, str, Any, Any]] = []
    failed_to_build: list[str] = []

    def program() -> None:
        for index, (token, cls) in enumerate(classes.items()):
            args_cls = _args_class(cls)
            try:
                resource = cls(f"r{index}", args_cls(**_required_kwargs(args_cls)))
            except Exception as error:
                failed_to_build.append(f"{token}: {error}")
                continue
            names = pulumi_types._pulumi_to_py_names_from_py_properties(cls)
            for pulumi_name, hint in pulumi_types._raw_return_hints(cls).items():
                output = getattr(resource, names[pulumi_name])
                output.apply(lambda v, t=token, n=pulumi_name, h=hint: seen.append((t, n, h, v)))

    run = run_program(program)
    # A class with an input named `resource_name` cannot be constructed through the SDK at all
    # (its constructor's own first parameter has that name): nothing a program could register.
    unconstructible = [f for f in failed_to_build if "multiple values for argument 'resource_name'" in f]
    assert failed_to_build == unconstructible and len(unconstructible) <= 2
    assert len(run.resources) == len(classes) - len(unconstructible)
    built = {r.type for r in run.resources}
    declared = sum(len(pulumi_types._raw_return_hints(cls)) for token, cls in classes.items() if token in built)
    assert len(seen) == declared
    errors = [e for token, name, hint, value in seen for e in _type_errors(value, hint, f"{token}.{name}")]
    assert errors == [], f"{len(errors)} outputs without a value of their declared type, e.g. {errors[:20]}"
