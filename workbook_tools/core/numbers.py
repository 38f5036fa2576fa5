"""Reading numbers the way staff type them, and saying what was found.

Excel stores "1,234.50" typed into a text-formatted cell as text; the template's SUMs then skip it
silently. These helpers recognise the obvious forms so validate can name them and fill can convert them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Patterns as text: ``re`` compiles (and caches) one the first time a figure needs it, not at import.
_PLAIN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_WAN = r"^([+-]?(\d+(\.\d*)?|\.\d+))\s*万(元)?$"
_YUAN = r"^([+-]?(\d+(\.\d*)?|\.\d+))\s*元$"
_PERCENT = r"^([+-]?(\d+(\.\d*)?|\.\d+))\s*[%％]$"
TEN_THOUSAND = Decimal(10000)
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


def parse_text_number(text: str, kind: str | None = None) -> tuple[Decimal | None, str]:
    """(number, what was wrong) for text typed where a number belongs; number is None when not obvious.

    Obvious means the intent is unambiguous: thousands separators, full-width digits, stray or
    non-breaking spaces, a leading apostrophe. With the cell's ``kind`` known, the unit typed inside is
    read as a person would: "1235.6万" or "1235.6万元" in a 万元 (``money``) cell is 1235.6, "12,356,000元"
    is 1235.60 万元 (÷ 10000, Excel ROUND to 2 places), "95.5%" in a percent cell is 95.5. "—" and "无" are
    never numbers.
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
    if re.match(_GROUPED, s):
        notes.append("千分位逗号")
        s = s.replace(",", "")
    if re.match(_PLAIN, s):
        try:
            return Decimal(s), "、".join(notes) or "数字以文本形式保存"
        except InvalidOperation:
            pass
    if kind == "money" and (m := re.match(_WAN, s.replace(",", ""))):
        return Decimal(m.group(1)), "、".join([*notes, "带“万”字（单位已是万元）"])
    if kind == "money" and (m := re.match(_YUAN, s.replace(",", ""))):
        wan = (Decimal(m.group(1)) / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return wan, "、".join([*notes, f"以元填写（{m.group(1)} 元），已换算为万元"])
    if kind == "percent" and (m := re.match(_PERCENT, s)):
        return Decimal(m.group(1)), "、".join([*notes, "带百分号（单位已是%）"])
    if re.match(_WAN, s):
        return None, "带“万”字的文本，请只填写数字（单位已是万元）"
    if s in ("—", "-", "--", "——", "/", "无", "空", "N/A", "n/a"):
        return None, f"“{raw}”不是数字，如无数据请填 0 或留空"
    return None, "不是数字"


def looks_like_yuan(value: Decimal, others: list[Decimal]) -> bool:
    """A 万元 figure about ten thousand times the workbook's other amounts was most likely typed in 元.

    The test is relative, not a fixed bound: a county's 支出总额 of 50000 万元 is real, but 5,000,000 beside
    amounts in the hundreds is 500 万元 typed in 元 (the statutory 决算公开 tables are in 元).
    """
    sizes = sorted(abs(v) for v in others if v)
    if value < TEN_THOUSAND * 10 or not sizes:
        return False
    median = sizes[len(sizes) // 2]
    return value / median >= 2000
