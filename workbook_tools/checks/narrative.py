"""Figures and counts the narrative states, against the workbook's own figures and lists.

The matcher is deliberately conservative. A number is compared only when it carries a unit (万元, 亿元, 元,
%, 人/名) and the words right before it name exactly one figure of the workbook: a subject the spec knows
(基本支出, “三公”经费, 公务接待费, 编制, 在职人员控制率 …), followed only by linking words (为, 达到, 合计,
其中 …) and an attribute (年初预算, 决算, 上年, 比上年减少, 为…的 N%). Anything else (a comparison such as
“超出编制2人”, a share “占…的78.68%”, an approximation “近20万元”, a figure the template has no cell
for) is left alone and only counted, so ``--json`` shows how much of the text was checked.

A stated number matches when the figure, rounded or truncated to the decimals the text uses, equals it
(the seed's truncated 177.19 % is reported once, by the arithmetic family, not again here). An amount
equal to the figure × 10 000 or ÷ 10 000 is a probable 元/万元 slip.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache

import msgspec

from ..core import spec
from ..core.expr import excel_round, truncate
from ..core.findings import COUNTED_LISTS, PASSAGE_LABELS, Finding, figure_text, wording
from ..xlsx.reader import Loaded
from . import Computed, finding, fmt, list_place, place

TEN_THOUSAND = Decimal(10000)
#: How far before a number its subject may be (characters); a subject further away is not “right before” it.
LOOKBACK = 120
#: Numbers read per workbook (a real report states a few hundred); beyond that they are only counted.
MAX_NUMBERS = 5000

# -- the lexicon: subjects (what a figure is about) and the figures each attribute picks ----------------

#: Subject words (full-width folded, quotes dropped) → the subject they name; longest match wins, so
#: 重点项目支出 is not 项目支出. Table subjects are the spec's row labels (表1–表4), the others are in _SINGLE.
SUBJECTS: dict[str, str] = {
    "支出总额": "支出总额", "总支出": "支出总额",
    "基本支出": "基本支出", "项目支出": "项目支出", "重点项目支出": "重点项目支出",
    "工资福利支出": "工资福利支出", "商品和服务支出": "商品和服务支出", "商品服务支出": "商品和服务支出",
    "对个人和家庭的补助": "对个人和家庭的补助", "对个人和家庭补助": "对个人和家庭的补助", "资本性支出": "资本性支出",
    "三公经费": "三公经费", "公务接待费": "公务接待费", "公务用车购置及运行费": "公务用车购置及运行费",
    "公务车购置及运行费": "公务用车购置及运行费", "公务用车购置及运行维护费": "公务用车购置及运行费",
    "因公出国(境)费用": "因公出国(境)费用", "因公出国费用": "因公出国(境)费用", "因公出国(境)费": "因公出国(境)费用",
    "编制数": "编制数", "核定编制": "编制数", "编制": "编制数",
    "实有人数": "实有人数", "实有在职人员": "实有人数", "实有": "实有人数", "在职人数": "实有人数",
    "在职人员控制率": "在职人员控制率", "人员控制率": "在职人员控制率",
    "全年预算数": "全年预算数", "全年预算": "全年预算数", "调整后预算": "全年预算数",
    "年末结转结余": "年末结转结余", "年末结余": "年末结转结余",
    "上年结转结余": "上年结转结余", "上年结转": "上年结转结余", "结转结余率": "结转结余率",
    "政府采购": "政府采购", "重点支出安排率": "重点支出安排率",
}
#: Subjects that are one figure whatever the attribute: (kind, defined name).
_SINGLE: dict[str, tuple[str, str]] = {
    "编制数": ("count", "staff_quota"), "实有人数": ("count", "staff_actual"),
    "在职人员控制率": ("rate", "staff_control_rate"), "全年预算数": ("money", "adjusted_budget"),
    "年末结转结余": ("money", "carryover_end"), "上年结转结余": ("money", "carryover_prev"),
    "结转结余率": ("rate", "carryover_rate"), "重点项目支出": ("money", "key_project_actual"),
    "重点支出安排率": ("rate", "key_spending_rate"),
}
#: Subjects of figures outside the spec's rate tables, attribute → defined name.
_OTHER_FIGURES: dict[str, dict[str, str]] = {
    "支出总额": {"budget": "total_budget", "actual": "total_actual", "rate": "total_rate"},
    "政府采购": {"budget": "procurement_budget", "actual": "procurement_actual", "rate": "procurement_rate"},
}
#: The subject of each rate table's 合计 row (its rows are named by their own labels).
_TOTAL_SUBJECTS = {"basic": "基本支出", "sangong": "三公经费", "project": "项目支出"}


@cache
def figures_by_subject() -> dict[str, dict[str, str]]:
    """Subject → attribute (budget, actual, rate, prev, change, change_pct) → defined name, from 表1–表4."""
    out: dict[str, dict[str, str]] = {k: dict(v) for k, v in _OTHER_FIGURES.items()}
    by_labels: dict[frozenset[str], str] = {}
    for t in spec.RATE_TABLES:
        for r in t.rows:
            out.setdefault(normalise(r.label), {}).update(budget=r.budget, actual=r.actual, rate=r.rate)
        total = _TOTAL_SUBJECTS.get(t.key)
        if total is not None:
            out.setdefault(total, {}).update(budget=t.total.budget, actual=t.total.actual, rate=t.total.rate)
            by_labels[frozenset(normalise(r.label) for r in t.rows)] = total
    for c in spec.CHANGE_TABLES:
        for row in c.rows:
            out.setdefault(normalise(row.label), {}).update(prev=row.prev, change=row.change, change_pct=row.change_pct)
        total = by_labels.get(frozenset(normalise(r.label) for r in c.rows))
        if total is not None:
            out.setdefault(total, {}).update(prev=c.total.prev, change=c.total.change, change_pct=c.total.change_pct)
    return out


_UNIT = r"(万元|亿元|元|个百分点|百分点|%|人次|人|名|个|项|条)"
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:,\d{3})*(?:\.\d+)?)\s*" + _UNIT)
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百千]+)\s*(个|人|名|项|条)")
_CHECKED_UNITS = {"万元", "亿元", "元", "%", "人", "名"}
_COUNT_UNITS = {"个", "项", "条"}

#: Words allowed between a subject and its number (besides attributes and numbers already read).
_LINK = ("其中", "共计", "合计", "总计", "累计", "达到", "为", "是", "达", "共", "计", "的", "全年", "本年", "当年",
         "年度", "实际", "总额", "金额", "数", "支出", "资金", "经费", "：", ":", "，", ",", "、", "(", ")", " ")
_BUDGET = ("年初预算数", "年初预算", "预算数", "采购预算", "预算")
_ACTUAL = ("决算数", "决算金额", "决算", "实际金额", "执行数", "全年执行数")
_PREV = ("上年决算数", "上年决算", "上年同期", "上年")
_CHANGE_MARK = ("与上年相比", "比上年", "较上年", "同比")
_DOWN = ("减少", "下降", "降低", "节约", "减")
_UP = ("增加", "增长", "上升", "增")
_RATE_WORDS = ("执行率", "控制率")
_COMPARE = re.compile(r"超出|超过|高于|低于|多于|少于|不足|相比|相差|占|差额|剩余|还有|以外|之外|除")
#: A change verb before the subject (“核增编制6名”, “追加项目支出500万元”): the number is the change, not the figure.
_CHANGED_BEFORE = re.compile(r"增加|减少|新增|核增|核减|增编|减编|下降|增长|调增|调减|追加|超编|缺编|节约|压减|压缩")
_APPROX_BEFORE = re.compile(r"(约|近|超|逾|不到|不足|将近|接近|大约|最高|最低)$")
_APPROX_AFTER = re.compile(r"^(以上|以下|左右|余|多|内|以内|之内|上下)")
_YEAR = re.compile(r"\d{4}年度?")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")
_PLACEHOLDER = "\x00"


def normalise(text: str) -> str:
    """Full-width folded (NFKC), quotes dropped: “三公”经费 and 三公经费 read alike."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"[“”\"‘’'「」『』]", "", t)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十九 → 29, 一百零五 → 105; None for anything else (一万多 is not a count)."""
    total, digit = 0, None
    for ch in text:
        if ch in "零〇" and total and digit is None:
            continue  # 一百零五: 零 only marks the gap
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # 二三 is not a number
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


class Passage(msgspec.Struct, frozen=True):
    """One free text of the workbook, with where it is and how a person would name it."""

    sheet: str
    cell: str
    where: str
    where_en: str
    text: str


@cache
def _row_label(table: str, n: int) -> tuple[str, str]:
    """How a person names row ``n`` of a list's passages (cached: every workbook asks for the same few)."""
    return wording(PASSAGE_LABELS[table], {"n": n})


def passages(loaded: Loaded) -> list[Passage]:
    """The texts a reviewer reads for figures: 报告正文, 绩效目标, 评分依据, 机构设置, 主要工作任务."""
    out: list[Passage] = []
    m = loaded.model
    for table, keys in (("narrative", ("heading", "text")), ("goals", ("title", "text")), ("indicators", ("basis",))):
        for i, row in enumerate(m.lists.get(table, [])):
            for key in keys:
                text = row.get(key)
                if isinstance(text, str) and text.strip():
                    sheet, cell = list_place(loaded, table, key, i)
                    out.append(Passage(sheet, cell, *_row_label(table, i + 1), text))
    for name in ("org_setup", "main_tasks"):
        text = m.values.get(name)
        if isinstance(text, str) and text.strip():
            sheet, cell = place(loaded, name)
            f = spec.FIELD_BY_NAME[name]
            out.append(Passage(sheet, cell, *wording(PASSAGE_LABELS["field"], {"label": f.label, "label_en": f.label_en}),
                               text))
    return out


class Stated(msgspec.Struct, frozen=True):
    """A number with a unit read from a sentence."""

    value: Decimal
    text: str  # the number as written
    unit: str
    start: int
    end: int


def numbers(sentence: str) -> list[Stated]:
    out = [Stated(Decimal(m.group(1).replace(",", "")), m.group(1), m.group(2), m.start(), m.end())
           for m in _NUMBER.finditer(sentence)]
    for m in _CN_NUMBER.finditer(sentence):
        n = chinese_int(m.group(1))
        if n is not None and not any(s.start <= m.start() < s.end for s in out):
            out.append(Stated(Decimal(n), m.group(1), m.group(2), m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)


@cache
def _subject_pattern() -> re.Pattern[str]:
    words = sorted(SUBJECTS, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@cache
def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


def _strip(window: str, words: tuple[str, ...]) -> tuple[str, list[str]]:
    """Remove every occurrence of ``words`` (longest first) from ``window``; also say which were found."""
    found = []
    for w in _longest_first(words):
        if w in window:
            found.append(w)
            window = window.replace(w, "")
    return window, found


class Tie(msgspec.Struct, frozen=True):
    """A stated number tied to one figure of the workbook (its defined name and the sign of the text)."""

    name: str
    value: Decimal  # signed, in the figure's unit (万元, %, 人)
    kind: str  # money | rate | count


def tie(sentence: str, s: Stated, previous: list[Stated]) -> Tie | None:
    """The one figure ``s`` states, or None when the words around it do not name exactly one."""
    if s.unit not in _CHECKED_UNITS:
        return None
    if _APPROX_BEFORE.search(sentence[max(0, s.start - 4):s.start]) or _APPROX_AFTER.match(sentence[s.end:s.end + 4]):
        return None
    lookback = max(0, s.start - LOOKBACK)
    subjects = list(_subject_pattern().finditer(sentence, lookback, s.start))
    if not subjects:
        return None
    subj = subjects[-1]
    subject = SUBJECTS[subj.group(0)]
    single = _SINGLE.get(subject)
    figures = figures_by_subject().get(subject, {})
    clause_start = max(max(sentence.rfind(c, lookback, subj.start()) for c in "，,、：:") + 1, lookback)
    if _COMPARE.search(sentence[clause_start:subj.start()]) or _CHANGED_BEFORE.search(sentence[clause_start:subj.start()]):
        return None
    window = sentence[subj.end():s.start]
    for p in reversed(previous):  # numbers already read between the subject and this one are placeholders
        if p.start < subj.end():
            break
        if p.end <= s.start:
            window = window.replace(sentence[p.start:p.end], _PLACEHOLDER, 1)
    if _COMPARE.search(window):
        return None
    window = _YEAR.sub("", window)
    every = (_CHANGE_MARK, _DOWN, _UP, _PREV, _BUDGET, _ACTUAL, _RATE_WORDS, _LINK)
    rest = window.replace(_PLACEHOLDER, "")
    for words in every:
        rest, _ = _strip(rest, words)
    if rest.strip():
        return None  # words we do not understand stand between the subject and the number
    last = window.split(_PLACEHOLDER)[-1]  # the attribute is what follows the previous number
    last, marks = _strip(last, _CHANGE_MARK)
    last, downs = _strip(last, _DOWN)
    last, ups = _strip(last, _UP)
    last, prevs = _strip(last, _PREV)
    last, budgets = _strip(last, _BUDGET)
    last, actuals = _strip(last, _ACTUAL)
    last, rates = _strip(last, _RATE_WORDS)
    if downs and ups:
        return None
    sign = Decimal(-1) if downs else Decimal(1)
    changed = bool(downs or ups)
    if marks and not changed:
        prevs.append("上年")  # “比上年20.67万元减少…”: the number after 比上年 is last year's
    value = s.value * sign
    if s.unit in ("人", "名"):
        if single and single[0] == "count" and not changed:
            return Tie(single[1], s.value, "count")
        return None
    if s.unit == "%":
        if single is not None:
            return Tie(single[1], s.value, "rate") if single[0] == "rate" and not changed else None
        if changed:
            return _tie(figures, "change_pct", value, "rate")
        before = sentence[max(max(sentence.rfind(c, lookback, s.start) for c in "，,：:") + 1, lookback):s.start]
        if rates or ("为" in before and before.rstrip().endswith("的") and not prevs):
            return _tie(figures, "rate", s.value, "rate")
        return None
    amount = s.value * ({"亿元": TEN_THOUSAND, "元": 1 / TEN_THOUSAND}.get(s.unit, Decimal(1)))
    if single is not None:
        return Tie(single[1], amount, "money") if single[0] == "money" and not changed and not budgets else None
    if changed:
        return _tie(figures, "change", amount * sign, "money") if (marks or not prevs) else None
    if prevs and not budgets:
        return _tie(figures, "prev", amount, "money")
    if budgets and not prevs and not actuals:
        return _tie(figures, "budget", amount, "money")
    if not budgets and not prevs:
        return _tie(figures, "actual", amount, "money")
    return None


def _tie(figures: Mapping[str, str], attribute: str, value: Decimal, kind: str) -> Tie | None:
    name = figures.get(attribute)
    return Tie(name, value, kind) if name is not None else None


def _figure(loaded: Loaded, computed: Computed, name: str,
            env: Mapping[str, object] | None = None) -> tuple[Decimal | None, tuple[Decimal, ...]]:
    """(value, other forms the text may truly quote) of a defined name; None when blank or not a number.

    The other forms are the value typed in the cell and, for a ratio, its unrounded value: reports of the
    genre truncate ratios (the seed's 98.96 % for 98.966 %), which the text may repeat without a new slip.
    """
    f = spec.FIELD_BY_NAME.get(name)
    if f is None:
        return None, ()
    raw = computed.get(name) if f.is_derived else loaded.model.values.get(name)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = Decimal(raw)
    if not isinstance(raw, Decimal):
        return None, ()
    others: list[Decimal] = []
    stated = loaded.model.stated.get(name)
    if isinstance(stated, Decimal):
        others.append(stated)
    exact = getattr(f.expr, "exact", None)
    if exact is not None:
        unrounded = exact(env if env is not None else {**loaded.model.env(), **computed})
        if isinstance(unrounded, Decimal):
            others.append(unrounded)
    return raw, tuple(others)


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def agrees(figure: Decimal, stated: Decimal, decimals: int) -> bool:
    """The text's number is the figure rounded or truncated to the decimals the text uses."""
    try:
        return stated in (excel_round(figure, decimals), truncate(figure, decimals))
    except InvalidOperation:
        return False


def _in_unit(figure: Decimal, unit: str) -> Decimal:
    return figure / TEN_THOUSAND if unit == "亿元" else figure * TEN_THOUSAND if unit == "元" else figure


class Counted(msgspec.Struct):
    """How much of the text the matcher could read: numbers with a unit, those tied to a figure, the rest."""

    stated: int = 0
    checked: int = 0
    unmatched: int = 0

    def to_json(self) -> dict[str, int]:
        return {"stated": self.stated, "checked": self.checked, "unmatched": self.unmatched}


#: A 元/万元 slip: the unit the text used → the message variant naming the unit it should have used.
_SLIP_UNITS = {"万元": "yuan", "元": "wan"}


def _snippet(sentence: str, start: int, end: int) -> str:
    head = max(sentence.rfind(c, 0, start) for c in "，,：:") + 1
    return sentence[head:end].strip()[-60:]


def _figures(loaded: Loaded, computed: Computed, counted: Counted, texts: list[tuple[Passage, str]]) -> list[Finding]:
    out: list[Finding] = []
    env: dict[str, object] | None = None  # inputs and derived values, for a ratio's unrounded value
    for p, text in texts:
        for sm in _SENTENCE.finditer(text):
            sentence = sm.group(0)
            found = numbers(sentence)
            for k, s in enumerate(found):
                if s.unit not in _CHECKED_UNITS:
                    continue
                counted.stated += 1
                if counted.stated > MAX_NUMBERS:  # a hostile or pasted-in text: count, do not read
                    counted.unmatched += 1
                    continue
                t = tie(sentence, s, found[:k])
                if t is not None and env is None:
                    env = {**loaded.model.env(), **computed}
                value, others = _figure(loaded, computed, t.name, env) if t else (None, ())
                if t is None or value is None:
                    counted.unmatched += 1
                    continue
                counted.checked += 1
                out += _compare(loaded, p, sentence, s, t, value, others)
    return out


def _compare(loaded: Loaded, p: Passage, sentence: str, s: Stated, t: Tie, value: Decimal,
             others: tuple[Decimal, ...]) -> list[Finding]:
    d = _decimals(s.text)
    sign = -1 if t.value < 0 else 1
    written = s.value * sign
    fig_in_unit = _in_unit(value, s.unit) if t.kind == "money" else value
    if any(agrees(_in_unit(v, s.unit) if t.kind == "money" else v, written, d) for v in (value, *others)):
        return []
    f = spec.FIELD_BY_NAME[t.name]
    fs, fc = place(loaded, t.name)
    quote = _snippet(sentence, s.start, s.end)
    shown = fmt(value, f.decimals)
    params = {"where": p.where, "where_en": p.where_en, "quote": quote, "sheet": fs, "cell": fc, "label": f.label,
              "label_en": f.label_en, "shown": shown}
    if t.kind == "money" and s.unit in _SLIP_UNITS:
        for factor, how in ((TEN_THOUSAND, "times"), (1 / TEN_THOUSAND, "fraction")):
            if agrees(fig_in_unit * factor, written, d):
                return [finding("narrative-unit-slip", f"{how}-{_SLIP_UNITS[s.unit]}",
                                {**params, "figure": _in_unit(value, s.unit)}, sheet=p.sheet, cell=p.cell,
                                expected=figure_text(shown, "money", spaced=True), actual=f"{s.text}{s.unit}")]
    return [finding("narrative-figure-mismatch", t.kind, params, sheet=p.sheet, cell=p.cell,
                    expected=figure_text(shown, t.kind), actual=f"{'-' if sign < 0 else ''}{s.text}{s.unit}")]


# -- counts ---------------------------------------------------------------------------------------------

_N = r"(\d+|[一二两三四五六七八九十]+)"
#: (list, a word every match contains, pattern whose group ``n`` is the count); what each list is called is the
#: catalogue's (COUNTED_LISTS). A text without the word is not searched: a pattern that starts with a number
#: is otherwise tried at every character of every passage.
_LIST_COUNTS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("duties", "主要职责", re.compile(r"主要职责(?:有|共|包括)?(?:以下)?" + _N + r"(?:项|条)")),
    ("duties", "主要职责", re.compile(_N + r"(?:项|条)主要职责")),
    ("goals", "绩效目标", re.compile(_N + r"(?:个|项)(?:年度)?(?:部门)?(?:整体)?绩效目标")),
    ("goals", "绩效目标", re.compile(r"绩效目标(?:共|有)" + _N + r"(?:个|项)")),
    ("projects", "项目支出", re.compile(r"项目支出[^，。；,]{0,12}?(?:包括|包含|含|共|涉及|安排)" + _N
                                    + r"个(?:具体)?(?:支出)?项目")),
    ("projects", "项目明细", re.compile(r"项目明细(?:共|有)?" + _N + r"(?:个|项)")),
    ("indicators", "三级指标", re.compile(_N + r"个三级指标")),
    ("indicators", "三级指标", re.compile(r"三级指标(?:共|有)?" + _N + r"(?:个|项)")),
)
_ENUMERATION = re.compile(r"(?:内设|下设|设有|设立|下辖|包括)([^，。；,:：\d]{2,200}?)" + _N
                          + r"个(股室|科室|处室|内设机构|二级机构|机构|二级单位|下属单位|单位|部门|中心|股|科|室)")


def _as_int(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_int(text)


def _counts(loaded: Loaded, texts: list[tuple[Passage, str]]) -> list[Finding]:
    out: list[Finding] = []
    lists = loaded.model.lists
    used = {table: (lists.get(table, []) if table != "indicators" else
                    [r for r in lists.get(table, []) if r.get("level3")]) for table, *_ in _LIST_COUNTS}
    for p, text in texts:
        for table, word, pattern in _LIST_COUNTS:
            rows = used[table]
            if not rows or word not in text:
                continue
            label, label_en = COUNTED_LISTS[table]
            for m in pattern.finditer(text):
                n = _as_int(m.group(1))
                if n is None or n == len(rows):
                    continue
                t = spec.table(table)
                out.append(finding("narrative-count-mismatch", "list",
                                   {"where": p.where, "where_en": p.where_en, "quote": m.group(0), "sheet": t.sheet,
                                    "what": label, "what_en": label_en, "rows": len(rows)},
                                   sheet=p.sheet, cell=p.cell, expected=str(len(rows)), actual=str(n)))
        for m in _ENUMERATION.finditer(text) if "个" in text else ():
            items_text = m.group(1)
            if "等" in items_text[-2:] or "等" in items_text:
                continue
            n = _as_int(m.group(2))
            plain = [x for x in items_text.split("、") if x.strip()]
            loose = [x for x in re.split(r"[、和及与]", items_text) if x.strip()]
            if n is None or len(plain) < 2 or n in (len(plain), len(loose)):
                continue
            out.append(finding("narrative-count-mismatch", "enumeration",
                               {"where": p.where, "where_en": p.where_en, "quote": m.group(0), "count": len(plain),
                                "items": plain},
                               sheet=p.sheet, cell=p.cell, expected=str(len(plain)), actual=str(n)))
    return out


def check_counted(loaded: Loaded, computed: Computed) -> tuple[list[Finding], Counted]:
    counted = Counted()
    texts = [(p, normalise(p.text)) for p in passages(loaded)]  # each passage found and normalised once
    findings = _figures(loaded, computed, counted, texts) + _counts(loaded, texts)
    return findings, counted


def check(loaded: Loaded, computed: Computed) -> list[Finding]:
    return check_counted(loaded, computed)[0]


def iter_ties(text: str) -> Iterator[tuple[Stated, Tie | None]]:
    """Every number with a unit in ``text`` and the figure it is tied to (for tests and docs)."""
    for sm in _SENTENCE.finditer(normalise(text)):
        sentence = sm.group(0)
        found = numbers(sentence)
        for k, s in enumerate(found):
            if s.unit in _CHECKED_UNITS:
                yield s, tie(sentence, s, found[:k])


__all__ = ["Counted", "Passage", "SUBJECTS", "Stated", "Tie", "agrees", "check", "check_counted", "chinese_int",
           "iter_ties", "normalise", "numbers", "passages", "tie"]
