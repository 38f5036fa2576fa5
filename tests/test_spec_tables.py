"""The spec declares what its consumers need: kinds, the report's rate and change tables, cross-table rules."""

from __future__ import annotations

from typing import get_args

from workbook_tools.core import spec
from workbook_tools.core.findings import CATALOGUE


def test_every_kind_is_in_the_kinds_table_and_numeric_has_one_answer() -> None:
    assert set(spec.KINDS) == set(get_args(spec.Kind))
    assert spec.NUMERIC_KINDS == {"money", "percent", "score", "int", "year"}
    assert spec.INTEGRAL_KINDS == {"int", "year"} <= spec.NUMERIC_KINDS
    for f in spec.FIELDS:
        assert f.decimals == spec.KINDS[f.kind].decimals, f.name
    assert [k for k, s in spec.KINDS.items() if s.rounded_input] == ["money"]


def test_rate_and_change_tables_name_template_cells_in_layout_order() -> None:
    assert [t.key for t in spec.RATE_TABLES] == ["basic", "sangong", "project"]
    assert [t.key for t in spec.CHANGE_TABLES] == ["sangong_change"]
    for t in spec.RATE_TABLES:
        for r in (*t.rows, t.total):
            budget, actual, rate = (spec.field(n) for n in (r.budget, r.actual, r.rate))
            assert budget.sheet == actual.sheet == rate.sheet and budget.kind == actual.kind == "money"
            assert rate.expr is not None and set(rate.expr.inputs()) == {r.actual, r.budget}
    basic = spec.RATE_TABLE_BY_KEY["basic"]
    assert [r.label for r in basic.rows] == [label for _, label, _ in spec.BASIC_ROWS]
    change = spec.CHANGE_TABLE_BY_KEY["sangong_change"]
    assert [r.key for r in change.rows] == [k for k, _, _ in spec.SANGONG_ROWS]
    for r in (*change.rows, change.total):
        assert all(n in spec.FIELD_BY_NAME for n in (r.prev, r.current, r.change, r.change_pct))


def test_cross_table_rules_name_spec_figures_and_catalogued_codes() -> None:
    names = {n.name for n in spec.defined_names()}
    for rule in spec.CROSS_RULES:
        assert rule.left in names and rule.right in names and rule.code in CATALOGUE, rule
        if isinstance(rule, spec.Equal):
            assert rule.table.range_name(rule.column.key) == rule.left
    assert {type(r).__name__ for r in spec.CROSS_RULES} == {"Equal", "AtMost"}
