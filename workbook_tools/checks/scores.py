"""The 评分表 as a finance-bureau reviewer reads it: typed scores against the county's scoring rules,
deductions with their reasons, subtotals against their rows, and the total and grade the narrative states.

Scores come from :mod:`workbook_tools.scoring` (the same rules ``fill`` suggests from). A typed score is
accepted when some value inside the rounding interval of the indicator value (±0.005 of a two-decimal
percentage) gives it under the rule, rounded to two decimals or to one (forms often print 9.5 for 9.51);
anything else contradicts the rule. 在职人员控制率 above 100 % is scored by its rule like any other value:
real units are over quota, and nothing here rejects it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from functools import cache

from ..core import scoring, spec
from ..core.expr import excel_round
from ..core.findings import NUMBERED_ROW, RULE_WORDS, Finding, phrase
from ..core.model import canonical
from ..core.numbers import to_decimal
from ..xlsx.reader import Loaded
from . import Computed, finding, fmt, list_place, place

HALF_CENT = Decimal("0.005")
#: Columns of the 评分表 that may say why points were deducted (偏差原因分析及改进措施, then 评分依据).
REASON_COLUMNS: tuple[str, ...] = ("deviation", "basis")


@cache
def default_rules() -> scoring.Rules:
    return scoring.load_rules()


def rule_words(rule: scoring.Rule) -> str:
    """The rule in the form's own words: “执行率×分值，最高不超过分值”, “≤100%计满分，每超过1个百分点扣0.5分”."""
    if rule.kind == "rate_times_points":
        return RULE_WORDS[rule.kind]
    if rule.kind in ("full_if_at_most", "full_if_at_most_zero", "full_if_at_least"):
        limit = canonical(rule.limit) if rule.limit is not None else ""
        return phrase(RULE_WORDS[rule.kind], {"limit": limit, "per": canonical(rule.per),
                                            "deduct": canonical(rule.deduct_per_point)})
    bands = [phrase(RULE_WORDS["band"], {"band": b.describe(), "points": canonical(b.points)}) for b in rule.bands]
    return phrase(RULE_WORDS["bands"], {"bands": bands})


def _row_name(row: Mapping[str, object], i: int) -> str:
    return str(row.get("level3") or row.get("level2") or row.get("level1") or phrase(NUMBERED_ROW[0], {"n": i + 1}))


def acceptable(rule: scoring.Rule, value: Decimal, weight: Decimal) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest score the rule gives inside the value's rounding interval (one or two decimals)."""
    got: list[Decimal] = []
    for v in (value - HALF_CENT, value, value + HALF_CENT):
        r = scoring.score(rule, v, weight)
        if r is None:
            continue
        raw = r[0]
        got += [raw, excel_round(raw, 1)]
    return (min(got), max(got)) if got else None


def _rules(loaded: Loaded, computed: Computed, rules: scoring.Rules) -> list[Finding]:
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    for s in scoring.suggest(loaded.model, computed, rules):
        row = rows[s.row]
        typed = to_decimal(row.get("score"))
        if typed is None or s.value is None:
            continue
        bounds = acceptable(s.rule, s.value, s.weight)
        if bounds is None or bounds[0] <= typed <= bounds[1]:
            continue
        sheet, cell = list_place(loaded, "indicators", "score", s.row)
        out.append(finding("score-contradicts-rule", "default",
                           {"row": s.row + 1, "indicator": s.indicator, "rule": rule_words(s.rule), "basis": s.basis,
                            "basis_en": s.basis_en, "typed": typed, "score": s.score},
                           sheet=sheet, cell=cell, name="indicators_score", expected=fmt(s.score), actual=fmt(typed)))
    return out


#: The nature of an indicator (指标性质) → its message variant.
_NATURES = {"≥": "positive", "≤": "negative"}
_QUALIFIERS = re.compile(r"^(?:[≥≤=<>＞＜]|大于等于|小于等于|大于|小于|等于|不低于|不少于|不超过|不高于|不多于|达到|约)+|"
                         r"(?:及以上|及以下|以上|以下|以内|之内|内|左右)$")
_ONE_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def indicator_value(text: object) -> tuple[Decimal, str] | None:
    """A 年度指标值 or 实际完成值 as a person reads it: “≥90%” → (90, "%"), “2天以内” → (2, "天"), “168起” →
    (168, "起"); None for text without exactly one number (“有效改善”, “1-2次”)."""
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        return Decimal(text), ""
    if not isinstance(text, str):
        return None
    t = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    numbers = _ONE_NUMBER.findall(t)
    if len(numbers) != 1:
        return None
    head, _, tail = t.partition(numbers[0])
    if _QUALIFIERS.sub("", head):
        return None  # words before the number (“较上年提高5%”): not a plain target
    unit = tail
    while True:
        stripped = _QUALIFIERS.sub("", unit)
        if stripped == unit:
            break
        unit = stripped
    return Decimal(numbers[0]), unit


def earned_share(nature: str, target: Decimal, actual: Decimal) -> Decimal | None:
    """The share of the points a 正向 (≥) or 反向 (≤) indicator earns by its completion: full when the target
    is met, else 完成值 ÷ 指标值 (正向) or 指标值 ÷ 完成值 (反向), as the national self-evaluation form scores it."""
    if nature == "≥":
        if actual >= target:
            return Decimal(1)
        return actual / target if target > 0 else None
    if nature == "≤":
        if actual <= target:
            return Decimal(1)
        return target / actual if actual > 0 else None
    return None


def _completion(loaded: Loaded, computed: Computed, rules: scoring.Rules) -> list[Finding]:
    """A typed score above what the row's completion gives: 正向 完成值 below, or 反向 完成值 above, its 年度指标值.
    Rows a scoring rule scores are left to that rule; a lower score is the county's deduction and is fine."""
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    ruled = {s.row for s in scoring.suggest(loaded.model, computed, rules)}
    for i, row in enumerate(rows):
        nature = str(row.get("nature") or "").strip()
        weight, typed = to_decimal(row.get("weight")), to_decimal(row.get("score"))
        if nature not in _NATURES or i in ruled or not row.get("level3") or weight is None or typed is None:
            continue
        target, actual = indicator_value(row.get("target")), indicator_value(row.get("actual"))
        if target is None or actual is None or (target[1] and actual[1] and target[1] != actual[1]):
            continue  # a qualitative value, or two units that cannot be compared
        share = earned_share(nature, target[0], actual[0])
        if share is None or share >= 1:
            continue
        raw = share * weight
        most = max(excel_round(raw, 2), excel_round(raw, 1))
        if typed <= most:
            continue
        sheet, cell = list_place(loaded, "indicators", "score", i)
        t_text, a_text = str(row.get("target")).strip(), str(row.get("actual")).strip()
        out.append(finding("indicator-score-above-completion", _NATURES[nature],
                           {"row": i + 1, "name": _row_name(row, i), "nature": nature, "target": t_text,
                            "actual": a_text, "weight": weight, "most": excel_round(raw, 2), "typed": typed},
                           sheet=sheet, cell=cell, name="indicators_score", expected=fmt(excel_round(raw, 2)),
                           actual=fmt(typed)))
    return out


def _reasons(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    for i, row in enumerate(rows):
        w, s = to_decimal(row.get("weight")), to_decimal(row.get("score"))
        if w is None or s is None or s >= w or not row.get("level3"):
            continue
        if any(str(row.get(k) or "").strip() for k in REASON_COLUMNS):
            continue
        sheet, cell = list_place(loaded, "indicators", "basis", i)
        out.append(finding("score-without-reason", "default",
                           {"row": i + 1, "name": _row_name(row, i), "score": s, "weight": w, "deducted": w - s},
                           sheet=sheet, cell=cell, name="indicators_basis"))
    return out


def _subtotals(loaded: Loaded) -> list[Finding]:
    """Rows with no 三级指标 but rows of their own below them in the same 一级 (and 二级) block are subtotals."""
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    for i, row in enumerate(rows):
        l1, l2 = row.get("level1"), row.get("level2")
        if row.get("level3") or not l1:
            continue
        children = [r for j, r in enumerate(rows) if j != i and r.get("level3") and r.get("level1") == l1
                    and (not l2 or r.get("level2") == l2)]
        if not children:
            continue
        for key in ("weight", "score"):
            stated = to_decimal(row.get(key))
            parts = [to_decimal(r.get(key)) for r in children]
            if stated is None or any(p is None for p in parts):
                continue
            total = sum((p for p in parts if p is not None), Decimal(0))
            if total == stated:
                continue
            block = f"{l1}{'/' + str(l2) if l2 else ''}"
            sheet, cell = list_place(loaded, "indicators", key, i)
            out.append(finding("subtotal-mismatch", key,
                               {"row": i + 1, "block": block, "stated": stated, "count": len(children), "total": total},
                               sheet=sheet, cell=cell, name=spec.table("indicators").range_name(key),
                               expected=fmt(total), actual=fmt(stated)))
    return out


# -- what the narrative says about the score ----------------------------------------------------------

_NUM = r"(\d+(?:\.\d+)?)"
_TOTAL = re.compile(r"(总分值|总分|总得分|综合得分|自评得分|评价得分|实得|最终得分|得分合计|合计得分)\s*[为是：:]?\s*" + _NUM + r"\s*分")
_BLOCK = re.compile(r"(投入|过程|产出|效果|效益|满意度)(?:类)?(?:指标)?(?:共)?(?:得分|实得|得)\s*[为是：:]?\s*" + _NUM + r"\s*分")
_GRADE = re.compile(r"(?:评为|评定为|评价为|等级为|等次为|评价结果为|评价结论为|结论为|定为|属于)[“\"]?"
                    r"(优秀|良好|合格|不合格|优|良|中|差)[”\"]?(等级|等次|级)?")
_GRADE_WORDS = {"优": "优秀", "良": "良好"}


def report_paragraphs(loaded: Loaded) -> list[tuple[int, str, str, str]]:
    """(row, sheet, cell, text) of each 报告正文 paragraph (heading and text)."""
    out = []
    for i, row in enumerate(loaded.model.lists.get("narrative", [])):
        for key in ("heading", "text"):
            text = row.get(key)
            if isinstance(text, str) and text.strip():
                sheet, cell = list_place(loaded, "narrative", key, i)
                out.append((i, sheet, cell, unicodedata.normalize("NFKC", text)))
    return out


def _stated_scores(loaded: Loaded, computed: Computed) -> list[Finding]:
    out: list[Finding] = []
    rows = loaded.model.lists.get("indicators", [])
    total, weights, grade = computed.get("score_total"), computed.get("weight_total"), computed.get("grade")
    if not rows:
        return out
    for i, sheet, cell, text in report_paragraphs(loaded):
        for m in _TOTAL.finditer(text):
            word, n = m.group(1), Decimal(m.group(2))
            target_name, target = ("weight_total", weights) if word in ("总分值",) else ("score_total", total)
            if not isinstance(target, Decimal) or excel_round(target, _decimals(m.group(2))) == n:
                continue
            fs, fc = place(loaded, target_name)
            out.append(finding("narrative-total-mismatch", "weight" if target_name == "weight_total" else "score",
                               {"paragraph": i + 1, "quote": m.group(0), "sheet": fs, "cell": fc, "total": target},
                               sheet=sheet, cell=cell, expected=fmt(target), actual=m.group(2)))
        for m in _BLOCK.finditer(text):
            word, n = m.group(1), Decimal(m.group(2))
            block = [to_decimal(r.get("score")) for r in rows if r.get("level3") and r.get("level1") == word]
            if not block or any(b is None for b in block):
                continue
            got = sum((b for b in block if b is not None), Decimal(0))
            if excel_round(got, _decimals(m.group(2))) == n:
                continue
            out.append(finding("narrative-total-mismatch", "block",
                               {"paragraph": i + 1, "quote": m.group(0), "block": word, "count": len(block), "total": got},
                               sheet=sheet, cell=cell, expected=fmt(got), actual=m.group(2)))
        for m in _GRADE.finditer(text):
            word = _GRADE_WORDS.get(m.group(1), m.group(1))
            if word == "中" and not m.group(2) and "“" not in m.group(0):
                continue  # “评为中” without 等级 or quotes is too loose to read as a grade
            if not isinstance(grade, str) or not grade or word == grade:
                continue
            fs, fc = place(loaded, "grade")
            out.append(finding("narrative-grade-mismatch", "default",
                               {"paragraph": i + 1, "quote": m.group(0), "total": total, "grade": grade, "sheet": fs,
                                "cell": fc},
                               sheet=sheet, cell=cell, expected=grade, actual=word))
    return out


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def check(loaded: Loaded, computed: Computed, rules: scoring.Rules | None = None) -> list[Finding]:
    rules = rules if rules is not None else default_rules()
    return (_rules(loaded, computed, rules) + _completion(loaded, computed, rules) + _reasons(loaded)
            + _subtotals(loaded) + _stated_scores(loaded, computed))


__all__ = ["REASON_COLUMNS", "acceptable", "check", "earned_share", "default_rules", "indicator_value",
           "report_paragraphs", "rule_words"]
