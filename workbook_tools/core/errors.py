"""The project's exceptions for "cannot continue" (bad inputs are findings, not exceptions).

Every one derives from :class:`WorkbookToolsError` and carries its message in Chinese and English and a
code, so the command line maps them in one place: one line on stderr, exit :attr:`~WorkbookToolsError.exit_code`
(2: the command could not do its work; 1 for a refusal the user can override, such as export with errors).
"""

from __future__ import annotations


class WorkbookToolsError(Exception):
    """Base of the errors that stop a command; the message names the file or option at fault."""

    code: str = "error"
    exit_code: int = 2

    def __init__(self, message: str, message_en: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message_zh = message
        self.message_en = message if message_en is None else message_en
        if code is not None:
            self.code = code

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh
