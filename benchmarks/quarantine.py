"""Benchmark the quarantine responder (the Lambda code shipped by Quarantine).

Run: ``.venv/bin/python benchmarks/quarantine.py`` (``--quick`` for a shorter, noisier run).

Per event: ``Responder.handle`` on a realistic CloudTrail denial (EventBridge envelope, about 2 KB)
for the three decisions that need no AWS round trip to decide - ignored (a role this stack does not
protect), notify (below the threshold; the publish goes to an in-memory client) and quarantine of a
role already quarantined (an in-memory IAM: the idempotent path) - against the baseline of decoding
and re-encoding the same event as JSON (what Lambda's runtime does for every invocation). Each
figure is the median over interleaved repeats of the mean time per call.

Import time: ``import secure_serverless.quarantine.responder.handler`` against ``import json``, each
in a fresh interpreter (start-up excluded), median of repeats. boto3 is imported only when the
responder acts, so it is not part of the handler's import.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import timeit
from typing import Any

from secure_serverless.quarantine.drill import denied_call_record
from secure_serverless.quarantine.responder.config import ResponderConfig, Target
from secure_serverless.quarantine.responder.handler import Clients, Responder
from secure_serverless.quarantine.responder.names import POLICY_NAME


class _Sns:
    def publish(self, **_: Any) -> dict[str, str]:
        return {"MessageId": "1"}


class _Iam:
    def get_role_policy(self, RoleName: str, PolicyName: str) -> dict[str, Any]:
        return {"PolicyDocument": {"Statement": [{"Sid": "SecureServerlessQuarantineDenyUndeclaredActions"}]}}

    def list_role_tags(self, RoleName: str) -> dict[str, Any]:
        return {"Tags": [{"Key": "secure-serverless:quarantine:mode", "Value": "contain"}]}


def _target(role: str, threshold: int) -> Target:
    return Target(
        function_name=role.removesuffix("-role"),
        function_arn=f"arn:aws:lambda:eu-west-1:123456789012:function:{role}",
        role_arn=f"arn:aws:iam::123456789012:role/{role}",
        role_name=role,
        log_group_arn="arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x",
        topic_arn="arn:aws:sns:eu-west-1:123456789012:alarms",
        mode="contain",
        threshold=threshold,
        window_seconds=300,
        declared_actions=("dynamodb:GetItem",),
    )


def denied_event(role: str) -> dict[str, Any]:
    """The EventBridge envelope of a CloudTrail denial by ``role`` (the drill's record builder)."""
    record = denied_call_record(
        _target(role, 1),
        "secretsmanager.amazonaws.com",
        "ListSecrets",
        True,
        region="eu-west-1",
        when="2026-12-01T07:00:00Z",
    )
    return {
        "version": "0",
        "id": "6f8a3c1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.secretsmanager",
        "account": "123456789012",
        "time": record["eventTime"],
        "region": "eu-west-1",
        "resources": [],
        "detail": record,
    }


def _per_call(function: Any, number: int, repeats: int) -> float:
    return statistics.median(timeit.repeat(function, number=number, repeat=repeats)) / number


def per_event(number: int, repeats: int) -> None:
    config = ResponderConfig(
        "arn:aws:iam::123456789012:role/responder", (_target("counted-role", 3), _target("contained-role", 1))
    )
    clients = Clients(iam=_Iam(), lambda_=None, sns=_Sns())
    responder = Responder(config, lambda _: clients, out=io.StringIO())
    events = {
        "ignored (not protected)": denied_event("someone-elses-role"),
        "notify (below threshold)": denied_event("counted-role"),
        "quarantine, already in place": denied_event("contained-role"),
    }
    assert responder.handle(events["quarantine, already in place"])["outcome"] == "already-quarantined"
    size = len(json.dumps(events["ignored (not protected)"]))
    baseline = _per_call(lambda: json.loads(json.dumps(events["ignored (not protected)"])), number, repeats)
    print(f"per event ({size} bytes of JSON), median of {repeats} x {number} calls")
    print(f"  baseline json round trip: {baseline * 1e6:8.1f} us")
    for name, event in events.items():

        def call(event: Any = event) -> None:
            responder._out = io.StringIO()  # keep the log buffer from growing across calls
            responder.handle(event)

        value = _per_call(call, number, repeats)
        print(f"  {name:30s}: {value * 1e6:8.1f} us  ({value / baseline:4.1f}x the baseline)")
    print(f"  (policy read back: {POLICY_NAME})")


def import_time(repeats: int) -> None:
    def timed(statement: str) -> float:
        script = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        runs = [
            float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeats)
        ]
        return statistics.median(runs)

    handler = timed("import secure_serverless.quarantine.responder.handler")
    baseline = timed("import json")
    print(f"import, median of {repeats} fresh interpreters")
    print(f"  import json (baseline):                        {baseline * 1e3:6.2f} ms")
    print(f"  import secure_serverless.quarantine.responder: {handler * 1e3:6.2f} ms ({handler / baseline:.0f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    per_event(number=200 if quick else 2000, repeats=3 if quick else 7)
    import_time(repeats=3 if quick else 9)


if __name__ == "__main__":
    main()
