"""Reading numbers the way staff type them, and saying what was found.

Excel stores "1,234.50" typed into a text-formatted cell as text; the template's SUMs then skip it
silently. These helpers recognise the obvious forms so validate can name them and fill can convert them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_WAN = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+))\s*万(元)?$")
_SPACES = "\u00a0\u3000\u2002\u2003\u2009\u202f\ufeff"


def to_decimal(v: object) -> Decimal | None:
    """A cell value as Decimal when it is a genuine number; text and blanks give None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))  # never Decimal(float): that keeps the binary artefact
    return None


def parse_text_number(text: str) -> tuple[Decimal | None, str]:
    """(number, what was wrong) for text typed where a number belongs; number is None when not obvious.

    Obvious means the intent is unambiguous: thousands separators, full-width digits, stray or
    non-breaking spaces, a leading apostrophe. "12.3万" is not converted (万 or 万元 against a 万元
    field is ambiguous to a machine), nor "—" or "无".
    """
    raw = text
    s = unicodedata.normalize("NFKC", text)  # full-width digits, signs and dots become ASCII
    notes = []
    if s != raw and any("\uff10" <= ch <= "\uff19" or ch in "．，－＋" for ch in raw):
        notes.append("全角数字")
    stripped = s.strip(" \t\r\n" + _SPACES)
    if stripped != s:
        notes.append("多余空格")
    s = stripped
    if s.startswith("'"):
        notes.append("前导撇号")
        s = s[1:].strip()
    if _GROUPED.match(s):
        notes.append("千分位逗号")
        s = s.replace(",", "")
    if _PLAIN.match(s):
        try:
            return Decimal(s), "、".join(notes) or "数字以文本形式保存"
        except InvalidOperation:
            pass
    if _WAN.match(s):
        return None, "带“万”字的文本，请只填写数字（单位已是万元）"
    if s in ("—", "-", "--", "——", "/", "无", "空", "N/A", "n/a"):
        return None, f"“{raw}”不是数字，如无数据请填 0 或留空"
    return None, "不是数字"
