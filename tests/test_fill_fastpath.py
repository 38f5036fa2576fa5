"""fill's part-level writer writes what the openpyxl path (the reference, kept as the fallback) writes.

Each workbook is filled twice, through the part writer and through openpyxl, and read back with the
project's reader and with openpyxl: every cell's value, formula, number format and protection, every
sheet's protection and every defined name must agree. The one difference allowed is the part writer's
gain: a formula cell fill does not own keeps its cached value where openpyxl drops it.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import workbook_tools.fill as fill_mod
from workbook_tools.checks.validate import validate
from workbook_tools.core import spec
from workbook_tools.core.compute import compute
from workbook_tools.fill import fill
from workbook_tools.xlsx import reader
from workbook_tools.xlsx.patch import NotPatchable

from .conftest import EXAMPLES, FIXTURES

FILES = sorted([EXAMPLES / "seed_2022_anhua_zhongdian.xlsx", EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx",
                *map(Path, glob.glob(str(FIXTURES / "app-saved" / "*.xlsx"))),
                *map(Path, glob.glob(str(FIXTURES / "v1_0" / "*.xlsx"))),
                *map(Path, glob.glob(str(FIXTURES / "v2_0" / "*.xlsx")))])
#: Files the part writer must take (not fall back on): all of them, the LibreOffice-saved ones with the empty
#: drawing part LibreOffice writes for each sheet among them.
FAST = {p.name for p in FILES}


def _both(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str | None]:
    """Fill ``src`` through both paths; returns (fast output, reference output, what wrote the fast output: its
    ``FillReport.writer``, "copy" or None when the part writer was not asked, the file having no cell to change)."""
    fast, ref = tmp_path / f"fast_{src.name}", tmp_path / f"ref_{src.name}"
    r_fast = fill(src, fast)
    monkeypatch.setattr(fill_mod, "FAST_WRITER", False)
    r_ref = fill(src, ref)
    monkeypatch.setattr(fill_mod, "FAST_WRITER", True)
    assert r_ref.writer != "parts"
    assert r_fast.written == r_ref.written and r_fast.changed_cells == r_ref.changed_cells
    if r_fast.writer == "parts":  # the part writer keeps every part: openpyxl's report of lost parts does not apply
        ref_codes = [f.code for f in r_ref.findings if f.code != "fill-parts-dropped"]
    else:
        ref_codes = [f.code for f in r_ref.findings]
    assert [f.code for f in r_fast.findings] == ref_codes
    return fast, ref, r_fast.writer


def _num(v: object) -> object:
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        return v
    return float(v)


def _stored(ws: Any) -> list[Any]:
    """The cells the file stores: ``iter_rows`` would also make an empty cell for every other address of the
    sheet's bounding box (five million on the million-row sheet), none of which can carry a value or a style."""
    return list(ws._cells.values())


def _openpyxl_cells(path: Path) -> tuple[dict[Any, Any], dict[str, Any], dict[str, Any]]:
    """Every cell's value or formula, number format and protection; every sheet's protection; the names."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        for c in _stored(ws):
            if c.value is None and not c.has_style:
                continue
            cells[(ws.title, c.coordinate)] = (_num(c.value), c.number_format, c.protection.locked,
                                              c.protection.hidden)
    sheets = {ws.title: (ws.protection.sheet, ws.protection.password, ws.sheet_state) for ws in wb.worksheets}
    names = {n: str(d.attr_text) for n, d in wb.defined_names.items()}
    for ws in wb.worksheets:
        names.update({f"{ws.title}!{n}": str(d.attr_text) for n, d in ws.defined_names.items()})
    return cells, sheets, names


def _cached_values(path: Path) -> dict[Any, Any]:
    """Every stored cell's cached value (a cell not stored has none). A file read before (the part writer's
    byte copy of its source) is not read again."""
    return _cached_values_of(hashlib.sha256(path.read_bytes()).hexdigest(), path)


@functools.cache
def _cached_values_of(digest: str, path: Path) -> dict[Any, Any]:
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    return {(ws.title, c.coordinate): _num(c.value) for ws in wb.worksheets for c in _stored(ws)}


def _openpyxl_facts(path: Path) -> tuple[dict[Any, Any], dict[Any, Any], dict[str, Any], dict[str, Any]]:
    """:func:`_openpyxl_cells` and the cached value of each of those cells."""
    cells, sheets, names = _openpyxl_cells(path)
    cached = _cached_values(path)
    return cells, {key: cached.get(key) for key in cells}, sheets, names


def _project_facts(path: Path) -> tuple[dict[Any, Any], dict[str, Any]]:
    loaded = reader.load(path)
    cells = {}
    for name in loaded.book.sheet_names:
        data = loaded.book.sheet(name)
        assert data is not None
        for ref, c in data.cells.items():
            cells[(name, ref)] = (_num(c.value), c.formula, c.kind if c.kind not in ("s", "str", "inlineStr") else "s")
    model = {k: _num(v) for k, v in compute(loaded.model).items()}
    return cells, model


#: LibreOffice-saved files for a quick `make test`: one fill only copies (as it does eleven of the eighteen) and
#: one of each repair the part writer makes (a formula changed or deleted, a text number, a typed-over figure, a
#: truncated total); every one under CI (~2 s of CPU each, most of it five openpyxl loads).
APP_SAVED_SAMPLE = {"consistent.xlsx", "formula-changed.xlsx", "formula-deleted.xlsx", "text-comma.xlsx",
                    "typed-over-wrong.xlsx", "truncated.xlsx"}


@pytest.mark.parametrize("src", [
    pytest.param(p, marks=pytest.mark.slow) if p.parent.name == "app-saved" and p.name not in APP_SAVED_SAMPLE else p
    for p in FILES], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_part_writer_writes_what_openpyxl_writes(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, ref, writer = _both(src, tmp_path, monkeypatch)
    if src.name in FAST:
        assert writer != "openpyxl", f"{src.name}: the part writer fell back to openpyxl"
    f_cells, f_values, f_sheets, f_names = _openpyxl_facts(fast)
    r_cells, r_values, r_sheets, r_names = _openpyxl_facts(ref)
    assert f_names == r_names
    assert f_sheets == r_sheets
    assert f_cells == r_cells
    s_values = _cached_values(src)
    for key, want in r_values.items():
        got = f_values.get(key)
        if want is None and got is not None:
            assert got == s_values.get(key), f"{key}: {got!r} is neither openpyxl's nor the source's cached value"
        else:
            assert got == want, key
    pf_cells, pf_model = _project_facts(fast)
    pr_cells, pr_model = _project_facts(ref)
    assert pf_model == pr_model
    for key in set(pf_cells) | set(pr_cells):
        got, want = pf_cells.get(key), pr_cells.get(key)
        if got == want:
            continue
        assert got is not None and want is not None, key
        assert got[1] == want[1], key  # same formula
        # only a kept cached value differs (and with it the cell's type, which openpyxl leaves numeric when empty)
        assert want[0] in (None, "") and got[0] == s_values.get(key), key
    if writer == "parts":
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(fast) as b:
            assert b.testzip() is None
            for info in a.infolist():
                if info.filename.startswith("xl/worksheets/") or info.filename in (
                        "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/calcChain.xml"):
                    continue
                assert b.read(info.filename) == a.read(info.filename), info.filename
            assert "xl/calcChain.xml" not in b.namelist()
            assert b'fullCalcOnLoad="1"' in b.read("xl/workbook.xml")


@pytest.mark.parametrize("src", [EXAMPLES / "seed_2022_anhua_zhongdian.xlsx", FIXTURES / "v1_0" / "seed_1_0.xlsx",
                                 FIXTURES / "app-saved" / "text-comma.xlsx"], ids=lambda p: p.name)
def test_validate_finds_the_same_after_either_path(src: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fast, ref, _ = _both(src, tmp_path, monkeypatch)

    def facts(p: Path) -> list[tuple[Any, ...]]:
        return [(f.code, f.sheet, f.cell, f.name) for f in validate(p).findings]

    assert facts(fast) == facts(ref)


#: One broken input of each kind of outcome and edit for a quick `make test`: refused (not a workbook, hostile,
#: another version), filled by the part writer (a cached error, an input formula, rows inserted, a sheet
#: deleted, a name redirected, control characters, a 1 MB text) and left to openpyxl (an apostrophe, a merge
#: over a derived cell). The repairs of a text number and of a formula deleted or changed are the part-writer
#: test's on ``app-saved/`` (text-comma, formula-deleted, formula-changed), read back more closely; every case,
#: million-rows among them, under CI.
SAMPLE = ("random-bytes", "billion-laughs", "older-version", "cached-div/0", "input-formula-uncached",
          "rows-inserted", "sheet-deleted", "name-redirected", "control-chars", "long-text", "text-number-apostrophe",
          "merged-derived")


def _fill_the_same(broken: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Each broken input filled through both paths gives the same workbook; returns how many were filled."""
    filled = 0
    for i, (name, src) in enumerate(sorted(broken.items())):
        if src.suffix != ".xlsx":
            continue
        out = tmp_path / str(i)
        out.mkdir()
        try:
            fast, ref, _ = _both(src, out, monkeypatch)
        except Exception as exc:  # a case fill refuses the same way through both paths is not ours
            monkeypatch.setattr(fill_mod, "FAST_WRITER", False)
            with pytest.raises(type(exc)):
                fill(src, out / "again.xlsx")
            monkeypatch.setattr(fill_mod, "FAST_WRITER", True)
            continue
        if not fast.exists() or not ref.exists():
            assert fast.exists() == ref.exists(), name
            continue
        assert _openpyxl_cells(fast) == _openpyxl_cells(ref), name
        assert _project_facts(fast)[1] == _project_facts(ref)[1], name
        filled += 1
    return filled


def test_a_sample_of_the_broken_inputs_fill_the_same_through_both_paths(broken_inputs: dict[str, Path], tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(SAMPLE) <= set(broken_inputs)
    assert _fill_the_same({name: broken_inputs[name] for name in SAMPLE}, tmp_path, monkeypatch) > 5


@pytest.mark.slow  # every case, million-rows among them (~80 s of CPU alone): CI and make test-all run it
def test_broken_inputs_fill_the_same_through_both_paths(broken_inputs: dict[str, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fill_the_same(broken_inputs, tmp_path, monkeypatch) > 5


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_part_writers_output(soffice: str, tmp_path: Path) -> None:
    from workbook_tools.libreoffice import recalculate

    from .test_libreoffice_agreement import same

    sources = [EXAMPLES / "seed_2022_anhua_zhongdian.xlsx", FIXTURES / "v1_0" / "seed_1_0.xlsx"]
    filled = [tmp_path / f"filled_{s.name}" for s in sources]
    for s, f in zip(sources, filled, strict=True):
        fill(s, f)
    outs = recalculate(filled, tmp_path / "lo")
    checked = 0
    for f, out in zip(filled, outs, strict=True):
        mine, lo = reader.load(f), reader.load(out)
        expected = compute(mine.model)
        for d in spec.DERIVED_FIELDS:
            if d.name not in mine.locations or d.name in mine.model.stated:
                continue
            assert mine.cached(d.name) is not None or expected[d.name] is None, d.name
            assert same(lo.cached(d.name), expected[d.name], d.decimals), (f.name, d.name, lo.cached(d.name))
            checked += 1
    assert checked > 50


def test_refusals_fall_back_to_openpyxl(tmp_path: Path) -> None:
    """A shared formula on a derived cell is not the part writer's: fill still works, through openpyxl."""
    from workbook_tools.xlsx.patch import SheetEdits, _patch_sheet

    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>1</v></c></row></sheetData></worksheet>')
    with pytest.raises(NotPatchable):
        _patch_sheet(sheet, SheetEdits(caches={"A1": Decimal(2)}), [])
    strict = sheet.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                           b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    with pytest.raises(NotPatchable):
        _patch_sheet(strict, SheetEdits(caches={"A1": Decimal(2)}), [])


def test_a_drawing_with_shapes_is_left_to_openpyxl(tmp_path: Path) -> None:
    """An empty drawing part is carried over; one that anchors a shape to cells is a part the writer does not
    know, so fill goes through openpyxl (and reports what openpyxl drops)."""
    from workbook_tools.xlsx.patch import prepare, sheet_parts

    src = FIXTURES / "app-saved" / "seed.xlsx"
    with zipfile.ZipFile(src) as zf:
        drawing = next(n for n in zf.namelist() if n.startswith("xl/drawings/drawing"))
        assert b"<xdr:twoCellAnchor" not in zf.read(drawing)
    loaded = reader.load(src)
    plan = fill_mod.plan_fill(loaded, fill_mod.FillReport(str(src)))
    assert plan is not None
    with zipfile.ZipFile(src) as zf:
        parts = sheet_parts(zf)
    prepare(src, parts, fill_mod._part_edits(plan))  # the empty drawing is no obstacle
    shaped = tmp_path / "shaped.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(shaped, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == drawing:
                data = data.replace(b"></xdr:wsDr>", b"><xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col>"
                                    b"</xdr:from></xdr:twoCellAnchor></xdr:wsDr>")
                assert b"twoCellAnchor" in data
            zout.writestr(info, data)
    with pytest.raises(NotPatchable, match="does not know"):
        prepare(shaped, parts, fill_mod._part_edits(plan))
    assert fill(shaped, tmp_path / "filled.xlsx").writer == "openpyxl"


def test_cells_and_rows_that_do_not_exist_are_inserted_in_order() -> None:
    from workbook_tools.xlsx.patch import SheetEdits, _patch_sheet

    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D9"/>'
             b'<sheetData><row r="2" spans="1:1"><c r="A2"><v>1</v></c><c r="D2" s="3"/></row>'
             b'<row r="5"/><row r="7"><c r="B7" t="s"><v>0</v></c></row></sheetData>'
             b'<mergeCells count="1"><mergeCell ref="C8:D8"/></mergeCells></worksheet>')
    out = _patch_sheet(sheet, SheetEdits(constants={"C2": Decimal("1.50"), "A5": "甲 ", "B4": 3},
                                         formulas={"D2": "=A2*2"}, caches={"D2": Decimal(2)},
                                         protect="ABCD"), [])
    import xml.etree.ElementTree as ET

    root = ET.fromstring(out)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    refs = [(r.get("r"), [c.get("r") for c in r.findall("m:c", ns)]) for r in root.findall("m:sheetData/m:row", ns)]
    assert refs == [("2", ["A2", "C2", "D2"]), ("4", ["B4"]), ("5", ["A5"]), ("7", ["B7"])]
    d2 = root.find("m:sheetData/m:row/m:c[@r='D2']", ns)
    assert d2 is not None and d2.get("s") == "3" and d2.findtext("m:f", None, ns) == "A2*2"
    assert d2.findtext("m:v", None, ns) == "2"
    assert root.findtext("m:sheetData/m:row/m:c[@r='A5']/m:is/m:t", None, ns) == "甲 "
    children = [el.tag.split("}")[1] for el in root]
    assert children == ["dimension", "sheetData", "sheetProtection", "mergeCells"]
    with pytest.raises(NotPatchable):  # under a merged range: openpyxl's path unmerges and says so
        _patch_sheet(sheet, SheetEdits(constants={"D8": 1}), [])
    with pytest.raises(NotPatchable):  # outside the dimension
        _patch_sheet(sheet, SheetEdits(constants={"Z99": 1}), [])
