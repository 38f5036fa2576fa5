"""The report as a neutral list of blocks, built once from the model and rendered by every format.

Word, PDF (via Word) and Markdown render the same :class:`Outline`, so they cannot disagree on a figure or
a heading. The builder follows the seed report's outline section by section; a section with nothing to
say is left out and the remaining ones are numbered 一、二、… without gaps. All numbering (一、, （一）,
1., （1）, 1、) is generated here, never typed by staff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..core import profiles, spec
from ..core.compute import compute
from ..core.model import Evaluation, Row, Value
from ..core.profiles import Profile
from . import sentences as S
from .numbers_format import amount, ratio, signed_word
from .wording import Wording

__all__ = [
    "Block",
    "Heading",
    "Notice",
    "Outline",
    "Paragraph",
    "Run",
    "Table",
    "Title",
    "build_outline",
    "chinese_number",
]

#: Inline part of a paragraph: plain text, a run-in （一） heading (楷体) or a run-in 1. heading (bold).
RunRole = Literal["text", "h2", "h3"]


@dataclass(frozen=True)
class Run:
    text: str
    role: RunRole = "text"


@dataclass(frozen=True)
class Title:
    lines: tuple[str, ...]
    attachment: str = ""

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class Notice:
    """A boxed warning right under the title (forced export of a workbook with errors)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """level 1 = 一、 (黑体), 2 = （一） (楷体), 3 = 1. (仿宋 bold); ``text`` includes the number."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    """Title, unit line, header, data rows; the last row is 合计 when ``total`` is set."""

    title: str
    unit: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: bool = True


Block = Title | Notice | Heading | Paragraph | Table


@dataclass
class Outline:
    """The whole report: blocks in order, plus what a renderer needs for document properties."""

    title: str
    unit: str
    year: int | None
    blocks: list[Block] = field(default_factory=list)
    errors: int = 0

    def texts(self) -> list[str]:
        """Every paragraph-like text in order (titles, headings, paragraphs, table titles), for tests and search."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Title):
                out.extend(([b.attachment] if b.attachment else []) + list(b.lines))
            elif isinstance(b, Table):
                out.append(b.title)
            else:
                out.append(b.text)
        return out

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (section and heading numbers)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _lines(text: object) -> list[str]:
    """Multi-paragraph cell text: one paragraph per non-empty line."""
    if text is None:
        return []
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def _run_in(head: str, role: RunRole, paragraphs: Sequence[str]) -> list[Block]:
    """A heading run into its first paragraph ("1.加强政治建设。把牢政治方向。…"), then the other paragraphs."""
    if not paragraphs:
        return [Paragraph((Run(head, role),))] if head else []
    first = Paragraph((Run(S.end_with_stop(head), role), Run(paragraphs[0]))) if head else Paragraph((Run(paragraphs[0]),))
    return [first, *(Paragraph((Run(p),)) for p in paragraphs[1:])]


def narrative_blocks(rows: Sequence[Row]) -> list[Block]:
    """报告正文 rows → blocks: level 0 paragraph, 1 （一）heading, 2 "1." run-in, 3 "（1）" run-in.

    Counters are per section: a new （一） restarts 1., and a new 1. restarts （1）.
    """
    blocks: list[Block] = []
    c1 = c2 = c3 = 0
    for row in rows:
        lvl = min(max(_level(row.get("level")), 0), 3)
        heading = str(row.get("heading") or "").strip()
        paras = _lines(row.get("text"))
        if not heading and not paras:
            continue
        if lvl == 0:
            blocks += _run_in(heading, "h3", paras)
        elif lvl == 1:
            c1, c2, c3 = c1 + 1, 0, 0
            prefix = f"（{chinese_number(c1)}）"
            if heading:
                blocks.append(Heading(2, prefix + heading))
                blocks += [Paragraph((Run(p),)) for p in paras]
            else:
                blocks += [Paragraph((Run(prefix, "h2"), Run(paras[0]))), *(Paragraph((Run(p),)) for p in paras[1:])]
        elif lvl == 2:
            c2, c3 = c2 + 1, 0
            blocks += _numbered_run_in(f"{c2}.", heading, paras)
        else:
            c3 += 1
            blocks += _numbered_run_in(f"（{c3}）", heading, paras)
    return blocks


def _level(v: object) -> int:
    """The 层级 cell as an int; blank or unreadable counts as 0 (a plain paragraph)."""
    if isinstance(v, bool):
        return 0
    if isinstance(v, int | Decimal):
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return 0


def _numbered_run_in(prefix: str, heading: str, paras: list[str], style: RunRole = "h3") -> list[Block]:
    if heading:
        return _run_in(prefix + heading, style, paras)
    return [Paragraph((Run(prefix, style), Run(paras[0]))), *(Paragraph((Run(p),)) for p in paras[1:])]


class _Figures:
    """Inputs from the model, derived values from the computation (never a cached or typed derived cell)."""

    def __init__(self, model: Evaluation, computed: Mapping[str, Value]) -> None:
        self.model = model
        self.computed = computed

    def __getitem__(self, name: str) -> Value:
        f = spec.FIELD_BY_NAME[name]
        return self.computed.get(name) if f.is_derived else self.model.values.get(name)

    def num(self, name: str) -> Decimal:
        return S.num(self[name])


def build_outline(model: Evaluation, computed: Mapping[str, Value] | None = None, *,
                  wording: Wording | None = None, errors: int = 0) -> Outline:
    """The report of one evaluation. ``errors`` > 0 adds the forced-export notice under the title."""
    w = wording or Wording()
    model = model.without_control_characters()
    v = _Figures(model, compute(model) if computed is None else computed)
    year = model.fiscal_year
    unit = model.unit_name.strip()
    profile = profiles.for_workbook(model.profile)[0]
    ph: dict[str, object] = {"year": "" if year is None else year, "prev_year": "" if year is None else year - 1, "unit": unit,
          "errors": errors, "year_of": "" if year is None else f"{year}年", "unit_word": profile.report.unit_word}
    title_lines = tuple(line.strip() for line in w.get("title", **ph).split("\n") if line.strip())
    out = Outline(title="".join(title_lines), unit=unit, year=year, errors=errors)
    out.blocks.append(Title(title_lines, w.get("attachment", **ph).strip()))
    if errors:
        out.blocks.append(Notice(w.get("forced_note", **ph)))

    sections: list[tuple[str, list[Block]]] = [
        (w.get("section_basic", **ph), _basic(model, v, w, ph)),
        (w.get("section_goals", **ph), _goals(model, w, ph)),
        (w.get("section_funds", **ph), _funds(model, v, w, ph, profile)),
        (w.get("section_internal_management", **ph), narrative_blocks(_narrative(model, "internal_management"))),
        (w.get("section_eval", **ph), _evaluation(model, v, w, ph, profile)),
        (w.get("section_achievements", **ph), narrative_blocks(_narrative(model, "achievements"))),
        (w.get("section_problems", **ph), narrative_blocks(_narrative(model, "problems"))),
        (w.get("section_improvements", **ph), narrative_blocks(_narrative(model, "improvements"))),
    ]
    if profile.report.score_first:  # 南县/四川 style: the score and grade come first
        sections.insert(0, sections.pop(4))
    n = 0
    for heading, blocks in sections:
        if blocks:
            n += 1
            out.blocks.append(Heading(1, f"{chinese_number(n)}、{heading}"))
            out.blocks += blocks
    return out


def _narrative(model: Evaluation, key: str) -> list[Row]:
    label = dict(spec.NARRATIVE_SECTIONS)[key]
    return [r for r in model.rows("narrative") if str(r.get("section") or "").strip() == label]


def _basic(model: Evaluation, v: _Figures, w: Wording, ph: dict[str, object]) -> list[Block]:
    subs: list[tuple[str, list[str], list[Block]]] = []  # (heading, run-in paragraphs, following blocks)
    org = _lines(model.get("org_setup"))
    if org:
        subs.append((w.get("basic_org", **ph), org, []))
    duties = [str(r.get("text") or "").strip() for r in model.rows("duties")]
    duties = [d for d in duties if d]
    if duties:
        subs.append((w.get("basic_duties", **ph), [],
                     [Paragraph((Run(f"{i}、{d}"),)) for i, d in enumerate(duties, 1)]))
    staff = S.staffing(model.unit_name.strip(), model.text("unit_type"), v["staff_quota"], v["staff_actual"],
                       model.fiscal_year)
    if staff:
        subs.append((w.get("basic_staff", **ph), [staff], []))
    tasks = _lines(model.get("main_tasks"))
    if tasks:
        subs.append((w.get("basic_tasks", **ph), tasks, []))
    blocks: list[Block] = []
    for i, (head, paras, after) in enumerate(subs, 1):
        blocks += _run_in(f"（{chinese_number(i)}）{head}", "h2", paras)
        blocks += after
    return blocks


def _goals(model: Evaluation, w: Wording, ph: dict[str, object]) -> list[Block]:
    blocks: list[Block] = []
    n = 0
    for row in model.rows("goals"):
        title = str(row.get("title") or "").strip()
        paras = _lines(row.get("text"))
        if not title and not paras:
            continue
        n += 1  # goals sit inside a level-1 section, so they take the second level (GB/T 9704: 一、（一）1.（1）)
        blocks += _numbered_run_in(f"（{chinese_number(n)}）", title, paras, "h2")
    if blocks:
        intro = w.get("goals_intro", **ph).strip()
        if intro:
            blocks.insert(0, Paragraph((Run(intro),)))
    return blocks


def _rate_row(label: str, budget: Value, actual: Value, rate: Value) -> tuple[str, ...]:
    return (label, amount(budget), amount(actual), ratio(rate))


def _given(model: Evaluation, *names: str) -> bool:
    return any(model.number(n) is not None for n in names)


def _funds(model: Evaluation, v: _Figures, w: Wording, ph: dict[str, object], profile: Profile) -> list[Block]:
    year = model.fiscal_year
    unit = w.get("table_unit", **ph)
    total = w.get("table_total", **ph)
    basic_rows = [n for r in spec.RATE_TABLE_BY_KEY["basic"].rows for n in (r.budget, r.actual)]
    has_basic = _given(model, *basic_rows, "basic_stated_budget", "basic_stated_actual", "basic_personnel_actual",
                       "basic_public_actual")
    has_project = _given(model, "project_budget", "project_actual")
    blocks: list[Block] = [
        Heading(2, f"（一）{w.get('funds_general', **ph)}"),
        Paragraph((Run(S.total_spending(
            year,
            (v["total_actual"], v["total_budget"], v["total_rate"]),
            (v["basic_actual"], v["basic_budget"], v["basic_rate"]) if has_basic else None,
            (v["project_actual"], v["project_budget"], v["project_rate"]) if has_project else None,
        )),)),
    ]
    rate = profile.execution_rate
    extra = [S.adjustments(profile.report.rate_label if rate == "adjusted_rate" else "预算执行率", v["total_adjusted"],
                           v["total_supplement_calc"], v["adjusted_rate"], "全年执行数 ÷ 全年预算数")]
    if rate == "completion_rate":
        extra.append(S.completion(v["completion_rate"], v["budget_available"], v["carryover_end"]))
    blocks += [Paragraph((Run(t),)) for t in extra if t]
    if not has_basic and not has_project:
        return blocks  # only 支出总额 was stated: no category, no table the workbook does not hold
    blocks.append(Heading(3, f"1.{w.get('funds_basic', **ph)}"))
    basic, sangong_rates = spec.RATE_TABLE_BY_KEY["basic"], spec.RATE_TABLE_BY_KEY["sangong"]
    changes = spec.CHANGE_TABLE_BY_KEY["sangong_change"]
    classes = [(r.label, v[r.actual]) for r in basic.rows]
    if not any(S.num(x) != 0 for _, x in classes):
        classes = [(label, v[name]) for name, label in (("basic_personnel_actual", "人员经费"),
                                                       ("basic_public_actual", "公用经费"))]
    t3 = changes.total
    sangong = S.Change("三公经费", v.num(t3.current), v.num(t3.prev), v.num(t3.change), _dec(v[t3.change_pct]))
    items = [S.Change(r.label, v.num(r.current), v.num(r.prev), v.num(r.change), _dec(v[r.change_pct]))
             for r in changes.rows]
    blocks.append(Paragraph((Run(S.basic_paragraph(year, v[basic.total.actual], classes, sangong, items)),)))

    for n, table in ((1, basic), (2, sangong_rates)):
        rows = [_rate_row(r.label, v[r.budget], v[r.actual], v[r.rate]) for r in table.rows]
        rows.append(_rate_row(total, v[table.total.budget], v[table.total.actual], v[table.total.rate]))
        blocks.append(Table(w.get(f"table{n}_title", **ph), unit, w.header(f"table{n}_header", **ph), tuple(rows)))
    rows = [(r.label, amount(v[r.prev]), amount(v[r.current]), signed_word(v[r.change]),
             signed_word(v[r.change_pct], "ratio")) for r in changes.rows]
    rows.append((total, amount(v[t3.prev]), amount(v[t3.current]), signed_word(v[t3.change]),
                 signed_word(v[t3.change_pct], "ratio")))
    blocks.append(Table(w.get("table3_title", **ph), unit, w.header("table3_header", **ph), tuple(rows)))

    blocks.append(Heading(3, f"2.{w.get('funds_project', **ph)}"))
    projects = [r for r in model.rows("projects") if str(r.get("name") or "").strip()]
    functions = [(str(r.get("name") or ""), r.get("actual")) for r in model.rows("project_functions")]
    blocks.append(Paragraph((Run(S.project_intro(year, v["project_actual"], bool(projects), functions)),)))
    blocks += [Paragraph((Run(S.project_item(i, str(r.get("name") or ""), r.get("actual"),
                                             str(r.get("purpose") or ""))),))
               for i, r in enumerate(projects, 1)]
    p4 = spec.RATE_TABLE_BY_KEY["project"].total
    row = _rate_row(w.get("table4_row", **ph), v[p4.budget], v[p4.actual], v[p4.rate])
    blocks.append(Table(w.get("table4_title", **ph), unit, w.header("table4_header", **ph),
                        (row, (total, *row[1:]))))
    return blocks


def _evaluation(model: Evaluation, v: _Figures, w: Wording, ph: dict[str, object], profile: Profile) -> list[Block]:
    blocks: list[Block] = []
    parts = [(w.get("eval_purpose", **ph), narrative_blocks(_narrative(model, "eval_purpose"))),
             (w.get("eval_process", **ph), narrative_blocks(_narrative(model, "eval_process")))]
    parts = [(label, b) for label, b in parts if b]
    sub = 0
    if parts:
        sub += 1
        blocks.append(Heading(2, f"（{chinese_number(sub)}）{w.get('eval_org', **ph)}"))
        for i, (label, body) in enumerate(parts, 1):
            head = f"{i}、{label}"
            first = body[0]
            if isinstance(first, Paragraph) and all(r.role == "text" for r in first.runs):
                blocks.append(Paragraph((Run(S.end_with_stop(head), "h3"), *first.runs)))
                blocks += body[1:]
            else:
                blocks.append(Paragraph((Run(head, "h3"),)))
                blocks += body
    sentence = S.conclusion(model.fiscal_year, v["weight_total"], v["score_total"], v["grade"],
                            profile.report.unit_word)
    if sentence:
        sub += 1
        blocks.append(Heading(2, f"（{chinese_number(sub)}）{w.get('eval_conclusion', **ph)}"))
        blocks.append(Paragraph((Run(sentence),)))
    return blocks


def _dec(v: Value) -> Decimal | None:
    return v if isinstance(v, Decimal) else None
