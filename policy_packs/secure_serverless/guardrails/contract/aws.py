"""AWS facts SecureFunction and the pack both rely on: supported runtimes and the X-Ray actions."""

from __future__ import annotations

# Runtimes AWS supports for new functions on the pack's date. Deprecated ones (python3.10,
# nodejs20.x, dotnet8, provided.al2, ...) are refused by SecureFunction and by the pack's default
# allow-list of lambda-runtime-supported.
SUPPORTED_RUNTIMES: tuple[str, ...] = (
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "nodejs22.x",
    "nodejs24.x",
    "java21",
    "java25",
    "dotnet10",
    "ruby3.3",
    "ruby3.4",
    "provided.al2023",
)

# X-Ray actions, which AWS accepts only on Resource "*": SecureFunction grants them so, and the
# pack's iam-no-wildcard-resources allows them so by default.
XRAY_ACTIONS: tuple[str, ...] = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
