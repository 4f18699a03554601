"""`secure-serverless check`: the guardrails in every pull request, without credentials or the Pulumi CLI."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from secure_serverless.check.results import EXIT_ERROR

USAGE_EXAMPLES = """\
examples:
  secure-serverless check                         # the program in ./Pulumi.yaml, its first stack
  secure-serverless check stacks/insecure --stack dev
  secure-serverless check --config pack-config.json --format sarif > results.sarif
  pulumi stack export > stack.json && secure-serverless check --stack-export stack.json

exit codes: 0 no mandatory violation (advisories allowed), 1 mandatory violations,
            2 the program or the input could not be evaluated
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secure-serverless",
        description="Secure-by-default AWS Lambda with Pulumi: offline guardrail checks.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="run a Pulumi program under mocks (or read a stack export) and judge it with the policy pack",
        description="Run a Pulumi program under mocks, or read a `pulumi stack export`, and judge every "
        "resource with the secure-serverless policy pack exactly as `pulumi preview --policy-pack` would.",
        epilog=USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "program_dir",
        nargs="?",
        default=".",
        metavar="PROGRAM_DIR",
        help="directory with the program's Pulumi.yaml (default: .)",
    )
    check.add_argument(
        "--stack",
        help="stack name: config from <stackConfigDir>/Pulumi.<stack>.yaml "
        "(default: the first Pulumi.<stack>.yaml found, else 'dev')",
    )
    check.add_argument(
        "--config",
        dest="pack_config",
        type=Path,
        metavar="FILE",
        help="policy pack config JSON, as for `pulumi preview --policy-pack-config`",
    )
    check.add_argument(
        "--pack",
        type=Path,
        metavar="DIR",
        help="policy pack directory (default: policy_packs/secure_serverless found "
        "upwards from the program, or the one shipped with this repository)",
    )
    check.add_argument(
        "--stack-export",
        type=Path,
        metavar="FILE",
        help="judge a deployed stack from `pulumi stack export` JSON instead of running a program",
    )
    check.add_argument(
        "--preview",
        action="store_true",
        help="run the program as a preview of a new stack: computed outputs are unknown",
    )
    check.add_argument(
        "--stack-reference",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="outputs of a stack the program references with pulumi.StackReference(NAME), from FILE "
        "(`pulumi stack output --json`); repeatable. Without it, that stack's outputs are unknown",
    )
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    check.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")
    return parser


def _write(text: str, output: Path | None, stdout: TextIO) -> None:
    if output is None:
        stdout.write(text)
        stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from secure_serverless.check.progress import Progress
    from secure_serverless.check.report import render_json, render_text
    from secure_serverless.check.runner import (
        CheckError,
        check_program,
        check_stack_export,
        load_pack_config,
        load_stack_references,
    )
    from secure_serverless.check.sarif import render_sarif

    progress = Progress.auto(bool(args.progress), stderr)
    source_file: Path | None = None
    try:
        pack_config = load_pack_config(args.pack_config)
        if args.stack_export is not None:
            if args.preview:
                raise CheckError("--preview does not apply to --stack-export (a deployed stack has no unknowns)")
            result = check_stack_export(
                args.stack_export, pack_dir=args.pack, pack_config=pack_config, progress=progress
            )
        else:
            result, spec = check_program(
                args.program_dir,
                stack=args.stack,
                pack_dir=args.pack,
                pack_config=pack_config,
                preview=args.preview,
                progress=progress,
                collect_garbage=False,  # the process exits after the report
                stack_references=load_stack_references(args.stack_reference),
            )
            source_file = spec.main_file
        if args.format == "json":
            text = render_json(result)
        elif args.format == "sarif":
            text = render_sarif(result, source_file=source_file)
        else:
            text = render_text(result)
    except Exception as error:  # anything uncaught would exit 1, which means "violations"
        progress.done("failed")
        if not isinstance(error, CheckError):
            error = CheckError(f"internal error: {type(error).__name__}: {error}", traceback.format_exc())
        if error.details:
            stderr.write(error.details if error.details.endswith("\n") else error.details + "\n")
        stderr.write(f"secure-serverless check: error: {error.message}\n")
        return EXIT_ERROR

    try:
        _write(text, args.output, stdout)
    except OSError as error:
        stderr.write(f"secure-serverless check: error: cannot write {args.output}: {error}\n")
        return EXIT_ERROR
    return result.exit_code


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "check":
        parser.print_help(out)
        return EXIT_ERROR
    return run_check(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
