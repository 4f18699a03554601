"""Match events against deployed patterns with moto's EventBridge (an implementation we did not write).

event-ruler 0.3.0 (the PyPI binding of a Go matcher) was tried first and is not usable here: with
a pattern naming both errorCode and the session issuer it misses realistic CloudTrail events unless
their keys happen to be in lexical order, and with detail-type in the pattern it raises "failed to
match for payload" on key-sorted events. moto routes PutEvents through the rule's pattern (and
honours ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS as an enabled state); a rule whose target is
a queue shows what EventBridge would deliver.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import moto


def delivered(event: dict[str, Any], pattern: str, *, state: str = "ENABLED") -> bool:
    """Whether a rule with ``pattern`` delivers ``event`` (an EventBridge envelope) to its target."""
    with moto.mock_aws():
        events = boto3.client("events", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        queue = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="under-test", EventPattern=pattern, State=state)
        events.put_targets(Rule="under-test", Targets=[{"Id": "q", "Arn": arn}])
        entry = {
            "Source": event["source"],
            "DetailType": event["detail-type"],
            "Detail": json.dumps(event["detail"]),
            "Resources": event.get("resources", []),
        }
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
        return bool(sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"))
