from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .procs import cmdline, descendants, running

# Property tests: a fast profile for `make test` on a developer machine, today's full depth under CI.
_PROFILE = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=200, **_PROFILE)
settings.register_profile("fast", max_examples=5, **_PROFILE)
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
#: The 1,760 spreadsheets others made: ``WORKBOOK_TOOLS_CORPUS`` when set (even to a missing folder), else
#: ../shared/corpus beside the checkout, or two levels up for a git worktree (/work/wt/<branch>).
CORPUS = Path(os.environ.get("WORKBOOK_TOOLS_CORPUS") or next(
    (p for p in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus") if p.is_dir()),
    ROOT.parent / "shared" / "corpus"))


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package's bytecode once, before any test starts a subprocess.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (this sandbox sets it; CI may), no interpreter writes a ``.pyc``,
    so each of the hundreds of CLI, worker and LibreOffice-helper processes the tests start compiled the
    whole package from source again (~0.1 s of CPU each). The variable only stops writing: compileall writes
    regardless, and every later process reads the files (they are rebuilt whenever a source file changes).
    """
    if not hasattr(config, "workerinput"):  # the xdist controller, or a run without xdist
        import compileall

        compileall.compile_dir(ROOT / "workbook_tools", quiet=1, workers=1)


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
def broken_cache(request: pytest.FixtureRequest) -> Path | None:
    """Where the broken-input cases are kept between runs (pytest's cache folder, keyed by what they are built
    from: tests/broken_inputs.py ``cache_key``); None under ``-p no:cacheprovider``, and then they are built."""
    cache = getattr(request.config, "cache", None)
    return None if cache is None else cache.mkdir("broken-inputs")


@pytest.fixture(scope="session")
def broken_inputs(tmp_path_factory: pytest.TempPathFactory, broken_cache: Path | None) -> dict[str, Path]:
    """Every broken-input case, copied once per worker from the kept build (the robustness and
    reader-agreement tests read them; neither writes to them)."""
    from workbook_tools.libreoffice import find_soffice

    from .broken_inputs import CASES, NEEDS_SOFFICE, cached_build

    names = {c.name for c in CASES}
    if find_soffice() is None:
        names -= NEEDS_SOFFICE
    return cached_build(tmp_path_factory.mktemp("broken"), names, broken_cache)


@pytest.fixture
def no_process_left() -> Iterator[None]:
    """A test that starts processes (dask workers, the fork server, the resource tracker) leaves none behind.

    During the test this process is the child subreaper (Linux ``prctl``), so whatever its children leave
    orphaned (a dask worker's fork server, its resource tracker) is re-parented here rather than to init, and
    is seen. Teardown stops this process's fork server and resource tracker, then asserts that every process
    started since the test began has exited; stragglers are killed and reaped, and named in the failure.
    """
    import ctypes
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker
    import signal
    import sys
    import time

    me = os.getpid()
    before = set(descendants(me))
    libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
    pr_set_child_subreaper = 36
    if libc is not None:
        libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0)
    try:
        yield
    finally:
        if libc is not None:
            libc.prctl(pr_set_child_subreaper, 0, 0, 0, 0)
    tracker = multiprocessing.resource_tracker._resource_tracker  # type: ignore[attr-defined]
    multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30  # a closing dask worker takes its file processes down with it

    def leftover() -> list[int]:
        return [p for p in descendants(me) if p not in before and p != tracker._pid and running(p)]

    while (left := leftover()) and time.monotonic() < deadline:
        time.sleep(0.1)
    named = {p: cmdline(p) for p in left}
    for p in left:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    if tracker._pid not in before:  # started by this test: returns once no process holds its pipe any more
        tracker._stop()
    for p in descendants(me):
        if p not in before:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(p, 0 if p in named else os.WNOHANG)  # an orphan re-parented here
    assert not named, f"processes left behind: {named}"


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
