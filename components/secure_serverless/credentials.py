"""Credential detection for SecureFunction's environment: the shared contract's one detector.

The policy pack's lambda-no-secrets-in-env and ssm-no-plaintext-credentials call the same function
(its byte-identical copy in guardrails/contract), so a value SecureFunction accepts is never refused
at deploy time, and the other way round.
"""

from __future__ import annotations

from secure_serverless.contract.credentials import ENTROPY_THRESHOLD, credential_kind, shannon_entropy

__all__ = ["ENTROPY_THRESHOLD", "credential_kind", "shannon_entropy"]
