"""Kept for test modules written before tests/support: the pack helpers now live in ``support.pack``."""

from support.pack import analyse, analyzer, by_policy, messages, name_of, violations

__all__ = ["analyse", "analyzer", "by_policy", "messages", "name_of", "violations"]
