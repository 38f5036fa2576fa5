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


__all__ = ["FILE_LEVEL", "LANGS", "RESULT_COLUMNS", "RESULT_SHEET", "SEVERITY_WORDS", "Lang", "LangError",
           "headers", "lang_of", "parse_lang"]
