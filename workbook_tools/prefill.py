"""Prefill: one workbook per department from the budget/final-accounts system's export.

The finance bureau already holds every department's figures (编制/实有, 年初预算 and 决算 by economic class,
三公 by item this year and last, project totals); sending each department a workbook that holds them means
staff only write the narrative and the lists, and the figures in the reports match the bureau's own.
The export's column headers differ from system to system, so they are mapped to the template's defined
names by a small JSON file (``workbook_tools/data/prefill_columns.json``, format in docs/batch.md).

A row whose values do not fit the template (text in an amount column, no unit name, a year out of range)
is reported with its row number and not written; every other row still is. pandas is imported here (the
batch path), never on the validate path.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .core import spec
from .core.errors import WorkbookToolsError
from .core.model import Evaluation, Value
from .core.numbers import parse_text_number

MAPPING_FORMAT = "workbook_tools/prefill-mapping"
AMOUNT_UNITS: dict[str, Decimal] = {"万元": Decimal(1), "元": Decimal(10000)}
#: File-name budget: 80 characters keep a Chinese name (3 bytes each in UTF-8) under the 255-byte limit.
MAX_NAME_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_SPACES = re.compile(r"\s+")

Severity = Literal["error", "warning"]


class PrefillError(WorkbookToolsError):
    """The export or the mapping cannot be used at all; the message names the file, in Chinese."""

    code = "prefill-unusable"


@dataclass(frozen=True)
class ColumnMapping:
    """Which export column feeds which template input; the first header present in the file wins."""

    columns: dict[str, tuple[str, ...]]
    amount_unit: str = "万元"
    sheet: str | None = None

    @property
    def scale(self) -> Decimal:
        return AMOUNT_UNITS[self.amount_unit]


@dataclass(frozen=True)
class RowIssue:
    """A problem in one row of the export; ``row`` counts the header as row 1, as a spreadsheet shows it."""

    row: int
    message: str
    message_en: str
    column: str | None = None
    severity: Severity = "error"

    def text(self, lang: str = "zh") -> str:
        where = f"row {self.row}" if lang == "en" else f"第 {self.row} 行"
        if self.column:
            where += f" ({self.column})" if lang == "en" else f"（列“{self.column}”）"
        return f"{where}: {self.message_en}" if lang == "en" else f"{where}：{self.message}"


@dataclass(frozen=True)
class Written:
    row: int
    unit: str
    year: int | None
    path: Path


@dataclass
class PrefillResult:
    source: Path
    rows: int = 0
    written: list[Written] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # mapped fields with no column in this export

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def exit_code(self) -> int:
        """0 every row written, 1 some rows malformed (the rest written)."""
        return 1 if self.errors else 0


# -- mapping ------------------------------------------------------------------------------------


def default_mapping_text() -> str:
    return resources.files("workbook_tools").joinpath("data/prefill_columns.json").read_text(encoding="utf-8")


def load_mapping(path: Path | None = None) -> ColumnMapping:
    """The default mapping, overridden key by key by ``path`` (``null`` drops a field)."""
    base = json.loads(default_mapping_text())
    if path is not None:
        try:
            user = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise PrefillError(f"{path}：映射文件不存在", f"{path}: mapping file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PrefillError(f"{path}：不是有效的 JSON 映射文件（{exc}）", f"{path}: not a valid JSON mapping ({exc})") from None
        if not isinstance(user, Mapping):
            raise PrefillError(f"{path}：映射文件的顶层应为 JSON 对象", f"{path}: the mapping must be a JSON object")
        unknown = set(user) - {"format", "version", "description", "amount_unit", "sheet", "columns"}
        if unknown:
            raise PrefillError(f"{path}：未知的键 {', '.join(sorted(unknown))}", f"{path}: unknown keys {', '.join(sorted(unknown))}")
        cols = user.get("columns", {})
        if not isinstance(cols, Mapping):
            raise PrefillError(f"{path}：columns 应为对象（定义名称 → 列标题）", f"{path}: columns must be an object")
        base["columns"] = {**base["columns"], **cols}
        for key in ("amount_unit", "sheet"):
            if key in user:
                base[key] = user[key]
    where = str(path) if path is not None else "prefill_columns.json"
    columns: dict[str, tuple[str, ...]] = {}
    for name, headers in base["columns"].items():
        f = spec.FIELD_BY_NAME.get(name)
        if f is None or f.is_derived:
            raise PrefillError(f"{where}：“{name}”不是模板的输入项（见 docs/template.md）",
                               f"{where}: '{name}' is not an input of the template (see docs/template.md)")
        if headers is None:
            continue
        if isinstance(headers, str):
            headers = [headers]
        if not isinstance(headers, list) or not headers or not all(isinstance(h, str) and h.strip() for h in headers):
            raise PrefillError(f"{where}：“{name}”的列标题应为文本或文本数组",
                               f"{where}: headers of '{name}' must be a string or a list of strings")
        columns[name] = tuple(headers)
    if "unit_name" not in columns:
        raise PrefillError(f"{where}：映射中必须有 unit_name（单位名称）", f"{where}: the mapping must map unit_name")
    unit = base.get("amount_unit") or "万元"
    if unit not in AMOUNT_UNITS:
        raise PrefillError(f"{where}：amount_unit 只能是 {' 或 '.join(AMOUNT_UNITS)}",
                           f"{where}: amount_unit must be one of {', '.join(AMOUNT_UNITS)}")
    sheet = base.get("sheet")
    return ColumnMapping(columns=columns, amount_unit=unit, sheet=str(sheet) if sheet else None)


def _norm_header(h: object) -> str:
    """Headers match ignoring width (（ vs (), spaces and case: exports differ in exactly these."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(h))).casefold()


# -- reading the export -------------------------------------------------------------------------


def read_export(path: Path, sheet: str | None = None) -> tuple[list[str], list[list[object]]]:
    """(headers, rows) of a CSV (UTF-8 with or without BOM, else GB18030/GBK) or a spreadsheet (calamine).

    Row *i* of the result is spreadsheet row *i* + 2 (the header is row 1); blank rows are kept so the
    numbers stay right and are skipped later.
    """
    try:
        import pandas as pd
    except ImportError:
        raise PrefillError("prefill 需要 pandas：pip install 'workbook-tools[batch]'",
                           "prefill needs pandas: pip install 'workbook-tools[batch]'") from None
    if not path.exists():
        raise PrefillError(f"{path}：文件不存在", f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            sep = "\t" if suffix == ".tsv" else sniff_separator(path)
            frame = None
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, sep=sep,
                                        skip_blank_lines=False)
                    break
                except UnicodeDecodeError:
                    continue
            if frame is None:
                raise PrefillError(f"{path}：无法识别文件编码（应为 UTF-8 或 GBK）",
                                   f"{path}: unknown text encoding (expected UTF-8 or GBK)")
        else:
            frame = pd.read_excel(path, sheet_name=sheet if sheet else 0, engine="calamine", dtype=object, header=0)
    except PrefillError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/calamine raise many kinds; the user needs one line
        raise PrefillError(f"{path}：无法读取为表格（{type(exc).__name__}: {exc}）",
                           f"{path}: cannot be read as a table ({type(exc).__name__}: {exc})") from None
    headers = [str(c) for c in frame.columns]
    rows = frame.astype(object).values.tolist()
    return headers, rows


SEPARATORS: dict[str, tuple[str, str]] = {",": ("逗号“,”", "comma ','"), ";": ("分号“;”", "semicolon ';'"),
                                          "\t": ("制表符", "tab"), "|": ("竖线“|”", "vertical bar '|'")}


def sniff_separator(path: Path) -> str:
    """The separator of a CSV's header line (a European-locale Excel writes ``;``): the candidate that occurs
    most often in the first line, comma on a tie."""
    with path.open("rb") as fh:
        head = fh.readline(1 << 16)
    text = head.decode("utf-8", "replace")
    counts = {sep: text.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda k: (counts[k], k == ","))
    return best if counts[best] else ","


def uncached_formulas(path: Path, sheet: str | None = None) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column index) → (cell, formula) of the export's formula cells, for an .xlsx/.xlsm: calamine reads
    their cached values, and a formula saved without one (by a program that does not calculate) would
    otherwise be a silent blank."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=False)
        ws = wb[sheet] if sheet else wb.worksheets[0]
        out: dict[tuple[int, int], tuple[str, str]] = {}
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if getattr(c, "data_type", None) == "f" and isinstance(c.value, str):
                    out[(c.row, c.column - 1)] = (c.coordinate, c.value)
        wb.close()
        return out
    except Exception:  # noqa: BLE001 - calamine already read the file; this is a second opinion only
        return {}


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:  # NaN from an empty spreadsheet cell
        return True
    return isinstance(v, str) and not v.strip()


def _number(v: object) -> tuple[Decimal | None, str | None]:
    """(value, problem) for an amount or count cell of the export."""
    if isinstance(v, bool):
        return None, "是逻辑值，不是数字"
    if isinstance(v, int):
        return Decimal(v), None
    if isinstance(v, float):
        return Decimal(repr(v)), None  # shortest text of the float: 285.48, not 285.4800000000000181...
    if isinstance(v, Decimal):
        return v, None
    text = str(v)
    number, note = parse_text_number(text)
    if number is None:
        if note.startswith("“"):
            return None, note
        return None, f"“{text.strip()}”{note}" if note.startswith("不是") else f"“{text.strip()}”：{note}"
    return number, None


def _row_model(row_no: int, raw: dict[str, object], mapping: ColumnMapping, year: int | None,
               columns: dict[str, str]) -> tuple[Evaluation | None, list[RowIssue]]:
    """One export row → the model, or None with every problem of the row."""
    issues: list[RowIssue] = []
    values: dict[str, Value] = {}

    def bad(name: str, msg: str, msg_en: str, severity: Severity = "error") -> None:
        issues.append(RowIssue(row_no, msg, msg_en, columns.get(name), severity))

    for name, v in raw.items():
        f = spec.FIELD_BY_NAME[name]
        if _blank(v):
            continue
        if f.kind == "money":
            number, problem = _number(v)
            if number is None:
                bad(name, f"{f.label}：{problem}", f"{f.label_en}: {v!r} is not a number")
                continue
            number = number / mapping.scale if mapping.scale != 1 else number
            if number < 0:
                bad(name, f"{f.label}：金额为负数（{number}）", f"{f.label_en}: negative amount ({number})")
                continue
            if f.max is not None and number > f.max:
                bad(name, f"{f.label}：金额大得不合理（{number} 万元）", f"{f.label_en}: implausibly large ({number})")
                continue
            values[name] = number
        elif f.kind in spec.INTEGRAL_KINDS:
            number, problem = _number(v)
            if number is None or number != number.to_integral_value():
                bad(name, f"{f.label}：{problem or f'“{v}”不是整数'}", f"{f.label_en}: {v!r} is not a whole number")
                continue
            lo, hi = f.min, f.max
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                bad(name, f"{f.label}：{int(number)} 超出范围 {lo}–{hi}", f"{f.label_en}: {int(number)} out of range {lo}-{hi}")
                continue
            values[name] = int(number)
        else:
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
            cleaned = _CONTROL.sub("", text)
            if cleaned != text:
                bad(name, f"{f.label}：含控制字符，已去除", f"{f.label_en}: control characters removed", "warning")
            if f.kind == "choice" and f.choices and cleaned not in f.choices:
                bad(name, f"{f.label}：“{cleaned}”不是可选值（{'、'.join(f.choices)}）",
                    f"{f.label_en}: {cleaned!r} is not one of the choices")
                continue
            if cleaned:
                values[name] = cleaned
    if not values.get("unit_name"):
        bad("unit_name", "单位名称为空", "unit name is empty")
    if values.get("fiscal_year") is None:
        if year is not None:
            values["fiscal_year"] = year
        elif not any(i.column == columns.get("fiscal_year") and i.severity == "error" for i in issues):
            bad("fiscal_year", "评价年度为空（可用 --year 指定）", "fiscal year is empty (give --year)")
    if any(i.severity == "error" for i in issues):
        return None, issues
    return Evaluation(values=values), issues


def iter_models(source: Path, mapping: ColumnMapping | None = None, year: int | None = None,
                result: PrefillResult | None = None) -> Iterator[tuple[int, Evaluation | None, list[RowIssue]]]:
    """(row number, model or None, issues) for every non-blank row of the export."""
    mapping = mapping or load_mapping()
    headers, rows = read_export(source, mapping.sheet)
    index = {_norm_header(h): i for i, h in reversed(list(enumerate(headers)))}  # first of duplicates wins
    picked: dict[str, int] = {}
    column_names: dict[str, str] = {}
    unmapped: list[str] = []
    for name, options in mapping.columns.items():
        for h in options:
            i = index.get(_norm_header(h))
            if i is not None:
                picked[name] = i
                column_names[name] = headers[i]
                break
        else:
            unmapped.append(name)
    if "unit_name" not in picked:
        zh_sep = en_sep = ""
        if source.suffix.lower() in (".csv", ".txt", ".tsv"):
            found = "\t" if source.suffix.lower() == ".tsv" else sniff_separator(source)
            zh_sep = f"（按{SEPARATORS[found][0]}分隔读到 {len(headers)} 列：{'、'.join(headers[:6])}）"
            en_sep = f" (read as {SEPARATORS[found][1]}-separated: {len(headers)} columns)"
        raise PrefillError(
            f"{source}：找不到单位名称列（{'、'.join(mapping.columns['unit_name'])}）{zh_sep}；请检查表头或用 --mapping 指定",
            f"{source}: no unit-name column ({', '.join(mapping.columns['unit_name'])}){en_sep}; check the header or "
            "give --mapping")
    if "fiscal_year" not in picked and year is None:
        raise PrefillError(f"{source}：找不到年度列，请用 --year 指定评价年度",
                           f"{source}: no year column; give --year")
    if result is not None:
        result.unmapped = unmapped
    formulas = uncached_formulas(source, mapping.sheet)
    for i, row in enumerate(rows):
        row_no = i + 2
        raw = {name: (row[col] if col < len(row) else None) for name, col in picked.items()}
        if all(_blank(v) for v in row) and not any((row_no, col) in formulas for col in picked.values()):
            continue
        if result is not None:
            result.rows += 1
        model, issues = _row_model(row_no, raw, mapping, year, column_names)
        for name, col in picked.items():
            if (row_no, col) in formulas and _blank(raw[name]):
                ref, text = formulas[(row_no, col)]
                label = spec.FIELD_BY_NAME[name].label
                issues.append(RowIssue(row_no, f"{label}：单元格 {ref} 是公式 {text}，但文件中没有保存计算结果，无法读取数值；"
                                       "请在 Excel 或 WPS 中打开并保存后再导入",
                                       f"{spec.FIELD_BY_NAME[name].label_en}: cell {ref} is the formula {text} with no "
                                       "cached result; open and save the file in Excel or WPS first", column_names.get(name)))
                model = None
        yield row_no, model, issues


# -- file names ---------------------------------------------------------------------------------


def safe_filename(name: str, fallback: str = "单位") -> str:
    """A file name (no folder) for any text: no separators, control characters, '..', reserved names."""
    s = unicodedata.normalize("NFC", name)
    s = _UNSAFE.sub("_", s)
    s = _SPACES.sub(" ", s).strip(" ._")
    s = re.sub(r"\.{2,}", ".", s)
    if not s:
        s = fallback
    if s.split(".")[0].upper() in _WINDOWS_RESERVED or s.startswith("~$"):
        s = "_" + s  # "~$…" is what Office names its lock files: batch would skip such a workbook
    return s[:MAX_NAME_CHARS].rstrip(" .")


class NameAllocator:
    """Unique output names within one folder, compared the way Windows and macOS compare them."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, stem: str, suffix: str) -> str:
        candidate = f"{stem}{suffix}"
        n = 2
        while candidate.casefold() in self._taken:
            candidate = f"{stem}_{n}{suffix}"
            n += 1
        self._taken.add(candidate.casefold())
        return candidate


def output_name(model: Evaluation) -> str:
    year = model.fiscal_year
    return safe_filename(f"{model.unit_name}_{year}" if year else model.unit_name)


# -- the command --------------------------------------------------------------------------------


def prefill(source: Path, out_dir: Path, *, mapping: ColumnMapping | None = None, year: int | None = None,
            template: Path | None = None) -> PrefillResult:
    """Write ``<单位名称>_<年度>.xlsx`` into ``out_dir`` for each good row; report the others by row number."""
    from .template import write_filled

    result = PrefillResult(source=Path(source))
    out_dir = Path(out_dir)
    root = out_dir.resolve()
    names = NameAllocator()
    seen: dict[tuple[str, int | None], int] = {}
    for row_no, model, issues in iter_models(Path(source), mapping, year, result):
        result.issues.extend(issues)
        if model is None:
            continue
        key = (model.unit_name, model.fiscal_year)
        if key in seen:
            result.issues.append(RowIssue(row_no, f"与第 {seen[key]} 行单位和年度相同，另存为新文件",
                                          f"same unit and year as row {seen[key]}; written to a separate file",
                                          severity="warning"))
        seen.setdefault(key, row_no)
        dest = out_dir / names.take(output_name(model), ".xlsx")
        if dest.resolve().parent != root:  # belt and braces: safe_filename already forbids separators
            raise AssertionError(f"unsafe output name: {dest}")
        write_filled(model, dest, template)
        result.written.append(Written(row_no, model.unit_name, model.fiscal_year, dest))
    return result


def issue_json(issue: RowIssue) -> dict[str, Any]:
    return {"row": issue.row, "column": issue.column, "severity": issue.severity,
            "message": issue.message, "message_en": issue.message_en}


__all__ = [
    "ColumnMapping", "RowIssue", "Written", "PrefillResult", "PrefillError", "load_mapping", "read_export",
    "iter_models", "prefill", "safe_filename", "NameAllocator", "output_name", "default_mapping_text",
]
