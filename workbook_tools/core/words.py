"""The words every face shows a user, in one table: languages, severity names, the result sheet and its
columns, the batch summary's sheets, statuses, total rows and charts, the portal's states and short headers.
The text report, the annotated copy, the Excel button, the batch summary and the portal all read them."""

from __future__ import annotations

from typing import Literal

from .errors import WorkbookToolsError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

SEVERITY_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
#: The place of a finding about the whole file.
FILE_LEVEL: dict[Lang, str] = {"zh": "整个文件", "en": "whole file"}

#: The first line of a text report, and the note on infos after the summary line.
REPORT_HEAD: dict[Lang, str] = {"zh": "文件：{file}（模板版本 {version}）", "en": "File: {file} (template {version})"}
INFOS_NOTE: dict[Lang, str] = {"zh": "（另有 {infos} 条提示）", "en": ", {infos} info"}

#: What validating a file found, as a word (the portal's column of a submission's outcome) …
RESULT_WORD: dict[Lang, str] = {"zh": "校验结果", "en": "validation result"}
#: … and the sheet named by it that lists the findings inside a workbook (annotated copy, Excel button); never a
#: template sheet.
RESULT_SHEET = RESULT_WORD["zh"]
#: Its columns: key → (Chinese, English) header.
RESULT_COLUMNS: dict[str, tuple[str, str]] = {
    "number": ("序号", "#"),
    "severity": ("级别", "severity"),
    "place": ("位置", "place"),
    "code": ("代码", "code"),
    "title": ("问题", "title"),
    "message": ("说明", "message"),
    "expected": ("应为", "expected"),
    "actual": ("实为", "found"),
}

#: The sheets of the batch summary (summary.xlsx), in order: the table of files, the findings, the files not
#: processed, the charts and the count of each finding code.
SUMMARY_SHEETS: dict[Lang, tuple[str, str, str, str, str]] = {
    "zh": ("汇总", "问题清单", "未处理", "图表", "问题统计"),
    "en": ("Summary", "Findings", "Unprocessed", "Charts", "Findings by code"),
}
#: A file's outcome in a batch (``FileResult.status``).
STATUS_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {"ok": "通过", "errors": "有错误", "unreadable": "无法读取", "timeout": "超时", "duplicate": "重复提交"},
    "en": {"ok": "ok", "errors": "errors", "unreadable": "unreadable", "timeout": "timeout", "duplicate": "duplicate"},
}
#: A summary's total row (one per year): its first cell, the count of units it adds, and its note.
TOTAL_WORD: dict[Lang, str] = {"zh": "合计", "en": "Total"}
TOTAL_UNITS: dict[Lang, str] = {"zh": "{units} 个单位", "en": "{units} units"}
TOTAL_NOTE: dict[Lang, str] = {"zh": "各比率由合计数重新计算（非平均），重复提交只计一次",
                               "en": "ratios recomputed from the totals (not averaged); duplicates counted once"}
#: The titles of the summary's charts: execution rate by department, 三公 this year against last, grades.
CHART_TITLES: dict[Lang, dict[str, str]] = {
    "zh": {"rate": "各单位预算执行率（%）", "sangong": "“三公”经费本年与上年对比（万元）", "grades": "评价等级分布（单位数）"},
    "en": {"rate": "Execution rate by department (%)", "sangong": "三公 expenses: this year vs last (10k yuan)",
           "grades": "Departments by grade"},
}
#: A department's state in a collection round (the portal's board); "errors" is a file's word for it.
DEPARTMENT_STATUS: dict[Lang, dict[str, str]] = {
    "zh": {"missing": "未提交", "errors": STATUS_WORDS["zh"]["errors"], "ok": "已通过", "late": "逾期",
           "returned": "已退回"},
    "en": {"missing": "missing", "errors": STATUS_WORDS["en"]["errors"], "ok": "passed", "late": "late",
           "returned": "returned"},
}
#: Short forms of the summary's headers (key → Chinese, English), where a narrow place shows a column (the
#: portal's sort buttons); ``latest`` is the portal's own column, the time of a department's latest upload.
SHORT_HEADERS: dict[str, tuple[str, str]] = {
    "errors": (SEVERITY_WORDS["zh"]["error"], "Errors"), "warnings": (SEVERITY_WORDS["zh"]["warning"], "Warnings"),
    "total_rate": ("执行率", "Execution rate"), "latest": ("最近提交", "Latest upload"),
}


#: The programs that save workbooks, as a user knows them: (needle in docProps/app.xml, Chinese, English).
PROGRAMS: tuple[tuple[str, str, str], ...] = (
    ("openpyxl", "openpyxl", "openpyxl"), ("libreoffice", "LibreOffice", "LibreOffice"),
    ("wps", "WPS 表格", "WPS Spreadsheets"), ("kingsoft", "WPS 表格", "WPS Spreadsheets"),
    ("excel", "Microsoft Excel", "Microsoft Excel"))
UNKNOWN_PROGRAM: dict[Lang, str] = {"zh": "未知程序", "en": "an unknown program"}


def program(application: str, lang: str = "zh") -> str:
    """The program that last saved the file, in words a user recognises (docProps/app.xml)."""
    a = application.lower()
    for needle, zh, en in PROGRAMS:
        if needle in a:
            return en if lang == "en" else zh
    return application or UNKNOWN_PROGRAM[lang_of(lang)]


def program_en(application: str) -> str:
    return program(application, "en")


class LangError(WorkbookToolsError):
    code = "lang-invalid"


def lang_of(text: str) -> Lang:
    """The language of a message for any value (English only when asked for), for renderers."""
    return "en" if text == "en" else "zh"


def parse_lang(text: str) -> Lang:
    """A ``--lang`` value, checked once where it enters (the command line)."""
    if text not in LANGS:
        raise LangError(f"--lang 只能是 zh 或 en，收到：{text}", f"--lang must be zh or en, got: {text}")
    return "en" if text == "en" else "zh"


def headers(keys: tuple[str, ...], lang: str) -> tuple[str, ...]:
    i = 1 if lang == "en" else 0
    return tuple(RESULT_COLUMNS[k][i] for k in keys)


__all__ = ["CHART_TITLES", "DEPARTMENT_STATUS", "FILE_LEVEL", "INFOS_NOTE", "LANGS", "REPORT_HEAD", "PROGRAMS", "RESULT_COLUMNS",
           "RESULT_SHEET", "RESULT_WORD", "SEVERITY_WORDS", "SHORT_HEADERS", "STATUS_WORDS", "SUMMARY_SHEETS", "TOTAL_NOTE", "TOTAL_UNITS",
           "TOTAL_WORD", "UNKNOWN_PROGRAM",
           "Lang", "LangError", "headers", "lang_of", "parse_lang", "program", "program_en"]
