"""Generator of broken and hostile inputs, each with its documented outcome (docs/robustness.md).

Every case is built from the template's consistent example (or from nothing) by code, not kept as an
opaque binary, so the corpus follows the template as it evolves. ``python -m tests.broken_inputs OUT``
writes them all to a folder for manual inspection.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from workbook_tools.core import spec

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "examples" / "consistent_2023_qingshan_jiaoyu.xlsx"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    description: str
    build: Callable[[Path], None]
    exit_code: int  # validate's exit code
    code: str | None  # a finding code that must be reported (None: no finding required)
    words: str = ""  # words the message must contain
    cell: str | None = None  # "sheet!cell" the finding must point at


@functools.cache
def _base_pickle() -> bytes:
    return pickle.dumps(load_workbook(BASE))


def _base_book() -> Workbook:
    """A fresh openpyxl copy of the consistent example: unpickled, a fifth of a load's cost, and saved byte
    for byte as a loaded one is."""
    return pickle.loads(_base_pickle())  # noqa: S301 - our own bytes, made just above


def _edit(fn: Callable) -> Callable[[Path], None]:
    """Build by editing a copy of the consistent example with openpyxl."""

    def build(dest: Path) -> None:
        wb = _base_book()
        fn(wb)
        wb.save(dest)

    return build


def rewrite(base: Path, dest: Path, fn: Callable[[dict[str, bytes]], None]) -> Path:
    """``dest``: ``base`` with its parts (name → bytes) as ``fn`` rewrites them in place."""
    with zipfile.ZipFile(base) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    fn(parts)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in parts.items():
            out.writestr(n, data)
    return dest


def _zip_edit(fn: Callable[[dict[str, bytes]], None], base: Path = BASE) -> Callable[[Path], None]:
    """Build by rewriting parts of the example's zip directly (things openpyxl cannot write)."""

    def build(dest: Path) -> None:
        rewrite(base, dest, fn)

    return build


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda dest: dest.write_bytes(data)


def _cell_of(name: str) -> tuple[str, str]:
    f = spec.field(name)
    return f.sheet, f.cell


def _set(name: str, value: object) -> Callable[[Path], None]:
    def fn(wb) -> None:  # noqa: ANN001
        sheet, cell = _cell_of(name)
        c = wb[sheet][cell]
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"

    return _edit(fn)


def _sheet_xml_index(parts: dict[str, bytes], title: str) -> str:
    wbxml = parts["xl/workbook.xml"].decode()
    titles = re.findall(r'<sheet [^>]*name="([^"]+)"', wbxml)
    return f"xl/worksheets/sheet{titles.index(title) + 1}.xml"


def _replace_cell_xml(name: str, new_cell_xml: Callable[[str], str]) -> Callable[[Path], None]:
    """Replace one cell's XML element (e.g. to store a cached error value)."""

    def fn(parts: dict[str, bytes]) -> None:
        sheet, cell = _cell_of(name)
        part = _sheet_xml_index(parts, sheet)
        xml = parts[part].decode()
        pat = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', re.S)
        assert pat.search(xml), (name, cell)
        parts[part] = pat.sub(lambda m: new_cell_xml(m.group(0)), xml, count=1).encode()

    return _zip_edit(fn)


def _error_cached(name: str, err: str) -> Callable[[Path], None]:
    def cell_xml(old: str) -> str:
        style = re.search(r' s="(\d+)"', old)
        f = re.search(r"<f>(.*?)</f>", old, re.S)
        sheet, cell = _cell_of(name)
        s_attr = f' s="{style.group(1)}"' if style else ""
        return f'<c r="{cell}"{s_attr} t="e">' + (f"<f>{f.group(1)}</f>" if f else "") + f"<v>{err}</v></c>"

    return _replace_cell_xml(name, cell_xml)


def _quote_prefixed(name: str, text: str) -> Callable[[Path], None]:
    """A number typed with a leading apostrophe: Excel stores text with a quotePrefix style."""

    def fn(parts: dict[str, bytes]) -> None:
        styles = parts["xl/styles.xml"].decode()
        m = re.search(r'<cellXfs count="(\d+)">(.*?)</cellXfs>', styles, re.S)
        assert m
        count = int(m.group(1))
        styles = styles.replace(m.group(0), f'<cellXfs count="{count + 1}">{m.group(2)}'
                                f'<xf numFmtId="49" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" '
                                f'quotePrefix="1" applyProtection="1"><protection locked="0"/></xf></cellXfs>')
        parts["xl/styles.xml"] = styles.encode()
        sheet, cell = _cell_of(name)
        part = _sheet_xml_index(parts, sheet)
        xml = parts[part].decode()
        pat = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', re.S)
        parts[part] = pat.sub(f'<c r="{cell}" s="{count}" t="inlineStr"><is><t>{text}</t></is></c>', xml, count=1).encode()

    return _zip_edit(fn)


def _billion_laughs(dest: Path) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
            + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')

    def fn(parts: dict[str, bytes]) -> None:
        parts["xl/sharedStrings.xml"] = bomb.encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        if "sharedStrings" not in rels:
            rels = rels.replace("</Relationships>", '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/'
                                "officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
                                "</Relationships>")
            parts["xl/_rels/workbook.xml.rels"] = rels.encode()

    _zip_edit(fn)(dest)


def _zip_bomb(dest: Path) -> None:
    with zipfile.ZipFile(BASE) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in parts.items():
            out.writestr(n, data)
        chunk = b"\0" * (1024 * 1024)
        with out.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(300):  # 300 MB of zeros, ~300 KB compressed
                member.write(chunk)


def _million_rows(dest: Path) -> None:
    """The narrative sheet with 1,000,000 rows, streamed into the zip (openpyxl would need minutes)."""

    def fn(parts: dict[str, bytes]) -> None:
        part = _sheet_xml_index(parts, "报告正文")
        xml = parts[part].decode()
        head, _, tail = xml.partition("</sheetData>")
        rows = "".join(f'<row r="{r}"><c r="E{r}" t="inlineStr"><is><t>行{r}</t></is></c></row>'
                       for r in range(300, 1_000_001))
        parts[part] = (head + rows + "</sheetData>" + tail).encode()

    _zip_edit(fn)(dest)


def _libreoffice_convert(fmt: str) -> Callable[[Path], None]:
    def build(dest: Path) -> None:
        from workbook_tools.libreoffice import find_soffice

        soffice = find_soffice()
        if soffice is None:
            raise RuntimeError("LibreOffice is needed to build this case")
        outdir = dest.parent / f"_lo_{fmt}"
        outdir.mkdir(exist_ok=True)
        # a private profile: a second soffice on the default one hands its work to the first and writes nothing
        with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
            subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                            "--convert-to", fmt, "--outdir", str(outdir), str(BASE)],
                           check=True, capture_output=True, timeout=120)
        shutil.move(str(next(outdir.iterdir())), dest)
        shutil.rmtree(outdir)

    return build


def _encrypted(dest: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with BASE.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    dest.write_bytes(out.getvalue())


def _docx(dest: Path) -> None:
    from docx import Document

    Document().save(str(dest))


def _with_vba(dest: Path) -> None:
    def fn(parts: dict[str, bytes]) -> None:
        parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504

    _zip_edit(fn)(dest)


def _xlsb(dest: Path) -> None:
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", b"\x83\x01\x00")


def _plain_zip(dest: Path) -> None:
    with zipfile.ZipFile(dest, "w") as zf:
        zf.writestr("readme.txt", "hello")


def _other_template(dest: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "别的表格"
    wb.active["B2"] = 123
    wb.save(dest)


def _version(v: str) -> Callable[[Path], None]:
    def fn(wb) -> None:  # noqa: ANN001
        sheet, cell = spec.META_NAMES["template_version"]
        wb[sheet][cell] = v
        for p in wb.custom_doc_props:
            if p.name == "workbook_tools.template_version":
                p.value = v

    return _edit(fn)


def _drop_name(name: str) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        del wb.defined_names[name]

    return _edit(fn)


def _redirect_name(name: str, target: str) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        wb.defined_names[name] = DefinedName(name, attr_text=target)

    return _edit(fn)


def _insert_rows(wb) -> None:  # noqa: ANN001
    wb["资金使用"].insert_rows(11)  # inside 表1; openpyxl moves neither names nor formulas, as a careless tool would


def _merge_inputs(wb) -> None:  # noqa: ANN001
    f1, f2 = spec.field("basic_wages_budget"), spec.field("basic_wages_actual")
    wb[f1.sheet].merge_cells(f"{f1.cell}:{f2.cell}")


def _long_text(old: str) -> str:
    """~1 MB in one cell, beyond Excel's 32,767-character limit (openpyxl would truncate it, so raw XML)."""
    cell = re.search(r'r="([A-Z]+\d+)"', old).group(1)  # type: ignore[union-attr]
    style = re.search(r' s="(\d+)"', old)
    s_attr = f' s="{style.group(1)}"' if style else ""
    return f'<c r="{cell}"{s_attr} t="inlineStr"><is><t>' + "很长的文字。" * 180_000 + "</t></is></c>"


def _control_chars(parts: dict[str, bytes]) -> None:
    sheet, cell = _cell_of("org_setup")
    part = _sheet_xml_index(parts, sheet)
    xml = parts[part].decode()
    pat = re.compile(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)', re.S)
    text = "内设办公室_x0007_股室\U0001F600"

    def repl(m: re.Match[str]) -> str:
        attrs = re.sub(r' t="[^"]*"', "", m.group(1))
        return f'<c r="{cell}"{attrs} t="inlineStr"><is><t>{text}</t></is></c>'

    parts[part] = pat.sub(repl, xml, count=1).encode()


def _external_link(wb) -> None:  # noqa: ANN001
    f = spec.field("basic_wages_rate")
    wb[f.sheet][f.cell] = "=[1]Sheet1!A1"


def _formula(name: str, text: str | None) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        f = spec.field(name)
        wb[f.sheet][f.cell] = text

    return _edit(fn)


def _hide(title: str) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        wb[title].sheet_state = "hidden"

    return _edit(fn)


def _rename(title: str, new: str) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        wb[title].title = new

    return _edit(fn)


def _delete(title: str) -> Callable:
    def fn(wb) -> None:  # noqa: ANN001
        del wb[title]

    return _edit(fn)


def _reorder(wb) -> None:  # noqa: ANN001
    wb.move_sheet("评分表", offset=-4)


def _date_in_number(wb) -> None:  # noqa: ANN001
    import datetime as dt

    f = spec.field("basic_goods_actual")
    wb[f.sheet][f.cell] = dt.date(2023, 5, 1)


# -- round two (issue 17): entries that are not files, odd names, values that break later stages ------------


def _fifo(dest: Path) -> None:
    os.mkfifo(dest)


def _symlink_loop(dest: Path) -> None:
    os.symlink(dest.name, dest)


def _device_link(dest: Path) -> None:
    os.symlink("/dev/zero", dest)


def _folder(dest: Path) -> None:
    dest.mkdir()
    (dest / "inside.txt").write_text("not a workbook", encoding="utf-8")


def _copy_base(dest: Path) -> None:
    shutil.copyfile(BASE, dest)


def _lock_file(dest: Path) -> None:
    """What Excel leaves beside an open workbook: 162 bytes, the user's name padded."""
    name = "张三".encode("utf-16-le")
    dest.write_bytes(bytes([len("张三")]) + b"\0" + name + b"\0" * (162 - 2 - len(name)))


def _inline_text(name: str, escaped: str) -> Callable[[Path], None]:
    """A text cell written as raw OOXML (``_xHHHH_`` escapes carry what openpyxl would refuse)."""

    def fn(parts: dict[str, bytes]) -> None:
        sheet, cell = _cell_of(name)
        part = _sheet_xml_index(parts, sheet)
        xml = parts[part].decode()
        pat = re.compile(rf'<c r="{cell}"([^>]*?)(/>|>.*?</c>)', re.S)

        def repl(m: re.Match[str]) -> str:
            attrs = re.sub(r' t="[^"]*"', "", m.group(1))
            return f'<c r="{cell}"{attrs} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'

        parts[part] = pat.sub(repl, xml, count=1).encode()

    return _zip_edit(fn)


def _base_value(name: str) -> Decimal:
    wb = _base_book()
    f = spec.field(name)
    return Decimal(repr(wb[f.sheet][f.cell].value))


def _input_formula(name: str, cached: bool) -> Callable[[Path], None]:
    """An input typed as a formula (``=200+85.48``), with the cached value Excel stores, or without (as
    openpyxl and other non-calculating writers leave it)."""

    def cell_xml(old: str) -> str:
        v = _base_value(name)
        a = Decimal(int(v) // 2)
        style = re.search(r' s="(\d+)"', old)
        s_attr = f' s="{style.group(1)}"' if style else ""
        sheet, cell = _cell_of(name)
        return f'<c r="{cell}"{s_attr}><f>{a}+{v - a}</f>' + (f"<v>{v}</v>" if cached else "") + "</c>"

    return _replace_cell_xml(name, cell_xml)


def _merge_over_derived(wb) -> None:  # noqa: ANN001
    f = spec.field("basic_wages_rate")
    col = re.match(r"[A-Z]+", f.cell).group(0)  # type: ignore[union-attr]
    row = int(f.cell[len(col):])
    wb[f.sheet].merge_cells(f"{col}{row - 1}:{f.cell}")  # the header's cell is the anchor, the formula hidden


HYPERLINK = '=HYPERLINK("http://evil.example/x","点此核对")'
HTML_TEXT = ('<script>alert(1)</script>\n# 不是标题\n[点我](javascript:alert(1)) <img src=x onerror=alert(1)>'
             ' <a href="javascript:alert(2)">链接</a>')
ESCAPES = "青山_x001B_[2J_x001B_[1;1H一切正常_x001B_]0;title_x0007_教育局"


def _in(name: str) -> str:
    f = spec.field(name)
    return f"{f.sheet}!{f.cell}"


CASES: tuple[Case, ...] = (
    Case("empty", "empty.xlsx", "0-byte file", _bytes(b""), 2, "file-unreadable", "空"),
    Case("random-bytes", "random.xlsx", "random bytes named .xlsx", _bytes(bytes(range(256)) * 40), 2,
         "file-not-workbook", "不是"),
    Case("truncated-zip", "truncated.xlsx", "a workbook cut in half",
         lambda d: d.write_bytes(BASE.read_bytes()[: len(BASE.read_bytes()) // 2]), 2, "file-corrupt", "损坏"),
    Case("plain-zip", "archive.xlsx", "a valid zip that is not a workbook", _plain_zip, 2, "file-not-workbook", "不是"),
    Case("docx-renamed", "report.xlsx", "a .docx renamed .xlsx", _docx, 2, "file-not-workbook", "Word"),
    Case("legacy-xls", "old.xls", "Excel 97-2003 .xls written by LibreOffice", _libreoffice_convert("xls"), 2,
         "file-encrypted-or-xls", ".xls"),
    Case("encrypted", "locked.xlsx", "password-protected workbook (msoffcrypto)", _encrypted, 2,
         "file-encrypted-or-xls", "密码"),
    Case("xlsb", "binary.xlsb", "binary workbook", _xlsb, 2, "file-not-workbook", ".xlsb"),
    Case("ods", "calc.ods", "OpenDocument spreadsheet written by LibreOffice", _libreoffice_convert("ods"), 2,
         "file-not-workbook", ".ods"),
    Case("csv", "data.csv", "CSV text", _bytes("单位名称,金额\n某单位,1.5\n".encode()), 2, "file-not-workbook", "不是"),
    Case("billion-laughs", "bomb.xlsx", "XML entity expansion in sharedStrings", _billion_laughs, 2, "file-hostile",
         "拒绝"),
    Case("zip-bomb", "zipbomb.xlsx", "a member inflating to 300 MB", _zip_bomb, 2, "file-hostile", "拒绝"),
    Case("other-template", "other.xlsx", "a workbook of some other template", _other_template, 1, "template-unknown"),
    Case("older-version", "v09.xlsx", "our template, version 0.9", _version("0.9"), 1, "template-version", "0.9"),
    Case("future-version", "v90.xlsx", "our template, version 9.0 (newer than this program)", _version("9.0"), 1, "template-version", "9.0"),
    Case("sheet-deleted", "nosheet.xlsx", "the 评分表 sheet deleted", _delete("评分表"), 1, "sheet-missing", "评分表"),
    Case("sheet-renamed", "renamed.xlsx", "资金使用 renamed 资金", _rename("资金使用", "资金"), 1, "sheet-missing",
         "资金使用"),
    Case("sheet-hidden", "hidden.xlsx", "项目支出 hidden", _hide("项目支出"), 0, "sheet-hidden", "项目支出"),
    Case("sheets-reordered", "reordered.xlsx", "评分表 moved forward", _edit(_reorder), 0, "sheet-order"),
    Case("name-deleted", "noname.xlsx", "defined name total_rate deleted", _drop_name("total_rate"), 1, "name-missing",
         "total_rate"),
    Case("name-redirected", "moved.xlsx", "project_actual pointing at another cell",
         _redirect_name("project_actual", "'项目支出'!$C$6"), 1, "name-moved", "project_actual"),
    Case("rows-inserted", "inserted.xlsx", "a row inserted inside 表1", _edit(_insert_rows), 1, "rows-shifted"),
    Case("merged-inputs", "merged.xlsx", "a merged range over two input cells", _edit(_merge_inputs), 0,
         "merged-input", cell=_in("basic_wages_budget")),
    Case("formula-typed-over", "typed.xlsx", "a ratio typed over with a wrong constant",
         _formula("basic_wages_rate", 150), 1, "value-mismatch", cell=_in("basic_wages_rate")),
    Case("formula-deleted", "deleted.xlsx", "a total's formula deleted", _formula("basic_actual", None), 1,
         "formula-deleted", cell=_in("basic_actual")),
    Case("formula-changed", "changed.xlsx", "a total's formula replaced",
         _formula("basic_actual", "=basic_wages_actual+basic_goods_actual"), 1, "formula-changed",
         cell=_in("basic_actual")),
    Case("external-link", "external.xlsx", "a formula pointing into another workbook", _edit(_external_link), 1,
         "external-link", cell=_in("basic_wages_rate")),
    *(Case(f"cached-{err.strip('#!/?').lower()}", f"err{i}.xlsx", f"cached {err} in a derived cell",
           _error_cached("total_rate", err), 1, "excel-error", err, cell=_in("total_rate"))
      for i, err in enumerate(("#DIV/0!", "#REF!", "#N/A", "#VALUE!"))),
    *(Case(f"text-number-{key}", f"text_{key}.xlsx", f"amount typed as text {text!r}", _set("basic_goods_budget", text),
           1, "text-number", cell=_in("basic_goods_budget"))
      for key, text in (("comma", "1,234.50"), ("wan", "12.3万"), ("fullwidth", "１２３"), ("dash", "—"),
                        ("wu", "无"), ("trailing-space", "123.5 "), ("nbsp", "123.5\u00a0"))),
    Case("text-number-apostrophe", "apostrophe.xlsx", "a number typed with a leading apostrophe",
         _quote_prefixed("basic_goods_budget", "123.5"), 1, "text-number", cell=_in("basic_goods_budget")),
    Case("negative-amount", "negative.xlsx", "a negative 决算", _set("basic_goods_actual", -5), 1, "negative-amount",
         cell=_in("basic_goods_actual")),
    Case("absurd-amount", "absurd.xlsx", "an amount of 1e15 万元", _set("basic_goods_actual", 1e15), 1, "out-of-range",
         cell=_in("basic_goods_actual")),
    Case("year-out-of-range", "year.xlsx", "fiscal year 1899", _set("fiscal_year", 1899), 1, "out-of-range",
         cell=_in("fiscal_year")),
    Case("date-in-number", "date.xlsx", "a date typed into an amount", _edit(_date_in_number), 1, "date-in-number",
         cell=_in("basic_goods_actual")),
    Case("required-empty", "noname_unit.xlsx", "unit name left empty", _set("unit_name", None), 1, "required-missing",
         cell=_in("unit_name")),
    Case("million-rows", "million.xlsx", "1,000,000 rows in the narrative sheet", _million_rows, 0, None),
    Case("long-text", "longtext.xlsx", "a 1 MB text in a narrative cell", _replace_cell_xml("main_tasks", _long_text), 1, "text-too-long",
         cell=_in("main_tasks")),
    Case("control-chars", "control.xlsx", "control characters and emoji in a text", _zip_edit(_control_chars), 0,
         "control-characters", cell=_in("org_setup")),
    Case("formula-like-name", "inject.xlsx", "a unit name that looks like a formula",
         _set("unit_name", "=cmd|' /C calc'!A0"), 0, None),
    Case("path-like-name", "pathname.xlsx", "a unit name with ../ and /", _set("unit_name", "../../etc/青山/局"), 0, None),
    Case("macros", "macro.xlsm", "an .xlsm carrying a VBA project", _with_vba, 0, "macros-ignored"),
    # round two (issue 17)
    Case("fifo", "pipe.xlsx", "a named pipe (FIFO) named .xlsx", _fifo, 2, "file-special", "管道"),
    Case("symlink-loop", "loop.xlsx", "a symlink pointing at itself", _symlink_loop, 2, "file-special", "循环"),
    Case("device-link", "zero.xlsx", "a symlink to /dev/zero", _device_link, 2, "file-special", "设备"),
    Case("folder-named-xlsx", "folder.xlsx", "a directory named .xlsx", _folder, 2, "file-special", "文件夹"),
    Case("non-utf8-name", os.fsdecode("青山".encode("gbk") + b".xlsx"), "a GBK-encoded file name (Windows zip)",
         _copy_base, 0, None),
    Case("long-name", "青山区教育局" * 13 + "附件.xlsx", "a 240-byte Chinese name (derived names exceed 255 bytes)",
         _copy_base, 0, None),
    Case("lock-file", "~$报告.xlsx", "an Office lock file (~$…)", _lock_file, 2, "file-not-workbook", "锁定文件"),
    Case("lone-surrogate", "surrogate.xlsx", "escapes of a lone surrogate and U+FFFE in a text (read as literal text)",
         _inline_text("org_setup", "内设办公室_xD800_股室_xFFFE_"), 0, None),
    Case("amount-1e26", "e26.xlsx", "an amount of 1e26", _set("basic_goods_actual", 1e26), 1, "out-of-range",
         cell=_in("basic_goods_actual")),
    Case("amount-1e308", "e308.xlsx", "an amount of 1e308", _set("basic_goods_actual", 1e308), 1, "out-of-range",
         cell=_in("basic_goods_actual")),
    Case("boolean-amount", "bool.xlsx", "TRUE typed into an amount", _set("basic_goods_budget", True), 1,
         "boolean-in-number", "TRUE", cell=_in("basic_goods_budget")),
    Case("input-formula", "input_formula.xlsx", "an input typed as a formula, value cached",
         _input_formula("basic_goods_budget", True), 0, None),
    Case("input-formula-uncached", "input_formula_nocache.xlsx", "an input formula without a cached value",
         _input_formula("basic_goods_budget", False), 1, "input-formula-uncached", cell=_in("basic_goods_budget")),
    Case("merged-derived", "merged_derived.xlsx", "a merged range hiding a derived cell", _edit(_merge_over_derived), 1,
         "formula-deleted", cell=_in("basic_wages_rate")),
    Case("hyperlink-formula", "hyperlink.xlsx", "a derived cell replaced by =HYPERLINK(…)",
         _formula("basic_wages_rate", HYPERLINK), 1, "formula-changed", cell=_in("basic_wages_rate")),
    Case("html-narrative", "html.xlsx", "raw HTML, a leading # and javascript: links in a narrative",
         _set("main_tasks", HTML_TEXT), 0, None),
    Case("escape-sequences", "ansi.xlsx", "terminal escape sequences in the unit name",
         _inline_text("unit_name", ESCAPES), 0, "control-characters", cell=_in("unit_name")),
)


#: The cases LibreOffice builds (a real .xls, an .ods); left out where it is not installed.
NEEDS_SOFFICE = {"legacy-xls", "ods"}


def build_all(folder: Path, names: set[str] | None = None) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        if names is not None and case.name not in names:
            continue
        dest = folder / case.filename
        case.build(dest)
        out[case.name] = dest
    return out


def cache_key() -> str:
    """What the built cases depend on: this generator, the example it edits, the library (the spec places the
    cells), openpyxl and whether LibreOffice builds its two cases. A change to any of them builds afresh."""
    import hashlib

    import openpyxl

    from workbook_tools.libreoffice import find_soffice

    digest = hashlib.sha256(f"{sys.version}|{openpyxl.__version__}|{find_soffice()}".encode())
    sources = [Path(__file__), BASE, *sorted((ROOT / "templates").rglob("*")),
               *sorted(p for p in (ROOT / "workbook_tools").rglob("*") if "__pycache__" not in p.parts)]
    for path in sources:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _cached(cache: Path) -> Path:
    """The folder of every buildable case for today's key, built once (under a lock: xdist workers share it)."""
    import fcntl

    from workbook_tools.libreoffice import find_soffice

    cache.mkdir(parents=True, exist_ok=True)
    key = cache_key()
    built = cache / key
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / ".complete").exists():
            for old in cache.iterdir():
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
            names = {c.name for c in CASES} - (set() if find_soffice() else NEEDS_SOFFICE)
            staging = cache / f".building-{os.getpid()}"
            build_all(staging, names)
            (staging / ".complete").write_text("\n".join(sorted(names)), encoding="utf-8")
            staging.rename(built)
    return built


def cached_build(folder: Path, names: set[str] | None, cache: Path | None) -> dict[str, Path]:
    """``build_all`` from a copy kept in ``cache`` (pytest's cache folder): the cases cost ~30 s of CPU to build.

    Regular files are copied, so a test can never alter the kept ones; entries that are not regular files
    (a FIFO, symlinks, a folder) are cheap and built afresh. Without a cache folder everything is built.
    """
    if cache is None:
        return build_all(folder, names)
    import stat

    built = _cached(cache)
    kept = set((built / ".complete").read_text("utf-8").split())
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        if names is not None and case.name not in names:
            continue
        src, dest = built / case.filename, folder / case.filename
        if case.name in kept and stat.S_ISREG(src.lstat().st_mode):
            shutil.copyfile(src, dest)
        else:
            case.build(dest)
        out[case.name] = dest
    return out


if __name__ == "__main__":
    for name, path in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else "out/broken")).items():
        print(f"{name:28} {path}")
