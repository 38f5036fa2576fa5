"""Profiles (a jurisdiction's choices as data), earlier template versions, migrate, and legacy .xls/.ods files."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from workbook_tools.checks.validate import validate
from workbook_tools.cli.app import app
from workbook_tools.core import layouts, profiles, spec
from workbook_tools.core.compute import compute
from workbook_tools.core.model import Evaluation
from workbook_tools.core.profiles import ProfileError, parse_profile
from workbook_tools.export.outline import Heading
from workbook_tools.migrate import MigrateError, migrate
from workbook_tools.xlsx import reader
from workbook_tools.xlsx.workbook import read as read_book

from .conftest import EXAMPLES, FIXTURES, ROOT
from .factory import filled_workbook, layout_matches_file

D = Decimal
V1 = FIXTURES / "v1_0"
#: the shared folder beside the checkout (/work/shared for /work/main; two levels up from a worktree)
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT / "shared")
REAL_XLS = SHARED / "corpus" / "real-forms" / "central_xmzc_zpb_2019_1.xls"
#: Codes this module triggers (tests/test_catalogue.py counts them as tested).
LEGACY_CODES = ("legacy-converted", "legacy-not-converted")
runner = CliRunner()


def codes(report: object) -> list[tuple[str, str | None]]:
    return sorted((f.code, f.name) for f in report.findings)  # type: ignore[attr-defined]


# -- profiles -----------------------------------------------------------------------------------------


def test_packaged_profiles_parse_and_the_seed_county_is_the_default() -> None:
    ids = profiles.available()
    assert ids[0] == profiles.DEFAULT_PROFILE == "anhua"
    assert {"anhua", "national", "sichuan", "hunan"} <= set(ids)
    for p in profiles.all_profiles():
        assert len(p.grades) == len(spec.GRADE_BANDS) and p.execution_rate in profiles.EXECUTION_RATES
        assert all(r.value in spec.FIELD_BY_NAME for r in p.rules.rules)
    assert profiles.get().grades == spec.GRADE_BANDS  # today's behaviour
    assert profiles.get("national").grades[0] == ("优", D(90))


@pytest.mark.parametrize(("patch", "words"), [
    ({"colour": "red"}, "未知的键 colour"),
    ({"execution_rate": "total_actual"}, "execution_rate"),
    ({"grades": [{"label": "优", "min": "90"}]}, "应有 4 档"),
    ({"blocks": ["income", "nothing"]}, "nothing"),
    ({"severity": {"value-truncated": "fatal"}}, "severity.value-truncated"),
    ({"severity": {"no-such-code": "info"}}, "no-such-code"),
    ({"severity": {"template-unknown": "info"}}, "不可改"),
    ({"rules": [{"indicator": "预算执行率", "value": "nope", "kind": "rate_times_points"}]}, "nope"),
])
def test_a_broken_profile_is_refused_naming_the_key(patch: dict, words: str) -> None:
    raw = json.loads((ROOT / "workbook_tools" / "data" / "profiles" / "national.json").read_text(encoding="utf-8"))
    raw.update(patch)
    with pytest.raises(ProfileError, match=words):
        parse_profile(raw, "county.json")


def test_profiles_command_lists_every_profile() -> None:
    r = runner.invoke(app, ["profiles"])
    assert r.exit_code == 0
    for pid in profiles.available():
        assert pid in r.output
    data = json.loads(runner.invoke(app, ["profiles", "--json"]).output)
    assert [d["id"] for d in data] == list(profiles.available()) and data[0]["default"] is True


def test_unknown_profile_is_one_line() -> None:
    r = runner.invoke(app, ["template", "--profile", "火星县", "-o", "x.xlsx"])
    assert r.exit_code == 2 and "anhua" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("pid", ["national", "sichuan", "hunan"])
def test_template_of_a_profile_records_it_with_its_grade_table(pid: str, tmp_path: Path) -> None:
    path = tmp_path / f"{pid}.xlsx"
    r = runner.invoke(app, ["template", "--profile", pid, "-o", str(path)])
    assert r.exit_code == 0, r.output
    loaded = reader.load(path)
    prof = profiles.get(pid)
    assert loaded.model.profile == pid
    assert loaded.model.grade_bands() == tuple(sorted(prof.grades, key=lambda g: g[1]))
    book = read_book(path)
    assert book.resolve("profile") == spec.META_NAMES["profile"]
    report = validate(path)  # a blank template: only the required inputs are missing, the structure is intact
    assert {f.code for f in report.errors} == {"required-missing"}, [(f.code, f.message) for f in report.errors]


def _with_grade_table(src: Path, dest: Path, labels: list[str], minimums: list[int]) -> Path:
    wb = load_workbook(src)
    for k, values in (("grade_labels", labels), ("grade_minimums", minimums)):
        const = next(c for c in spec.CONSTANTS if c.name == k)
        first = const.ref.split(":")[0]
        col, row = first[0], int(first[1:])
        for i, v in enumerate(values):
            wb[const.sheet][f"{col}{row + i}"].value = v
    wb.save(dest)
    return dest


def test_grade_follows_the_workbooks_own_threshold_table(consistent_xlsx: Path, tmp_path: Path) -> None:
    """A county's 优/良/合格/不合格 bands: the typed grade that matches them is not an error."""
    src = filled_workbook(tmp_path / "typed.xlsx", source=consistent_xlsx, grade="良")  # 82.94
    county = _with_grade_table(src, tmp_path / "county.xlsx", ["不合格", "合格", "良", "优"], [0, 60, 80, 90])
    assert not [f for f in validate(county).findings if f.name == "grade" and f.severity == "error"]
    # with the spec's table the same typed 良 is wrong (the file says 良好)
    assert [f.code for f in validate(src).findings if f.name == "grade"] == ["value-mismatch"]


def test_exactly_90_is_the_top_grade_in_every_profile() -> None:
    from workbook_tools.core.expr import grade_for

    for p in profiles.all_profiles():
        assert grade_for(D(90), p.grades) == p.grades[0][0]
        assert grade_for(D("89.99"), p.grades) == p.grades[1][0]


def test_a_profile_sets_the_severity_of_a_check(tmp_path: Path) -> None:
    prof = profiles.get("anhua")
    strict = parse_profile({"id": "strict", "title": "t", "title_en": "t", "source": "s",
                            "severity": {"value-truncated": "error"}}, "strict.json")
    seed = validate(EXAMPLES / "seed_2022_anhua_zhongdian.xlsx")
    before = len(seed.errors)
    strict.apply_severity(seed.findings)
    assert len(seed.errors) == before + 5 and prof.severity == {}


# -- earlier template versions --------------------------------------------------------------------------


def test_the_1_0_layout_snapshot_matches_the_1_0_template_file() -> None:
    layout = layouts.for_version("1.0")
    assert layout is not None and not layout.is_current
    layout_matches_file(layout, V1 / "template_1_0.xlsx")


def test_1_0_seed_gives_exactly_the_findings_of_the_current_seed() -> None:
    old = validate(V1 / "seed_1_0.xlsx")
    new = validate(EXAMPLES / "seed_2022_anhua_zhongdian.xlsx")
    assert old.template_version == "1.0"
    assert [c for c in codes(old) if c[0] != "template-old"] == codes(new)
    assert ("template-old", "template_version") in codes(old)


def test_1_0_consistent_example_is_clean() -> None:
    report = validate(V1 / "consistent_1_0.xlsx")
    assert [f.code for f in report.findings if f.severity != "info"] == []
    assert "migrate" in next(f.message for f in report.findings if f.code == "template-old")


@pytest.mark.parametrize("name", ["seed_1_0", "consistent_1_0", "template_1_0"])
def test_migrate_carries_every_value_losslessly(name: str, tmp_path: Path) -> None:
    src = V1 / f"{name}.xlsx"
    before = src.read_bytes()
    out = tmp_path / "new.xlsx"
    report = migrate(src, out)
    assert src.read_bytes() == before  # the old file is never touched
    assert report.from_version == "1.0" and report.to_version == spec.TEMPLATE_VERSION
    old, new = reader.load(src).model, reader.load(out).model
    assert new.template_version == spec.TEMPLATE_VERSION and reader.load(out).layout.is_current  # type: ignore[union-attr]
    for k, v in old.values.items():
        assert new.values[k] == v, k
    for t, rows in old.lists.items():
        assert new.lists[t] == rows, t
    assert new.stated == old.stated and new.constants == old.constants
    assert report.carried == len({k for k, v in old.values.items() if v is not None}) + sum(
        1 for rows in old.lists.values() for r in rows for v in r.values() if v is not None) + len(
        old.stated) + sum(len(v) for v in old.constants.values())
    migrated = validate(out)
    assert not [f for f in migrated.findings if f.code == "template-old"]
    if name != "template_1_0":
        expected = [c for c in codes(validate(src)) if c[0] not in ("template-old", "cache-missing")]
        assert [c for c in codes(migrated) if c[0] != "cache-missing"] == expected


def test_migrate_command_and_its_refusals(tmp_path: Path) -> None:
    out = tmp_path / "new.xlsx"
    r = runner.invoke(app, ["migrate", str(V1 / "seed_1_0.xlsx"), "-o", str(out)])
    assert r.exit_code == 0 and "1.0" in r.output and spec.TEMPLATE_VERSION in r.output and out.exists()
    other = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    Workbook().save(other)
    with pytest.raises(MigrateError, match="不是本模板"):
        migrate(other, tmp_path / "x.xlsx")
    r = runner.invoke(app, ["migrate", str(tmp_path / "none.xlsx"), "-o", str(out)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    copy = tmp_path / "same.xlsx"
    shutil.copy(V1 / "seed_1_0.xlsx", copy)
    with pytest.raises(MigrateError, match="不能是输入文件"):
        migrate(copy, copy)


def test_fill_on_a_1_0_workbook_keeps_its_layout(tmp_path: Path) -> None:
    from workbook_tools.fill import fill

    out = tmp_path / "filled.xlsx"
    report = fill(V1 / "consistent_1_0.xlsx", out)
    assert report.written
    again = validate(out)
    assert again.template_version == "1.0"
    assert [f.code for f in again.findings if f.severity != "info"] == []


# -- legacy files ----------------------------------------------------------------------------------------


def test_legacy_file_without_libreoffice_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools import libreoffice

    monkeypatch.setattr(libreoffice, "available", lambda: False)
    path = tmp_path / "旧表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    report = validate(path, convert_legacy=True)
    assert report.unreadable is not None and report.unreadable.code == "legacy-not-converted"
    assert "apt-get install libreoffice-calc-nogui" in report.unreadable.message and str(path) in report.unreadable.message
    assert report.exit_code() == 2


def test_a_file_that_crashes_libreoffice_costs_one_more_run_not_one_per_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice converts in order and a damaged file stops the run: the files before it are kept, it is
    retried alone and listed with the reason, and the files after it go on together."""
    from workbook_tools import libreoffice
    from workbook_tools.xlsx import legacy

    runs: list[list[str]] = []

    def convert(paths: list[Path], outdir: Path, *, timeout: float = 120) -> list[Path]:
        runs.append([p.name for p in paths])
        for p in paths:
            if p.name.startswith("bad"):
                raise libreoffice.LibreOfficeError(f"soffice crashed on {p.name}")
            (outdir / (p.stem + ".xlsx")).write_bytes(b"converted")
        return []

    monkeypatch.setattr(libreoffice, "recalculate", convert)
    names = [f"{i:02d}.xls" for i in range(40)]
    names[10], names[25] = "bad1.xls", "bad2.xls"
    for n in names:
        (tmp_path / n).write_bytes(b"\xd0\xcf\x11\xe0")
    out = legacy.convert_all([tmp_path / n for n in names], tmp_path / "work")
    failed = sorted(Path(s).name for s, c in out.items() if c.converted is None)
    assert failed == ["bad1.xls", "bad2.xls"] and len(out) == 40
    assert all(Path(c.converted).read_bytes() == b"converted" for c in out.values() if c.converted)
    assert "crashed on bad1.xls" in out[str(tmp_path / "bad1.xls")].reason_zh
    assert len(runs) == 5 and runs[1] == ["bad1.xls"] and runs[2][0] == "11.xls"  # all, alone, rest, alone, rest


@pytest.mark.libreoffice
def test_real_xls_is_converted_in_a_temporary_folder_and_answered(soffice: str, tmp_path: Path) -> None:
    if not REAL_XLS.exists():
        pytest.skip("shared corpus not present")
    src = tmp_path / "in" / REAL_XLS.name
    src.parent.mkdir()
    shutil.copy(REAL_XLS, src)
    r = runner.invoke(app, ["validate", str(src)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "legacy-converted" in r.output and "template-unknown" in r.output
    assert sorted(p.name for p in src.parent.iterdir()) == [REAL_XLS.name]  # nothing written beside the input


# -- workbooks filled like real reports of each kind ------------------------------------------------------


def _national_model() -> Evaluation:
    """A 全国自评表-style unit: only 支出总额 (no 基本/项目 split), adjusted budget, 指标性质 columns, 优/良 grades."""
    data = json.loads((EXAMPLES / "consistent_2023_qingshan_jiaoyu.json").read_text(encoding="utf-8"))
    model = Evaluation.from_json(data)
    for k in list(model.values):
        if k.startswith(("basic_", "project_", "sangong_")) or k in ("adjusted_budget", "carryover_prev",
                                                                       "carryover_end", "key_project_actual"):
            model.values[k] = None
    model.lists["projects"] = []
    model.lists["narrative"] = []
    model.values.update(total_stated_budget=D("1200"), total_stated_actual=D("1180.5"), total_supplement=D("50"))
    model.profile = "national"
    model.constants = {"grade_labels": ["差", "中", "良", "优"], "grade_minimums": [D(0), D(60), D(80), D(90)]}
    rows = model.lists["indicators"]
    rows[0].update(nature="≥", target="≥90%", actual="95%", unit="%", deviation="")
    rows[1].update(nature="定性", target="有效改善", actual="有效改善")
    rows.insert(0, {"level1": "产出指标", "level2": None, "level3": None, "weight": D(50), "score": None,
                    "basis": None, "nature": None, "target": None, "actual": None, "unit": None, "deviation": None})
    return model


def test_a_national_form_workbook_validates_without_false_errors(tmp_path: Path) -> None:
    from workbook_tools.template import write_filled

    path = write_filled(_national_model(), tmp_path / "national.xlsx")
    report = validate(path)
    assert not report.errors, [(f.code, f.name, f.message) for f in report.errors]
    loaded = reader.load(path)
    assert loaded.model.profile == "national"
    computed = compute(loaded.model)
    assert computed["total_budget"] == D("1200") and computed["total_actual"] == D("1180.5")
    assert computed["total_adjusted"] == D("1250.00")  # 年初 1200 + 追加 50
    assert computed["adjusted_rate"] == D("94.44")  # 1180.5 / 1250
    assert computed["weight_total"] == D(100)  # the 产出指标 50 subtotal row is not counted twice
    assert computed["grade"] in ("优", "良", "中", "差")


def test_the_report_says_only_what_was_filled() -> None:
    from workbook_tools.export.outline import build_outline

    texts = "\n".join(build_outline(_national_model()).texts())
    assert "支出总额1180.5万元，为年初预算1200万元的98.38%。" in texts
    assert "基本支出" not in texts and "工资福利" not in texts and "项目支出" not in texts
    assert "全年预算数（调整后）1250万元（年中追加50万元），预算执行率为94.44%" in texts
    assert "表1" not in texts  # no table of categories the workbook does not state


def test_sichuan_report_puts_the_score_first_and_says_bumen() -> None:
    from workbook_tools.export.outline import build_outline

    data = json.loads((EXAMPLES / "consistent_2023_qingshan_jiaoyu.json").read_text(encoding="utf-8"))
    model = Evaluation.from_json(data)
    model.profile = "sichuan"
    headings = [b.text for b in build_outline(model).blocks if isinstance(b, Heading) and "、" in b.text[:3]]
    assert headings[0].endswith("绩效评价组织与绩效评价结论")
    assert any("该部门2023年度整体支出绩效评价指标总分值" in t for t in build_outline(model).texts())


def test_hunan_profile_scores_the_completion_rate(tmp_path: Path) -> None:
    from workbook_tools.core.scoring import suggest

    data = json.loads((EXAMPLES / "consistent_2023_qingshan_jiaoyu.json").read_text(encoding="utf-8"))
    model = Evaluation.from_json(data)
    model.profile = "hunan"
    model.values.update(carryover_prev=D("20"), carryover_end=D("30"), total_supplement=None)
    computed = compute(model)
    available = D("20") + computed["total_budget"] + computed["total_supplement_calc"]  # type: ignore[operator]
    assert computed["budget_available"] == available.quantize(D("0.01"))
    model.lists["indicators"].append({"level1": "过程", "level2": "预算执行", "level3": "预算完成率", "weight": D(5),
                                      "score": None, "basis": None})
    got = [s for s in suggest(model, computed, profiles.get("hunan").rules) if s.indicator == "预算完成率"]
    assert got and all(s.value == computed["completion_rate"] for s in got)
    assert computed["completion_rate"] is not None
