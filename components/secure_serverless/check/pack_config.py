"""A policy pack config (`--config FILE`) checked against the pack's own policies before anything runs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ALL_POLICIES_KEY = "all"


class PackConfigError(Exception):
    """The config names a policy the pack does not have, or a level that does not exist."""


def _level_error(where: str, level: Any) -> str | None:
    if isinstance(level, str) and level in LEVELS:
        return None
    shown = repr(level) if isinstance(level, str | int | float | bool) or level is None else type(level).__name__
    return f"{where}: {shown} is not an enforcement level; use one of {', '.join(LEVELS)}"


def validate_pack_config(config: Mapping[str, Any], policy_names: Iterable[str], source: Path | str) -> None:
    """Refuse unknown policy names (with "did you mean") and bad levels (naming the key), naming the file."""
    names = sorted(set(policy_names))
    problems: list[str] = []
    for key, value in config.items():
        if key != ALL_POLICIES_KEY and key not in names:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"the pack's policies: {', '.join(names)}"
            problems.append(f"{key!r} is not a policy of the pack; {hint}")
            continue
        if isinstance(value, dict):
            if "enforcementLevel" in value:
                error = _level_error(f"{key}.enforcementLevel", value["enforcementLevel"])
                if error:
                    problems.append(error)
        else:
            error = _level_error(key, value)
            if error:
                problems.append(error)
    if problems:
        raise PackConfigError(f"pack config {source}: " + "; ".join(problems))
