"""Lambda trigger changes the rule tests apply to the stack SecureFunction registers."""

from __future__ import annotations

from typing import Any

from secure_serverless.contract import types as t

from support.pack import Change
from support.stacks import Stack, add, find, patch, physical, raw


def permission(principal: str, **inputs: Any) -> Change:
    def change(stack: Stack) -> Stack:
        return add(stack, raw(t.PERMISSION, "orders-invoke", {
            "action": "lambda:InvokeFunction", "function": physical(stack, "orders"), "principal": principal, **inputs,
        }, deps={"function": [find(stack, "orders").urn]}))
    return change


def function_url(auth: str) -> Change:
    def change(stack: Stack) -> Stack:
        return add(stack, raw(t.FUNCTION_URL, "orders-url", {
            "functionName": physical(stack, "orders"), "authorizationType": auth,
        }, deps={"functionName": [find(stack, "orders").urn]}))
    return change


def no_dead_letter(stack: Stack) -> Stack:
    return patch(stack, "orders", drop=["deadLetterConfig"])
