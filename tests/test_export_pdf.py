"""export --format pdf: the text of the PDF carries the report's sentences, and every face is an embedded CJK font."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbook_tools.cli.app import app
from workbook_tools.export import outline_for
from workbook_tools.export.outline import Heading, Paragraph, Title
from workbook_tools.export.pdf import write_pdfs
from workbook_tools.xlsx.reader import load

from .test_export import SEED_BASIC, SEED_CONCLUSION, SEED_STAFF, SEED_TOTAL

pytestmark = pytest.mark.libreoffice
runner = CliRunner()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both examples through the CLI (seed forced: it has a real validation error)."""
    import json

    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    from .conftest import CONSISTENT_JSON, SEED_JSON

    tmp = tmp_path_factory.mktemp("pdf")
    out: dict[str, Path] = {}
    for key, source, extra in (("seed", SEED_JSON, ["--force"]), ("consistent", CONSISTENT_JSON, [])):
        xlsx = write_filled(Evaluation.from_json(json.loads(source.read_text("utf-8"))), tmp / f"{key}.xlsx")
        pdf = tmp / f"{key}.pdf"
        r = runner.invoke(app, ["export", str(xlsx), "-o", str(pdf), "--format", "pdf", *extra])
        assert r.exit_code == 0, r.output
        out[key] = pdf
        out[f"{key}.xlsx"] = xlsx
    return out


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_text_has_the_seed_sentences(pdfs: dict[str, Path]) -> None:
    text = _squash(_text(pdfs["seed"]))
    for sentence in (SEED_TOTAL, SEED_BASIC, SEED_STAFF, SEED_CONCLUSION,
                     "注意：本报告由存在校验错误的工作簿导出", "2022年度安化县重点建设项目事务中心部门整体支出绩效报告",
                     "表3“三公”经费与上年对比情况"):
        assert _squash(sentence) in text, sentence
    layout = _text(pdfs["seed"], "-layout").splitlines()
    rows = [" ".join(line.split()) for line in layout if line.split()[:1] == ["公务接待费"]]
    # LibreOffice spaces CJK from digits ("减 7.27"), so compare cells with that space removed
    assert re.sub(r"(减|增) ", r"\1", rows[1]) == "公务接待费 20.67 13.4 减7.27 减35.17", rows
    assert rows[0] == "公务接待费 13.54 13.4 98.97"


def test_pdf_text_matches_the_outline_everywhere(pdfs: dict[str, Path]) -> None:
    """Every title, heading and paragraph of the consistent example is in its PDF, in order."""
    text = _squash(_text(pdfs["consistent"]))
    pos = 0
    for block in outline_for(load(pdfs["consistent.xlsx"])).blocks:
        if isinstance(block, Title | Heading | Paragraph):
            found = text.find(_squash(block.text), pos)
            assert found >= 0, block.text
            pos = found


def _fonts(pdf: Path) -> list[tuple[str, str, str]]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, id
        emb = parts[-5]
        ftype = " ".join(parts[1:-6])
        rows.append((parts[0], ftype, emb))
    return rows


@pytest.mark.parametrize("key", ["seed", "consistent"])
def test_pdf_fonts_are_embedded_cjk_faces_without_type3(pdfs: dict[str, Path], key: str) -> None:
    fonts = _fonts(pdfs[key])
    assert fonts
    assert all(emb == "yes" for _, _, emb in fonts), fonts
    assert not any(ftype.startswith("Type 3") for _, ftype, _ in fonts), fonts
    names = " ".join(name for name, _, _ in fonts)
    # 仿宋_GB2312 → AR PL SungtiL GB (BousungEG), 楷体_GB2312 → AR PL KaitiM GB (GBZenKai),
    # 黑体 → Noto Sans CJK, 方正小标宋简体 → Noto Serif CJK (the packaged fontconfig aliases)
    for face in ("Bousung", "ZenKai", "NotoSansCJK", "NotoSerifCJK"):
        assert face in names, (face, names)
    assert "WenQuanYi" not in names and "DroidSansFallback" not in names


def test_pdf_is_a4_with_page_numbers(pdfs: dict[str, Path]) -> None:
    info = subprocess.run(["pdfinfo", str(pdfs["seed"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 5
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdfs["seed"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert f"— {pages} —" in last


def test_many_reports_in_one_libreoffice_call(soffice: str, pdfs: dict[str, Path], tmp_path: Path) -> None:
    outlines = [outline_for(load(pdfs["consistent.xlsx"])), outline_for(load(pdfs["seed.xlsx"]), errors=1)]
    written = write_pdfs([(outlines[0], tmp_path / "a" / "one.pdf"), (outlines[1], tmp_path / "b" / "two.pdf")])
    assert written == [tmp_path / "a" / "one.pdf", tmp_path / "b" / "two.pdf"]
    assert "青山县教育局" in _text(written[0]) and "安化县" in _text(written[1])
