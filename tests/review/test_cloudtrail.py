"""Reading trail files in every shape CloudTrail and its exports use; malformed input never raises a traceback."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from secure_serverless.review.actions import action_for_event
from secure_serverless.review.cloudtrail import TrailError, parse_records, read_trail

from .trail_records import ACCOUNT, record, secret_arn, table_arn

ROLE = "orders-api-role-3f9a1c2"


def _records() -> list[dict[str, object]]:
    return [
        record(ROLE, "secretsmanager.amazonaws.com", "GetSecretValue",
               request={"secretId": secret_arn("payments/provider-api-key-Xy12Ab")}),
        record(ROLE, "dynamodb.amazonaws.com", "GetItem", request={"tableName": "orders-1b2c3d4", "key": {}},
               data_event=True),
        record(ROLE, "kms.amazonaws.com", "Decrypt", error="AccessDenied"),
    ]


@pytest.mark.parametrize("shape", ["records", "list", "lines", "gzip", "lookup-events", "lines-of-records"])
def test_every_file_shape_gives_the_same_calls(tmp_path: Path, shape: str) -> None:
    records = _records()
    path = tmp_path / "trail.json"
    if shape == "records":
        path.write_text(json.dumps({"Records": records}))
    elif shape == "list":
        path.write_text(json.dumps(records))
    elif shape == "lines":
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    elif shape == "lines-of-records":
        path.write_text("\n".join(json.dumps({"Records": [r]}) for r in records))
    elif shape == "gzip":
        path = tmp_path / "123_CloudTrail_eu-west-1_20261120T1000Z_abc.json.gz"
        path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    else:
        events = [{"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": json.dumps(r)}
                  for r in records]
        path.write_text(json.dumps({"Events": events}))
    trail = read_trail([path])
    assert [c.action for c in trail.calls] == ["secretsmanager:GetSecretValue", "dynamodb:GetItem", "kms:Decrypt"]
    assert trail.calls[0].resources == (secret_arn("payments/provider-api-key-Xy12Ab"),)
    assert trail.calls[1].resources == (table_arn("orders-1b2c3d4"),)  # built from tableName, region, account
    assert [c.denied for c in trail.calls] == [False, False, True]
    assert {c.role_name for c in trail.calls} == {ROLE}


def test_folder_of_log_files(tmp_path: Path) -> None:
    day = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail" / "eu-west-1" / "2026" / "11" / "20"
    day.mkdir(parents=True)
    for index, item in enumerate(_records()):
        (day / f"part{index}.json.gz").write_bytes(gzip.compress(json.dumps({"Records": [item]}).encode()))
    (day / "README.txt").write_text("not a trail file")
    assert len(read_trail([tmp_path]).calls) == 3


def test_other_identities_are_counted_not_reviewed() -> None:
    iam_user = record(ROLE, "s3.amazonaws.com", "ListBuckets")
    iam_user["userIdentity"] = {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "userName": "alice"}
    service = record(ROLE, "kms.amazonaws.com", "Decrypt")
    service["userIdentity"] = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
    trail = parse_records([iam_user, service, *_records()])
    assert (trail.records, trail.not_role_calls, len(trail.calls), trail.problem_count) == (5, 2, 3, 0)


def test_malformed_records_are_described_and_skipped() -> None:
    no_issuer = record(ROLE, "kms.amazonaws.com", "Decrypt")
    no_issuer["userIdentity"]["sessionContext"] = {}  # type: ignore[index]
    no_event = record(ROLE, "kms.amazonaws.com", "Decrypt")
    del no_event["eventSource"]
    trail = parse_records([42, {"eventName": "x"}, no_issuer, no_event, *_records()])
    assert len(trail.calls) == 3 and trail.problem_count == 4
    assert trail.problems == (
        "record 1: not a JSON object",
        "record 2: no userIdentity",
        "record 3: an AssumedRole identity without sessionContext.sessionIssuer.arn",
        "record 4: no eventSource/eventName",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"{\"Records\": [\n", "line 1 is not JSON"),
        (b"\x1f\x8bnot really gzip", "a damaged gzip file"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_unreadable_files_name_the_file_and_the_problem(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(TrailError, match=message) as raised:
        read_trail([path])
    assert str(path) in str(raised.value)


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(TrailError, match="cannot be read"):
        read_trail([tmp_path / "absent.json"])
    with pytest.raises(TrailError, match="a folder without"):
        read_trail([tmp_path])


@pytest.mark.parametrize(
    ("source", "name", "action"),
    [
        ("secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager:GetSecretValue"),
        ("lambda.amazonaws.com", "GetFunction20150331v2", "lambda:GetFunction"),
        ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
        ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
        ("s3.amazonaws.com", "HeadObject", "s3:GetObject"),
        ("monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData"),
        ("kms.amazonaws.com.cn", "Decrypt", "kms:Decrypt"),
    ],
)
def test_event_names_map_to_the_permission_they_need(source: str, name: str, action: str) -> None:
    assert action_for_event(source, name) == action
