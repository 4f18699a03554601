"""Resource type tokens the guardrails judge (defined in the contract, shared with SecureFunction)."""

from guardrails.contract.types import *  # noqa: F403
