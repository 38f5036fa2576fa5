from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: a fast profile for `make test` on a developer machine, today's full depth under CI.
_PROFILE = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=200, **_PROFILE)
settings.register_profile("fast", max_examples=12, **_PROFILE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("thorough" if os.environ.get("CI") == "true" else "fast"))

#: The one command that installs every system part the tests use (LibreOffice, poppler, CJK fonts).
INSTALL_HINT = "sudo bash .ci/run   (or: sudo apt-get install -y --no-install-recommends libreoffice-calc-nogui " \
               "libreoffice-writer-nogui python3-uno poppler-utils fontconfig fonts-noto-cjk fonts-arphic-gbsn00lp fonts-arphic-gkai00mp)"

IN_CI = os.environ.get("CI") == "true"

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATE = ROOT / "templates" / "evaluation_template.xlsx"
SEED_JSON = EXAMPLES / "seed_2022_anhua_zhongdian.json"
CONSISTENT_JSON = EXAMPLES / "consistent_2023_qingshan_jiaoyu.json"


def need_soffice() -> None:
    """Skip without LibreOffice on a developer machine; under CI it must be there (.ci/run installs it)."""
    from workbook_tools.libreoffice import find_soffice

    if find_soffice() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required under CI=true; .ci/run installs it")
        pytest.skip("LibreOffice not installed")


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def seed_data() -> dict:
    return load_json(SEED_JSON)


@pytest.fixture
def consistent_data() -> dict:
    return load_json(CONSISTENT_JSON)


@pytest.fixture
def seed_xlsx(tmp_path: Path) -> Path:
    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    return write_filled(Evaluation.from_json(load_json(SEED_JSON)), tmp_path / "seed.xlsx")


@pytest.fixture
def consistent_xlsx(tmp_path: Path) -> Path:
    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    return write_filled(Evaluation.from_json(load_json(CONSISTENT_JSON)), tmp_path / "consistent.xlsx")


@pytest.fixture(scope="session")
def soffice() -> str:
    need_soffice()
    from workbook_tools.libreoffice import find_soffice

    path = find_soffice()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def broken_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every broken-input case built once per worker (the robustness and reader-agreement tests read them;
    neither writes to them). Both modules are in one xdist group, so one worker builds them."""
    from workbook_tools.libreoffice import find_soffice

    from .broken_inputs import CASES, NEEDS_SOFFICE, build_all

    names = {c.name for c in CASES}
    if find_soffice() is None:
        names -= NEEDS_SOFFICE
    return build_all(tmp_path_factory.mktemp("broken"), names)


@pytest.fixture
def copy_of(tmp_path: Path):
    def _copy(src: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copyfile(src, dest)
        return dest

    return _copy


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI=true nothing may be skipped: a skip (a missing system part, corpus or extra) fails the test."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may be skipped: {reason.removeprefix('Skipped: ')}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Skipped tests are named, with the command that installs what they need: never skipped without a word."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} tests skipped", sep="-", yellow=True)
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(f"  {report.nodeid}: {reason.removeprefix('Skipped: ')}")
    terminalreporter.write_line(f"install the missing parts with: {INSTALL_HINT}")
