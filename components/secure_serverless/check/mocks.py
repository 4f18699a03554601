"""Run a Pulumi program under mocks and record every resource it registers.

The recording monitor keeps what the engine would hand to a policy pack: type token, name, URN,
parent, provider, dependencies and the inputs exactly as serialised on the wire (camelCase names,
numbers as floats, unknowns as the engine's sentinel, secrets as signature maps). The mocks answer
with realistic AWS outputs (ARNs, ids, names) so that no input built from another resource's
output is dropped.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi.runtime
import pulumi.runtime.settings
from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_pulumi_func

from secure_serverless.check.model import RecordedResource

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "eu-west-1"

STACK_TYPE = "pulumi:pulumi:Stack"


def _short_hash(text: str, length: int = 7) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


class AwsMocks(Mocks):
    """Mocks that return the outputs AWS would: physical names, ARNs and ids in the real formats."""

    def __init__(
        self, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION, *, preview: bool = False
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.partition = (
            "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
        )
        # In a preview of a new stack the engine knows only a resource's inputs: computed outputs
        # (ids, ARNs, generated names) are unknown, and so is every input derived from them.
        self.preview = preview

    # -- invokes -------------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/ci",
                "id": self.account_id,
                "userId": "AIDAEXAMPLEUSERID0000",
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {
                "name": self.region,
                "region": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": self.partition,
                "id": self.partition,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"euw1-az{i}" for i in (1, 2, 3)], "id": self.region}, []
        return {}, []

    # -- resources -----------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs: dict[str, Any] = dict(args.inputs)
        if self.preview:
            return None, inputs
        builder = _OUTPUT_BUILDERS.get(args.typ)
        physical = self._physical_name(args)
        if builder is None:
            resource_id = f"{physical}-id"
            return resource_id, {**inputs, "id": resource_id}
        resource_id, extra = builder(self, physical, inputs)
        return resource_id, {**inputs, **extra}

    @staticmethod
    def _physical_name(args: MockResourceArgs) -> str:
        given = args.inputs.get("name")
        if isinstance(given, str) and given:
            return given
        # Pulumi auto-names resources with a random 7-character suffix; a hash keeps runs stable.
        return f"{args.name}-{_short_hash(args.typ + args.name)}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"


_Builder = Callable[[AwsMocks, str, dict[str, Any]], tuple[str, dict[str, Any]]]


def _role(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return name, {
        "name": name,
        "arn": m.arn("iam", f"role/{name}", regional=False),
        "uniqueId": f"AROA{_short_hash(name, 17).upper()}",
    }


def _policy(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("iam", f"policy/{name}", regional=False)
    return arn, {"name": name, "arn": arn, "policyId": f"ANPA{_short_hash(name, 17).upper()}"}


def _role_policy(_: AwsMocks, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"{inputs.get('role', 'role')}:{name}", {"name": name}


def _key(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    h = hashlib.sha256(name.encode()).hexdigest()
    key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return key_id, {"keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


def _alias(m: AwsMocks, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    alias = name if name.startswith("alias/") else f"alias/{name}"
    return alias, {"name": alias, "arn": m.arn("kms", alias), "targetKeyArn": inputs.get("targetKeyId", "")}


def _log_group(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return name, {"name": name, "arn": m.arn("logs", f"log-group:{name}")}


def _queue(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"https://sqs.{m.region}.amazonaws.com/{m.account_id}/{name}"
    return url, {"name": name, "url": url, "arn": m.arn("sqs", name)}


def _topic(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("sns", name)
    return arn, {"name": name, "arn": arn}


def _function(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("lambda", f"function:{name}")
    return name, {
        "name": name,
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"arn:aws:apigateway:{m.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "version": "$LATEST",
        "lastModified": "2026-01-01T00:00:00.000+0000",
    }


def _function_url(m: AwsMocks, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url_id = _short_hash(name, 32)
    return str(inputs.get("functionName", name)), {
        "urlId": url_id,
        "functionUrl": f"https://{url_id}.lambda-url.{m.region}.on.aws/",
        "functionArn": m.arn("lambda", f"function:{inputs.get('functionName', name)}"),
    }


def _alarm(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return name, {"name": name, "arn": m.arn("cloudwatch", f"alarm:{name}")}


def _secret(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("secretsmanager", f"secret:{name}-{_short_hash(name, 6)}")
    return arn, {"name": name, "arn": arn}


def _parameter(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return name, {"name": name, "arn": m.arn("ssm", f"parameter/{name.lstrip('/')}")}


def _table(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("dynamodb", f"table/{name}")
    return name, {"name": name, "arn": arn, "streamArn": f"{arn}/stream/2026-01-01T00:00:00.000"}


def _bucket(_: AwsMocks, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    bucket = str(inputs.get("bucket") or name)
    return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}", "bucketDomainName": f"{bucket}.s3.amazonaws.com"}


def _event_source_mapping(_: AwsMocks, name: str, __: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    h = hashlib.sha256(name.encode()).hexdigest()
    uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return uuid, {"uuid": uuid}


def _signing_config(m: AwsMocks, name: str, _: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    arn = m.arn("lambda", f"code-signing-config:csc-{_short_hash(name, 17)}")
    return arn, {"arn": arn, "configId": arn.rsplit(":", 1)[-1]}


_OUTPUT_BUILDERS: Mapping[str, _Builder] = {
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _policy,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:kms/key:Key": _key,
    "aws:kms/alias:Alias": _alias,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sqs/queue:Queue": _queue,
    "aws:sns/topic:Topic": _topic,
    "aws:lambda/function:Function": _function,
    "aws:lambda/functionUrl:FunctionUrl": _function_url,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:ssm/parameter:Parameter": _parameter,
    "aws:dynamodb/table:Table": _table,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:lambda/eventSourceMapping:EventSourceMapping": _event_source_mapping,
    "aws:lambda/codeSigningConfig:CodeSigningConfig": _signing_config,
}


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps every registration as the engine would describe it to a pack."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == STACK_TYPE:
            return response
        inputs = json_format.MessageToDict(request.object)
        state = self.resources[response.urn].state
        self.recorded.append(
            RecordedResource(
                type=request.type,
                name=request.name,
                urn=response.urn,
                custom=bool(request.custom),
                parent=request.parent or None,
                provider=request.provider or None,
                inputs=inputs,
                outputs=dict(state) if request.custom else {},
                dependencies=tuple(request.dependencies),
                property_dependencies={key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()},
            )
        )
        return response


@dataclass
class ProgramRun:
    """What a program registered, in registration order."""

    resources: list[RecordedResource] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]

    def children_of(self, urn: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == urn]


def _reset_runtime() -> None:
    # Module-level runtime state survives a run (a failed one leaves tasks bound to its loop).
    settings = pulumi.runtime.settings
    settings.ROOT.set(None)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()


def run_program(
    program: Callable[[], Any],
    *,
    preview: bool = False,
    project: str = "project",
    stack: str = "stack",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks: AwsMocks | None = None,
    collect_garbage: bool = True,
) -> ProgramRun:
    """Run ``program`` under mocks and return every resource it registered.

    Exceptions raised by the program (or inside an ``apply``) propagate unchanged, with their own
    traceback. ``config`` uses fully qualified keys (``"aws:region"``, ``"<project>:name"``).
    ``collect_garbage=False`` skips collecting the run's garbage (seconds for a large program) and
    freezes it instead, never to be scanned again: for a process that exits after the run, such as
    ``secure-serverless check``.
    """
    config = dict(config or {})
    if mocks is None:
        mocks = AwsMocks(region=config.get("aws:region", DEFAULT_REGION), preview=preview)
    monitor = RecordingMonitor(mocks)
    # The root stack resource is created by set_mocks on the current loop: make it ours first.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # A program run creates hundreds of thousands of short-lived futures; the cyclic collector
    # rescanning them makes a run superlinear in its size (about 3x slower at 500 functions).
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        _reset_runtime()
        pulumi.runtime.set_all_config(config, secret_keys or [])
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
        loop.run_until_complete(run_pulumi_func(program))
    finally:
        _reset_runtime()
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        # Collect the run's garbage here, at a safe point: left to a later automatic collection, the
        # finalizers of abandoned tasks format tracebacks (which parses source) in the middle of
        # whatever the caller is doing, and a nested parse inside CPython 3.11's ast.parse fails
        # with "AST constructor recursion depth mismatch".
        if collect_garbage:
            gc.collect(0)  # the run allocated with the collector off: all of it is still in generation 0
        else:
            gc.freeze()
        if gc_enabled:
            gc.enable()
    return ProgramRun(resources=list(monitor.recorded))
