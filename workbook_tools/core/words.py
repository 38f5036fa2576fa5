"""The words every face shows a user, in one table: languages, severity names, the result sheet and its
columns. The text report, the annotated copy, the Excel button and the batch summary all read them."""

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

#: The sheet that lists the findings inside a workbook (annotated copy, Excel button); never a template sheet.
RESULT_SHEET = "校验结果"
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


__all__ = ["FILE_LEVEL", "INFOS_NOTE", "LANGS", "REPORT_HEAD", "PROGRAMS", "RESULT_COLUMNS", "RESULT_SHEET", "SEVERITY_WORDS", "UNKNOWN_PROGRAM",
           "Lang", "LangError", "headers", "lang_of", "parse_lang", "program", "program_en"]
