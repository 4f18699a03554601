"""Entry point the engine runs (`python -m pulumi.policy <engine> <pack dir>`): build the pack, serve it."""

from pulumi_policy import PolicyPack

from guardrails import pack_arguments

PolicyPack(**pack_arguments())
