"""One table of user-facing words, shared by the text report, the annotated copy, the Excel button and the summary."""

from __future__ import annotations

import pytest

from workbook_tools import excel
from workbook_tools.batch import summary
from workbook_tools.checks import annotate, render
from workbook_tools.core import words
from workbook_tools.core.findings import Finding, Report
from workbook_tools.portal import grid


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
