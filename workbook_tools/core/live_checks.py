"""The checks the workbook runs on itself: spreadsheet formulas generated from the spec and the catalogue.

Department staff fill the workbook where nobody installs Python, so every check a formula can express is
also written into the workbook: one row of the 校验 sheet per checked place (its catalogue code, severity,
a hyperlink to the cell and a Chinese message with the figures, rendered from the catalogue's ``checks-*``
templates), conditional formatting on the checked cells, and a status line on each sheet. Each check's chain
of conditions is written once, in its 校验 row; the conditional format only reads that row's 结果 through a
defined name, so the colour and the row cannot disagree and the sheets stay small, and parity tests (LibreOffice recalculating planted faults, and rendering
them) prove both agree with ``validate``.

Only functions Excel 2010+, WPS and LibreOffice compute identically are used (IF, AND, OR, NOT, ISERROR,
ISTEXT, ISNUMBER, LEN, TRIM, ROUND, INT, ABS, MIN, MAX, N, SUM, SUMIFS, COUNT, COUNTIF, COUNTIFS, SUMPRODUCT, INDEX,
LOOKUP, FIXED, ROW, COLUMN) plus ``_xlfn.ISFORMULA`` (Excel 2013+, prefixed as OOXML requires); no dynamic arrays, no
LET/LAMBDA, no volatile functions (CELL, INDIRECT, OFFSET, NOW), so typing triggers only the rows that read
the changed cell. This module imports no I/O library: the template builder, the validator and fill read it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import cache

import msgspec

from . import cells as cells_
from . import spec
from .expr import Expr
from .findings import CATALOGUE, fmt, phrase
from .findings import template as message_template
from .words import SEVERITY_WORDS, STATUS_WORDS

SHEET = spec.LIVE_SHEET
SINCE = spec.LIVE_SINCE
#: 校验 sheet layout: header row, first check row, and what each column holds.
HEADER_ROW = 4
FIRST_ROW = 5
COLUMNS: tuple[str, ...] = tuple("ABCDEFGH")  # headed by spec.LIVE_COLUMNS
COL_NO, COL_RESULT, COL_SHEET, COL_PLACE, COL_ITEM, COL_CODE, COL_MESSAGE, COL_EXPECTED = COLUMNS
SUMMARY_CELL = "A2"
#: The 结果 column holds 2 (error), 1 (warning) or 0 (passed), shown as words by its number format, so the
#: formulas carry no Chinese text and the status lines count numbers.
RESULT_ERROR, RESULT_WARNING, RESULT_OK = 2, 1, 0
RESULT_FORMAT = (f'[=2]"{SEVERITY_WORDS["zh"]["error"]}";[=1]"{SEVERITY_WORDS["zh"]["warning"]}";'
                 f'"{STATUS_WORDS["zh"]["ok"]}"')
#: Defined names of the 校验 columns the status lines count.
RESULT_NAME = "live_checks_result"
SHEET_NAME = "live_checks_sheet"
#: The message table (hidden columns of the 校验 sheet): key ``code|key`` → the catalogue's text with {0}, {1}…
COL_MSG_KEY, COL_MSG_TEXT = "J", "K"
MSG_KEY_NAME, MSG_TEXT_NAME = "live_messages_key", "live_messages_text"
#: Hidden columns listing the choices of each choice field (exact comparison with EXACT).
COL_CHOICES = "LMNOP"

#: Catalogue codes that never appear on the 校验 sheet, with the reason (docs/checks.md prints it).
NOT_LIVE_REASONS: dict[str, str] = {
    "date-in-number": "CELL(\"format\") differs between applications (LibreOffice answers G for yyyy-mm-dd) and is volatile",
    "control-characters": "no function tests for control characters without an array formula",
    "text-too-long": "a cell cannot hold more than 32767 characters in Excel to begin with",
    "formula-changed": "comparing formula text needs FORMULATEXT, whose text differs between applications",
    "value-truncated": "needs the interval reasoning of the validator; the workbook reports value-mismatch",
    "cache-missing": "a spreadsheet always holds computed results",
}


def _q(text: str) -> str:
    """An Excel string literal (quotes doubled); text of the spec only, never text from a workbook."""
    return '"' + text.replace('"', '""') + '"'


def _num(d: Decimal | None) -> str:
    return format(d, "f") if d is not None else ""


def _fixed(x: str, decimals: int = 2) -> str:
    """A figure as text with its decimals and no thousands separator (locale-independent, unlike TEXT)."""
    return f"FIXED({x},{decimals},1)"


#: Catalogue variants of the 校验 sheet's messages (see the note above ``MESSAGES`` in core/findings.py).
INPUT, DERIVED, CROSS = "checks-input", "checks-derived", "checks-cross"


class Case(msgspec.Struct, frozen=True):
    """One possible outcome of a check: when ``cond`` holds (and no earlier case did), ``code`` is reported.

    An empty code stops the chain without a finding (a dependency holds text, which is reported there).
    The message is the catalogue template ``code``/``variant``; ``words`` are the parameters the spec fixes
    (text such as a range's bounds), the target's ``args`` those the workbook computes.
    """

    code: str
    cond: str
    variant: str = ""
    words: tuple[tuple[str, str], ...] = ()

    def template(self) -> str:
        """The catalogue's Chinese template of this case (the 校验 sheet is Chinese)."""
        return message_template(self.code, self.variant)[0]

    @property
    def severity(self) -> int:
        """2 error, 1 warning, 0 nothing: the number conditional formatting tests."""
        if not self.code:
            return 0
        return 1 if CATALOGUE[self.code].severity == "warning" else 2


class Target(msgspec.Struct, frozen=True):
    """One checked place and its chain of cases, rendered as a 校验 row and as conditional formatting."""

    sheet: str
    cell: str
    item: str
    cases: tuple[Case, ...]
    expected: str | None = None  # helper value (a derived cell's recomputation), else None
    #: Message-table key suffix (``code|key``) of a row whose message comes from the table, else "".
    key: str = ""
    #: (parameter, Excel expression) of the messages: with a ``key`` they are {1}, {2}… of the table's text
    #: ({0} is the row's 检查项); otherwise the message formula concatenates them (:func:`excel_text`).
    args: tuple[tuple[str, str], ...] = ()

    def table_text(self, case: Case) -> str:
        """A case's text in the message table: the spec's ``words`` filled in, {0} for the 检查项 and {1}, {2}…
        for the ``args``, which the row's formula substitutes (one text then serves many rows)."""
        slots = {"label": "{0}", **{name: f"{{{n}}}" for n, (name, _) in enumerate(self.args, start=1)}}
        return phrase(case.template(), {**dict(case.words), **slots})

    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.code for c in self.cases if c.code))

    def code_formula(self) -> str:
        return _chain([(c.cond, _q(c.code)) for c in self.cases], '""')

    def severity_formula(self) -> str:
        return _chain([(c.cond, str(c.severity)) for c in self.cases], "0")


_LITERAL = re.compile(r'"(?:[^"]|"")*"')


def excel_text(template_text: str, params: Mapping[str, str]) -> str:
    """A catalogue template as an Excel text formula: literal pieces quoted, ``params`` (Excel expressions) joined
    with ``&``. ``{x:vN}`` is ``FIXED(x,N,1)``, ``{x}`` and ``{x:v}`` the value as Excel writes it; a parameter that
    is itself a string literal is folded into the text around it."""
    parts: list[str] = []
    text = ""
    for literal, name, spec_, conversion in string.Formatter().parse(template_text):
        text += literal
        if name is None:
            continue
        if conversion is not None:
            raise ValueError(f"{name}!{conversion}: no conversion in a live-check message")
        expr = params[name]
        if spec_ and spec_ != "v":
            digits = spec_[1:]
            if not (spec_[:1] == "v" and digits.isdigit()):
                raise ValueError(f"{name}:{spec_}: a live-check message formats figures with v or vN only")
            expr = _fixed(expr, int(digits))
        if _LITERAL.fullmatch(expr):
            text += expr[1:-1].replace('""', '"')
            continue
        if text:
            parts.append(_q(text))
            text = ""
        parts.append(expr)
    if text or not parts:
        parts.append(_q(text))
    return "&".join(parts)


def _chain(pairs: list[tuple[str, str]], otherwise: str) -> str:
    out = otherwise
    for cond, value in reversed(pairs):
        out = f"IF({cond},{value},{out})"
    return out


# -- references -----------------------------------------------------------------------------------


class Refs(msgspec.Struct, frozen=True):
    """How a list check names the cells it reads: INDEX(column name, k) (the conditional formats read the
    校验 row's 结果, never these cells)."""

    row: int  # 1-based row of the list

    def col(self, table: spec.ListTable, key: str) -> str:
        return f"INDEX({table.range_name(key)},{self.row})"


def _blank(x: str) -> str:
    return f'LEN(TRIM({x}))=0'


def _not_number(x: str) -> str:
    return f"OR(ISTEXT({x}),ISERROR({x}))"


def _range_not_numbers(name: str) -> str:
    return f"SUMPRODUCT(ISTEXT({name})+ISERROR({name}))>0"


# -- inputs ---------------------------------------------------------------------------------------


def _input_cases(x: str, kind: str, lo: Decimal | None, hi: Decimal | None, choices: str | None,
                 blank_case: Case | None) -> list[Case]:
    """The input chain in the validator's order: error, blank, text, sign, whole number, range, digits."""
    cases = [Case("excel-error", f"ISERROR({x})", INPUT)]
    if blank_case is not None:
        cases.append(blank_case)
    if blank_case is None or blank_case.cond != _blank(x):
        cases.append(Case("", _blank(x)))  # a blank cell has nothing else to check
    if kind in ("money", "percent", "score", "int", "year"):
        cases.append(Case("text-number", f"ISTEXT({x})", INPUT))
        num = f"ISNUMBER({x})"
        if kind == "money":
            cases.append(Case("negative-amount", f"AND({num},{x}<0)", INPUT))
        out_of_range = _out_of_range(kind, lo, hi)
        if kind in ("int", "year"):
            cases.append(Case("out-of-range", f"AND({num},{x}<>INT({x}))", *out_of_range))
        tests = ([f"{x}<{_num(lo)}"] if lo is not None else []) + ([f"{x}>{_num(hi)}"] if hi is not None else [])
        if tests:
            cond = tests[0] if len(tests) == 1 else f"OR({','.join(tests)})"
            cases.append(Case("out-of-range", f"AND({num},{cond})", *out_of_range))
        if kind in ("money", "score"):
            cases.append(Case("excess-digits", f"AND({num},ROUND({x},2)<>{x})", INPUT))
    if kind == "choice" and choices:
        cond = f"SUMPRODUCT(--EXACT({x},{choices}))=0"  # exact, as the validator compares
        cases.append(Case("invalid-choice", cond, INPUT))
    return cases


def choice_name(name: str) -> str:
    """Defined name of the choices of a field or list column, listed in the 校验 sheet's hidden columns."""
    return f"live_choices_{name}"


@cache
def choice_lists() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, choices) of every choice field and list column, in spec order."""
    out = [(choice_name(f.name), f.choices) for f in spec.INPUT_FIELDS if f.kind == "choice" and f.choices]
    out += [(choice_name(t.range_name(c.key)), c.choices) for t in spec.TABLES for c in t.columns
            if c.kind == "choice" and c.choices]
    return tuple(out)


def _out_of_range(kind: str, lo: Decimal | None, hi: Decimal | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The out-of-range variant and its ``span`` (the bounds, as the template writes them) for a kind."""
    span = f"{_num(lo)}–{_num(hi)}" if lo is not None and hi is not None else (
        f"≥ {_num(lo)}" if lo is not None else (f"≤ {_num(hi)}" if hi is not None else ""))
    if kind in ("int", "year"):
        assert lo is not None and hi is not None, "the spec bounds every whole-number input (its message names both)"
        return f"{INPUT}-integer", (("span", span),)
    return (f"{INPUT}-money" if kind == "money" else f"{INPUT}-other"), (("span", span),)


def _input_target(sheet: str, cell: str, item: str, x: str, kind: str, lo: Decimal | None, hi: Decimal | None,
                  cases: list[Case]) -> Target | None:
    if not any(c.code for c in cases[1:]):
        return None
    rounded = f"IF(ISNUMBER({x}),{_fixed(x)},{x})"
    key = f"input:{kind}:{_num(lo)}:{_num(hi)}" if kind in ("money", "percent", "score", "int", "year") else "input"
    return Target(sheet, cell, item, tuple(cases), key=key, args=(("value", x), ("rounded", rounded)))


def _field_target(f: spec.Field) -> Target | None:
    x = f.name
    cond = _blank(x)
    if f.required_unless:  # required unless one of these is given (validate's rule)
        cond = f"AND({cond},{','.join(_blank(n) for n in f.required_unless)})"
    blank = Case("required-missing", cond, INPUT) if f.required else None
    cases = _input_cases(x, f.kind, f.min, f.max, choice_name(f.name) if f.choices else None, blank)
    return _input_target(f.sheet, f.cell, f.label, x, f.kind, f.min, f.max, cases)


def _row_used(t: spec.ListTable, refs: Refs) -> str:
    parts = [f"IFERROR(LEN(TRIM({refs.col(t, c.key)})),1)" for c in t.columns]
    return "(" + "+".join(parts) + ")>0"


def _list_cases(t: spec.ListTable, c: spec.Column, refs: Refs) -> list[Case]:
    x = refs.col(t, c.key)
    blank = None
    if c.required and len(t.columns) > 1:
        blank = Case("list-row-incomplete", f"AND({_blank(x)},{_row_used(t, refs)})", INPUT)
    cases = _input_cases(x, c.kind, c.min, c.max, choice_name(t.range_name(c.key)) if c.choices else None, blank)
    return cases if any(k.code for k in cases[1:]) else []


# -- derived cells --------------------------------------------------------------------------------

_DERIVED = {f.name: f for f in spec.DERIVED_FIELDS}


def _sub(expr: Expr, resolve: Callable[[str], str]) -> Expr:
    """The same expression with every name it reads replaced by ``resolve(name)`` (Exprs render names verbatim)."""
    assert isinstance(expr, msgspec.Struct)  # every Expr is a frozen msgspec.Struct (core/expr.py)
    changes: dict[str, object] = {}
    for name in expr.__struct_fields__:  # not msgspec.structs.fields, which evaluates the annotations each time
        v = getattr(expr, name)
        if name in ("blank_if_blank", "bands", "decimals"):
            continue
        if isinstance(v, str):
            changes[name] = resolve(v)
        elif isinstance(v, tuple) and all(isinstance(i, str) for i in v):
            changes[name] = tuple(resolve(i) for i in v)
    return msgspec.structs.replace(expr, **changes)


@cache
def expansion(name: str) -> str:
    """The Excel expression of a derived value recomputed from the inputs alone, as ``compute`` does.

    Typed-over derived cells never feed it: a wrong 基本支出合计 typed over makes the ratios that read it
    differ from this, which is what the validator reports (cache-stale) and so does the 校验 sheet.
    """
    f = _DERIVED[name]
    assert f.expr is not None

    def resolve(n: str) -> str:
        return f"({expansion(n)})" if n in _DERIVED else n

    return _sub(f.expr, resolve).excel()


@cache
def upstream(name: str) -> tuple[str, ...]:
    """Input names and list columns a derived value depends on, transitively, in a stable order."""
    f = _DERIVED[name]
    assert f.expr is not None
    out: list[str] = []
    for n in f.expr.inputs():
        for m in (upstream(n) if n in _DERIVED else (n,)):
            if m not in out:
                out.append(m)
    return tuple(out)


def _any_not_number(names: tuple[str, ...]) -> str:
    """A dependency holds text or an error: the validator skips the arithmetic then (reported at the input)."""
    parts = []
    numeric = ("money", "percent", "score", "int", "year")
    for n in names:
        f = spec.FIELD_BY_NAME.get(n)
        if f is not None:
            if f.kind in numeric:
                parts.append(_not_number(n))
            continue
        for t in spec.TABLES:
            for c in t.columns:
                if t.range_name(c.key) == n and c.kind in numeric:
                    parts.append(_range_not_numbers(n))
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "OR(" + ",".join(parts) + ")"


def _derived_target(f: spec.Field, e: str) -> Target:
    """Chain for a derived cell ``d`` against its recomputation ``e``: error, deleted, typed over, stale."""
    d = f.name
    dec = f.decimals if f.decimals is not None else 2
    isf = f"_xlfn.ISFORMULA({d})"
    cases = [
        Case("excel-error", f"ISERROR({d})", DERIVED),
        Case("formula-deleted", f"AND(NOT({isf}),{_blank(d)})", DERIVED),
    ]
    guard = _any_not_number(upstream(f.name))
    if guard:
        cases.append(Case("", guard))
    if f.kind == "grade":
        same_typed = f"{d}={e}"
        differs = f"{d}<>{e}"
        shown, want = d, e
    else:
        same_typed = f'IF({e}="",AND(ISNUMBER({d}),ROUND(N({d}),{dec})=0),AND(ISNUMBER({d}),ROUND(N({d}),{dec})=ROUND({e},{dec})))'
        differs = f'IF({e}="",{d}<>"",IF(ISNUMBER({d}),ROUND({d},{dec})<>ROUND({e},{dec}),1))'
        shown = f'IF(ISNUMBER({d}),{_fixed(d, dec)},{d})'
        want = f'IF({e}="",{_q(fmt(None))},{_fixed(e, dec)})'  # a blank result written as the messages write it
    cases += [
        Case("formula-overwritten", f"AND(NOT({isf}),{same_typed})", DERIVED),
        Case("value-mismatch", f"NOT({isf})", DERIVED),
        Case("cache-stale", differs, DERIVED),
    ]
    return Target(f.sheet, f.cell, f.label, tuple(cases), expected=expansion(f.name), key="derived",
                  args=(("shown", shown), ("expected", want)))


# -- cross-table ----------------------------------------------------------------------------------


def _project_targets() -> Iterator[Target]:
    for rule in (r for r in spec.CROSS_RULES if isinstance(r, spec.Equal)):
        r, total_name = rule.left, rule.right
        total = spec.field(total_name)
        guard = f"OR(COUNT({r})=0,{_range_not_numbers(r)},{_not_number(total_name)})"
        diff = f"ROUND(N({total_name})-SUM({r}),6)"
        tot = f"N({total_name})"
        slack_down = f"SUMPRODUCT(({r}>=0.005)*0.005+({r}>=0)*({r}<0.005)*{r}+({r}<0)*0.005)"
        tol_up = f"0.005*COUNT({r})+IF({tot}>=0,MIN(0.005,{tot}),0.005)"
        within = f"IF({diff}>0,{diff}<=ROUND({tol_up},6),-{diff}<=ROUND({slack_down}+0.005,6))"
        words = (("column", rule.column.label), ("total_label", total.label))
        yield Target(total.sheet, total.cell, rule.label, (
            Case("", guard),
            Case("", f"{diff}=0"),
            Case("value-imprecise", within, CROSS, words),
            Case("project-list-mismatch", "1", CROSS, words),
        ), args=(("listed", f"SUM({r})"), ("total", tot), ("diff", f"ABS({diff})")))


def _sangong_targets() -> Iterator[Target]:
    for rule in (r for r in spec.CROSS_RULES if isinstance(r, spec.AtMost)):
        s, b = f"({expansion(rule.left)})", f"({expansion(rule.right)})"
        guard = _any_not_number(upstream(rule.left) + upstream(rule.right))
        f = spec.field(rule.left)
        yield Target(f.sheet, f.cell, rule.label, (
            Case("", guard),
            Case(rule.code, f"ROUND({s}-{b},6)>0", "default", (("what", rule.what), ("what_en", rule.what_en))),
        ), args=(("sangong", s), ("basic", b)))


def _score_target(t: spec.ListTable, k: int) -> Target:
    refs = Refs(k)
    w, s = refs.col(t, "weight"), refs.col(t, "score")
    case = Case("score-exceeds-weight", f"AND(ISNUMBER({w}),ISNUMBER({s}),{s}>{w})", CROSS, (("row", str(k)),))
    item = spec.LIVE_ROW_ITEM.format(table=t.label, row=k, item=spec.LIVE_CHECK_ITEMS[case.code])
    return Target(t.sheet, f"{t.column('score').col}{t.first_row + k - 1}", item, (case,),
                  args=(("score", s), ("weight", w)))


def _weights_target() -> Target:
    """Points of the rows that name a 三级指标 (a subtotal row repeats its block's points), as validate sums them."""
    t = spec.table("indicators")
    r, key = t.range_name("weight"), t.range_name("level3")
    f = spec.field("weight_total")
    total = f'SUMIFS({r},{key},"<>")'
    return Target(f.sheet, f.cell, spec.LIVE_CHECK_ITEMS["weights-not-100"], (
        Case("weights-not-100", f'AND(SUMPRODUCT(ISNUMBER({r})*({key}<>""))>0,ROUND({total}-100,6)<>0)',
             "default"),), args=(("total", total),))  # validate's words


def _staff_target() -> Target:
    f = spec.field("staff_quota")
    return Target(f.sheet, f.cell, spec.LIVE_CHECK_ITEMS["staff-without-quota"], (
        Case("", f"OR({_not_number('staff_actual')},{_not_number('staff_quota')})"),
        Case("staff-without-quota", "AND(ISNUMBER(staff_actual),N(staff_quota)=0)", CROSS),
    ), args=(("staff", "staff_actual"),))


# -- all targets ----------------------------------------------------------------------------------


def _list_rows() -> Iterator[Target]:
    """The list checks, table by table, column by column, row by row (then each scoring row's score rule)."""
    for t in spec.TABLES:
        for c in t.columns:
            for k in range(1, t.capacity + 1):
                refs = Refs(k)
                cases = _list_cases(t, c, refs)
                if cases:
                    item = spec.LIVE_ROW_ITEM.format(table=t.label, row=k, item=c.label)
                    tgt = _input_target(t.sheet, f"{c.col}{t.first_row + k - 1}", item,
                                        refs.col(t, c.key), c.kind, c.min, c.max, cases)
                    assert tgt is not None
                    yield tgt
        if t.name == "indicators":
            yield from (_score_target(t, k) for k in range(1, t.capacity + 1))


@cache
def targets() -> tuple[Target, ...]:
    """Every row of the 校验 sheet, in sheet order: single fields, derived cells, cross-table, then lists."""
    out: list[Target] = []
    cross = {"projects": list(_project_targets()), "funds": list(_sangong_targets())}
    for s in spec.SHEETS:
        for f in spec.FIELDS:
            if f.sheet != s.title:
                continue
            tgt = _derived_target(f, _helper_ref(len(out))) if f.is_derived else _field_target(f)
            if tgt is not None:
                out.append(tgt)
        if s.key == "unit":
            out.append(_staff_target())
        if s.key == "scores":
            out.append(_weights_target())
        out += cross.get(s.key, [])
    out += _list_rows()
    return tuple(out)


def _helper_ref(index: int) -> str:
    return f"{COL_EXPECTED}{FIRST_ROW + index}"


def last_row() -> int:
    return FIRST_ROW + len(targets()) - 1


class LiveCell(msgspec.Struct, frozen=True):
    """A formula cell the live checks own: written by the template, formula-checked by validate, restored by fill."""

    sheet: str
    cell: str
    formula: str
    what: str


def _column(col: str) -> str:
    """The 校验 sheet's header of a column, as the spec lays it out."""
    return spec.LIVE_COLUMNS[COLUMNS.index(col)]


def _row_cells(i: int, t: Target) -> list[LiveCell]:
    r = FIRST_ROW + i
    code = f"{COL_CODE}{r}"
    warnings = [c for c in t.codes() if CATALOGUE[c].severity == "warning"]
    # no TRUE/FALSE literals anywhere: LibreOffice saves them as TRUE()/FALSE(), which would read as changed
    if warnings:
        warn = f"{code}={_q(warnings[0])}" if len(warnings) == 1 else \
            f"OR({','.join(f'{code}={_q(c)}' for c in warnings)})"
        result = f'=IF({code}="",{RESULT_OK},IF({warn},{RESULT_WARNING},{RESULT_ERROR}))'
    else:
        result = f'=IF({code}="",{RESULT_OK},{RESULT_ERROR})'
    if t.key:
        text = f"INDEX({MSG_TEXT_NAME},MATCH({code}&{_q('|' + t.key)},{MSG_KEY_NAME},0))"
        used = "".join(t.table_text(c) for c in t.cases if c.code)
        text = f"SUBSTITUTE({text},\"{{0}}\",{COL_ITEM}{r})"
        for n, (_, arg) in enumerate(t.args, start=1):
            if f"{{{n}}}" in used:
                text = f"SUBSTITUTE({text},\"{{{n}}}\",IFERROR({arg},\"\"))"  # an error value has no figure
        message = f'=IF({code}="","",{text})'
    else:
        seen: set[str] = set()
        uniq = []
        for c in t.cases:
            if c.code and c.code not in seen:
                seen.add(c.code)
                params = {**{k: _q(v) for k, v in c.words}, **dict(t.args)}
                uniq.append((f"{code}={_q(c.code)}", excel_text(c.template(), params)))
        message = "=" + _chain(uniq, '""')
    cells = [LiveCell(SHEET, f"{COL_RESULT}{r}", result, _column(COL_RESULT)),
             LiveCell(SHEET, code, "=" + t.code_formula(), _column(COL_CODE)),
             LiveCell(SHEET, f"{COL_MESSAGE}{r}", message, _column(COL_MESSAGE))]
    if t.expected is not None:
        cells.append(LiveCell(SHEET, f"{COL_EXPECTED}{r}", "=" + t.expected, _column(COL_EXPECTED)))
    return cells


def _count(result: int, sheet: str | None) -> str:
    if sheet is None:
        return f"COUNTIF({RESULT_NAME},{result})"
    return f"COUNTIFS({SHEET_NAME},{_q(sheet)},{RESULT_NAME},{result})"


def status_formula(sheet: str | None) -> str:
    """The status line of ``sheet`` (None: the whole workbook), linking to the 校验 sheet: '本表校验通过' or
    '本表校验：2 个错误，1 个警告（详见“校验”表）', the spec's wording."""
    e, w = _count(RESULT_ERROR, sheet), _count(RESULT_WARNING, sheet)
    words = {"scope": _q(spec.LIVE_SCOPE_BOOK if sheet is None else spec.LIVE_SCOPE_SHEET), "sheet": _q(SHEET)}
    text = (f"IF({e}+{w}=0,{excel_text(spec.LIVE_STATUS_OK, words)},"
            f"{excel_text(spec.LIVE_STATUS_FAILED, {**words, 'errors': e, 'warnings': w})})")
    return f'=HYPERLINK("#\'{SHEET}\'!A1",{text})'


@cache
def status_cells() -> tuple[LiveCell, ...]:
    """The summary and each sheet's status line: the first of :func:`cells`, and its only ones outside the 校验
    sheet (cheap to make, unlike the rows: ``validate`` of a workbook whose 校验 sheet is sealed needs only these)."""
    out: list[LiveCell] = [LiveCell(SHEET, SUMMARY_CELL, status_formula(None), "校验汇总")]
    for s in spec.SHEETS:
        if s.status_cell:  # the guide's line counts the whole workbook
            out.append(LiveCell(s.title, s.status_cell, status_formula(s.title if s.key != "guide" else None), "状态行"))
    return tuple(out)


@cache
def cells() -> tuple[LiveCell, ...]:
    """Every formula cell of the live checks: the summary, each sheet's status line, then the 校验 rows."""
    out = list(status_cells())
    for i, t in enumerate(targets()):
        out += _row_cells(i, t)
    return tuple(out)


class Format(msgspec.Struct, frozen=True):
    """One conditional-format rule: ``formula`` (relative to the first cell of ``ref``) turns the cells red or orange."""

    sheet: str
    ref: str
    formula: str
    severity: int  # 2 error (red), 1 warning (orange)


class _Block(msgspec.Struct):
    """A rectangle of checked cells whose 校验 rows follow one another in reading order (row by row)."""

    sheet: str
    col: str  # first column
    row: int  # first row
    index: int  # 校验 row of the first cell, 0-based
    width: int
    height: int
    warn: bool  # some check in the block can report a warning

    def ends_at(self, sheet: str, col: int, row: int, index: int) -> bool:
        """The cell continues the block's last row to the right (the block is one row high so far)."""
        return (self.height == 1 and (self.sheet, self.row, cells_.col_index(self.col) + self.width, self.index + self.width)
                == (sheet, row, col, index))

    def stacks(self, other: _Block) -> bool:
        """``other``, one row high, is the block's next row: same columns, 校验 rows continuing."""
        return (other.height == 1 and (self.sheet, self.col, self.width, self.row + self.height)
                == (other.sheet, other.col, other.width, other.row)
                and self.index + self.width * self.height == other.index)


def _blocks() -> list[_Block]:
    """The checked cells grouped into rectangles (a list column, a table of single fields): one
    conditional format covers each, picking the cell's 校验 row from its own ROW() and COLUMN()."""
    rows: list[_Block] = []
    for i, t in enumerate(targets()):
        col, row = cells_.split(t.cell)
        warn = any(c.severity == 1 for c in t.cases)
        if rows and rows[-1].ends_at(t.sheet, cells_.col_index(col), row, i):
            rows[-1].width += 1
            rows[-1].warn = rows[-1].warn or warn
        else:
            rows.append(_Block(t.sheet, col, row, i, 1, 1, warn))
    out: list[_Block] = []
    for r in rows:
        if out and out[-1].stacks(r):
            out[-1].height += 1
            out[-1].warn = out[-1].warn or r.warn
        else:
            out.append(r)
    return out


def _pick(b: _Block) -> str:
    """The 1-based 校验 row of a block's cell, in references relative to the block's first cell."""
    first = f"{b.col}{b.row}"
    k = b.index + 1 - b.row * b.width - cells_.col_index(b.col)  # index + 1 = k + ROW * width + COLUMN
    if b.width == 1 and b.height == 1:
        return str(b.index + 1)
    if b.height == 1:
        return f"COLUMN({first}){k + b.row * b.width:+d}"
    if b.width == 1:
        return f"ROW({first}){k + cells_.col_index(b.col):+d}"
    return f"ROW({first})*{b.width}+COLUMN({first}){k:+d}"


@cache
def formats() -> tuple[Format, ...]:
    """Conditional formats that read each 校验 row's 结果 through its defined name: the colour is the row's.

    A rule cannot refer to another sheet directly in every application; a workbook-level name can (Excel 2010+,
    WPS, LibreOffice). One rule covers each rectangle of cells whose rows follow one another (see
    ``_blocks``), so the sheets stay small. Errors first, so red wins over orange and over a second check of
    the same cell.
    """
    red: list[Format] = []
    orange: list[Format] = []
    for b in _blocks():
        first = f"{b.col}{b.row}"
        last = f"{cells_.col_letters(cells_.col_index(b.col) + b.width - 1)}{b.row + b.height - 1}"
        ref = first if first == last else f"{first}:{last}"
        red.append(Format(b.sheet, ref, f"INDEX({RESULT_NAME},{_pick(b)})={RESULT_ERROR}", 2))
        if b.warn:
            orange.append(Format(b.sheet, ref, f"INDEX({RESULT_NAME},{_pick(b)})={RESULT_WARNING}", 1))
    return tuple(red + orange)


@cache
def live_codes() -> frozenset[str]:
    """Catalogue codes the workbook reports by itself."""
    return frozenset(c for t in targets() for c in t.codes())


_FUNC = re.compile(r"([A-Z_][A-Z0-9._]*)\(")
#: The functions the generated formulas may use (see the module docstring).
ALLOWED_FUNCTIONS = frozenset({
    "IF", "AND", "OR", "NOT", "ISERROR", "ISTEXT", "ISNUMBER", "LEN", "TRIM", "ROUND", "INT",
    "ABS", "MIN", "MAX", "N", "SUM", "COUNT", "COUNTIF", "COUNTIFS", "SUMPRODUCT", "INDEX", "LOOKUP", "FIXED",
    "IFERROR", "HYPERLINK", "SUBSTITUTE", "MATCH", "EXACT", "_XLFN.ISFORMULA", "SUMIFS", "ROW",
    "COLUMN",
})


def functions(formula: str) -> set[str]:
    """Function names a formula calls (outside string literals)."""
    code = re.sub(r'"(?:[^"]|"")*"', '""', formula)
    return {m.upper() for m in _FUNC.findall(code.upper())}


__all__ = ["ALLOWED_FUNCTIONS", "Case", "Format", "LiveCell", "NOT_LIVE_REASONS", "SHEET", "Target", "names",
           "cells", "excel_text", "expansion", "formats", "functions", "live_codes", "message_count", "reported", "status_cells",
           "status_formula", "targets"]


@cache
def messages() -> tuple[tuple[str, str], ...]:
    """The message table: (``code|key``, text with {0}–{n}), one row per distinct wording (see ``Target.table_text``)."""
    out: dict[str, str] = {}
    for t in targets():
        if t.key:
            for c in t.cases:
                if c.code:
                    key, text = f"{c.code}|{t.key}", t.table_text(c)
                    assert out.get(key, text) == text, key
                    out[key] = text
    return tuple(out.items())


@cache
def message_count() -> int:
    """``len(messages())`` without rendering the texts: what the defined names of the message table need."""
    return len({f"{c.code}|{t.key}" for t in targets() if t.key for c in t.cases if c.code})


def all_names() -> tuple[spec.Name, ...]:
    """The spec's defined names and those of the 校验 sheet, which this module generates from the spec."""
    return spec.defined_names() + tuple(names())


def names() -> list[spec.Name]:
    """Defined names of the 校验 sheet (template 2.1): the whole table and the columns the status lines count."""
    last = last_row()
    out = [
        spec.Name("live_checks", SHEET, f"{COL_NO}{FIRST_ROW}:{COL_EXPECTED}{last}", "live",
                  "校验表（每行一项实时检查）", SINCE),
        spec.Name(RESULT_NAME, SHEET, f"{COL_RESULT}{FIRST_ROW}:{COL_RESULT}{last}", "live",
                  f"校验表：结果列（{STATUS_WORDS['zh']['ok']} / {SEVERITY_WORDS['zh']['error']} / "
                  f"{SEVERITY_WORDS['zh']['warning']}）", SINCE),
        spec.Name(SHEET_NAME, SHEET, f"{COL_SHEET}{FIRST_ROW}:{COL_SHEET}{last}", "live", "校验表：工作表列", SINCE),
        spec.Name(MSG_KEY_NAME, SHEET, f"{COL_MSG_KEY}{FIRST_ROW}:{COL_MSG_KEY}{FIRST_ROW + message_count() - 1}",
                  "live", "校验表：说明模板的键（代码|类别）", SINCE),
        spec.Name(MSG_TEXT_NAME, SHEET, f"{COL_MSG_TEXT}{FIRST_ROW}:{COL_MSG_TEXT}{FIRST_ROW + message_count() - 1}",
                  "live", "校验表：说明模板（{0} 检查项，{1}、{2} 数值）", SINCE),
    ]
    for i, (name, choices) in enumerate(choice_lists()):
        col = COL_CHOICES[i]
        out.append(spec.Name(name, SHEET, f"{col}{FIRST_ROW}:{col}{FIRST_ROW + len(choices) - 1}", "live",
                             "校验表：下拉列表的选项", SINCE))
    return out


def reported(book: object) -> list[tuple[str, str, str, str]]:
    """What a (recalculated) workbook's 校验 sheet reports: (code, sheet, cell, message) of every failing row.

    Read from the file's own cells, as a user sees them; the parity test compares it with ``validate``.
    """
    get = book.cell  # type: ignore[attr-defined]
    out: list[tuple[str, str, str, str]] = []
    for i in range(len(targets())):
        r = FIRST_ROW + i
        code = get(SHEET, f"{COL_CODE}{r}")
        if code is None or code.value in (None, ""):
            continue
        sheet, place, message = (get(SHEET, f"{c}{r}") for c in (COL_SHEET, COL_PLACE, COL_MESSAGE))
        out.append((str(code.value), str(sheet.value if sheet else ""), str(place.value if place else ""),
                    str(message.value if message else "")))
    return out
