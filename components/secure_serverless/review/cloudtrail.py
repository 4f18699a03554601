"""CloudTrail records read from files: as CloudTrail writes them, as the console or CLI exports them.

Accepted shapes (gzip or plain): ``{"Records": [...]}`` (the S3 log files), a JSON list of records,
JSON lines (one record, or one ``{"Records": [...]}``, per line), and the ``LookupEvents`` answer
``{"Events": [{"CloudTrailEvent": "<record as JSON text>"}, ...]}``. A record that is not an API
call by an assumed role is counted, never an error; a malformed one is named in ``problems``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secure_serverless.review.actions import action_for_event

DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation"}
)
_PROBLEMS_KEPT = 20
_TRAIL_SUFFIXES = (".json", ".json.gz", ".jsonl")


class TrailError(Exception):
    """A trail file that cannot be read at all (the message names the file and what is wrong)."""


@dataclass(frozen=True)
class ApiCall:
    """One API call made with a role's session."""

    time: str
    role_arn: str
    action: str
    resources: tuple[str, ...]
    error_code: str | None

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def denied(self) -> bool:
        return self.error_code in DENIED_CODES


@dataclass(frozen=True)
class Trail:
    """What a trail file held: the role calls, and counts of everything else."""

    calls: tuple[ApiCall, ...]
    records: int
    not_role_calls: int
    problems: tuple[str, ...]
    problem_count: int


def _resources(record: dict[str, Any]) -> tuple[str, ...]:
    """ARNs the record names: its ``resources`` list, and ARN-valued or derivable request parameters."""
    arns: list[str] = []
    for item in record.get("resources") or []:
        if isinstance(item, dict) and isinstance(item.get("ARN"), str):
            arns.append(item["ARN"])
    params = record.get("requestParameters")
    if isinstance(params, dict):
        for value in params.values():
            if isinstance(value, str) and value.startswith("arn:"):
                arns.append(value)
        region, account = record.get("awsRegion"), record.get("recipientAccountId")
        partition = "aws-cn" if isinstance(region, str) and region.startswith("cn-") else "aws"
        table = params.get("tableName")
        if isinstance(table, str) and not table.startswith("arn:") and region and account:
            arns.append(f"arn:{partition}:dynamodb:{region}:{account}:table/{table}")
        queue_url = params.get("queueUrl")
        if isinstance(queue_url, str) and queue_url.count("/") >= 4 and region:
            queue_account, queue_name = queue_url.rstrip("/").split("/")[-2:]
            arns.append(f"arn:{partition}:sqs:{region}:{queue_account}:{queue_name}")
        bucket = params.get("bucketName")
        if isinstance(bucket, str):
            key = params.get("key")
            arns.append(f"arn:{partition}:s3:::{bucket}" + (f"/{key}" if isinstance(key, str) else ""))
    return tuple(dict.fromkeys(arns))


def _call(record: Any) -> ApiCall | str | None:
    """An ApiCall; None when the record is not a role's API call; a problem text when malformed."""
    if not isinstance(record, dict):
        return "not a JSON object"
    identity = record.get("userIdentity")
    if not isinstance(identity, dict):
        return "no userIdentity"
    if identity.get("type") != "AssumedRole":
        return None
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") if isinstance(
        identity.get("sessionContext"), dict) else None
    if not isinstance(issuer, dict) or not isinstance(issuer.get("arn"), str) or ":role/" not in issuer["arn"]:
        return "an AssumedRole identity without sessionContext.sessionIssuer.arn"
    source, name = record.get("eventSource"), record.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str) or not source or not name:
        return "no eventSource/eventName"
    error = record.get("errorCode")
    return ApiCall(
        time=str(record.get("eventTime") or ""),
        role_arn=issuer["arn"],
        action=action_for_event(source, name),
        resources=_resources(record),
        error_code=error if isinstance(error, str) and error else None,
    )


def parse_records(records: Iterable[Any]) -> Trail:
    """Role API calls among ``records``; malformed records are counted and described, never raised."""
    calls: list[ApiCall] = []
    problems: list[str] = []
    total = others = bad = 0
    for index, record in enumerate(records):
        total += 1
        result = _call(record)
        if isinstance(result, ApiCall):
            calls.append(result)
        elif result is None:
            others += 1
        else:
            bad += 1
            if len(problems) < _PROBLEMS_KEPT:
                problems.append(f"record {index + 1}: {result}")
    return Trail(tuple(calls), total, others, tuple(problems), bad)


def _unpack(document: Any) -> Iterator[Any]:
    if isinstance(document, list):
        yield from document
    elif isinstance(document, dict) and isinstance(document.get("Records"), list):
        yield from document["Records"]
    elif isinstance(document, dict) and isinstance(document.get("Events"), list):
        for event in document["Events"]:
            text = event.get("CloudTrailEvent") if isinstance(event, dict) else None
            try:
                yield json.loads(text) if isinstance(text, str) else event
            except ValueError:
                yield "not JSON"
    else:
        yield document


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TrailError(f"{path}: cannot be read ({error.strerror or error})") from error
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise TrailError(f"{path}: a damaged gzip file ({error})") from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TrailError(f"{path}: not UTF-8 text (CloudTrail files are JSON)") from error


def load_records(path: Path) -> list[Any]:
    """The records of one file in any accepted shape (see the module docstring)."""
    text = _text(path).strip()
    if not text:
        raise TrailError(f"{path}: the file is empty; expected CloudTrail records as JSON")
    try:
        return list(_unpack(json.loads(text)))
    except ValueError:
        pass
    records: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.extend(_unpack(json.loads(line)))
        except json.JSONDecodeError as error:
            raise TrailError(
                f"{path}: line {number} is not JSON ({error.msg}); expected {{\"Records\": [...]}}, "
                "a JSON list, or one JSON record per line"
            ) from error
    return records


def read_trail(paths: Iterable[Path]) -> Trail:
    """Every role API call in the files (a folder stands for the ``*.json``/``*.json.gz`` files below it)."""
    records: list[Any] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_TRAIL_SUFFIXES))
            if not files:
                raise TrailError(f"{path}: a folder without .json, .json.gz or .jsonl files")
            for file in files:
                records.extend(load_records(file))
        else:
            records.extend(load_records(path))
    return parse_records(records)
