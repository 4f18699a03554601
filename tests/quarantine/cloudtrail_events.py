"""CloudTrail records and EventBridge envelopes shaped like AWS's documented examples.

The record follows the CloudTrail record contents reference (eventVersion 1.09, an AssumedRole
userIdentity whose sessionContext.sessionIssuer names the role, errorCode/errorMessage on a refused
call); the envelope follows EventBridge's "AWS API Call via CloudTrail" and "CloudWatch Alarm State
Change" examples. Written for the tests, independently of the drill's own event builder.
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def denied_record(
    role_name: str,
    *,
    session: str = "orders-api",
    event_source: str = "secretsmanager.amazonaws.com",
    event_name: str = "GetSecretValue",
    error_code: str = "AccessDenied",
    read_only: bool = True,
    region: str = REGION,
    event_id: str = "3e2a6f0e-5c9b-4d1e-9b7a-0c1d2e3f4a5b",
    resource: str = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-master-AbCdEf",
) -> dict[str, Any]:
    """A CloudTrail record of a call the role's session made and IAM refused."""
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role_name}"
    action = f"{event_source.split('.')[0]}:{event_name}"
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA3EXAMPLEEXAMPLE7:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": "ASIA3EXAMPLEEXAMPLE7",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROA3EXAMPLEEXAMPLE7",
                    "arn": role_arn,
                    "accountId": ACCOUNT,
                    "userName": role_name,
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "2026-12-01T06:58:03Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": "2026-12-01T07:01:44Z",
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": "203.0.113.7",
        "userAgent": (
            "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#5.10 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12"
        ),
        "errorCode": error_code,
        "errorMessage": (
            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session} is not authorized to perform: "
            f"{action} on resource: {resource} because no identity-based policy allows the {action} action"
        ),
        "requestParameters": None,
        "responseElements": None,
        "requestID": "7b1e4c2a-9f0d-4b8e-a1c3-5d6e7f8a9b0c",
        "eventID": event_id,
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{event_source.split('.')[0]}.{region}.amazonaws.com",
        },
    }


def eventbridge_envelope(
    record: dict[str, Any], *, envelope_id: str = "6f8a3c1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b"
) -> dict[str, Any]:
    """The event EventBridge delivers for a CloudTrail record (source = aws.<service>)."""
    return {
        "version": "0",
        "id": envelope_id,
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{record['eventSource'].split('.')[0]}",
        "account": ACCOUNT,
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": copy.deepcopy(record),
    }


def denied_event(role_name: str, **kwargs: Any) -> dict[str, Any]:
    return eventbridge_envelope(denied_record(role_name, **kwargs))


def alarm_event(alarm_arn: str, *, state: str = "ALARM", previous: str = "OK") -> dict[str, Any]:
    """A "CloudWatch Alarm State Change" event as EventBridge delivers it."""
    name = alarm_arn.rsplit(":alarm:", 1)[-1]
    return {
        "version": "0",
        "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": "2026-12-01T07:05:00Z",
        "region": REGION,
        "resources": [alarm_arn],
        "detail": {
            "alarmName": name,
            "state": {
                "value": state,
                "reason": (
                    "Threshold Crossed: 1 datapoint [3.0 (01/12/26 07:00:00)] was greater than or equal to "
                    "the threshold (1.0)."
                ),
                "reasonData": "{}",
                "timestamp": "2026-12-01T07:05:00.123+0000",
            },
            "previousState": {"value": previous, "timestamp": "2026-12-01T06:00:00.000+0000"},
            "configuration": {"description": f"{name}", "metrics": []},
        },
    }
