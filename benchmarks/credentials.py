"""Credential detection on the labelled corpus: our detector against detect-secrets and bc-detect-secrets.

Prints recall and precision of each (and of each detect-secrets plugin), and the time per value,
measured in one run. The two libraries share the module name ``detect_secrets``, so each is
installed into its own folder and evaluated in a child process with that folder on its path:

    .venv/bin/pip install --target .venv/detectors/detect-secrets detect-secrets==1.5.0
    .venv/bin/pip install --target .venv/detectors/bc-detect-secrets bc-detect-secrets==1.5.52
    .venv/bin/python benchmarks/credentials.py

Each library sees every variable in two ways: as a JSON file ``{"NAME": "value"}`` scanned with
its default plugins and filters (how it scans a repository), and as the ad-hoc line
``NAME="value"`` (``scan_line``, its eager mode). A variable counts as flagged when any plugin
reports a secret on it.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "credentials" / "corpus.json"
DETECTORS = ROOT / ".venv" / "detectors"
CANDIDATES = ("detect-secrets", "bc-detect-secrets")


def _load() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return entries


def _scores(entries: list[dict[str, Any]], flagged: list[bool]) -> tuple[float, float, int, int]:
    hits = sum(1 for e, f in zip(entries, flagged, strict=True) if e["secret"] and f)
    missed = sum(1 for e, f in zip(entries, flagged, strict=True) if e["secret"] and not f)
    wrong = sum(1 for e, f in zip(entries, flagged, strict=True) if not e["secret"] and f)
    recall = hits / (hits + missed)
    precision = hits / (hits + wrong) if hits + wrong else 1.0
    return recall, precision, missed, wrong


def _line(label: str, entries: list[dict[str, Any]], flagged: list[bool], seconds: list[float]) -> str:
    recall, precision, missed, wrong = _scores(entries, flagged)
    return (
        f"{label:44s} recall {recall:6.1%}  precision {precision:6.1%}  missed {missed:3d}  false alarms {wrong:3d}"
        f"  median {statistics.median(seconds) * 1000:6.2f} ms  max {max(seconds) * 1000:7.2f} ms"
    )


def _ours(entries: list[dict[str, Any]]) -> tuple[list[bool], list[float]]:
    sys.path.insert(0, str(ROOT / "components"))
    from secure_serverless.contract.credentials import credential_kind

    flagged, seconds = [], []
    for entry in entries:
        start = time.perf_counter()
        flagged.append(credential_kind(entry["name"], entry["value"]) is not None)
        seconds.append(time.perf_counter() - start)
    return flagged, seconds


def _inner() -> None:
    """Child process: run the detect_secrets found on sys.path over the corpus, print JSON."""
    # imported by name: the library is on the child's path only (two installs share the module name)
    secrets_collection = importlib.import_module("detect_secrets").SecretsCollection
    scan_line = importlib.import_module("detect_secrets.core.scan").scan_line
    default_settings = importlib.import_module("detect_secrets.settings").default_settings

    entries = _load()
    results: dict[str, list[Any]] = {"file": [], "line": []}
    with default_settings(), tempfile.TemporaryDirectory() as folder:
        for index, entry in enumerate(entries):
            path = os.path.join(folder, f"variables-{index}.json")
            Path(path).write_text(json.dumps({entry["name"]: entry["value"]}, indent=2), encoding="utf-8")
            start = time.perf_counter()
            collection = secrets_collection()
            collection.scan_file(path)
            types = sorted({secret.type for name in collection.files for secret in collection[name]})
            results["file"].append([types, time.perf_counter() - start])
            start = time.perf_counter()
            types = sorted({secret.type for secret in scan_line(f"{entry['name']}={json.dumps(entry['value'])}")})
            results["line"].append([types, time.perf_counter() - start])
    print(json.dumps(results))


def _candidate(name: str) -> dict[str, list[Any]] | None:
    folder = DETECTORS / name
    if not (folder / "detect_secrets").is_dir():
        print(f"{name:44s} not installed: .venv/bin/pip install --target {folder.relative_to(ROOT)} {name}")
        return None
    env = {**os.environ, "PYTHONPATH": str(folder)}
    output = subprocess.run(
        [sys.executable, __file__, "--inner"], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    result: dict[str, list[Any]] = json.loads(output.strip().splitlines()[-1])
    return result


def _version(name: str) -> str:
    for info in (DETECTORS / name).glob("*.dist-info"):
        package, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        if package.replace("_", "-") == name:
            return version
    return "?"


# The URL pattern the detector had before (it rescanned each run from every start position).
_OLD_URL_PATTERN = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@")


def _best_of_three(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _large_values() -> None:
    from secure_serverless.contract.credentials import credential_kind

    print("\nlarge hostile values (best of three):")
    for size in (20_000, 200_000):
        old = _best_of_three(functools.partial(_OLD_URL_PATTERN.search, "a" * size)) if size <= 20_000 else None
        values = {
            "letters": "a" * size,
            "key=value pairs": ("a=b;" * size)[:size],
            "JSON object": json.dumps({f"k{i}": "v" for i in range(size // 10)})[:size],
            "base64 of text": base64.b64encode(("token: x\n" * size).encode()).decode()[:size],
            "format prefixes": ("ghp_xoxb-AIzaSG.eyJ-://a:b" * size)[:size],
        }
        worst = max(_best_of_three(functools.partial(credential_kind, "TOKEN_TABLE", v)) for v in values.values())
        line = f"    {size // 1000:4d} KB: detector worst case {worst * 1000:6.2f} ms over {len(values)} shapes"
        if old is not None:
            line += f"; the old URL pattern alone on 'a' * {size}: {old * 1000:7.1f} ms ({old / worst:,.0f}x)"
        print(line)


def _breakdown(entries: list[dict[str, Any]], rows: list[Any]) -> None:
    hits: Counter[str] = Counter()
    alarms: Counter[str] = Counter()
    for entry, (types, _) in zip(entries, rows, strict=True):
        for kind in types:
            (hits if entry["secret"] else alarms)[kind] += 1
    for kind in sorted(set(hits) | set(alarms)):
        print(f"    plugin {kind:36s} secrets found {hits[kind]:3d}  false alarms {alarms[kind]:3d}")
    for secret, what in ((True, "missed"), (False, "false alarms")):
        total = Counter(e["family"] for e in entries if e["secret"] == secret)
        flagged = Counter(e["family"] for e, (t, _) in zip(entries, rows, strict=True) if e["secret"] == secret and t)
        wrong = {f: (total[f] - flagged[f] if secret else flagged[f]) for f in sorted(total)}
        print(f"    {what} by family: " + ", ".join(f"{f} {n}/{total[f]}" for f, n in wrong.items() if n))


def main() -> None:
    entries = _load()
    secrets = sum(e["secret"] for e in entries)
    print(f"corpus: {len(entries)} variables, {secrets} secrets, {len(entries) - secrets} configuration values\n")
    flagged, seconds = _ours(entries)
    print(_line("secure-serverless contract/credentials.py", entries, flagged, seconds))
    _large_values()
    print()
    for name in CANDIDATES:
        result = _candidate(name)
        if result is None:
            continue
        for mode, label in (("file", "JSON file, default filters"), ("line", "scan_line, eager")):
            rows = result[mode]
            flags = [bool(types) for types, _ in rows]
            print(_line(f"{name} {_version(name)} ({label})", entries, flags, [s for _, s in rows]))
            if mode == "file":
                _breakdown(entries, rows)


if __name__ == "__main__":
    if sys.argv[1:] == ["--inner"]:
        _inner()
    else:
        main()
