"""Names the component shares with the policy pack (the pack never imports the component, so the
registry test in tests/ checks that these stay equal to the pack's policy names)."""

from __future__ import annotations

POLICY_NAMES: frozenset[str] = frozenset(
    {
        "lambda-env-kms-encrypted",
        "lambda-no-secrets-in-env",
        "lambda-tracing-active",
        "lambda-reserved-concurrency",
        "lambda-failure-destination",
        "lambda-runtime-supported",
        "lambda-log-group-explicit",
        "lambda-code-signing",
        "lambda-vpc",
        "lambda-required-tags",
        "lambda-url-auth-iam",
        "lambda-permission-scoped",
        "iam-no-wildcard-actions",
        "iam-no-wildcard-resources",
        "iam-no-admin-managed-policies",
        "iam-no-privilege-escalation",
        "iam-lambda-trust-scoped",
        "iam-lambda-trust-source-account",
        "iam-role-not-shared",
        "iam-permissions-boundary",
        "iam-secret-read-scoped",
        "kms-key-rotation-enabled",
        "kms-key-policy-no-wildcard-principal",
        "logs-retention-set",
        "logs-kms-encrypted",
        "secrets-cmk-encrypted",
        "secrets-rotation-enabled",
        "sqs-encrypted",
        "sns-encrypted",
        "monitoring-function-alarms",
        "kms-no-cross-account-access",
        "sqs-no-public-access",
        "sns-no-public-access",
        "secrets-no-public-access",
        "ssm-no-plaintext-credentials",
    }
)

# The pack's default list of policies that no waiver can silence.
NON_WAIVABLE: frozenset[str] = frozenset({"iam-no-admin-managed-policies", "lambda-url-auth-iam"})

WAIVER_TAG_PREFIX = "secure-serverless:waiver:"

# Runtimes AWS supports for new functions on the pack's date (deprecated ones such as python3.10,
# nodejs20.x, dotnet8 or provided.al2 are refused); kept equal to the pack's default allow-list.
SUPPORTED_RUNTIMES: frozenset[str] = frozenset(
    {
        "python3.11", "python3.12", "python3.13", "python3.14",
        "nodejs22.x", "nodejs24.x",
        "java21", "java25",
        "dotnet10",
        "ruby3.3", "ruby3.4",
        "provided.al2023",
    }
)

# X-Ray actions, which AWS only accepts on Resource "*".
XRAY_ACTIONS: tuple[str, ...] = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
