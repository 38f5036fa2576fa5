"""Excel add-in: the pure edit-planning part fully, the xlwings adapter against a duck-typed fake."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools import excel
from workbook_tools.core import live_checks, spec
from workbook_tools.core.findings import Finding, Report
from workbook_tools.xlsx.workbook import read as read_workbook

from .conftest import ROOT


def report() -> Report:
    return Report("x.xlsx", [
        Finding("value-truncated", "工资福利支出 占比为截尾值", "资金使用", "D10", "basic_wages_rate",
                expected=Decimal("147.99"), actual=Decimal("147.98")),
        Finding("project-list-mismatch", "项目明细合计与项目支出不符", "项目支出", "C5", "project_actual",
                expected=Decimal("1334.39"), actual=Decimal("1220")),
        Finding("required-missing", "单位名称未填写", "基本情况", "B4", "unit_name", actual="=cmd|' /C calc'!A0"),
    ])


def test_finding_edits_highlight_comment_and_list_in_result_sheet() -> None:
    edits = excel.finding_edits(report())
    on_cells = [e for e in edits if e.sheet != excel.RESULT_SHEET]
    assert {(e.sheet, e.cell) for e in on_cells} == {("资金使用", "D10"), ("项目支出", "C5"), ("基本情况", "B4")}
    d10 = next(e for e in on_cells if e.cell == "D10")
    assert d10.fill == excel.FILL_COLOURS["warning"]
    assert "value-truncated" in (d10.comment or "") and "147.99" in (d10.comment or "")
    sheet = {e.cell: e for e in edits if e.sheet == excel.RESULT_SHEET}
    assert sheet["A1"].value == "位置"
    # errors first: the two errors, then the warning
    assert sheet["A2"].value in ("项目支出!C5", "基本情况!B4")
    assert sheet["A4"].value == "资金使用!D10" and sheet["A4"].hyperlink_to == "资金使用!D10"
    assert sheet["A6"].value == "2 个错误，1 个警告"
    # text taken from a workbook never becomes a formula in the result sheet
    assert all(not str(e.value).startswith("=") for e in edits if e.value is not None)


def test_first_problem_is_the_first_error() -> None:
    assert excel.first_problem(report()) in {("项目支出", "C5"), ("基本情况", "B4")}
    assert excel.first_problem(Report("y.xlsx")) is None


def test_clean_and_unreadable_reports_say_so() -> None:
    clean = {e.cell: e.value for e in excel.finding_edits(Report("ok.xlsx"))}
    assert "未发现问题" in clean["A2"]
    bad = Report("bad.xlsx", unreadable=Finding("file-corrupt", "bad.xlsx：文件已损坏"))
    assert "文件已损坏" in {e.cell: e.value for e in excel.finding_edits(bad)}["A2"]


def test_computed_edits_cover_every_derived_cell_blank_for_undefined_ratio() -> None:
    from workbook_tools.core import spec

    edits = excel.computed_edits({"total_rate": Decimal("376.39"), "basic_rate": None, "total_actual": Decimal("1918.71")})
    by_cell = {(e.sheet, e.cell): e.value for e in edits}
    assert len(edits) == len(spec.DERIVED_FIELDS)
    f = spec.field("total_rate")
    assert by_cell[(f.sheet, f.cell)] == pytest.approx(376.39)
    b = spec.field("basic_rate")
    assert by_cell[(b.sheet, b.cell)] == ""


class Cells:
    """What the fake Excel knows of each cell: formula, value, locked; and which sheets are protected."""

    def __init__(self, source: Path | None) -> None:
        self.formula: dict[tuple[str, str], str] = {}
        self.locked: set[tuple[str, str]] = set()
        self.protected: set[str] = set()
        self.sealed: set[str] = set()  # protected with a password: Excel refuses to lift it without
        if source is None:
            return
        book = read_workbook(source, keep_empty=True, seal=spec.LIVE_SEAL_HASH)
        for sheet in book.sheets:
            if sheet.protected:
                self.protected.add(sheet.name)
            if sheet.sealed:
                self.sealed.add(sheet.name)
            for ref, c in sheet.cells.items():
                if c.formula:
                    self.formula[(sheet.name, ref)] = "=" + c.formula
                if book.is_locked(c):
                    self.locked.add((sheet.name, ref))


class FakeRange:
    def __init__(self, log: list, sheet: str, cell: str, cells: Cells | None = None) -> None:
        object.__setattr__(self, "cells", cells or Cells(None))
        self.log, self.sheet, self.cell, self.note = log, sheet, cell, None

    @property
    def formula(self) -> str | None:
        return self.cells.formula.get((self.sheet, self.cell))

    def __setattr__(self, key, value):  # noqa: ANN001
        if key in ("value", "formula"):
            where = (self.sheet, self.cell)
            if self.sheet in self.cells.protected and where in self.cells.locked:
                raise RuntimeError(f"{self.sheet}!{self.cell} is a locked cell on a protected sheet")  # as Excel's COM
            if key == "formula":
                self.cells.formula[where] = value
            else:
                self.cells.formula.pop(where, None)  # a value typed into a cell replaces its formula
        if key in ("value", "color", "formula"):
            self.log.append((key, self.sheet, self.cell, value))
        if key != "formula":
            object.__setattr__(self, key, value)

    def add_note(self, text: str) -> None:
        self.log.append(("note", self.sheet, self.cell, text))

    def add_hyperlink(self, address: str, text_to_display: str) -> None:
        self.log.append(("link", self.sheet, self.cell, address))

    def select(self) -> None:
        self.log.append(("select", self.sheet, self.cell, None))


class FakeSheetApi:
    """The COM sheet: protection on and off (the template's protection has no password)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet

    @property
    def ProtectContents(self) -> bool:  # noqa: N802 - Excel's COM name
        return self.sheet.name in self.sheet.cells.protected

    def Unprotect(self, Password: str | None = None) -> None:  # noqa: N802, N803
        if self.sheet.name in self.sheet.cells.sealed and Password != spec.LIVE_SEAL_PASSWORD:
            raise RuntimeError("The password you supplied is not correct")  # as Excel's COM
        self.sheet.cells.protected.discard(self.sheet.name)
        self.sheet.cells.sealed.discard(self.sheet.name)
        self.sheet.log.append(("unprotect", self.sheet.name, None, None))

    def Protect(self, **options: bool | str) -> None:  # noqa: N802
        self.sheet.cells.protected.add(self.sheet.name)
        if options.get("Password"):
            self.sheet.cells.sealed.add(self.sheet.name)
        self.sheet.log.append(("protect", self.sheet.name, None, options))


class FakeSheet:
    def __init__(self, log: list, name: str, cells: Cells | None = None) -> None:
        self.log, self.name, self.cells = log, name, cells or Cells(None)
        self.api = FakeSheetApi(self)

    def range(self, cell: str) -> FakeRange:
        return FakeRange(self.log, self.name, cell, self.cells)

    def delete(self) -> None:
        self.log.append(("delete", self.name, None, None))

    def activate(self) -> None:
        self.log.append(("activate", self.name, None, None))


class FakeSheets(list):
    def __getitem__(self, key):  # noqa: ANN001
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return list.__getitem__(self, key)

    def add(self, name: str, after=None) -> FakeSheet:  # noqa: ANN001
        s = FakeSheet(self.log, name, self.cells)
        self.append(s)
        self.log.append(("add", name, None, None))
        return s


class FakeApi:
    def __init__(self, source: Path) -> None:
        self.source = source

    def SaveCopyAs(self, dest: str) -> None:  # noqa: N802 - Excel's COM name
        Path(dest).write_bytes(self.source.read_bytes())


class FakeApp:
    def __init__(self, log: list) -> None:
        self.log = log

    def calculate(self) -> None:
        self.log.append(("calculate", None, None, None))


class FakeBook:
    def __init__(self, names: list[str], source: Path | None = None) -> None:
        self.log: list = []
        self.name = "2022_某单位.xlsx"
        self.cells = Cells(source)
        self.sheets = FakeSheets(FakeSheet(self.log, n, self.cells) for n in names)
        self.sheets.log = self.log
        self.sheets.cells = self.cells
        self.api = FakeApi(source) if source else None
        self.app = FakeApp(self.log)


def fake_xlwings(book: FakeBook) -> object:
    class Book:
        @staticmethod
        def caller() -> FakeBook:
            return book

    return type("xlwings", (), {"Book": Book})


def test_apply_edits_replaces_result_sheet_and_writes_cells() -> None:
    book = FakeBook(["资金使用", "项目支出", "基本情况", excel.RESULT_SHEET])
    excel.apply_edits(book, excel.finding_edits(report()))
    assert ("delete", excel.RESULT_SHEET, None, None) in book.log
    assert ("add", excel.RESULT_SHEET, None, None) in book.log
    assert ("color", "资金使用", "D10", excel.FILL_COLOURS["warning"]) in book.log
    assert any(k == "note" and c == "D10" for k, _, c, _ in book.log)
    assert ("link", excel.RESULT_SHEET, "A4", "#'资金使用'!D10") in book.log


def test_entry_points_without_xlwings_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlwings", None)
    with pytest.raises(excel.ExcelUnavailable, match=r"workbook-tools\[excel\]"):
        excel.validate_active()
    with pytest.raises(excel.ExcelUnavailable, match="xlwings"):
        excel.fill_active()


def test_no_core_module_imports_xlwings() -> None:
    code = ("import sys, pkgutil, importlib, tempfile, workbook_tools\n"
            "try:\n"  # the portal's modules need Django set up, as the portal does at start
            "    from workbook_tools.portal import server\n"
            "    server.configure(tempfile.mkdtemp())\n"
            "    portal = True\n"
            "except ImportError:\n"
            "    portal = False\n"
            "for m in pkgutil.walk_packages(workbook_tools.__path__, 'workbook_tools.'):\n"
            "    if portal or not m.name.startswith('workbook_tools.portal'):\n"
            "        importlib.import_module(m.name)\n"
            "print('xlwings' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
    import ast

    for p in (ROOT / "workbook_tools").rglob("*.py"):
        if p.name == "excel.py":
            continue
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "xlwings" for n in names), p


def test_excel_docs_exist_and_name_the_button_setup() -> None:
    text = (Path(ROOT) / "docs" / "excel.md").read_text("utf-8")
    for words in ("pip install", "xlwings addin install", "RunPython", "validate_active", "WPS"):
        assert words in text


def test_validate_active_end_to_end_on_a_fake_excel(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.core import spec

    book = FakeBook(list(spec.sheet_titles()), ROOT / "examples" / "seed_2022_anhua_zhongdian.xlsx")
    monkeypatch.setitem(sys.modules, "xlwings", fake_xlwings(book))
    report = excel.validate_active()
    assert [f.code for f in report.errors] == ["project-list-mismatch"]
    assert ("add", excel.RESULT_SHEET, None, None) in book.log
    assert ("select", "项目支出", "C5", None) in book.log  # the first error is selected


def test_fill_active_restores_formulas_and_never_types_constants_over_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.core import spec
    from workbook_tools.fill import same_formula

    seed = ROOT / "examples" / "seed_2022_anhua_zhongdian.xlsx"
    book = FakeBook(list(spec.sheet_titles()), seed)
    protected = set(book.cells.protected)
    assert protected and book.cells.formula  # the fake knows the template's formulas and protection
    monkeypatch.setitem(sys.modules, "xlwings", fake_xlwings(book))
    report = excel.fill_active()
    derived = {(f.sheet, f.cell): f for f in spec.DERIVED_FIELDS}
    # no derived cell is given a constant: validate would report each one as typed over
    assert not [(s, c) for kind, s, c, _ in book.log if kind == "value" and (s, c) in derived]
    for where, f in derived.items():
        assert same_formula(book.cells.formula.get(where), f.formula), where
    b = spec.field("basic_rate")  # typed over as 177.19 in the seed: its formula is back, Excel computes 177.20
    assert ("formula", b.sheet, b.cell, b.formula) in book.log
    assert "fill-formula-restored" in {f.code for f in report.findings}
    assert book.cells.protected == protected  # protection lifted only while writing, then put back
    assert ("unprotect", b.sheet, None, None) in book.log and ("calculate", None, None, None) in book.log


@pytest.mark.parametrize("protected", [False, True], ids=["protection-removed", "protected-without-seal"])
def test_fill_active_seals_the_live_sheet_again_as_fill_does(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             protected: bool) -> None:
    """A user who lifted the 校验 sheet's seal (and perhaps protected it again without the password) broke a
    formula there; the button restores it and puts the seal back, so validate can trust the sheet again."""
    from tests.factory import filled_workbook
    from workbook_tools.fill import fill
    from workbook_tools.xlsx import reader

    row = live_checks.FIRST_ROW + 3

    def break_seal(wb: object) -> None:
        from openpyxl.worksheet.protection import SheetProtection

        ws = wb[spec.LIVE_SHEET]  # type: ignore[index]
        ws.protection = SheetProtection(sheet=protected)
        ws[f"F{row}"] = None

    source = filled_workbook(tmp_path / "unsealed.xlsx", edit=break_seal)
    book = FakeBook(list(spec.sheet_titles()), source)
    assert spec.LIVE_SHEET not in book.cells.sealed
    monkeypatch.setitem(sys.modules, "xlwings", fake_xlwings(book))
    report = excel.fill_active()
    assert (spec.LIVE_SHEET, f"F{row}") in {(s, c) for kind, s, c, _ in book.log if kind == "formula"}
    assert spec.LIVE_SHEET in book.cells.sealed and spec.LIVE_SHEET in book.cells.protected
    assert ("protect", spec.LIVE_SHEET, None, {"Password": spec.LIVE_SEAL_PASSWORD, **excel.PROTECTION}) in book.log
    assert book.log.index(("calculate", None, None, None)) > max(
        i for i, (kind, s, _, _) in enumerate(book.log) if kind == "protect" and s == spec.LIVE_SHEET)
    filled = fill(source, tmp_path / "filled.xlsx")  # the command does the same to the file
    assert {f.code for f in filled.findings} == {f.code for f in report.findings}
    assert reader.load(tmp_path / "filled.xlsx").book.sheet(spec.LIVE_SHEET).sealed


def test_fill_edits_follow_the_fill_plan() -> None:
    from workbook_tools.fill import FillPlan

    plan = FillPlan(inputs={("基本情况", "B9"): (Decimal("12"), "int")}, formulas={("资金使用", "D10"): "=ROUND(1,2)"},
                    constants={("评分表", "H3"): Decimal("90")})
    edits = excel.fill_edits(plan)
    assert excel.CellEdit("基本情况", "B9", value=12) in edits
    assert excel.CellEdit("资金使用", "D10", formula="=ROUND(1,2)") in edits
    assert excel.CellEdit("评分表", "H3", value=90) in edits
