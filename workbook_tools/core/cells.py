"""A1-address arithmetic, kept dependency-free so the fast read path never imports openpyxl."""

from __future__ import annotations

import re

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_index(letters: str) -> int:
    """'A' → 1, 'AA' → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(index: int) -> str:
    """1 → 'A', 27 → 'AA'."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split(cell: str) -> tuple[str, int]:
    """'B12' → ('B', 12); accepts '$B$12'."""
    m = _A1.match(cell.strip())
    if not m:
        raise ValueError(f"not an A1 cell address: {cell!r}")
    return m.group(1).upper(), int(m.group(2))


def rc(cell: str) -> tuple[int, int]:
    """(row, column), 1-based."""
    col, row = split(cell)
    return row, col_index(col)


def address(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"
