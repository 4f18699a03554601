"""The `model` and `quarantine` subcommands of `secure-serverless` (registered by check/cli.py).

Kept import-light: pulumi, boto3 and moto load only when a subcommand runs.
"""

from __future__ import annotations

import argparse
import json
import traceback
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2

MODEL_EXAMPLES = """\
examples:
  secure-serverless model                       # every function of ./Pulumi.yaml, runbooks in ./runbooks
  secure-serverless model stacks/app --format json --runbooks docs/runbooks
"""
QUARANTINE_EXAMPLES = """\
examples:
  secure-serverless quarantine drill orders-api            # offline: simulate a denied call, show the response
  secure-serverless quarantine status orders-api-1a2b3c4   # AWS: the function's quarantine state
  secure-serverless quarantine release orders-api-1a2b3c4 --reason "INC-42: leaked key rotated, code fixed"
"""


def register(commands: Any) -> None:
    """Add ``model`` and ``quarantine`` to the CLI's subcommands."""
    model = commands.add_parser(
        "model",
        help="print each function's behaviour model and write a runbook per function",
        description="Run the program under mocks and print every SecureFunction's behaviour model: what it may "
        "call, who invokes it, its alarms and baselines, its quarantine. Writes a Markdown runbook per function.",
        epilog=MODEL_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model.add_argument("program_dir", nargs="?", default=".", metavar="PROGRAM_DIR")
    model.add_argument("--stack", help="stack name (as for check)")
    model.add_argument("--format", choices=("text", "json"), default="text")
    model.add_argument("--runbooks", type=Path, default=Path("runbooks"), metavar="DIR", help="default: ./runbooks")
    model.add_argument("--no-runbooks", action="store_true", help="do not write runbooks")
    model.set_defaults(handler=run_model)

    quarantine = commands.add_parser(
        "quarantine",
        help="rehearse, inspect or lift a function's quarantine",
        description="Drill a quarantine offline, or show / release one in AWS.",
        epilog=QUARANTINE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = quarantine.add_subparsers(dest="verb", metavar="VERB", required=True)
    drill = verbs.add_parser("drill", help="offline: a denied call by FUNCTION, the rule, the responder, the policy")
    drill.add_argument("function", metavar="FUNCTION", help="SecureFunction logical name (or physical name)")
    drill.add_argument("program_dir", nargs="?", default=".", metavar="PROGRAM_DIR")
    drill.add_argument("--stack")
    drill.add_argument("--call", metavar="SERVICE:ACTION", help="the denied call (default: a probe it never declared)")
    drill.add_argument("--format", choices=("text", "json"), default="text")
    drill.set_defaults(handler=run_drill_command)
    for verb, text in (("status", "show the quarantine state in AWS"), ("release", "lift the quarantine in AWS")):
        sub = verbs.add_parser(verb, help=text)
        sub.add_argument("function", metavar="FUNCTION", help="the Lambda function's physical name")
        sub.add_argument("--region", help="AWS region (default: the environment's)")
        sub.add_argument("--format", choices=("text", "json"), default="text")
        if verb == "release":
            sub.add_argument("--reason", required=True, help="why the quarantine can end (audit record)")
            sub.add_argument(
                "--audit-log",
                type=Path,
                default=Path(".secure-serverless") / "quarantine-audit.jsonl",
                metavar="FILE",
                help="append the audit record here (default: .secure-serverless/quarantine-audit.jsonl)",
            )
        sub.set_defaults(handler=run_status if verb == "status" else run_release)


def _fail(stderr: TextIO, command: str, error: Exception) -> int:
    from secure_serverless.quarantine.recorded import ProgramError

    if isinstance(error, ProgramError):
        stderr.write(f"secure-serverless {command}: error: {error}\n")
    elif type(error).__module__.startswith(("botocore", "boto3")):
        # no credentials, access denied, throttling: AWS's own words in one line, never a traceback
        stderr.write(f"secure-serverless {command}: error: AWS: {type(error).__name__}: {error}\n")
    else:
        stderr.write(traceback.format_exc())
        stderr.write(f"secure-serverless {command}: error: internal error: {type(error).__name__}: {error}\n")
    return EXIT_ERROR


def run_model(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from secure_serverless.quarantine.recorded import dumps, run_program_view
        from secure_serverless.quarantine.runbook import render_runbook

        view = run_program_view(args.program_dir, args.stack)
        written: list[Path] = []
        if not args.no_runbooks:
            args.runbooks.mkdir(parents=True, exist_ok=True)
            for logical, model in sorted(view.models.items()):
                path = args.runbooks / f"{logical}.md"
                path.write_text(render_runbook(model), encoding="utf-8")
                written.append(path)
        if args.format == "json":
            stdout.write(dumps({"models": view.models, "runbooks": [str(p) for p in written]}) + "\n")
        else:
            stdout.write(_model_text(view.models, written))
    except Exception as error:
        return _fail(stderr, "model", error)
    return EXIT_OK


def _model_text(models: dict[str, dict[str, Any]], runbooks: list[Path]) -> str:
    lines: list[str] = []
    for logical, model in sorted(models.items()):
        fn, q = model["function"], model["quarantine"]
        lines.append(f"{logical} ({fn['name']}), role {fn['roleName']}")
        lines.append(f"  may call ({len(model['declaredActions'])}): {', '.join(model['declaredActions'])}")
        inv = model["invokers"]
        invokers = (
            (["function URL (" + inv["functionUrl"]["authType"] + ")"] if inv["functionUrl"] else [])
            + [f"event source {m['eventSourceArn']}" for m in inv["eventSourceMappings"]]
            + [f"{p['principal']}" for p in inv["permissions"]]
        )
        lines.append(f"  invoked by: {', '.join(invokers) or 'IAM principals only'}")
        lines.append(f"  alarms: {', '.join(a['key'] for a in model['alarms']) or 'none'}")
        lines.append(
            f"  quarantine: {q['mode']} after {q['threshold']} denied call(s) in {q['windowSeconds']}s"
            if q["protected"]
            else "  quarantine: not protected"
        )
    if runbooks:
        lines.append(f"runbooks: {', '.join(str(p) for p in runbooks)}")
    return "\n".join(lines) + "\n"


def run_drill_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from secure_serverless.quarantine.drill import render_drill, run_drill
        from secure_serverless.quarantine.recorded import run_program_view

        report = run_drill(run_program_view(args.program_dir, args.stack), args.function, call=args.call)
        stdout.write(json.dumps(report.as_dict(), indent=2) + "\n" if args.format == "json" else render_drill(report))
    except Exception as error:
        return _fail(stderr, "quarantine drill", error)
    return EXIT_OK


def run_status(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from secure_serverless.quarantine.operations import operator_clients, status

        record = status(operator_clients(args.region), args.function)
        if args.format == "json":
            stdout.write(json.dumps(record, indent=2) + "\n")
        else:
            stdout.write(f"{record['function']} (role {record['role']}): {record['state']}\n")
            for key in ("mode", "since", "event", "reservedConcurrency", "topic"):
                if record.get(key) is not None:
                    stdout.write(f"  {key}: {record[key]}\n")
    except Exception as error:
        return _fail(stderr, "quarantine status", error)
    return EXIT_OK


def run_release(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from secure_serverless.quarantine.operations import operator_clients, release

        audit = release(operator_clients(args.region), args.function, reason=args.reason, audit_log=args.audit_log)
        if args.format == "json":
            stdout.write(json.dumps(audit, indent=2) + "\n")
        else:
            stdout.write(f"{args.function}: {audit['outcome']}\n")
            for note in audit.get("notes", []):
                stdout.write(f"  {note}\n")
            stdout.write(f"  audit record appended to {args.audit_log}\n")
    except Exception as error:
        return _fail(stderr, "quarantine release", error)
    return EXIT_REFUSED if audit["outcome"] == "refused" else EXIT_OK
