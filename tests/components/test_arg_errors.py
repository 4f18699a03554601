"""Argument errors in the component's own terms: one line per problem, rewritten pydantic messages,
the component's name and the program line, never a value."""

from __future__ import annotations

import datetime as dt

import pulumi
import pytest
from pydantic import ValidationError

from secure_serverless import Grant, SecureFunction, SecureFunctionArgs
from secure_serverless.arg_errors import ArgumentError

CODE = pulumi.AssetArchive({})


def _error(**overrides: object) -> ArgumentError:
    with pytest.raises(ArgumentError) as info:
        SecureFunctionArgs(**{"handler": "app.handler", "code": CODE, **overrides})  # type: ignore[arg-type]
    return info.value


def test_is_a_validation_error_with_one_line_per_problem_and_pydantic_types() -> None:
    error = _error(memory_size=64, timeout="soon", tracing="Off")
    assert isinstance(error, ValidationError)
    assert str(error).splitlines() == [
        "SecureFunctionArgs: memory_size: 64 is out of range. Fix: use a value from 128 to 10240 (MB of memory).",
        "SecureFunctionArgs: timeout: must be a whole number, not str. Fix: pass a whole number from 1 to 900 "
        "(seconds before the invocation is stopped).",
        "SecureFunctionArgs: tracing: must be 'Active' or 'PassThrough'.",
    ]
    assert [e["type"] for e in error.errors()] == ["greater_than_equal", "int_parsing", "literal_error"]
    assert error.__context__ is None and error.__cause__ is None  # pydantic's error holds the input values


def test_unknown_fields_get_did_you_mean_or_the_list_or_the_pulumi_aws_equivalent() -> None:
    assert "Fix: did you mean 'log_retention_in_days'?" in str(_error(log_retention_days=30))
    assert "Fix: use one of: handler, code, runtime" in str(_error(colour="blue"))
    assert "creates the function's own role; declare access with grants" in str(_error(role="arn:aws:iam::1:role/x"))


def test_missing_and_pattern_fields_are_explained_in_words() -> None:
    with pytest.raises(ArgumentError) as info:
        SecureFunctionArgs(code=CODE)  # type: ignore[call-arg]
    assert str(info.value) == (
        "SecureFunctionArgs: handler: is required. "
        "Fix: handler='app.handler' for def handler(event, context) in app.py."
    )
    message = str(_error(handler="app:handler"))
    assert "without '.py'" in message and "a dot, then the function's name" in message
    assert "letters, digits, '-' and '_' (1 to 64 characters)" in str(_error(function_name="orders api"))


def test_function_url_says_why_only_aws_iam() -> None:
    message = str(_error(function_url="NONE"))
    assert "only 'AWS_IAM' is allowed: a function URL with authorization NONE is a public endpoint" in message
    assert "Fix: function_url='AWS_IAM'" in message


def test_reserved_tag_prefixes_get_the_right_advice() -> None:
    aws = str(_error(tags={"aws:cloudformation:stack-name": "x"}))
    assert "reserved for tags AWS sets itself" in aws
    assert "Fix: rename the key without the prefix, e.g. 'cloudformation:stack-name'." in aws
    assert "waivers" not in aws  # a waiver is not the fix for an aws: tag
    ours = str(_error(tags={"secure-serverless:waiver:lambda-vpc": "x"}))
    assert "written by the component to record waivers" in ours and "waivers=[Waiver(" in ours


def test_nested_values_name_their_full_path() -> None:
    waiver = {"policy": "logs-retention-set", "reason": "short", "expires": dt.date.today() + dt.timedelta(days=9)}
    assert "SecureFunctionArgs: waivers[0].reason: needs at least 20 characters." in str(_error(waivers=[waiver]))
    assert "layers[1]: must be a string or a pulumi Output." in str(
        _error(layers=["arn:aws:lambda:eu-west-1:123456789012:layer:deps:3", 7])
    )
    assert "grants[0].actions: needs at least 1 item." in str(_error(grants=[{"actions": [], "resources": ["*"]}]))


def test_values_are_never_echoed() -> None:
    credential = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    error = _error(environment={"TOKEN": credential}, memroy=credential)
    assert credential not in str(error) and credential not in repr(error)


def test_component_name_and_program_line() -> None:
    with pytest.raises(ArgumentError) as info:
        SecureFunction("orders-api", SecureFunctionArgs(handler="app", code=CODE))
    error = info.value
    assert error.component == "orders-api"
    assert str(error).startswith("SecureFunction 'orders-api': handler: ")
    assert error.location is not None and error.location.filename == __file__
    with pytest.raises(ArgumentError) as standalone:
        Grant(actions=["s3:GetObject"], resources=["bucket"])
    assert str(standalone.value).startswith("Grant: resources: 'bucket' is not an ARN.")
