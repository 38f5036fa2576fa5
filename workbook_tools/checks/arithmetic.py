"""Arithmetic: every stated derived figure against its recomputation from the inputs, never trusting caches.

A stated figure is either a constant typed over the formula (the most common fault) or the cached
result of an intact formula. Both are judged by :func:`workbook_tools.core.intervals.judge`: equal to Excel's
ROUND → consistent; explained only by truncating a value the rounded inputs allow → value-truncated;
only by rounding such a value → value-imprecise; otherwise value-mismatch. Cached results are compared at
the field's decimals (differences in the 15th digit are float noise); formulas without any cached result
(files written by openpyxl) give one file-level info, not one finding per cell.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from ..core import spec
from ..core.expr import ChangeRate, Ratio, Ref, excel_round
from ..core.findings import Finding
from ..core.intervals import Interval, derived_intervals, explain, judge
from ..core.model import Value
from ..core.numbers import parse_text_number
from ..xlsx.reader import Loaded
from . import Computed, depends_on, finding, fmt, not_numbers, place, program, program_en
from .formulas import intact

FIX = "请恢复公式（或运行 workbook-tools fill）"
FIX_EN = "restore the formula (or run workbook-tools fill)"


def _exact(f: spec.Field, env: dict[str, Any]) -> str:
    """'422.49 ÷ 285.48 × 100 = 147.9929' for a ratio, so the user can redo the sum by hand."""
    e = f.expr
    with localcontext() as ctx:
        ctx.prec = 34
        if isinstance(e, Ratio):
            x = e.exact(env)
            if x is not None:
                return f"{fmt(env.get(e.num), 2)} ÷ {fmt(env.get(e.den), 2)} × 100 = {format(excel_round(x, 4), 'f')}"
        if isinstance(e, ChangeRate):
            x = e.exact(env)
            if x is not None:
                c, p = fmt(env.get(e.curr), 2), fmt(env.get(e.prev), 2)
                return f"({c} − {p}) ÷ {p} × 100 = {format(excel_round(x, 4), 'f')}"
    return ""


def _as_number(v: Value) -> Decimal | None:
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    if isinstance(v, str):
        return parse_text_number(v)[0]
    return None


def _typed(f: spec.Field, sheet: str, cell: str, stated: Value, point: Value, iv: Interval | None,
           env: dict[str, Any]) -> Finding:
    """One finding for a constant typed over a formula: is the number still right?"""
    where = {"sheet": sheet, "cell": cell, "name": f.name}
    shown = fmt(stated, f.decimals)
    if f.kind == "grade":
        ok = (stated or None) == (point or None)
        code = "formula-overwritten" if ok else "value-mismatch"
        zh = (f"“{f.label}”的公式被改写成了“{shown}”（与按得分计算的等级一致）。{FIX}" if ok else
              f"“{f.label}”被改写成了“{shown}”，按得分合计应为“{fmt(point)}”。{FIX}")
        return finding(code, zh, f"{f.label_en} was typed over with {shown!r}; " + (FIX_EN if ok else f"the score "
                       f"gives {fmt(point)!r}"), expected=fmt(point), actual=shown, **where)
    s = _as_number(stated)
    d = f.decimals if f.decimals is not None else 2
    want = point if not isinstance(point, Decimal) else excel_round(point, d)
    expected = fmt(want, d)
    if s is None:
        return finding("value-mismatch", f"“{f.label}”的公式被改写成了文本“{shown}”，应为 {expected}。{FIX}",
                       f"{f.label_en} was typed over with the text {shown!r}; expected {expected}",
                       expected=expected, actual=shown, **where)
    point_d = point if isinstance(point, Decimal) else None
    if isinstance(f.expr, Ref):
        iv = None  # a mirror of another cell states the very same figure: no rounding slack
    verdict = judge(s, point_d, iv, d)
    how = _exact(f, env)
    how_zh = f"（{how}）" if how else ""
    rng = explain(iv, d)
    if verdict == "consistent":
        return finding("formula-overwritten",
                       f"“{f.label}”的公式被改写成了数字 {shown}，数值与计算结果一致，但输入改变后不会再更新。{FIX}",
                       f"the formula of {f.label_en} was typed over with {shown} (still correct); {FIX_EN}",
                       expected=expected, actual=shown, **where)
    if verdict == "blank-zero":
        return finding("formula-overwritten",
                       f"“{f.label}”的公式被改写成了 0；分母为 0 时模板把该比率留空。{FIX}",
                       f"the formula of {f.label_en} was typed over with 0; the template leaves it blank when the "
                       f"denominator is 0; {FIX_EN}", expected=None, actual=shown, **where)
    if verdict == "truncated":
        calc = f"{how}，" if how else ""
        return finding("value-truncated",
                       f"“{f.label}”的公式被改写成了 {shown}，这是截尾而不是四舍五入的结果：{calc}四舍五入为 {expected}；"
                       f"把各金额视为 ±0.005 万元的舍入区间，结果在 {rng}，截尾才得 {shown}。{FIX}",
                       f"{f.label_en}: the formula was typed over with {shown}, a truncated figure: "
                       f"{f'{how}, ' if how else ''}rounded {expected}; only truncating a value in {rng} gives {shown}; "
                       f"{FIX_EN}", expected=expected, actual=shown, **where)
    if verdict == "imprecise":
        return finding("value-imprecise",
                       f"“{f.label}”的公式被改写成了数字 {shown}：按填写的金额四舍五入应为 {expected}{how_zh}；"
                       f"只有把各金额视为 ±0.005 万元的舍入区间（结果在 {rng} 之间）才能得到 {shown}，"
                       f"说明计算用了更精确的原始金额。{FIX}",
                       f"the formula of {f.label_en} was typed over with {shown}; the stated amounts round to "
                       f"{expected}; only more precise amounts (range {rng}) give {shown}; {FIX_EN}",
                       expected=expected, actual=shown, **where)
    zh_rng = f"；各金额按舍入区间计算，结果也只能在 {rng} 之间" if rng and iv is not None and not iv.unbounded else ""
    return finding("value-mismatch",
                   f"“{f.label}”的公式被改写成了 {shown}，与按输入计算的 {expected}{how_zh} 不符，任何四舍五入或截尾都得不到"
                   f"{zh_rng}。{FIX}，并核对输入的金额",
                   f"{f.label_en} was typed over with {shown}, but the inputs give {expected}"
                   f"{f' ({how})' if how else ''}; no rounding or truncation explains it; {FIX_EN}",
                   expected=expected, actual=shown, **where)


def _same_cached(cached: Value, point: Value, decimals: int | None) -> bool:
    if cached == "":
        cached = None
    if point is None or isinstance(point, str):
        return (cached or None) == (point or None)
    if isinstance(cached, Decimal) and isinstance(point, Decimal):
        d = decimals if decimals is not None else 2
        return excel_round(cached, d) == excel_round(point, d)
    return False


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    model = loaded.model
    ivs = derived_intervals(model, computed)
    bad = not_numbers(loaded)
    env: dict[str, Any] = model.env()
    env.update(computed)
    app = loaded.book.application
    manual = loaded.book.calc_mode == "manual"
    out: list[Finding] = []
    no_cache: list[str] = []
    for f in spec.DERIVED_FIELDS:
        sheet, cell = place(loaded, f.name)
        c = loaded.cells.get(f.name)
        if loaded.book.sheet(sheet) is None or c is None or c.is_error or depends_on(f.name) & bad:
            continue
        point = computed.get(f.name)
        if c.formula is None:
            if c.value is not None and c.value != "":
                out.append(_typed(f, sheet, cell, model.stated.get(f.name, c.value), point, ivs.get(f.name), env))
            continue
        if not intact(f.name, c.formula, loaded.layout.version if loaded.layout is not None else None):
            continue  # formula-changed says it
        if c.value is None:
            no_cache.append(f.name)
            continue
        if not _same_cached(c.value, point, f.decimals):
            want = fmt(excel_round(point, f.decimals or 2) if isinstance(point, Decimal) else point, f.decimals)
            got = fmt(c.value, f.decimals)
            mode = "，且工作簿处于手动计算模式" if manual else ""
            out.append(finding(
                "cache-stale",
                f"“{f.label}”的公式完好，但文件中保存的结果 {got} 与按输入重新计算的 {want} 不符：文件最后由 {program(app)} "
                f"保存{mode}，保存前没有重新计算。请在 Excel 中按 Ctrl+Alt+F9 重新计算后保存",
                f"the formula of {f.label_en} is intact but its saved result {got} differs from the recomputed {want}; "
                f"the file was last saved by {program_en(app)}{' in manual calculation mode' if manual else ''} "
                "without recalculating — recalculate (Ctrl+Alt+F9) and save",
                sheet=sheet, cell=cell, name=f.name, expected=want, actual=got))
    if no_cache:
        out.append(finding(
            "cache-missing",
            f"文件由 {program(app)} 写出，其中 {len(no_cache)} 个公式单元格没有保存计算结果（写出它的程序不计算公式）；"
            "已按输入重新计算校验。用 Excel 或 WPS 打开并保存即可补上",
            f"the file was written by {program_en(app)}: {len(no_cache)} formula cells carry no saved result (the "
            "program that wrote it does not calculate formulas); they "
            "were recomputed from the inputs. Opening and saving the file in Excel adds them"))
    return out


__all__ = ["check"]
