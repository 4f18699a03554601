"""The quarantine responder: Lambda code shipped inside the Quarantine handler's archive.

Layering (no pulumi import anywhere here; boto3 only in :mod:`.handler` and :mod:`.actions`):

* :mod:`.names`    - names shared by the component, the handler and the CLI (policy name, tags, modes)
* :mod:`.policies` - pure builders of the deny policies the handler writes
* :mod:`.patterns` - the EventBridge patterns the component deploys (and the drill matches)
* :mod:`.events`   - parsing of CloudTrail and alarm events into plain signals (never raises)
* :mod:`.config`   - the targets file the component ships beside the code
* :mod:`.actions`  - the boto3 calls that apply a quarantine, idempotently
* :mod:`.handler`  - the Lambda entry point: decide, act, publish, log
"""
