"""What SecureFunction, the policy pack and the checker must agree on, defined once.

Standard library only, and relative imports only: the policy pack cannot import this distribution
(the engine builds the pack's environment from its requirements.txt alone), so the pack ships a
byte-identical copy of this package as ``guardrails/contract``; a test compares the two folders.
"""
