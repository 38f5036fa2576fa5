"""Scoring rules are data: the packaged file, a county's own file, and the score each rule kind gives."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from workbook_tools.core import spec
from workbook_tools.core.compute import compute
from workbook_tools.core.model import Evaluation
from workbook_tools.core.scoring import RulesError, indicator_key, load_rules, parse_rules, score, suggest

from .conftest import SEED_JSON, load_json


def rule(**kw: object):
    base = {"indicator": "测试指标", "value": "total_rate"}
    return parse_rules({"rules": [{**base, **kw}]}).rules[0]


def test_default_grades_equal_the_template_bands() -> None:
    assert load_rules().grades == spec.GRADE_BANDS


def test_default_rules_read_existing_numeric_names() -> None:
    rules = load_rules()
    assert {r.indicator for r in rules.rules} >= {"预算执行率", "在职人员控制率", "“三公经费”变动率"}
    for r in rules.rules:
        assert spec.field(r.value).kind == "percent"


def test_rate_times_points_is_capped_and_rounded_half_up() -> None:
    r = rule(kind="rate_times_points")
    assert score(r, D("92.87"), D("10"))[0] == D("9.29")  # 9.287
    assert score(r, D("92.85"), D("10"))[0] == D("9.29")  # 9.285 → half away from zero, not banker's 9.28
    assert score(r, D("376.39"), D("10"))[0] == D("10.00")
    assert "最高不超过分值" in score(r, D("376.39"), D("10"))[1]
    assert score(r, None, D("10")) is None


def test_full_if_at_most_deducts_per_point_with_floor_zero() -> None:
    r = rule(kind="full_if_at_most", limit="100", deduct_per_point="0.5")
    assert score(r, D("96.67"), D("5"))[0] == D("5.00")
    assert score(r, D("100"), D("5"))[0] == D("5.00")
    got, basis, _ = score(r, D("105.56"), D("5"))  # 38 / 36
    assert got == D("2.22")  # 5 − 5.56 × 0.5
    assert "超过 100% 5.56 个百分点" in basis
    assert score(r, D("130"), D("5"))[0] == D("0.00")


def test_started_steps_count_each_begun_point() -> None:
    r = rule(kind="full_if_at_most", limit="100", deduct_per_point="0.5", steps="started")
    assert score(r, D("105.56"), D("5"))[0] == D("2.00")  # 6 started points


def test_full_if_at_least_with_steps_of_five() -> None:
    r = rule(kind="full_if_at_least", limit="100", deduct_per_point="2", per="5", steps="started")
    assert score(r, D("100"), D("5"))[0] == D("5.00")
    assert score(r, D("97"), D("5"))[0] == D("3.00")
    assert score(r, D("89"), D("5"))[0] == D("0.00")


def test_full_if_at_most_zero_for_sangong_change() -> None:
    r = rule(kind="full_if_at_most_zero", deduct_per_point="0.5", value="sangong_change_pct")
    assert score(r, D("-35.17"), D("3"))[0] == D("3.00")
    assert score(r, D("0"), D("3"))[0] == D("3.00")
    assert score(r, D("2.5"), D("3"))[0] == D("1.75")


def test_bands_budget_adjustment_rate() -> None:
    r = rule(kind="bands", points="3", bands=[
        {"equals": "0", "points": "3"},
        {"above": "0", "at_most": "10", "points": "2"},
        {"above": "10", "at_most": "20", "points": "1"},
        {"above": "20", "at_most": "30", "points": "0.5"},
        {"above": "30", "points": "0"},
    ])
    cases = {"0": "3", "0.01": "2", "10": "2", "10.01": "1", "20": "1", "25": "0.5", "30": "0.5", "30.5": "0"}
    for value, want in cases.items():
        assert score(r, D(value), D("3"))[0] == D(want), value
    assert "0%–10%（含）" in score(r, D("5"), D("3"))[1]
    assert score(r, D("5"), D("8")) is None  # the table was written for 3 points


def test_if_blank_full_scores_missing_value() -> None:
    assert score(rule(kind="rate_times_points", if_blank="full"), None, D("2"))[0] == D("2.00")


def test_indicator_text_matches_across_quote_styles() -> None:
    assert indicator_key("“三公经费”变动率") == indicator_key('"三公经费"变动率') == indicator_key(" 三公经费变动率 ")
    rules = load_rules()
    assert rules.rule_for('"三公经费"变动率') is not None
    assert rules.rule_for("财政供养人员控制率").value == "staff_control_rate"
    assert rules.rule_for("绩效目标合理性") is None


def test_suggest_on_the_seed() -> None:
    model = Evaluation.from_json(load_json(SEED_JSON))
    got = {s.indicator: s for s in suggest(model, compute(model), load_rules())}
    assert got["在职人员控制率"].score == D("4.00")  # 96.67% ≤ 100% on 4 points
    assert got["在职人员控制率"].value == D("96.67")
    assert got["“三公经费”变动率"].score == D("3.00")  # −35.17%
    assert got["“三公经费”控制率"].score == D("3.00")  # 98.97%
    assert "重点支出安排率" not in got  # key_project_actual blank → ratio blank → no suggestion


def test_suggest_executes_rate_times_points_on_a_model() -> None:
    rows = [{"level1": "过程", "level3": "预算执行率", "weight": D("10")}]
    model = Evaluation(values={"project_budget": D("100"), "project_actual": D("92.87")}, lists={"indicators": rows})
    (s,) = suggest(model, compute(model), load_rules())
    assert (s.row, s.value, s.score) == (0, D("92.87"), D("9.29"))


def test_county_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "county.json"
    path.write_text(json.dumps({
        "grades": [{"label": "优", "min": 90}, {"label": "良", "min": 75}, {"label": "中", "min": 60},
                   {"label": "差", "min": 0}],
        "rules": [{"indicator": "在职人员控制率", "value": "staff_control_rate", "kind": "full_if_at_most",
                   "limit": 100, "deduct_per_point": 1}],
    }, ensure_ascii=False), encoding="utf-8")
    rules = load_rules(path)
    assert rules.grade(D("76")) == "良"
    assert score(rules.rules[0], D("103"), D("5"))[0] == D("2.00")


@pytest.mark.parametrize(("data", "message"), [
    ({"rules": [{"indicator": "x", "value": "no_such_name", "kind": "bands"}]}, "no_such_name"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "magic"}]}, "magic"),
    ({"rules": [{"indicator": "x", "value": "unit_name", "kind": "rate_times_points"}]}, "unit_name"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "full_if_at_most"}]}, "deduct_per_point"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "bands", "bands": []}]}, "bands"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "rate_times_points", "limt": 1}]}, "limt"),
    ({"grades": [{"label": "优", "min": 90}]}, "4 档"),
    ({"grades": [{"label": "优", "min": "x"}] * 4}, "grades[0].min"),
    ([], "顶层必须是 JSON 对象"),
    ({"rule": []}, "未知的键 rule"),
    ({"rules": [1]}, "rules[0] 应为对象"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "bands", "points": 5, "bands": [3]}]},
     "bands[0] 应为对象"),
    ({"rules": [{"indicator": "x", "value": "total_rate", "kind": "bands", "points": 5,
                 "bands": [{"points": 1, "over": 2}]}]}, "bands[0]：未知的键 over"),
])
def test_bad_rules_are_named(data: dict, message: str) -> None:
    with pytest.raises(RulesError, match="county.json") as exc:
        parse_rules(data, "county.json")
    assert message in str(exc.value)


def test_missing_or_broken_rules_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="不存在"):
        load_rules(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(RulesError, match="bad.json.*JSON"):
        load_rules(bad)


def test_indicator_doc_formulas_are_the_template_formulas() -> None:
    """docs/indicators.md quotes each indicator's formula; it must be the one the template writes."""
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `(\w+)` \| `(=[^`]+)` \|", text, flags=re.M)
    assert len(rows) >= 12
    for name, formula in rows:
        assert spec.field(name).formula == formula, name
    for name in ("total_rate", "staff_control_rate", "sangong_change_pct", "sangong_rate", "key_spending_rate",
                 "project_share", "carryover_rate", "carryover_change_pct", "procurement_rate", "adjusted_rate"):
        assert name in dict(rows), name
    assert spec.field("grade").formula in text
