"""The contract package: one definition shared by SecureFunction, the pack and the checker.

The pack ships a byte-identical copy (it cannot import this distribution); the catalogue module and
docs/policies.md are generated from the pack's declarations. When a test here fails, run
``python -m secure_serverless.check.generate``: it syncs the copy and rewrites the generated files.
"""

from __future__ import annotations

import ast
import datetime as dt
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure_serverless.check import generate
from secure_serverless.contract import waivers

from support import CONTRACT_DIR, PACK_CONTRACT_DIR

FIX = f"run `{generate.COMMAND}`"


def test_the_packs_copy_is_byte_identical() -> None:
    assert generate.contract_copy_differences() == [], f"the pack's contract copy differs: {FIX}"


def test_generated_files_are_current() -> None:
    assert generate.stale() == [], f"stale generated files: {FIX}"


def test_a_changed_copy_is_detected_and_synced(tmp_path: pytest.TempPathFactory) -> None:
    source, copy = tmp_path / "source", tmp_path / "copy"  # type: ignore[operator]
    source.mkdir()
    copy.mkdir()
    (source / "a.py").write_text("A = 1\n")
    (copy / "a.py").write_text("A = 2\n")
    (copy / "stale.py").write_text("")
    assert generate.contract_copy_differences(source, copy) == ["a.py", "stale.py"]
    generate.sync_contract(source, copy)
    assert generate.contract_copy_differences(source, copy) == []


@pytest.mark.parametrize("directory", [CONTRACT_DIR, PACK_CONTRACT_DIR], ids=["component", "pack"])
def test_standard_library_and_relative_imports_only(directory: object) -> None:
    for path in sorted(directory.glob("*.py")):  # type: ignore[attr-defined]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                top = (node.module or "").split(".")[0]
                assert top in sys.stdlib_module_names, (path, node.module)
            elif isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] in sys.stdlib_module_names for a in node.names), path


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(policy=st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)+", fullmatch=True), expires=_text, source=_text, reason=_text,
       holders=st.lists(_text, max_size=3), message=_text)
def test_the_waived_line_parses_back_to_what_was_rendered(
    policy: str, expires: str, source: str, reason: str, holders: list[str], message: str
) -> None:
    line = waivers.WaivedLine(policy, expires, source, reason, tuple(holders), message)
    assert waivers.parse_waived_line(waivers.render_waived_line(line)) == line


@pytest.mark.parametrize("text", ["", "WAIVED", "WAIVED [p] not json: m", 'WAIVED [p] {"until": 1}: m',
                                  'WAIVED [p] {"until": "d", "by": "s", "reason": "r", "on": []} m',
                                  "can't run policy 'p' during preview"])
def test_other_text_is_no_waived_line(text: str) -> None:
    assert waivers.parse_waived_line(text) is None


def test_tag_value_round_trip_and_problems() -> None:
    value = waivers.render_tag_value(dt.date(2027, 1, 15), "a reason of twenty characters")
    assert waivers.parse_tag_value(value) == ("2027-01-15", "a reason of twenty characters")
    assert waivers.parse_tag_value("soon a reason") is None
    assert waivers.tag_policy(waivers.tag_key("logs-retention-set")) == "logs-retention-set"
    assert waivers.tag_policy("team") is None
    today = dt.date(2026, 11, 29)
    reason = "a reason of twenty characters"
    assert waivers.waiver_problem("2026-11-29", reason, today) is None
    assert waivers.waiver_problem("2026-11-28", reason, today) == waivers.Problem(
        "expired", "waiver expired on 2026-11-28")
    assert waivers.waiver_problem("2026-12-01", "short", today) is not None
    assert waivers.waiver_problem("2027-02-30", reason, today).kind == "invalid"  # type: ignore[union-attr]
    assert waivers.waiver_problem(None, reason, today).kind == "invalid"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("urn", "entry", "named"),
    [
        ("urn:pulumi:s::p::aws:cloudwatch/logGroup:LogGroup::logs", {"resource": "logs"}, True),
        ("urn:pulumi:s::p::aws:cloudwatch/logGroup:LogGroup::logs", {"resource": "logs", "type": "aws:x:Y"}, False),
        ("urn:pulumi:s::p::secure-serverless:index:SecureFunction$aws:cloudwatch/logGroup:LogGroup::logs",
         {"resource": "logs"}, False),
        ("urn:pulumi:s::p::secure-serverless:index:SecureFunction$aws:cloudwatch/logGroup:LogGroup::logs",
         {"resource": "urn:pulumi:s::p::secure-serverless:index:SecureFunction$aws:cloudwatch/logGroup:LogGroup::logs"},
         True),
        ("urn:pulumi:s::p::aws:cloudwatch/logGroup:LogGroup::logs", {"resource": "urn:pulumi:s::p::o::logs"}, False),
    ],
)
def test_config_entries_name_a_resource_by_urn_or_by_a_name_outside_components(
    urn: str, entry: dict[str, str], named: bool
) -> None:
    name, type_ = urn.rsplit("::", 1)[-1], urn.split("::")[2].rsplit("$", 1)[-1]
    assert waivers.config_entry_names(entry["resource"], entry.get("type"), urn, name, type_) is named
