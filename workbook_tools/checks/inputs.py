"""Inputs: what staff typed, cell by cell — blanks, text where a number belongs, signs, ranges, digits,
choices, dates, and Excel error values anywhere on the template's sheets.

Messages say what was found and what to type instead, because the person reading them fixes the cell
by hand ("请把“工资福利支出 决算金额”改为数字 1234.50（不要千分位逗号）").
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..core import spec
from ..core.expr import excel_round
from ..core.findings import Finding
from ..core.model import CONTROL_CHARS
from ..core.numbers import TEN_THOUSAND, looks_like_yuan, parse_text_number
from ..xlsx.reader import Loaded
from ..xlsx.worksheet import Cell
from . import Computed, finding, fmt, list_places, place

ADVICE = {
    "千分位逗号": ("不要千分位逗号", "no thousands separators"),
    "全角数字": ("用半角数字", "use half-width digits"),
    "多余空格": ("去掉多余空格", "remove the spaces"),
    "前导撇号": ("去掉开头的撇号 '", "remove the leading apostrophe"),
    "数字以文本形式保存": ("单元格是文本格式：先把格式设为“数值”，再重新输入", "the cell is formatted as text"),
}
ERRORS = {
    "#DIV/0!": ("除数为 0", "division by zero"),
    "#REF!": ("引用的单元格已被删除", "a referenced cell was deleted"),
    "#VALUE!": ("参与计算的单元格中有文本", "text where a number was expected"),
    "#N/A": ("查找不到数据", "value not available"),
    "#NAME?": ("公式中有无法识别的名称", "unknown name in a formula"),
    "#NUM!": ("数值无效", "invalid number"),
    "#NULL!": ("区域引用无交集", "empty intersection"),
}
_WAN = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*万")
#: Excel's limit on the characters of one cell.
CELL_LIMIT = 32767
CONTROL = CONTROL_CHARS


class _Target:
    """One input cell: where it is, how it is called, and the spec's rules for it."""

    def __init__(self, sheet: str, cell: str, label: str, label_en: str, kind: str, *, name: str | None,
                 minimum: Decimal | None, maximum: Decimal | None, choices: tuple[str, ...], decimals: int | None):
        self.sheet, self.cell, self.label, self.label_en, self.kind = sheet, cell, label, label_en, kind
        self.name, self.min, self.max, self.choices, self.decimals = name, minimum, maximum, choices, decimals

    def f(self, code: str, zh: str, en: str, expected: object = None, actual: object = None) -> Finding:
        return finding(code, zh, en, sheet=self.sheet, cell=self.cell, name=self.name, expected=expected, actual=actual)


def _text_number(t: _Target, raw: str, c: Cell | None) -> Finding:
    num, note = parse_text_number(raw, t.kind)
    notes = note.split("、") if num is not None else []
    if c is not None and c.quote_prefix and "前导撇号" not in notes:
        notes = [n for n in notes if n != "数字以文本形式保存"] + ["前导撇号"]
    if num is not None:
        shown = fmt(num, t.decimals) if t.kind != "int" and t.kind != "year" else fmt(num, 0)
        zh_adv = "；".join(ADVICE.get(n, (n, n))[0] for n in notes)
        en_adv = "; ".join(ADVICE.get(n, (n, n))[1] for n in notes)
        return t.f("text-number", f"请把“{t.label}”改为数字 {shown}（{zh_adv}）：现在是文本“{raw}”，公式会忽略它",
                   f"change {t.label_en} to the number {shown} ({en_adv}): it holds the text {raw!r}, which formulas ignore",
                   expected=shown, actual=raw)
    wan = _WAN.search(raw)
    hint = f"如果是 {wan.group(1)} 万元，请填 {fmt(Decimal(wan.group(1)), t.decimals)}" if wan else ""
    return t.f("text-number", f"“{t.label}”应填数字，现在是文本“{raw}”：{note}" + (f"。{hint}" if hint else ""),
               f"{t.label_en} must be a number but holds the text {raw!r}", expected="数字", actual=raw)


def _number(t: _Target, v: Decimal, c: Cell | None, book_is_date: bool) -> list[Finding]:
    out: list[Finding] = []
    unit = "万元" if t.kind == "money" else ""
    if book_is_date:
        out.append(t.f("date-in-number",
                       f"“{t.label}”单元格被设成了日期格式（数值 {fmt(v)} 会显示成日期）。请把单元格格式改为“数值”并核对数值",
                       f"{t.label_en} is formatted as a date; format it as a number and check the value {fmt(v)}",
                       actual=fmt(v)))
    if t.kind == "money" and v < 0:
        out.append(t.f("negative-amount", f"“{t.label}”是负数 {fmt(v)} 万元，金额不能为负数。请填写实际金额（没有请填 0）",
                       f"{t.label_en} is negative ({fmt(v)}); amounts cannot be negative", expected="≥ 0",
                       actual=fmt(v)))
        return out
    if t.kind in spec.INTEGRAL_KINDS and v != v.to_integral_value():
        out.append(t.f("out-of-range", f"“{t.label}”应为整数，现在是 {fmt(v)}", f"{t.label_en} must be a whole number",
                       expected="整数", actual=fmt(v)))
        return out
    low, high = t.min, t.max
    if (low is not None and v < low) or (high is not None and v > high):
        bounds = f"{fmt(low)}–{fmt(high)}" if low is not None and high is not None else (
            f"≥ {fmt(low)}" if low is not None else f"≤ {fmt(high)}")
        extra = "，请确认金额单位是万元（不是元）" if t.kind == "money" else ""
        out.append(t.f("out-of-range", f"“{t.label}”为 {fmt(v)}{unit}，超出允许范围 {bounds}{extra}",
                       f"{t.label_en} is {fmt(v)}, outside {bounds}", expected=bounds, actual=fmt(v)))
        return out
    exponent = v.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if t.kind in ("money", "score") and t.decimals is not None and places > t.decimals:
        r = excel_round(v, t.decimals)
        out.append(t.f("excess-digits",
                       f"“{t.label}”填了 {fmt(v)}，超过两位小数；{'金额以万元为单位' if t.kind == 'money' else '分值'}"
                       f"保留两位小数，请改为 {fmt(r, t.decimals)}",
                       f"{t.label_en} has more than 2 decimals ({fmt(v)}); type {fmt(r, t.decimals)}",
                       expected=fmt(r, t.decimals), actual=fmt(v)))
    return out


def _value(loaded: Loaded, t: _Target, v: object, c: Cell | None) -> list[Finding]:
    if c is not None and c.is_error:
        return []  # reported once by the error sweep
    if t.kind in spec.NUMERIC_KINDS:
        if isinstance(v, str):
            return [_text_number(t, v, c)]
        if isinstance(v, bool):
            shown = "TRUE" if v else "FALSE"
            return [t.f("boolean-in-number",
                        f"“{t.label}”中是逻辑值 {shown}，不是数字，所有合计都会忽略它。请改为数字（没有请填 0）",
                        f"{t.label_en} holds the logical value {shown}, not a number; every total ignores it",
                        expected="数字", actual=shown)]
        if isinstance(v, int) and not isinstance(v, bool):
            v = Decimal(v)
        if isinstance(v, Decimal):
            return _number(t, v, c, loaded.book.is_date(c))
        return []
    if isinstance(v, str) and t.kind in ("text", "longtext", "choice"):
        out = _text(t, v)
        if out:
            return out
    if t.kind == "choice" and t.choices and v is not None and str(v) not in t.choices:
        options = "、".join(t.choices)
        return [t.f("invalid-choice", f"“{t.label}”填的是“{v}”，不是下拉列表中的选项。请从下拉列表选择：{options}",
                    f"{t.label_en} is {v!r}, not one of the choices: {', '.join(t.choices)}",
                    expected=options, actual=str(v))]
    return []


def _text(t: _Target, v: str) -> list[Finding]:
    out: list[Finding] = []
    if len(v) > CELL_LIMIT:
        out.append(t.f("text-too-long",
                       f"“{t.label}”有 {len(v)} 个字符，超过单元格上限 {CELL_LIMIT}；Excel 会截掉超出部分。请把内容拆成多行段落",
                       f"{t.label_en} has {len(v)} characters, beyond the cell limit of {CELL_LIMIT}; split it into paragraphs",
                       expected=f"≤ {CELL_LIMIT}", actual=len(v)))
    bad = CONTROL.findall(v)
    if bad:
        codes = "、".join(sorted({f"U+{ord(ch):04X}" for ch in bad}))
        out.append(t.f("control-characters",
                       f"“{t.label}”中有 {len(bad)} 个不可见的控制字符（{codes}），多半来自复制粘贴，报告中会被删去。请检查并重新输入该处文字",
                       f"{t.label_en} contains {len(bad)} control characters ({codes}); they are dropped from the report",
                       actual=codes))
    return out


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _fields(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    for f in spec.INPUT_FIELDS:
        if not loaded.has(f.name):
            continue  # a later version's figure: an older workbook has no cell for it
        sheet, cell = place(loaded, f.name)
        if loaded.book.sheet(sheet) is None:
            continue  # sheet-missing says it once
        t = _Target(sheet, cell, f.label, f.label_en, f.kind, name=f.name, minimum=f.min, maximum=f.max,
                    choices=f.choices, decimals=f.decimals)
        v = loaded.model.values.get(f.name)
        c = loaded.cells.get(f.name)
        if c is not None and c.formula and _blank(v):
            out.append(t.f("input-formula-uncached",
                           f"“{f.label}”是公式 ={c.formula}，但文件中没有保存它的计算结果（写出文件的程序不计算公式），"
                           "按空白处理。请在 Excel 或 WPS 中打开并保存，或直接填写数字",
                           f"{f.label_en} is the formula ={c.formula} with no cached result (the writing program does "
                           "not calculate); read as blank. Open and save it in Excel or WPS, or type the number",
                           expected="数字", actual="=" + c.formula))
            continue
        if _blank(v):
            if f.required and not any(not _blank(loaded.model.values.get(n)) for n in f.required_unless):
                out.append(t.f("required-missing", f"必填项“{f.label}”未填写，请在 {sheet}!{cell} 填写",
                               f"required field {f.label_en} is empty; fill in {sheet}!{cell}"))
            continue
        out += _value(loaded, t, v, c)
    return out


def _lists(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    for table in spec.TABLES:
        if loaded.book.sheet(table.sheet) is None:
            continue
        places = {col.key: list_places(loaded, table.name, col.key) for col in table.columns}
        for i, row in enumerate(loaded.model.lists.get(table.name, [])):
            for col in table.columns:
                v = row.get(col.key)
                if (col.kind in ("text", "longtext") and isinstance(v, str) and v.strip() and len(v) <= CELL_LIMIT
                        and not CONTROL.search(v)):
                    continue  # ordinary text: nothing to check, so no target to build
                sheet, cell = places[col.key][i]
                label = f"{table.label}第 {i + 1} 行 {col.label}"
                label_en = f"{table.label_en} row {i + 1}, {col.label_en}"
                t = _Target(sheet, cell, label, label_en, col.kind, name=table.range_name(col.key), minimum=col.min,
                            maximum=col.max, choices=col.choices, decimals=col.decimals)
                if _blank(v):
                    if col.required:
                        out.append(t.f("list-row-incomplete",
                                       f"{table.label}第 {i + 1} 行填写了部分内容，但缺少“{col.label}”。请补上，或清空整行",
                                       f"{table.label_en} row {i + 1} is partly filled but {col.label_en} is empty"))
                    continue
                out += _value(loaded, t, v, loaded.book.cell(sheet, cell))
    return out


def _errors(loaded: Loaded) -> list[Finding]:
    """Excel error values cached in any cell of the template's sheets, named where the cell is a field."""
    out: list[Finding] = []
    by_place = {(loc.sheet, loc.cell): name for name, loc in loaded.locations.items()}
    derived = {f.name for f in spec.DERIVED_FIELDS}
    for title in spec.sheet_titles():
        data = loaded.book.sheet(title)
        if data is None or title == spec.LIVE_SHEET:
            continue  # an error on the 校验 sheet follows from the checked cell, which is reported itself
        for ref, c in data.cells.with_error():
            err = str(c.value or "#ERROR")
            why, why_en = ERRORS.get(err, ("错误值", "error value"))
            name = by_place.get((title, ref))
            what = f"“{spec.FIELD_BY_NAME[name].label}”" if name else f"单元格 {ref} "
            fix = "请恢复模板公式（或运行 workbook-tools fill）" if name in derived else (
                "请检查公式引用的单元格" if c.formula else "请改为正确的值或清空")
            out.append(finding("excel-error", f"{what}是错误值 {err}（{why}）。{fix}",
                               f"{(spec.FIELD_BY_NAME[name].label_en if name else 'cell ' + ref)} holds the error {err} ({why_en})",
                               sheet=title, cell=ref, name=name, actual=err))
    return out


def _units(loaded: Loaded) -> list[Finding]:
    """Amounts about ten thousand times the others: most likely typed in 元 into a 万元 cell. Amounts beyond
    :data:`~workbook_tools.core.spec.MAX_MONEY` are out of range already (and 1e308 cannot be divided exactly)."""
    money = [(f, v) for f in spec.INPUT_FIELDS if f.kind == "money" and loaded.has(f.name)
             and isinstance(v := loaded.model.values.get(f.name), Decimal) and 0 < v <= spec.MAX_MONEY]
    out: list[Finding] = []
    for f, v in money:
        others = [w for g, w in money if g.name != f.name]
        if not looks_like_yuan(v, others):
            continue
        sheet, cell = place(loaded, f.name)
        wan = fmt((v / TEN_THOUSAND).quantize(Decimal("0.01")), 2)
        out.append(finding(
            "unit-yuan-suspected",
            f"“{f.label}”为 {fmt(v)}，比本工作簿其他金额大约一万倍，像是以元填写；本模板金额单位为万元，应为 {wan}。请核对后改正",
            f"{f.label_en} is {fmt(v)}, about ten thousand times the other amounts: it looks like 元; in 万元 it "
            f"would be {wan}", sheet=sheet, cell=cell, name=f.name, expected=wan, actual=fmt(v)))
    return out


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    return _fields(loaded) + _lists(loaded) + _errors(loaded) + _units(loaded)


__all__ = ["check"]
