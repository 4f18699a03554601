"""Offline guardrail check: run a Pulumi program under mocks, judge it with the policy pack, report."""
