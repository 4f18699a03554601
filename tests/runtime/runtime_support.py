"""Helpers for the runtime tests: paths, a fake Lambda context, captured stdout."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The package (when not installed) and the example handlers, imported by module name as Lambda does.
for _path in (ROOT / "components", ROOT / "stacks" / "handlers"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


@dataclass
class FakeContext:
    function_name: str = "orders-fn"
    aws_request_id: str = "6f1c2a3b-aaaa-bbbb-cccc-000000000001"
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn"
    memory_limit_in_mb: int = 256


@dataclass
class Captured:
    """What the helper wrote to stdout, split into security log lines and EMF documents."""

    raw: str
    logs: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
