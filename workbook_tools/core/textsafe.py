"""Text from a workbook, made inert for wherever it goes next.

A cell can hold anything a zip can carry: ANSI escape sequences (which move the reviewer's cursor and
rewrite what the terminal shows), lone surrogates and non-characters (``_xD800_``, U+FFFE: JSON encoders
and XML writers refuse them), raw HTML or Markdown syntax. Each output applies one function here:
:func:`terminal` for what is printed, :func:`xml_text` for docx/xlsx text, :func:`unicode_clean` for JSON,
:func:`path_text` for file names that are not valid UTF-8.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

#: Lone surrogates and the non-characters U+FFFE/U+FFFF (and their plane-n twins).
_BAD_UNICODE = re.compile("[\ud800-\udfff\ufffe\uffff\ufdd0-\ufdef]")
#: Characters XML 1.0 forbids (besides the above): C0 controls except tab, LF, CR.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: ESC-introduced sequences (CSI, OSC …, up to their terminator) and every other C0/C1 control but tab/LF.
_ESCAPE_SEQ = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?",
                         re.S)
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

REPLACEMENT = "\ufffd"


def has_bad_unicode(text: str) -> bool:
    return _BAD_UNICODE.search(text) is not None


def bad_unicode(text: str) -> list[str]:
    """The lone surrogates and non-characters in ``text``."""
    return _BAD_UNICODE.findall(text)


def unicode_clean(text: str) -> str:
    """Lone surrogates and non-characters → U+FFFD, so the text encodes as UTF-8 (JSON, CSV, file names)."""
    return _BAD_UNICODE.sub(REPLACEMENT, text) if _BAD_UNICODE.search(text) else text


def xml_text(text: str) -> str:
    """Text an XML 1.0 document can carry (docx, xlsx): illegal controls dropped, bad code points replaced."""
    return _XML_ILLEGAL.sub("", unicode_clean(text))


def terminal(text: str) -> str:
    """Text safe to print: escape sequences and control characters removed (tab and newline kept), bidi
    overrides removed (they reorder what the reviewer reads), bad code points replaced."""
    s = _ESCAPE_SEQ.sub("", path_text(str(text)))
    return _TERMINAL_CONTROL.sub("", s)


def path_text(path: str | Path) -> str:
    """A file name as printable text: bytes that are not UTF-8 (a GBK name from a Windows zip, kept by Python as
    surrogate escapes) are shown as ``\\xC7``, so the name can be printed, stored in JSON and recognised."""
    s = os.fspath(path)
    if not _BAD_UNICODE.search(s):
        return s
    out = []
    for ch in s:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02X}")
        elif _BAD_UNICODE.match(ch):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def clean_data(obj: Any) -> Any:
    """JSON-ready data with every string (keys too) passed through :func:`path_text`: a JSON document must be
    valid UTF-8, so a lone surrogate becomes U+FFFD and a non-UTF-8 file name byte ``\\xC7``."""
    if isinstance(obj, str):
        return path_text(obj)
    if isinstance(obj, dict):
        return {clean_data(k): clean_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean_data(v) for v in obj]
    return obj


__all__ = ["clean_data", "unicode_clean", "xml_text", "terminal", "path_text", "has_bad_unicode", "bad_unicode", "REPLACEMENT"]
