"""The Word template of the report: GB/T 9704-2012 page setup, styles, page-number footers and the 措辞表.

``scripts/build_report_template.py`` saves :func:`build_template` as ``templates/report_template.docx``;
a bureau then edits that file in Word/WPS (styles, wording) and the exporter uses it as is. Every style
sets the East-Asian font slot (``w:eastAsia``) explicitly and carries no theme-font attributes: python-docx's
``font.name`` sets only the Latin slots, and a theme font would let Word substitute its own Chinese face.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .wording import (
    DEFAULT_WORDING,
    KEY_HEADER,
    PLACEHOLDERS,
    TemplateError,
    Wording,
    default_template_path,
    wording_from_document,
)

__all__ = [
    "FONT_BODY",
    "FONT_H1",
    "FONT_H2",
    "FONT_PAGE",
    "FONT_TITLE",
    "LATIN",
    "MARGINS_MM",
    "REQUIRED_STYLES",
    "STYLE",
    "THEME_FONT_ATTRS",
    "build_template",
    "load_wording",
    "open_template",
    "page_number_paragraph",
    "set_fonts",
]

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"
LATIN = "Times New Roman"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 12  # 小四
PAGE_PT = 14  # 四号
LINE_PT = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

#: Role → style name. Built-in names (Normal, Title, Heading n) keep Word's outline and navigation pane.
STYLE: dict[str, str] = {
    "body": "Normal",
    "title": "Title",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "h3": "Heading 3",
    "attachment": "附件标注",
    "notice": "提示框",
    "table_title": "表格标题",
    "table_unit": "表格单位",
    "table_header": "表格表头",
    "table_text": "表格文字",
    "run_h2": "段内二级标题",
    "run_h3": "段内三级标题",
    "footer": "Footer",
    "grid": "Table Grid",
}
REQUIRED_STYLES: tuple[str, ...] = tuple(STYLE.values())


def set_fonts(element: Any, east_asia: str, latin: str = LATIN) -> None:
    """Set every font slot on a style's or run's rPr, East-Asian included, and drop theme-font overrides."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()


def _schema_order(root: Any) -> None:
    """Put pPr/rPr children in the schema's sequence (Word rejects some out-of-order properties)."""
    for tag, order in (("w:pPr", _PPR_ORDER), ("w:rPr", _RPR_ORDER)):
        rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
        for el in root.iter(qn(tag)):
            children = sorted(el, key=lambda c: rank.get(c.tag, len(rank)))
            for child in children:
                el.append(child)


def _strip_theme_fonts(root: Any) -> None:
    for rfonts in root.iter(qn("w:rFonts")):
        for attr in THEME_FONT_ATTRS:
            rfonts.attrib.pop(qn(attr), None)


def _first_line_two_chars(fmt: Any, on: bool = True) -> None:
    """First-line indent of two characters (w:firstLineChars=200) with a 32 pt fallback for other readers."""
    ind = fmt._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), "200" if on else "0")
    ind.set(qn("w:firstLine"), str(BODY_PT * 2 * 20) if on else "0")


def _paragraph_style(doc: Any, name: str, *, base: str = "Normal", east_asia: str = FONT_BODY,
                     latin: str = LATIN, size: float = BODY_PT, bold: bool = False,
                     align: Any = None, indent: bool = True, line: float | None = LINE_PT,
                     before: float = 0, after: float = 0, keep_next: bool = False) -> Any:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
    style.hidden = False
    style.quick_style = True
    set_fonts(style.element, east_asia, latin)
    font = style.font
    font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.append(szcs)
    szcs.set(qn("w:val"), str(int(size * 2)))
    font.bold = bold
    font.italic = False
    font.color.rgb = None
    for tag in ("w:color", "w:spacing", "w:kern", "w:bCs"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    pf = style.paragraph_format
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        for el in ppr.findall(qn(tag)):
            ppr.remove(el)
    if align is not None:
        pf.alignment = align
    _first_line_two_chars(pf, indent)
    pf.left_indent = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing = Pt(line)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.keep_with_next = keep_next
    return style


def _character_style(doc: Any, name: str, east_asia: str, bold: bool) -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.quick_style = True
    set_fonts(style.element, east_asia, LATIN if east_asia == FONT_BODY else east_asia)
    style.font.bold = bold
    return style


def page_number_paragraph(paragraph: Any, odd: bool) -> None:
    """"— n —" with a PAGE field; odd pages right with one character in, even pages left (GB/T 9704 §7.5)."""
    paragraph.style = STYLE["footer"]
    pf = paragraph.paragraph_format
    if odd:
        pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        pf.right_indent = Pt(PAGE_PT)
    else:
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        pf.left_indent = Pt(PAGE_PT)
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    paragraph.add_run(" —")


def _defaults(doc: Any) -> None:
    """docDefaults: 仿宋_GB2312/Times New Roman, 三号, Chinese language; no theme fonts anywhere."""
    styles_el = doc.styles.element
    _strip_theme_fonts(styles_el)
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr_default.find(qn("w:rFonts"))
    for attr, value in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:eastAsia", FONT_BODY), ("w:cs", LATIN)):
        rfonts.set(qn(attr), value)
    for tag in ("w:sz", "w:szCs"):
        rpr_default.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr_default.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr_default.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    # 页码一字线上距版心下边缘 7 mm: 35 − 7 − one 四号 line (≈5 mm) from the bottom edge.
    section.footer_distance = Mm(23)
    page_number_paragraph(section.footer.paragraphs[0], odd=True)
    page_number_paragraph(section.even_page_footer.paragraphs[0], odd=False)


def _styles(doc: Any) -> None:
    center, right, left, justify = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT,
                                    WD_ALIGN_PARAGRAPH.JUSTIFY)
    normal = _paragraph_style(doc, "Normal", align=justify)
    ppr = normal.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # "1918.71万元" as the seed prints it, no added gap
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.append(el)
    _paragraph_style(doc, "Title", east_asia=FONT_TITLE, latin=FONT_TITLE, size=TITLE_PT, align=center,
                     indent=False, line=36, after=LINE_PT)
    _paragraph_style(doc, "Heading 1", east_asia=FONT_H1, latin=FONT_H1, align=justify, keep_next=True)
    _paragraph_style(doc, "Heading 2", east_asia=FONT_H2, latin=FONT_H2, align=justify, keep_next=True)
    _paragraph_style(doc, "Heading 3", bold=True, align=justify, keep_next=True)
    _paragraph_style(doc, STYLE["attachment"], east_asia=FONT_H1, latin=FONT_H1, align=left, indent=False)
    notice = _paragraph_style(doc, STYLE["notice"], bold=True, align=justify, indent=False, after=LINE_PT / 2)
    _box(notice)
    _paragraph_style(doc, STYLE["table_title"], bold=True, align=center, indent=False, before=LINE_PT / 2,
                     keep_next=True)
    _paragraph_style(doc, STYLE["table_unit"], size=TABLE_PT, align=right, indent=False, line=None, after=3,
                     keep_next=True)
    _paragraph_style(doc, STYLE["table_header"], size=TABLE_PT, bold=True, align=center, indent=False, line=None,
                     before=3, after=3)
    _paragraph_style(doc, STYLE["table_text"], size=TABLE_PT, align=center, indent=False, line=None,
                     before=3, after=3)
    _paragraph_style(doc, STYLE["footer"], east_asia=FONT_PAGE, latin=FONT_PAGE, size=PAGE_PT, indent=False,
                     line=None)
    _character_style(doc, STYLE["run_h2"], FONT_H2, bold=False)
    _character_style(doc, STYLE["run_h3"], FONT_BODY, bold=True)
    _strip_theme_fonts(doc.styles.element)
    _schema_order(doc.styles.element)


def _box(style: Any) -> None:
    ppr = style.element.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "12")
        el.set(qn("w:space"), "4")
        el.set(qn("w:color"), "000000")
        bdr.append(el)
    # w:pBdr must precede w:spacing/w:ind/w:jc in pPr (schema order)
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                              "w:pPrChange")


def _instructions(doc: Any) -> None:
    """The template's own body: how to edit it, and the 措辞表 the exporter reads."""
    doc.add_paragraph("部门整体支出绩效报告模板", style=STYLE["title"])
    placeholders = "，".join(f"{{{k}}} {v}" for k, v in PLACEHOLDERS.items())
    for text in (
        "本文件是 workbook-tools 导出“部门整体支出绩效报告”所用的 Word 模板。导出时沿用本文件的页面设置（A4，"
        "上37毫米、下35毫米、左28毫米、右26毫米）、页码和全部样式；本页的说明和措辞表会被替换为报告正文。",
        "修改标题和固定文字：只改下表右列“文字”，不要改左列的键，也不要删除行（删除的行按程序默认文字处理）。"
        f"花括号中的占位符在导出时替换：{placeholders}。序号（一、（一）1.（1））由程序生成，不要写进文字。"
        "表头各列用“|”分隔，列数不能改变。",
        "修改字体、字号、行距、缩进：在“样式”窗格中修改“正文”（Normal）、“标题”（Title，报告标题）、"
        "“标题 1”（一、级标题）、“标题 2”（（一）级标题）、“标题 3”（1.级标题）、“段内二级标题”“段内三级标题”"
        "（与正文同段的小标题）、“表格标题”“表格单位”“表格表头”“表格文字”“提示框”“附件标注”和“页脚”（页码）样式。",
        "带数字的句子（如“为年初预算509.76万元的376.39%”）由程序按数据生成，措辞见 docs/report.md。",
    ):
        doc.add_paragraph(text, style=STYLE["table_text"]).alignment = WD_ALIGN_PARAGRAPH.LEFT
    table = doc.add_table(rows=1, cols=3)
    table.style = STYLE["grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, (KEY_HEADER, "说明", "文字（可修改）"), strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = STYLE["table_header"]
    for entry in DEFAULT_WORDING:
        cells = table.add_row().cells
        for cell, text in zip(cells, (entry.key, entry.note, entry.text), strict=True):
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            cell.paragraphs[0].style = STYLE["table_text"]
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
            for line in lines[1:]:
                p = cell.add_paragraph(line, style=STYLE["table_text"])
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    widths = (Mm(40), Mm(46), Mm(70))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def build_template() -> Any:
    """A new python-docx Document holding the page setup, styles, footers and the default 措辞表."""
    doc = Document()
    _defaults(doc)
    _styles(doc)
    _page(doc)
    core = doc.core_properties
    core.title = "部门整体支出绩效报告模板"
    core.author = ""
    core.last_modified_by = ""
    core.comments = "workbook-tools report template; edit the 措辞表 and the styles in Word"
    _instructions(doc)
    return doc


def open_template(path: str | Path | None = None) -> Any:
    """The report template as a Document: ``path``, else the project's template, else one built in memory."""
    if path is None:
        default = default_template_path()
        if not default.is_file():
            return build_template()
        path = default
    path = Path(path)
    if not path.is_file():
        raise TemplateError(f"{path}：报告模板不存在")
    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TemplateError(f"{path}：不是有效的 Word 模板（.docx）（{type(exc).__name__}）") from None
    names = {s.name for s in doc.styles}
    missing = [n for n in REQUIRED_STYLES if n not in names]
    if missing:
        raise TemplateError(f"{path}：报告模板缺少样式 {'、'.join(missing)}（请用 scripts/build_report_template.py 重新生成）")
    return doc


def template_bytes() -> bytes:
    """The default template as .docx bytes (what the build script writes)."""
    buf = io.BytesIO()
    build_template().save(buf)
    return buf.getvalue()


def load_wording(path: str | Path) -> Wording:
    """Wording from a report template file; :class:`TemplateError` when it is missing or not a .docx."""
    return wording_from_document(open_template(path), str(path))
