"""Where the policy pack is, which version it is, and whether this environment can run it.

The pack's source is ``policy_packs/secure_serverless`` at the repository top; the wheel ships a copy
as ``secure_serverless/_pack`` (see setup.py). ``check`` looks for it in this order: ``--pack``, then
``policy_packs/secure_serverless`` upward from the program, then the copy inside the installed package
(in a source checkout, the repository's own pack).
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

DISTRIBUTION = "secure-serverless"
PACK_SUBDIR = Path("policy_packs") / "secure_serverless"
PACK_MARKER = "PulumiPolicy.yaml"
REQUIREMENTS = "requirements.txt"

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # .../secure_serverless
#: The pack inside an installed wheel.
INSTALLED_PACK = _PACKAGE_DIR / "_pack"
#: The pack of a source checkout (editable installs: components/secure_serverless -> repository top).
SOURCE_PACK = _PACKAGE_DIR.parents[1] / PACK_SUBDIR

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*$")


class PackError(Exception):
    """The pack cannot be found or cannot run here; the message names the fix."""


def package_version() -> str:
    """The installed distribution's version: the version of the CLI, the components and the pack."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def is_pack(directory: Path) -> bool:
    return (directory / PACK_MARKER).is_file()


def bundled_pack_dir() -> Path:
    """The pack that came with this installation (wheel: inside the package; checkout: the repository's)."""
    for candidate in (INSTALLED_PACK, SOURCE_PACK):
        if is_pack(candidate):
            return candidate
    raise PackError(
        f"this installation of {DISTRIBUTION} has no policy pack (looked in {INSTALLED_PACK}); "
        f"reinstall it (pip install --force-reinstall {DISTRIBUTION}) or pass --pack DIR"
    )


def find_pack_dir(program_dir: Path | None = None) -> Path:
    """``policy_packs/secure_serverless`` upward from ``program_dir``, else the bundled pack."""
    if program_dir is not None:
        start = program_dir.resolve()
        for root in (start, *start.parents):
            if is_pack(root / PACK_SUBDIR):
                return root / PACK_SUBDIR
    return bundled_pack_dir()


@dataclass(frozen=True)
class Requirement:
    """One line of the pack's requirements.txt: a distribution name and its version specifier."""

    name: str
    specifier: str  # e.g. "==0.15.2", or "" for any version

    @property
    def line(self) -> str:
        return f"{self.name}{self.specifier}"


def read_requirements(pack_dir: Path) -> list[Requirement]:
    """The distributions the pack's requirements.txt names (comments, options and markers ignored)."""
    path = pack_dir / REQUIREMENTS
    if not path.is_file():
        return []
    requirements: list[Requirement] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = _REQUIREMENT.match(line)
        if match is not None:
            requirements.append(Requirement(match.group(1), match.group(3).replace(" ", "")))
    return requirements


def installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def missing_requirements(pack_dir: Path) -> list[Requirement]:
    """Requirements of the pack that are not installed in this environment at all.

    A different installed version is accepted: the pack runs in this process, and the pins in
    requirements.txt are for the environment the Pulumi engine builds for it.
    """
    return [r for r in read_requirements(pack_dir) if installed_version(r.name) is None]


def ensure_requirements(pack_dir: Path) -> None:
    """Refuse to start when the pack needs a distribution this environment lacks (names the pip install)."""
    missing = missing_requirements(pack_dir)
    if missing:
        names = ", ".join(r.name for r in missing)
        quoted = " ".join(f"'{r.line}'" for r in missing)
        raise PackError(
            f"the policy pack in {pack_dir} needs {names}, which {'is' if len(missing) == 1 else 'are'} "
            f"not installed in this environment. Run: pip install {quoted}"
        )
