"""Scoring rules as data: grade thresholds and per-indicator rule kinds read from a JSON file.

Scoring tables are local (county or city) and change from year to year, so a county edits
``scoring_rules.json`` rather than the code. A rule names the 三级指标 it scores (as written on the form)
and the template's defined name it reads; :func:`suggest` turns the computed indicator values into suggested
scores, in Decimal with Excel's rounding. Suggestions never replace a score someone typed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import msgspec

from . import DATA, spec
from .errors import WorkbookToolsError
from .expr import excel_round, grade_for
from .model import Evaluation, Value, canonical
from .numbers import to_decimal

RuleKind = Literal["rate_times_points", "full_if_at_most", "full_if_at_most_zero", "full_if_at_least", "bands"]
RULE_KINDS: tuple[str, ...] = get_args(RuleKind)
DEFAULT_RULES_NAME = "scoring_rules.json"
ZERO = Decimal(0)
HUNDRED = Decimal(100)
_QUOTES = re.compile(r"[\s\"'“”‘’「」『』〝〞]")


class RulesError(WorkbookToolsError, ValueError):
    """The rules file cannot be used; the message names the file and the offending key, in Chinese."""

    code = "rules-invalid"


class Band(msgspec.Struct, frozen=True):
    """One band of a ``bands`` rule: the conditions that are given must all hold (bounds in %)."""

    points: Decimal
    equals: Decimal | None = None
    above: Decimal | None = None
    at_least: Decimal | None = None
    below: Decimal | None = None
    at_most: Decimal | None = None

    def matches(self, v: Decimal) -> bool:
        return ((self.equals is None or v == self.equals)
                and (self.above is None or v > self.above)
                and (self.at_least is None or v >= self.at_least)
                and (self.below is None or v < self.below)
                and (self.at_most is None or v <= self.at_most))

    def describe(self) -> str:
        """The band in the forms' own notation: “=0”, “0–10%（含）”, “≥90%”, “<60%”."""
        if self.equals is not None:
            return f"={canonical(self.equals)}%"
        low = (f"{canonical(self.at_least)}%（含）" if self.at_least is not None
               else f"{canonical(self.above)}%" if self.above is not None else "")
        high = (f"{canonical(self.at_most)}%（含）" if self.at_most is not None
                else f"{canonical(self.below)}%" if self.below is not None else "")
        if low and high:
            return f"{low}–{high}"
        if low:
            return f"≥{low.replace('（含）', '')}" if self.at_least is not None else f">{low}"
        if high:
            return f"≤{high.replace('（含）', '')}" if self.at_most is not None else f"<{high}"
        return "其他"


class Rule(msgspec.Struct, frozen=True):
    """How one 三级指标 is scored from one computed value (percent)."""

    indicator: str
    value: str
    kind: RuleKind
    aliases: tuple[str, ...] = ()
    limit: Decimal = ZERO
    deduct_per_point: Decimal = ZERO
    per: Decimal = Decimal(1)
    steps: Literal["proportional", "started"] = "proportional"
    points: Decimal | None = None
    bands: tuple[Band, ...] = ()
    if_blank: Literal["skip", "full"] = "skip"
    source: str = ""

    def matches(self, level3: str) -> bool:
        key = indicator_key(level3)
        return bool(key) and key in {indicator_key(n) for n in (self.indicator, *self.aliases)}


class Rules(msgspec.Struct, frozen=True):
    """A rules file: grade thresholds (label, lower bound inclusive) and indicator rules."""

    grades: tuple[tuple[str, Decimal], ...]
    rules: tuple[Rule, ...]
    source: str

    def rule_for(self, level3: str) -> Rule | None:
        return next((r for r in self.rules if r.matches(level3)), None)

    def grade(self, total: Decimal) -> str | None:
        return grade_for(total, self.grades)


class Suggestion(msgspec.Struct, frozen=True):
    """A suggested score for one row of the 评分表, with the reasoning in words."""

    row: int  # index into model.lists["indicators"]
    indicator: str
    rule: Rule
    value: Decimal | None
    weight: Decimal
    score: Decimal
    basis: str
    basis_en: str


@lru_cache(maxsize=4096)
def indicator_key(text: str) -> str:
    """Comparable form of a 三级指标: full-width folded, quotes and spaces dropped (“三公经费”变动率 = "三公经费"变动率).

    Cached: matching a workbook's indicators against the rules asks for each rule's names once per row."""
    return _QUOTES.sub("", unicodedata.normalize("NFKC", text or ""))


# -- loading ----------------------------------------------------------------------------------------


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in ``path``, or the packaged defaults. Raises :class:`RulesError` naming file and key."""
    if path is None:
        text = (DATA / DEFAULT_RULES_NAME).read_text(encoding="utf-8")
        where = f"workbook_tools/data/{DEFAULT_RULES_NAME}"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulesError(f"{where}：评分规则文件不存在") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{where}：评分规则文件无法读取（{exc}）") from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise RulesError(f"{where}：不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from None
    return parse_rules(data, where)


def parse_rules(data: Any, where: str = "评分规则") -> Rules:
    """Rules from already-parsed JSON (numbers may be strings, ints or Decimals)."""
    data = _object(data, {"$comment", "grades", "rules"}, where, f"{where}：顶层必须是 JSON 对象")
    grades = _grades(data.get("grades"), where)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise RulesError(f"{where}：rules 应为数组")
    rules = tuple(_rule(r, f"{where}：rules[{i}]") for i, r in enumerate(raw_rules))
    return Rules(grades, rules, where)


def _object(raw: Any, keys: set[str], where: str, not_an_object: str) -> Mapping[str, Any]:
    """``raw`` as a JSON object with only ``keys``: a misspelt key is refused, never silently ignored."""
    if not isinstance(raw, Mapping):
        raise RulesError(not_an_object)
    unknown = set(raw) - keys
    if unknown:
        raise RulesError(f"{where}：未知的键 {', '.join(sorted(unknown))}")
    return raw


def _dec(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool):
        raise RulesError(f"{where} 应为数字")
    try:
        d = Decimal(str(raw)) if isinstance(raw, str | int | Decimal) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise RulesError(f"{where} 应为数字，实为 {raw!r}")
    return d


def _grades(raw: Any, where: str) -> tuple[tuple[str, Decimal], ...]:
    if raw is None:
        return spec.GRADE_BANDS
    if not isinstance(raw, list) or not all(isinstance(g, Mapping) for g in raw):
        raise RulesError(f"{where}：grades 应为 [{{\"label\": …, \"min\": …}}] 数组")
    if len(raw) != len(spec.GRADE_BANDS):
        raise RulesError(f"{where}：grades 应有 {len(spec.GRADE_BANDS)} 档（模板的等级标准表有 {len(spec.GRADE_BANDS)} 行），实有 {len(raw)} 档")
    out = []
    for i, g in enumerate(raw):
        label = g.get("label")
        if not isinstance(label, str) or not label.strip():
            raise RulesError(f"{where}：grades[{i}].label 应为等级名称")
        out.append((label.strip(), _dec(g.get("min"), f"{where}：grades[{i}].min")))
    if len({g[0] for g in out}) != len(out) or len({g[1] for g in out}) != len(out):
        raise RulesError(f"{where}：grades 的等级名称和最低分不得重复")
    return tuple(sorted(out, key=lambda g: g[1], reverse=True))


_RULE_KEYS = {"indicator", "aliases", "value", "kind", "limit", "deduct_per_point", "per", "steps", "points", "bands",
              "if_blank", "source", "$comment"}
_BAND_KEYS = {"points", "equals", "above", "at_least", "below", "at_most"}


def _rule(raw: Any, where: str) -> Rule:
    raw = _object(raw, _RULE_KEYS, where, f"{where} 应为对象")
    indicator = raw.get("indicator")
    if not isinstance(indicator, str) or not indicator_key(indicator):
        raise RulesError(f"{where}.indicator 应为三级指标名称")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise RulesError(f"{where}.aliases 应为文字数组")
    value = raw.get("value")
    f = spec.FIELD_BY_NAME.get(value) if isinstance(value, str) else None
    if f is None or f.kind not in spec.NUMERIC_KINDS or f.kind == "year":  # a year is never a scored figure
        raise RulesError(f"{where}.value：{value!r} 不是模板中数值单元格的定义名称（如 total_rate、staff_control_rate）")
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise RulesError(f"{where}.kind：{kind!r} 不是支持的规则种类（{'、'.join(RULE_KINDS)}）")
    steps = raw.get("steps", "proportional")
    if steps not in ("proportional", "started"):
        raise RulesError(f"{where}.steps 应为 proportional 或 started")
    if_blank = raw.get("if_blank", "skip")
    if if_blank not in ("skip", "full"):
        raise RulesError(f"{where}.if_blank 应为 skip 或 full")
    rule = Rule(
        indicator=indicator.strip(), value=str(value), kind=kind, aliases=tuple(aliases),
        limit=_dec(raw.get("limit", 0), f"{where}.limit"),
        deduct_per_point=_dec(raw.get("deduct_per_point", 0), f"{where}.deduct_per_point"),
        per=_dec(raw.get("per", 1), f"{where}.per"),
        steps=steps,
        points=_dec(raw["points"], f"{where}.points") if raw.get("points") is not None else None,
        bands=tuple(_band(b, f"{where}.bands[{i}]") for i, b in enumerate(raw.get("bands") or [])),
        if_blank=if_blank,
        source=str(raw.get("source", "")),
    )
    if kind in ("full_if_at_most", "full_if_at_most_zero", "full_if_at_least") and rule.deduct_per_point <= 0:
        raise RulesError(f"{where}.deduct_per_point 应为正数（每个百分点扣几分）")
    if rule.per <= 0:
        raise RulesError(f"{where}.per 应为正数")
    if kind == "bands" and not rule.bands:
        raise RulesError(f"{where}.bands：bands 规则至少要有一档")
    if kind == "bands" and rule.points is None:
        raise RulesError(f"{where}.points：bands 规则须写明各档分数对应的分值（如 5）")
    return rule


def _band(raw: Any, where: str) -> Band:
    raw = _object(raw, _BAND_KEYS, where, f"{where} 应为对象")
    if "points" not in raw:
        raise RulesError(f"{where}.points 缺失")
    bounds = {k: _dec(raw[k], f"{where}.{k}") for k in _BAND_KEYS - {"points"} if raw.get(k) is not None}
    return Band(points=_dec(raw["points"], f"{where}.points"), **bounds)


# -- scoring --------------------------------------------------------------------------------------------


def score(rule: Rule, value: Decimal | None, weight: Decimal) -> tuple[Decimal, str, str] | None:
    """(score, basis, basis in English) for a value in percent on a row worth ``weight``; None = no suggestion.

    Scores are computed in Decimal and rounded with Excel's ROUND to 2 decimals, never below 0 nor above
    the 分值.
    """
    name = rule.indicator
    if value is None:
        if rule.if_blank == "full":
            return _clamp(weight, weight), f"{name}无数据，按规则计满分", f"{name}: no data, full points by rule"
        return None
    v = f"{canonical(value)}%"
    if rule.kind == "rate_times_points":
        raw = value / HUNDRED * weight
        got = _clamp(raw, weight)
        capped = "，最高不超过分值" if raw > weight else ""
        return (got, f"{name} {v} × 分值 {canonical(weight)} = {canonical(got)}{capped}",
                f"{name} {v} × {canonical(weight)} points = {canonical(got)}" + (", capped at the points" if capped else ""))
    if rule.kind in ("full_if_at_most", "full_if_at_most_zero", "full_if_at_least"):
        limit = ZERO if rule.kind == "full_if_at_most_zero" else rule.limit
        gap = (value - limit) if rule.kind != "full_if_at_least" else (limit - value)
        sign = "≤" if rule.kind != "full_if_at_least" else "≥"
        if gap <= 0:
            return (_clamp(weight, weight), f"{name} {v} {sign} {canonical(limit)}%，计满分",
                    f"{name} {v} {sign} {canonical(limit)}%: full points")
        units = gap / rule.per
        if rule.steps == "started":
            units = units.to_integral_value(rounding=ROUND_CEILING)
        deduction = units * rule.deduct_per_point
        got = _clamp(weight - deduction, weight)
        word, word_en = ("超过", "above") if rule.kind != "full_if_at_least" else ("低于", "below")
        step = "每个百分点" if rule.per == 1 else f"每 {canonical(rule.per)} 个百分点"
        return (got, f"{name} {v}，{word} {canonical(limit)}% {canonical(gap)} 个百分点，{step}扣 "
                     f"{canonical(rule.deduct_per_point)} 分，得 {canonical(got)} 分",
                f"{name} {v} is {canonical(gap)} points {word_en} {canonical(limit)}%; "
                f"{canonical(rule.deduct_per_point)} off per {canonical(rule.per)} point(s): {canonical(got)}")
    # bands: the table was written for rule.points; on a row with other 分值 it does not apply
    if rule.points is not None and weight != rule.points:
        return None
    band = next((b for b in rule.bands if b.matches(value)), None)
    got = _clamp(band.points if band else ZERO, weight)
    where = band.describe() if band else "不在任何一档"
    return (got, f"{name} {v}，属 {where} 档，计 {canonical(got)} 分",
            f"{name} {v} falls in band {where}: {canonical(got)}")


def _clamp(x: Decimal, weight: Decimal) -> Decimal:
    return excel_round(min(max(x, ZERO), weight), 2)


def suggest(model: Evaluation, computed: Mapping[str, Value], rules: Rules) -> list[Suggestion]:
    """Suggested scores for the 评分表 rows whose 三级指标 has a rule and whose 分值 is a number.

    Values are read from ``computed`` (derived cells) or the model's inputs, by the rule's defined name.
    The caller decides what to do with rows that already carry a score (fill only reports blank ones).
    """
    out: list[Suggestion] = []
    for i, row in enumerate(model.rows("indicators")):
        level3 = row.get("level3")
        weight = to_decimal(row.get("weight"))
        if not isinstance(level3, str) or weight is None or weight <= 0:
            continue
        rule = rules.rule_for(level3)
        if rule is None:
            continue
        raw = computed[rule.value] if rule.value in computed else model.values.get(rule.value)
        value = to_decimal(raw)
        result = score(rule, value, weight)
        if result is None:
            continue
        got, basis, basis_en = result
        out.append(Suggestion(i, level3, rule, value, weight, got, basis, basis_en))
    return out


__all__ = ["Band", "Rule", "Rules", "RulesError", "Suggestion", "RULE_KINDS", "indicator_key", "load_rules",
           "parse_rules", "score", "suggest"]
