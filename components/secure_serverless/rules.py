"""Value rules shared by argument validation (plain values) and apply-time validation (Outputs).

Each ``check_*`` raises ``ValueError`` whose message says what is wrong and how to fix it; the
caller adds the field name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator
from typing import Any

from secure_serverless.contract.policies import IAM_NO_WILDCARD_RESOURCES

# the one definition of a wildcard, shared with the policy pack (re-exported for args and function)
from secure_serverless.contract.wildcards import is_wildcard_action as is_wildcard_action
from secure_serverless.contract.wildcards import is_wildcard_resource as is_wildcard_resource
from secure_serverless.credentials import credential_kind

_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):([a-z0-9\-]+):([a-z0-9\-]*):(\d{12}|aws|):(.+)$")
_ACTION = re.compile(r"^[a-z0-9\-]+:[A-Za-z0-9*?]+$")
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Lambda sets these itself; overriding them breaks the runtime or hides what ran.
_RESERVED_ENV = re.compile(
    r"^(_HANDLER|_X_AMZN_TRACE_ID|AWS_REGION|AWS_EXECUTION_ENV|AWS_LAMBDA_\w+|AWS_ACCESS_KEY(_ID)?|"
    r"AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR|AWS_XRAY_\w+)$"
)
_SECRET_SUFFIX = re.compile(r"-([A-Za-z0-9]{6}|\?{6})$")


def check_arn(value: str, *, service: str, what: str, resource_prefix: str = "") -> None:
    match = _ARN.match(value)
    if not match or match.group(2) != service or not match.group(5).startswith(resource_prefix):
        raise ValueError(f"{value!r} is not {what} (arn:aws:{service}:...:{resource_prefix}...)")


def check_action(action: str) -> None:
    if action == "*":
        raise ValueError("action '*' grants every AWS action; list the exact actions, e.g. 'dynamodb:GetItem'")
    if not _ACTION.match(action):
        raise ValueError(f"{action!r} is not an IAM action; write 'service:Action', e.g. 'dynamodb:GetItem'")


def check_resource_arn(resource: str) -> None:
    if resource == "*" or _ARN.match(resource):
        return
    raise ValueError(f"{resource!r} is not an ARN; grant on exact ARNs such as table.arn")


def check_grant_resource(resource: str, waived: Collection[str]) -> None:
    """A grant's resource: an ARN, and no wildcard resource unless ``waived`` holds its policy."""
    check_resource_arn(resource)
    if is_wildcard_resource(resource) and IAM_NO_WILDCARD_RESOURCES not in waived:
        raise ValueError(
            f"{resource!r} grants every resource; name exact ARNs, or add "
            f"Waiver(policy='{IAM_NO_WILDCARD_RESOURCES}', ...)"
        )


def check_secret_arn(arn: str) -> None:
    match = _ARN.match(arn)
    if match and match.group(2) == "secretsmanager":
        resource = match.group(5)
        if not resource.startswith("secret:"):
            raise ValueError(f"{arn!r} is not a secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:...)")
        if "*" in resource:
            raise ValueError(
                f"{arn!r}: '*' can match other secrets; use the full ARN or '<name>-??????' for the suffix"
            )
        if not _SECRET_SUFFIX.search(resource):
            raise ValueError(
                f"{arn!r} lacks the 6-character suffix Secrets Manager adds; use secret.arn or '<name>-??????'"
            )
        return
    if match and match.group(2) == "ssm":
        if not match.group(5).startswith("parameter/") or "*" in match.group(5):
            raise ValueError(f"{arn!r}: name one SSM parameter, arn:aws:ssm:<region>:<account>:parameter/<name>")
        return
    raise ValueError(
        f"{arn!r} is not a Secrets Manager secret ARN or an SSM parameter ARN; pass secret.arn / parameter.arn"
    )


def check_kms_key_arn(arn: str) -> None:
    match = _ARN.match(arn)
    if not match or match.group(2) != "kms" or not match.group(5).startswith("key/") or "*" in arn:
        raise ValueError(f"{arn!r} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)")


def check_env_name(name: str) -> None:
    if not _ENV_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid variable name; use letters, digits and _ (start with a letter)")
    if _RESERVED_ENV.match(name):
        raise ValueError(f"{name!r} is reserved by Lambda; choose another name")


def check_env_value(name: str, value: str) -> None:
    kind = credential_kind(name, value)
    if kind is not None:
        raise ValueError(
            f"{name} looks like {kind}; never pass secrets by value: store it in Secrets Manager, add the "
            "secret's ARN to `secrets` and pass the ARN (e.g. environment={'"
            f"{name}_ARN': secret.arn}})"
        )


def check_tag(key: str, value: str) -> None:
    if not 1 <= len(key) <= 128 or len(value) > 256:
        raise ValueError(f"tag {key!r}: keys are 1-128 characters and values at most 256")
    if key.lower().startswith(("aws:", "secure-serverless:")):
        raise ValueError(f"tag {key!r}: the 'aws:' and 'secure-serverless:' prefixes are reserved; use `waivers`")
    if not re.fullmatch(r"[\w .:/=+\-@]*", key + value):
        raise ValueError(f"tag {key!r}: use letters, digits, spaces and _ . : / = + - @ only")


_LAYER = re.compile(r"^arn:aws[a-z\-]*:lambda:[a-z0-9\-]+:\d{12}:layer:[A-Za-z0-9_\-]+:\d+$")


def check_layer_arn(arn: str) -> None:
    if not _LAYER.match(arn):
        raise ValueError(
            f"{arn!r} is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)"
        )


# SecureFunctionArgs fields holding ARNs, and the rule each value must pass. The args model checks
# plain strings with it; the component checks pulumi Outputs with the same rule inside apply.
ARN_FIELDS: dict[str, Callable[[str], None]] = {
    "secrets": check_secret_arn,
    "secret_kms_key_arns": check_kms_key_arn,
    "kms_key_arn": check_kms_key_arn,
    "alarm_topic_arn": functools.partial(check_arn, service="sns", what="an SNS topic ARN"),
    "permissions_boundary_arn": functools.partial(
        check_arn, service="iam", what="an IAM managed policy ARN", resource_prefix="policy/"
    ),
    "code_signing_config_arn": functools.partial(
        check_arn, service="lambda", what="a code signing config ARN", resource_prefix="code-signing-config:"
    ),
    "layers": check_layer_arn,
}


def field_items(field: str, value: Any) -> Iterator[tuple[str, Any]]:
    """(path, item) for a scalar or list field: ``("kms_key_arn", v)`` or ``("layers[0]", v)``, ..."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{field}[{index}]", item
    elif value is not None:
        yield field, value
