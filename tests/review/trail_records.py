"""CloudTrail records in the shape AWS documents ("CloudTrail record contents" and its examples).

Each builder returns one record as CloudTrail writes it into its log files: an ``AwsApiCall`` by an
``AssumedRole`` identity whose ``sessionContext.sessionIssuer`` is the function's role; Lambda names
the session after the function.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

ACCOUNT = "210987654321"  # the deployed account: not the mocks' 123456789012
REGION = "eu-west-1"
_counter = itertools.count(1)


def role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def record(
    role: str,
    source: str,
    name: str,
    *,
    request: dict[str, Any] | None = None,
    resources: list[str] | None = None,
    error: str | None = None,
    account: str = ACCOUNT,
    session: str = "orders-api-fn",
    read_only: bool = True,
    data_event: bool = False,
) -> dict[str, Any]:
    n = next(_counter)
    entry: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLEID{n:06d}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": "ASIAEXAMPLEKEYID0001",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROAEXAMPLEID{n:06d}",
                    "arn": role_arn(role, account),
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-11-20T10:00:00Z", "mfaAuthenticated": "false"},
            },
            "invokedBy": None,
        },
        "eventTime": f"2026-11-2{n % 8}T1{n % 10}:00:{n % 60:02d}Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "3.250.1.10",
        "userAgent": "Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux exec-env/AWS_Lambda_python3.12",
        "requestParameters": request or {},
        "responseElements": None,
        "requestID": str(uuid.UUID(int=n)),
        "eventID": str(uuid.UUID(int=10_000 + n)),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": not data_event,
        "recipientAccountId": account,
        "eventCategory": "Data" if data_event else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{REGION}.amazonaws.com"},
    }
    entry["userIdentity"].pop("invokedBy")
    if resources is not None:
        entry["resources"] = [{"accountId": account, "type": "AWS::Unknown", "ARN": arn} for arn in resources]
    if error is not None:
        entry["errorCode"] = error
        entry["errorMessage"] = (
            f"User: arn:aws:sts::{account}:assumed-role/{role}/{session} is not authorized to perform: "
            f"{source.split('.')[0]}:{name} because no identity-based policy allows the action"
        )
        entry["responseElements"] = None
    return entry


def secret_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:secretsmanager:{REGION}:{account}:secret:{name}"


def table_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:dynamodb:{REGION}:{account}:table/{name}"
