"""Property tests (hypothesis): the invariants behind validate and fill, on random workbooks.

* any valid random input set validates without errors or warnings (valid for the reviewer's checks too:
  rule rows carry the rule's score, deductions a reason, the text the reason for unusual rates);
* any single change of one derived cell is found, at that cell;
* fill then validate gives no formula or arithmetic finding; fill is idempotent.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from workbook_tools.checks.validate import validate
from workbook_tools.core import spec
from workbook_tools.core.compute import compute
from workbook_tools.core.fsutil import atomic_save
from workbook_tools.core.model import Evaluation
from workbook_tools.core.scoring import load_rules, suggest
from workbook_tools.fill import fill
from workbook_tools.template import fill_workbook, write_filled

from .conftest import CONSISTENT_JSON, load_json

#: Examples per property from the profile (tests/conftest.py): 200 under CI=true, 5 for a quick `make test`.
SETTINGS = settings(deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BASE = load_json(CONSISTENT_JSON)
FORMULA_CODES = {"formula-overwritten", "formula-deleted", "formula-changed", "value-mismatch", "value-truncated",
                 "value-imprecise", "cache-stale"}

#: Up to 1 亿元 per line: every sum the generator builds (sources split from 支出总额) stays under 100000 万元, where
#: an amount ten thousand times the others would rightly be taken for 元 (``unit-yuan-suspected``).
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2, allow_nan=False,
                      allow_infinity=False)
maybe_zero = st.one_of(st.just(Decimal(0)), amounts)


@st.composite
def evaluations(draw: st.DrawFn) -> Evaluation:
    """The consistent example with every amount, headcount and score redrawn, kept internally consistent."""
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    values = data["values"]
    for f in spec.INPUT_FIELDS:
        if f.kind == "money":
            values[f.name] = str(draw(maybe_zero))
    quota = draw(st.integers(min_value=0, max_value=500))
    values["staff_quota"] = quota if quota else 1
    values["staff_actual"] = draw(st.integers(min_value=0, max_value=600))
    # the project list reconciles with 表4, and 三公 stays within 基本支出
    projects = [dict(p) for p in data["lists"]["projects"]]
    for p in projects:
        p["budget"], p["actual"] = str(draw(amounts)), str(draw(amounts))
    values["project_budget"] = str(sum(Decimal(p["budget"]) for p in projects))
    values["project_actual"] = str(sum(Decimal(p["actual"]) for p in projects))
    for side in ("budget", "actual"):
        basic = sum(Decimal(values[f"basic_{r}_{side}"]) for r in ("wages", "goods", "subsidies", "capital"))
        items = [f"sangong_{r}_{side}" for r in ("reception", "vehicle", "abroad")]
        while sum(Decimal(values[i]) for i in items) > basic:
            for i in items:
                values[i] = str((Decimal(values[i]) / 2).quantize(Decimal("0.01")))
    # the optional breakdowns add up to their totals (spec.PARTS_CHECKS); totals stated without breakdown and
    # per-row adjustments stay blank, as a workbook with every breakdown typed leaves them
    for name in ("total_supplement", "basic_supplement", "project_supplement", "basic_adjusted_budget",
                 "project_adjusted_budget", "total_stated_budget", "total_stated_actual", "basic_stated_budget",
                 "basic_stated_actual", *(f"source_{k}_adjusted" for k, _ in spec.SOURCE_ROWS)):
        values[name] = None

    def split(total: Decimal, names: tuple[str, ...]) -> None:
        left = total
        for n in names[:-1]:
            values[n] = str((left * draw(st.integers(0, 100)) / 100).quantize(Decimal("0.01")))
            left -= Decimal(values[n])
        values[names[-1]] = str(left)

    for side in ("budget", "actual"):
        basic = sum(Decimal(values[f"basic_{r}_{side}"]) for r in ("wages", "goods", "subsidies", "capital"))
        split(Decimal(values[f"sangong_vehicle_{side}"]),
              (f"sangong_vehicle_purchase_{side}", f"sangong_vehicle_running_{side}"))
        split(basic, (f"basic_personnel_{side}", f"basic_public_{side}"))
        total = basic + Decimal(values[f"project_{side}"]) + Decimal(values[f"other_{side}"])
        split(total, tuple(f"source_{k}_{side}" for k, _ in spec.SOURCE_ROWS))
    split(Decimal(values["income_total"]), ("income_fiscal", "income_other"))
    # scores: weights total 100, each score within its weight; a row the scoring rules can score gets the
    # rule's score, every deduction a reason, and no text quotes the example's own figures (the reviewer's
    # checks compare what the text says with the tables, and these figures are random)
    rows = [dict(r) for r in data["lists"]["indicators"]]
    for r in rows:
        r["score"] = str(Decimal(draw(st.integers(0, int(Decimal(r["weight"]) * 100)))) / 100)
        r["basis"] = "按评分标准逐项核实计分。"
    narrative = [{k: (_NUMBER.sub("若干", v) if isinstance(v, str) else v) for k, v in row.items()}
                 for row in data["lists"]["narrative"]]
    narrative.append({"section": "主要绩效情况", "level": 0, "text": RANDOM_FIGURES_EXPLAINED})
    data["lists"] = {**data["lists"], "projects": projects, "indicators": rows, "narrative": narrative}
    model = Evaluation.from_json(data)
    for sug in suggest(model, compute(model), load_rules()):
        model.lists["indicators"][sug.row]["score"] = sug.score
    return model


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: Random budgets run far above and below 100 %, and 三公 grows: the text says why, as a real report would.
RANDOM_FIGURES_EXPLAINED = ("年中追加预算资金，部分项目资金延期支付并结转下年。“三公”经费增加主要是由于接待任务增加。")


def _write(model: Evaluation, folder: Path, name: str = "w.xlsx") -> Path:
    return write_filled(model, folder / name)


def _damaged(model: Evaluation, folder: Path, damage: Callable[[Workbook], None]) -> Path:
    """The model's workbook with ``damage`` done to it: the workbook write_filled saves, edited before it is
    saved rather than written, loaded and saved again (one openpyxl load and save fewer per example)."""
    wb = fill_workbook(model)
    damage(wb)
    return atomic_save(wb, folder / "w.xlsx")


def _problems(path: Path) -> list[str]:
    report = validate(path)
    return [f"{f.code} {f.place} {f.text()}" for f in report.findings if f.severity != "info"]


@SETTINGS
@given(evaluations())
def test_any_valid_input_set_validates_without_findings(model: Evaluation) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert _problems(_write(model, Path(tmp))) == []


@SETTINGS
@given(evaluations(), st.sampled_from(spec.DERIVED_FIELDS), st.sampled_from(["constant", "other", "delete"]))
def test_any_single_change_of_a_derived_cell_is_found(model: Evaluation, f: spec.Field, change: str) -> None:
    computed = compute(model)

    def damage(wb: Workbook) -> None:
        c = wb[f.sheet][f.cell]
        value = computed[f.name]
        if change == "constant":  # typed over with a different number (or text for the grade)
            c.value = "优秀" if value == "差" else "差" if f.kind == "grade" else float((value or Decimal(0)) + 7)
        elif change == "other":  # a different formula
            c.value = "=1+1"
        else:
            c.value = None

    with tempfile.TemporaryDirectory() as tmp:
        path = _damaged(model, Path(tmp), damage)
        report = validate(path)
        assert any(x.place == f"{f.sheet}!{f.cell}" and x.severity != "info" for x in report.findings), (
            f.name, change, [x.code for x in report.findings])


@SETTINGS
@given(evaluations(), st.lists(st.sampled_from(spec.DERIVED_FIELDS), min_size=1, max_size=4, unique=True),
       st.sampled_from(["1,234.50", "１２３", "88.5 ", "\u00a042"]))
def test_fill_then_validate_leaves_no_formula_or_arithmetic_finding_and_is_idempotent(
        model: Evaluation, damaged: list[spec.Field], text_number: str) -> None:
    def damage(wb: Workbook) -> None:
        for i, f in enumerate(damaged):
            wb[f.sheet][f.cell].value = [None, 12345, "=2*2"][i % 3]
        target = spec.field("basic_goods_budget")
        cell = wb[target.sheet][target.cell]
        cell.value = text_number
        cell.data_type = "s"

    with tempfile.TemporaryDirectory() as tmp:
        path = _damaged(model, Path(tmp), damage)
        first = Path(tmp) / "filled.xlsx"
        fill(path, first)
        left = [f for f in validate(first).findings if f.code in FORMULA_CODES | {"text-number"}]
        assert left == [], [f.text() for f in left]
        second = Path(tmp) / "filled2.xlsx"
        report = fill(first, second)
        changes = [f for f in report.findings if f.code.startswith("fill-") and f.severity == "info"
                   and f.code != "fill-score-suggested"]
        assert changes == [], [f.text() for f in changes]
        # a byte copy (fill had nothing to change) holds the same cells without reading them back
        if first.read_bytes() != second.read_bytes():
            assert hashlib.sha256(load_cells(first)).digest() == hashlib.sha256(load_cells(second)).digest()


def load_cells(path: Path) -> bytes:
    """Every cell's value and formula, as bytes (file bytes differ by timestamps only)."""
    wb = load_workbook(path)
    return repr([(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                 if c.value is not None]).encode()
