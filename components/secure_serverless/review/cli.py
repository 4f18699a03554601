"""`secure-serverless review`: declared permissions against CloudTrail, and drift of the deployed roles."""

from __future__ import annotations

import argparse
import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

EXIT_CLEAN, EXIT_GATE, EXIT_ERROR = 0, 1, 2

EXAMPLES = """\
examples:
  secure-serverless review --events trail.json.gz                 # the program in ./Pulumi.yaml
  secure-serverless review --events exported/ --format json       # a folder of trail files
  secure-serverless review --stack-export stack.json --live --days 30 --fail-on-drift
  secure-serverless review --live --role orders=orders-role-prod --fail-on-unused --format sarif -o review.sarif

exit codes: 0 reviewed, 1 a gate failed (--fail-on-unused, --fail-on-drift), 2 the review could not run
"""


class ReviewError(Exception):
    """Anything that stops the review, said in one line."""


def add_parser(commands: Any) -> None:
    """Register the ``review`` subcommand on the top-level CLI's subparsers."""
    parser = commands.add_parser(
        "review",
        help="compare each function's declared permissions with its CloudTrail activity and its deployed role",
        description="Least-privilege review: unused grants, denied calls, wildcard expansions and access levels, "
        "drift of the deployed roles, and the narrower declaration to paste back.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("program_dir", nargs="?", default=".", metavar="PROGRAM_DIR",
                        help="directory with the program's Pulumi.yaml (default: .)")
    parser.add_argument("--stack", help="stack whose config the program runs with (as for check)")
    parser.add_argument("--stack-export", type=Path, metavar="FILE",
                        help="take the declaration from `pulumi stack export` JSON instead of running the program")
    parser.add_argument("--events", type=Path, action="append", metavar="FILE",
                        help="CloudTrail records: a file ({\"Records\": [...]}, gzip, JSON lines, LookupEvents "
                        "output) or a folder of them; repeatable")
    parser.add_argument("--live", action="store_true",
                        help="read CloudTrail LookupEvents, IAM last-accessed data and the deployed roles "
                        "(boto3, read-only calls only)")
    parser.add_argument("--days", type=int, default=30, help="the window for --live, in days (default 30)")
    parser.add_argument("--max-events", type=int, default=100_000, help="stop reading LookupEvents after this many")
    parser.add_argument("--role", action="append", default=[], metavar="FUNCTION=ROLE",
                        help="the deployed role (name or ARN) of a function whose role name is not derivable")
    parser.add_argument("--region", help="AWS region for --live (default: the SDK's)")
    parser.add_argument("--profile", help="AWS profile for --live")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    parser.add_argument("--fail-on-unused", action="store_true",
                        help="exit 1 when a function with calls in the window has an unused grant")
    parser.add_argument("--fail-on-drift", action="store_true", help="exit 1 when a deployed role drifted")
    parser.set_defaults(handler=run_review)


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        function, sep, role = pair.partition("=")
        if not sep or not function or not role:
            raise ReviewError(f"--role takes FUNCTION=ROLE, not {pair!r}")
        out[function] = role
    return out


def _declared(args: argparse.Namespace, stderr: TextIO) -> tuple[list[Any], bool, Path]:
    """The program's functions, whether their ARNs are the mocks' (compared with placeholders), and the file
    that declares them (the program's main file, or the stack export)."""
    from secure_serverless.check.stack_export import StackExportError, load_stack_export
    from secure_serverless.review.declared import declared_functions, loosened

    if args.stack_export is not None:
        try:
            return declared_functions(load_stack_export(args.stack_export).resources), False, args.stack_export
        except StackExportError as error:
            raise ReviewError(str(error)) from error
    from secure_serverless.check.cli import program_output_to
    from secure_serverless.check.inputs import InputError, find_project_dir
    from secure_serverless.check.program import ProgramLoadError, load_program
    from secure_serverless.check.runner import CheckError, run_program_spec

    try:
        spec = load_program(find_project_dir(Path(args.program_dir)), args.stack)
        with program_output_to(stderr):  # stdout carries the report alone
            resources = run_program_spec(spec, preview=False, collect_garbage=False)
    except (ProgramLoadError, InputError) as error:
        raise ReviewError(str(error)) from error
    except CheckError as error:
        raise ReviewError(f"{error.message}\n{error.details}".strip()) from error
    return [loosened(f) for f in declared_functions(resources)], True, spec.main_file


def _session(args: argparse.Namespace) -> Any:
    try:
        import boto3
    except ImportError as error:
        raise ReviewError("--live needs boto3: pip install 'secure-serverless[live]'") from error
    from secure_serverless.review.live import read_only

    return read_only(boto3.Session(profile_name=args.profile, region_name=args.region))


def _live(args: argparse.Namespace, functions: list[Any], overrides: Mapping[str, str],
          placeholders: bool, session: Any) -> tuple[Any, str]:
    from secure_serverless.review import live
    from secure_serverless.review.compare import drift, review

    end = datetime.now(UTC)
    start = end - timedelta(days=args.days)
    trail = live.lookup_events(session.client("cloudtrail"), start, end, args.max_events)
    iam = session.client("iam")
    names, ambiguous = live.match_roles(functions, live.role_names(iam), overrides)
    for function, candidates in sorted(ambiguous.items()):
        raise ReviewError(
            f"{function}: several deployed roles fit ({', '.join(candidates)}), e.g. one per stack; give the "
            f"right one with --role {function}=ROLE"
        )
    result = review(functions, trail.calls, {**overrides, **names})
    reviews = []
    for item in result.functions:
        name = names.get(item.function.name)
        if name is None:
            reviews.append(item)
            continue
        deployed = live.deployed_role(iam, name)
        reviews.append(replace(
            item,
            drift=drift(item.function, deployed, placeholders=placeholders),
            last_accessed=live.last_accessed(iam, deployed.arn),
        ))
    return replace(result, functions=tuple(reviews)), f"last {args.days} days, CloudTrail LookupEvents"


def run_review(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, session: Any = None) -> int:
    """Run the review; ``session`` (a boto3 Session) is for tests."""
    from secure_serverless.review import render
    from secure_serverless.review.cloudtrail import TrailError, read_trail
    from secure_serverless.review.compare import review

    try:
        if not args.events and not args.live:
            raise ReviewError("give --events FILE (CloudTrail records) or --live")
        if args.days <= 0:
            raise ReviewError("--days must be a positive number of days")
        overrides = _overrides(args.role)
        functions, placeholders, source = _declared(args, stderr)
        if not functions:
            raise ReviewError("the program declares no Lambda function with a role: nothing to review")
        unknown = sorted(set(overrides) - {f.name for f in functions})
        if unknown:
            raise ReviewError(f"--role names no function of the program: {', '.join(unknown)}")
        if args.live:
            result, window = _live(args, functions, overrides, placeholders,
                                   session if session is not None else _session(args))
        else:
            trail = read_trail(args.events)
            for problem in trail.problems:
                stderr.write(f"secure-serverless review: skipped {problem}\n")
            if trail.problem_count > len(trail.problems):
                stderr.write(f"secure-serverless review: skipped {trail.problem_count} malformed records in all\n")
            result = review(functions, trail.calls, overrides)
            window = f"{trail.records} records from {', '.join(str(p) for p in args.events)}"
        silent = sorted(r.function.name for r in result.functions if r.calls == 0)
        if silent:
            stderr.write(
                "secure-serverless review: no calls in the window for " + ", ".join(silent)
                + " (an idle function, a window without its events, or a role name to give with --role); "
                "their grants are not judged unused\n"
            )
        version = importlib.metadata.version("secure-serverless")
        text = (render.as_json(result, window=window) if args.format == "json"
                else render.sarif(result, version=version, window=window, source=source) if args.format == "sarif"
                else render.text(result, window=window))
    except (ReviewError, TrailError) as error:
        stderr.write(f"secure-serverless review: error: {error}\n")
        return EXIT_ERROR
    except Exception as error:  # boto3's errors among them: one line, never a traceback
        stderr.write(f"secure-serverless review: error: {type(error).__name__}: {error}\n")
        return EXIT_ERROR
    try:
        if args.output is not None:
            args.output.write_text(text, encoding="utf-8")
        else:
            stdout.write(text)
    except OSError as error:
        stderr.write(f"secure-serverless review: error: cannot write {args.output}: {error.strerror or error}\n")
        return EXIT_ERROR
    failed = (args.fail_on_unused and any(r.unused for r in result.functions)) or (
        args.fail_on_drift and any(r.drift for r in result.functions))
    return EXIT_GATE if failed else EXIT_CLEAN
