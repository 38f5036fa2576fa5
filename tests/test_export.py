"""export: figures, wording, outline, Markdown golden files, the .docx read back, the Word template, the CLI."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from typer.testing import CliRunner

from workbook_tools.cli.app import app
from workbook_tools.core.model import Evaluation
from workbook_tools.export import ExportRefused, count_errors, export_report, format_for, outline_for
from workbook_tools.export import sentences as S
from workbook_tools.export.docx import render_docx
from workbook_tools.export.markdown import render_markdown
from workbook_tools.export.numbers_format import amount, ratio, signed_word
from workbook_tools.export.outline import Heading, Notice, Paragraph, Title, build_outline, chinese_number
from workbook_tools.export.styles import (
    FONT_BODY,
    FONT_H1,
    FONT_H2,
    FONT_TITLE,
    REQUIRED_STYLES,
    THEME_FONT_ATTRS,
    build_template,
    open_template,
)
from workbook_tools.export.wording import DEFAULT_WORDING, KEY_HEADER, TemplateError, default_template_path
from workbook_tools.xlsx.reader import load

from .conftest import CONSISTENT_JSON, ROOT, SEED_JSON, load_json

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("WORKBOOK_TOOLS_REGEN_GOLDEN") == "1"

SEED_TOTAL = ("2022年度部门决算一般公共预算财政拨款支出总额1918.71万元，为年初预算509.76万元的376.39%。"
              "其中基本支出584.32万元，为年初预算329.76万元的177.20%；项目支出1334.39万元，为年初预算180万元的741.33%。")
SEED_BASIC = ("2022年基本支出584.32万元，其中工资福利支出422.49万元，商品和服务支出161.83万元。"
              "基本支出中三公经费13.4万元，比上年减少7.27万元，减少35.17%，公务接待费13.4万元，比上年减少7.27万元，减少35.17%。")
SEED_STAFF = "（三）人员配备情况。安化县重点建设项目事务中心核定全额拨款事业编制30名，2022年实有人数29人。"
SEED_CONCLUSION = ("根据部门整体支出绩效评价指标体系和绩效检查情况，该单位2022年度整体支出绩效评价指标总分值100分，"
                   "实得100分，被评为优秀等级。")
SEED_TABLES = [
    ("表1 2022年基本支出预算执行情况表", [
        ("预算项目", "年初预算", "决算金额", "占比%"),
        ("工资福利支出", "285.48", "422.49", "147.99"),
        ("商品和服务支出", "44.28", "161.83", "365.47"),
        ("对个人和家庭的补助", "0", "0", ""),
        ("资本性支出", "0", "", ""),
        ("合计", "329.76", "584.32", "177.20"),
    ]),
    ("表2 2022年“三公”经费预算执行情况表", [
        ("费用项目", "年初预算", "决算金额", "占比%"),
        ("公务接待费", "13.54", "13.4", "98.97"),
        ("公务用车购置及运行费", "0", "0", ""),
        ("因公出国（境）费用", "0", "0", ""),
        ("合计", "13.54", "13.4", "98.97"),
    ]),
    ("表3 “三公”经费与上年对比情况", [
        ("费用项目", "2021年决算数", "2022年决算数", "增减额", "增减率%"),
        ("公务接待费", "20.67", "13.4", "减7.27", "减35.17"),
        ("公务用车购置及运行费", "0", "0", "0", ""),
        ("因公出国（境）费用", "0", "0", "0", ""),
        ("合计", "20.67", "13.4", "减7.27", "减35.17"),
    ]),
    ("表4 2022年项目支出预算执行情况表", [
        ("预算项目", "年初预算", "决算金额", "占比%"),
        ("项目支出", "180", "1334.39", "741.33"),
        ("合计", "180", "1334.39", "741.33"),
    ]),
]


def seed_model() -> Evaluation:
    return Evaluation.from_json(load_json(SEED_JSON))


def consistent_model() -> Evaluation:
    return Evaluation.from_json(load_json(CONSISTENT_JSON))


# -- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("180"), "180"), (Decimal("13.40"), "13.4"), (Decimal("1918.71"), "1918.71"), (180, "180"),
    (Decimal("0.005"), "0.01"), (Decimal("2.675"), "2.68"), (Decimal("-0.001"), "0"), (Decimal("1E+3"), "1000"),
    (None, ""), ("12,3", ""),
])
def test_amounts_as_the_seed_writes_them(value: object, text: str) -> None:
    assert amount(value) == text


def test_ratios_keep_two_decimals_and_changes_carry_the_seed_word() -> None:
    assert ratio(Decimal("177.2")) == "177.20"
    assert ratio(Decimal("376.39")) == "376.39"
    assert ratio(None) == ""
    assert signed_word(Decimal("-7.27")) == "减7.27"
    assert signed_word(Decimal("1.20")) == "增1.2"
    assert signed_word(Decimal("0")) == "0"
    assert signed_word(Decimal("-35.17"), "ratio") == "减35.17"
    assert signed_word(Decimal("24"), "ratio") == "增24.00"
    assert signed_word(None, "ratio") == ""


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]


# -- sentences -------------------------------------------------------------------------------------


def _change(cur: str, prev: str) -> S.Change:
    c, p = Decimal(cur), Decimal(prev)
    rate = None if p == 0 else ((c - p) / p * 100).quantize(Decimal("0.01"))
    return S.Change("公务接待费", c, p, c - p, rate)


def test_change_phrases_say_increase_decrease_unchanged_and_new() -> None:
    assert S.change_phrase(_change("13.4", "20.67")) == "比上年减少7.27万元，减少35.17%"
    assert S.change_phrase(_change("6.2", "5")) == "比上年增加1.2万元，增长24.00%"
    assert S.change_phrase(_change("5", "5")) == "与上年持平"
    assert S.change_phrase(_change("0", "0")) == "与上年持平"
    assert S.change_phrase(_change("3", "0")) == "上年无此项支出"


def test_zero_budget_reads_as_a_sentence_not_a_percentage_of_zero() -> None:
    text = S.against_budget("项目支出", Decimal("100"), Decimal("0"), None)
    assert text == "项目支出100万元，年初未安排预算"
    total = S.total_spending(2023, (Decimal(100), Decimal(0), None), (Decimal(0), Decimal(0), None),
                             (Decimal(100), Decimal(0), None))
    assert "0万元的" not in total and "%" not in total
    assert total.startswith("2023年度部门决算一般公共预算财政拨款支出总额100万元，年初未安排预算。")


def test_staffing_sentence_variants() -> None:
    assert S.staffing("某局", "行政单位", 36, 38, 2023) == "某局核定行政编制36名，2023年实有人数38人。"
    assert S.staffing("某中心", "其他", 5, None, 2023) == "某中心核定编制5名。"
    assert S.staffing("某中心", "", None, 4, 2023) == "某中心2023年实有人数4人。"
    assert S.staffing("某中心", "", None, None, 2023) is None


def test_project_items_and_run_in_punctuation() -> None:
    assert S.project_item(1, "甲项目", Decimal("220"), "用于考核奖励") == "（1）甲项目220万元，用于考核奖励。"
    assert S.project_item(2, "乙项目", Decimal("5.50"), "用于培训。") == "（2）乙项目5.5万元，用于培训。"
    assert S.project_item(3, "丙项目", None, "") == "（3）丙项目。"
    assert S.end_with_stop("加强政治建设，筑牢政治忠诚") == "加强政治建设，筑牢政治忠诚。"
    assert S.end_with_stop("主要职责是：") == "主要职责是："
    assert S.conclusion(2022, Decimal(100), Decimal(100), None) is None


# -- outline ---------------------------------------------------------------------------------------


def test_seed_outline_has_the_seed_sentences_with_computed_figures() -> None:
    model = seed_model()
    assert model.stated["basic_rate"] == Decimal("177.19")  # the published, truncated figure
    texts = build_outline(model).texts()
    for sentence in (SEED_TOTAL, SEED_BASIC, SEED_STAFF, SEED_CONCLUSION):
        assert sentence in texts
    assert not any("177.19" in t for t in texts)
    assert "（一）机构设置。县重点建设项目事务中心是财政全额拨款事业单位，内设办公室、项目前期股、重点项目全程服务股、项目协调股四个股室。" in texts
    assert "1、负责研究提出全县重点项目管理的政策、制度和建议，经审定后组织实施；统筹协调解决重点项目建设中的重大问题。" in texts
    assert "9、完成县委、县政府交办的其他任务。" in texts
    assert "绩效目标设立情况，主要包括部门中长期绩效目标和年度绩效目标。" in texts
    assert any(t.startswith("（一）全面加强党的建设。加强政治建设") for t in texts)
    assert any(t.startswith("（五）全力服务中心大局。") for t in texts)
    assert "（1）2021年度全县重点项目考核奖励金220万元，用于全县2021年度各重点建设项目考核奖励开支。" in texts
    assert any(t.startswith("1、绩效评价目的。通过对中心开展") for t in texts)
    assert any(t.startswith("2、绩效评价工作过程。按照相关政策规定") for t in texts)
    assert any(t.startswith("1.加强政治建设，筑牢政治忠诚。把牢政治方向。") for t in texts)


def test_seed_outline_sections_in_order() -> None:
    headings = [b.text for b in build_outline(seed_model()).blocks if isinstance(b, Heading) and b.level == 1]
    assert headings == ["一、单位基本情况", "二、绩效目标设立情况", "三、资金使用情况", "四、内部管理",
                        "五、绩效评价组织与绩效评价结论", "六、主要绩效情况", "七、存在问题"]
    consistent = [b.text for b in build_outline(consistent_model()).blocks if isinstance(b, Heading) and b.level == 1]
    assert consistent[-1] == "八、改进措施"


def test_seed_tables_rows() -> None:
    tables = build_outline(seed_model()).tables()
    assert [(t.title, [t.header, *t.rows]) for t in tables] == SEED_TABLES
    assert all(t.unit == "（单位：万元）" for t in tables)


def test_typed_over_derived_cells_never_reach_the_report() -> None:
    model = seed_model()
    model.stated.update({"total_actual": Decimal("9999"), "sangong_change": Decimal("1")})
    texts = build_outline(model).texts()
    assert SEED_TOTAL in texts and SEED_BASIC in texts


def test_empty_optional_sections_are_left_out_and_numbering_closes_up() -> None:
    model = seed_model()
    model.lists["goals"] = []
    model.lists["narrative"] = [r for r in model.lists["narrative"] if r["section"] == "存在问题"]
    model.values["org_setup"] = None
    headings = [b.text for b in build_outline(model).blocks if isinstance(b, Heading)]
    assert [h for h in headings if "、" in h[:3]] == ["一、单位基本情况", "二、资金使用情况",
                                                    "三、绩效评价组织与绩效评价结论", "四、存在问题"]
    texts = build_outline(model).texts()
    assert "（一）主要职责是：" in texts  # 机构设置 gone, the rest renumbered
    assert not any("绩效目标设立情况，主要包括" in t for t in texts)
    assert not any(t == "" for t in texts)


def test_narrative_levels_numbering_restarts_and_newlines() -> None:
    model = consistent_model()
    rows = [
        (1, "甲", "甲的正文"), (2, "子一", "第一段\n\n第二段"), (2, "子二：", "正文"), (1, "乙", None),
        (2, "子三", "正文"), (3, "细一", "正文"), (2, "子四", None), (3, None, "只有正文"), (0, None, "收尾段落"),
    ]
    model.lists["narrative"] = [{"section": "存在问题", "level": lvl, "heading": h, "text": t} for lvl, h, t in rows]
    out = build_outline(model)
    start = next(i for i, b in enumerate(out.blocks) if isinstance(b, Heading) and b.text.endswith("存在问题"))
    texts = [b.text for b in out.blocks[start + 1:] if isinstance(b, Heading | Paragraph)]
    cut = texts.index("收尾段落") + 1
    assert texts[:cut] == ["（一）甲", "甲的正文", "1.子一。第一段", "第二段", "2.子二：正文", "（二）乙", "1.子三。正文",
                           "（1）细一。正文", "2.子四", "（1）只有正文", "收尾段落"]
    heading = out.blocks[start + 1]
    assert isinstance(heading, Heading) and heading.level == 2
    run_in = next(b for b in out.blocks if isinstance(b, Paragraph) and b.text == "1.子一。第一段")
    assert [(r.text, r.role) for r in run_in.runs] == [("1.子一。", "h3"), ("第一段", "text")]


def test_zero_budget_increase_and_new_item_in_sentences_and_tables() -> None:
    model = consistent_model()
    model.values.update({"project_budget": Decimal(0), "sangong_reception_prev": Decimal("5"),
                         "sangong_reception_actual": Decimal("6.2"), "sangong_abroad_actual": Decimal("3"),
                         "sangong_abroad_budget": Decimal("3")})
    out = build_outline(model)
    texts = out.texts()
    total = next(t for t in texts if t.startswith("2023年度部门决算"))
    assert "项目支出2795.64万元，年初未安排预算。" in total
    basic = next(t for t in texts if t.startswith("2023年基本支出"))
    assert "公务接待费6.2万元，比上年增加1.2万元，增长24.00%" in basic
    assert "因公出国（境）费用3万元，上年无此项支出" in basic
    t3 = out.tables()[2]
    assert t3.rows[0] == ("公务接待费", "5", "6.2", "增1.2", "增24.00")
    assert t3.rows[2] == ("因公出国（境）费用", "0", "3", "增3", "")
    t4 = out.tables()[3]
    assert t4.rows == (("项目支出", "0", "2795.64", ""), ("合计", "0", "2795.64", ""))


def test_forced_note_and_attachment_label() -> None:
    from workbook_tools.export.wording import Wording

    out = build_outline(seed_model(), wording=Wording({"attachment": "附件3"}), errors=2)
    assert isinstance(out.blocks[0], Title) and out.blocks[0].attachment == "附件3"
    assert out.blocks[0].lines == ("2022年度安化县重点建设项目事务中心", "部门整体支出绩效报告")
    assert out.blocks[1] == Notice("注意：本报告由存在校验错误的工作簿导出（2个错误），数据未经核实。")
    plain = build_outline(seed_model())
    assert plain.blocks[0].attachment == "" and not any(isinstance(b, Notice) for b in plain.blocks)


# -- Markdown golden files -------------------------------------------------------------------------


@pytest.mark.parametrize("source", [SEED_JSON, CONSISTENT_JSON], ids=["seed", "consistent"])
def test_markdown_golden(source: Path) -> None:
    """Set WORKBOOK_TOOLS_REGEN_GOLDEN=1 to rewrite tests/golden/*.md after an intended change."""
    text = render_markdown(build_outline(Evaluation.from_json(load_json(source))))
    golden = GOLDEN / f"{source.stem}.md"
    if REGEN:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run with WORKBOOK_TOOLS_REGEN_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_markdown_renders_headings_run_ins_and_tables() -> None:
    md = render_markdown(build_outline(seed_model(), errors=1))
    assert md.startswith("# 2022年度安化县重点建设项目事务中心部门整体支出绩效报告\n\n> **注意：")
    assert "\n## 三、资金使用情况\n" in md and "\n### （一）一般公共预算财政拨款支出情况\n" in md
    assert "\n#### 1.基本支出\n" in md
    assert "\n**（一）机构设置。**县重点建设项目事务中心" in md
    assert "| 公务接待费 | 20.67 | 13.4 | 减7.27 | 减35.17 |" in md
    assert "| **合计** | 329.76 | 584.32 | 177.20 |" in md


# -- the .docx read back ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "seed.docx"
    render_docx(build_outline(seed_model(), errors=1)).save(str(path))
    return path


def _pairs(doc: Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs]


def test_docx_style_text_pairs(seed_docx: Path) -> None:
    doc = Document(str(seed_docx))
    pairs = _pairs(doc)
    assert pairs[0] == ("Title", "2022年度安化县重点建设项目事务中心\n部门整体支出绩效报告")
    assert pairs[1] == ("提示框", "注意：本报告由存在校验错误的工作簿导出（1个错误），数据未经核实。")
    for pair in [("Heading 1", "一、单位基本情况"), ("Heading 1", "三、资金使用情况"),
                 ("Heading 2", "（一）一般公共预算财政拨款支出情况"), ("Normal", SEED_TOTAL),
                 ("Heading 3", "1.基本支出"), ("Normal", SEED_BASIC), ("Normal", SEED_STAFF),
                 ("Heading 2", "（二）绩效评价结论"), ("Normal", SEED_CONCLUSION), ("Heading 1", "七、存在问题"),
                 ("表格标题", "表1 2022年基本支出预算执行情况表"), ("表格单位", "（单位：万元）"),
                 ("Heading 2", "（一）狠抓政治思想建设，立稳把准方向")]:
        assert pair in pairs, pair
    org = next(p for p in doc.paragraphs if p.text.startswith("（一）机构设置。"))
    assert [(r.style.name, r.text) for r in org.runs][0] == ("段内二级标题", "（一）机构设置。")
    run_in = next(p for p in doc.paragraphs if p.text.startswith("1.加强政治建设"))
    assert (run_in.runs[0].style.name, run_in.runs[0].text) == ("段内三级标题", "1.加强政治建设，筑牢政治忠诚。")


def test_docx_tables(seed_docx: Path) -> None:
    doc = Document(str(seed_docx))
    got = [[tuple(c.text for c in row.cells) for row in t.rows] for t in doc.tables]
    assert got == [rows for _, rows in SEED_TABLES]
    for t in doc.tables:
        assert t.style.name == "Table Grid"
        header = t.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert t.rows[0].cells[0].paragraphs[0].style.name == "表格表头"
        assert t.rows[1].cells[1].paragraphs[0].style.name == "表格文字"


def _rfonts(style) -> dict[str, str]:
    rf = style.element.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in rf.attrib.items()}


def test_docx_fonts_sizes_and_east_asian_slot(seed_docx: Path) -> None:
    styles = Document(str(seed_docx)).styles
    expect = {"Normal": (FONT_BODY, 16), "Title": (FONT_TITLE, 22), "Heading 1": (FONT_H1, 16),
              "Heading 2": (FONT_H2, 16), "Heading 3": (FONT_BODY, 16), "表格文字": (FONT_BODY, 12),
              "表格表头": (FONT_BODY, 12), "Footer": ("宋体", 14)}
    for name, (east_asia, size) in expect.items():
        st = styles[name]
        assert _rfonts(st)["eastAsia"] == east_asia, name
        assert st.font.size == Pt(size), name
    assert _rfonts(styles["段内二级标题"])["eastAsia"] == FONT_H2
    assert styles["Heading 1"].font.bold is False and styles["Heading 3"].font.bold is True
    normal = styles["Normal"].paragraph_format
    assert normal.line_spacing == Pt(28)
    ind = styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert styles["Title"].paragraph_format.alignment == 1  # centre
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        rf = styles[name].element.rPr.find(qn("w:rFonts"))
        assert not any(rf.get(qn(a)) for a in THEME_FONT_ATTRS), name


def test_no_theme_fonts_anywhere_in_styles(seed_docx: Path) -> None:
    root = Document(str(seed_docx)).styles.element
    for rf in root.iter(qn("w:rFonts")):
        assert not any(rf.get(qn(a)) for a in THEME_FONT_ATTRS)


def test_docx_page_setup_and_page_numbers(seed_docx: Path) -> None:
    doc = Document(str(seed_docx))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((s.footer, 2), (s.even_page_footer, 0)):
        p = footer.paragraphs[0]
        xml = p._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align


def test_docx_core_properties(seed_docx: Path) -> None:
    core = Document(str(seed_docx)).core_properties
    assert core.title == "2022年度安化县重点建设项目事务中心部门整体支出绩效报告"
    assert core.author == "安化县重点建设项目事务中心"


# -- the Word template -----------------------------------------------------------------------------


def test_committed_template_is_current() -> None:
    """templates/report_template.docx is what scripts/build_report_template.py writes."""
    committed = open_template(default_template_path())
    fresh = build_template()
    for name in REQUIRED_STYLES:
        assert committed.styles[name].element.xml == fresh.styles[name].element.xml, name
    table = next(t for t in committed.tables if t.rows[0].cells[0].text == KEY_HEADER)
    assert [(r.cells[0].text, r.cells[2].text) for r in table.rows[1:]] == [(e.key, e.text) for e in DEFAULT_WORDING]


def _edited_template(tmp_path: Path, edits: dict[str, str]) -> Path:
    doc = open_template(default_template_path())
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == KEY_HEADER)
    for row in table.rows[1:]:
        key = row.cells[0].text
        if key in edits:
            row.cells[2].paragraphs[0].text = edits[key]
    path = tmp_path / "edited.docx"
    doc.save(str(path))
    return path


def test_bureau_edits_wording_in_word_without_code(tmp_path: Path, consistent_xlsx: Path) -> None:
    tpl = _edited_template(tmp_path, {"attachment": "附件3", "section_basic": "部门（单位）基本情况",
                                      "table1_title": "表1 {year}年基本支出预算执行情况表"})
    out = tmp_path / "r.docx"
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(out), "--template", str(tpl)])
    assert r.exit_code == 0, r.output
    pairs = _pairs(Document(str(out)))
    assert pairs[0] == ("附件标注", "附件3")
    assert ("Heading 1", "一、部门（单位）基本情况") in pairs
    assert ("表格标题", "表1 2023年基本支出预算执行情况表") in pairs
    md = tmp_path / "r.md"
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(md), "--template", str(tpl)])
    assert r.exit_code == 0, r.output
    assert "## 一、部门（单位）基本情况" in md.read_text("utf-8")


def test_bad_template_is_one_line_exit_2(tmp_path: Path, consistent_xlsx: Path) -> None:
    tpl = _edited_template(tmp_path, {"section_basic": "{单位}基本情况"})
    with pytest.raises(TemplateError, match="占位符"):
        export_report(consistent_xlsx, tmp_path / "x.docx", template=tpl)
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(tmp_path / "x.docx"), "--template", str(tpl)])
    assert r.exit_code == 2 and "section_basic" in r.output and len(r.output.strip().splitlines()) == 1
    bad = tmp_path / "not.docx"
    bad.write_text("plain text", encoding="utf-8")
    r = runner.invoke(app, ["export", str(consistent_xlsx), "--template", str(bad)])
    assert r.exit_code == 2 and "不是有效的 Word 模板" in r.output
    assert not (tmp_path / "x.docx").exists()
    doc = build_template()
    doc.styles["提示框"].element.getparent().remove(doc.styles["提示框"].element)
    doc.save(str(tmp_path / "nostyle.docx"))
    with pytest.raises(TemplateError, match="提示框"):
        open_template(tmp_path / "nostyle.docx")
    with pytest.raises(TemplateError, match="列"):
        from workbook_tools.export.wording import Wording

        Wording({"table1_header": "预算项目|年初预算"})


def test_template_in_memory_when_file_absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import workbook_tools.export.styles as styles

    monkeypatch.setattr(styles, "default_template_path", lambda: tmp_path / "absent.docx")
    doc = styles.open_template()
    assert {s.name for s in doc.styles} >= set(REQUIRED_STYLES)


# -- API and CLI -----------------------------------------------------------------------------------


def test_format_for() -> None:
    assert format_for(Path("a.pdf"), None) == "pdf"
    assert format_for(Path("a.MD"), None) == "md"
    assert format_for(Path("a.txt"), None) == "docx"
    assert format_for(None, "markdown") == "md"
    with pytest.raises(ValueError):
        format_for(None, "html")


def test_seed_has_a_real_validation_error_and_is_refused(seed_xlsx: Path, tmp_path: Path) -> None:
    errors = count_errors(load(seed_xlsx))
    assert errors >= 1  # 项目明细合计 1220 ≠ 项目支出 1334.39
    out = tmp_path / "seed.docx"
    with pytest.raises(ExportRefused):
        export_report(seed_xlsx, out)
    r = runner.invoke(app, ["export", str(seed_xlsx), "-o", str(out)])
    assert r.exit_code == 1
    assert f"{errors} 个校验错误" in r.output and "--force" in r.output
    assert not out.exists()
    r = runner.invoke(app, ["export", str(seed_xlsx), "-o", str(out), "--lang", "en"])
    assert r.exit_code == 1 and "validation error" in r.output


def test_force_exports_with_a_visible_note(seed_xlsx: Path, tmp_path: Path) -> None:
    errors = count_errors(load(seed_xlsx))
    out = tmp_path / "seed.docx"
    r = runner.invoke(app, ["export", str(seed_xlsx), "-o", str(out), "--force"])
    assert r.exit_code == 0, r.output
    assert f"已导出：{out}" in r.output and "已强制导出" in r.output
    pairs = _pairs(Document(str(out)))
    assert pairs[1] == ("提示框", f"注意：本报告由存在校验错误的工作簿导出（{errors}个错误），数据未经核实。")
    assert ("Normal", SEED_TOTAL) in pairs


def test_consistent_example_exports_without_force(consistent_xlsx: Path, tmp_path: Path) -> None:
    assert count_errors(load(consistent_xlsx)) == 0
    r = runner.invoke(app, ["export", str(consistent_xlsx)])  # no -o: next to the workbook, .docx
    out = consistent_xlsx.with_suffix(".docx")
    assert r.exit_code == 0, r.output
    pairs = _pairs(Document(str(out)))
    assert not any(style == "提示框" for style, _ in pairs)
    assert ("Normal", "（三）人员配备情况。青山县教育局核定行政编制36名，2023年实有人数38人。") in pairs


def test_format_option_and_suffix_inference(consistent_xlsx: Path, tmp_path: Path) -> None:
    md = tmp_path / "out.md"
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(md)])
    assert r.exit_code == 0, r.output
    expected = render_markdown(outline_for(load(consistent_xlsx)))
    assert md.read_text("utf-8") == expected
    txt = tmp_path / "out.txt"
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(txt), "--format", "md"])
    assert r.exit_code == 0 and txt.read_text("utf-8") == expected
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(tmp_path / "o.x"), "--format", "html"])
    assert r.exit_code == 2 and "html" in r.output


def test_lang_en_success_line(consistent_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(out), "--lang", "en"])
    assert r.exit_code == 0 and r.output.strip() == f"exported: {out}"


def test_unreadable_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip at all")
    r = runner.invoke(app, ["export", str(bad), "-o", str(tmp_path / "r.docx")])
    assert r.exit_code == 2 and str(bad) in r.output and len(r.output.strip().splitlines()) == 1
    assert "Traceback" not in r.output
    r = runner.invoke(app, ["export", str(tmp_path / "missing.xlsx")])
    assert r.exit_code == 2 and "missing.xlsx" in r.output


def test_output_never_overwrites_the_workbook(consistent_xlsx: Path) -> None:
    before = consistent_xlsx.read_bytes()
    r = runner.invoke(app, ["export", str(consistent_xlsx), "-o", str(consistent_xlsx), "--format", "md"])
    assert r.exit_code == 2
    assert consistent_xlsx.read_bytes() == before


def test_export_report_script_is_a_thin_wrapper(consistent_xlsx: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "s.md"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "export_report.py"), str(consistent_xlsx),
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text("utf-8").startswith("# 2023年度青山县教育局部门整体支出绩效报告")
