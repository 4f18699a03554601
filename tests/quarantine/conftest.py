"""Fixtures for the quarantine tests: a moto account with protected functions, and the responder config."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import moto
import pytest
from cloudtrail_events import REGION
from moto_account import LAMBDA_TRUST, Account


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Account]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        world = Account(
            iam=boto3.client("iam"), lambda_=boto3.client("lambda"), sns=boto3.client("sns"), sqs=boto3.client("sqs")
        )
        world.queue_url = world.sqs.create_queue(QueueName="operators")["QueueUrl"]
        world.responder_role_arn = world.iam.create_role(
            RoleName="quarantine-responder", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST)
        )["Role"]["Arn"]
        yield world
