"""Findings are rendered from the catalogue's templates: no message text at the check call sites, and every
template's placeholders supplied by the findings that use it (on the examples and the fault fixtures)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from string import Formatter

import pytest

from workbook_tools.checks.render import to_json_data
from workbook_tools.checks.validate import validate
from workbook_tools.core import live_checks
from workbook_tools.core.findings import CATALOGUE_LIST, Finding, placeholders, render, template

from .factory import filled_workbook
from .test_previous import COPIED, last_year, last_year_and
from .test_reviewer_checks import CASES as REVIEWER_CASES
from .test_reviewer_checks import book, set_list, set_values
from .test_validate_cases import CASES as FAULT_CASES

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "workbook_tools" / "checks"
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
#: Chinese characters, CJK punctuation (“”、。：) and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
#: The calls that make a finding: ``finding(...)``, ``Finding(...)``, ``Finding.of(...)`` and ``target.f(...)``.
MAKERS = {"finding", "Finding", "of", "f"}
_SPEC = re.compile(r"v\d*e?|list|qlist|enlist|join.+|")


def _called(node: ast.Call) -> str:
    fn = node.func
    return fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""


def _raised(tree: ast.AST) -> set[int]:
    """Nodes inside ``raise`` statements: an exception's own message, not a finding's."""
    return {id(sub) for node in ast.walk(tree) if isinstance(node, ast.Raise) for sub in ast.walk(node)}


def message_literals(source: str) -> list[tuple[int, str]]:
    """CJK text the checks' code would show as a message: in an f-string (messages are built that way), or
    anywhere inside the arguments of a call that makes a finding."""
    tree = ast.parse(source)
    skip = _raised(tree)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if CJK.search(text):
                out.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and _called(node) in MAKERS:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and CJK.search(sub.value):
                    out.append((sub.lineno, sub.value))
    return out


def test_the_scan_sees_message_text() -> None:
    """The scan itself: it flags the shapes message text took at the call sites, and not what a check parses."""
    assert message_literals('finding("x", "“金额”为负数", "negative")')
    assert message_literals('t.f("x", "v", expected="数字")')
    assert message_literals('zh = f"“{label}”为 {v}"')
    assert not message_literals('_YEAR = re.compile(r"\\d{4}年度?")\nfinding("code", "variant", {"label": label})')
    assert not message_literals('raise AnnotateError(f"{out}：无法写出")')


#: Outside the checks, the modules that make findings (or a batch file's reason) for the user.
MAKERS_ELSEWHERE = [ROOT / "workbook_tools" / "fill.py", ROOT / "workbook_tools" / "batch" / "result.py"]


@pytest.mark.parametrize("path", sorted(CHECKS.glob("*.py")) + MAKERS_ELSEWHERE, ids=lambda p: p.name)
def test_no_message_text_in_the_checks(path: Path) -> None:
    found = message_literals(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: message text belongs in the catalogue (core/findings.py): {found}"


# -- the templates ----------------------------------------------------------------------------------------


def test_templates_are_well_formed() -> None:
    from string import Formatter

    for c in CATALOGUE_LIST:
        for variant, pair in c.messages.items():
            assert re.fullmatch(r"[a-z]+(-[a-z]+)*", variant), (c.code, variant)
            assert len(pair) == 2 and pair[0].strip() and pair[1].strip(), (c.code, variant)
            for text in pair:
                for _, name, spec, conversion in Formatter().parse(text):
                    if name is None:
                        continue
                    assert name.isidentifier(), (c.code, variant, name)
                    assert conversion in (None, "r"), (c.code, variant, conversion)
                    assert _SPEC.fullmatch(spec or ""), (c.code, variant, spec)


def _literal_calls() -> Iterator[tuple[str, int, str, str, set[str] | None]]:
    """(file, line, code, variant, parameter names or None when not a literal) of each finding call whose code
    and variant are literal strings."""
    for path in sorted(CHECKS.glob("*.py")) + MAKERS_ELSEWHERE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _called(node) in ("finding", "of") and len(node.args) >= 2):
                continue
            code, variant = node.args[0], node.args[1]
            if not (isinstance(code, ast.Constant) and isinstance(variant, ast.Constant)):
                continue
            params = node.args[2] if len(node.args) > 2 else None
            names: set[str] | None = set()
            if isinstance(params, ast.Dict):
                if any(k is None for k in params.keys):
                    names = None  # {**other, ...}: checked on real findings below
                else:
                    names = {k.value for k in params.keys if isinstance(k, ast.Constant)}
            elif params is not None:
                names = None
            yield path.name, node.lineno, str(code.value), str(variant.value), names


def test_literal_call_sites_name_real_templates_and_supply_their_placeholders() -> None:
    calls = list(_literal_calls())
    assert len(calls) >= 30  # the scan reads the call sites (most name their code and variant literally)
    for file, line, code, variant, names in calls:
        zh, en = template(code, variant)
        if names is not None:
            missing = (placeholders(zh) | placeholders(en)) - names
            assert not missing, f"{file}:{line} {code}/{variant} lacks {missing}"


def test_rendering_formats_figures_in_one_place() -> None:
    zh, en = render("unit-yuan-suspected", "default", {"label": "工资", "label_en": "wages",
                                                        "value": Decimal("5387200"), "wan": Decimal("538.7")})
    assert "为 5387200，" in zh and "应为 538.70。" in zh and "would be 538.70" in en
    zh, _ = render("staff-without-quota", "zero", {"staff": None})
    assert "实有人数 空白 人" in zh
    with pytest.raises(KeyError):
        render("weights-not-100", "default", {})
    with pytest.raises(KeyError, match="no message template"):
        template("weights-not-100", "no-such-variant")


def _list_params(pair: tuple[str, str]) -> set[str]:
    from string import Formatter

    return {name for text in pair for _, name, spec, _ in Formatter().parse(text)
            if name and spec and (spec.endswith("list") or spec.startswith("join"))}


def test_severity_comes_from_the_catalogue() -> None:
    for c in CATALOGUE_LIST:
        for variant in c.messages:
            params = {name: Decimal(1) for pair in c.messages[variant] for name in placeholders(pair)}
            params.update({name: ["a", "b"] for name in _list_params(c.messages[variant])})
            f = Finding.of(c.code, variant, params)
            assert f.severity == c.severity and f.message and f.message_en, (c.code, variant)


# -- on real findings: the examples, the app-saved fixtures, the broken inputs and planted faults ----------


def _check(findings: list[Finding], seen: set[tuple[str, str]]) -> None:
    for f in findings:
        assert f.variant is not None, f"{f.code}: message not rendered from a template: {f.message}"
        zh, en = template(f.code, f.variant)
        missing = (placeholders(zh) | placeholders(en)) - set(f.params)
        assert not missing, (f.code, f.variant, missing)
        assert (f.message, f.message_en) == render(f.code, f.variant, f.params)
        json.dumps(f.to_json()["params"], ensure_ascii=False)  # JSON-able as it stands
        seen.add((f.code, f.variant))


def _report_findings(path: Path, last: Path | None = None) -> list[Finding]:
    r = validate(path, last_year=last)
    return [*r.findings, *([r.unreadable] if r.unreadable else [])]


CHECKED_CODES = {c.code for c in CATALOGUE_LIST if c.messages}


@pytest.mark.xdist_group("broken-inputs")  # the worker that builds the broken inputs once (tests/conftest.py)
def test_placeholders_supplied_on_examples_fixtures_and_broken_inputs(broken_inputs: dict[str, Path]) -> None:
    seen: set[tuple[str, str]] = set()
    for path in sorted(EXAMPLES.glob("*.xlsx")) + sorted(FIXTURES.rglob("*.xlsx")):
        _check(_report_findings(path), seen)
    for name, path in broken_inputs.items():
        if name != "million-rows":  # a million rows cost a long read and carry no finding (tests/test_robustness.py)
            _check(_report_findings(path), seen)
    codes = {code for code, _ in seen}
    assert {"value-truncated", "formula-changed", "text-number", "template-unknown"} <= codes, sorted(codes)


@pytest.mark.slow
def test_placeholders_supplied_on_planted_faults(tmp_path: Path) -> None:
    """The fault tables of tests/test_validate_cases.py, tests/test_reviewer_checks.py and tests/test_previous.py."""
    seen: set[tuple[str, str]] = set()
    for case in FAULT_CASES:
        _check(_report_findings(filled_workbook(tmp_path / f"{case.id}.xlsx", edit=case.edit, post=case.post,
                                                **case.overrides)), seen)
    for case in REVIEWER_CASES:
        d = tmp_path / case.id
        d.mkdir()
        _check(_report_findings(book(d, case.edit, base=case.base)), seen)
    para = set_list("narrative", 4, text=COPIED)
    for i, (this, last) in enumerate([(None, last_year_and(set_values(sangong_reception_actual="8.95"))),
                                      (None, last_year_and(set_values(staff_quota=30))),
                                      (None, last_year_and(set_values(staff_quota=50))),
                                      (para, last_year_and(para)),
                                      (None, last_year_and(set_values(unit_name="青山县卫生健康局"))),
                                      (None, last_year_and(set_values(fiscal_year=2021))),
                                      (None, last_year)]):
        d = tmp_path / f"previous{i}"
        d.mkdir()
        _check(_report_findings(book(d, this, name="2023.xlsx"), book(d, last, name="2022.xlsx")), seen)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    _check(_report_findings(EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx", bad), seen)
    codes = {code for code, _ in seen}
    assert len(codes) >= len(CHECKED_CODES) // 2, sorted(CHECKED_CODES - codes)  # the tables reach most codes


def test_json_report_carries_params() -> None:
    data = to_json_data(validate(EXAMPLES / "seed_2022_anhua_zhongdian.xlsx"))
    assert data["findings"]
    for f in data["findings"]:
        assert isinstance(f["params"], dict) and "variant" not in f
        assert all(not isinstance(v, Decimal) for v in f["params"].values())
    json.dumps(data, ensure_ascii=False)


# -- the workbook's own 校验 sheet: its messages are the catalogue's checks-* templates -----------------------

LIVE_CHECKS = ROOT / "workbook_tools" / "core" / "live_checks.py"
#: The Chinese text live_checks.py may hold, none of it a message: the names of two cells a formula-changed
#: finding names and the meanings of the defined names (docs/checks.md prints them; the 结果 column's meaning
#: takes its three words from the words table, hence its pieces). Row labels, cell names and the 结果 column's
#: number format come from the spec and the words table.
LIVE_NOT_MESSAGES = {
    "cell names": {"校验汇总", "状态行"},
    "defined names": {"校验表（每行一项实时检查）", "校验表：结果列（", "）", "校验表：工作表列",
                      "校验表：说明模板的键（代码|类别）", "校验表：说明模板（{0} 检查项，{1}、{2} 数值）",
                      "校验表：下拉列表的选项"},
}


def cjk_constants(source: str) -> list[tuple[int, str]]:
    """Every string constant with Chinese text in a module (f-string pieces too), docstrings aside."""
    tree = ast.parse(source)
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs and CJK.search(n.value)]


def test_the_live_scan_sees_message_text() -> None:
    found = cjk_constants('"""说明"""\nCase("excel-error", "ISERROR(x)", "“{0}”含错误值")\nt = f"{a}为负数"')
    assert [text for _, text in found] == ["“{0}”含错误值", "为负数"]


def test_no_message_text_in_the_live_checks() -> None:
    """live_checks.py writes no Chinese message: every wording of the 校验 sheet is a catalogue template (and the
    status line the spec's); what Chinese it holds is a label, a cell's name, a number format or a name's meaning."""
    allowed = set().union(*LIVE_NOT_MESSAGES.values())
    found = cjk_constants(LIVE_CHECKS.read_text(encoding="utf-8"))
    assert found  # the scan reads the module (its labels are Chinese)
    stray = [(line, text) for line, text in found if text not in allowed]
    assert allowed <= {text for _, text in found}, "an allowed text is no longer there: drop it from the list"
    assert not stray, f"live_checks.py: message text belongs in the catalogue (core/findings.py): {stray}"


def _live_cases() -> Iterator[tuple[live_checks.Target, live_checks.Case]]:
    for t in live_checks.targets():
        for c in t.cases:
            if c.code:
                yield t, c


def test_every_live_message_is_a_catalogue_template_with_its_parameters() -> None:
    used: set[tuple[str, str]] = set()
    for t, c in _live_cases():
        zh, en = template(c.code, c.variant)
        given = {name for name, _ in c.words} | {name for name, _ in t.args} | ({"label"} if t.key else set())
        assert placeholders(zh) | placeholders(en) <= given, (t.item, c.code, c.variant)
        assert c.variant.startswith("checks-") or c.variant == "default", (c.code, c.variant)  # default: validate's
        used.add((c.code, c.variant))
    live = {(c.code, v) for c in CATALOGUE_LIST for v in c.messages if v.startswith("checks-")}
    assert live <= used, f"catalogue templates no 校验 row uses: {sorted(live - used)}"
    assert {code for code, _ in used} == live_checks.live_codes()


def test_the_message_table_says_what_the_catalogue_renders() -> None:
    """A table text with its {0}, {1}… filled in is the catalogue's message rendered with the same values."""
    table = dict(live_checks.messages())
    assert table
    for t, c in _live_cases():
        if not t.key:
            continue
        values = {"label": "检查项", **{name: f"<{name}>" for name, _ in t.args}}
        text = table[f"{c.code}|{t.key}"]
        for n, name in enumerate(["label", *(name for name, _ in t.args)]):
            text = text.replace(f"{{{n}}}", values[name])
        assert text == render(c.code, c.variant, {**dict(c.words), **values})[0], (c.code, t.key)


def test_cross_table_messages_are_the_catalogue_templates_as_formulas() -> None:
    """Literal parameters fold into the text, the others are concatenated, :vN figures are FIXED."""
    assert live_checks.excel_text("“{what}”合计 {s:v2} 万元，{n:v} 人{{}}", {"what": '"决算"', "s": "SUM(a)",
                                                                        "n": "B1"}) \
        == '"“决算”合计 "&FIXED(SUM(a),2,1)&" 万元，"&B1&" 人{}"'
    assert live_checks.excel_text("{a}", {"a": "A1"}) == "A1" and live_checks.excel_text("", {}) == '""'
    assert live_checks.excel_text('说"{x}"', {"x": '"a""b"'}) == '"说""a""b"""'
    with pytest.raises(ValueError):
        live_checks.excel_text("{x:list}", {"x": "A1"})
    rows = {lc.cell: lc.formula for lc in live_checks.cells() if lc.sheet == live_checks.SHEET}
    for i, t in enumerate(live_checks.targets()):
        if t.key:
            continue
        formula = rows[f"{live_checks.COL_MESSAGE}{live_checks.FIRST_ROW + i}"]
        for c in t.cases:
            if c.code:  # every literal piece of the template is in the row's formula, in order
                pieces = [lit for lit, *_ in Formatter().parse(template(c.code, c.variant)[0]) if lit]
                assert re.search(".*".join(re.escape(p.replace('"', '""')) for p in pieces), formula), (t.item, c.code)
