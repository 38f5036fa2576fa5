"""Every string in the package that names a field, list or column exists in the spec (an AST scan).

Names are the template's public interface; a misspelt one would silently read nothing. The scan reads
every string constant outside docstrings: a snake_case string whose first word starts a defined name must
be a defined name, a list or a column key (or one of the report's wording keys and sentence builders);
the argument of every call that takes a name must be one; and no module but the spec builds a name from
the naming convention (``f"basic_{k}_rate"``): consumers iterate the spec's tables instead. Likewise the batch
writes no column header of its own: the summary's headers are the fields' short labels and the spec's
``SUMMARY_HEADERS``, and no string in the batch package repeats one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from workbook_tools.batch import summary
from workbook_tools.core import findings, profiles, spec
from workbook_tools.export import sentences
from workbook_tools.export.wording import DEFAULT_WORDING

from .conftest import ROOT

PACKAGE = ROOT / "workbook_tools"
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
#: Calls whose first argument is a defined name, a list or a column key.
NAME_CALLS = {"field", "table", "rows", "range_name", "column", "column_ref", "figure", "cached", "formula",
              "location"}
NAME_MAPS = {"FIELD_BY_NAME", "TABLE_BY_NAME"}


def known_names() -> set[str]:
    names = {n.name for n in spec.defined_names()}
    return names | {t.name for t in spec.TABLES} | {c.key for t in spec.TABLES for c in t.columns}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for p in sorted(PACKAGE.rglob("*.py")):
        yield p, ast.parse(p.read_text(encoding="utf-8"), str(p))


def _where(p: Path, node: ast.AST) -> str:
    return f"{p.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


Modules = list[tuple[Path, ast.Module]]


def unknown_strings(mods: Modules) -> list[str]:
    known = known_names()
    first_words = {n.split("_")[0] for n in known if "_" in n}
    other_vocabularies = {e.key for e in DEFAULT_WORDING} | set(dir(sentences))
    # a profile's keys and the optional blocks it shows; the keys of the spec's parts-add-up checks
    other_vocabularies |= set(profiles.BLOCKS) | profiles.KEYS | profiles.REPORT_KEYS | {c.key for c in spec.PARTS_CHECKS}
    # the parameters the catalogue's message templates name (a finding's params are keyed by them)
    other_vocabularies |= {p for variants in findings.MESSAGES.values() for zh_en in variants.values()
                           for t in zh_en for p in findings.placeholders(t)}
    unknown = []
    for p, tree in mods:
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docs:
                continue
            s = node.value
            if SNAKE.match(s) and s.split("_")[0] in first_words and s not in known | other_vocabularies:
                unknown.append(f"{_where(p, node)} {s!r}")
    return unknown


def unknown_arguments(mods: Modules) -> list[str]:
    known = known_names()
    unknown = []
    for p, tree in mods:
        for node in ast.walk(tree):
            arg: ast.expr | None = None
            if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute | ast.Name):
                fn = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if fn in NAME_CALLS:
                    arg = node.args[0]
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute | ast.Name):
                base = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id
                if base in NAME_MAPS:
                    arg = node.slice
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value not in known:
                unknown.append(f"{_where(p, node)} {arg.value!r}")
    return unknown


def test_snake_case_strings_that_look_like_names_are_names() -> None:
    assert unknown_strings(list(modules())) == []


def test_every_name_argument_is_in_the_spec() -> None:
    assert unknown_arguments(list(modules())) == []


def test_only_the_spec_builds_names_from_the_naming_convention() -> None:
    known = known_names()
    first_words = {n.split("_")[0] for n in known if "_" in n}
    built = []
    for p, tree in modules():
        if p == PACKAGE / "core" / "spec.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            head = node.values[0] if node.values else None
            if (isinstance(head, ast.Constant) and isinstance(head.value, str) and "_" in head.value
                    and head.value.split("_")[0] in first_words and len(node.values) > 1):
                built.append(_where(p, node))
    assert built == []


def test_the_scan_catches_a_misspelt_name() -> None:
    src = PACKAGE / "x.py"
    tree = ast.parse('v = model.values.get("basic_wage_rate")\nspec.field("grades")\nok = spec.field("total_rate")\n')
    assert unknown_strings([(src, tree)]) == ["workbook_tools/x.py:1 'basic_wage_rate'"]
    assert unknown_arguments([(src, tree)]) == ["workbook_tools/x.py:2 'grades'"]


def summary_headers() -> set[str]:
    """Every header the batch summary shows, in both languages, as the spec declares them."""
    shorts = {h for f in spec.FIELDS for h in (f.short, f.short_en) if h}
    return shorts | {h for zh_en in spec.SUMMARY_HEADERS.values() for h in zh_en}


def header_copies(mods: Modules) -> list[str]:
    """String constants (docstrings included) that repeat a summary header; a sheet's name may coincide with one."""
    sheet_names = {name for names in summary.SHEETS.values() for name in names}
    headers = summary_headers() - sheet_names
    return [f"{_where(p, node)} {node.value!r}" for p, tree in mods for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in headers]


def test_the_batch_writes_no_header_of_its_own() -> None:
    batch = [(p, tree) for p, tree in modules() if p.is_relative_to(PACKAGE / "batch")]
    assert {p.name for p, _ in batch} >= {"summary.py", "result.py"}
    assert header_copies(batch) == []


def test_the_header_scan_catches_a_copy() -> None:
    src = PACKAGE / "batch" / "x.py"
    tree = ast.parse('heads = ("单位", "执行率%")\nSHEET = "Findings"\nnote = "执行率"\nen = "Execution rate %"\n')
    assert sorted(header_copies([(src, tree)])) == ["workbook_tools/batch/x.py:1 '单位'", "workbook_tools/batch/x.py:1 '执行率%'",
                                            "workbook_tools/batch/x.py:4 'Execution rate %'"]
