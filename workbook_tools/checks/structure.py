"""Structure: is this our template and which version; sheets, defined names, fixed labels, merges, links.

Everything is compared with the spec (sheet titles, ``spec.defined_names()``, the ``Text`` labels), never
with addresses written here. Rows inserted or deleted inside a fixed table show up twice: Excel moves the
defined names along (name-moved) and the labels below the insertion are no longer where the template put
them (rows-shifted); both are grouped so one inserted row gives a few findings, not a hundred.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..core import spec
from ..core.cells import rc, split
from ..core.findings import Finding
from ..core.words import RESULT_SHEET
from ..xlsx.reader import Loaded
from ..xlsx.workbook import parse_reference
from ..xlsx.worksheet import SheetData
from . import Computed, finding

#: How far (rows) a moved label is searched for; farther away it counts as changed, not moved.
MAX_SHIFT = 60
#: Above this many findings of one kind on one sheet, they are reported as one summary finding.
GROUP_LIMIT = 3
EXTERNAL = re.compile(r"\[\d+\]|\.xls[xmb]?\]|\[[^\]]*\.xls", re.IGNORECASE)

FATAL = frozenset({"template-unknown", "template-version"})


def identify(loaded: Loaded) -> list[Finding]:
    """template-unknown or template-version, which stop the detailed checks (they would mis-read)."""
    book = loaded.book
    ours = [t for t in spec.sheet_titles() if t != spec.META_SHEET]
    present = [t for t in ours if book.sheet(t) is not None]
    tid, ver = loaded.template_id, loaded.version
    sheets = "、".join(book.sheet_names[:8]) + ("……" if len(book.sheet_names) > 8 else "")
    if tid is not None and tid != spec.TEMPLATE_ID:
        return [finding(
            "template-unknown",
            f"工作簿的模板标识是“{tid}”，不是本模板（{spec.TEMPLATE_ID}）。请用 workbook-tools template 生成的模板填写",
            f"the workbook's template id is {tid!r}, not {spec.TEMPLATE_ID!r}; fill in the template made by "
            "`workbook-tools template`", actual=tid, expected=spec.TEMPLATE_ID)]
    if tid is None and len(present) * 2 < len(ours):
        return [finding(
            "template-unknown",
            f"这不是部门整体支出绩效评价模板的工作簿：没有模板标识，也没有模板的工作表（现有工作表：{sheets}）。"
            "请用 workbook-tools template 生成的模板填写",
            f"not a workbook of the evaluation template: no template id and none of its sheets (sheets: {sheets}); "
            "fill in the template made by `workbook-tools template`")]
    if ver is not None and ver != spec.TEMPLATE_VERSION and loaded.layout is None:
        newer = spec.version_key(ver) > spec.version_key(spec.TEMPLATE_VERSION)
        zh_fix = "请升级 workbook_tools 后再校验" if newer else (
            f"请把数据转填到 {spec.TEMPLATE_VERSION} 版模板（workbook-tools template 生成）后再提交")
        en_fix = "upgrade workbook_tools" if newer else f"copy the data into the {spec.TEMPLATE_VERSION} template"
        return [finding(
            "template-version",
            f"工作簿使用的是模板 {ver} 版，本程序按 {spec.TEMPLATE_VERSION} 版校验；为避免错读，未做逐项校验。{zh_fix}",
            f"the workbook uses template version {ver}; this program checks version {spec.TEMPLATE_VERSION} and "
            f"stopped to avoid mis-reading it; {en_fix}",
            sheet=spec.META_SHEET, name="template_version", expected=spec.TEMPLATE_VERSION, actual=ver)]
    return []


def _older(loaded: Loaded) -> list[Finding]:
    """An earlier version is read against its own layout; say so once, with the way to upgrade."""
    layout = loaded.layout
    if layout is None or layout.is_current:
        return []
    return [finding(
        "template-old",
        f"工作簿使用的是模板 {layout.version} 版，已按 {layout.version} 版的结构读取和校验；{spec.TEMPLATE_VERSION} 版新增的"
        f"填写项视为未填。可运行 workbook-tools migrate 本文件.xlsx -o 新文件.xlsx 转为 {spec.TEMPLATE_VERSION} 版（数据原样带入）",
        f"the workbook uses template version {layout.version} and was read and checked as such; figures added in "
        f"{spec.TEMPLATE_VERSION} count as blank. `workbook-tools migrate FILE -o NEW.xlsx` carries it into "
        f"{spec.TEMPLATE_VERSION}", sheet=spec.META_SHEET, name="template_version", expected=spec.TEMPLATE_VERSION,
        actual=layout.version)]


def _layout_sheets(loaded: Loaded) -> list[spec.Sheet]:
    titles = loaded.layout.sheet_titles() if loaded.layout is not None else spec.sheet_titles()
    return [s for s in spec.SHEETS if s.title in titles]


def _sheets(loaded: Loaded) -> list[Finding]:
    book = loaded.book
    out: list[Finding] = []
    titles = tuple(s.title for s in _layout_sheets(loaded))
    extras = [n for n in book.sheet_names if n not in titles and n != RESULT_SHEET]
    for s in _layout_sheets(loaded):
        data = book.sheet(s.title)
        if data is None:
            if s.title == spec.META_SHEET:
                out.append(finding(
                    "sheet-missing",
                    f"缺少隐藏的模板信息表“{s.title}”，无法确认模板版本。请在 workbook-tools template 生成的模板上填写，"
                    "不要把工作表复制到新工作簿",
                    f"the hidden template sheet {s.title!r} is missing, so the template version cannot be confirmed; "
                    "fill in a template made by `workbook-tools template`", sheet=s.title))
                continue
            hint = f"；工作簿中有模板以外的工作表“{'、'.join(extras)}”，如果是改了名，请改回“{s.title}”" if extras else ""
            hint_en = f"; the workbook has other sheets ({', '.join(extras)}): if one was renamed, rename it back" \
                if extras else ""
            out.append(finding(
                "sheet-missing",
                f"缺少工作表“{s.title}”（被删除或改名）{hint}。请恢复模板中的“{s.title}”工作表",
                f"sheet {s.title!r} ({s.title_en}) is missing (deleted or renamed){hint_en}", sheet=s.title))
        elif not s.hidden and data.state != "visible":
            out.append(finding(
                "sheet-hidden",
                f"工作表“{s.title}”被隐藏了，审核人员可能看不到。请右键工作表标签 → 取消隐藏",
                f"sheet {s.title!r} is hidden; unhide it (right-click a sheet tab → Unhide)", sheet=s.title))
    now = [n for n in book.sheet_names if n in titles]
    want = [t for t in titles if t in now]
    if now != want:
        shown = [n for n in now if n != spec.META_SHEET]
        expected = [t for t in want if t != spec.META_SHEET]
        out.append(finding(
            "sheet-order",
            f"工作表顺序与模板不同：现在是“{'、'.join(shown)}”，模板顺序是“{'、'.join(expected)}”。请拖动工作表标签恢复顺序",
            f"sheets are in a different order: {', '.join(shown)}; the template's order is {', '.join(expected)}",
            expected="、".join(expected), actual="、".join(shown)))
    return out


def _first(ref: str) -> str:
    return ref.split(":")[0]


def _shape(ref: str) -> tuple[int, int]:
    a, _, b = ref.partition(":")
    if not b:
        return (1, 1)
    r1, c1 = rc(a)
    r2, c2 = rc(b)
    return (r2 - r1 + 1, c2 - c1 + 1)


def _names(loaded: Loaded, missing_sheets: set[str]) -> list[Finding]:
    book = loaded.book
    out: list[Finding] = []
    missing: dict[str, list[spec.Name]] = defaultdict(list)
    # (template sheet, sheet now, rows moved, columns moved, rows added, columns added) → names
    moved: dict[tuple[str, str, int, int, int, int], list[tuple[spec.Name, str, str]]] = defaultdict(list)
    expected = ([spec.Name(n.name, n.sheet, n.ref, n.role, n.meaning) for n in loaded.layout.name_list()]
                if loaded.layout is not None else list(spec.defined_names()))
    for n in expected:
        if n.sheet in missing_sheets:
            continue
        text = book.names.get(n.name)
        found = parse_reference(text) if text else None
        if found is None:
            missing[n.sheet].append(n)
            continue
        sheet, ref = found
        if (sheet, ref) == (n.sheet, n.ref):
            continue
        (r0, c0), (r1, c1) = rc(_first(n.ref)), rc(_first(ref))
        (h0, w0), (h1, w1) = _shape(n.ref), _shape(ref)
        moved[(n.sheet, sheet, r1 - r0, c1 - c0, h1 - h0, w1 - w0)].append((n, sheet, ref))
    for sheet, names in missing.items():
        if len(names) <= GROUP_LIMIT:
            for n in names:
                broken = n.name in book.names
                why = "已失效（#REF!，所指单元格被删除）" if broken else "被删除了"
                why_en = "is broken (#REF!, its cells were deleted)" if broken else "was deleted"
                out.append(finding(
                    "name-missing",
                    f"定义名称 {n.name}（{n.meaning}）{why}，程序改按模板位置 {n.sheet}!{n.ref} 读取。"
                    "请在 workbook-tools template 生成的模板上重新填写，或用“公式 → 名称管理器”恢复",
                    f"defined name {n.name} {why_en}; read from the template address {n.sheet}!{n.ref} instead",
                    sheet=n.sheet, cell=_first(n.ref), name=n.name, expected=f"{n.sheet}!{n.ref}",
                    actual=book.names.get(n.name)))
        else:
            examples = "、".join(n.name for n in names[:3])
            out.append(finding(
                "name-missing",
                f"工作表“{sheet}”的 {len(names)} 个定义名称（如 {examples}）缺失或已失效，程序改按模板位置读取。"
                "通常是工作表被复制到了新工作簿；请在 workbook-tools template 生成的模板上重新填写",
                f"{len(names)} defined names of sheet {sheet!r} (e.g. {examples}) are missing or broken; "
                "cells were read from the template addresses", sheet=sheet, cell=_first(names[0].ref),
                name=names[0].name))
    for (want_sheet, _sheet, drow, dcol, dh, dw), items in moved.items():
        out.append(_moved(want_sheet, drow, dcol, dh, dw, items))
    return out


def _moved(want_sheet: str, drow: int, dcol: int, dh: int, dw: int,
           items: list[tuple[spec.Name, str, str]]) -> Finding:
    """One finding for names that moved (or whose ranges grew) the same way: one inserted row, one finding."""
    n, found_sheet, ref = items[0]
    where = {"sheet": found_sheet, "cell": _first(ref), "name": n.name, "expected": f"{want_sheet}!{n.ref}",
             "actual": f"{found_sheet}!{ref}"}
    examples = "、".join(x[0].name for x in items[:3])
    if len(items) == 1:
        return finding(
            "name-moved",
            f"定义名称 {n.name}（{n.meaning}）应指向 {want_sheet}!{n.ref}，现在指向 {found_sheet}!{ref}。"
            "通常是表内插入或删除了行/列；请恢复模板结构（删除插入的行，或撤销删除）",
            f"defined name {n.name} should point to {want_sheet}!{n.ref} but points to {found_sheet}!{ref}", **where)
    if want_sheet != found_sheet:
        return finding(
            "name-moved",
            f"{len(items)} 个定义名称（如 {examples}）应指向工作表“{want_sheet}”，现在指向“{found_sheet}”。"
            "请在 workbook-tools template 生成的模板上重新填写",
            f"{len(items)} defined names (e.g. {examples}) should point to sheet {want_sheet!r} but point to "
            f"{found_sheet!r}", **where)
    if dh or dw:
        size = (f"多了 {dh} 行" if dh > 0 else f"少了 {-dh} 行") if dh else (f"多了 {dw} 列" if dw > 0 else f"少了 {-dw} 列")
        cause = "列表中插入了行，请删除插入的行" if dh > 0 or dw > 0 else "列表中删除了行，请撤销删除或在模板上重新填写"
        return finding(
            "name-moved",
            f"“{want_sheet}”的 {len(items)} 个列表名称（如 {examples}）的范围{size}：{cause}（列表的行数是固定的）。"
            f"例如 {n.name} 应为 {n.ref}，现在是 {ref}",
            f"{len(items)} list ranges of sheet {want_sheet!r} (e.g. {examples}) changed size ({n.ref} → {ref}): rows "
            "were inserted or deleted inside a list", **where)
    way = (f"下移了 {drow} 行" if drow > 0 else f"上移了 {-drow} 行") if drow else (
        f"右移了 {dcol} 列" if dcol > 0 else f"左移了 {-dcol} 列")
    way_en = (f"down {drow} rows" if drow > 0 else f"up {-drow} rows") if drow else (
        f"right {dcol} columns" if dcol > 0 else f"left {-dcol} columns")
    cause = "表内插入了行（或列），请删除插入的行" if drow > 0 or dcol > 0 else "表内删除了行（或列），请撤销删除或在模板上重新填写"
    return finding(
        "name-moved",
        f"“{want_sheet}”的 {len(items)} 个定义名称（如 {examples}）整体{way}：{cause}。例如 {n.name} 应在 {n.ref}，现在在 {ref}",
        f"{len(items)} defined names of sheet {want_sheet!r} (e.g. {examples}) moved {way_en}: rows or columns were "
        "inserted or deleted inside the template's tables", **where)


def _label_index(data: SheetData) -> dict[tuple[str, str], list[int]]:
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for ref, c in data.cells.items():
        if isinstance(c.value, str) and c.value.strip():
            col, row = split(ref)
            index[(col, c.value.strip())].append(row)
    return index


def _labels(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    for s in _layout_sheets(loaded):
        data = loaded.book.sheet(s.title)
        texts: tuple[spec.Text, ...] = tuple(t for t in s.texts if t.style in ("label", "header"))
        if loaded.layout is not None and not loaded.layout.is_current:
            texts = tuple(spec.Text(cell, text) for cell, text in loaded.layout.labels.get(s.title, ()))
        labels = sorted(texts, key=lambda t: rc(t.cell))
        if data is None or not labels or not data.values:
            continue  # a sheet read for its formulas only (校验): formulas.py compares every one of them
        index: dict[tuple[str, str], list[int]] | None = None
        groups: list[tuple[int | None, list[tuple[spec.Text, str]]]] = []
        for t in labels:
            c = data.cells.get(t.cell)
            now = c.value.strip() if c is not None and isinstance(c.value, str) else ("" if c is None or c.value is None
                                                                                        else str(c.value))
            if now == t.text:
                continue
            if index is None:
                index = _label_index(data)
            col, row = split(t.cell)
            rows = [r for r in index.get((col, t.text), []) if abs(r - row) <= MAX_SHIFT]
            offset = min((r - row for r in rows), key=abs) if rows else None
            if groups and offset is not None and groups[-1][0] == offset:
                groups[-1][1].append((t, now))
            else:
                groups.append((offset, [(t, now)]))
        for offset, items in groups:
            t, now = items[0]
            col, row = split(t.cell)
            if offset is None:
                for t, now in items:
                    shown = f"“{now}”" if now else "空白"
                    out.append(finding(
                        "rows-shifted",
                        f"单元格 {t.cell} 应为模板标签“{t.text}”，现在是{shown}：标签被改动，或表中插入/删除了行。"
                        "请恢复模板原样（不要改动灰色和标题单元格）",
                        f"cell {t.cell} should hold the template label {t.text!r} but holds {now or 'nothing'!r}: "
                        "the label was edited or rows were inserted/deleted", sheet=s.title, cell=t.cell,
                        expected=t.text, actual=now or None))
                continue
            way = f"下移了 {offset} 行" if offset > 0 else f"上移了 {-offset} 行"
            cause = f"表中插入了 {offset} 行，请删除插入的行" if offset > 0 else f"表中删除了 {-offset} 行，请撤销删除或在模板上重新填写"
            more = f"等 {len(items)} 个标签" if len(items) > 1 else ""
            out.append(finding(
                "rows-shifted",
                f"从第 {row} 行起，标签“{t.text}”{more}{way}（原在 {t.cell}，现在在 {col}{row + offset}）：{cause}",
                f"from row {row}, the label {t.text!r}{f' and {len(items) - 1} more' if len(items) > 1 else ''} moved "
                f"{'down' if offset > 0 else 'up'} {abs(offset)} rows (was {t.cell}, now {col}{row + offset}): rows "
                f"were {'inserted' if offset > 0 else 'deleted'} inside a fixed table", sheet=s.title, cell=t.cell,
                expected=t.cell, actual=f"{col}{row + offset}"))
    return out


def _input_cells(loaded: Loaded, sheets: set[str]) -> dict[str, list[tuple[int, int, str, int]]]:
    """Input cells of the given sheets as (row, col, field name or table.column, list row index or -1)."""
    cells: dict[str, list[tuple[int, int, str, int]]] = defaultdict(list)
    for f in spec.INPUT_FIELDS:
        loc = loaded.locations.get(f.name)
        if loc is not None and loc.sheet in sheets:
            r, c = rc(loc.cell)
            cells[loc.sheet].append((r, c, f.name, -1))
    for t in spec.TABLES:
        for col in t.columns:
            loc = loaded.list_locations.get(t.name, {}).get(col.key)
            if loc is None or loc.sheet not in sheets:
                continue
            r0, c0 = rc(loc.cell)
            cells[loc.sheet] += [(r0 + i, c0, f"{t.name}.{col.key}", i) for i in range(t.capacity)]
    return cells


def _input_label(key: str, index: int) -> str:
    if index < 0:
        return f"“{spec.field(key).label}”"
    table, col = key.split(".")
    t = spec.table(table)
    return f"“{t.label}第 {index + 1} 行 {t.column(col).label}”"


def _merges(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    merged = {title for title in spec.sheet_titles()
              if (data := loaded.book.sheet(title)) is not None and data.merges}
    if not merged:
        return out
    inputs = _input_cells(loaded, merged)
    for title in sorted(merged, key=spec.sheet_titles().index):
        data = loaded.book.sheet(title)
        if data is None or title not in inputs:
            continue
        for m in data.merges:
            a, _, b = m.partition(":")
            try:
                (r1, c1), (r2, c2) = rc(a), rc(b or a)
            except ValueError:
                continue
            hit = [_input_label(key, i) for r, c, key, i in inputs[title] if r1 <= r <= r2 and c1 <= c <= c2]
            if hit:
                what = "、".join(hit[:3]) + ("等" if len(hit) > 3 else "")
                out.append(finding(
                    "merged-input",
                    f"合并单元格 {m} 覆盖了填写项{what}，只有左上角的值会被保留。请取消合并（开始 → 合并后居中 → 取消单元格合并）",
                    f"merged range {m} covers input cells ({len(hit)}); only the top-left value is kept — unmerge it",
                    sheet=title, cell=a, actual=m))
    return out


def _external(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    book = loaded.book
    if book.external_links:
        out.append(finding(
            "external-link",
            f"工作簿含有 {book.external_links} 个外部链接（引用了其他工作簿），数据无法核实。"
            "请在 Excel 中“数据 → 编辑链接 → 断开链接”后保存",
            f"the workbook has {book.external_links} external link(s) to other workbooks; break the links "
            "(Data → Edit Links → Break Link) and save", actual=book.external_links))
    for title in spec.sheet_titles():
        data = book.sheet(title)
        if data is None or title == spec.LIVE_SHEET:
            continue  # every 校验 formula is compared with the template's text (formulas.py)
        for ref, c in data.cells.with_formula():
            if c.formula and EXTERNAL.search(c.formula):
                out.append(finding(
                    "external-link",
                    f"公式 ={c.formula} 引用了其他工作簿。请改为直接填写数值，或恢复模板公式",
                    f"the formula ={c.formula} refers to another workbook; type the value or restore the template formula",
                    sheet=title, cell=ref, actual="=" + c.formula))
    return out


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    """All structure findings; when the template or version is not ours, only that one."""
    fatal = identify(loaded)
    if fatal:
        return fatal
    out = _older(loaded) + _sheets(loaded)
    missing = {f.sheet for f in out if f.code == "sheet-missing" and f.sheet}
    out += _names(loaded, missing)
    out += _labels(loaded)
    out += _merges(loaded)
    out += _external(loaded)
    if loaded.book.has_vba:
        out.append(finding("macros-ignored",
                           "工作簿带有 VBA 宏。本工具不会运行宏，导出和填充的文件也不保留宏；请在 Excel/WPS 中另存为 .xlsx 后再提交",
                           "the workbook carries a VBA project; macros are never run nor kept; save it as .xlsx"))
    return out


__all__ = ["FATAL", "check", "identify"]
