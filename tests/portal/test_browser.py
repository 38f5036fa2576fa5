"""The whole flow in a real browser (Playwright driving Debian's Chromium) against ``workbook-tools serve``,
with SQLite and with PostgreSQL. Screenshots of the main pages at 1366×768 go to out/portal/<backend>/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.factory import cell_of, filled_workbook
from workbook_tools.checks.validate import validate
from workbook_tools.core import spec
from workbook_tools.xlsx.reader import load

from .helpers import CONSISTENT_UNIT, CONSISTENT_XLSX, ROOT, YEAR, departments_csv
from .services import CHROMIUM, CHROMIUM_ARGS, need_chromium, portal_server, postgres_server

#: One worker starts Chromium (and PostgreSQL) for the whole module. A browser, a server and a real login per
#: person take minutes of CPU on two cores: CI and make test-all run the flow, a quick make test leaves it out.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
OUT = ROOT / "out" / "portal"
ADMIN = ("admin", "bureau-e2e-2026")
OTHER = "青山县档案馆"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def postgres() -> Iterator[object]:
    with postgres_server() as pg:
        yield pg


@pytest.fixture(params=["sqlite", "postgresql"])
def portal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    database = None
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres").create_database("portal_e2e")
    data = tmp_path / "data"
    data.mkdir()
    with portal_server(data, database, ADMIN) as port:
        yield f"http://127.0.0.1:{port}", request.param


class Person:
    """One person at their own browser: a context with its own cookies, a 1366×768 window, Chinese UI."""

    def __init__(self, browser: object, base: str, shots: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",  # type: ignore[attr-defined]
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.base, self.shots = base, shots

    def login(self, username: str, password: str) -> None:
        self.page.goto(self.base + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, self.page.content()

    def shot(self, name: str, full: bool = False) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full)

    def download(self, selector: str, dest: Path) -> Path:
        with self.page.expect_download() as info:
            self.page.click(selector)
        info.value.save_as(str(dest))
        return dest

    def upload(self, path: Path) -> float:
        self.page.set_input_files("#id_workbook", str(path))
        started = time.perf_counter()
        with self.page.expect_navigation():
            self.page.click("#upload-form button[type=submit]")
        return time.perf_counter() - started


def _row(page: object, unit: str) -> str:
    return page.inner_text(f'#board tr[data-department="{unit}"]')  # type: ignore[attr-defined]


def test_the_whole_flow_in_a_browser(browser: object, portal: tuple[str, str], tmp_path: Path) -> None:
    base, backend = portal
    shots = OUT / backend
    admin = Person(browser, base, shots)
    admin.login(*ADMIN)
    admin.shot("01_rounds")

    # the bureau opens a round and imports the department list (the same CSV as `prefill`)
    admin.page.fill("#id_title", f"{YEAR}年度部门整体支出绩效评价")
    admin.page.fill("#id_year", str(YEAR))
    admin.page.fill("#id_deadline", "2099-06-30T18:00")
    admin.page.click("form[enctype] button[type=submit]")
    admin.page.wait_for_url("**/bureau/round/*/")
    board_url = admin.page.url
    admin.page.set_input_files("input[name=departments]", str(departments_csv(tmp_path / "单位名单.csv", [OTHER])))
    admin.page.click("form[action$='/import/'] button[type=submit]")
    admin.page.wait_for_selector("#accounts")
    admin.shot("02_imported")
    accounts = {}
    for tr in admin.page.query_selector_all("#accounts tr")[1:]:
        unit, user, password = (td.inner_text().strip() for td in tr.query_selector_all("td"))
        accounts[unit] = (user, password)
    assert set(accounts) == {CONSISTENT_UNIT, OTHER}

    # a department downloads its prefilled workbook and uploads one with two problems
    dept = Person(browser, base, shots)
    dept.login(*accounts[CONSISTENT_UNIT])
    dept.shot("03_department")
    prefilled = dept.download("#download-prefilled", tmp_path / "prefilled.xlsx")
    assert load(prefilled).model.unit_name == CONSISTENT_UNIT
    project_sheet, project_cell = cell_of("projects__actual__0")
    first_project = load_workbook(CONSISTENT_XLSX)[project_sheet][project_cell].value
    bad = filled_workbook(tmp_path / "填报.xlsx", basic_wages_rate=150, projects__actual__0=first_project + 100)
    seconds = dept.upload(bad)
    print(f"[{backend}] upload → findings page: {seconds:.2f} s")
    dept.page.wait_for_selector("#verdict")
    expected = validate(bad)
    for code, name in (("value-mismatch", "basic_wages_rate"), ("project-list-mismatch", "project_actual")):
        f = spec.field(name)
        finding = next(x for x in expected.findings if x.code == code)
        assert (finding.sheet, finding.cell) == (f.sheet, f.cell)
        cell = dept.page.locator(f'details[data-sheet="{f.sheet}"] td[data-cell="{f.cell}"]')
        assert "f-error" in (cell.get_attribute("class") or "")
        assert cell.is_visible()
        row = cell.locator("xpath=..")
        assert finding.message[:30] in row.locator("td.notes").inner_text()
    dept.page.locator(f'details[data-sheet="{spec.field("basic_wages_rate").sheet}"] '
                      f'td[data-cell="{spec.field("basic_wages_rate").cell}"]').scroll_into_view_if_needed()
    dept.shot("04_findings")
    dept.shot("04_findings_full", full=True)
    annotated = dept.download("text=下载标注副本", tmp_path / "annotated.xlsx")
    assert load_workbook(annotated).sheetnames[0] == "校验结果"

    # the fixed workbook passes; the board says 已通过
    dept.page.goto(base + "/department/")
    dept.upload(CONSISTENT_XLSX)
    assert "校验通过" in dept.page.inner_text("#verdict")
    dept.shot("05_passed")
    dept.page.goto(base + "/department/")
    assert dept.page.locator("#versions tr").count() == 3  # header + two versions, both kept

    # another department uploads; the bureau returns it with a comment; they see the comment
    other = Person(browser, base, shots)
    other.login(*accounts[OTHER])
    other.upload(filled_workbook(tmp_path / "档案馆.xlsx", unit_name=OTHER))
    admin.page.goto(board_url)
    assert "已通过" in _row(admin.page, CONSISTENT_UNIT)
    admin.page.click(f'#board tr[data-department="{OTHER}"] td:nth-child(3) a')
    comment = "项目支出绩效目标完成情况未填写，请补充后重新上传。"
    admin.page.fill("#return-form textarea", comment)
    admin.page.click("#return-form button[type=submit]")
    admin.page.wait_for_selector("#return-comment")
    admin.page.goto(board_url)
    assert "已退回" in _row(admin.page, OTHER) and "已通过" in _row(admin.page, CONSISTENT_UNIT)
    admin.shot("06_board")
    other.page.goto(base + "/department/")
    assert comment in other.page.inner_text("#return-comment")
    assert "已退回" in other.page.inner_text("#status")
    other.shot("07_returned")

    # the bureau downloads the summary and checks it row by row against the batch summary of the same files
    summary = admin.download("text=下载汇总表 summary.xlsx", tmp_path / "summary.xlsx")
    from workbook_tools.batch.result import BatchOptions
    from workbook_tools.batch.summary import write_xlsx
    from workbook_tools.batch.work import process_workbook

    latest = [CONSISTENT_XLSX, tmp_path / "档案馆.xlsx"]
    want = write_xlsx([process_workbook(str(p), BatchOptions(root=str(p.parent), out_dir=str(tmp_path)))
                       for p in latest], tmp_path / "batch.xlsx")

    def rows(path: Path) -> dict[object, list[object]]:
        ws = load_workbook(path)["汇总"]
        return {r[1].value: [c.value for c in r[1:]] for r in ws.iter_rows(min_row=2) if r[1].value}

    got, expected_rows = rows(summary), rows(want)
    assert set(got) == {CONSISTENT_UNIT, OTHER} | {k for k in expected_rows if "个单位" in str(k)}
    for unit in got:
        assert got[unit] == expected_rows[unit], unit
    admin.page.goto(board_url + "audit/")
    text = admin.page.inner_text("#audit")
    assert "上传" in text and "退回" in text and "下载汇总表" in text
    admin.shot("08_audit")
