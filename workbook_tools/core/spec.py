"""The one declarative description of the evaluation workbook.

Every sheet, input, derived value (with its Excel formula), list table, label and bound lives here, and
nowhere else: the template builder, the reader, the checks, the filler and the exporter all read this
module. It imports no I/O library, so it is cheap to import on every path.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from typing import Literal

import msgspec

from .cells import col_index, rc
from .expr import (
    Add,
    ChangeRate,
    Expr,
    FirstGiven,
    Given,
    Grade,
    Ratio,
    Ref,
    Round,
    Sub,
    Sum,
    SumIfGiven,
    SumOrStated,
)

TEMPLATE_ID = "workbook_tools/department-evaluation"
TEMPLATE_VERSION = "2.1"
#: Versions this code reads, validates and fills: an older one against its own layout (data/layouts/<version>.json),
#: where a part added later (``since``) is simply absent; ``workbook-tools migrate`` carries it into the current one.
KNOWN_VERSIONS: tuple[str, ...] = ("1.0", "2.0", "2.1")

#: The sheet of live checks (formulas the workbook computes itself), added in template 2.1.
LIVE_SHEET = "校验"
LIVE_SINCE = "2.1"
#: The 校验 sheet is protected with this published password: not a secret but a seal. While a sheet carries
#: it, none of its cells can have been edited in Excel, WPS or LibreOffice (unprotecting needs the password),
#: so ``validate`` need not read its thousands of formulas; a broken seal makes it compare every one.
LIVE_SEAL_PASSWORD = "workbook-tools"
#: Excel's legacy 16-bit hash of the seal password (as stored in ``<sheetProtection password=…>``).
LIVE_SEAL_HASH = "C31D"
#: The status line of each sheet and the 校验 sheet's summary: {scope} is 本表 (a sheet's own rows) or 本工作簿 (all),
#: {errors} and {warnings} the counts, {sheet} the 校验 sheet (rendered as Excel formulas by core/live_checks.py).
LIVE_STATUS_OK = "{scope}校验通过"
LIVE_STATUS_FAILED = "{scope}校验：{errors} 个错误，{warnings} 个警告（详见“{sheet}”表）"
LIVE_SCOPE_SHEET, LIVE_SCOPE_BOOK = "本表", "本工作簿"
#: The 校验 sheet's column headers, A to H (live_checks names the formula cells it owns by them).
LIVE_COLUMNS: tuple[str, ...] = ("序号", "结果", "工作表", "位置", "检查项", "代码", "说明", "按输入计算")
#: The 检查项 of a 校验 row about one row of a list: {table} the list's label, {row} its row, {item} what is checked.
LIVE_ROW_ITEM = "{table}第 {row} 行 {item}"
#: The 检查项 of the cross-table checks that are no rule object (checks/crosstable.py codes them), by finding
#: code; the rules of ``CROSS_RULES`` carry their own (:attr:`Equal.label`, :attr:`AtMost.label`).
LIVE_CHECK_ITEMS: dict[str, str] = {"score-exceeds-weight": "得分不超过分值", "weights-not-100": "分值合计为100",
                                    "staff-without-quota": "有实有人数必有编制数"}
LIVE_NOTE = ("本表由公式实时检查，填写或修改后立即更新；有问题的单元格同时标为红色（错误）或橙色（警告），点击“位置”可跳到该单元格。"
             "定义名称被移动或删除、工作表被删除或改名、行被插入、公式文字被改动、宏、外部链接、损坏或恶意文件、日期格式、控制字符，"
             "以及按舍入区间推算的截尾判断，只有完整校验程序（workbook-tools validate，由财政局或网页校验运行）能发现。")


def version_key(v: str | None) -> tuple[int, ...]:
    """'2.0' → (2, 0) for comparing versions; unparseable text sorts first."""
    try:
        return tuple(int(p) for p in (v or "").split("."))
    except ValueError:
        return ()


def present_in(since: str, version: str | None) -> bool:
    """Whether a part introduced in template ``since`` exists in a workbook of ``version`` (unknown: the current)."""
    return version_key(version or TEMPLATE_VERSION) >= version_key(since)

Kind = Literal["text", "longtext", "int", "year", "money", "percent", "choice", "score", "grade"]
Role = Literal["input", "derived"]
TextStyle = Literal["title", "section", "header", "label", "note", "static"]

MONEY_UNIT = "万元"
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_MONEY = Decimal("100000000")  # 万元; larger figures are typing accidents (1e12 元)


class KindSpec(msgspec.Struct, frozen=True):
    """What a kind of cell is. Consumers ask this table instead of listing kinds."""

    numeric: bool = False
    integral: bool = False  # whole numbers: a stated 3.5 is wrong, JSON gives int
    decimals: int | None = None  # places a value keeps (Excel ROUND; the template's number format)
    unit: str = ""  # default unit of a named row cell
    number_format: str | None = None  # Excel number format; None: text ("@") for inputs, General for derived
    wraps: bool = False  # free text that wraps in its cell
    rounded_input: bool = False  # a stated value stands for every value that rounds to it (intervals)


KINDS: dict[str, KindSpec] = {
    "text": KindSpec(wraps=True),
    "longtext": KindSpec(wraps=True),
    "int": KindSpec(numeric=True, integral=True, decimals=0, unit="人", number_format="0"),
    "year": KindSpec(numeric=True, integral=True, decimals=0, number_format="0"),
    "money": KindSpec(numeric=True, decimals=2, unit=MONEY_UNIT, number_format="0.00", rounded_input=True),
    "percent": KindSpec(numeric=True, decimals=2, unit="%", number_format="0.00"),
    "choice": KindSpec(),
    "score": KindSpec(numeric=True, decimals=2, number_format="0.00"),
    "grade": KindSpec(),
}
NUMERIC_KINDS: frozenset[str] = frozenset(k for k, s in KINDS.items() if s.numeric)
INTEGRAL_KINDS: frozenset[str] = frozenset(k for k, s in KINDS.items() if s.integral)

#: Grade bands (lower bound inclusive), 财预〔2020〕10号 boundaries with the Hunan labels the seed uses.
GRADE_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("优秀", Decimal(90)),
    ("良好", Decimal(80)),
    ("中", Decimal(60)),
    ("差", Decimal(0)),
)

META_SHEET = "_meta"
#: Defined names of the template version cells in the very hidden sheet.
META_NAMES = {"template_id": (META_SHEET, "B1"), "template_version": (META_SHEET, "B2"), "profile": (META_SHEET, "B3")}
META_MEANINGS = {"template_id": "模板标识", "template_version": "模板版本", "profile": "配置（地区口径，见 docs/profiles.md）"}

UNIT_TYPES: tuple[str, ...] = (
    "行政单位",
    "参照公务员法管理事业单位",
    "全额拨款事业单位",
    "差额拨款事业单位",
    "自收自支事业单位",
    "其他",
)

#: Narrative sections kept as rows (部分 column): key → label, in report order.
NARRATIVE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("internal_management", "内部管理"),
    ("eval_purpose", "绩效评价目的"),
    ("eval_process", "绩效评价工作过程"),
    ("achievements", "主要绩效情况"),
    ("problems", "存在问题"),
    ("improvements", "改进措施"),
)
#: 指标性质 as the national and Sichuan forms write it: 正向 (≥), 反向 (≤), 等于 (=), 定性.
INDICATOR_NATURES: tuple[str, ...] = ("≥", "≤", "=", "定性")
NARRATIVE_LEVELS = "0=正文段落，1=（一）级标题，2=1.级标题，3=（1）级标题"
#: Headers of the batch summary's columns that show no field of the workbook (a field it shows is headed by its
#: :attr:`Field.short`): the file and its counts, the findings lists, the charts. Key → (Chinese, English).
SUMMARY_HEADERS: dict[str, tuple[str, str]] = {
    "file": ("文件", "File"),
    "errors": ("错误数", "Errors"),
    "warnings": ("警告数", "Warnings"),
    "status": ("状态", "Status"),
    "note": ("说明", "Note"),
    "sheet": ("工作表", "Sheet"),
    "cell": ("单元格", "Cell"),
    "code": ("代码", "Code"),
    "severity": ("级别", "Severity"),
    "message": ("说明", "Message"),
    "reason": ("原因", "Reason"),
    "title": ("问题", "Finding"),
    "family": ("类别", "Family"),
    "files": ("文件数", "Files"),
    "findings": ("处数", "Findings"),
    "department": ("单位", "Unit"),
    "departments": ("单位数", "Departments"),
}


class Field(msgspec.Struct, frozen=True):
    """One named cell: an input staff type into, or a derived value the template computes."""

    name: str
    sheet: str
    cell: str
    label: str
    label_en: str
    kind: Kind
    role: Role = "input"
    expr: Expr | None = None
    required: bool = False
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    meaning: str = ""
    #: Required only while every one of these is blank (项目支出 is not needed when only 支出总额 is stated).
    required_unless: tuple[str, ...] = ()
    #: The column header where a table of many workbooks shows this field (the batch summary and its charts),
    #: in Chinese and English; blank for a field no such table shows.
    short: str = ""
    short_en: str = ""

    @property
    def is_derived(self) -> bool:
        return self.role == "derived"

    @property
    def formula(self) -> str | None:
        return self.expr.formula() if self.expr else None

    @property
    def decimals(self) -> int | None:
        return KINDS[self.kind].decimals


class Column(msgspec.Struct, frozen=True):
    """One column of a list table; its range is named ``<table>_<key>``."""

    key: str
    col: str
    label: str
    label_en: str
    kind: Kind
    required: bool = False
    width: float = 14
    choices: tuple[str, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str = ""

    @property
    def decimals(self) -> int | None:
        return KINDS[self.kind].decimals


class ListTable(msgspec.Struct, frozen=True):
    """A variable-length table with a fixed capacity, located by its defined name, not by address."""

    name: str
    sheet: str
    label: str
    label_en: str
    header_row: int
    first_row: int
    capacity: int
    columns: tuple[Column, ...]
    number_col: str = "A"

    @property
    def last_row(self) -> int:
        return self.first_row + self.capacity - 1

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def range_name(self, key: str) -> str:
        return f"{self.name}_{key}"

    def column_ref(self, key: str) -> str:
        c = self.column(key).col
        return f"{c}{self.first_row}:{c}{self.last_row}"

    @property
    def ref(self) -> str:
        cols = [self.number_col] + [c.col for c in self.columns]
        first = min(cols, key=col_index)
        last = max(cols, key=col_index)
        return f"{first}{self.first_row}:{last}{self.last_row}"


class Text(msgspec.Struct, frozen=True):
    """A fixed label or heading; validation uses them to notice inserted or deleted rows."""

    cell: str
    text: str
    style: TextStyle = "label"
    merge_to: str | None = None


class Sheet(msgspec.Struct, frozen=True):
    key: str
    title: str
    title_en: str
    widths: dict[str, float] = msgspec.field(default_factory=dict)
    texts: tuple[Text, ...] = ()
    landscape: bool = False
    hidden: bool = False
    #: Where the sheet's live status line goes (template 2.1), in the title row, merged up to ``status_to``.
    status_cell: str | None = None
    status_to: str | None = None
    since: str = "1.0"
    #: Optional blocks (profiles.BLOCKS) by rows (first, last) or columns ("H", "L"): a profile that does not
    #: use a block gets those rows or columns hidden in its template, never removed.
    row_blocks: tuple[tuple[str, int, int], ...] = ()
    col_blocks: tuple[tuple[str, str, str], ...] = ()


class PartsCheck(msgspec.Struct, frozen=True):
    """Parts that, when given, must add up to a total (公务用车购置 + 运行维护 = 公务用车购置及运行费)."""

    key: str
    label: str
    parts: tuple[str, ...]
    total: str
    min_parts: int = 2  # how many parts must be given before the sum is checked ("其中" alone is not a breakdown)
    when: tuple[str, ...] = ()  # inputs of which one must be typed (derived parts are never blank)


class Constant(msgspec.Struct, frozen=True):
    """A locked value owned by the template (grade thresholds): data, not code."""

    name: str
    sheet: str
    ref: str
    values: tuple[str | Decimal, ...]
    meaning: str


class RateRow(msgspec.Struct, frozen=True):
    """One row of a 年初预算 | 决算金额 | 占比% table, by the defined names of its three cells."""

    key: str
    label: str
    label_en: str
    budget: str
    actual: str
    rate: str


class _Table(msgspec.Struct, frozen=True):
    """What the rate and change tables share: a key, the title and the header row."""

    key: str
    title: str
    header: tuple[str, ...]

    @property
    def number(self) -> str:
        """The table's number as its title gives it (表3, 表4), by which other labels cite the table."""
        return self.title.split(" ", 1)[0]


class RateTable(_Table, frozen=True):
    """表1, 表2, 表4: rows and their 合计, which the template lays out and the report and summary iterate."""

    rows: tuple[RateRow, ...]
    total: RateRow

    def names(self) -> set[str]:
        """The defined names of the table's cells (rows and 合计)."""
        return {n for r in (*self.rows, self.total) for n in (r.budget, r.actual, r.rate)}


class ChangeRow(msgspec.Struct, frozen=True):
    """One row of 表3 (this year against last year), by the defined names of its cells."""

    key: str
    label: str
    label_en: str
    prev: str
    current: str
    change: str
    change_pct: str


class ChangeTable(_Table, frozen=True):
    """表3: this year's 三公 against last year's, row by row and in total."""

    rows: tuple[ChangeRow, ...]
    total: ChangeRow


class Equal(msgspec.Struct, frozen=True):
    """A list column's total must equal a stated figure (项目明细合计 = 表4 项目支出); checked by
    :mod:`workbook_tools.checks.crosstable`, which names the finding ``code``."""

    left: str  # a list column's range name, e.g. projects_actual
    right: str  # a defined name
    code: str

    @property
    def table(self) -> ListTable:
        return next(t for t in TABLES if any(t.range_name(c.key) == self.left for c in t.columns))

    @property
    def column(self) -> Column:
        return next(c for c in self.table.columns if self.table.range_name(c.key) == self.left)

    @property
    def label(self) -> str:
        """The 检查项 of the rule's 校验 row: the list's column total against the table that states it
        (项目明细决算金额合计与表4)."""
        stated = next(t for t in RATE_TABLES if self.right in t.names())
        return f"{self.table.label}{self.column.label}合计与{stated.number}"


class AtMost(msgspec.Struct, frozen=True):
    """``left`` may not exceed ``right`` (三公经费 is part of 基本支出); ``what`` names the pair's figure,
    ``label`` is the 检查项 of the rule's 校验 row."""

    left: str
    right: str
    code: str
    what: str
    what_en: str
    label: str


# ---------------------------------------------------------------------------------------------
# Builders: they expand compact declarations into Fields and Texts, computing addresses once.


def _row_field(name: str, sheet: str, row: int, label: str, label_en: str, kind: Kind, **kw: object) -> Field:
    kw.setdefault("unit", KINDS[kind].unit)
    return Field(name=name, sheet=sheet, cell=f"B{row}", label=label, label_en=label_en, kind=kind, **kw)  # type: ignore[arg-type]


def _rate_table(
    sheet: str,
    top: int,
    title: str,
    head: tuple[str, ...],
    rows: tuple[tuple[str, str, str], ...],
    total: tuple[str, str, str],
    prefix: str,
    meaning: str,
    total_label: str,
    stated: bool = False,
    share: bool = False,
    total_short: tuple[tuple[str, str], tuple[str, str]] = (("", ""), ("", "")),
) -> tuple[list[Field], list[Text], RateTable]:
    """A 年初预算 | 决算金额 | 占比% table with a 合计 row of SUMs, as in the seed's 表1 and 表2.

    ``stated``: the 合计 falls back to a total stated without breakdown (``<total>_stated_budget``) when no row
    is typed. ``share``: a column E with each row's share of the 合计 决算 (a report's “占比” can mean that).
    ``total_short``: the (Chinese, English) short labels of the 合计 年初预算 and 决算 (:attr:`Field.short`).
    """
    fields: list[Field] = []
    texts = [Text(f"A{top}", title, "section", merge_to=f"E{top}")]
    texts += [Text(f"{col}{top + 1}", h, "header") for col, h in zip("ABCD", head, strict=True)]
    tkey = total[0]
    if share:
        texts.append(Text(f"E{top + 1}", "构成占比%", "header"))
    r = top + 2
    for key, label, label_en in rows:
        texts.append(Text(f"A{r}", label))
        n = f"{prefix}_{key}"
        fields += [
            Field(f"{n}_budget", sheet, f"B{r}", f"{label} 年初预算", f"{label_en}: initial budget", "money",
                  unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY),
            Field(f"{n}_actual", sheet, f"C{r}", f"{label} 决算金额", f"{label_en}: final account", "money",
                  unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY),
            Field(f"{n}_rate", sheet, f"D{r}", f"{label} 占比", f"{label_en}: execution rate", "percent",
                  role="derived", expr=Ratio(f"{n}_actual", f"{n}_budget"), unit="%",
                  meaning=f"{label}决算 ÷ 年初预算 × 100（{meaning}）"),
        ]
        if share:
            fields.append(Field(f"{n}_share", sheet, f"E{r}", f"{label} 构成占比", f"{label_en}: share of the total",
                                "percent", role="derived", expr=Ratio(f"{n}_actual", f"{tkey}_actual"), unit="%",
                                meaning=f"{label}决算 ÷ 合计决算 × 100（构成占比，不是执行率）"))
        r += 1
    tkey, tlabel, tlabel_en = total

    def total_of(col: str) -> Expr:
        names = tuple(f"{prefix}_{k}_{col}" for k, _, _ in rows)
        return SumOrStated(names, f"{tkey}_stated_{col}", names) if stated else Sum(names)

    texts.append(Text(f"A{r}", tlabel))
    (budget_short, budget_short_en), (actual_short, actual_short_en) = total_short
    fields += [
        Field(f"{tkey}_budget", sheet, f"B{r}", f"{total_label} 年初预算", f"{tlabel_en}: initial budget", "money",
              role="derived", expr=total_of("budget"), unit=MONEY_UNIT,
              meaning="各行年初预算之和" + ("；各行都未填时取“只有总额时”填写的总额" if stated else ""),
              short=budget_short, short_en=budget_short_en),
        Field(f"{tkey}_actual", sheet, f"C{r}", f"{total_label} 决算金额", f"{tlabel_en}: final account", "money",
              role="derived", expr=total_of("actual"), unit=MONEY_UNIT,
              meaning="各行决算金额之和" + ("；各行都未填时取“只有总额时”填写的总额" if stated else ""),
              short=actual_short, short_en=actual_short_en),
        Field(f"{tkey}_rate", sheet, f"D{r}", f"{total_label} 占比", f"{tlabel_en}: execution rate", "percent",
              role="derived", expr=Ratio(f"{tkey}_actual", f"{tkey}_budget"), unit="%",
              meaning="合计决算 ÷ 合计年初预算 × 100"),
    ]
    table = RateTable(prefix, title, head,
                      tuple(RateRow(k, lab, lab_en, f"{prefix}_{k}_budget", f"{prefix}_{k}_actual", f"{prefix}_{k}_rate")
                            for k, lab, lab_en in rows),
                      RateRow(tkey, tlabel, tlabel_en, f"{tkey}_budget", f"{tkey}_actual", f"{tkey}_rate"))
    return fields, texts, table


SOURCE_ROWS: tuple[tuple[str, str], ...] = (("fiscal", "财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
_WHO = {"total": ("支出总额", "total"), "basic": ("基本支出", "basic"), "project": ("项目支出", "project")}


def _block_field(name: str, sheet: str, cell: str, label: str, how: str) -> Field:
    """A cell of an optional 资金使用 block; ``how`` says what it is (an input, or which derived figure)."""
    if how in ("money", "supplement", "adjusted"):
        what = {"money": label, "supplement": f"{label} 年中追加", "adjusted": f"{label} 全年预算数（调整后）"}[how]
        return Field(name, sheet, cell, what, name.replace("_", " "), "money", min=Decimal(0), max=MAX_MONEY, unit=MONEY_UNIT)
    kind, _, who = how.partition(":")
    if kind == "adjusted-calc":
        w, p = _WHO[who]
        adjusted = "adjusted_budget" if p == "total" else f"{p}_adjusted_budget"
        return Field(name, sheet, cell, f"{w} 全年预算数（计算）", f"{w}: full-year budget", "money", role="derived",
                     expr=FirstGiven(adjusted, Given(Round(Add(f"{p}_budget", f"{p}_supplement")), (f"{p}_supplement",))),
                     meaning="填了全年预算数（调整后）取其值；否则为年初预算 + 年中追加；两者都未填时留空", unit=MONEY_UNIT)
    if kind == "supplement-calc":
        w, p = _WHO[who]
        adjusted = "adjusted_budget" if p == "total" else f"{p}_adjusted_budget"
        return Field(name, sheet, cell, f"{w} 年中追加（计算）", f"{w}: supplement", "money", role="derived",
                     expr=FirstGiven(f"{p}_supplement", Given(Round(Sub(adjusted, f"{p}_budget")), (adjusted,))),
                     meaning="填了年中追加取其值；否则为全年预算数 − 年初预算；两者都未填时留空", unit=MONEY_UNIT)
    if kind == "adjusted-rate":
        w, p = _WHO[who]
        return Field(name, sheet, cell, f"{w} 预算执行率（全年预算口径）", f"{w}: execution against the full-year budget",
                     "percent", role="derived", expr=Ratio(f"{p}_actual", f"{p}_adjusted", den_may_be_blank=True),
                     unit="%", meaning=f"{w}决算（全年执行数）÷ 全年预算数 × 100（全国自评表口径；四川“预算执行数 ÷ 调整后预算数”）")
    if kind == "available":
        return Field(name, sheet, cell, "可用预算", "Budget available", "money", role="derived",
                     expr=Round(Sum(("carryover_prev", "total_budget", "total_supplement_calc"))),
                     meaning="上年结转结余 + 年初预算 + 本年追加（预算完成率的分母）", unit=MONEY_UNIT)
    if kind == "used":
        return Field(name, sheet, cell, "实际使用", "Budget used", "money", role="derived",
                     expr=Round(Sub("budget_available", "carryover_end")),
                     meaning="可用预算 − 年末结转结余（预算完成率的分子）", unit=MONEY_UNIT)
    if kind == "rate":
        return Field(name, sheet, cell, f"{label} 占比", f"{who}: execution rate", "percent", role="derived",
                     expr=Ratio(f"{who}_actual", f"{who}_budget"), unit="%", meaning=f"{label}决算 ÷ 年初预算 × 100")
    if kind == "source-rate":
        return Field(name, sheet, cell, f"{label} 执行率", f"source {who}: execution rate", "percent", role="derived",
                     expr=Ratio(f"source_{who}_actual", f"source_{who}_adjusted",
                                blank_if_blank=(f"source_{who}_actual",)),
                     unit="%", meaning=f"{label}全年执行数 ÷ 全年预算数 × 100")
    raise ValueError(how)


SANGONG_ROWS: tuple[tuple[str, str, str], ...] = (
    ("reception", "公务接待费", "Official reception"),
    ("vehicle", "公务用车购置及运行费", "Official vehicles (purchase and running)"),
    ("abroad", "因公出国（境）费用", "Official travel abroad"),
)
BASIC_ROWS: tuple[tuple[str, str, str], ...] = (
    ("wages", "工资福利支出", "Wages and benefits"),
    ("goods", "商品和服务支出", "Goods and services"),
    ("subsidies", "对个人和家庭的补助", "Subsidies to individuals and households"),
    ("capital", "资本性支出", "Capital expenditure"),
)

# ---------------------------------------------------------------------------------------------
# One builder per sheet. Each returns the sheet with its texts and everything it declares; _build only
# concatenates the parts in sheet order.


class SheetPart(msgspec.Struct, frozen=True):
    """What one sheet declares: the sheet (with its texts), its named cells, tables and rules."""

    sheet: Sheet
    fields: tuple[Field, ...] = ()
    tables: tuple[ListTable, ...] = ()
    constants: tuple[Constant, ...] = ()
    rate_tables: tuple[RateTable, ...] = ()
    change_tables: tuple[ChangeTable, ...] = ()
    parts_checks: tuple[PartsCheck, ...] = ()
    cross_rules: tuple[Equal | AtMost, ...] = ()


def _guide_sheet() -> SheetPart:
    """填表说明: its text is written by the template builder from this spec."""
    return SheetPart(Sheet("guide", "填表说明", "Instructions", {"A": 80}, (), status_cell="A3"))


def _unit_sheet() -> SheetPart:
    """基本情况: one named input (or derived) cell per row, with its label in A and its unit in C."""
    U = "基本情况"
    unit_rows: list[tuple[str, str, str, Kind, dict[str, object]]] = [
        ("unit_name", "单位名称", "Unit name", "text", {"required": True, "short": "单位名称", "short_en": "Unit"}),
        ("fiscal_year", "评价年度", "Fiscal year", "year",
         {"required": True, "min": Decimal(MIN_YEAR), "max": Decimal(MAX_YEAR), "unit": "年",
          "short": "年度", "short_en": "Year"}),
        ("region", "所属地区", "Region", "text", {}),
        ("unit_type", "单位性质", "Kind of unit", "choice", {"choices": UNIT_TYPES, "required": True}),
        ("org_setup", "机构设置", "Organisation (internal divisions)", "longtext", {"required": True}),
        ("staff_quota", "编制数", "Authorised staff (编制)", "int",
         {"required": True, "min": Decimal(0), "max": Decimal(100000), "short": "编制数", "short_en": "Staff quota"}),
        ("staff_actual", "实有人数", "Actual staff", "int",
         {"required": True, "min": Decimal(0), "max": Decimal(100000), "short": "实有人数", "short_en": "Actual staff"}),
        ("staff_control_rate", "在职人员控制率", "Staff control rate", "percent",
         {"role": "derived", "expr": Ratio("staff_actual", "staff_quota"),
          "short": "在职人员控制率%", "short_en": "Staff control rate %",
          "meaning": "实有人数 ÷ 编制数 × 100（财预〔2013〕53号 在职人员控制率；可超过100%）"}),
        ("main_tasks", "年度主要工作任务", "Main tasks of the year", "longtext", {"required": True}),
    ]
    fields: list[Field] = []
    texts = [Text("A1", "单位基本情况", "title", merge_to="C1"),
             Text("A2", "黄色单元格由单位填写，灰色单元格自动计算，请勿改动。", "note", merge_to="D2"),
             Text("A3", "项目", "header"), Text("B3", "填写内容", "header"),
             Text("C3", "单位", "header"), Text("D3", "说明", "header")]
    for i, (name, label, label_en, kind, kw) in enumerate(unit_rows):
        row = 4 + i
        f = _row_field(name, U, row, label, label_en, kind, **kw)
        fields.append(f)
        texts.append(Text(f"A{row}", label))
        if f.unit:
            texts.append(Text(f"C{row}", f.unit, "static"))
    return SheetPart(Sheet("unit", U, "Unit", {"A": 18, "B": 70, "C": 8, "D": 30}, tuple(texts), status_cell="D1"),
                     tuple(fields))


def _duties_sheet() -> SheetPart:
    """主要职责: one list of duties."""
    duties = ListTable("duties", "主要职责", "主要职责", "Main duties", 3, 4, 30, (
        Column("text", "B", "主要职责（每行一条，不写序号）", "Duty (one per row)", "longtext", required=True, width=90),
    ))
    return SheetPart(Sheet("duties", "主要职责", "Duties", {"A": 8, "B": 70, "C": 30}, (
        Text("A1", "主要职责", "title", merge_to="B1"),
        Text("A2", "每行填写一条职责，序号由报告自动生成。", "note", merge_to="B2"),
        Text("A3", "序号", "header"), Text("B3", "主要职责（每行一条，不写序号）", "header"),
    ), status_cell="C1"), tables=(duties,))


def _goals_sheet() -> SheetPart:
    """绩效目标: one list of goals (title and text)."""
    goals = ListTable("goals", "绩效目标", "绩效目标", "Performance goals", 3, 4, 20, (
        Column("title", "B", "目标名称", "Goal title", "text", required=True, width=30),
        Column("text", "C", "目标内容", "Goal text", "longtext", width=80),
    ))
    return SheetPart(Sheet("goals", "绩效目标", "Goals", {"A": 8, "B": 30, "C": 60, "D": 30}, (
        Text("A1", "绩效目标设立情况（部门中长期绩效目标和年度绩效目标）", "title", merge_to="C1"),
        Text("A2", "每行一个目标：目标名称（如“全面加强党的建设”）和具体内容。", "note", merge_to="C2"),
        Text("A3", "序号", "header"), Text("B3", "目标名称", "header"), Text("C3", "目标内容", "header"),
    ), status_cell="D1"), tables=(goals,))


_FUNDS = "资金使用"


def _funds_overview() -> tuple[list[Field], list[Text]]:
    """资金使用 rows 1–6: the title, and 支出总额 (基本 + 项目 + 其他, or the total stated alone)."""
    F = _FUNDS
    texts: list[Text] = [
        Text("A1", "资金使用情况（单位：万元）", "title", merge_to="C1"),
        Text("A2", "黄色单元格由单位填写，灰色单元格自动计算，请勿改动。金额单位为万元，保留两位小数。", "note", merge_to="E2"),
        Text("A3", "（一）一般公共预算财政拨款支出总体情况", "section", merge_to="E3"),
        Text("A4", "项目", "header"), Text("B4", "年初预算（万元）", "header"), Text("C4", "决算金额（万元）", "header"),
        Text("D4", "执行率%", "header"),
        Text("A5", "支出总额"),
        Text("A6", "说明：支出总额 = 基本支出（表1合计）+ 项目支出（“项目支出”表）+ 其他支出；只有总额时见（三）。", "note",
             merge_to="E6"),
    ]
    fields = [
        Field("total_budget", F, "B5", "支出总额 年初预算", "Total: initial budget", "money", role="derived",
              expr=SumOrStated(("basic_budget", "project_budget", "other_budget"), "total_stated_budget",
                               (*(f"basic_{k}_budget" for k, _, _ in BASIC_ROWS), "basic_stated_budget",
                                "project_budget", "other_budget")),
              unit=MONEY_UNIT, meaning="基本支出 + 项目支出 + 其他支出的年初预算；三者都未填时取“支出总额（只有总额时）”",
              short="年初预算（万元）", short_en="Initial budget (10k yuan)"),
        Field("total_actual", F, "C5", "支出总额 决算金额", "Total: final account", "money", role="derived",
              expr=SumOrStated(("basic_actual", "project_actual", "other_actual"), "total_stated_actual",
                               (*(f"basic_{k}_actual" for k, _, _ in BASIC_ROWS), "basic_stated_actual",
                                "project_actual", "other_actual")),
              unit=MONEY_UNIT, meaning="基本支出 + 项目支出 + 其他支出的决算；三者都未填时取“支出总额（只有总额时）”",
              short="决算（万元）", short_en="Final account (10k yuan)"),
        Field("total_rate", F, "D5", "支出总额 执行率", "Total: execution rate", "percent", role="derived",
              expr=Ratio("total_actual", "total_budget"), unit="%",
              meaning="决算 ÷ 年初预算 × 100（预算执行率，财预〔2013〕53号 预算完成率口径）",
              short="执行率%", short_en="Execution rate %"),
    ]
    return fields, texts


def _sangong_change(top: int) -> tuple[list[Field], list[Text], ChangeTable, int]:
    """表3 “三公”经费与上年对比 from row ``top``; also returns the row after its 合计."""
    F = _FUNDS
    fields: list[Field] = []
    change_title = "表3 “三公”经费与上年对比情况（单位：万元）"
    change_header = ("费用项目", "上年决算（万元）", "本年决算（万元）", "增减额（万元）", "增减率%")
    texts = [Text(f"A{top}", change_title, "section", merge_to=f"E{top}")]
    texts += [Text(f"{c}{top + 1}", h, "header")
              for c, h in zip("ABCDEFGH", (*change_header, "上年预算（万元）", "本年预算（万元）", "预算增减率%"),
                              strict=True)]
    r = top + 2
    for key, label, label_en in SANGONG_ROWS:
        n = f"sangong_{key}"
        texts.append(Text(f"A{r}", label))
        fields += [
            Field(f"{n}_prev", F, f"B{r}", f"{label} 上年决算", f"{label_en}: last year's final account", "money",
                  unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY),
            Field(f"{n}_current", F, f"C{r}", f"{label} 本年决算", f"{label_en}: this year's final account", "money",
                  role="derived", expr=Ref(f"{n}_actual"), unit=MONEY_UNIT, meaning="取自表2决算金额"),
            Field(f"{n}_change", F, f"D{r}", f"{label} 增减额", f"{label_en}: change", "money", role="derived",
                  expr=Sub(f"{n}_actual", f"{n}_prev"), unit=MONEY_UNIT, meaning="本年决算 − 上年决算（负数为减少）"),
            Field(f"{n}_change_pct", F, f"E{r}", f"{label} 增减率", f"{label_en}: change rate", "percent",
                  role="derived", expr=ChangeRate(f"{n}_actual", f"{n}_prev"), unit="%",
                  meaning="(本年决算 − 上年决算) ÷ 上年决算 × 100；上年为0时留空"),
            Field(f"{n}_prev_budget", F, f"F{r}", f"{label} 上年预算", f"{label_en}: last year's budget", "money",
                  unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY),
            Field(f"{n}_current_budget", F, f"G{r}", f"{label} 本年预算", f"{label_en}: this year's budget", "money",
                  role="derived", expr=Ref(f"{n}_budget"), unit=MONEY_UNIT, meaning="取自表2年初预算"),
            Field(f"{n}_budget_change_pct", F, f"H{r}", f"{label} 预算增减率", f"{label_en}: budget change rate",
                  "percent", role="derived",
                  expr=ChangeRate(f"{n}_budget", f"{n}_prev_budget", blank_if_blank=(f"{n}_prev_budget",)), unit="%",
                  meaning="(本年预算 − 上年预算) ÷ 上年预算 × 100（预算口径）；上年预算未填或为0时留空"),
        ]
        r += 1
    texts.append(Text(f"A{r}", "合计"))
    fields += [
        Field("sangong_prev", F, f"B{r}", "三公经费合计 上年决算", "Three public expenses: last year", "money",
              role="derived", expr=Sum(tuple(f"sangong_{k}_prev" for k, _, _ in SANGONG_ROWS)), unit=MONEY_UNIT,
              meaning="各项上年决算之和", short="三公经费上年", short_en="三公 last year"),
        Field("sangong_current", F, f"C{r}", "三公经费合计 本年决算", "Three public expenses: this year", "money",
              role="derived", expr=Ref("sangong_actual"), unit=MONEY_UNIT, meaning="取自表2合计决算金额"),
        Field("sangong_change", F, f"D{r}", "三公经费合计 增减额", "Three public expenses: change", "money",
              role="derived", expr=Sub("sangong_actual", "sangong_prev"), unit=MONEY_UNIT,
              meaning="本年决算 − 上年决算（负数为减少）"),
        Field("sangong_change_pct", F, f"E{r}", "三公经费变动率", "Three public expenses: change rate", "percent",
              role="derived", expr=ChangeRate("sangong_actual", "sangong_prev"), unit="%",
              meaning="“三公经费”变动率 = (本年决算 − 上年决算) ÷ 上年决算 × 100（决算口径，同种子报告；财预〔2013〕53号）",
              short="三公经费变动率%", short_en="三公 change %"),
        Field("sangong_prev_budget", F, f"F{r}", "三公经费合计 上年预算", "Three public expenses: last year's budget",
              "money", role="derived", expr=Sum(tuple(f"sangong_{k}_prev_budget" for k, _, _ in SANGONG_ROWS)),
              unit=MONEY_UNIT, meaning="各项上年预算之和"),
        Field("sangong_current_budget", F, f"G{r}", "三公经费合计 本年预算", "Three public expenses: this year's budget",
              "money", role="derived", expr=Ref("sangong_budget"), unit=MONEY_UNIT, meaning="取自表2合计年初预算"),
        Field("sangong_budget_change_pct", F, f"H{r}", "三公经费变动率（预算口径）",
              "Three public expenses: change rate on budgets", "percent", role="derived",
              expr=ChangeRate("sangong_budget", "sangong_prev_budget"), unit="%",
              meaning="“三公经费”变动率（预算口径）= (本年预算 − 上年预算) ÷ 上年预算 × 100（湖南等地指标表口径）"),
    ]
    table = ChangeTable(
        "sangong_change", change_title, change_header,
        tuple(ChangeRow(k, lab, lab_en, f"sangong_{k}_prev", f"sangong_{k}_current", f"sangong_{k}_change",
                        f"sangong_{k}_change_pct") for k, lab, lab_en in SANGONG_ROWS),
        ChangeRow("sangong", "合计", "Three public expenses total", "sangong_prev", "sangong_current",
                  "sangong_change", "sangong_change_pct"))
    return fields, texts, table, r + 1


#: An optional block's row: key, label, English (unused), and its cells (column, defined name, how: see _block_field).
BlockRow = tuple[str, str, str, tuple[tuple[str, str, str], ...]]


def _money_block(top: int, title: str, heads: tuple[str, ...],
                 rows: list[BlockRow]) -> tuple[list[Field], list[Text], int]:
    """An optional block: a section title, a header, then rows of named money inputs (and derived cells).

    Returns its fields, its texts and its last row.
    """
    texts = [Text(f"A{top}", title, "section", merge_to=f"H{top}")]
    texts += [Text(f"{c}{top + 1}", h, "header") for c, h in zip("ABCDEFGH", heads, strict=False)]
    fields: list[Field] = []
    r = top + 2
    for _key, label, _en, cells in rows:
        texts.append(Text(f"A{r}", label))
        for col, name, how in cells:
            fields.append(_block_field(name, _FUNDS, f"{col}{r}", label, how))
        r += 1
    return fields, texts, r - 1


#: 资金使用's optional blocks (二)–(九) in sheet order: profiles.BLOCKS key, title, header, rows.
_FUNDS_BLOCKS: tuple[tuple[str, str, tuple[str, ...], list[BlockRow]], ...] = (
    ("adjustments", "（二）预算调整与执行（选填；不填则只按年初预算计算）",
     ("项目", "年中追加（万元）", "全年预算数（调整后，万元）", "全年预算数（计算）", "年中追加（计算）",
      "执行率%（决算÷全年预算）"), [
        ("total", "支出总额", "Total", (("B", "total_supplement", "supplement"), ("C", "adjusted_budget", "adjusted"),
                                        ("D", "total_adjusted", "adjusted-calc:total"),
                                        ("E", "total_supplement_calc", "supplement-calc:total"),
                                        ("F", "adjusted_rate", "adjusted-rate:total"))),
        ("basic", "基本支出", "Basic", (("B", "basic_supplement", "supplement"), ("C", "basic_adjusted_budget", "adjusted"),
                                        ("D", "basic_adjusted", "adjusted-calc:basic"),
                                        ("E", "basic_supplement_calc", "supplement-calc:basic"),
                                        ("F", "basic_adjusted_rate", "adjusted-rate:basic"))),
        ("project", "项目支出", "Project", (("B", "project_supplement", "supplement"),
                                            ("C", "project_adjusted_budget", "adjusted"),
                                            ("D", "project_adjusted", "adjusted-calc:project"),
                                            ("E", "project_supplement_calc", "supplement-calc:project"),
                                            ("F", "project_adjusted_rate", "adjusted-rate:project"))),
    ]),
    ("adjustments", "（三）结转结余（选填）", ("项目", "金额（万元）"), [
        ("carryover_prev", "上年结转结余", "", (("B", "carryover_prev", "money"),)),
        ("carryover_end", "年末结转结余", "", (("B", "carryover_end", "money"),)),
        ("available", "可用预算（上年结转 + 年初预算 + 本年追加）", "", (("B", "budget_available", "available"),)),
        ("used", "实际使用（可用预算 − 年末结转结余）", "", (("B", "budget_used", "used"),)),
    ]),
    ("totals_only", "（四）只有总额时（选填；有分项时不填）", ("项目", "年初预算（万元）", "决算金额（万元）"), [
        ("total-stated", "支出总额（未分基本、项目支出时）", "",
         (("B", "total_stated_budget", "money"), ("C", "total_stated_actual", "money"))),
        ("basic-stated", "基本支出总额（未分经济分类时）", "",
         (("B", "basic_stated_budget", "money"), ("C", "basic_stated_actual", "money"))),
        ("other", "其他支出（基本、项目支出以外）", "", (("B", "other_budget", "money"), ("C", "other_actual", "money"))),
    ]),
    ("personnel_public", "（五）基本支出按人员经费、公用经费（选填）",
     ("项目", "年初预算（万元）", "决算金额（万元）", "占比%"), [
        ("personnel", "人员经费（含对个人和家庭的补助）", "",
         (("B", "basic_personnel_budget", "money"), ("C", "basic_personnel_actual", "money"),
          ("D", "basic_personnel_rate", "rate:basic_personnel"))),
        ("public", "公用经费", "", (("B", "basic_public_budget", "money"), ("C", "basic_public_actual", "money"),
                                    ("D", "basic_public_rate", "rate:basic_public"))),
    ]),
    ("sources", "（六）资金来源（选填）", ("资金来源", "年初预算（万元）", "全年预算数（万元）", "全年执行数（万元）", "执行率%"), [
        (k, label, "", (("B", f"source_{k}_budget", "money"), ("C", f"source_{k}_adjusted", "money"),
                        ("D", f"source_{k}_actual", "money"), ("E", f"source_{k}_rate", f"source-rate:{k}")))
        for k, label in SOURCE_ROWS
    ]),
    ("income", "（七）收入情况（选填）", ("项目", "金额（万元）"), [
        ("income_total", "收入合计", "", (("B", "income_total", "money"),)),
        ("income_fiscal", "财政拨款收入", "", (("B", "income_fiscal", "money"),)),
        ("income_other", "其他收入", "", (("B", "income_other", "money"),)),
    ]),
    ("sangong_detail", "（八）“三公”经费明细（选填）", ("项目", "年初预算（万元）", "决算金额（万元）"), [
        ("purchase", "其中：公务用车购置费", "", (("B", "sangong_vehicle_purchase_budget", "money"),
                                                ("C", "sangong_vehicle_purchase_actual", "money"))),
        ("running", "公务用车运行维护费", "", (("B", "sangong_vehicle_running_budget", "money"),
                                              ("C", "sangong_vehicle_running_actual", "money"))),
    ]),
    ("other_data", "（九）其他指标数据（选填，用于共性指标计算，可留空）", ("项目", "金额（万元）"), [
        ("procurement_budget", "政府采购预算", "", (("B", "procurement_budget", "money"),)),
        ("procurement_actual", "政府采购实际金额", "", (("B", "procurement_actual", "money"),)),
        ("key_project_actual", "重点项目支出", "", (("B", "key_project_actual", "money"),)),
    ]),
)


def _common_indicators(top: int) -> tuple[list[Field], list[Text]]:
    """（十）共性指标 from row ``top``: derived percentages with their formula spelled out beside them."""
    texts = [
        Text(f"A{top}", "（十）共性指标（自动计算）", "section", merge_to=f"E{top}"),
        Text(f"A{top + 1}", "指标", "header"), Text(f"B{top + 1}", "指标值%", "header"),
        Text(f"C{top + 1}", "计算公式", "header", merge_to=f"E{top + 1}"),
    ]
    indicators = [
        ("completion_rate", "预算完成率", "Budget completion rate",
         Ratio("budget_used", "budget_available", blank_if_blank=("carryover_end",)),
         "(上年结转 + 年初预算 + 本年追加 − 年末结转结余) ÷ (上年结转 + 年初预算 + 本年追加) × 100（湖南指标表口径）；"
         "年末结转结余未填时留空"),
        ("control_rate", "预算控制率（预算调整率）", "Budget adjustment rate",
         Ratio("total_supplement_calc", "total_budget", blank_if_blank=("total_supplement_calc",)),
         "本年追加 ÷ 年初预算 × 100（湖南“预算控制率”、岳阳“预算调整率”）；年中追加未填时留空"),
        ("carryover_rate", "结转结余率", "Carry-over rate",
         Ratio("carryover_end", "total_adjusted", blank_if_blank=("carryover_end",), den_may_be_blank=True),
         "年末结转结余 ÷ 全年预算数 × 100（财预〔2013〕53号，口径待核）"),
        ("carryover_change_pct", "结转结余变动率", "Carry-over change rate",
         ChangeRate("carryover_end", "carryover_prev", blank_if_blank=("carryover_end",)),
         "(年末结转结余 − 上年结转结余) ÷ 上年结转结余 × 100"),
        ("procurement_rate", "政府采购执行率", "Procurement execution rate",
         Ratio("procurement_actual", "procurement_budget", blank_if_blank=("procurement_actual",)),
         "政府采购实际金额 ÷ 政府采购预算 × 100"),
        ("key_spending_rate", "重点支出安排率", "Key-spending share",
         Ratio("key_project_actual", "project_actual", blank_if_blank=("key_project_actual",)),
         "重点项目支出 ÷ 项目支出决算 × 100"),
        ("project_share", "项目支出占比", "Project share of total", Ratio("project_actual", "total_actual"),
         "项目支出决算 ÷ 支出总额决算 × 100"),
    ]
    fields: list[Field] = []
    r = top + 2
    for name, label, label_en, expr, meaning in indicators:
        texts += [Text(f"A{r}", label), Text(f"C{r}", meaning, "static", merge_to=f"E{r}")]
        fields.append(Field(name, _FUNDS, f"B{r}", label, label_en, "percent", role="derived", expr=expr, unit="%",
                            meaning=meaning))
        r += 1
    return fields, texts


def _funds_parts_checks() -> tuple[PartsCheck, ...]:
    """Breakdowns on 资金使用 that must add up to their total when given (a warning names both sides)."""
    return (
        PartsCheck("vehicle_budget", "公务用车购置费 + 运行维护费（年初预算）",
                   ("sangong_vehicle_purchase_budget", "sangong_vehicle_running_budget"), "sangong_vehicle_budget"),
        PartsCheck("vehicle_actual", "公务用车购置费 + 运行维护费（决算）",
                   ("sangong_vehicle_purchase_actual", "sangong_vehicle_running_actual"), "sangong_vehicle_actual"),
        PartsCheck("personnel_public_budget", "人员经费 + 公用经费（年初预算）",
                   ("basic_personnel_budget", "basic_public_budget"), "basic_budget"),
        PartsCheck("personnel_public_actual", "人员经费 + 公用经费（决算）",
                   ("basic_personnel_actual", "basic_public_actual"), "basic_actual"),
        PartsCheck("sources_budget", "各资金来源的年初预算", tuple(f"source_{k}_budget" for k, _ in SOURCE_ROWS),
                   "total_budget"),
        PartsCheck("sources_adjusted", "各资金来源的全年预算数", tuple(f"source_{k}_adjusted" for k, _ in SOURCE_ROWS),
                   "total_adjusted"),
        PartsCheck("sources_actual", "各资金来源的全年执行数", tuple(f"source_{k}_actual" for k, _ in SOURCE_ROWS),
                   "total_actual"),
        PartsCheck("income", "财政拨款收入 + 其他收入", ("income_fiscal", "income_other"), "income_total"),
        PartsCheck("basic_stated_budget", "表1各经济分类的年初预算（与基本支出总额）",
                   tuple(f"basic_{k}_budget" for k, _, _ in BASIC_ROWS), "basic_stated_budget", 1),
        PartsCheck("basic_stated_actual", "表1各经济分类的决算（与基本支出总额）",
                   tuple(f"basic_{k}_actual" for k, _, _ in BASIC_ROWS), "basic_stated_actual", 1),
        PartsCheck("total_stated_budget", "基本支出 + 项目支出 + 其他支出（与支出总额）",
                   ("basic_budget", "project_budget", "other_budget"), "total_stated_budget", 1,
                   when=(*(f"basic_{r}_budget" for r, _, _ in BASIC_ROWS), "basic_stated_budget", "project_budget",
                         "other_budget")),
        PartsCheck("total_stated_actual", "基本支出 + 项目支出 + 其他支出（与支出总额）",
                   ("basic_actual", "project_actual", "other_actual"), "total_stated_actual", 1,
                   when=(*(f"basic_{r}_actual" for r, _, _ in BASIC_ROWS), "basic_stated_actual", "project_actual",
                         "other_actual")),
        PartsCheck("adjusted_total", "年初预算 + 年中追加（与全年预算数）", ("total_budget", "total_supplement"),
                   "adjusted_budget"),
    )


def _funds_sheet() -> SheetPart:
    """资金使用: 支出总额, 表1–表3, the optional blocks (二)–(九) and the common indicators (十)."""
    F = _FUNDS
    fields, texts = _funds_overview()
    f1, t1, basic = _rate_table(F, 8, "表1 基本支出预算执行情况表（单位：万元）",
                                ("预算项目", "年初预算（万元）", "决算金额（万元）", "占比%"), BASIC_ROWS,
                                ("basic", "合计", "Basic expenditure total"), "basic", "经济分类", "基本支出合计",
                                stated=True, total_short=(("基本支出预算", "Basic: budget"), ("基本支出决算", "Basic: final")))
    f2, t2, sangong = _rate_table(F, 16, "表2 “三公”经费预算执行情况表（单位：万元）",
                                  ("费用项目", "年初预算（万元）", "决算金额（万元）", "占比%"), SANGONG_ROWS,
                                  ("sangong", "合计", "Three public expenses total"), "sangong", "“三公”经费控制率",
                                  "三公经费合计", share=True, total_short=(("", ""), ("三公经费本年", "三公 this year")))
    f3, t3, change, r = _sangong_change(23)
    fields += f1 + f2 + f3
    texts += t1 + t2 + t3
    row_blocks: list[tuple[str, int, int]] = []
    top = r + 1  # 30: one blank row after 表3
    for block, title, heads, rows in _FUNDS_BLOCKS:
        fb, tb, last = _money_block(top, title, heads, rows)
        fields += fb
        texts += tb
        row_blocks.append((block, top, last))
        top = last + 2
    fi, ti = _common_indicators(top)
    fields += fi
    texts += ti
    sheet = Sheet("funds", F, "Funds", {"A": 34, "B": 17, "C": 19, "D": 19, "E": 17, "F": 17, "G": 17, "H": 14},
                  tuple(texts), row_blocks=tuple(row_blocks), col_blocks=(("sangong_detail", "F", "H"),),
                  status_cell="D1", status_to="E1")
    return SheetPart(sheet, tuple(fields), rate_tables=(basic, sangong), change_tables=(change,),
                     parts_checks=_funds_parts_checks(),
                     cross_rules=(
                         AtMost("sangong_actual", "basic_actual", "sangong-exceeds-basic", "决算", "final account",
                                "三公经费决算不超过基本支出"),
                         AtMost("sangong_budget", "basic_budget", "sangong-exceeds-basic", "年初预算", "initial budget",
                                "三公经费年初预算不超过基本支出"),
                     ))


def _projects_sheet() -> SheetPart:
    """项目支出: 表4, the project list with its 合计, and the optional list by functional class."""
    P = "项目支出"
    fields = [
        Field("project_budget", P, "B5", "项目支出 年初预算", "Project expenditure: initial budget", "money",
              required=True, unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY, required_unless=("total_stated_budget",),
              short="项目支出预算", short_en="Projects: budget"),
        Field("project_actual", P, "C5", "项目支出 决算金额", "Project expenditure: final account", "money",
              required=True, unit=MONEY_UNIT, min=Decimal(0), max=MAX_MONEY, required_unless=("total_stated_actual",),
              short="项目支出决算", short_en="Projects: final"),
        Field("project_rate", P, "D5", "项目支出 占比", "Project expenditure: execution rate", "percent",
              role="derived", expr=Ratio("project_actual", "project_budget"), unit="%",
              meaning="项目支出决算 ÷ 年初预算 × 100"),
    ]
    project_row = RateRow("project", "项目支出", "Project expenditure", "project_budget", "project_actual", "project_rate")
    rate_table = RateTable("project", "表4 项目支出预算执行情况表（单位：万元）", ("预算项目", "年初预算", "决算金额", "占比%"),
                           (project_row,), project_row)
    projects = ListTable("projects", P, "项目明细", "Projects", 8, 9, 30, (
        Column("name", "B", "项目名称", "Project", "text", required=True, width=36),
        Column("budget", "C", "年初预算", "Initial budget", "money", width=17, min=Decimal(0), max=MAX_MONEY,
               unit=MONEY_UNIT),
        Column("actual", "D", "决算金额", "Final account", "money", width=17, min=Decimal(0), max=MAX_MONEY,
               unit=MONEY_UNIT),
        Column("purpose", "E", "用途", "Purpose", "longtext", width=50),
    ))
    sum_row = projects.last_row + 1
    fields += [
        Field("project_list_budget", P, f"C{sum_row}", "项目明细合计 年初预算", "Project list: budget total", "money",
              role="derived", expr=Sum((projects.range_name("budget"),)), unit=MONEY_UNIT,
              meaning="项目明细年初预算之和，应等于项目支出年初预算"),
        Field("project_list_actual", P, f"D{sum_row}", "项目明细合计 决算金额", "Project list: final total", "money",
              role="derived", expr=Sum((projects.range_name("actual"),)), unit=MONEY_UNIT,
              meaning="项目明细决算金额之和，应等于项目支出决算金额"),
    ]
    ftop = sum_row + 2
    functions = ListTable("project_functions", P, "项目支出功能分类", "Project spending by function", ftop + 1, ftop + 2, 10, (
        Column("name", "B", "功能分类科目（如“一般公共服务支出”）", "Functional class", "text", required=True, width=36),
        Column("budget", "C", "年初预算（万元）", "Initial budget", "money", width=17, min=Decimal(0), max=MAX_MONEY,
               unit=MONEY_UNIT),
        Column("actual", "D", "决算金额（万元）", "Final account", "money", width=17, min=Decimal(0), max=MAX_MONEY,
               unit=MONEY_UNIT),
    ))
    sheet = Sheet("projects", P, "Projects", {"A": 10, "B": 36, "C": 17, "D": 17, "E": 50}, (
        Text("A1", "项目支出（单位：万元）", "title", merge_to="D1"),
        Text("A2", "先填表4项目支出总额，再逐项填写项目明细；明细合计应与项目支出总额一致。", "note", merge_to="E2"),
        Text("A3", "表4 项目支出预算执行情况表（单位：万元）", "section", merge_to="E3"),
        Text("A4", "预算项目", "header"), Text("B4", "年初预算（万元）", "header"), Text("C4", "决算金额（万元）", "header"),
        Text("D4", "占比%", "header"),
        Text("A5", "项目支出"),
        Text("A7", "项目明细（每行一个项目）", "section", merge_to="E7"),
        Text("A8", "序号", "header"), Text("B8", "项目名称", "header"), Text("C8", "年初预算（万元）", "header"),
        Text("D8", "决算金额（万元）", "header"), Text("E8", "用途", "header"),
        Text(f"A{sum_row}", "明细合计"),
        Text(f"A{ftop}", "项目支出按功能分类（选填，如“其中一般公共服务支出”）", "section", merge_to=f"E{ftop}"),
        Text(f"A{ftop + 1}", "序号", "header"),
        *(Text(f"{c.col}{ftop + 1}", c.label, "header") for c in functions.columns),
    ), landscape=True, row_blocks=(("project_functions", ftop, functions.last_row),), status_cell="E1")
    return SheetPart(sheet, tuple(fields), (projects, functions), rate_tables=(rate_table,),
                     cross_rules=(Equal("projects_actual", "project_actual", "project-list-mismatch"),
                                  Equal("projects_budget", "project_budget", "project-list-mismatch")))


def _scores_sheet() -> SheetPart:
    """评分表: the indicator list, its 合计 and 评价等级, and the grade thresholds as locked constants."""
    S = "评分表"
    ind = ListTable("indicators", S, "绩效评价指标评分表", "Indicator scores", 3, 4, 40, (
        Column("level1", "B", "一级指标", "Level-1 indicator", "text", required=True, width=12),
        Column("level2", "C", "二级指标", "Level-2 indicator", "text", width=14),
        Column("level3", "D", "三级指标", "Level-3 indicator", "text", width=22),
        Column("weight", "E", "分值", "Points", "score", required=True, width=8, min=Decimal(0), max=Decimal(100)),
        Column("score", "F", "得分", "Score", "score", width=8, min=Decimal(0), max=Decimal(100)),
        Column("basis", "G", "评分依据", "Scoring basis", "longtext", width=50),
        Column("nature", "H", "指标性质", "Direction (≥ ≤ = 定性)", "choice", width=9, choices=INDICATOR_NATURES),
        Column("target", "I", "年度指标值", "Annual target", "text", width=14),
        Column("actual", "J", "实际完成值", "Actual value", "text", width=14),
        Column("unit", "K", "计量单位", "Unit", "text", width=10),
        Column("deviation", "L", "偏差原因分析及改进措施", "Deviation and remedies", "longtext", width=40),
    ))
    tr = ind.last_row + 1
    bands_sorted = tuple(sorted(GRADE_BANDS, key=lambda b: b[1]))
    grade_first = 4
    grade_last = grade_first + len(bands_sorted) - 1
    constants = (
        Constant("grade_labels", S, f"N{grade_first}:N{grade_last}", tuple(b[0] for b in bands_sorted),
                 "评价等级名称（按最低分从低到高排列）"),
        Constant("grade_minimums", S, f"O{grade_first}:O{grade_last}", tuple(b[1] for b in bands_sorted),
                 "各等级最低分（含）"),
    )
    fields = (
        Field("weight_total", S, f"E{tr}", "分值合计", "Points total", "score", role="derived",
              expr=SumIfGiven(ind.range_name("weight"), ind.range_name("level3")),
              meaning="填了三级指标的各行分值之和，应为100（只写一级、二级的小计行不重复计算）"),
        Field("score_total", S, f"F{tr}", "得分合计", "Total score", "score", role="derived",
              expr=SumIfGiven(ind.range_name("score"), ind.range_name("level3")),
              meaning="填了三级指标的各行得分之和（小计行不重复计算）", short="得分", short_en="Score"),
        Field("grade", S, f"F{tr + 1}", "评价等级", "Grade", "grade", role="derived",
              expr=Grade("score_total", ind.range_name("score"), "grade_minimums", "grade_labels", GRADE_BANDS),
              meaning="按等级标准表：优秀 ≥ 90，良好 80–<90，中 60–<80，差 < 60（财预〔2020〕10号）",
              short="等级", short_en="Grade"),
    )
    sheet = Sheet("scores", S, "Scores",
                  {"A": 10, "B": 12, "C": 14, "D": 22, "E": 8, "F": 8, "G": 50, "H": 9, "I": 14, "J": 14, "K": 10,
                   "L": 40, "M": 3, "N": 10, "O": 10}, (
        Text("A1", "部门整体支出绩效评价指标评分表", "title", merge_to="F1"),
        Text("A2", "每行一个三级指标；分值合计应为100，得分不得超过分值。只写一级、二级指标和分值的小计行不计入合计。"
                   "等级按右侧标准自动评定。", "note", merge_to="G2"),
        *(Text(f"{c.col}3", c.label, "header") for c in ind.columns),
        Text("A3", "序号", "header"),
        Text(f"A{tr}", "合计"), Text(f"A{tr + 1}", "评价等级"),
        Text("N3", "等级", "header"), Text("O3", "最低分", "header"),
    ), landscape=True, col_blocks=(("indicator_details", "H", "L"),), status_cell="G1")
    return SheetPart(sheet, fields, (ind,), constants)


def _narrative_sheet() -> SheetPart:
    """报告正文: the report's paragraphs, one per row, by section and heading level."""
    N = "报告正文"
    narrative = ListTable("narrative", N, "报告正文段落", "Narrative paragraphs", 3, 4, 200, (
        Column("section", "B", "部分", "Section", "choice", required=True, width=16,
               choices=tuple(label for _, label in NARRATIVE_SECTIONS)),
        Column("level", "C", "层级", "Level", "int", width=6, min=Decimal(0), max=Decimal(3)),
        Column("heading", "D", "标题", "Heading", "text", width=36),
        Column("text", "E", "正文", "Text", "longtext", width=90),
    ))
    return SheetPart(Sheet("narrative", N, "Narrative", {"A": 6, "B": 16, "C": 6, "D": 36, "E": 90}, (
        Text("A1", "报告正文（每行一个段落）", "title", merge_to="D1"),
        Text("A2", f"部分：从下拉列表选择；层级：{NARRATIVE_LEVELS}；标题和正文可只填其一，编号由报告自动生成。",
             "note", merge_to="E2"),
        Text("A3", "序号", "header"), Text("B3", "部分", "header"), Text("C3", "层级", "header"),
        Text("D3", "标题", "header"), Text("E3", "正文", "header"),
    ), landscape=True, status_cell="E1"), tables=(narrative,))


def _checks_sheet() -> SheetPart:
    """校验 (live checks): its rows are generated by live_checks from this spec and the catalogue."""
    return SheetPart(Sheet("checks", LIVE_SHEET, "Checks", {"A": 6, "B": 7, "C": 10, "D": 9, "E": 30, "F": 20, "G": 66,
                                                            "H": 12}, (
        Text("A1", "校验（工作簿自动检查）", "title", merge_to="G1"),
        Text("A3", LIVE_NOTE, "note", merge_to="G3"),
        *(Text(f"{c}4", h, "header") for c, h in zip("ABCDEFGH", LIVE_COLUMNS, strict=True)),
    ), landscape=True, since=LIVE_SINCE))


def _meta_sheet() -> SheetPart:
    """_meta (very hidden): the template's identity, version and profile."""
    meta_values = {"template_id": TEMPLATE_ID, "template_version": TEMPLATE_VERSION, "profile": "anhua"}
    return SheetPart(Sheet("meta", META_SHEET, "Meta", {"A": 20, "B": 40}, (
        *(Text(f"A{rc(cell)[0]}", name, "static") for name, (_, cell) in META_NAMES.items()),
        *(Text(cell, meta_values[name], "static") for name, (_, cell) in META_NAMES.items()),
    ), hidden=True))


#: The sheets in template order (the very hidden meta sheet last).
_SHEET_BUILDERS = (_guide_sheet, _unit_sheet, _duties_sheet, _goals_sheet, _funds_sheet, _projects_sheet,
                   _scores_sheet, _narrative_sheet, _checks_sheet, _meta_sheet)


class Built(msgspec.Struct, frozen=True):
    """The whole spec: every sheet's part, concatenated in sheet order."""

    sheets: tuple[Sheet, ...]
    fields: tuple[Field, ...]
    tables: tuple[ListTable, ...]
    constants: tuple[Constant, ...]
    rate_tables: tuple[RateTable, ...]
    change_tables: tuple[ChangeTable, ...]
    parts_checks: tuple[PartsCheck, ...]
    cross_rules: tuple[Equal | AtMost, ...]


def _build() -> Built:
    parts = [build() for build in _SHEET_BUILDERS]
    rules = [r for p in parts for r in p.cross_rules]
    return Built(
        sheets=tuple(p.sheet for p in parts),
        fields=tuple(f for p in parts for f in p.fields),
        tables=tuple(t for p in parts for t in p.tables),
        constants=tuple(k for p in parts for k in p.constants),
        rate_tables=tuple(t for p in parts for t in p.rate_tables),
        change_tables=tuple(t for p in parts for t in p.change_tables),
        parts_checks=tuple(c for p in parts for c in p.parts_checks),
        # the list-against-total rules first, as the checks report them
        cross_rules=(*(r for r in rules if isinstance(r, Equal)), *(r for r in rules if not isinstance(r, Equal))),
    )


_BUILT = _build()
SHEETS: tuple[Sheet, ...] = _BUILT.sheets
FIELDS: tuple[Field, ...] = _BUILT.fields
TABLES: tuple[ListTable, ...] = _BUILT.tables
CONSTANTS: tuple[Constant, ...] = _BUILT.constants
#: 表1 基本支出, 表2 三公经费, 表4 项目支出 (rate tables) and 表3 三公经费与上年对比 (change table).
RATE_TABLES: tuple[RateTable, ...] = _BUILT.rate_tables
CHANGE_TABLES: tuple[ChangeTable, ...] = _BUILT.change_tables
RATE_TABLE_BY_KEY: dict[str, RateTable] = {t.key: t for t in RATE_TABLES}
CHANGE_TABLE_BY_KEY: dict[str, ChangeTable] = {t.key: t for t in CHANGE_TABLES}
#: Breakdowns that must add up to their total when given (a warning names both sides; see docs/template.md).
PARTS_CHECKS: tuple[PartsCheck, ...] = _BUILT.parts_checks
#: Links between tables that a reviewer checks by eye, as data the checks interpret.
CROSS_RULES: tuple[Equal | AtMost, ...] = _BUILT.cross_rules

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
TABLE_BY_NAME: dict[str, ListTable] = {t.name: t for t in TABLES}
SHEET_BY_TITLE: dict[str, Sheet] = {s.title: s for s in SHEETS}
INPUT_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if not f.is_derived)
DERIVED_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.is_derived)


def sheet_titles() -> tuple[str, ...]:
    """Sheet names in template order (the very hidden meta sheet last)."""
    return tuple(s.title for s in SHEETS)


def field(name: str) -> Field:
    return FIELD_BY_NAME[name]


def table(name: str) -> ListTable:
    return TABLE_BY_NAME[name]


class Name(msgspec.Struct, frozen=True):
    """A workbook-level defined name of the public interface."""

    name: str
    sheet: str
    ref: str
    role: str  # input | derived | list | column | constant | meta | live
    meaning: str
    since: str = "1.0"


@cache
def defined_names() -> tuple[Name, ...]:
    """Every defined name the template carries, in documentation order."""
    out: list[Name] = []
    for f in FIELDS:
        out.append(Name(f.name, f.sheet, f.cell, f.role, f.meaning or f.label))
    for t in TABLES:
        out.append(Name(t.name, t.sheet, t.ref, "list", f"{t.label}（整表，{t.capacity}行）"))
        for c in t.columns:
            out.append(Name(t.range_name(c.key), t.sheet, t.column_ref(c.key), "column", f"{t.label}：{c.label}"))
    for k in CONSTANTS:
        out.append(Name(k.name, k.sheet, k.ref, "constant", k.meaning))
    for n, (sheet, cell) in META_NAMES.items():
        out.append(Name(n, sheet, cell, "meta", META_MEANINGS[n]))
    return tuple(out)


@cache
def derived_order() -> tuple[Field, ...]:
    """Derived fields in dependency order, so one pass computes everything (cached: compute, the intervals and the
    checks each walk it for every workbook)."""
    done: set[str] = set()
    order: list[Field] = []
    pending = list(DERIVED_FIELDS)
    derived_names = {f.name for f in DERIVED_FIELDS}
    while pending:
        progressed = False
        for f in list(pending):
            assert f.expr is not None
            if all(n in done or n not in derived_names for n in f.expr.inputs()):
                order.append(f)
                done.add(f.name)
                pending.remove(f)
                progressed = True
        if not progressed:
            raise RuntimeError("cycle in derived fields: " + ", ".join(f.name for f in pending))
    return tuple(order)


def cell_rc(cell: str) -> tuple[int, int]:
    """(row, column) of an A1 address, 1-based."""
    return rc(cell)


def iter_list_cells(t: ListTable) -> Iterator[tuple[int, Column, str]]:
    for i in range(t.capacity):
        row = t.first_row + i
        for c in t.columns:
            yield i, c, f"{c.col}{row}"
