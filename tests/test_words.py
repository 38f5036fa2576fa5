"""One table of user-facing words, shared by the text report, the annotated copy, the Excel button and the summary."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbook_tools import excel
from workbook_tools.batch import summary
from workbook_tools.batch.result import FileResult
from workbook_tools.checks import annotate, render
from workbook_tools.core import live_checks, spec, words
from workbook_tools.core.findings import Finding, Report
from workbook_tools.portal import grid

from .conftest import ROOT


def test_every_face_reads_the_one_table() -> None:
    for module in (excel, summary, annotate, render, grid):
        assert module.SEVERITY_WORDS is words.SEVERITY_WORDS, module.__name__
    assert excel.RESULT_SHEET is annotate.RESULT_SHEET is words.RESULT_SHEET


def test_the_button_and_the_annotated_copy_head_their_columns_alike() -> None:
    edits = excel.finding_edits(Report("x.xlsx", [Finding("required-missing", "单位名称未填写", "基本情况", "B4")]))
    head = [e.value for e in edits if e.sheet == words.RESULT_SHEET and e.cell.endswith("1")]
    assert head == list(words.headers(excel.COLUMNS, "zh"))
    assert set(head) <= set(words.headers(annotate.COLUMNS, "zh"))
    assert words.headers(("severity", "actual"), "en") == ("severity", "found")


def test_lang_is_parsed_once_and_named_when_wrong() -> None:
    assert words.parse_lang("en") == "en" and words.parse_lang("zh") == "zh"
    with pytest.raises(words.LangError, match="只能是 zh 或 en，收到：fr") as info:
        words.parse_lang("fr")
    assert info.value.exit_code == 2 and info.value.message("en") == "--lang must be zh or en, got: fr"
    assert words.lang_of("fr") == "zh"


# -- no copy of a word outside its table -------------------------------------------------------------------

HAN = re.compile(r"[\u4e00-\u9fff]")
PACKAGE = ROOT / "workbook_tools"
PORTAL_TEMPLATES = PACKAGE / "portal" / "templates" / "portal"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, tuple | list):
        for v in value:
            yield from _strings(v)


def table_words(live: bool = False) -> set[str]:
    """Every Chinese word the shared table and the spec give the summary and the portal (``live``: and the
    校验 sheet's headers and labels)."""
    out = {s for name in words.__all__ if name.isupper() for s in _strings(getattr(words, name))}
    out |= {h for f in spec.FIELDS for h in (f.short, f.short_en) if h}
    out |= {s for zh_en in spec.SUMMARY_HEADERS.values() for s in zh_en}
    if live:
        out |= set(spec.LIVE_COLUMNS) | cited()
    return {w for w in out if HAN.search(w)}


def cited() -> set[str]:
    """What the 校验 sheet's labels may only take from the spec: the tables' numbers and the rules' labels."""
    return ({t.number for t in (*spec.RATE_TABLES, *spec.CHANGE_TABLES)} | {r.label for r in spec.CROSS_RULES}
            | set(spec.LIVE_CHECK_ITEMS.values()))


def word_copies(path: Path, tree: ast.Module, strict: bool = False, live: bool = True) -> list[str]:
    """Chinese string constants (f-string parts included, docstrings not) that repeat a word of the table, or
    cite a table's number or a rule's label; ``strict``: any Chinese constant at all."""
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    table, cites = table_words(live), cited() if live else set()
    out: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docs:
            continue
        s = node.value
        if HAN.search(s) and (strict or s.strip() in table or any(c in s for c in cites)):
            out.append((node.lineno, node.col_offset, f"{path.relative_to(ROOT)}:{node.lineno} {s!r}"))
    return [where for *_, where in sorted(out)]


def _tree(rel: str) -> tuple[Path, ast.Module]:
    p = PACKAGE / rel
    return p, ast.parse(p.read_text(encoding="utf-8"))


def template_copies(path: Path, text: str) -> list[str]:
    """Text of a portal template, between tags and outside {{ }} and {% %}, that is a word of the table."""
    table = table_words()
    plain = re.sub(r"\{[{%#].*?[}%#]\}", "\0", text)
    return [f"{path.relative_to(ROOT)} {t!r}" for chunk in re.findall(r">([^<]*)<", plain)
            for t in chunk.split("\0") if t.strip() in table]


def test_the_summary_writes_no_chinese_of_its_own() -> None:
    assert word_copies(*_tree("batch/summary.py"), strict=True) == []


def test_the_portal_and_the_live_checks_copy_no_word_of_the_table() -> None:
    rels = ("portal/views.py", "portal/models.py", "portal/context.py", "portal/services.py")
    assert [c for rel in rels for c in word_copies(*_tree(rel), live=False)] == []
    assert word_copies(*_tree("core/live_checks.py")) == []
    pages = sorted(PORTAL_TEMPLATES.glob("*.html"))
    assert len(pages) >= 9
    assert [c for p in pages for c in template_copies(p, p.read_text(encoding="utf-8"))] == []


def test_the_scans_catch_a_copy() -> None:
    src = PACKAGE / "x.py"
    tree = ast.parse('"""合计 in a docstring."""\nA = "合计"\nB = f"项目明细{x}合计与表4"\nC = ("单位", "请上传")\n'
                     'D = "分值合计为100"\n')
    assert word_copies(src, tree) == ["workbook_tools/x.py:2 '合计'", "workbook_tools/x.py:3 '合计与表4'",
                                      "workbook_tools/x.py:4 '单位'", "workbook_tools/x.py:5 '分值合计为100'"]
    assert word_copies(src, tree, live=False) == ["workbook_tools/x.py:2 '合计'", "workbook_tools/x.py:4 '单位'"]
    strict = word_copies(src, tree, strict=True)
    assert len(strict) == 6 and "workbook_tools/x.py:4 '请上传'" in strict and "workbook_tools/x.py:3 '项目明细'" in strict
    page = PORTAL_TEMPLATES / "x.html"
    assert template_copies(page, '<th>{{ heads.errors }}</th><th>警告</th><td>{% if a %}有错误{% endif %} 个</td>') == [
        "workbook_tools/portal/templates/portal/x.html '警告'", "workbook_tools/portal/templates/portal/x.html '有错误'"]


def test_the_words_table_holds_what_the_faces_show() -> None:
    assert summary.SHEETS is words.SUMMARY_SHEETS and summary.STATUS_LABELS is words.STATUS_WORDS
    assert words.DEPARTMENT_STATUS["zh"]["errors"] == words.STATUS_WORDS["zh"]["errors"] == "有错误"
    assert summary.short_header("errors") == "错误" and summary.short_header("score_total") == summary.header("score_total")
    assert summary.short_header("total_rate", "en") == "Execution rate"
    rows = summary.summary_rows([FileResult("a.xlsx", "ok", unit="甲", year=2023)], "en")
    assert rows[-1]["file"] == "Total" and rows[-1]["unit"] == "1 units"
    assert live_checks.RESULT_FORMAT == '[=2]"错误";[=1]"警告";"通过"'
    assert [t.number for t in spec.RATE_TABLES] == ["表1", "表2", "表4"] and spec.CHANGE_TABLES[0].number == "表3"
    assert [r.label for r in spec.CROSS_RULES if isinstance(r, spec.Equal)] == ["项目明细决算金额合计与表4",
                                                                              "项目明细年初预算合计与表4"]
