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
from ..core.findings import NAME_SHIFT_WORDS, ROW_LABEL, Finding, listing, wording
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
    if tid is not None and tid != spec.TEMPLATE_ID:
        return [finding("template-unknown", "other-id", {"id": tid, "ours": spec.TEMPLATE_ID},
                        actual=tid, expected=spec.TEMPLATE_ID)]
    if tid is None and len(present) * 2 < len(ours):
        return [finding("template-unknown", "foreign-many" if len(book.sheet_names) > 8 else "foreign",
                        {"sheets": list(book.sheet_names[:8])})]
    if ver is not None and ver != spec.TEMPLATE_VERSION and loaded.layout is None:
        newer = spec.version_key(ver) > spec.version_key(spec.TEMPLATE_VERSION)
        return [finding("template-version", "newer" if newer else "older",
                        {"version": ver, "current": spec.TEMPLATE_VERSION},
                        sheet=spec.META_SHEET, name="template_version", expected=spec.TEMPLATE_VERSION, actual=ver)]
    return []


def _older(loaded: Loaded) -> list[Finding]:
    """An earlier version is read against its own layout; say so once, with the way to upgrade."""
    layout = loaded.layout
    if layout is None or layout.is_current:
        return []
    return [finding("template-old", "default", {"version": layout.version, "current": spec.TEMPLATE_VERSION},
                    sheet=spec.META_SHEET, name="template_version", expected=spec.TEMPLATE_VERSION,
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
                out.append(finding("sheet-missing", "meta", {"sheet": s.title}, sheet=s.title))
                continue
            out.append(finding("sheet-missing", "others" if extras else "default",
                               {"sheet": s.title, "sheet_en": s.title_en, "extras": extras}, sheet=s.title))
        elif not s.hidden and data.state != "visible":
            out.append(finding("sheet-hidden", "default", {"sheet": s.title}, sheet=s.title))
    now = [n for n in book.sheet_names if n in titles]
    want = [t for t in titles if t in now]
    if now != want:
        shown = [n for n in now if n != spec.META_SHEET]
        expected = [t for t in want if t != spec.META_SHEET]
        out.append(finding("sheet-order", "default", {"order": shown, "template": expected},
                           expected=listing(expected), actual=listing(shown)))
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
                out.append(finding("name-missing", "broken" if n.name in book.names else "deleted",
                                   {"name": n.name, "meaning": n.meaning, "sheet": n.sheet, "ref": n.ref},
                                   sheet=n.sheet, cell=_first(n.ref), name=n.name, expected=f"{n.sheet}!{n.ref}",
                                   actual=book.names.get(n.name)))
        else:
            out.append(finding("name-missing", "many",
                               {"sheet": sheet, "count": len(names), "examples": [n.name for n in names[:3]]},
                               sheet=sheet, cell=_first(names[0].ref), name=names[0].name))
    for (want_sheet, _sheet, drow, dcol, dh, dw), items in moved.items():
        out.append(_moved(want_sheet, drow, dcol, dh, dw, items))
    return out


def _moved(want_sheet: str, drow: int, dcol: int, dh: int, dw: int,
           items: list[tuple[spec.Name, str, str]]) -> Finding:
    """One finding for names that moved (or whose ranges grew) the same way: one inserted row, one finding."""
    n, found_sheet, ref = items[0]
    where = {"sheet": found_sheet, "cell": _first(ref), "name": n.name, "expected": f"{want_sheet}!{n.ref}",
             "actual": f"{found_sheet}!{ref}"}
    params: dict[str, object] = {"name": n.name, "meaning": n.meaning, "want_sheet": want_sheet, "want_ref": n.ref,
                                 "found_sheet": found_sheet, "found_ref": ref, "count": len(items),
                                 "examples": [x[0].name for x in items[:3]]}
    if len(items) == 1:
        return finding("name-moved", "one", params, **where)
    if want_sheet != found_sheet:
        return finding("name-moved", "other-sheet", params, **where)
    if dh or dw:
        size = ("rows-more" if dh > 0 else "rows-fewer") if dh else ("columns-more" if dw > 0 else "columns-fewer")
        size_zh, _ = wording(NAME_SHIFT_WORDS[size], {"n": abs(dh) if dh else abs(dw)})
        cause_zh, _ = NAME_SHIFT_WORDS["list-inserted" if dh > 0 or dw > 0 else "list-deleted"]
        return finding("name-moved", "resized", {**params, "size": size_zh, "cause": cause_zh}, **where)
    way = ("down" if drow > 0 else "up") if drow else ("right" if dcol > 0 else "left")
    way_zh, way_en = wording(NAME_SHIFT_WORDS[way], {"n": abs(drow) if drow else abs(dcol)})
    cause_zh, _ = NAME_SHIFT_WORDS["table-inserted" if drow > 0 or dcol > 0 else "table-deleted"]
    return finding("name-moved", "shifted", {**params, "way": way_zh, "way_en": way_en, "cause": cause_zh}, **where)


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
                    out.append(finding("rows-shifted", "changed" if now else "blanked",
                                       {"cell": t.cell, "label": t.text, "now": now}, sheet=s.title, cell=t.cell,
                                       expected=t.text, actual=now or None))
                continue
            variant = ("down" if offset > 0 else "up") + ("-many" if len(items) > 1 else "")
            out.append(finding("rows-shifted", variant,
                               {"row": row, "label": t.text, "n": abs(offset), "cell": t.cell,
                                "now_cell": f"{col}{row + offset}", "count": len(items), "more": len(items) - 1},
                               sheet=s.title, cell=t.cell, expected=t.cell, actual=f"{col}{row + offset}"))
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
        return spec.field(key).label
    table, col = key.split(".")
    t = spec.table(table)
    c = t.column(col)
    return wording(ROW_LABEL, {"table": t.label, "table_en": t.label_en, "row": index + 1, "column": c.label,
                             "column_en": c.label_en})[0]


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
                out.append(finding("merged-input", "more" if len(hit) > 3 else "default",
                                   {"range": m, "inputs": hit[:3], "count": len(hit)}, sheet=title, cell=a, actual=m))
    return out


def _external(loaded: Loaded) -> list[Finding]:
    out: list[Finding] = []
    book = loaded.book
    if book.external_links:
        out.append(finding("external-link", "links", {"count": book.external_links}, actual=book.external_links))
    for title in spec.sheet_titles():
        data = book.sheet(title)
        if data is None or title == spec.LIVE_SHEET:
            continue  # every 校验 formula is compared with the template's text (formulas.py)
        for ref, c in data.cells.with_formula():
            if c.formula and EXTERNAL.search(c.formula):
                out.append(finding("external-link", "formula", {"formula": c.formula}, sheet=title, cell=ref,
                                   actual="=" + c.formula))
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
        out.append(finding("macros-ignored", "default"))
    return out


__all__ = ["FATAL", "check", "identify"]
