"""secure-serverless: AWS Lambda functions that are secure by default.

The public names are loaded lazily so that ``secure_serverless.runtime`` (shipped inside
functions) can be imported without pulling in pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secure_serverless.args import Grant, SecureFunctionArgs, VpcConfig, Waiver
    from secure_serverless.function import SecureFunction

__all__ = ["Grant", "SecureFunction", "SecureFunctionArgs", "VpcConfig", "Waiver"]

_LAZY = {
    "Grant": "secure_serverless.args",
    "SecureFunctionArgs": "secure_serverless.args",
    "VpcConfig": "secure_serverless.args",
    "Waiver": "secure_serverless.args",
    "SecureFunction": "secure_serverless.function",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_serverless' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
