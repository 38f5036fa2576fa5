"""Cached values: python-calamine reads them (Rust), this module turns them into the tools' types.

Numbers become Decimal reduced to Excel's 15 significant digits; a date calamine decoded becomes the
serial number Excel stored; a UTF-16 archive, which calamine cannot decode, is re-encoded in memory first.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .package import UnreadableWorkbook
from .xmlparse import utf8_copy

SIGNIFICANT = 15  # Excel keeps 15 significant digits; writers that print 16-17 add binary noise


def number(text: str) -> Decimal | str:
    """Stored number text → Decimal, reduced to Excel's 15 significant digits ("98.95999999999999" → 98.96)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return text
    if not d.is_finite():
        return text
    return reduce15(d)


def reduce15(d: Decimal) -> Decimal:
    digits = len(d.as_tuple().digits)
    if digits > SIGNIFICANT:
        shift = d.adjusted() - SIGNIFICANT + 1
        d = d.quantize(Decimal(1).scaleb(shift)).normalize()
        if d.as_tuple().exponent > 0 and d.adjusted() < 28:  # type: ignore[operator]
            d = d.quantize(Decimal(1))  # beyond the context's 28 digits a whole number keeps its exponent
    return d


def from_float(x: float) -> Decimal | str:
    """calamine's float → the Decimal the stored text meant: its shortest repr when that has at most 15
    significant digits, else the exact binary value rounded once to 15 (rounding the repr would round twice)."""
    if x.is_integer() and -1e15 < x < 1e15:
        return Decimal(int(x))
    if x != x or x in (float("inf"), float("-inf")):
        return repr(x)
    d = Decimal(repr(x))
    return d if len(d.as_tuple().digits) <= SIGNIFICANT else reduce15(Decimal(x))


_EPOCH = None


def serial(v: Any) -> Decimal | str:
    """A date/time calamine decoded → the serial number Excel stored (1900 system)."""
    import datetime as dt

    global _EPOCH
    if _EPOCH is None:
        _EPOCH = dt.datetime(1899, 12, 30)
    if isinstance(v, dt.timedelta):
        return from_float(v.total_seconds() / 86400)
    if isinstance(v, dt.datetime):
        days = (v - _EPOCH).total_seconds() / 86400
    elif isinstance(v, dt.date):
        days = float((v - _EPOCH.date()).days)
    elif isinstance(v, dt.time):
        days = (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    else:
        return str(v)
    return from_float(round(days, 10))


def _not_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def open_values(path: Path, zf: zipfile.ZipFile, utf16: bool) -> Any:
    """python-calamine's view of the workbook (from a UTF-8 copy when a part is UTF-16)."""
    from python_calamine import CalamineWorkbook

    try:
        if utf16:
            return CalamineWorkbook.from_filelike(utf8_copy(zf))
        if _not_utf8(str(path)):  # a GBK name from a Windows zip: Rust wants UTF-8
            with open(path, "rb") as fh:
                return CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors share no base class worth naming
        raise UnreadableWorkbook(path, "文件已损坏，无法读取单元格内容", f"corrupt file, cells cannot be read ({exc})",
                                 "file-corrupt") from exc
