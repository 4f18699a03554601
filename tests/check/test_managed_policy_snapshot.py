"""Without the npm package, AWS-managed policy documents come from the snapshot the pack judges with."""

from __future__ import annotations

from pathlib import Path

import pytest

from secure_serverless.check import managed_policies


def test_the_pack_snapshot_answers_when_no_package_is_installed(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.delenv(managed_policies.ENV_VAR, raising=False)
    monkeypatch.setattr(managed_policies, "find_data_file", lambda start=None: None)
    loaded = managed_policies.load()
    assert loaded is not None and loaded.source.name == "aws-managed-policies.json.gz"
    admin = loaded.by_arn("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None
    assert {"Effect": "Allow", "Action": "*", "Resource": "*"} in admin.document["Statement"]
    system = loaded.by_arn("arn:aws:iam::aws:policy/job-function/SystemAdministrator")
    assert system is not None and system.path == "/job-function/"
