"""The template: generated from the spec, committed equal to a fresh generation, and honouring its contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from openpyxl import Workbook, load_workbook

from workbook_tools.checks.validate import validate
from workbook_tools.core import live_checks, spec
from workbook_tools.core.fsutil import atomic_save
from workbook_tools.core.model import Evaluation
from workbook_tools.template import _patched, build_template, fill_workbook, write_filled, write_template
from workbook_tools.xlsx.workbook import read as read_workbook

from .conftest import ROOT, TEMPLATE

#: beside the checkout, or two levels up for a git worktree (/work/wt/<branch>)
CONTRACT = next((p for p in (ROOT.parent / "shared" / "checks" / "template_contract.py",
                             ROOT.parent.parent / "shared" / "checks" / "template_contract.py") if p.exists()),
                ROOT.parent / "shared" / "checks" / "template_contract.py")


def snapshot(path: Path) -> dict:
    return snapshot_of(load_workbook(path))


def snapshot_of(wb: Workbook) -> dict:
    out: dict = {"sheets": wb.sheetnames, "names": {}, "props": sorted((p.name, p.value) for p in wb.custom_doc_props)}
    for name, dn in wb.defined_names.items():
        out["names"][name] = dn.attr_text
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (c.value, c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                                       c.protection.locked, c.number_format, bool(c.font and c.font.b))
        out[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation),
            "state": ws.sheet_state,
            "protected": ws.protection.sheet,
            "paper": ws.page_setup.paperSize,
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
        }
    return out


def test_committed_template_equals_fresh_generation(tmp_path: Path) -> None:
    fresh = write_template(tmp_path / "fresh.xlsx")
    assert snapshot(TEMPLATE) == snapshot(fresh), "templates/evaluation_template.xlsx is stale: run `workbook-tools template`"


def test_every_spec_name_resolves_to_its_cell() -> None:
    book = read_workbook(TEMPLATE)
    for n in live_checks.all_names():
        assert book.resolve(n.name) == (n.sheet, n.ref), n.name


def test_derived_cells_hold_spec_formulas_locked_and_inputs_unlocked() -> None:
    book = read_workbook(TEMPLATE, keep_empty=True)
    for f in spec.FIELDS:
        c = book.cell(f.sheet, f.cell)
        if f.is_derived:
            assert c is not None and "=" + (c.formula or "") == f.formula, f.name
            assert book.is_locked(c), f.name
        else:
            assert c is not None and not book.is_locked(c), f.name
    assert all(s.protected for s in book.sheets)


def test_sheets_order_first_is_guide_and_meta_very_hidden() -> None:
    book = read_workbook(TEMPLATE)
    assert book.sheet_names == list(spec.sheet_titles())
    assert book.sheet_names[0] == "填表说明"
    assert book.sheet("_meta").state == "veryHidden"
    assert book.custom_properties["workbook_tools.template_version"] == spec.TEMPLATE_VERSION


def test_template_has_validations_for_amounts_years_and_choices() -> None:
    wb = build_template()
    ws = wb["资金使用"]
    kinds = {(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ("decimal", "0") in kinds
    unit = wb["基本情况"]
    years = [dv for dv in unit.data_validations.dataValidation if dv.type == "whole" and dv.formula1 == "2000"]
    assert years and "B5" in str(years[0].sqref)
    assert any(dv.type == "list" and "全额拨款事业单位" in dv.formula1 for dv in unit.data_validations.dataValidation)
    assert int(ws.page_setup.paperSize) == 9  # A4


@pytest.mark.skipif(not CONTRACT.exists(), reason="shared contract check not present beside this checkout")
def test_shared_template_contract_holds() -> None:
    r = subprocess.run([sys.executable, str(CONTRACT), str(TEMPLATE)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "51/51" in r.stdout


def _units(text: str) -> int:
    """Width units a text needs in Excel's column measure: a CJK or full-width character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def test_header_rows_are_tall_enough_and_unit_headers_do_not_break() -> None:
    """A header like 决算金额（万元） sits on one line (a lone '）' on a second line read as a defect), and a
    header that must wrap has a row tall enough for its lines: no application grows a row on opening."""
    wb = load_workbook(TEMPLATE)
    for s in spec.SHEETS:
        ws = wb[s.title]
        for t in s.texts:
            if t.style != "header" or t.merge_to:
                continue
            col = "".join(ch for ch in t.cell if ch.isalpha())
            row = int(t.cell[len(col):])
            room = (ws.column_dimensions[col].width or 9) - 1
            lines = -(-_units(t.text) // int(room))
            if t.text.endswith("（万元）") and _units(t.text) <= 18:
                assert lines == 1, f"{s.title}!{t.cell} {t.text} wraps in width {room + 1}"
            if lines > 1:
                assert (ws.row_dimensions[row].height or 0) >= 15 * lines, f"{s.title}!{t.cell} {t.text} is cut"


def test_filled_list_rows_show_their_whole_text(seed_xlsx: Path) -> None:
    """A filled list row grows to its longest wrapped text (a goal's text otherwise shows one line of five)."""
    ws = load_workbook(seed_xlsx)[spec.table("goals").sheet]
    t = spec.table("goals")
    grown = 0
    for r in range(t.first_row, t.last_row + 1):
        text = ws[f"{t.column('text').col}{r}"].value
        if text:
            lines = -(-_units(text) // int(ws.column_dimensions[t.column("text").col].width - 1))
            assert (ws.row_dimensions[r].height or 0) >= 15 * min(lines, 27), (r, text[:20])
            grown += lines > 1
    assert grown >= 3


def _filled_both_ways(model: Evaluation, folder: Path) -> tuple[Path, Path]:
    fast, slow = folder / "part-writer.xlsx", folder / "openpyxl.xlsx"
    write_filled(model, fast)
    atomic_save(fill_workbook(model), slow)
    return fast, slow


@pytest.mark.parametrize("example", ["seed_2022_anhua_zhongdian", "consistent_2023_qingshan_jiaoyu"])
def test_write_filled_writes_what_openpyxl_writes(example: str, tmp_path: Path) -> None:
    """``write_filled`` patches the committed template's parts; the workbook must be the one openpyxl's
    load-fill-save gives: every cell's value and style, merges, validations, widths, the grown list rows'
    heights, and so the same findings. A text that looks like a formula stays text in both."""
    model = Evaluation.from_json(json.loads((ROOT / "examples" / f"{example}.json").read_text("utf-8")))
    model.values["unit_name"] = "=HYPERLINK(\"http://x\")"
    model.lists["goals"][0]["text"] = "  前后有空格、长到要折行的目标" * 8 + "  "
    assert _patched(model, None) is not None
    fast, slow = _filled_both_ways(model, tmp_path)
    book = load_workbook(fast)
    assert snapshot_of(book) == snapshot(slow)
    goals = spec.table("goals")
    assert snapshot_of(book)[goals.sheet]["heights"][goals.first_row] > 15
    assert validate(fast).findings == validate(slow).findings
    assert book[spec.field("unit_name").sheet][spec.field("unit_name").cell].data_type != "f"


def test_write_filled_leaves_to_openpyxl_what_the_part_writer_does_not_write(tmp_path: Path) -> None:
    """Another profile's template, another template file, a control character: openpyxl writes them."""
    model = Evaluation.from_json(json.loads((ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.json")
                                            .read_text("utf-8")))
    assert _patched(model, None) is not None and _patched(model, TEMPLATE) is not None
    assert _patched(model, tmp_path / "other.xlsx") is None
    assert _patched(msgspec.structs.replace(model, profile="national"), None) is None
    model.values["unit_name"] = "单位\x7f"
    assert _patched(model, None) is None
    path = write_filled(model, tmp_path / "control.xlsx")
    assert read_workbook(path).cell(spec.field("unit_name").sheet, spec.field("unit_name").cell).value == "单位\x7f"
