"""What the check command is asked to judge: the project (found upward as the Pulumi CLI does), the
stack, stand-ins for encrypted config values. Every error names the file or flag to fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from secure_serverless.check.program import PROJECT_FILES, SECRET_PLACEHOLDER, ProgramSpec

CONFIG_VALUE_FLAG = "--config-value"


class InputError(Exception):
    """The command line names something that does not exist or does not fit (exit 2)."""


def find_project_dir(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding a Pulumi.yaml (what `pulumi` does without -C)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    raise InputError(f"no Pulumi.yaml in {start} or any directory above it; pass the program directory")


def _project_document(project_dir: Path) -> dict[str, Any]:
    for name in PROJECT_FILES:
        path = project_dir / name
        if path.is_file():
            try:
                document = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                return {}  # load_program reports it, naming the file
            return document if isinstance(document, dict) else {}
    return {}


def existing_stacks(config_dir: Path) -> list[str]:
    return sorted(
        p.name[len("Pulumi.") : -len(p.suffix)]
        for p in config_dir.glob("Pulumi.*.y*ml")
        if p.suffix in (".yaml", ".yml")
    )


def check_stack_exists(project_dir: Path, stack: str | None) -> None:
    """``--stack NAME`` must have its Pulumi.NAME.yaml when the project has stack files (a typo otherwise)."""
    if stack is None:
        return
    config_dir = project_dir / str(_project_document(project_dir).get("stackConfigDir") or ".")
    stacks = existing_stacks(config_dir)
    if stacks and stack not in stacks:
        close = difflib.get_close_matches(stack, stacks, n=1)
        hint = f"did you mean --stack {close[0]}? " if close else ""
        raise InputError(
            f"stack {stack!r} has no {config_dir / f'Pulumi.{stack}.yaml'}; {hint}"
            f"stacks of this project: {', '.join(stacks)}"
        )


def parse_config_values(items: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs of ``--config-value`` (the value may itself contain '=')."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            # The item is not echoed: it may be a secret typed without its key.
            raise InputError(f"{CONFIG_VALUE_FLAG} needs KEY=VALUE, e.g. {CONFIG_VALUE_FLAG} dbPassword=stand-in")
        values[key.strip()] = value
    return values


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def with_config_values(spec: ProgramSpec, values: Mapping[str, str] | None) -> ProgramSpec:
    """The spec with ``--config-value`` stand-ins; a stand-in for a secret key stays secret."""
    if not values:
        return spec
    config = dict(spec.config)
    for key, value in values.items():
        config[_qualify(spec.project, key)] = value
    return replace(spec, config=config)


def unsupplied_secrets(spec: ProgramSpec, values: Mapping[str, str] | None) -> list[str]:
    """Encrypted (``secure:``) keys the program sees only as the placeholder."""
    given = {_qualify(spec.project, key) for key in values or {}}
    return [key for key in spec.secret_keys if key not in given]


def secret_hint(spec: ProgramSpec, values: Mapping[str, str] | None) -> str:
    """A sentence naming each encrypted key without a stand-in and the flag that supplies one."""
    keys = unsupplied_secrets(spec, values)
    if not keys:
        return ""
    where = spec.stack_config_file.name if spec.stack_config_file else "the stack config"
    flags = " ".join(f"{CONFIG_VALUE_FLAG} {key}=VALUE" for key in keys)
    return (
        f"{where} holds encrypted (secure:) value{'s' if len(keys) != 1 else ''} for {', '.join(keys)}, which "
        f"the offline check cannot decrypt; the program sees {SECRET_PLACEHOLDER!r} instead. If it needs a "
        f"realistic value, pass a stand-in: {flags}"
    )


def refuse_conflicts(program_dir: str | None, stack_export: Path | None) -> None:
    """PROGRAM_DIR and --stack-export judge different things: one of them, never both."""
    if stack_export is not None and program_dir is not None:
        raise InputError(
            f"PROGRAM_DIR ({program_dir}) and --stack-export ({stack_export}) exclude each other: "
            "--stack-export judges a deployed stack, PROGRAM_DIR a program; pass one"
        )
