"""Behaviour model and controlled quarantine for SecureFunctions.

* :mod:`.model` - the behaviour model (pure data, versioned shape) and :mod:`.model_outputs` (as an Output)
* :class:`Quarantine` - detection (CloudTrail denials, alarms) and response, one per stack
* :mod:`.responder` - the handler's code, shipped inside its archive (no pulumi import)
* :mod:`.cli` - ``secure-serverless model`` and ``secure-serverless quarantine status|release|drill``

Names are loaded lazily: the responder is shipped inside a function and must not import pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secure_serverless.quarantine.args import ProtectedFunction, QuarantineArgs
    from secure_serverless.quarantine.component import Quarantine

__all__ = ["ProtectedFunction", "Quarantine", "QuarantineArgs"]

_LAZY = {
    "ProtectedFunction": "secure_serverless.quarantine.args",
    "QuarantineArgs": "secure_serverless.quarantine.args",
    "Quarantine": "secure_serverless.quarantine.component",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'secure_serverless.quarantine' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
