"""Find and load a Pulumi program the way the Pulumi CLI would: project file, main, stack config."""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pulumi
import pulumi.runtime
import yaml

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
DEFAULT_STACK = "dev"
# Secret config values are encrypted with the stack's secrets provider, which needs credentials
# this offline check does not have: programs see this placeholder (marked secret) instead.
SECRET_PLACEHOLDER = "[secret]"


class ProgramLoadError(Exception):
    """The program directory, its project file or its stack config cannot be read."""


@dataclass(frozen=True)
class ProgramSpec:
    """Everything needed to run a Pulumi program as `pulumi preview` would."""

    project_dir: Path
    project: str
    main_dir: Path
    main_file: Path
    stack: str
    stack_config_file: Path | None
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()
    organization: str = "organization"
    notes: tuple[str, ...] = ()  # for the report, e.g. an explicit stack without a config file

    def display_path(self, root: Path | None = None) -> str:
        """The main file relative to ``root`` (default: the current directory) when it lies below it."""
        return display_path(self.main_file, root)


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` relative to ``root`` (default: the current directory) when it lies below it, else absolute."""
    resolved = path.resolve()
    try:
        return resolved.relative_to((root or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def find_project_file(program_dir: Path) -> Path:
    for name in PROJECT_FILES:
        candidate = program_dir / name
        if candidate.is_file():
            return candidate
    raise ProgramLoadError(f"no Pulumi.yaml in {program_dir}")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProgramLoadError(f"cannot read {path}: {exc}") from exc


def _resolve_main(project_dir: Path, main: str | None) -> tuple[Path, Path]:
    """Mirror the engine: a directory ``main`` becomes the working directory, a file its parent."""
    target = (project_dir / main).resolve() if main else project_dir.resolve()
    if not target.is_relative_to(project_dir.resolve()):
        raise ProgramLoadError(f"main {main!r} must lie inside the project directory {project_dir}")
    if target.is_dir():
        main_file = target / "__main__.py"
        if not main_file.is_file():
            raise ProgramLoadError(f"{target} has no __main__.py")
        return target, main_file
    if target.is_file():
        return target.parent, target
    raise ProgramLoadError(f"main {main!r} of {project_dir} does not exist")


def _stack_from_files(config_dir: Path) -> str:
    stems = sorted(
        p.name[len("Pulumi.") : -len(p.suffix)]
        for p in config_dir.glob("Pulumi.*.y*ml")
        if p.suffix in (".yaml", ".yml")
    )
    return stems[0] if stems else DEFAULT_STACK


def _config_value(value: Any) -> tuple[str, bool]:
    """Serialise one config value as the CLI hands it to programs; returns (value, is_secret)."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int | float):
        return str(value), False
    return json.dumps(value, separators=(",", ":")), False


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_program(program_dir: Path | str = ".", stack: str | None = None) -> ProgramSpec:
    """Read ``Pulumi.yaml`` and the stack's ``Pulumi.<stack>.yaml`` below ``program_dir``."""
    project_dir = Path(program_dir).resolve()
    if not project_dir.is_dir():
        raise ProgramLoadError(f"{program_dir} is not a directory")
    project_file = find_project_file(project_dir)
    project_doc = _read_yaml(project_file)
    if not isinstance(project_doc, dict) or not isinstance(project_doc.get("name"), str):
        raise ProgramLoadError(f"{project_file} has no project name")
    project: str = project_doc["name"]
    runtime = project_doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise ProgramLoadError(f"{project_file}: runtime {runtime_name!r} is not supported (python only)")
    main = project_doc.get("main")
    if main is not None and not isinstance(main, str):
        raise ProgramLoadError(f"{project_file}: main must be a path, not {main!r}")
    main_dir, main_file = _resolve_main(project_dir, main)

    config_dir = project_dir / str(project_doc.get("stackConfigDir") or ".")
    stack_name = stack or _stack_from_files(config_dir)

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    # Project-level defaults first; the stack file overrides them.
    project_config = project_doc.get("config") or {}
    if isinstance(project_config, dict):
        for key, spec in project_config.items():
            raw = spec.get("default", spec.get("value")) if isinstance(spec, dict) else spec
            if raw is not None:
                config[_qualify(project, str(key))], _ = _config_value(raw)

    stack_file: Path | None = None
    for suffix in (".yaml", ".yml"):
        candidate = config_dir / f"Pulumi.{stack_name}{suffix}"
        if candidate.is_file():
            stack_file = candidate
            break
    notes: list[str] = []
    if stack_file is None and stack is not None and any(config_dir.glob("Pulumi.*.y*ml")):
        # An explicit stack without a config file is fine for Pulumi, but is usually a typo here.
        notes.append(f"no {config_dir / f'Pulumi.{stack_name}.yaml'}; running with no stack config")
    if stack_file is not None:
        doc = _read_yaml(stack_file) or {}
        if not isinstance(doc, dict):
            raise ProgramLoadError(f"{stack_file} is not a mapping")
        stack_config = doc.get("config") or {}
        if not isinstance(stack_config, dict):
            raise ProgramLoadError(f"{stack_file}: config is not a mapping")
        for key, raw in stack_config.items():
            qualified = _qualify(project, str(key))
            value, secret = _config_value(raw)
            config[qualified] = value
            if secret:
                secret_keys.append(qualified)
    return ProgramSpec(
        project_dir=project_dir,
        project=project,
        main_dir=main_dir,
        main_file=main_file,
        stack=stack_name,
        stack_config_file=stack_file,
        config=config,
        secret_keys=tuple(secret_keys),
        notes=tuple(notes),
    )


@contextlib.contextmanager
def program_context(spec: ProgramSpec) -> Iterator[None]:
    """Working directory and import path as the Python language host sets them; undone afterwards.

    Wrap the whole mocked run in it, not just the main module: ``apply`` callbacks run later and
    may read files relative to the program.
    """
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    main_dir = str(spec.main_dir)
    # The language host starts a fresh interpreter: the program's own modules (a `helpers.py` next
    # to `__main__.py`) win over same-named modules this process already imported. Set those aside.
    local_names = {
        entry.stem if entry.suffix == ".py" else entry.name
        for entry in spec.main_dir.iterdir()
        if (entry.suffix == ".py" and entry.is_file()) or (entry / "__init__.py").is_file()
    }
    shadowed = {
        name: module
        for name, module in list(sys.modules.items())
        if name.split(".", 1)[0] in local_names and name != "__main__"
    }
    for name in shadowed:
        del sys.modules[name]
    before = set(sys.modules)
    os.chdir(spec.main_dir)
    sys.path.insert(0, main_dir)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        # Forget the program's own modules so that another program with the same module names
        # (two stacks each with a `handlers` package) does not see this one's.
        forgotten: set[str] = set()
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(main_dir + os.sep) and "site-packages" not in module_file:
                del sys.modules[name]
                forgotten.add(name)
        _forget_resource_modules(forgotten)
        sys.modules.update(shadowed)


def _forget_resource_modules(module_names: set[str]) -> None:
    """Drop resource-module registrations made by the program's own packages (a vendored SDK).

    A generated SDK registers its modules when imported and refuses a second registration; the
    program's modules are imported afresh by the next run in this process, so theirs must go.
    """
    from pulumi.runtime import rpc

    for key, modules in list(rpc._RESOURCE_MODULES.items()):
        kept = [m for m in modules if type(m).__module__.split(".", 1)[0] not in module_names]
        if kept:
            rpc._RESOURCE_MODULES[key] = kept
        else:
            del rpc._RESOURCE_MODULES[key]


SourceLines = dict[tuple[str, str], int]


def _line_in(filename: str) -> int | None:
    """The line of the innermost frame executing ``filename`` (the statement creating a resource)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            return frame.f_lineno
        frame = frame.f_back
    return None


def program_callable(
    spec: ProgramSpec,
    source_lines: SourceLines | None = None,
    on_resource: Callable[[int], None] | None = None,
) -> Callable[[], None]:
    """A function that runs the program's main module as ``__main__`` (for ``run_program``).

    With ``source_lines``, a no-op stack transformation notes for each resource ``(type, name)`` the
    line of the main file whose statement created it (for a component's children: the line creating
    the component), so reports can point at it; ``on_resource`` is called with the running count.
    """
    filename = str(spec.main_file)
    count = 0

    def note_line(args: pulumi.ResourceTransformationArgs) -> None:
        nonlocal count
        if source_lines is not None:
            line = _line_in(filename)
            if line is not None:
                source_lines.setdefault((args.type_, args.name), line)
        if on_resource is not None:
            count += 1
            on_resource(count)
        return None

    def run() -> None:
        if source_lines is not None or on_resource is not None:
            pulumi.runtime.register_stack_transformation(note_line)
        runpy.run_path(filename, run_name="__main__")

    return run
