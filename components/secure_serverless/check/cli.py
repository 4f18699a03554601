"""`secure-serverless`: the guardrails in every pull request, without credentials or the Pulumi CLI.

Each subcommand registers its parser from its own module (see ``SUBCOMMANDS``) and sets
``handler(args, stdout, stderr) -> exit code`` as a parser default; ``check`` lives here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from secure_serverless.check import pack_install
from secure_serverless.check.results import EXIT_ERROR
from secure_serverless.quarantine import cli as quarantine_cli
from secure_serverless.review import cli as review_cli

USAGE_EXAMPLES = """\
examples:
  secure-serverless check                         # the program of the nearest Pulumi.yaml, its first stack
  secure-serverless check stacks/insecure --stack dev
  secure-serverless check --format sarif -o results.sarif   # the file is written even when the check fails
  secure-serverless check --config-value dbPassword=stand-in  # a stand-in for an encrypted config value
  pulumi stack export --file stack.json && secure-serverless check --stack-export stack.json

exit codes: 0 no mandatory violation (advisories allowed), 1 mandatory violations,
            2 the program or the input could not be evaluated
"""

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


def register_check(commands: Any) -> None:
    """Add the ``check`` command (``commands`` is the parser's subparsers object)."""
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
        default=None,
        metavar="PROGRAM_DIR",
        help="directory with the program's Pulumi.yaml (default: the nearest Pulumi.yaml at or above the "
        "working directory, as the Pulumi CLI finds it)",
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
        "--config-value",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="stack config value for the program (repeatable), e.g. a stand-in for an encrypted `secure:` "
        "value the offline check cannot decrypt; KEY without a namespace belongs to the project",
    )
    check.add_argument(
        "--pack",
        type=Path,
        metavar="DIR",
        help="policy pack directory (default: policy_packs/secure_serverless found upward from the program, "
        "else the pack shipped with this package)",
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
    check.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write the report here (default: stdout); written even when the check cannot run (exit 2)",
    )
    check.add_argument("--progress", action="store_true", help="show progress on stderr even when it is not a terminal")
    check.set_defaults(handler=run_check)


#: Subcommands, each registered from its own module.
SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (
    register_check,
    pack_install.register,
    review_cli.add_parser,
    quarantine_cli.register,
)


def build_parser() -> argparse.ArgumentParser:
    from secure_serverless.check.packs import package_version

    parser = argparse.ArgumentParser(
        prog="secure-serverless",
        description="Secure-by-default AWS Lambda with Pulumi: offline guardrail checks.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(commands)
    return parser


# -- check -------------------------------------------------------------------------------------------


@dataclass
class _Failure:
    """Why the check could not run: the error line, lines shown before it, and the lines of the report's
    error object (no traceback in those: a report is uploaded and may be public)."""

    message: str
    shown: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


@contextlib.contextmanager
def program_output_to(stream: TextIO) -> Iterator[None]:
    """The program's prints (and those of anything it starts) go to ``stream`` while it runs: stdout
    carries the report alone, so JSON and SARIF piped to a file parse."""
    saved: int | None = None
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)  # subprocesses and C extensions write to the descriptor, not to sys.stdout
    except (OSError, ValueError, AttributeError):
        saved = None
    try:
        with contextlib.redirect_stdout(stream):
            yield
    finally:
        if saved is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _program_location(error: BaseException, project_dir: Path | None) -> str | None:
    """file:line of the innermost frame in the program's own files."""
    location = getattr(error, "location", None)
    if location is not None:
        return str(location)
    if project_dir is None:
        return None
    root = str(project_dir.resolve()) + os.sep
    found = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename.startswith(root):
            found = f"{frame.f_code.co_filename}:{line}"
    return found


def _describe(error: BaseException, project_dir: Path | None, hint: str) -> _Failure:
    from secure_serverless.arg_errors import ArgumentError
    from secure_serverless.check.inputs import InputError
    from secure_serverless.check.pack_config import PackConfigError
    from secure_serverless.check.packs import PackError
    from secure_serverless.check.runner import CheckError
    from secure_serverless.function import SecureFunctionError

    if isinstance(error, InputError | PackError | PackConfigError):
        return _Failure(str(error))
    if isinstance(error, CheckError):
        cause = error.__cause__
        if isinstance(cause, ArgumentError | SecureFunctionError):
            # One line per invalid argument with the program's file:line; no frames (pydantic, pulumi,
            # the checker), no source line (a literal credential would be echoed).
            where = _program_location(cause, project_dir)
            prefix = f"{where}: " if where else ""
            lines = [f"{prefix}{line}" for line in str(cause).splitlines()]
            return _Failure("the program stopped on invalid SecureFunction arguments", lines, lines)
        details = error.details.rstrip("\n").splitlines() if error.details else []
        from_program = cause is not None and error.message.startswith("the program")
        message = f"{error.message}. {hint}" if hint and from_program else error.message
        return _Failure(message, details, [])
    return _Failure(
        f"internal error: {type(error).__name__}: {error}", traceback.format_exc().rstrip("\n").splitlines(), []
    )


def _error_document(args: argparse.Namespace, failure: _Failure) -> str:
    from secure_serverless.check.packs import package_version
    from secure_serverless.check.report import render_json_error
    from secure_serverless.check.sarif import render_sarif_error

    if args.format == "json":
        return render_json_error(failure.message, failure.details)
    if args.format == "sarif":
        return render_sarif_error(failure.message, failure.details, package_version())
    return "\n".join([*failure.details, f"error: {failure.message}"]) + "\n"


def _write(text: str, output: Path | None, stdout: TextIO) -> None:
    if output is None:
        stdout.write(text)
        stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def _fail(error: BaseException, args: argparse.Namespace, stdout: TextIO, stderr: TextIO,
          project_dir: Path | None, hint: str) -> int:
    failure = _describe(error, project_dir, hint)
    for line in failure.shown:
        stderr.write(line + "\n")
    stderr.write(f"secure-serverless check: error: {failure.message}\n")
    # CI uploads the report file whatever the exit code: it must exist and say why nothing was judged.
    if args.output is not None or args.format != "text":
        try:
            _write(_error_document(args, failure), args.output, stdout)
        except OSError as write_error:
            stderr.write(f"secure-serverless check: error: cannot write {args.output}: {write_error}\n")
    return EXIT_ERROR


def run_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from secure_serverless.check import inputs
    from secure_serverless.check.progress import Progress

    progress = Progress.auto(bool(args.progress), stderr)
    project_dir: Path | None = None
    hint = ""
    try:
        from secure_serverless.check.evaluate import pack_policy_names
        from secure_serverless.check.pack_config import validate_pack_config
        from secure_serverless.check.packs import PackError, ensure_requirements, find_pack_dir, is_pack
        from secure_serverless.check.program import load_program
        from secure_serverless.check.report import render_json, render_text
        from secure_serverless.check.runner import (
            check_program,
            check_stack_export,
            load_pack_config,
            load_stack_references,
        )
        from secure_serverless.check.sarif import relative_uri, render_sarif, repository_root

        inputs.refuse_conflicts(args.program_dir, args.stack_export)
        if args.stack_export is not None and args.preview:
            raise inputs.InputError("--preview does not apply to --stack-export (a deployed stack has no unknowns)")
        config_values = inputs.parse_config_values(args.config_value)
        if args.stack_export is None:
            start = Path(args.program_dir) if args.program_dir is not None else Path.cwd()
            project_dir = inputs.find_project_dir(start) if args.program_dir is None else start
            if project_dir.is_dir():
                inputs.check_stack_exists(project_dir, args.stack)
        pack = args.pack or find_pack_dir(project_dir or args.stack_export.parent)
        if not is_pack(pack):
            raise PackError(f"{pack} is not a policy pack (no PulumiPolicy.yaml)")
        ensure_requirements(pack)  # before the program runs: a missing library is exit 2 naming pip
        pack_config = load_pack_config(args.pack_config)
        if pack_config:
            validate_pack_config(pack_config, pack_policy_names(pack), args.pack_config)

        if args.stack_export is not None:
            result = check_stack_export(args.stack_export, pack_dir=pack, pack_config=pack_config, progress=progress)
            source_file: Path = args.stack_export
            root = repository_root(source_file, source_file.parent)
        else:
            assert project_dir is not None
            with contextlib.suppress(Exception):  # load errors are reported by check_program itself
                hint = inputs.secret_hint(load_program(project_dir, args.stack), config_values)
            with program_output_to(stderr):
                result, spec = check_program(
                    project_dir,
                    stack=args.stack,
                    pack_dir=pack,
                    pack_config=pack_config,
                    preview=args.preview,
                    progress=progress,
                    collect_garbage=False,  # the process exits after the report
                    config_values=config_values,
                    stack_references=load_stack_references(args.stack_reference),
                )
            source_file = spec.main_file
            root = repository_root(spec.main_file, spec.project_dir)
        if args.format == "json":
            text = render_json(result)
        elif args.format == "sarif":
            text = render_sarif(result, source_file=source_file, uri=relative_uri(source_file, root), root=root)
        else:
            text = render_text(result)
    except Exception as error:  # anything uncaught would exit 1, which means "violations"
        progress.done("failed")
        return _fail(error, args, stdout, stderr, project_dir, hint)

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
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return EXIT_ERROR
    return handler(args, out, err)


if __name__ == "__main__":
    sys.exit(main())
