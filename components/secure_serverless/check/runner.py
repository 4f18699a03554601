"""Run a check end to end: load the program (or a stack export), evaluate the pack, assemble the result."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from secure_serverless.check import packs
from secure_serverless.check.cost import compute_cost
from secure_serverless.check.evaluate import PackEvaluation, evaluate_in_process
from secure_serverless.check.graph import owning_components, scrub, secret_values
from secure_serverless.check.inputs import with_config_values
from secure_serverless.check.model import RecordedResource
from secure_serverless.check.program import (
    ProgramLoadError,
    ProgramSpec,
    SourceLines,
    display_path,
    load_program,
    program_callable,
    program_context,
)
from secure_serverless.check.progress import Progress, plural
from secure_serverless.check.results import CheckResult, Finding
from secure_serverless.check.stack_export import StackExportError, load_stack_export
from secure_serverless.check.waivers import declared_waivers, secret_reasons

PACK_SUBDIR = packs.PACK_SUBDIR


class CheckError(Exception):
    """The program or the input could not be evaluated (exit code 2). ``details`` is shown verbatim."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


# -- inputs ------------------------------------------------------------------------------------------


def find_pack_dir(start: Path | None = None) -> Path:
    """``policy_packs/secure_serverless`` upward from the program, else the pack shipped with the package."""
    try:
        return packs.find_pack_dir(start)
    except packs.PackError as exc:
        raise CheckError(str(exc)) from exc


def load_pack_config(path: Path | str | None) -> dict[str, Any]:
    """A policy config file as `pulumi preview --policy-pack-config` takes it: {policy: level | {...}}."""
    if path is None:
        return {}
    try:
        document = json.loads(Path(path).read_bytes())  # bytes: any JSON encoding, BOM or not
    except OSError as exc:
        raise CheckError(f"cannot read pack config {path}: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise CheckError(f"pack config {path} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise CheckError(f"pack config {path} must be a JSON object {{policy: level or settings}}")
    return document


def load_stack_references(specs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``NAME=FILE`` pairs (``--stack-reference``) -> {stack name: outputs read from FILE's JSON object}.

    FILE holds the referenced stack's outputs as ``pulumi stack output --json`` prints them.
    """
    references: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise CheckError(f"--stack-reference {spec!r}: expected NAME=FILE, e.g. acme/network/prod=network.json")
        try:
            document = json.loads(Path(file).read_bytes())
        except OSError as exc:
            raise CheckError(f"--stack-reference {name}: cannot read {file}: {exc}") from exc
        except ValueError as exc:
            raise CheckError(f"--stack-reference {name}: {file} is not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise CheckError(
                f"--stack-reference {name}: {file} must be a JSON object of outputs "
                "(`pulumi stack output --json`)"
            )
        references[name] = document
    return references


_CHECKER_DIR = str(Path(__file__).resolve().parent)


def _program_traceback(error: BaseException, program_root: Path) -> str:
    """The traceback from the first frame in the program's own files (falls back to all of it)."""
    root = str(program_root.resolve())
    tb: TracebackType | None = error.__traceback__
    first_own = None
    walker = tb
    while walker is not None:
        filename = walker.tb_frame.f_code.co_filename
        if filename.startswith(root) and not filename.startswith(_CHECKER_DIR):
            first_own = walker
            break
        walker = walker.tb_next
    return "".join(traceback.format_exception(type(error), error, first_own or tb))


def run_program_spec(
    spec: ProgramSpec,
    *,
    preview: bool,
    source_lines: dict[str, int] | None = None,
    progress: Progress | None = None,
    collect_garbage: bool = True,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    notes: list[str] | None = None,
) -> list[RecordedResource]:
    """Run the program under mocks; any exception becomes a CheckError carrying its traceback.

    ``source_lines`` (if given) receives URN -> line of the main file that created the resource;
    ``notes`` (if given) receives what the report should say about offline answers (lookups without
    one, unknown stack references, remote components). ``collect_garbage`` and
    ``stack_references``: see :func:`secure_serverless.check.mocks.run_program`.
    """
    from secure_serverless.check.mocks import run_program  # imports pulumi: keep --help fast

    by_name: SourceLines | None = None if source_lines is None else {}
    try:
        with program_context(spec):
            run = run_program(
                program_callable(spec, by_name, progress.update if progress is not None else None),
                preview=preview,
                project=spec.project,
                stack=spec.stack,
                config=spec.config,
                secret_keys=list(spec.secret_keys),
                collect_garbage=collect_garbage,
                stack_references=stack_references,
            )
    except (Exception, SystemExit) as error:  # sys.exit() in a program must not end the check
        raise CheckError(
            f"the program {spec.main_file} raised {type(error).__name__}",
            _program_traceback(error, spec.main_dir),
        ) from error
    if notes is not None:
        notes.extend(run.notes)
    if source_lines is not None and by_name:
        for resource in run.resources:
            line = by_name.get((resource.type, resource.name))
            if line is not None:
                source_lines[resource.urn] = line
    return list(run.resources)


def _evaluate(
    resources: Sequence[RecordedResource],
    pack: Path,
    config: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    dry_run: bool,
    progress: Progress,
) -> PackEvaluation:
    if not (pack / "PulumiPolicy.yaml").is_file():
        raise CheckError(f"{pack} is not a policy pack (no PulumiPolicy.yaml)")
    try:
        return evaluate_in_process(
            resources, pack, config, project=project, stack=stack, dry_run=dry_run, progress=progress
        )
    except ValueError as exc:  # config the policies' schemas reject
        raise CheckError(f"pack config: {exc}") from exc
    except ImportError as exc:  # the engine would build the pack's environment from requirements.txt
        raise CheckError(
            f"cannot load the policy pack in {pack}: {exc}. Install its requirements into this environment: "
            f"pip install -r {pack / 'requirements.txt'}",
            traceback.format_exc(),
        ) from exc


# -- assembly ----------------------------------------------------------------------------------------


def _findings(
    evaluation: PackEvaluation,
    resources: Sequence[RecordedResource],
    component_of: Mapping[str, str | None],
    secrets: set[str],
) -> list[Finding]:
    by_urn = {r.urn: r for r in resources}
    out: list[Finding] = []
    for finding in evaluation.findings:
        resource = by_urn.get(finding.urn) if finding.urn else None
        waiver = finding.waiver
        if waiver is not None:  # parsed from the same diagnostic as the message
            waiver = replace(waiver, reason=scrub(waiver.reason, secrets))
        out.append(
            replace(
                finding,
                message=scrub(finding.message, secrets),
                waiver=waiver,
                resource_type=resource.type if resource else None,
                resource_name=resource.name if resource else None,
                component=component_of.get(finding.urn) if finding.urn else None,
            )
        )
    return out


def assemble(
    *,
    source: str,
    project: str,
    stack: str,
    location: str,
    resources: list[RecordedResource],
    evaluation: PackEvaluation,
    pack_config: Mapping[str, Any],
    preview: bool,
    extra_secrets: set[str] | None = None,
    source_lines: dict[str, int] | None = None,
    notes: Sequence[str] = (),
    started: float,
) -> CheckResult:
    component_of = owning_components(resources)
    secrets = secret_values(v for r in resources for v in (r.inputs, r.outputs)) | (extra_secrets or set())
    secrets |= secret_reasons(resources)
    findings = _findings(evaluation, resources, component_of, secrets)
    waivers = [
        replace(w, reason=scrub(w.reason, secrets))  # a tag value may be secret
        for w in declared_waivers(
            resources,
            pack_config,
            findings,
            evaluation.non_waivable,
            known_policies=[p.name for p in evaluation.policies],
        )
    ]
    return CheckResult(
        source=source,
        project=project,
        stack=stack,
        location=location,
        pack_name=evaluation.pack_name,
        pack_version=evaluation.pack_version,
        preview=preview,
        resources=resources,
        policies=evaluation.policies,
        findings=findings,
        waivers=waivers,
        cost=compute_cost(resources, component_of),
        component_of=component_of,
        source_lines=source_lines or {},
        duration_seconds=time.monotonic() - started,
        notes=[*notes, *evaluation.notes],
    )


def check_program(
    program_dir: Path | str = ".",
    *,
    stack: str | None = None,
    pack_dir: Path | str | None = None,
    pack_config: Mapping[str, Any] | None = None,
    preview: bool = False,
    progress: Progress | None = None,
    collect_garbage: bool = True,
    config_values: Mapping[str, str] | None = None,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[CheckResult, ProgramSpec]:
    """Run the program under mocks and judge what it registers with the pack, in process.

    A one-shot process (the CLI) passes ``collect_garbage=False``: the program run's garbage is then
    left for the process exit instead of costing seconds of collection on large programs.
    ``stack_references`` maps a referenced stack's name to its outputs (see
    :func:`load_stack_references`).
    """
    started = time.monotonic()
    progress = progress or Progress(False)
    try:
        spec = with_config_values(load_program(program_dir, stack), config_values)  # --config-value stand-ins
    except ProgramLoadError as exc:
        raise CheckError(str(exc)) from exc
    pack = Path(pack_dir) if pack_dir else find_pack_dir(spec.project_dir)
    config = dict(pack_config or {})
    progress.phase(f"running {spec.display_path()} under mocks (stack {spec.stack})")
    source_lines: dict[str, int] = {}
    run_notes: list[str] = []
    resources = run_program_spec(
        spec,
        preview=preview,
        source_lines=source_lines,
        progress=progress,
        collect_garbage=collect_garbage,
        stack_references=stack_references,
        notes=run_notes,
    )
    evaluation = _evaluate(
        resources, pack, config, project=spec.project, stack=spec.stack, dry_run=preview, progress=progress
    )
    result = assemble(
        source="program",
        project=spec.project,
        stack=spec.stack,
        location=spec.display_path(),
        resources=resources,
        evaluation=evaluation,
        pack_config=config,
        preview=preview,
        source_lines=source_lines,
        notes=[*spec.notes, *run_notes],
        started=started,
    )
    progress.done(plural(len(result.findings), "finding"))
    return result, spec


def check_stack_export(
    export_file: Path | str,
    *,
    pack_dir: Path | str | None = None,
    pack_config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Judge a deployed stack from `pulumi stack export` JSON (the engine's view after `pulumi up`)."""
    started = time.monotonic()
    progress = progress or Progress(False)
    try:
        export = load_stack_export(export_file)
    except StackExportError as exc:
        raise CheckError(str(exc)) from exc
    pack = Path(pack_dir) if pack_dir else find_pack_dir(Path(export_file).parent)
    config = dict(pack_config or {})
    # Same checks as for a program: a bad --pack or config is exit 2, not a crash.
    evaluation = _evaluate(
        export.resources, pack, config, project=export.project, stack=export.stack, dry_run=False, progress=progress
    )
    result = assemble(
        source="stack-export",
        project=export.project,
        stack=export.stack,
        location=display_path(Path(export_file)),
        resources=export.resources,
        evaluation=evaluation,
        pack_config=config,
        preview=False,
        extra_secrets=export.secret_values,
        notes=export.notes,
        started=started,
    )
    progress.done(plural(len(result.findings), "finding"))
    return result
