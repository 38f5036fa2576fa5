"""The workbook checks itself: the 校验 sheet, conditional formats and status lines generated from the spec.

The parity test plants each formula-expressible fault into a copy of the consistent example, lets
LibreOffice recalculate every copy (forced, in one process), and asserts that the 校验 sheet reports
exactly the (code, cell) findings ``validate`` reports for the same file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_tools.checks.validate import validate
from workbook_tools.core import cells, live_checks, spec
from workbook_tools.core.findings import CATALOGUE
from workbook_tools.fill import fill
from workbook_tools.libreoffice import recalculate
from workbook_tools.template import ERROR_FILL, WARNING_FILL
from workbook_tools.xlsx import reader

from .conftest import EXAMPLES, FIXTURES, TEMPLATE
from .factory import CONSISTENT_XLSX, filled_workbook

CONSISTENT = EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx"
V1 = FIXTURES / "v1_0"


def _depth(formula: str) -> int:
    depth = best = 0
    in_str = False
    for ch in formula:
        if ch == '"':
            in_str = not in_str
        elif not in_str and ch == "(":
            depth += 1
            best = max(best, depth)
        elif not in_str and ch == ")":
            depth -= 1
    return best


def test_formulas_use_only_functions_all_three_applications_compute_alike() -> None:
    formulas = [c.formula for c in live_checks.cells()] + [f.formula for f in live_checks.formats()]
    used = set().union(*(live_checks.functions(f) for f in formulas))
    assert used <= live_checks.ALLOWED_FUNCTIONS, used - live_checks.ALLOWED_FUNCTIONS
    assert "_XLFN.ISFORMULA" in used and "ISFORMULA" not in used  # OOXML needs the prefix
    for f in formulas:
        assert len(f) < 8192 and _depth(f) < 64, f[:80]  # Excel's limits on formula length and nesting
        assert not any(fn in f.upper() for fn in ("LET(", "LAMBDA(", "FILTER(", "INDIRECT(", "OFFSET(", "CELL("))
        assert not re.search(r"\b(TRUE|FALSE)\b", re.sub(r'"[^"]*"', "", f)), f[:80]  # LibreOffice saves TRUE()


def test_codes_are_catalogue_codes_and_every_spec_cell_is_checked() -> None:
    assert live_checks.live_codes() <= set(CATALOGUE)
    assert not live_checks.live_codes() & set(live_checks.NOT_LIVE_REASONS)
    places = {(t.sheet, t.cell) for t in live_checks.targets()}
    for f in spec.FIELDS:
        if f.is_derived or f.required or f.kind not in ("text", "longtext"):
            assert (f.sheet, f.cell) in places, f.name
    for t in spec.TABLES:
        for c in t.columns:
            if c.kind not in ("text", "longtext") or (c.required and len(t.columns) > 1):
                assert all((t.sheet, f"{c.col}{t.first_row + i}") in places for i in range(t.capacity)), t.name


def test_the_shortcuts_validate_takes_agree_with_the_whole_table() -> None:
    """validate counts the message rows without rendering them, and reads the status lines without building the
    校验 rows (``status_cells``): both must be what the full table says."""
    assert live_checks.message_count() == len(live_checks.messages())
    status = live_checks.status_cells()
    assert live_checks.cells()[:len(status)] == status
    assert all(lc.sheet == live_checks.SHEET for lc in live_checks.cells()[len(status):])


def test_template_carries_the_live_sheet_formats_and_status_lines() -> None:
    wb = load_workbook(TEMPLATE)
    assert spec.LIVE_SHEET in wb.sheetnames and wb.sheetnames.index(spec.LIVE_SHEET) == len(wb.sheetnames) - 2
    ws = wb[spec.LIVE_SHEET]
    assert ws.protection.sheet and ws["F5"].protection.locked
    first = live_checks.targets()[0]
    assert ws["D5"].value == first.cell and ws["D5"].hyperlink.location == f"'{first.sheet}'!{first.cell}"
    assert str(ws["F5"].value).startswith("=IF(")
    for s in spec.SHEETS:
        if s.status_cell:
            assert str(wb[s.title][s.status_cell].value).startswith("=HYPERLINK(\"#'校验'!A1\""), s.title
    written = {(s.title, str(rng.sqref), r.formula[0], r.dxf.fill.fgColor.rgb) for s in wb.worksheets
               for rng in s.conditional_formatting for r in rng.rules if s.title != spec.LIVE_SHEET}
    fills = {2: ERROR_FILL.fgColor.rgb, 1: WARNING_FILL.fgColor.rgb}
    want = {(f.sheet, f.ref, f.formula, fills[f.severity]) for f in live_checks.formats()}
    assert written == want
    assert wb.defined_names[live_checks.RESULT_NAME].attr_text == f"'校验'!$B$5:$B${live_checks.last_row()}"


_PICK = re.compile(r"INDEX\(live_checks_result,(.+)\)=([12])")


def _picked_row(formula: str, first: str, cell: str) -> int:
    """The 校验 row a rule written for ``first`` picks when applied to ``cell`` (its references shift along)."""
    m = _PICK.fullmatch(formula)
    assert m is not None, formula
    r, c = cells.rc(cell)
    expr = m.group(1)
    assert set(re.findall(r"[A-Z]+[0-9]+", expr)) <= {first}, expr  # only references to the rule's first cell
    expr = expr.replace(f"ROW({first})", str(r)).replace(f"COLUMN({first})", str(c))
    assert re.fullmatch(r"[0-9+*-]+", expr), expr
    return int(eval(expr))  # noqa: S307 - digits and + - * only, checked above


def _cells_of(ref: str) -> list[str]:
    first, _, last = ref.partition(":")
    (r0, c0), (r1, c1) = cells.rc(first), cells.rc(last or first)
    return [f"{cells.col_letters(c)}{r}" for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def test_each_checked_cell_is_coloured_by_its_own_live_rows() -> None:
    """Every rule reads the 结果 of 校验 rows checking exactly the cell it colours: red for each, orange for
    those that can warn, and every red rule before every orange one (stopIfTrue: red wins)."""
    rows: dict[tuple[str, str], set[int]] = {}
    warns: dict[tuple[str, str], set[int]] = {}
    for i, t in enumerate(live_checks.targets()):
        rows.setdefault((t.sheet, t.cell), set()).add(i + 1)
        if any(c.severity == 1 for c in t.cases):
            warns.setdefault((t.sheet, t.cell), set()).add(i + 1)
    red: dict[tuple[str, str], set[int]] = {}
    orange: dict[tuple[str, str], set[int]] = {}
    fmts = live_checks.formats()
    for f in fmts:
        first = f.ref.split(":")[0]
        for cell in _cells_of(f.ref):
            (red if f.severity == 2 else orange).setdefault((f.sheet, cell), set()).add(
                _picked_row(f.formula, first, cell))
        assert f.formula.endswith(f"={f.severity}")
    assert red == rows
    assert all(warns[k] <= orange.get(k, set()) <= rows[k] for k in warns) and set(orange) <= set(rows)
    sev = [f.severity for f in fmts]
    assert sev == sorted(sev, reverse=True)
    assert len(fmts) < len(live_checks.targets()) // 5  # one rule per rectangle of cells, not one per cell


def _unprotected(wb: object) -> object:
    """The 校验 sheet as a user edits it: protection removed first (Excel asks for the seal password)."""
    ws = wb[spec.LIVE_SHEET]  # type: ignore[index]
    ws.protection.sheet = False
    return ws


def test_validate_knows_the_live_cells(tmp_path: Path) -> None:
    assert not [f for f in validate(CONSISTENT).findings if f.sheet == spec.LIVE_SHEET]
    row = live_checks.FIRST_ROW + 3
    one = filled_workbook(tmp_path / "one.xlsx", edit=lambda wb: _unprotected(wb).__setitem__(f"F{row}", None))
    found = [(f.code, f.sheet, f.cell) for f in validate(one).findings if f.cell]
    assert found == [("formula-deleted", spec.LIVE_SHEET, f"F{row}")]

    def clear(wb: object) -> None:
        ws = _unprotected(wb)
        for r in range(live_checks.FIRST_ROW, live_checks.FIRST_ROW + 50):
            ws[f"G{r}"] = "=1"

    many = filled_workbook(tmp_path / "many.xlsx", edit=clear)
    report = validate(many)
    live = [f for f in report.findings if f.sheet == spec.LIVE_SHEET]
    assert len(live) == 1 and live[0].code == "formula-changed" and "50" in live[0].message
    out = fill(many, tmp_path / "filled.xlsx")
    (restored,) = [f for f in out.findings if f.code == "fill-formula-restored"]
    first = next(c for c in live_checks.cells() if (c.sheet, c.cell) == (spec.LIVE_SHEET, f"G{live_checks.FIRST_ROW}"))
    assert (restored.variant, restored.params) == ("live-many", {"count": 50})
    assert (restored.sheet, restored.cell, restored.expected) == (first.sheet, first.cell, first.formula)
    assert restored.message == "已恢复工作簿自动检查的 50 个公式（“校验”表和状态行）"
    assert not [f for f in validate(tmp_path / "filled.xlsx").findings if f.sheet == spec.LIVE_SHEET]
    assert reader.load(tmp_path / "filled.xlsx").book.sheet(spec.LIVE_SHEET).sealed  # fill put the seal back


def test_the_sealed_live_sheet_is_not_read(tmp_path: Path) -> None:
    """Under its seal no cell of the 校验 sheet can have been edited in a spreadsheet application, so
    validate does not read its formulas (only a program writing into the file past the protection could)."""
    book = reader.load(CONSISTENT).book
    live = book.sheet(spec.LIVE_SHEET)
    assert live is not None and live.sealed and live.protected and not live.values and not len(live.cells)
    assert book.sheet("资金使用").cells.get("B5") is not None  # the other sheets are read as always
    wb = load_workbook(CONSISTENT)
    assert wb[spec.LIVE_SHEET].protection.password == spec.LIVE_SEAL_HASH
    from openpyxl.utils.protection import hash_password

    assert hash_password(spec.LIVE_SEAL_PASSWORD) == spec.LIVE_SEAL_HASH
    wb[spec.LIVE_SHEET].protection.set_password("another")  # protected again with another password: read
    wb.save(tmp_path / "other.xlsx")
    other = reader.load(tmp_path / "other.xlsx").book.sheet(spec.LIVE_SHEET)
    assert other is not None and not other.sealed and len(other.cells) == sum(
        1 for c in live_checks.cells() if c.sheet == spec.LIVE_SHEET)


def test_version_1_0_workbooks_are_read_validated_and_filled_without_live_checks(tmp_path: Path) -> None:
    for name in ("template_1_0.xlsx", "seed_1_0.xlsx", "consistent_1_0.xlsx"):
        report = validate(V1 / name)
        assert report.template_version == "1.0"
        assert not [f for f in report.findings if f.code in ("template-version", "sheet-missing", "name-missing",
                                                             "sheet-order") or f.sheet == spec.LIVE_SHEET], name
    assert validate(V1 / "consistent_1_0.xlsx").ok
    seed = {(f.code, f.cell) for f in validate(V1 / "seed_1_0.xlsx").findings}
    assert ("project-list-mismatch", "C5") in seed
    src = tmp_path / "c.xlsx"
    shutil.copyfile(V1 / "consistent_1_0.xlsx", src)
    out = fill(src, tmp_path / "c_filled.xlsx")
    assert out.written and not out.errors
    filled = reader.load(tmp_path / "c_filled.xlsx")
    assert filled.version == "1.0" and filled.book.sheet(spec.LIVE_SHEET) is None
    assert validate(tmp_path / "c_filled.xlsx").ok


# -- parity with validate, through a real spreadsheet engine --------------------------------------------

#: One planted fault per file; each key names what is planted. Values are factory overrides.
FAULTS: dict[str, dict[str, object]] = {
    "text-number": {"basic_wages_actual": "1,234.50"},
    "required-missing": {"unit_name": None},
    "negative-amount": {"sangong_abroad_prev": Decimal("-1")},
    "out-of-range-year": {"fiscal_year": 1999},
    "out-of-range-fraction": {"staff_actual": Decimal("37.5")},
    "out-of-range-money": {"carryover_prev": Decimal("200000000")},
    "excess-digits": {"carryover_prev": Decimal("12.345")},
    "invalid-choice": {"unit_type": "事业单位"},
    "formula-overwritten": {"basic_actual": "the computed value"},
    "excel-error": {"basic_wages_budget": "#N/A"},
    "value-mismatch": {"total_rate": Decimal("99.99")},
    "typed-over-upstream": {"basic_actual": Decimal("1000")},
    "grade-typed-over": {"grade": "差"},
    "formula-deleted": {"project_rate": None},
    "project-list-mismatch": {"projects__actual__0": Decimal("312.56")},
    "value-imprecise": {"projects__actual__0": Decimal("412.57")},
    "sangong-exceeds-basic": {"sangong_reception_budget": Decimal("9000")},
    "score-exceeds-weight": {"indicators__score__0": Decimal("6")},
    "weights-not-100": {"indicators__weight__1": Decimal("9")},
    "staff-without-quota": {"staff_quota": 0},
    "list-row-incomplete": {"projects__name__1": None},
    "list-text-number": {"projects__budget__0": "四百二十"},
    "list-out-of-range": {"narrative__level__0": 7},
    "list-invalid-choice": {"narrative__section__0": "其它"},
    "list-excess-digits": {"indicators__weight__0": Decimal("5.001")},
}


def _overrides(fault: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in FAULTS[fault].items():
        if fault == "formula-overwritten":
            out[key] = _consistent_value(key)
        else:
            out[key] = value
    return out


def _consistent_value(name: str) -> Decimal:
    from workbook_tools.core.compute import compute

    value = compute(reader.load(CONSISTENT_XLSX).model)[name]
    assert isinstance(value, Decimal)
    return value


def _validator_set(path: Path) -> set[tuple[str, str, str]]:
    """validate's findings of the codes a formula can express (checks of the narrative's wording against the
    figures, last year's workbook and other text judgements are the validator's alone, see docs/checks.md)."""
    live = live_checks.live_codes()
    return {(f.code, f.sheet or "", f.cell or "") for f in validate(path).findings if f.cell and f.code in live}


def _live_set(path: Path) -> set[tuple[str, str, str]]:
    return {(code, sheet, cell) for code, sheet, cell, _ in live_checks.reported(reader.load(path, live_values=True).book)}


#: One planted fault of each kind of check (a cell's text, range and choice, a formula typed over, a sum across
#: tables, a list row) for a quick `make test`; every fault, and so every live code, under CI (slow).
SAMPLE = ("text-number", "out-of-range-money", "invalid-choice", "formula-overwritten", "project-list-mismatch",
          "list-row-incomplete")


#: The issue's scenario (test_fixing_the_cells_clears_the_live_sheet): a typed-over ratio, a text number and a
#: project list that does not add up, recalculated with the sample (one LibreOffice run fewer).
ISSUE_SCENARIO: dict[str, object] = {"project_rate": Decimal("88.88"), "basic_goods_actual": "1,000",
                                     "projects__actual__1": Decimal("1000")}


def _recalculated(faults: Iterable[str], folder: Path,
                  extra: Mapping[str, Mapping[str, object]] | None = None) -> dict[str, Path]:
    """Each planted fault, the workbooks ``extra`` plants (factory overrides by name), the consistent example
    (``clean``) and the template (``template``) through one LibreOffice run: the recalculated copies by name."""
    src = folder / "src"
    src.mkdir()
    planted = [filled_workbook(src / f"{name}.xlsx", **_overrides(name)) for name in faults]
    planted += [filled_workbook(src / f"{name}.xlsx", **dict(overrides)) for name, overrides in (extra or {}).items()]
    clean = [shutil.copyfile(CONSISTENT, src / "clean.xlsx"), shutil.copyfile(TEMPLATE, src / "template.xlsx")]
    return {p.stem: p for p in recalculate([*planted, *map(Path, clean)], folder / "lo", timeout=600)}


@pytest.fixture(scope="session")
def recalculated_sample(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample (and the issue's scenario) recalculated once for the three tests that read it: one xdist group, so one worker, and the
    session's scope, since a worker may run other modules' tests between the two (a module fixture was
    then built twice)."""
    return _recalculated(SAMPLE, tmp_path_factory.mktemp("live-sample"), {"issue-scenario": ISSUE_SCENARIO})


def _parity(faults: Iterable[str], by_name: dict[str, Path]) -> set[str]:
    """The 校验 sheet of each recalculated copy reports exactly validate's formula-expressible findings. The
    codes seen are returned."""
    assert _live_set(by_name["clean"]) == set() == _validator_set(by_name["clean"])
    assert _live_set(by_name["template"]) == _validator_set(by_name["template"])
    codes_seen: set[str] = set()
    for name in faults:
        out = by_name[name]
        live, full = _live_set(out), _validator_set(out)
        assert live, f"{name}: the 校验 sheet reports nothing"
        assert live == full, f"{name}: 校验 {sorted(live)} != validate {sorted(full)}"
        codes_seen |= {code for code, _, _ in live}
    return codes_seen


@pytest.mark.libreoffice
@pytest.mark.xdist_group("live-sample")
def test_live_sheet_reports_what_validate_reports_on_a_sample(recalculated_sample: dict[str, Path]) -> None:
    assert set(SAMPLE) <= set(FAULTS)
    assert _parity(SAMPLE, recalculated_sample)


@pytest.mark.slow  # 27 workbooks through LibreOffice and validate: CI and make test-all run it
@pytest.mark.libreoffice
def test_live_sheet_reports_exactly_what_validate_reports(soffice: str, tmp_path: Path) -> None:
    codes_seen = _parity(FAULTS, _recalculated(FAULTS, tmp_path))
    assert codes_seen == live_checks.live_codes(), live_checks.live_codes() - codes_seen


@pytest.mark.libreoffice
@pytest.mark.xdist_group("live-sample")
def test_fixing_the_cells_clears_the_live_sheet(recalculated_sample: dict[str, Path], tmp_path: Path) -> None:
    """The issue's scenario (``ISSUE_SCENARIO``): a typed-over ratio, a text number and a project list that
    does not add up, recalculated with the sample."""
    lo = recalculated_sample["issue-scenario"]
    reported = live_checks.reported(reader.load(lo, live_values=True).book)
    codes = {(code, cell) for code, _, cell, _ in reported}
    assert {("value-mismatch", spec.field("project_rate").cell), ("text-number", spec.field("basic_goods_actual").cell),
            ("project-list-mismatch", spec.field("project_actual").cell)} <= codes
    mismatch = next(m for code, _, _, m in reported if code == "project-list-mismatch")
    assert "万元" in mismatch and "相差" in mismatch and any(ch.isdigit() for ch in mismatch)
    status = reader.load(lo).book.cell("资金使用", spec.SHEET_BY_TITLE["资金使用"].status_cell or "")
    assert status is not None and "个错误" in str(status.value)
    fixed_src = tmp_path / "fixed_src"
    fixed_src.mkdir()
    wb = load_workbook(lo)
    ws = wb["资金使用"]
    goods = spec.field("basic_goods_actual")
    ws[goods.cell] = float(_consistent_input("basic_goods_actual"))
    wb[spec.field("project_rate").sheet][spec.field("project_rate").cell] = spec.field("project_rate").formula
    t = spec.table("projects")
    wb[t.sheet][f"{t.column('actual').col}{t.first_row + 1}"] = float(_consistent_row("projects", 1, "actual"))
    wb.save(fixed_src / "fixed.xlsx")
    (again,) = recalculate([fixed_src / "fixed.xlsx"], tmp_path / "lo2")
    assert live_checks.reported(reader.load(again, live_values=True).book) == []
    status = reader.load(again).book.cell("资金使用", spec.SHEET_BY_TITLE["资金使用"].status_cell or "")
    assert status is not None and status.value == "本表校验通过"



def _fill_pixels(ppm: bytes) -> dict[str, int]:
    """How many pixels of a binary PPM (pdftoppm's output) show the error fill and the warning fill."""
    magic, width, height, depth, raster = ppm.split(maxsplit=4)
    assert magic == b"P6" and depth == b"255"
    want = {"red": bytes.fromhex(ERROR_FILL.fgColor.rgb[-6:]), "orange": bytes.fromhex(WARNING_FILL.fgColor.rgb[-6:])}
    pixels = [raster[i:i + 3] for i in range(0, int(width) * int(height) * 3, 3)]
    return {k: sum(1 for p in pixels if p == rgb) for k, rgb in want.items()}


def _print_one_cell(src: Path, sheet: str, cell: str, dest: Path) -> None:
    """``src`` with only ``sheet`` shown (active) and ``cell`` its print area: LibreOffice's workbook part
    edited in place, every other part (the recalculated cells among them) carried over byte for byte, which
    costs none of the openpyxl load and save per print that the same edit through openpyxl does."""
    import zipfile

    with zipfile.ZipFile(src) as zin:
        xml = zin.read("xl/workbook.xml").decode("utf-8")
        titles = re.findall(r'<sheet name="([^"]*)"', xml)
        index = titles.index(sheet)

        def state(m: re.Match[str]) -> str:
            shown = "visible" if m.group(1) == sheet else "hidden"
            return re.sub(r'state="[a-zA-Z]+"', f'state="{shown}"', m.group(0))

        xml, shown = re.subn(r'<sheet name="([^"]*)"[^>]*/>', state, xml)
        assert shown == len(titles) and xml.count('state="visible"') == 1
        xml, n = re.subn(r'activeTab="[0-9]+"', f'activeTab="{index}"', xml)
        assert n == 1 and "_xlnm.Print_Area" not in xml
        row, col = cells.rc(cell)
        area = (f'<definedName localSheetId="{index}" name="_xlnm.Print_Area">'
                f"'{sheet}'!${cells.col_letters(col)}${row}</definedName>")
        xml, n = re.subn("<definedNames>", "<definedNames>" + area, xml)
        assert n == 1
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, xml.encode("utf-8") if info.filename == "xl/workbook.xml" else zin.read(info))


def _colours(faults: Iterable[str], outs: dict[str, Path], tmp_path: Path) -> None:
    """The colour a user sees, rendered: for each planted fault, recalculated (``outs``), validate says which
    cells are wrong, then LibreOffice prints each such cell alone (its sheet the only one shown, the 校验 sheet
    still computing behind it) and the page's pixels must show the error fill for an error, the warning fill
    for a warning only, and neither for a checked cell validate finds nothing wrong with."""
    import subprocess

    from workbook_tools.libreoffice import _convert_into

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    faults = list(faults)
    checked = {(t.sheet, t.cell) for t in live_checks.targets()}
    prints = tmp_path / "print"
    prints.mkdir()
    expected: dict[str, str] = {}
    for name in faults:
        colour: dict[tuple[str, str], str] = {}
        for f in validate(outs[name]).findings:
            if f.cell and f.code in live_checks.live_codes():
                if CATALOGUE[f.code].severity == "error" or colour.get((f.sheet or "", f.cell)) != "red":
                    colour[(f.sheet or "", f.cell)] = "red" if CATALOGUE[f.code].severity == "error" else "orange"
        picked = sorted(colour.items())[:2]
        sheet = picked[0][0][0]
        clean = sorted(c for s, c in checked - set(colour) if s == sheet)
        picked.append(((sheet, clean[len(clean) // 2]), "none"))
        for n, ((sheet, cell), want) in enumerate(picked):
            key = f"{name}_{n}"
            _print_one_cell(outs[name], sheet, cell, prints / f"{key}.xlsx")
            expected[key] = want
    pdfs = _convert_into(sorted(prints.glob("*.xlsx")), tmp_path, ".pdf", "pdf:calc_pdf_Export", 900, {})
    seen: dict[str, str] = {}
    for pdf in pdfs:
        subprocess.run([pdftoppm, "-r", "30", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))], check=True)
        (ppm,) = tmp_path.glob(f"{pdf.stem}-*.ppm")
        count = _fill_pixels(ppm.read_bytes())
        seen[pdf.stem] = max(count, key=count.__getitem__) if max(count.values()) > 20 else "none"
        assert min(count.values()) <= 20, (pdf.stem, count)  # one fill or the other, never both
    assert seen == expected
    assert set(expected.values()) == {"red", "orange", "none"}


@pytest.mark.libreoffice
@pytest.mark.xdist_group("live-sample")
def test_cells_turn_red_or_orange_as_validate_reports_on_a_sample(recalculated_sample: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    """The sample of the parity test (one fault of each kind of check, errors and a warning among them)."""
    _colours(SAMPLE, recalculated_sample, tmp_path)


@pytest.mark.slow  # every planted fault recalculated and ~75 cells printed through LibreOffice: CI and make test-all
@pytest.mark.libreoffice
def test_cells_turn_red_or_orange_exactly_as_validate_reports(soffice: str, tmp_path: Path) -> None:
    _colours(FAULTS, _recalculated(FAULTS, tmp_path), tmp_path)


def _consistent_input(name: str) -> Decimal:
    v = reader.load(CONSISTENT_XLSX).model.number(name)
    assert v is not None
    return v


def _consistent_row(table: str, index: int, key: str) -> Decimal:
    v = reader.load(CONSISTENT_XLSX).model.lists[table][index][key]
    assert isinstance(v, Decimal)
    return v
