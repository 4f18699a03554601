"""`secure-serverless pack install DIR`: a ready policy pack directory for the Pulumi CLI.

The directory holds what `pulumi preview --policy-pack DIR` and `pulumi policy publish DIR` need:
PulumiPolicy.yaml (with this package's version), ``__main__.py``, the ``guardrails`` package and a
requirements.txt pinned to the versions installed here, so the engine's pack environment runs the
rules with the same libraries the offline check used.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any, TextIO

import yaml

from secure_serverless.check.packs import (
    PACK_MARKER,
    REQUIREMENTS,
    PackError,
    bundled_pack_dir,
    installed_version,
    is_pack,
    package_version,
    read_requirements,
)
from secure_serverless.check.results import EXIT_CLEAN, EXIT_ERROR

_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", PACK_MARKER, REQUIREMENTS)


def pinned_requirements(source: Path) -> tuple[str, list[str]]:
    """requirements.txt pinned to the installed versions, and the requirements not installed here."""
    lines = ["# Pinned by `secure-serverless pack install` to the versions installed with it."]
    unpinned: list[str] = []
    for requirement in read_requirements(source):
        version = installed_version(requirement.name)
        if version is None:
            unpinned.append(requirement.line)
            lines.append(requirement.line)
        else:
            lines.append(f"{requirement.name}=={version}")
    return "\n".join(lines) + "\n", unpinned


def policy_yaml(source: Path, version: str) -> str:
    document: Any = yaml.safe_load((source / PACK_MARKER).read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise PackError(f"{source / PACK_MARKER} is not a mapping")
    document["version"] = version
    return yaml.safe_dump(document, sort_keys=False)


def install_pack(target: Path, *, source: Path | None = None, force: bool = False) -> list[str]:
    """Write the pack into ``target`` (created; replaced with ``force``). Returns the unpinned requirements.

    The pack is written into a temporary sibling first and moved into place: a failure leaves no
    half-written pack behind.

    Examples
    --------
    >>> install_pack(Path("policy"))  # doctest: +SKIP
    []
    """
    source = source or bundled_pack_dir()
    target = target.resolve()
    if target.exists():
        if not target.is_dir():
            raise PackError(f"{target} exists and is not a directory")
        if any(target.iterdir()):
            if not is_pack(target):
                raise PackError(f"{target} is not empty and holds no policy pack; choose a new directory")
            if not force:
                raise PackError(f"{target} already holds a policy pack; pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    requirements, unpinned = pinned_requirements(source)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(source, staging, ignore=_SKIP, dirs_exist_ok=True)
        (staging / PACK_MARKER).write_text(policy_yaml(source, package_version()), encoding="utf-8")
        (staging / REQUIREMENTS).write_text(requirements, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return unpinned


def run_pack_install(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    target = Path(args.directory)
    try:
        unpinned = install_pack(target, force=args.force)
    except (PackError, OSError) as error:
        stderr.write(f"secure-serverless pack install: error: {error}\n")
        return EXIT_ERROR
    for line in unpinned:
        stderr.write(f"secure-serverless pack install: warning: {line} is not installed here; left unpinned\n")
    stdout.write(
        f"policy pack {package_version()} written to {target}\n"
        f"  pulumi preview --policy-pack {target}\n"
        f"  pulumi policy publish {target}\n"
    )
    return EXIT_CLEAN


def register(commands: Any) -> None:
    """Add the ``pack`` command (``commands`` is the parser's subparsers object)."""
    pack = commands.add_parser("pack", help="write the policy pack for the Pulumi CLI")
    pack_commands = pack.add_subparsers(dest="pack_command", metavar="COMMAND", required=True)
    install = pack_commands.add_parser(
        "install",
        help="write a ready policy pack directory (PulumiPolicy.yaml, rules, pinned requirements.txt)",
        description="Write the secure-serverless policy pack into DIR, for `pulumi preview --policy-pack DIR` "
        "and `pulumi policy publish DIR`. requirements.txt is pinned to the versions installed here.",
    )
    install.add_argument("directory", metavar="DIR", help="directory to create (must be empty or absent)")
    install.add_argument("--force", action="store_true", help="replace a policy pack already in DIR")
    install.set_defaults(handler=run_pack_install)
