"""Policy-pack throughput over the engine protocol: our pack against an empty pack, same run.

Usage: ``.venv/bin/python benchmarks/policy.py [--functions 100 1000] [--repeat 3]``

Both packs are started exactly as the engine starts them (``python -u -m pulumi.policy <engine> <dir>``)
and configured through Handshake/ConfigureStack/GetAnalyzerInfo/Configure. The stack comes from the
test generator shaped like SecureFunction's contract (15 resources per function: the component and its
14 children). Printed: pack start-up (process start to printed port), Analyze time per resource (the
per-resource cost the engine pays during preview/update), AnalyzeStack time, and the ratios to the empty
pack, which holds a single disabled policy (``PolicyPack`` refuses an empty policy list; the servicer
skips disabled policies before any work, so it costs what "no policies" would).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK_DIR = ROOT / "policy_packs" / "secure_serverless"
sys.path.insert(0, str(ROOT / "tests" / "policy_packs"))
sys.path.insert(0, str(ROOT / "tests"))  # stack_factory builds on the tests' support package

from secure_serverless.check.engine import (  # noqa: E402
    PackProcess,
    Session,
    analyze_request,
    analyze_stack_request,
)
from secure_serverless.check.model import RecordedResource  # noqa: E402

from stack_factory import PROVIDER, happy_stack  # type: ignore[import-not-found]  # noqa: E402

EMPTY_MAIN = '''from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

PolicyPack("empty", [ResourceValidationPolicy(
    name="noop", description="Does nothing.", validate=lambda args, report: None,
    enforcement_level=EnforcementLevel.DISABLED)])
'''


# The default AWS provider as the engine describes it in every request (its inputs travel with each
# Analyze call, and pulumi_policy deserializes them once per policy).
AWS_PROVIDER = RecordedResource(
    type="pulumi:providers:aws",
    name="default_7_51_1",
    urn=PROVIDER.rsplit("::", 1)[0],
    inputs={"region": "eu-west-1", "version": "7.51.1", "skipCredentialsValidation": "false",
            "skipRegionValidation": "true", "skipMetadataApiCheck": "true",
            "defaultTags": '{"tags":{"team":"payments"}}'},
)


def empty_pack(directory: Path) -> Path:
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (directory / "__main__.py").write_text(EMPTY_MAIN)
    return directory


def startup(pack_dir: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with PackProcess(pack_dir) as pack:
            times.append(pack.startup_seconds)
    return statistics.median(times)


def measure(pack_dir: Path, resources: Sequence[RecordedResource], repeat: int,
            provider: bool = True) -> tuple[float, float, float]:
    """Seconds per Analyze call, per Remediate+Analyze pair (what the engine sends per resource), and for
    AnalyzeStack: best of ``repeat`` passes."""
    by_urn = {r.urn: r for r in resources}
    if provider:
        by_urn[AWS_PROVIDER.urn] = AWS_PROVIDER
    requests = [analyze_request(r, by_urn) for r in resources]
    stack_request = analyze_stack_request(resources)
    with PackProcess(pack_dir) as pack:
        session = Session(pack)
        session.configure()
        for request in requests[:50]:  # warm up (lazy imports, the IAM database is not among them)
            pack.analyze(request)
        analyze_best = pair_best = stack_best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for request in requests:
                pack.analyze(request)
            analyze_best = min(analyze_best, (time.perf_counter() - started) / len(requests))
            started = time.perf_counter()
            for request in requests:
                pack.remediate(request)
                pack.analyze(request)
            pair_best = min(pair_best, (time.perf_counter() - started) / len(requests))
            started = time.perf_counter()
            pack.analyze_stack(stack_request)
            stack_best = min(stack_best, time.perf_counter() - started)
    return analyze_best, pair_best, stack_best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--functions", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-provider-properties", action="store_true",
                        help="send the provider without properties (the default sends realistic ones)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        empty = empty_pack(Path(tmp))
        ours_start, empty_start = startup(PACK_DIR, args.repeat), startup(empty, args.repeat)
        print(f"start-up (process start -> port printed), median of {args.repeat}:")
        print(f"  secure-serverless {ours_start:.3f} s   empty {empty_start:.3f} s   "
              f"ratio {ours_start / empty_start:.2f}x   target <= 1 s: {'met' if ours_start <= 1 else 'MISSED'}")
        for count in args.functions:
            resources = happy_stack([f"fn{i:04d}" for i in range(count)])
            provider = not args.no_provider_properties
            ours, ours_pair, ours_stack = measure(PACK_DIR, resources, args.repeat, provider)
            base, base_pair, base_stack = measure(empty, resources, args.repeat, provider)
            ratio = ours / base
            what = "with" if provider else "without"
            print(f"{count} functions, {len(resources)} resources, provider {what} properties "
                  f"(Analyze: best of {args.repeat}):")
            print(f"  Analyze per resource: secure-serverless {ours * 1e6:.0f} us   empty {base * 1e6:.0f} us   "
                  f"ratio {ratio:.2f}x   target <= 2x: {'met' if ratio <= 2 else 'MISSED'}")
            print(f"  Analyze throughput:   secure-serverless {1 / ours:.0f}/s   empty {1 / base:.0f}/s")
            print(f"  Remediate+Analyze per resource (the engine's per-resource calls): secure-serverless "
                  f"{ours_pair * 1e6:.0f} us   empty {base_pair * 1e6:.0f} us   ratio {ours_pair / base_pair:.2f}x")
            print(f"  AnalyzeStack (whole stack): secure-serverless {ours_stack:.2f} s   empty {base_stack:.3f} s")


if __name__ == "__main__":
    main()
