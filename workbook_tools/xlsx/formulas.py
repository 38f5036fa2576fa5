"""Shared formulas: the text of a child cell, as Excel shows it, from its master's text."""

from __future__ import annotations

import re

from ..core.cells import col_letters

#: A reference in formula text: optional sheet prefix, then A1, A1:B2, A:A or 1:1 forms. Strings, quoted
#: sheet names and structured references are matched first so that nothing inside them is shifted.
_TOKEN = re.compile(
    r"""("(?:[^"]|"")*")                                            # 1 string literal
    |('(?:[^']|'')*'!)                                                # 2 quoted sheet prefix
    |(\[[^\]]*(?:\[[^\]]*\][^\]]*)*\])                                # 3 structured reference / external index
    |(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![A-Za-z0-9_(\[.])  # 4-7 A1
    |(?<![A-Za-z0-9_.\\])(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})(?![A-Za-z0-9_(\[.])  # 8-11 A:B
    |(?<![A-Za-z0-9_.\\:$])(\$?)(\d+):(\$?)(\d+)(?![A-Za-z0-9_(\[.])  # 12-15 1:2
    """,
    re.X,
)
MAX_COL = 16384
MAX_ROWS = 1048576


def _col_num(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _shift_col(dollar: str, letters: str, dcol: int) -> str:
    if dollar or not dcol:
        return dollar + letters
    n = _col_num(letters) + dcol
    return col_letters(n) if 1 <= n <= MAX_COL else "#REF!"


def _shift_row(dollar: str, digits: str, drow: int) -> str:
    if dollar or not drow:
        return dollar + digits
    n = int(digits) + drow
    return str(n) if 1 <= n <= MAX_ROWS else "#REF!"


def translate(formula: str, drow: int, dcol: int) -> str:
    """A shared formula's text as it reads in a cell ``drow`` rows and ``dcol`` columns from its master:
    relative references move, absolute ones (``$``) stay, as Excel shows the child's formula."""
    if not drow and not dcol:
        return formula

    def sub(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2) or m.group(3):
            return m.group(0)
        if m.group(5) is not None:
            if _col_num(m.group(5)) > MAX_COL:
                return m.group(0)  # a name such as ABCD1 is not a cell reference
            out = [_shift_col(m.group(4), m.group(5), dcol), _shift_row(m.group(6), m.group(7), drow)]
            sep = ""
        elif m.group(9) is not None:
            out = [_shift_col(m.group(8), m.group(9), dcol), _shift_col(m.group(10), m.group(11), dcol)]
            sep = ":"
        else:
            out = [_shift_row(m.group(12), m.group(13), drow), _shift_row(m.group(14), m.group(15), drow)]
            sep = ":"
        return "#REF!" if "#REF!" in out else sep.join(out)

    return _TOKEN.sub(sub, formula)
