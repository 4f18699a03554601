"""Least-privilege review: what each function may do, what it did, and what changed outside the program.

Layers, data flowing one way: ``declared`` (the program's resources -> each function's role and
statements) and ``cloudtrail`` (trail records -> API calls) feed ``compare`` (pure: findings per
function); ``live`` reads the same facts from AWS with read-only calls; ``render`` writes text, JSON
and SARIF; ``cli`` wires them to ``secure-serverless review``.
"""
