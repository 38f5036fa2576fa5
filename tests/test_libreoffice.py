"""Integration tests for the LibreOffice gateway: forced recalculation, docx → PDF, failures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from python_calamine import CalamineWorkbook

from workbook_tools import libreoffice
from workbook_tools.libreoffice import LibreOfficeError

from .procs import running

pytestmark = pytest.mark.libreoffice

_IN_CI = os.environ.get("CI") == "true"


def _tool_missing(name: str) -> bool:
    """Missing tools skip locally but fail under CI=true, where they must be installed."""
    return shutil.which(name) is None and not _IN_CI


needs_soffice = pytest.mark.skipif(
    libreoffice.find_soffice() is None and not _IN_CI,
    reason="LibreOffice (soffice) is not installed",
)
needs_poppler = pytest.mark.skipif(
    _tool_missing("pdffonts") or _tool_missing("pdftotext"),
    reason="poppler-utils (pdffonts, pdftotext) is not installed",
)


def make_ratio_workbook(path: Path) -> Path:
    """A workbook written by openpyxl, hence with formulas but no cached values."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = 2
    sheet["B1"] = 3
    sheet["C1"] = "=ROUND(A1/B1*100,2)"
    sheet["D1"] = '=IF(B1=0,"",ROUND(A1/B1*100,2))'
    sheet["E1"] = "=ROUND(0.25/200*100,2)"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def cached_row(path: Path) -> list[object]:
    return list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0])


def set_a1_keeping_caches(path: Path, value: int) -> None:
    """Change A1 in the sheet XML directly, leaving every formula's cached <v> stale."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    rewritten = []
    for info, data in entries:
        if info.filename == member:
            xml, count = re.subn(r'(<c r="A1"[^>]*>\s*<v>)[^<]*(</v>)', rf"\g<1>{value}\g<2>", data.decode())
            assert count == 1, "A1 not found in sheet XML"
            data = xml.encode()
        rewritten.append((info, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in rewritten:
            target.writestr(info, data)


@needs_soffice
def test_recalculate_fills_cached_values(tmp_path: Path) -> None:
    source = make_ratio_workbook(tmp_path / "in" / "报表 1.xlsx")

    (result,) = libreoffice.recalculate([source], tmp_path / "out")

    assert result == tmp_path / "out" / "报表 1.xlsx"
    a1, b1, c1, d1, e1 = cached_row(result)
    assert (a1, b1) == (2, 3)
    assert c1 == 66.67
    assert d1 == 66.67
    assert e1 == 0.13
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["报表 1.xlsx"]


@needs_soffice
def test_recalculate_replaces_stale_cached_values(tmp_path: Path) -> None:
    source = make_ratio_workbook(tmp_path / "in" / "book.xlsx")
    (fresh,) = libreoffice.recalculate([source], tmp_path / "first")
    stale = tmp_path / "stale" / "book.xlsx"
    stale.parent.mkdir()
    shutil.copy(fresh, stale)
    set_a1_keeping_caches(stale, 5)
    assert cached_row(stale)[:3] == [5, 3, 66.67]

    (result,) = libreoffice.recalculate([stale], tmp_path / "second")

    assert cached_row(result)[:4] == [5, 3, 166.67, 166.67]


@needs_soffice
def test_recalculate_many_files_in_one_call(tmp_path: Path) -> None:
    sources = [make_ratio_workbook(tmp_path / "in" / f"b{i}.xlsx") for i in range(3)]

    results = libreoffice.recalculate(sources, tmp_path / "out")

    assert [p.name for p in results] == ["b0.xlsx", "b1.xlsx", "b2.xlsx"]
    assert all(cached_row(p)[2] == 66.67 for p in results)


@needs_soffice
def test_recalculate_file_in_place_is_atomic(tmp_path: Path) -> None:
    source = make_ratio_workbook(tmp_path / "book.xlsx")

    result = libreoffice.recalculate_file(source, source)

    assert result == source
    assert cached_row(source)[2] == 66.67
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_recalculate_refuses_outdir_equal_to_input_dir(tmp_path: Path) -> None:
    source = make_ratio_workbook(tmp_path / "book.xlsx")

    with pytest.raises(ValueError, match="overwrite"):
        libreoffice.recalculate([source], tmp_path)


def test_recalculate_refuses_duplicate_basenames(tmp_path: Path) -> None:
    first = make_ratio_workbook(tmp_path / "a" / "book.xlsx")
    second = make_ratio_workbook(tmp_path / "b" / "book.xlsx")

    with pytest.raises(ValueError, match="book.xlsx"):
        libreoffice.recalculate([first, second], tmp_path / "out")


# Official font name, text in that font, PostScript-name prefix of the free font it must map to
# (fc-query: AR PL SungtiL GB is BousungEG-Light-GB, AR PL KaitiM GB is GBZenKai-Medium).
# Without the aliases LibreOffice embedded only NotoSansCJKjp for all of them.
_GOVERNMENT_FONTS = [
    ("仿宋_GB2312", "关于年度绩效评价的报告", "BousungEG-Light-GB"),
    ("楷体_GB2312", "（一）评价范围", "GBZenKai-Medium"),
    ("方正小标宋简体", "绩效评价报告", "NotoSerifCJK"),
    ("黑体", "一、基本情况", "NotoSansCJK"),
]


@needs_soffice
@needs_poppler
def test_to_pdf_maps_government_fonts_to_installed_cjk_fonts(tmp_path: Path) -> None:
    document = Document()
    for font, text, _ in _GOVERNMENT_FONTS:
        run = document.add_paragraph().add_run(text)
        run.font.name = "Times New Roman"
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    source = tmp_path / "in" / "报告.docx"
    source.parent.mkdir()
    document.save(str(source))

    (pdf,) = libreoffice.to_pdf([source], tmp_path / "out")

    assert pdf == tmp_path / "out" / "报告.pdf"
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    embedded = {line.split()[0].partition("+")[2] for line in fonts}
    for font, _, expected in _GOVERNMENT_FONTS:
        assert any(name.startswith(expected) for name in embedded), (font, embedded)
    extracted = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for _, text, _ in _GOVERNMENT_FONTS:
        assert text in extracted


def test_missing_soffice_raises_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(libreoffice.SOFFICE_ENV_VAR, str(tmp_path / "no-such-soffice"))
    source = make_ratio_workbook(tmp_path / "in" / "book.xlsx")

    assert libreoffice.find_soffice() is None
    assert not libreoffice.available()
    with pytest.raises(LibreOfficeError) as raised:
        libreoffice.recalculate([source], tmp_path / "out")

    message = str(raised.value)
    assert "未找到 LibreOffice" in message
    assert "LibreOffice not found" in message
    assert "no-such-soffice" in message


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_missing_output_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(libreoffice.SOFFICE_ENV_VAR, str(fake_soffice(tmp_path, "exit 0")))
    source = make_ratio_workbook(tmp_path / "in" / "broken.xlsx")

    with pytest.raises(LibreOfficeError, match="broken.xlsx") as raised:
        libreoffice.recalculate([source], tmp_path / "out")

    assert raised.value.paths == (source,)
    assert list((tmp_path / "out").iterdir()) == []


def test_timeout_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "child.pid"
    script = fake_soffice(tmp_path, f'sleep 60 &\necho $! > "{pid_file}"\nwait')
    monkeypatch.setenv(libreoffice.SOFFICE_ENV_VAR, str(script))
    source = make_ratio_workbook(tmp_path / "in" / "slow.xlsx")

    started = time.monotonic()
    with pytest.raises(LibreOfficeError, match="slow.xlsx"):
        libreoffice.recalculate([source], tmp_path / "out", timeout=1)

    assert time.monotonic() - started < 10
    child = int(pid_file.read_text())
    assert not running(child)


