"""The project's exceptions for "cannot continue" (bad inputs are findings, not exceptions).

Each carries its message in Chinese and English, so the command line can print one line in either.
"""

from __future__ import annotations


class WorkbookToolsError(Exception):
    """Base of the errors that stop a command; the message names the file or option at fault."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message)
        self.message_zh = message
        self.message_en = message_en

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh
