"""What declared types cannot tell: a provider's id conventions and composite URLs, per type.

The generic builder (:mod:`secure_serverless.check.outputs`) gives every declared output a value of
its type; the entries here add the facts a type annotation does not carry, e.g. that an SQS queue's
id is its URL, that a REST API's ``execution_arn`` is the ``execute-api`` ARN of its id, or that an
AppSync API's ``uris`` map has a ``GRAPHQL`` key. Each returns ``(id or None, outputs)``; ``None``
keeps the generic id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from secure_serverless.check.arns import AccountContext, short_id

_Known = Callable[[AccountContext, str, dict[str, Any]], tuple[str | None, dict[str, Any]]]


def _hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _arn(c: AccountContext, service: str, resource: str, *, regional: bool = True) -> str:
    return f"arn:{c.partition}:{service}:{c.region if regional else ''}:{c.account_id}:{resource}"


def _str(inputs: Mapping[str, Any], key: str, default: str) -> str:
    value = inputs.get(key)
    return value if isinstance(value, str) and value else default


def _role(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return name, {
        "name": name,
        "arn": _arn(c, "iam", f"role/{name}", regional=False),
        "uniqueId": f"AROA{_hash(name, 17).upper()}",
    }


def _policy(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "iam", f"policy/{name}", regional=False)
    return arn, {"name": name, "arn": arn, "policyId": f"ANPA{_hash(name, 17).upper()}"}


def _role_policy(_: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return f"{inputs.get('role', 'role')}:{name}", {"name": name}


def _key(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    key_id = _uuid(name)
    return key_id, {"keyId": key_id, "arn": _arn(c, "kms", f"key/{key_id}")}


def _alias(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    alias = name if name.startswith("alias/") else f"alias/{name}"
    return alias, {"name": alias, "arn": _arn(c, "kms", alias), "targetKeyArn": inputs.get("targetKeyId", "")}


def _log_group(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return name, {"name": name, "arn": _arn(c, "logs", f"log-group:{name}")}


def _queue(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    url = f"https://sqs.{c.region}.amazonaws.com/{c.account_id}/{name}"
    return url, {"name": name, "url": url, "arn": _arn(c, "sqs", name)}


def _topic(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "sns", name)
    return arn, {"name": name, "arn": arn}


def _function(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "lambda", f"function:{name}")
    invoke_path = f"arn:{c.partition}:apigateway:{c.region}:lambda:path/2015-03-31/functions"
    return name, {
        "name": name,
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"{invoke_path}/{arn}/invocations",
        "qualifiedInvokeArn": f"{invoke_path}/{arn}:$LATEST/invocations",
        "version": "$LATEST",
        "lastModified": "2026-01-01T00:00:00.000+0000",
    }


def _function_url(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    url_id = _hash(name, 32)
    function = _str(inputs, "functionName", name)
    return function, {
        "urlId": url_id,
        "functionUrl": f"https://{url_id}.lambda-url.{c.region}.on.aws/",
        "functionArn": function if function.startswith("arn:") else _arn(c, "lambda", f"function:{function}"),
    }


def _alarm(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return name, {"name": name, "arn": _arn(c, "cloudwatch", f"alarm:{name}")}


def _secret(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    # Secrets Manager appends a random 6-character suffix to the name in the ARN.
    arn = _arn(c, "secretsmanager", f"secret:{name}-{_hash(name, 6)}")
    return arn, {"name": name, "arn": arn}


def _parameter(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    return name, {"name": name, "arn": _arn(c, "ssm", f"parameter/{name.lstrip('/')}")}


def _table(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "dynamodb", f"table/{name}")
    return name, {
        "name": name,
        "arn": arn,
        "streamArn": f"{arn}/stream/2026-01-01T00:00:00.000",
        "streamLabel": "2026-01-01T00:00:00.000",
    }


def _bucket(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    bucket = _str(inputs, "bucket", name)
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:{c.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{c.region}.amazonaws.com",
        "region": c.region,
    }


def _event_source_mapping(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    uuid = _uuid(name)
    return uuid, {"uuid": uuid, "arn": _arn(c, "lambda", f"event-source-mapping:{uuid}")}


def _signing_config(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "lambda", f"code-signing-config:csc-{_hash(name, 17)}")
    return arn, {"arn": arn, "configId": arn.rsplit(":", 1)[-1]}


def _execute_api(c: AccountContext, api_id: str) -> str:
    return f"arn:{c.partition}:execute-api:{c.region}:{c.account_id}:{api_id}"


def _rest_api(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = short_id("restapi" + name)
    return api_id, {
        "name": name,
        "arn": f"arn:{c.partition}:apigateway:{c.region}::/restapis/{api_id}",
        "executionArn": _execute_api(c, api_id),
        "rootResourceId": short_id("root" + name),
    }


def _http_api(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = short_id("api" + name)
    scheme = "wss" if inputs.get("protocolType") == "WEBSOCKET" else "https"
    return api_id, {
        "name": name,
        "arn": f"arn:{c.partition}:apigateway:{c.region}::/apis/{api_id}",
        "executionArn": _execute_api(c, api_id),
        "apiEndpoint": f"{scheme}://{api_id}.execute-api.{c.region}.amazonaws.com",
    }


def _rest_stage(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = _str(inputs, "restApi", short_id("restapi"))
    stage = _str(inputs, "stageName", name)
    return f"ags-{api_id}-{stage}", {
        "arn": f"arn:{c.partition}:apigateway:{c.region}::/restapis/{api_id}/stages/{stage}",
        "executionArn": f"{_execute_api(c, api_id)}/{stage}",
        "invokeUrl": f"https://{api_id}.execute-api.{c.region}.amazonaws.com/{stage}",
    }


def _http_stage(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = _str(inputs, "apiId", short_id("api"))
    stage = _str(inputs, "name", name)
    path = "" if stage == "$default" else stage
    return stage, {
        "arn": f"arn:{c.partition}:apigateway:{c.region}::/apis/{api_id}/stages/{stage}",
        "executionArn": f"{_execute_api(c, api_id)}/{stage}",
        "invokeUrl": f"https://{api_id}.execute-api.{c.region}.amazonaws.com/{path}",
    }


def _deployment(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = _str(inputs, "restApi", short_id("restapi"))
    return short_id("deployment" + name), {
        "executionArn": _execute_api(c, api_id),
        "invokeUrl": f"https://{api_id}.execute-api.{c.region}.amazonaws.com/",
        "createdDate": "2026-01-01T00:00:00Z",
    }


def _event_rule(c: AccountContext, name: str, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    bus = _str(inputs, "eventBusName", "default")
    resource = f"rule/{name}" if bus == "default" else f"rule/{bus.rsplit('/', 1)[-1]}/{name}"
    return name, {"name": name, "arn": _arn(c, "events", resource)}


def _state_machine(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "states", f"stateMachine:{name}")
    return arn, {"name": name, "arn": arn, "status": "ACTIVE"}


def _graphql_api(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    api_id = short_id("graphql" + name, 26)
    host = f"{short_id('host' + name, 26)}.appsync-api.{c.region}.amazonaws.com"
    return api_id, {
        "name": name,
        "arn": _arn(c, "appsync", f"apis/{api_id}"),
        "uris": {
            "GRAPHQL": f"https://{host}/graphql",
            "REALTIME": f"wss://{host.replace('appsync-api', 'appsync-realtime-api')}/graphql",
        },
    }


def _user_pool(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    pool_id = f"{c.region}_{short_id('pool' + name, 9)}"
    return pool_id, {
        "name": name,
        "arn": _arn(c, "cognito-idp", f"userpool/{pool_id}"),
        "endpoint": f"cognito-idp.{c.region}.amazonaws.com/{pool_id}",
    }


def _stream(c: AccountContext, name: str, _: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    arn = _arn(c, "kinesis", f"stream/{name}")
    return arn, {"name": name, "arn": arn}


KNOWN_OUTPUTS: Mapping[str, _Known] = {
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
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _rest_stage,
    "aws:apigateway/deployment:Deployment": _deployment,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/stage:Stage": _http_stage,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:appsync/graphQLApi:GraphQLApi": _graphql_api,
    "aws:cognito/userPool:UserPool": _user_pool,
    "aws:kinesis/stream:Stream": _stream,
}
