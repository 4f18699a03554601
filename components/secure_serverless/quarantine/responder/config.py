"""The responder's targets: written by the component as JSON beside the code, read by the handler."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from secure_serverless.quarantine.responder.names import CONFIG_FILE, CONFIG_VERSION, MODES, Mode

SignalAction = Literal["quarantine", "notify"]


class ConfigError(ValueError):
    """The targets file is malformed; the message names the field."""


@dataclass(frozen=True)
class Target:
    """One protected function, as the responder needs it."""

    function_name: str
    function_arn: str
    role_arn: str
    role_name: str
    log_group_arn: str
    topic_arn: str | None
    mode: Mode
    threshold: int
    window_seconds: int
    declared_actions: tuple[str, ...]
    # (actions, resources) of each Allow statement of the function's own policy
    declared_scopes: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Signal:
    """An alarm whose ALARM state is a signal about ``function_name``."""

    alarm_arn: str
    function_name: str
    signal: str
    action: SignalAction


@dataclass(frozen=True)
class ResponderConfig:
    responder_role_arn: str
    targets: tuple[Target, ...]
    signals: tuple[Signal, ...] = field(default_factory=tuple)

    def target_for_role(self, role_arn: str) -> Target | None:
        return next((t for t in self.targets if t.role_arn == role_arn), None)

    def target_named(self, function_name: str) -> Target | None:
        return next((t for t in self.targets if t.function_name == function_name), None)

    def signal_for(self, alarm_arn: str) -> Signal | None:
        return next((s for s in self.signals if s.alarm_arn == alarm_arn), None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": CONFIG_VERSION,
                "responderRoleArn": self.responder_role_arn,
                "targets": [
                    {
                        **asdict(t),
                        "declared_actions": list(t.declared_actions),
                        "declared_scopes": [{"actions": list(a), "resources": list(r)} for a, r in t.declared_scopes],
                    }
                    for t in self.targets
                ],
                "signals": [asdict(s) for s in self.signals],
            },
            indent=1,
            sort_keys=True,
        )


def _field(record: dict[str, Any], name: str, where: str, kind: type | tuple[type, ...]) -> Any:
    value = record.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ConfigError(f"{where}.{name}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _scopes(records: Any, where: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    if not isinstance(records, list):
        raise ConfigError(f"{where}.declared_scopes: expected a list")
    out = []
    for index, record in enumerate(records):
        here = f"{where}.declared_scopes[{index}]"
        if not isinstance(record, dict):
            raise ConfigError(f"{here}: expected an object")
        actions = _field(record, "actions", here, list)
        resources = _field(record, "resources", here, list)
        out.append((tuple(str(a) for a in actions), tuple(str(r) for r in resources)))
    return tuple(out)


def parse_config(text: str) -> ResponderConfig:
    """Parse and validate the targets file (raises :class:`ConfigError` naming the bad field)."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ConfigError(f"{CONFIG_FILE} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("version") != CONFIG_VERSION:
        raise ConfigError(f"{CONFIG_FILE}: version must be {CONFIG_VERSION}")
    targets = []
    for index, record in enumerate(_field(document, "targets", "config", list)):
        where = f"targets[{index}]"
        if not isinstance(record, dict):
            raise ConfigError(f"{where}: expected an object")
        mode = _field(record, "mode", where, str)
        if mode not in MODES:
            raise ConfigError(f"{where}.mode: {mode!r} is not one of {', '.join(MODES)}")
        topic = record.get("topic_arn")
        targets.append(
            Target(
                function_name=_field(record, "function_name", where, str),
                function_arn=_field(record, "function_arn", where, str),
                role_arn=_field(record, "role_arn", where, str),
                role_name=_field(record, "role_name", where, str),
                log_group_arn=_field(record, "log_group_arn", where, str),
                topic_arn=topic if isinstance(topic, str) else None,
                mode=cast(Mode, mode),
                threshold=_field(record, "threshold", where, int),
                window_seconds=_field(record, "window_seconds", where, int),
                declared_actions=tuple(str(a) for a in _field(record, "declared_actions", where, list)),
                declared_scopes=_scopes(record.get("declared_scopes") or [], where),
            )
        )
    signals = []
    for index, record in enumerate(document.get("signals") or []):
        where = f"signals[{index}]"
        if not isinstance(record, dict):
            raise ConfigError(f"{where}: expected an object")
        action = _field(record, "action", where, str)
        if action not in ("quarantine", "notify"):
            raise ConfigError(f"{where}.action: {action!r} is not 'quarantine' or 'notify'")
        signals.append(
            Signal(
                alarm_arn=_field(record, "alarm_arn", where, str),
                function_name=_field(record, "function_name", where, str),
                signal=_field(record, "signal", where, str),
                action=cast(SignalAction, action),
            )
        )
    return ResponderConfig(
        responder_role_arn=_field(document, "responderRoleArn", "config", str),
        targets=tuple(targets),
        signals=tuple(signals),
    )


def load_config(directory: Path | None = None) -> ResponderConfig:
    """The targets file shipped beside the handler (``directory`` defaults to the archive root)."""
    root = directory or Path(__file__).resolve().parents[3]
    return parse_config((root / CONFIG_FILE).read_text(encoding="utf-8"))
