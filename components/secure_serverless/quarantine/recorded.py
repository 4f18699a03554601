"""Behaviour models and quarantine deployments read from a program run under the checker's mocks.

The CLI's view of a program: the same :func:`~.model.build_model` as the stack output, fed from the
recorded resources instead of live Outputs, plus what only the whole program knows (Lambda
permissions and event source mappings that name the function).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secure_serverless.check.model import RecordedResource
from secure_serverless.function import TYPE_TOKEN as FUNCTION_TYPE
from secure_serverless.quarantine.component import TYPE_TOKEN as QUARANTINE_TYPE
from secure_serverless.quarantine.model import FunctionFacts, QuarantineSettings, build_model
from secure_serverless.quarantine.responder.config import ResponderConfig, parse_config
from secure_serverless.quarantine.responder.names import CONFIG_FILE

_FUNCTION = "aws:lambda/function:Function"


class ProgramError(ValueError):
    """The program cannot be read, or holds nothing the command can act on; the message says what to do."""


@dataclass(frozen=True)
class Deployment:
    """One Quarantine of the program: its responder config and its rules (pattern, state) by key."""

    name: str
    config: ResponderConfig
    rules: dict[str, tuple[str, str]]  # "denied-calls" | "signals" -> (pattern JSON, state)


@dataclass(frozen=True)
class ProgramView:
    resources: list[RecordedResource]
    models: dict[str, dict[str, Any]]  # logical name -> behaviour model
    deployments: list[Deployment]
    own_policies: dict[str, str]  # function name -> its role's inline policy (JSON)


def run_program_view(program_dir: str | Path, stack: str | None = None) -> ProgramView:
    """Run the program under mocks (the checker's runner) and read models and deployments from it."""
    from secure_serverless.check.inputs import InputError, find_project_dir
    from secure_serverless.check.program import ProgramLoadError, load_program
    from secure_serverless.check.runner import CheckError, run_program_spec

    try:
        spec = load_program(find_project_dir(Path(program_dir)), stack)  # upward, as `check` and `pulumi` do
        resources = run_program_spec(spec, preview=False)
    except (ProgramLoadError, InputError) as error:
        raise ProgramError(str(error)) from error
    except CheckError as error:
        raise ProgramError(f"{error.message}\n{error.details}".rstrip()) from error
    return view_of(resources)


def _children(resources: Sequence[RecordedResource], parent: str) -> list[RecordedResource]:
    return [r for r in resources if r.parent == parent]


def _props(resource: RecordedResource) -> dict[str, Any]:
    return {**resource.inputs, **resource.outputs}


def deployments_of(resources: Sequence[RecordedResource]) -> list[Deployment]:
    out = []
    for component in (r for r in resources if r.type == QUARANTINE_TYPE):
        children = _children(resources, component.urn)
        rules: dict[str, tuple[str, str]] = {}
        for rule in (r for r in children if r.type == "aws:cloudwatch/eventRule:EventRule"):
            key = rule.name[len(component.name) + 1 :]
            rules[key] = (str(rule.inputs.get("eventPattern")), str(rule.inputs.get("state", "ENABLED")))
        handler = next((c for c in children if c.type == FUNCTION_TYPE), None)
        function = (
            next((r for r in _children(resources, handler.urn) if r.type == _FUNCTION), None) if handler else None
        )
        asset = (function.inputs.get("code") or {}).get("assets", {}).get(CONFIG_FILE) if function else None
        if not isinstance(asset, dict) or not isinstance(asset.get("text"), str):
            raise ProgramError(f"Quarantine {component.name!r}: its handler's {CONFIG_FILE} was not recorded")
        out.append(Deployment(component.name, parse_config(asset["text"]), rules))
    return out


def view_of(resources: Sequence[RecordedResource]) -> ProgramView:
    deployments = deployments_of(resources)
    models: dict[str, dict[str, Any]] = {}
    own: dict[str, str] = {}
    for component in (r for r in resources if r.type == FUNCTION_TYPE):
        facts = _facts(resources, component)
        if facts is None:
            continue
        settings = _settings(facts, deployments)
        models[component.name] = build_model(facts, settings)
        own[str(facts.function.get("name"))] = facts.policy
    return ProgramView(list(resources), models, deployments, own)


def _facts(resources: Sequence[RecordedResource], component: RecordedResource) -> FunctionFacts | None:
    children = _children(resources, component.urn)

    def one(type_token: str) -> RecordedResource | None:
        return next((c for c in children if c.type == type_token), None)

    function, role, policy, logs = (
        one(_FUNCTION),
        one("aws:iam/role:Role"),
        one("aws:iam/rolePolicy:RolePolicy"),
        one("aws:cloudwatch/logGroup:LogGroup"),
    )
    if function is None or role is None or policy is None or logs is None:
        return None
    fn = _props(function)
    names = {fn.get("name"), fn.get("arn")}
    url = one("aws:lambda/functionUrl:FunctionUrl")
    topic = one("aws:sns/topic:Topic")
    alarms = {
        a.name[len(component.name) + 1 :]: _props(a)
        for a in children
        if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
    }
    return FunctionFacts(
        logical_name=component.name,
        function=fn,
        role_arn=str(role.outputs.get("arn")),
        policy=str(policy.inputs.get("policy")),
        log_group_arn=str(logs.outputs.get("arn")),
        alarms=alarms,
        function_url=_props(url) if url else None,
        permissions=[
            r.inputs
            for r in resources
            if r.type == "aws:lambda/permission:Permission" and r.inputs.get("function") in names
        ],
        event_source_mappings=[
            r.inputs
            for r in resources
            if r.type == "aws:lambda/eventSourceMapping:EventSourceMapping" and r.inputs.get("functionName") in names
        ],
        alarm_topic_arn=str(topic.outputs.get("arn")) if topic else None,
    )


def _settings(facts: FunctionFacts, deployments: Sequence[Deployment]) -> QuarantineSettings | None:
    name = facts.function.get("name")
    for deployment in deployments:
        target = deployment.config.target_named(str(name))
        if target is None:
            continue
        keys = {str(props.get("arn")): key for key, props in facts.alarms.items()}
        signals = {
            keys.get(s.alarm_arn, s.signal): s.action for s in deployment.config.signals if s.function_name == name
        }
        return QuarantineSettings(target.mode, target.threshold, target.window_seconds, signals)
    return None


def find_function(view: ProgramView, function: str) -> tuple[str, dict[str, Any]]:
    """The model of ``function`` (logical name or physical name); a clear error listing the choices."""
    for logical, model in view.models.items():
        if function in (logical, model["function"]["name"]):
            return logical, model
    choices = ", ".join(sorted(view.models)) or "none"
    raise ProgramError(f"no SecureFunction named {function!r} in the program; choose one of: {choices}")


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)
