"""Cell-for-cell comparison of the reader (calamine + expat) with the frozen regex reader it replaced.

``python -m tests.reader_agreement FOLDER…`` prints every difference; tests/test_reader_agreement.py runs
it on the corpus, the broken inputs and benchmark workbooks. Differences the regex reader got wrong are
named in ``EXPECTED`` and checked against an independent oracle instead (openpyxl's formula translator).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook_tools.xlsx import package, workbook

from . import legacy_xlsx


def _norm(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if isinstance(v, Decimal):
        return v.normalize() if v.is_finite() else v
    return v


def _close(a: Any, b: Any) -> bool:
    """Equal, or Decimals one unit apart in the 15th significant digit: the regex reader rounded the stored
    text to 15 digits, the new one rounds the binary value the text stands for (as Excel displays it); the two
    differ only when the text's 16th digit is a tie."""
    if a == b:
        return True
    if not (isinstance(a, Decimal) and isinstance(b, Decimal)) or not a or not b:
        return False
    return abs(a - b) <= Decimal(1).scaleb(max(a.adjusted(), b.adjusted()) - 14)


def _facts(c: Any) -> tuple[Any, ...] | None:
    """What a check can see of a cell; an empty unstyled cell is the same as no cell."""
    if c is None or (_norm(c.value) is None and c.formula is None and c.style == 0):
        return None
    return (_norm(c.value), c.formula, c.kind, c.style, c.quote_prefix)


def _shared_child(ref: str, old: str | None, new: str | None, cells: dict[str, Any]) -> bool:
    """The regex reader gave a shared formula's child its master's text unchanged; the new reader must give
    what openpyxl's translator (an independent implementation) makes of the master's text at this cell."""
    from openpyxl.formula.translate import Translator

    if not old or not new:
        return False
    for origin, c in cells.items():
        if c.formula == old and origin != ref:
            theirs = Translator("=" + old, origin=origin).translate_formula(ref)[1:]
            if "".join(theirs.split()) == "".join(new.split()):  # openpyxl's tokenizer drops whitespace runs
                return True
    return False


def compare(path: Path, keep_empty: bool = False) -> list[str]:
    """Differences between the two readers on one file (empty when they agree)."""
    errors: list[Exception | None] = [None, None]
    books: list[Any] = [None, None]
    for i, (read, unreadable) in enumerate(((legacy_xlsx.read, legacy_xlsx.UnreadableWorkbook),
                                            (workbook.read, package.UnreadableWorkbook))):
        try:
            books[i] = read(path, keep_empty=keep_empty)
        except unreadable as exc:
            errors[i] = exc
    old, new = books
    if errors[0] or errors[1]:
        if errors[0] and errors[1]:
            a, b = getattr(errors[0], "code", ""), getattr(errors[1], "code", "")
            return [] if a == b else [f"both unreadable, codes differ: {a} / {b}"]
        return [f"unreadable only by the {'old' if errors[0] else 'new'} reader: {errors[0] or errors[1]}"]
    out: list[str] = []
    for attr in ("names", "local_names", "application", "app_version", "custom_properties", "locked_styles",
                 "date_styles", "quote_styles", "calc_mode", "has_vba", "external_links", "sheet_names"):
        if getattr(old, attr) != getattr(new, attr):
            out.append(f"{attr}: {getattr(old, attr)!r} / {getattr(new, attr)!r}")
    for so, sn in zip(old.sheets, new.sheets, strict=False):
        for attr in ("state", "protected", "merges", "max_row", "truncated"):
            if getattr(so, attr) != getattr(sn, attr):
                out.append(f"{so.name}: {attr} {getattr(so, attr)!r} / {getattr(sn, attr)!r}")
        try:
            co = dict(so.cells.items())
        except ArithmeticError as exc:  # the regex reader's Decimal overflow on 1e300-sized numbers
            out.append(f"{so.name}: the old reader fails: {exc!r}")
            continue
        cn = dict(sn.cells.items())
        for ref in sorted(set(co) | set(cn)):
            a, b = co.get(ref), cn.get(ref)
            fa = _facts(a)
            fb = _facts(b)
            if fa == fb:
                continue
            if (fa and fb and _close(fa[0], fb[0]) and fa[2:] == fb[2:]
                    and (fa[1] == fb[1] or _shared_child(ref, fa[1], fb[1], cn))):
                continue
            out.append(f"{so.name}!{ref}: {fa!r} / {fb!r}")
    return out


#: Files of ../shared/corpus where the readers differ, and why (each checked by the test to differ only so).
EXPECTED: dict[str, str] = {
    "poi/57914.xlsx": "Strict OOXML: the regex reader saw no sheets",
    "poi/SampleSS.strict.xlsx": "Strict OOXML: the regex reader saw no sheets",
    "poi/SimpleStrict.xlsx": "Strict OOXML: the regex reader saw no sheets",
    "poi/sample.strict.xlsx": "Strict OOXML: the regex reader saw no sheets",
    "poi/54288.xlsx": "cells without r attributes: the regex reader dropped them",
    "poi/56278.xlsx": "cells without r attributes: the regex reader dropped them",
    "poi/59746_NoRowNums.xlsx": "rows and cells without r attributes: the regex reader dropped them",
    "poi/InlineString.xlsx": "an inline string with a namespace prefix the regex reader did not match",
    "poi/FormulaEvalTestData_Copy.xlsx": "the regex reader overflows Decimal on a 1e300-sized number",
    "poi/NumberFormatApproxTests.xlsx": "the regex reader overflows Decimal on a 1e300-sized number",
    "excel-made/shared_strings03.xlsx": "_xFFFE_/_xFFFF_ (non-characters) stay escaped in calamine's strings",
    "poi/no_drawing_patriarch.xlsx": "trailing spaces of strings without xml:space=preserve: calamine trims them",
    "poi/duplicate-filename-case-insensitive.xlsx": "two sheet parts whose names differ only in case",
    "poi/sample-beta.xlsx": "styles in Excel 2007 beta's namespace, which no application writes since",
    "poi/style-alternate-content.xlsx": "a row 1,048,576 beyond the row limit: merges after it are not read",
    "poi/64420.xlsm": "an Excel 4 macro sheet: calamine refuses the workbook (file-corrupt, clearly named)",
    "poi/poc-shared-strings.xlsx": "a fuzzer's proof of concept: calamine refuses it (file-corrupt, clearly named)",
}


def main(argv: list[str]) -> int:
    files = [p for a in argv for p in (sorted(Path(a).rglob("*")) if Path(a).is_dir() else [Path(a)])
             if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xlsb", ".xls", ".ods")]
    bad = 0
    for p in files:
        diffs = compare(p)
        if diffs:
            bad += 1
            print(f"{p}: {len(diffs)} differences")
            for d in diffs[:8]:
                print("   ", d)
    print(f"{len(files)} files, {bad} with differences")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
