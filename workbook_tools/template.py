"""Build ``templates/evaluation_template.xlsx`` from the spec, and write filled workbooks from the model.

Only this module and :mod:`workbook_tools.fill` speak openpyxl's vocabulary of styles and protection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .core import live_checks, spec
from .core.fsutil import atomic_path, atomic_save
from .core.model import CONTROL_CHARS, Evaluation, Value
from .xlsx.patch import Patched, SheetEdits, try_prepare

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "evaluation_template.xlsx"
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

FONT_NAME = "宋体"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: staff type here
DERIVED_FILL = PatternFill("solid", fgColor="E7E6E6")  # grey: the template computes this
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
LONG_ROW_HEIGHT = 90
#: Conditional formats of the live checks: red for an error, orange for a warning (distinct from input yellow).
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")
ERROR_FONT = Font(color="9C0006", bold=True)
WARNING_FONT = Font(color="833C0B", bold=True)
STATUS_FONT = Font(name=FONT_NAME, size=10, bold=True, color="1F4E79", underline="single")
TITLE_ROW_HEIGHT = 36
#: Points per line of 10–11 pt text, for rows whose wrapped text LibreOffice would not grow to fit.
LINE_HEIGHT = 15
PROP_VERSION = "workbook_tools.template_version"
PROP_ID = "workbook_tools.template_id"


def _style_text(c: XlCell, style: str) -> None:
    if style == "title":
        c.font = Font(name=FONT_NAME, size=14, bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center")
    elif style == "section":
        c.font = Font(name=FONT_NAME, size=11, bold=True)
        c.alignment = Alignment(vertical="center")
    elif style == "header":
        c.font = Font(name=FONT_NAME, size=11, bold=True)
        c.fill = HEADER_FILL
        c.border = BOX
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    elif style == "note":
        c.font = Font(name=FONT_NAME, size=10, italic=True, color="595959")
        c.alignment = Alignment(wrap_text=True, vertical="center")
    else:
        c.font = Font(name=FONT_NAME, size=11)
        c.border = BOX if style == "label" else Border()
        c.alignment = Alignment(vertical="center", wrap_text=True)


def _style_input(c: XlCell, kind: str) -> None:
    c.fill = INPUT_FILL
    c.border = BOX
    c.protection = UNLOCKED
    c.font = Font(name=FONT_NAME, size=11)
    c.number_format = spec.KINDS[kind].number_format or "@"
    wrap = spec.KINDS[kind].wraps
    c.alignment = Alignment(vertical="top" if kind == "longtext" else "center", wrap_text=wrap)


def _style_derived(c: XlCell, kind: str) -> None:
    c.fill = DERIVED_FILL
    c.border = BOX
    c.protection = LOCKED
    c.font = Font(name=FONT_NAME, size=11)
    c.number_format = spec.KINDS[kind].number_format or "General"
    c.alignment = Alignment(horizontal="right" if kind != "grade" else "center", vertical="center")


def _validation(kind: str, lo: Decimal | None, hi: Decimal | None, choices: tuple[str, ...],
                label: str) -> DataValidation | None:
    if kind == "choice" and choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.error = f"{label}：请从下拉列表中选择"
    elif kind in spec.NUMERIC_KINDS and kind not in spec.INTEGRAL_KINDS:
        low = lo if lo is not None else Decimal(0)
        high = hi if hi is not None else spec.MAX_MONEY
        dv = DataValidation(type="decimal", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
        dv.error = f"{label}：请输入 {low} 到 {high} 之间的数字（不要输入文字、逗号或单位）"
    elif kind in spec.INTEGRAL_KINDS:
        low = lo if lo is not None else Decimal(0)
        high = hi if hi is not None else Decimal(1000000)
        dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
        dv.error = f"{label}：请输入 {low} 到 {high} 之间的整数"
    else:
        return None
    dv.errorTitle = "输入有误"
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    return dv


def _add_validation(ws: Worksheet, dv: DataValidation | None, refs: Iterable[str]) -> None:
    if dv is None:
        return
    for r in refs:
        dv.add(r)
    ws.add_data_validation(dv)


def _guide_lines() -> list[tuple[str, str]]:
    """填表说明 for people who have never heard of Python: what to type, what the colours mean, how to check."""
    status_row = int(spec.SHEET_BY_TITLE["填表说明"].status_cell[1:])  # type: ignore[index]
    lines: list[tuple[str, str]] = [
        ("title", "部门整体支出绩效评价工作簿 填表说明"),
        ("note", f"模板版本 {spec.TEMPLATE_VERSION}。请直接在本工作簿中填写，不要复制到新工作簿，不要增删工作表、行或列。"),
    ]
    assert len(lines) == status_row - 1
    lines += [
        ("status", ""),  # the live status line (a formula) goes here
        ("section", "一、怎么填"),
        ("input", "黄色单元格：由单位填写。"),
        ("derived", "灰色单元格：自动计算，已锁定，请勿改写。"),
        ("static", "1. 用 Excel、WPS 或 LibreOffice 打开本文件即可填写，不需要安装任何其他软件。"),
        ("static", "2. 金额单位为万元，保留两位小数；只填数字，不要填写“万元”、逗号、空格或其他文字。"),
        ("static", "3. 列表（主要职责、绩效目标、项目明细、评分表、报告正文）从第一行起连续填写，不要插入或删除行。"),
        ("static", f"4. 报告正文每行一个段落：选择“部分”，填写“层级”（{spec.NARRATIVE_LEVELS}），编号由报告自动生成。"),
        ("section", "二、边填边查"),
        ("static", "5. 工作簿会自己检查：填错的单元格立即变成红色（错误，必须改正）或橙色（警告，请核对），改正后恢复原色。"),
        ("static", "6. 每张表标题右侧显示本表的检查结果（如“本表校验：2 个错误，1 个警告”），点击即可打开“校验”表。"),
        ("static", "7. “校验”表逐项列出问题：哪张表、哪个单元格（点击“位置”跳过去）、问题是什么、数字应为多少。"),
        ("static", "8. 提交前请确认上方显示“本工作簿校验通过”。有警告时请逐条核对，确属实际情况可以提交。"),
        ("section", "三、提交以后"),
        ("static", "9. 财政局收到文件后还会用校验程序做一次完整检查：除上述各项外，还检查表格结构是否被改动"
                   "（工作表或行被删除、插入，定义名称被移动）、公式文字是否被改动、文件是否带宏或外部链接、日期格式和不可见字符等。"
                   "完整检查也可以在财政局提供的校验网页上自行上传文件完成。"),
        ("section", "四、各工作表"),
    ]
    for s in spec.SHEETS:
        if s.hidden or s.key == "guide":
            continue
        tables = [t for t in spec.TABLES if t.sheet == s.title]
        extra = "；".join(f"{t.label}最多 {t.capacity} 行" for t in tables)
        lines.append(("static", f"“{s.title}”：{extra}" if extra else f"“{s.title}”"))
    lines += [
        ("section", "五、评价等级"),
        ("static", "；".join(f"{label} ≥ {low}" for label, low in spec.GRADE_BANDS) + "（按得分合计自动评定）"),
    ]
    return lines


def _lines(text: str, width: float) -> int:
    """Printed lines of wrapped text in a column ``width`` wide (a CJK character takes two width units)."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return max(1, -(-units // max(1, int(width * 0.95))))


def _merged_width(ws: Worksheet, first: str, last: str) -> float:
    from openpyxl.utils import column_index_from_string, get_column_letter

    a = column_index_from_string("".join(ch for ch in first if ch.isalpha()))
    b = column_index_from_string("".join(ch for ch in last if ch.isalpha()))
    return sum(ws.column_dimensions[get_column_letter(i)].width or 9 for i in range(a, b + 1))


def _live_sheet(ws: Worksheet) -> None:
    """The 校验 rows: static place, item and sheet; formulas for result, code, message and the recomputation."""
    body = Font(name=FONT_NAME, size=10)
    for i, t in enumerate(live_checks.targets()):
        r = live_checks.FIRST_ROW + i
        for col, value in ((live_checks.COL_NO, i + 1), (live_checks.COL_SHEET, t.sheet),
                           (live_checks.COL_PLACE, t.cell), (live_checks.COL_ITEM, t.item)):
            c = ws[f"{col}{r}"]
            c.value = value
        link = ws[f"{live_checks.COL_PLACE}{r}"]
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{t.sheet}'!{t.cell}")  # in-workbook jump
        for col in "ABCDEFGH":
            c = ws[f"{col}{r}"]
            c.font = Font(name=FONT_NAME, size=10, color="0563C1", underline="single") if col == "D" else body
            c.border = BOX
            c.protection = LOCKED
            c.alignment = Alignment(vertical="center", wrap_text=col in "EG",
                                    horizontal="center" if col in "ABD" else None)
    last = live_checks.last_row()
    result = f"{live_checks.COL_RESULT}{live_checks.FIRST_ROW}:{live_checks.COL_RESULT}{last}"
    first = f"{live_checks.COL_RESULT}{live_checks.FIRST_ROW}"
    ws.conditional_formatting.add(result, FormulaRule(formula=[f"{first}={live_checks.RESULT_ERROR}"],
                                                      fill=ERROR_FILL, font=ERROR_FONT, stopIfTrue=True))
    ws.conditional_formatting.add(result, FormulaRule(formula=[f"{first}={live_checks.RESULT_WARNING}"],
                                                      fill=WARNING_FILL, font=WARNING_FONT, stopIfTrue=True))
    for i, (key, text) in enumerate(live_checks.messages()):
        for col, value in ((live_checks.COL_MSG_KEY, key), (live_checks.COL_MSG_TEXT, text)):
            ws[f"{col}{live_checks.FIRST_ROW + i}"].value = value
    for i, (_, choices) in enumerate(live_checks.choice_lists()):
        col = live_checks.COL_CHOICES[i]
        for k, choice in enumerate(choices):
            ws[f"{col}{live_checks.FIRST_ROW + k}"].value = choice
        ws.column_dimensions[col].hidden = True
    for col in (live_checks.COL_EXPECTED, live_checks.COL_MSG_KEY, live_checks.COL_MSG_TEXT):
        ws.column_dimensions[col].hidden = True
    for r in range(live_checks.FIRST_ROW, last + 1):
        ws[f"{live_checks.COL_RESULT}{r}"].number_format = live_checks.RESULT_FORMAT
        ws.row_dimensions[r].height = 2 * LINE_HEIGHT  # room for a two-line message: no row grows for a formula
    ws.freeze_panes = f"A{live_checks.FIRST_ROW}"
    ws.print_title_rows = f"{live_checks.HEADER_ROW}:{live_checks.HEADER_ROW}"
    ws.auto_filter.ref = f"A{live_checks.HEADER_ROW}:{live_checks.COL_MESSAGE}{last}"
    ws.row_dimensions[3].height = LINE_HEIGHT * _lines(spec.LIVE_NOTE, _merged_width(ws, "A3", "G3"))
    summary = ws[live_checks.SUMMARY_CELL]
    ws.merge_cells(f"{live_checks.SUMMARY_CELL}:G2")
    summary.font = Font(name=FONT_NAME, size=12, bold=True, color="1F4E79", underline="single")
    summary.alignment = Alignment(vertical="center")
    ws.row_dimensions[2].height = 24


def _live_formats(wb: Workbook) -> None:
    """Red or orange on a checked cell the moment its 校验 row reports an error or a warning (the rules read
    the row's 结果; one rule covers a rectangle of cells, see ``live_checks.formats``)."""
    for fmt in live_checks.formats():
        fill, font = (ERROR_FILL, ERROR_FONT) if fmt.severity == 2 else (WARNING_FILL, WARNING_FONT)
        wb[fmt.sheet].conditional_formatting.add(fmt.ref, FormulaRule(formula=[fmt.formula], fill=fill, font=font,
                                                                      stopIfTrue=True))


def _status(ws: Worksheet, cell: str) -> None:
    c = ws[cell]
    c.font = STATUS_FONT
    c.alignment = Alignment(horizontal="right" if cell != "A3" else "left", vertical="center", wrap_text=True)
    c.protection = LOCKED
    ws.row_dimensions[int(cell[1:])].height = TITLE_ROW_HEIGHT if cell[1:] == "1" else 24


def _fit_wrapped_rows(ws: Worksheet, s: spec.Sheet) -> None:
    """Give merged wrapped text rows their height: LibreOffice never grows a row for merged cells."""
    for text in s.texts:
        if text.style not in ("note", "static") or not text.merge_to:
            continue
        row = int("".join(ch for ch in text.cell if ch.isdigit()))
        need = LINE_HEIGHT * _lines(text.text, _merged_width(ws, text.cell, text.merge_to))
        current = ws.row_dimensions[row].height or 0
        if need > max(current, LINE_HEIGHT):
            ws.row_dimensions[row].height = need


def _fit_header_rows(ws: Worksheet, s: spec.Sheet) -> None:
    """Give header rows the height of their longest wrapped header: no application grows them on opening."""
    need: dict[int, float] = {}
    for text in s.texts:
        if text.style != "header":
            continue
        row = int("".join(ch for ch in text.cell if ch.isdigit()))
        lines = _lines(text.text, _merged_width(ws, text.cell, text.merge_to or text.cell))
        if lines > 1:
            need[row] = max(need.get(row, 0), LINE_HEIGHT * lines + 3)
    for row, height in need.items():
        if height > (ws.row_dimensions[row].height or 0):
            ws.row_dimensions[row].height = height


def seal(wb: Workbook, sheet: str = spec.LIVE_SHEET, password: str = spec.LIVE_SEAL_PASSWORD) -> None:
    """Protect the 校验 sheet with the published seal password (see ``spec.LIVE_SEAL_PASSWORD``)."""
    if sheet in wb.sheetnames:
        ws = wb[sheet]
        ws.protection.sheet = True
        ws.protection.set_password(password)


def build_template(profile: str | None = None) -> Workbook:
    """The blank template, entirely from the spec, for one profile (None: the default profile).

    The profile is recorded in ``_meta`` (name ``profile``), its grade labels and bands fill the threshold
    table the grade formula reads, and the rows of optional blocks it does not use are hidden, never removed:
    every template has every defined name at the same address, so one reader serves all profiles.
    """
    from .core.profiles import get

    prof = get(profile)
    wb = Workbook()
    wb.remove(wb.active)
    for s in spec.SHEETS:
        ws = wb.create_sheet(s.title)
        for col, width in s.widths.items():
            ws.column_dimensions[col].width = width
        for text in s.texts:
            c = ws[text.cell]
            c.value = text.text
            _style_text(c, text.style)
            if text.merge_to:
                ws.merge_cells(f"{text.cell}:{text.merge_to}")
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if s.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        if s.hidden:
            ws.sheet_state = "veryHidden"
        if s.key == "guide":
            for i, (style, line) in enumerate(_guide_lines(), start=1):
                if style == "status":
                    continue
                c = ws.cell(row=i, column=1, value=line)
                if style in ("static", "note"):
                    ws.row_dimensions[i].height = LINE_HEIGHT * _lines(line, s.widths["A"]) + 3
                if style == "input":
                    _style_text(c, "label")
                    c.fill = INPUT_FILL
                elif style == "derived":
                    _style_text(c, "label")
                    c.fill = DERIVED_FILL
                else:
                    _style_text(c, style)
        ws.sheet_view.showGridLines = s.key in ("meta",)
        _fit_wrapped_rows(ws, s)
        _fit_header_rows(ws, s)
        if s.key == "checks":
            _live_sheet(ws)
        if s.status_cell:
            _status(ws, s.status_cell)
            if s.status_to:
                ws.merge_cells(f"{s.status_cell}:{s.status_to}")

    for f in spec.FIELDS:
        ws = wb[f.sheet]
        c = ws[f.cell]
        if f.is_derived:
            c.value = f.formula
            _style_derived(c, f.kind)
        else:
            _style_input(c, f.kind)
            _add_validation(ws, _validation(f.kind, f.min, f.max, f.choices, f.label), [f.cell])
            if f.kind == "longtext":
                ws.row_dimensions[int("".join(ch for ch in f.cell if ch.isdigit()))].height = LONG_ROW_HEIGHT

    for t in spec.TABLES:
        ws = wb[t.sheet]
        for i in range(t.capacity):
            row = t.first_row + i
            n = ws[f"{t.number_col}{row}"]
            n.value = i + 1
            _style_text(n, "label")
            n.alignment = Alignment(horizontal="center", vertical="center")
        for c in t.columns:
            for i in range(t.capacity):
                _style_input(ws[f"{c.col}{t.first_row + i}"], c.kind)
            _add_validation(ws, _validation(c.kind, c.min, c.max, c.choices, c.label), [t.column_ref(c.key)])
        ws.freeze_panes = f"A{t.first_row}"
        ws.print_title_rows = f"{t.header_row}:{t.header_row}"

    ascending = sorted(prof.grades, key=lambda g: g[1])
    table: dict[str, tuple[str | Decimal, ...]] = {"grade_labels": tuple(g[0] for g in ascending),
                                                   "grade_minimums": tuple(g[1] for g in ascending)}
    for k in spec.CONSTANTS:
        ws = wb[k.sheet]
        first = k.ref.split(":")[0]
        col = "".join(ch for ch in first if ch.isalpha())
        row0 = int("".join(ch for ch in first if ch.isdigit()))
        for i, v in enumerate(table.get(k.name, k.values)):
            c = ws[f"{col}{row0 + i}"]
            c.value = (int(v) if v == v.to_integral_value() else v) if isinstance(v, Decimal) else v
            _style_derived(c, "text")
    meta_sheet, meta_cell = spec.META_NAMES["profile"]
    wb[meta_sheet][meta_cell].value = prof.id
    for sheet in spec.SHEETS:  # optional blocks the profile does not use: hidden, never removed
        ws = wb[sheet.title]
        for block, top_row, bottom_row in sheet.row_blocks:
            if not prof.shows(block):
                for row_no in range(top_row, bottom_row + 1):
                    ws.row_dimensions[row_no].hidden = True
        for block, c1, c2 in sheet.col_blocks:
            if not prof.shows(block):
                ws.column_dimensions.group(c1, c2, hidden=True)

    for n in live_checks.all_names():
        wb.defined_names[n.name] = DefinedName(n.name, attr_text=_absolute(n.sheet, n.ref))

    for lc in live_checks.cells():
        wb[lc.sheet][lc.cell].value = lc.formula
    _live_formats(wb)

    for ws in wb.worksheets:
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.protection.selectLockedCells = False
        ws.protection.selectUnlockedCells = False
    seal(wb)

    wb.custom_doc_props.append(StringProperty(name=PROP_ID, value=spec.TEMPLATE_ID))
    wb.custom_doc_props.append(StringProperty(name=PROP_VERSION, value=spec.TEMPLATE_VERSION))
    wb.properties.creator = "workbook_tools"
    wb.properties.title = "部门整体支出绩效评价工作簿"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.active = 0
    return wb


def _absolute(sheet: str, ref: str) -> str:
    quoted = "'" + sheet.replace("'", "''") + "'"
    parts = []
    for a in ref.split(":"):
        col = "".join(ch for ch in a if ch.isalpha())
        row = "".join(ch for ch in a if ch.isdigit())
        parts.append(f"${col}${row}")
    return f"{quoted}!{':'.join(parts)}"


def write_template(path: Path = DEFAULT_TEMPLATE, profile: str | None = None) -> Path:
    wb = build_template(profile)
    atomic_save(wb, path)
    return path


def _put(c: XlCell, value: Value) -> None:
    """Write a value; text is always text, never a formula (a unit name '=cmd|...' stays inert)."""
    if isinstance(value, bool):
        c.value = value
    elif isinstance(value, Decimal):
        c.value = value  # openpyxl writes str(Decimal): the exact digits, no binary artefact
    elif isinstance(value, str):
        c.value = value
        c.data_type = "s"
    else:
        c.value = value


def _cells(model: Evaluation) -> Iterator[tuple[str, str, Value]]:
    """(sheet, cell, value) for every cell the model writes into a blank template, in writing order: the
    constants (a county's edited threshold bands travel with its data), the profile, the inputs, the
    typed-over derived cells, the list rows. Both writers below walk this one list."""
    for k in spec.CONSTANTS:
        first = k.ref.split(":")[0]
        col = "".join(ch for ch in first if ch.isalpha())
        row0 = int("".join(ch for ch in first if ch.isdigit()))
        values = model.constants.get(k.name)
        if values is not None and len(values) == len(k.values):
            for i, v in enumerate(values):
                yield k.sheet, f"{col}{row0 + i}", v
    if model.profile:
        meta_sheet, meta_cell = spec.META_NAMES["profile"]
        yield meta_sheet, meta_cell, model.profile
    for f in spec.INPUT_FIELDS:
        yield f.sheet, f.cell, model.values.get(f.name)
    for name, value in model.stated.items():
        f = spec.field(name)
        yield f.sheet, f.cell, value
    for t in spec.TABLES:
        for i, row in enumerate(model.lists.get(t.name, [])):
            for c in t.columns:
                yield t.sheet, f"{c.col}{t.first_row + i}", row.get(c.key)


#: The tallest row Excel allows, in points.
MAX_ROW_HEIGHT = 409


def _row_heights(model: Evaluation, width: Callable[[str, str], float]) -> Iterator[tuple[str, int, float]]:
    """(sheet, row, points) for each filled list row whose longest wrapped text needs more than one line
    (it would otherwise show only its first line); ``width(sheet, column)`` is the column's width."""
    for t in spec.TABLES:
        for i, row in enumerate(model.lists.get(t.name, [])):
            lines = max((_lines(str(row[c.key]), width(t.sheet, c.col)) for c in t.columns
                         if spec.KINDS[c.kind].wraps and row.get(c.key) not in (None, "")), default=1)
            if lines > 1:
                yield t.sheet, t.first_row + i, min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 3)


def _other_profile(model: Evaluation) -> bool:
    """The model names a known profile other than the default: its template is built from the spec."""
    from .core.profiles import DEFAULT_PROFILE, available

    return model.profile in available() and model.profile != DEFAULT_PROFILE


def fill_workbook(model: Evaluation, template: Path | None = None) -> Workbook:
    """A workbook from the template holding the model: inputs, list rows, typed-over derived cells, and the
    model's own profile and threshold table."""
    if template is None and _other_profile(model):
        wb = build_template(model.profile)
    else:
        wb = load_workbook(template or DEFAULT_TEMPLATE) if (template or DEFAULT_TEMPLATE).exists() else build_template()
    for sheet, cell, value in _cells(model):
        _put(wb[sheet][cell], value)
    for sheet, row_no, height in _row_heights(model, lambda sheet, col: wb[sheet].column_dimensions[col].width or 9):
        wb[sheet].row_dimensions[row_no].height = height
    return wb


def _spec_width(sheet: str, col: str) -> float:
    return next((s.widths.get(col) for s in spec.SHEETS if s.title == sheet), None) or 9


def _part_edits(model: Evaluation) -> dict[str, SheetEdits] | None:
    """The model as part-writer edits of the default template; None when a value needs openpyxl (it refuses
    control characters as openpyxl does, and only openpyxl writes what is neither text, a number nor a flag)."""
    edits: dict[str, SheetEdits] = {}
    for sheet, cell, value in _cells(model):
        if isinstance(value, str) and CONTROL_CHARS.search(value):
            return None
        if value is not None and not isinstance(value, str | bool | int | Decimal):
            return None
        edits.setdefault(sheet, SheetEdits()).constants[cell] = value
    for sheet, row_no, height in _row_heights(model, _spec_width):
        edits.setdefault(sheet, SheetEdits()).heights[row_no] = height
    return edits


def _patched(model: Evaluation, template: Path | None) -> Patched | None:
    """The model written into the committed default template by the part writer: a copy of the template
    with the model's cells changed, ~20 times cheaper than loading and saving it with openpyxl (prefill
    writes one per department). None sends it to openpyxl: another profile or template, or a value only
    openpyxl writes."""
    if template not in (None, DEFAULT_TEMPLATE) or _other_profile(model) or not DEFAULT_TEMPLATE.exists():
        return None
    edits = _part_edits(model)
    return None if edits is None else try_prepare(DEFAULT_TEMPLATE, edits)


def write_filled(model: Evaluation, path: Path, template: Path | None = None) -> Path:
    """Write the model into the template at ``path``, atomically (the part writer when it can, openpyxl
    otherwise: the same cells either way, tests/test_template.py compares them)."""
    patched = _patched(model, template)
    if patched is None:
        atomic_save(fill_workbook(model, template), path)
    else:
        with atomic_path(path) as tmp:
            patched.write(tmp)
    return path


__all__ = ["build_template", "write_template", "fill_workbook", "write_filled", "DEFAULT_TEMPLATE"]
