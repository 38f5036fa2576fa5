"""Every sentence of the report that carries a figure, in the seed report's wording.

The figures passed in are computed values (``compute.compute``) or typed inputs, never a cached or typed
derived cell, so the report cannot repeat a wrong total. The wording follows the seed
(``shared/seed/000_6698604f9433beeb.txt``): "为年初预算509.76万元的376.39%", "比上年减少7.27万元，减少35.17%".
Cases the seed does not show are written so they still read correctly: a zero budget says 年初未安排预算
(never "为年初预算0万元的%"), a change from zero says 上年无此项支出 (never a percentage of 0), no change says
与上年持平.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .numbers_format import amount, count, magnitude, ratio

__all__ = [
    "Change",
    "against_budget",
    "basic_paragraph",
    "change_phrase",
    "conclusion",
    "end_with_stop",
    "project_intro",
    "project_item",
    "staff_kind",
    "staffing",
    "total_spending",
]

ZERO = Decimal(0)
#: A heading or item already ending in one of these gets no added 。 when text follows it.
CLOSING_PUNCTUATION = "。！？：；，、.!?:;,…"


def num(v: object) -> Decimal:
    """An amount for a sentence: a blank cell counts as 0 (as Excel's SUM does)."""
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return Decimal(v)
    return ZERO


def end_with_stop(text: str) -> str:
    """Text followed by 。 unless it already ends in punctuation (a heading run in before its text)."""
    text = text.rstrip()
    return text if not text or text[-1] in CLOSING_PUNCTUATION else text + "。"


@dataclass(frozen=True)
class Change:
    """One year-on-year comparison: this year, last year, the computed change and change rate (None if undefined)."""

    label: str
    current: Decimal
    previous: Decimal
    change: Decimal
    rate: Decimal | None

    @property
    def empty(self) -> bool:
        return self.current == 0 and self.previous == 0


def change_phrase(c: Change) -> str:
    """比上年增加1.2万元，增长15.09% / 比上年减少7.27万元，减少35.17% / 与上年持平 / 上年无此项支出."""
    if c.previous == 0:
        return "与上年持平" if c.current == 0 else "上年无此项支出"
    if amount(c.change) == "0":
        return "与上年持平"
    rate = f"，{'增长' if c.change > 0 else '减少'}{magnitude(c.rate, 'ratio')}%" if c.rate is not None else ""
    return f"比上年{'增加' if c.change > 0 else '减少'}{magnitude(c.change)}万元{rate}"


def against_budget(label: str, actual: object, budget: object, rate: object) -> str:
    """基本支出584.32万元，为年初预算329.76万元的177.20% — or 年初未安排预算 when the budget is 0."""
    if num(budget) == 0 or rate is None:
        return f"{label}{amount(num(actual))}万元，年初未安排预算"
    return f"{label}{amount(num(actual))}万元，为年初预算{amount(num(budget))}万元的{ratio(rate)}%"


def total_spending(year: int | None, total: tuple[object, object, object],
                   basic: tuple[object, object, object] | None, project: tuple[object, object, object] | None) -> str:
    """The opening sentence of 资金使用情况; each tuple is (actual, budget, rate); None: not stated, not said."""
    head = against_budget(f"{_year(year)}年度部门决算一般公共预算财政拨款支出总额", *total)
    parts = [against_budget(label, *t) for label, t in (("基本支出", basic), ("项目支出", project)) if t is not None]
    return f"{head}。" + (f"其中{'；'.join(parts)}。" if parts else "")


def adjustments(rate_label: str, adjusted: object, supplement: object, rate: object, basis: str) -> str | None:
    """全年预算数（调整后）2000万元（年中追加500万元），预算执行率为95.94%（全年执行数 ÷ 全年预算数）。"""
    if not isinstance(adjusted, Decimal):
        return None
    text = f"全年预算数（调整后）{amount(adjusted)}万元"
    if isinstance(supplement, Decimal) and supplement != 0:
        text += f"（年中{'追加' if supplement > 0 else '追减'}{magnitude(supplement)}万元）"
    if isinstance(rate, Decimal):
        text += f"，{rate_label}为{ratio(rate)}%（{basis}）"
    return text + "。"


def completion(rate: object, available: object, end: object) -> str | None:
    """预算完成率 98.50%：可用预算 2000万元（上年结转 + 年初预算 + 本年追加），年末结转结余 30万元。"""
    if not isinstance(rate, Decimal):
        return None
    return (f"预算完成率为{ratio(rate)}%（可用预算{amount(num(available))}万元，即上年结转 + 年初预算 + 本年追加；"
            f"年末结转结余{amount(num(end))}万元）。")


def basic_paragraph(year: int | None, basic_actual: object, classes: Sequence[tuple[str, object]],
                    sangong: Change, items: Sequence[Change]) -> str:
    """基本支出 by economic class (non-zero ones only), then 三公经费 and each non-empty item against last year."""
    text = f"{_year(year)}年基本支出{amount(num(basic_actual))}万元"
    parts = [f"{label}{amount(num(v))}万元" for label, v in classes if num(v) != 0]
    text += ("，其中" + "，".join(parts) + "。") if parts else "。"
    if sangong.empty:
        return text + "基本支出中未发生三公经费支出，与上年持平。"
    text += f"基本支出中三公经费{amount(sangong.current)}万元，{change_phrase(sangong)}"
    for item in items:
        if not item.empty:
            text += f"，{item.label}{amount(item.current)}万元，{change_phrase(item)}"
    return text + "。"


def project_intro(year: int | None, project_actual: object, listed: bool,
                  functions: Sequence[tuple[str, object]] = ()) -> str:
    """2022年项目支出1334.39万元，其中一般公共服务支出1334.39万元。具体项目支出内容为："""
    text = f"{_year(year)}年项目支出{amount(num(project_actual))}万元"
    parts = [f"{name}{amount(num(v))}万元" for name, v in functions if name.strip() and isinstance(v, Decimal | int)]
    text += ("，其中" + "，".join(parts) + "。") if parts else "。"
    return text + "具体项目支出内容为：" if listed else text


def project_item(index: int, name: str, actual: object, purpose: str) -> str:
    """（1）2021年度全县重点项目考核奖励金220万元，用于全县2021年度各重点建设项目考核奖励开支。"""
    text = f"（{index}）{name.strip()}"
    if isinstance(actual, Decimal | int) and not isinstance(actual, bool):
        text += f"{amount(actual)}万元"
    purpose = purpose.strip()
    if purpose:
        text = (text if text[-1] in CLOSING_PUNCTUATION else text + "，") + purpose
    return end_with_stop(text)


def staff_kind(unit_type: str) -> str:
    """The 编制 kind from the unit's kind: 全额拨款事业单位 → 全额拨款事业(编制), 行政单位 → 行政(编制)."""
    unit_type = unit_type.strip()
    if not unit_type or unit_type == "其他":
        return ""
    return unit_type[:-2] if unit_type.endswith("单位") else unit_type


def staffing(unit: str, unit_type: str, quota: object, actual: object, year: int | None) -> str | None:
    """县重点建设项目事务中心核定全额拨款事业编制30名，2022年实有人数29人。 (None when neither is given)."""
    has_quota = isinstance(quota, int | Decimal) and not isinstance(quota, bool)
    has_actual = isinstance(actual, int | Decimal) and not isinstance(actual, bool)
    if not has_quota and not has_actual:
        return None
    parts = []
    if has_quota:
        parts.append(f"{unit}核定{staff_kind(unit_type)}编制{count(quota)}名")
    if has_actual:
        parts.append(f"{'' if has_quota else unit}{_year(year)}年实有人数{count(actual)}人")
    return "，".join(parts) + "。"


def conclusion(year: int | None, weight_total: object, score_total: object, grade: object,
               unit_word: str = "单位") -> str | None:
    """The 绩效评价结论 sentence with the computed total and the grade word of the workbook's own table."""
    if not isinstance(grade, str) or not grade:
        return None
    return ("根据部门整体支出绩效评价指标体系和绩效检查情况，"
            f"该{unit_word}{_year(year)}年度整体支出绩效评价指标总分值{amount(num(weight_total))}分，"
            f"实得{amount(num(score_total))}分，被评为{grade}等级。")


def _year(year: int | None) -> str:
    return "" if year is None else str(year)
