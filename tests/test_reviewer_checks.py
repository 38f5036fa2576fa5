"""The checks a finance-bureau reviewer makes: each code has a triggering change and a must-not-fire twin.

Workbooks are written from the examples' JSON with one edit each (``book``); the unedited consistent
example and the seed's correct figures must give none of these codes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from workbook_tools.checks import narrative, plausibility, scores
from workbook_tools.checks.validate import validate
from workbook_tools.core import spec
from workbook_tools.core.findings import CATALOGUE, Finding, Report
from workbook_tools.core.model import Evaluation
from workbook_tools.template import write_filled

from .conftest import CONSISTENT_JSON, SEED_JSON

D = Decimal
Data = dict[str, Any]
REVIEWER_FAMILIES = {"scores", "narrative", "previous", "plausibility"}
REVIEWER_CODES = {c.code for c in CATALOGUE.values() if c.family in REVIEWER_FAMILIES}

_BASE = {"consistent": json.loads(CONSISTENT_JSON.read_text(encoding="utf-8")),
         "seed": json.loads(SEED_JSON.read_text(encoding="utf-8"))}


def data(base: str = "consistent") -> Data:
    return copy.deepcopy(_BASE[base])


#: What ``write`` wrote, by the data it wrote: many tests write the same data (the unedited example, last
#: year's workbook of tests/test_previous.py), so each distinct workbook is written once per test process.
_WRITTEN: dict[str, bytes] = {}


def write(d: Data, path: Path) -> Path:
    key = json.dumps(d, ensure_ascii=False, default=repr)  # Decimal('1') is not "1"; key order is kept
    if key not in _WRITTEN:
        write_filled(Evaluation.from_json(d), path)
        _WRITTEN[key] = path.read_bytes()
    else:
        path.write_bytes(_WRITTEN[key])
    return path


def book(tmp_path: Path, edit: Callable[[Data], None] | None = None, base: str = "consistent",
         name: str = "this.xlsx") -> Path:
    d = data(base)
    if edit is not None:
        edit(d)
    return write(d, tmp_path / name)


def reviewer(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.code in REVIEWER_CODES]


def cell(table: str, key: str, row: int) -> tuple[str, str]:
    t = spec.table(table)
    return t.sheet, f"{t.column(key).col}{t.first_row + row}"


def at(name: str) -> tuple[str, str]:
    f = spec.field(name)
    return f.sheet, f.cell


_REASONS = re.compile(r"追加|调增|结转|延期|上年结转|由于|原因|主要是")


def without_reasons(d: Data) -> None:
    """Blank every text that could count as a reason, so a plausibility warning has nothing to hide behind."""
    for table, keys in (("narrative", ("heading", "text")), ("indicators", ("basis",)), ("goals", ("text",))):
        for row in d["lists"][table]:
            for k in keys:
                if isinstance(row.get(k), str) and _REASONS.search(row[k]):
                    row[k] = "（略）"


def set_list(table: str, row: int, **values: Any) -> Callable[[Data], None]:
    def edit(d: Data) -> None:
        rows = d["lists"][table]
        while len(rows) <= row:
            rows.append({})
        rows[row].update(values)
    return edit


def set_values(**values: Any) -> Callable[[Data], None]:
    return lambda d: d["values"].update(values)


def both(*edits: Callable[[Data], None]) -> Callable[[Data], None]:
    def edit(d: Data) -> None:
        for e in edits:
            e(d)
    return edit


def narrative_text(row: int, text: str) -> Callable[[Data], None]:
    return set_list("narrative", row, text=text)


def add_paragraph(text: str, section: str = "主要绩效情况") -> Callable[[Data], None]:
    return lambda d: d["lists"]["narrative"].append({"section": section, "level": 0, "text": text})


# -- the bases are clean ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def consistent_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return validate(book(tmp_path_factory.mktemp("c")))


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return validate(book(tmp_path_factory.mktemp("s"), base="seed"))


def test_consistent_example_gives_no_reviewer_finding(consistent_report: Report) -> None:
    assert reviewer(consistent_report) == []
    counted = consistent_report.numbers_in_text
    assert counted is not None and counted["checked"] >= 20  # the scoring notes' figures are all tied and right
    assert counted["stated"] == counted["checked"] + counted["unmatched"]


def test_seed_gives_no_reviewer_finding(seed_report: Report) -> None:
    """741.33 % 项目支出 is real and its reason (追加) is in the text: not an error, not even a warning."""
    assert reviewer(seed_report) == []
    assert seed_report.numbers_in_text is not None and seed_report.numbers_in_text["checked"] >= 8


SEED_PUBLISHED = (
    "2022年度部门决算一般公共预算财政拨款支出总额1918.71万元，为年初预算509.76万元的376.39%。其中基本支出584.32万元，"
    "为年初预算329.76万元的177.19%；项目支出 1334.39万元，为年初预算180万元的741.33%。",
    "2022年基本支出 584.32万元，其中工资福利支出 422.49万元，商品服务支出 161.83万元。基本支出中三公经费 13.4万元，"
    "比上年减少7.27 万元，减少35.17  %，公务接待费13.4万元 ，比上年减少7.27 万元，减少35.17  %。",
    "2022年项目支出 1334.39万元，其中一般公共服务支出1334.39万元。",
    "该中心2022年度整体支出绩效评价指标总分值100分，实得 100分，被评为优秀等级（评分标准详见附件2）",
    "县重点建设项目事务中心核定全额拨款事业编制30名，2022年实有人数29人。",
)


def test_the_seeds_published_sentences_are_tied_and_right(tmp_path: Path) -> None:
    """The seed's own 资金使用 and 结论 sentences, typed as narrative: every figure read, none reported."""
    edit = both(*(add_paragraph(t) for t in SEED_PUBLISHED))
    report = validate(book(tmp_path, edit, base="seed"))
    assert reviewer(report) == []
    ties = [t for text in SEED_PUBLISHED for _, t in narrative.iter_ties(text) if t is not None]
    names = {t.name for t in ties}
    assert {"total_actual", "total_budget", "total_rate", "basic_rate", "project_rate", "basic_wages_actual",
            "basic_goods_actual", "sangong_actual", "sangong_change", "sangong_change_pct",
            "sangong_reception_change", "staff_quota", "staff_actual"} <= names
    change = next(t for t in ties if t.name == "sangong_change")
    assert change.value == D("-7.27")  # “减少7.27万元” is −7.27


# -- one change, one code ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    place: tuple[str, str] | None
    edit: Callable[[Data], None]
    base: str = "consistent"
    words: tuple[str, ...] = ()  # each must appear in the message


STAFF_RULE_ROW = 2  # 在职人员控制率 in both examples
CASES: list[Case] = [
    Case("score-typed-full-over-quota", "score-contradicts-rule", cell("indicators", "score", STAFF_RULE_ROW),
         set_list("indicators", STAFF_RULE_ROW, score="4"),
         words=("在职人员控制率", "105.56%", "扣 0.5 分", "1.22", "填报得分 4")),
    Case("score-sangong-change-grew", "score-contradicts-rule", cell("indicators", "score", 3),
         set_values(sangong_reception_actual="10.72"), words=("“三公经费”变动率", "≤0计满分")),
    Case("positive-indicator-full-marks-below-target", "indicator-score-above-completion", cell("indicators", "score", 20),
         set_list("indicators", 20, nature="≥", target="≥95%", actual="80%", unit="%", score="5"),
         words=("正向指标", "≥95%", "最多 4.21 分", "填报得分 5")),
    Case("negative-indicator-full-marks-above-target", "indicator-score-above-completion", cell("indicators", "score", 20),
         set_list("indicators", 20, nature="≤", target="2天以内", actual="3天", unit="天", score="5"),
         words=("反向指标", "指标值 ÷ 完成值", "最多 3.33 分")),
    Case("score-without-reason", "score-without-reason", cell("indicators", "basis", 1),
         set_list("indicators", 1, basis=None), words=("扣 1 分",)),
    Case("subtotal-score", "subtotal-mismatch", cell("indicators", "score", 27),
         set_list("indicators", 27, level1="投入", weight="20", score="18"), words=("15.02",)),
    Case("narrative-total", "narrative-total-mismatch", cell("narrative", "text", 19),
         add_paragraph("经综合评价，本部门整体支出绩效自评得分95分。", "改进措施"), words=("82.94",)),
    Case("narrative-block-total", "narrative-total-mismatch", cell("narrative", "text", 19),
         add_paragraph("其中投入类指标得分20分。", "改进措施"), words=("15.02",)),
    Case("narrative-grade", "narrative-grade-mismatch", cell("narrative", "text", 19),
         add_paragraph("综合评价结果为“优秀”等级。", "改进措施"), words=("良好",)),
    Case("narrative-figure", "narrative-figure-mismatch", cell("narrative", "text", 8),
         narrative_text(8, "全年项目支出2785.64万元，重点投向农村学校办学条件改善。"),
         words=("报告正文第 9 段", "项目支出2785.64万元", "项目支出!C5", "2795.64")),
    Case("narrative-figure-sign", "narrative-figure-mismatch", cell("indicators", "basis", 3),
         set_list("indicators", 3, basis="“三公”经费决算17.58万元，比上年增加2.68万元，计满分。"), words=("-2.68",)),
    Case("narrative-figure-staff", "narrative-figure-mismatch", cell("indicators", "basis", STAFF_RULE_ROW),
         set_list("indicators", STAFF_RULE_ROW, basis="编制35名，实有38人。"), words=("36",)),
    Case("narrative-unit-slip-yuan", "narrative-unit-slip", cell("narrative", "text", 8),
         narrative_text(8, "全年项目支出2795.64元，重点投向农村学校。"), words=("万分之一",)),
    Case("narrative-unit-slip-wan", "narrative-unit-slip", cell("narrative", "text", 8),
         narrative_text(8, "全年项目支出27956400万元，重点投向农村学校。"), words=("一万倍", "元")),
    Case("count-enumerated", "narrative-count-mismatch", at("org_setup"),
         set_values(org_setup="县教育局内设办公室、人事股、计划财务股四个股室。"), words=("列举了 3 个",)),
    Case("count-duties", "narrative-count-mismatch", cell("narrative", "text", 19),
         add_paragraph("本局主要职责共9项。", "改进措施"), words=("8 行",)),
    Case("rate-high-no-reason", "rate-implausible", at("project_rate"),
         without_reasons, base="seed", words=("741.33%", "追加")),
    Case("rate-low-no-reason", "rate-implausible", at("project_rate"),
         both(without_reasons, set_values(project_actual="1000"),
              lambda d: d["lists"].update(projects=[])), words=("34.97%", "低于")),
    Case("sangong-growth", "sangong-growth", at("sangong_change_pct"),
         set_values(sangong_reception_actual="12"), words=("12.83%",)),
    Case("above-adjusted", "actual-above-budget", at("adjusted_budget"),
         both(without_reasons, set_values(adjusted_budget="3000")), words=("3474.84", "3000.00")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_change_gives_finding(case: Case, tmp_path: Path) -> None:
    report = validate(book(tmp_path, case.edit, base=case.base))
    hits = [f for f in report.findings if f.code == case.code and (case.place is None or (f.sheet, f.cell) == case.place)]
    assert hits, [(f.code, f.place, f.message) for f in report.findings]
    for f in hits:
        assert f.severity == CATALOGUE[f.code].severity and f.message_en
        for w in case.words:
            assert w in f.message, (w, f.message)


MUST_NOT_FIRE: list[Case] = [
    Case("score-one-decimal", "score-contradicts-rule", None, set_list("indicators", STAFF_RULE_ROW, score="1.2")),
    Case("score-full-below-limit", "score-contradicts-rule", None,
         both(set_values(staff_actual=36), set_list("indicators", STAFF_RULE_ROW, score="4", basis="编制36名，实有36人，计满分。"))),
    Case("score-bands-other-points", "score-contradicts-rule", None, set_list("indicators", 4, score="3")),
    Case("positive-indicator-scored-by-completion", "indicator-score-above-completion", None,
         set_list("indicators", 19, nature="≥", target="600个", actual="540个", unit="个")),  # 540 ÷ 600 × 5 = 4.5, typed 4.5
    Case("negative-indicator-met", "indicator-score-above-completion", None,
         set_list("indicators", 20, nature="≤", target="≤2天", actual="1.5天", unit="天", score="5")),
    Case("qualitative-indicator", "indicator-score-above-completion", None,
         set_list("indicators", 20, nature="定性", target="有效改善", actual="有所改善", score="5")),
    Case("full-marks-without-basis", "score-without-reason", None, set_list("indicators", 0, basis=None)),
    Case("subtotal-right", "subtotal-mismatch", None, set_list("indicators", 27, level1="投入", weight="20", score="15.02")),
    Case("narrative-total-right", "narrative-total-mismatch", None,
         add_paragraph("评价指标总分值100分，实得82.94分，被评为良好等级。", "改进措施")),
    Case("narrative-grade-right", "narrative-grade-mismatch", None,
         add_paragraph("综合评价结果为“良好”等级。", "改进措施")),
    Case("over-quota-difference", "narrative-figure-mismatch", None,
         narrative_text(13, "实有人数超出核定编制2人，在职人员控制率达到105.56%。")),
    Case("truncated-ratio-in-text", "narrative-figure-mismatch", None,
         add_paragraph("商品和服务支出决算92.18万元，为预算96.5万元的95.52%，执行率95.5%。")),
    Case("change-before-subject", "narrative-figure-mismatch", None, add_paragraph("经县编委批复，本年核增编制6名。")),
    Case("share-not-rate", "narrative-figure-mismatch", None,
         add_paragraph("重点项目支出2199.6万元，占项目支出的78.68%。")),
    Case("approximate", "narrative-figure-mismatch", None, add_paragraph("全年项目支出近2800万元。")),
    Case("other-subject-words", "narrative-figure-mismatch", None,
         add_paragraph("项目支出中用于教师培训的183.48万元全部拨付到位。")),
    Case("yi-yuan", "narrative-figure-mismatch", None, add_paragraph("全年项目支出0.28亿元。")),
    Case("yuan-exact", "narrative-unit-slip", None, add_paragraph("全年项目支出27956400元。")),
    Case("count-enumerated-right", "narrative-count-mismatch", None,
         set_values(org_setup="内设办公室、人事股和计划财务股三个股室，下设县教育事务中心等两个二级机构。")),
    Case("count-duties-right", "narrative-count-mismatch", None, add_paragraph("本局主要职责共8项。", "改进措施")),
    Case("projects-other-count", "narrative-count-mismatch", None, add_paragraph("全年完成采购项目23个，新开工项目46个。")),
    Case("rate-high-with-reason", "rate-implausible", None, set_values(adjusted_budget=None), base="seed"),
    Case("over-quota-scored-not-rejected", "rate-implausible", None, set_values(staff_actual=45)),
    Case("sangong-growth-explained", "sangong-growth", None,
         both(set_values(sangong_reception_actual="12"),
              add_paragraph("“三公”经费增加主要是由于承办全省现场会，公务接待任务增加。"))),
    Case("above-adjusted-with-carryover", "actual-above-budget", None,
         both(without_reasons, set_values(adjusted_budget="3450"))),
]


@pytest.mark.parametrize("case", MUST_NOT_FIRE, ids=[c.id for c in MUST_NOT_FIRE])
def test_must_not_fire(case: Case, tmp_path: Path) -> None:
    report = validate(book(tmp_path, case.edit, base=case.base))
    assert [f.message for f in report.findings if f.code == case.code] == []


def test_over_quota_is_accepted_and_scored_by_the_rule(tmp_path: Path) -> None:
    """45 staff on a quota of 36 is 125 %: no input or cross-table error, and the rule gives 4 − 12.5 → 0."""
    report = validate(book(tmp_path, set_values(staff_actual=45)))
    assert report.errors == []
    (f,) = [f for f in report.findings if f.code == "score-contradicts-rule"]
    assert f.expected == "0" and "125%" in f.message


# -- units of the matcher ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十九", 29), ("两", 2),
                                              ("一百零五", 105), ("三百", 300), ("二三", None), ("万", None)])
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert narrative.chinese_int(text) == value


def test_full_width_digits_are_read() -> None:
    ((s, t),) = list(narrative.iter_ties("全年项目支出２７９５．６４万元。"))
    assert s.value == D("2795.64") and t is not None and t.name == "project_actual"


def test_unmatched_numbers_are_left_alone() -> None:
    ties = dict((s.text + s.unit, t) for s, t in narrative.iter_ties(
        "完成投资115亿元，完成率121.6%，惠及学生6800余人，集体经济增收近20万元。"))
    assert set(ties.values()) == {None}


def test_rule_words_name_the_rule() -> None:
    rules = scores.default_rules()
    staff = rules.rule_for("在职人员控制率")
    assert staff is not None and scores.rule_words(staff) == "≤100%计满分，每超过1个百分点扣0.5分"
    total = rules.rule_for("预算执行率")
    assert total is not None and scores.rule_words(total) == "指标值×分值，最高不超过分值"


def test_reason_needs_a_sentence_about_money() -> None:
    assert plausibility.gives_reason(["年中追加资金用于前期工作。"], plausibility._HIGH_REASON)
    assert not plausibility.gives_reason(["新增公办学位540个。"], plausibility._HIGH_REASON)


@pytest.mark.parametrize(("text", "value"), [("≥90%", (D(90), "%")), ("2天以内", (D(2), "天")), ("168起", (D(168), "起")),
                                              ("≤ 3 天", (D(3), "天")), ("95", (D(95), "")), ("有效改善", None),
                                              ("1-2次", None), ("较上年提高5%", None)])
def test_indicator_values_are_read_as_a_person_reads_them(text: str, value: tuple[Decimal, str] | None) -> None:
    assert scores.indicator_value(text) == value


def test_earned_share_of_positive_and_negative_indicators() -> None:
    assert scores.earned_share("≥", D(95), D(80)) == D(80) / D(95)
    assert scores.earned_share("≥", D(95), D(96)) == 1
    assert scores.earned_share("≤", D(2), D(4)) == D("0.5")
    assert scores.earned_share("≤", D(2), D(2)) == 1
    assert scores.earned_share("=", D(2), D(3)) is None
