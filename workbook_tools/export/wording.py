"""The report's fixed wording (headings, boilerplate, table titles and headers), kept in the Word template.

A finance bureau changes a heading by editing the right-hand column of the 措辞表 table in
``templates/report_template.docx`` in Word or WPS; no code is touched. Each row is keyed by a stable id in
the left column. Placeholders in braces are filled at export: ``{year}``, ``{prev_year}``, ``{unit}`` (and
``{errors}`` in the forced-export note). The defaults below build the template and stand in for a row a
bureau deleted.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import WorkbookToolsError

__all__ = [
    "DEFAULT_WORDING",
    "KEY_HEADER",
    "PLACEHOLDERS",
    "TemplateError",
    "Wording",
    "WordingEntry",
    "default_template_path",
    "wording_from_document",
]

KEY_HEADER = "键（程序使用，请勿修改）"
PLACEHOLDERS: dict[str, str] = {
    "year": "评价年度，如 2022",
    "prev_year": "上一年度，如 2021",
    "unit": "单位名称",
    "year_of": "评价年度加“年”，如 2022年（没有年度时为空）",
    "unit_word": "报告对填报主体的称呼：单位或部门（按配置）",
    "errors": "校验错误个数（仅用于强制导出提示）",
}


class TemplateError(WorkbookToolsError, ValueError):
    """The report template cannot be used; the message names the file and what is wrong."""

    code = "report-template-unusable"


@dataclass(frozen=True)
class WordingEntry:
    key: str
    note: str
    text: str
    columns: int = 0  # > 0: a table header, columns separated by |


DEFAULT_WORDING: tuple[WordingEntry, ...] = (
    WordingEntry("attachment", "标题上方的附件标注，如“附件3”；留空则不显示", ""),
    WordingEntry("title", "报告标题，每段一行", "{year}年度{unit}\n部门整体支出绩效报告"),
    WordingEntry("forced_note", "强制导出存在校验错误的工作簿时，标题下方的提示", "注意：本报告由存在校验错误的工作簿导出（{errors}个错误），数据未经核实。"),
    WordingEntry("section_basic", "一级标题（序号自动生成）", "单位基本情况"),
    WordingEntry("basic_org", "二级标题", "机构设置"),
    WordingEntry("basic_duties", "二级标题（其后为职责列表）", "主要职责是："),
    WordingEntry("basic_staff", "二级标题", "人员配备情况"),
    WordingEntry("basic_tasks", "二级标题", "{year}年承担的主要工作任务"),
    WordingEntry("section_goals", "一级标题", "绩效目标设立情况"),
    WordingEntry("goals_intro", "绩效目标前的说明段落", "绩效目标设立情况，主要包括部门中长期绩效目标和年度绩效目标。"),
    WordingEntry("section_funds", "一级标题", "资金使用情况"),
    WordingEntry("funds_general", "二级标题", "一般公共预算财政拨款支出情况"),
    WordingEntry("funds_basic", "三级标题", "基本支出"),
    WordingEntry("funds_project", "三级标题", "项目支出"),
    WordingEntry("table_unit", "表格上方的单位说明", "（单位：万元）"),
    WordingEntry("table_total", "表格合计行名称", "合计"),
    WordingEntry("table1_title", "表格标题", "表1 {year_of}基本支出预算执行情况表"),
    WordingEntry("table1_header", "表头，4列，用 | 分隔", "预算项目|年初预算|决算金额|占比%", 4),
    WordingEntry("table2_title", "表格标题", "表2 {year_of}“三公”经费预算执行情况表"),
    WordingEntry("table2_header", "表头，4列，用 | 分隔", "费用项目|年初预算|决算金额|占比%", 4),
    WordingEntry("table3_title", "表格标题", "表3 “三公”经费与上年对比情况"),
    WordingEntry("table3_header", "表头，5列，用 | 分隔", "费用项目|{prev_year}年决算数|{year}年决算数|增减额|增减率%", 5),
    WordingEntry("table4_title", "表格标题", "表4 {year_of}项目支出预算执行情况表"),
    WordingEntry("table4_header", "表头，4列，用 | 分隔", "预算项目|年初预算|决算金额|占比%", 4),
    WordingEntry("table4_row", "表4 数据行名称", "项目支出"),
    WordingEntry("section_internal_management", "一级标题", "内部管理"),
    WordingEntry("section_eval", "一级标题", "绩效评价组织与绩效评价结论"),
    WordingEntry("eval_org", "二级标题", "绩效评价组织开展情况"),
    WordingEntry("eval_purpose", "段首小标题（序号自动生成）", "绩效评价目的"),
    WordingEntry("eval_process", "段首小标题", "绩效评价工作过程"),
    WordingEntry("eval_conclusion", "二级标题", "绩效评价结论"),
    WordingEntry("section_achievements", "一级标题", "主要绩效情况"),
    WordingEntry("section_problems", "一级标题", "存在问题"),
    WordingEntry("section_improvements", "一级标题", "改进措施"),
)
_DEFAULTS: dict[str, WordingEntry] = {e.key: e for e in DEFAULT_WORDING}


class Wording:
    """Wording by key with placeholders filled; ``source`` names the template it came from."""

    def __init__(self, texts: Mapping[str, str] | None = None, source: str = "") -> None:
        self.source = source
        self.texts: dict[str, str] = {e.key: e.text for e in DEFAULT_WORDING}
        for key, text in (texts or {}).items():
            if key in _DEFAULTS:
                self.texts[key] = text
        for key, text in self.texts.items():
            _check_placeholders(key, text, source)
            if _DEFAULTS[key].columns and len(text.split("|")) != _DEFAULTS[key].columns:
                raise TemplateError(
                    f"{source or '报告模板'}：措辞表“{key}”应为 {_DEFAULTS[key].columns} 列，用 | 分隔，实为“{text}”"
                )

    def get(self, key: str, **values: Any) -> str:
        return self.texts[key].format_map(_Values(values))

    def header(self, key: str, **values: Any) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.get(key, **values).split("|"))


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _check_placeholders(key: str, text: str, source: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise TemplateError(f"{source or '报告模板'}：措辞表“{key}”的花括号不成对（{exc}）") from None
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown:
        allowed = "、".join("{" + p + "}" for p in PLACEHOLDERS)
        raise TemplateError(f"{source or '报告模板'}：措辞表“{key}”中的 {{{unknown[0]}}} 不是可用的占位符（可用：{allowed}）")


def default_template_path() -> Path:
    """``templates/report_template.docx`` of the source tree (absent in an installed wheel: then built in memory)."""
    return Path(__file__).resolve().parents[2] / "templates" / "report_template.docx"


def wording_from_document(document: Any, source: str = "") -> Wording:
    """Read the 措辞表 (first table whose first header cell is :data:`KEY_HEADER`) of a python-docx Document."""
    for table in document.tables:
        rows = table.rows
        if not rows or rows[0].cells[0].text.strip() != KEY_HEADER:
            continue
        texts: dict[str, str] = {}
        for row in rows[1:]:
            cells = row.cells
            if len(cells) < 3:
                continue
            key = cells[0].text.strip()
            texts[key] = cells[-1].text.strip()
        return Wording(texts, source)
    raise TemplateError(f"{source or '报告模板'}：找不到措辞表（首行首格为“{KEY_HEADER}”的表格）")
