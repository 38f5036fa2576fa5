"""validate on the bundled examples, on files saved by LibreOffice, and on spreadsheets made by others."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools.checks.validate import validate, validate_loaded
from workbook_tools.core import spec
from workbook_tools.core.intervals import Interval, derived_intervals, judge, of_input
from workbook_tools.xlsx.reader import load

from .conftest import CORPUS, EXAMPLES, FIXTURES, ROOT

SEED = EXAMPLES / "seed_2022_anhua_zhongdian.xlsx"
CONSISTENT = EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx"
SEED_LO = FIXTURES / "seed_saved_by_libreoffice.xlsx"
D = Decimal

SEED_WARNINGS = [("资金使用", "D10", "147.98"), ("资金使用", "D11", "365.46"), ("资金使用", "D14", "177.19"),
                 ("资金使用", "D18", "98.96"), ("资金使用", "D21", "98.96")]


def _seed_findings_are_exactly_the_real_problems(path: Path) -> None:
    report = validate(path)
    assert report.unreadable is None
    (error,) = report.errors
    assert (error.code, error.sheet, error.name) == ("project-list-mismatch", "项目支出", "project_actual")
    assert "114.39" in error.message and "1220.00" in error.message and "1334.39" in error.message
    warnings = sorted((f.sheet, f.cell, f.actual) for f in report.warnings)
    assert warnings == SEED_WARNINGS
    assert {f.code for f in report.warnings} == {"value-truncated"}
    infos = [f.code for f in report.findings if f.severity == "info" and f.code != "template-old"]
    assert infos in ([], ["cache-missing"])
    # a workbook of an earlier version is read against its own layout and says once that migrate upgrades it
    assert [f.code for f in report.findings if f.code == "template-old"] == (
        ["template-old"] if report.template_version != spec.TEMPLATE_VERSION else [])
    assert report.exit_code() == 1 and report.exit_code(strict=True) == 1


def test_seed_example() -> None:
    _seed_findings_are_exactly_the_real_problems(SEED)


def test_seed_saved_by_libreoffice() -> None:
    """Cached values LibreOffice computed are float-noisy; none of them may be reported as stale."""
    _seed_findings_are_exactly_the_real_problems(SEED_LO)
    report = validate(SEED_LO)
    # LibreOffice caches every formula; the only note, when the fixture is of an earlier template, says so
    assert [f.code for f in report.findings if f.severity == "info"] == (
        ["template-old"] if report.template_version != spec.TEMPLATE_VERSION else [])


def test_seed_147_98_is_explained_by_truncation_of_the_interval() -> None:
    report = validate(SEED)
    (f,) = [f for f in report.findings if f.cell == "D10"]
    assert f.expected == "147.99" and "147.9885" in f.message and "截尾" in f.message


def test_consistent_example_reports_nothing() -> None:
    report = validate(CONSISTENT)
    assert report.errors == [] and report.warnings == []
    assert [f.code for f in report.findings] == ["cache-missing"]  # written by openpyxl, no cached results
    assert report.exit_code(strict=True) == 0


def test_consistent_example_recalculated_by_libreoffice_reports_nothing(soffice: str, tmp_path: Path) -> None:
    from workbook_tools.libreoffice import recalculate_file

    out = recalculate_file(CONSISTENT, tmp_path / "consistent_lo.xlsx")
    report = validate(out)
    assert report.findings == [], [(f.code, f.place, f.message) for f in report.findings]
    assert report.application and "LibreOffice" in report.application


def test_validate_loaded_is_what_validate_does() -> None:
    a, b = validate(SEED), validate_loaded(load(SEED))
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings]


def test_validate_path_imports_neither_openpyxl_nor_pandas() -> None:
    code = ("import sys\nfrom workbook_tools.checks.validate import validate\n"
            f"r = validate({str(SEED_LO)!r})\n"
            "from workbook_tools.checks import render\nrender.to_text(r)\n"
            "print(sorted(m for m in ('openpyxl', 'pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# -- the interval rule ---------------------------------------------------------------------------------


def test_input_interval_is_half_a_cent_and_not_negative() -> None:
    assert of_input(D("422.49"), "money") == Interval(D("422.485"), D("422.495"))
    assert of_input(D("0"), "money", D(0)) == Interval(D(0), D("0.005"))
    assert of_input(D("422.486"), "money") == Interval(D("422.4855"), D("422.4865"))
    assert of_input(D(29), "int") == Interval(D(29), D(29))


@pytest.mark.parametrize(("stated", "verdict"), [
    ("147.99", "consistent"),
    ("147.98", "truncated"),
    ("150.00", "mismatch"),
    ("147.97", "mismatch"),
    ("148.00", "imprecise"),  # 422.495 / 285.475 × 100 = 147.9972 rounds to 148.00
])
def test_judge_on_the_seed_ratio(stated: str, verdict: str) -> None:
    num, den = of_input(D("422.49"), "money"), of_input(D("285.48"), "money")
    lo, hi = num.lo / den.hi * 100, num.hi / den.lo * 100
    assert judge(D(stated), D("147.99"), Interval(lo, hi), 2) == verdict


def test_judge_imprecise_and_blank() -> None:
    iv = Interval(D("333.3334"), D("333.3356"))
    assert judge(D("333.34"), D("333.33"), iv, 2) == "imprecise"
    assert judge(D("0"), None, None, 2) == "blank-zero"
    assert judge(D("5"), None, None, 2) == "mismatch"
    assert judge(D("-35.18"), D("-35.17"), Interval(D("-35.2430"), D("-35.0834")), 2) == "truncated"


def test_intervals_follow_the_spec_expressions() -> None:
    from workbook_tools.core.compute import compute

    loaded = load(SEED)
    computed = compute(loaded.model)
    iv = derived_intervals(loaded.model, computed)
    basic = iv["basic_actual"]
    assert basic is not None and basic.lo <= D("584.32") <= basic.hi and basic.hi - basic.lo == D("0.025")
    assert iv["basic_subsidies_rate"] is None  # zero budget: the cell is blank
    for name, value in computed.items():
        i = iv[name]
        if isinstance(value, Decimal) and i is not None and not i.unbounded:
            assert i.lo - D("0.005") <= value <= i.hi + D("0.005"), name


# -- spreadsheets made by others (../shared/corpus) ----------------------------------------------------

corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")


@corpus
@pytest.mark.parametrize(("name", "code"), [
    ("poi/protected_passtika.xlsx", "file-encrypted-or-xls"),
    ("poi/12561-1.xls", "file-encrypted-or-xls"),
    ("poi/poc-xmlbomb.xlsx", "file-hostile"),
])
def test_corpus_unreadable(name: str, code: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in corpus")
    report = validate(path)
    assert report.unreadable is not None and report.unreadable.code == code
    assert report.exit_code() == 2 and str(path) in report.unreadable.message


@corpus
@pytest.mark.parametrize("name", ["excel-made/autofilter00.xlsx", "excel-made/array_formula01.xlsx",
                                  "poi/1_NoIden.xlsx", "poi/123233_charts.xlsx"])
def test_corpus_not_our_template(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in corpus")
    report = validate(path)
    if report.unreadable is not None:
        assert report.exit_code() == 2 and str(path) in report.unreadable.message
    else:
        assert [f.code for f in report.findings] == ["template-unknown"]
        assert report.exit_code() == 1


@corpus
def test_corpus_sample_never_raises() -> None:
    """A slice of the corpus: every file gets a report (unreadable or findings), never an exception."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"))
    for path in files[::25]:
        report = validate(path)
        assert report.unreadable is not None or report.findings, path


@corpus
@pytest.mark.parametrize(("name", "exit_code"), [("poi/protected_passtika.xlsx", 2), ("poi/12561-1.xls", None),
                                                  ("excel-made/autofilter00.xlsx", 1)])
def test_corpus_through_the_command(name: str, exit_code: int | None) -> None:
    """``None``: a legacy .xls is converted by LibreOffice when it is installed (then it is simply not a template
    workbook, exit 1), and refused in one line naming the file when it is not (exit 2)."""
    from typer.testing import CliRunner

    from workbook_tools.cli.app import app
    from workbook_tools.libreoffice import find_soffice

    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in corpus")
    if exit_code is None:
        exit_code = 1 if find_soffice() else 2
    r = CliRunner().invoke(app, ["validate", str(path)])
    assert r.exit_code == exit_code and "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    if exit_code == 2:
        assert r.output.strip().count("\n") == 0 and str(path) in r.output
    else:
        assert "template-unknown" in r.output
        assert ("legacy-converted" in r.output) == (path.suffix == ".xls")
