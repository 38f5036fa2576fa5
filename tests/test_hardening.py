"""The second round of hardening (docs/robustness.md, cases 51–67 and “Situations”): a batch that never dies,
outputs that never lose or leak anything, clear failures of the environment."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from workbook_tools.batch import inbox as batch_inbox
from workbook_tools.batch import pipeline, work
from workbook_tools.batch.result import BatchOptions, FileResult
from workbook_tools.core.fsutil import atomic_path, fits, leftover_temp
from workbook_tools.xlsx.reader import load

from .broken_inputs import BASE, CASES, cached_build
from .conftest import ROOT, need_soffice
from .procs import cmdline, descendants, still_running

ROUND_TWO = [c for c in CASES[50:]]
PY = sys.executable


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "workbook_tools.cli.app", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, **(env or {})}, errors="replace")


def cli_here(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The full command line run in this process, where the process itself is not the point: its exit code,
    stdout and stderr (an exception it lets out fails the test, as a traceback would)."""
    from workbook_tools.cli import app as cli_module

    monkeypatch.setattr(sys, "argv", ["workbook-tools", *args])
    on_sigterm = signal.getsignal(signal.SIGTERM)  # the command line installs its own handler
    try:
        cli_module.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        signal.signal(signal.SIGTERM, on_sigterm)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def round_two(tmp_path_factory: pytest.TempPathFactory, broken_cache: Path | None) -> dict[str, Path]:
    return cached_build(tmp_path_factory.mktemp("round2"), {c.name for c in ROUND_TWO}, broken_cache)


def no_temp(*folders: Path) -> None:
    left = leftover_temp(folders) + [p for f in folders for p in f.rglob("*.tmp")]
    assert not left, left


# -- the batch survives every entry and every name ---------------------------------------------------


def test_batch_over_every_round_two_case_completes(round_two: dict[str, Path], tmp_path: Path) -> None:
    inbox = next(iter(round_two.values())).parent
    out = tmp_path / "out"
    r = cli("batch", str(inbox), "-o", str(out), "--fill", "--export", "docx,md", "--workers", "2", "--timeout", "120",
            timeout=600)
    assert r.returncode == 2, r.stderr[-2000:]  # FIFO, device, loop: not processable
    assert "Traceback" not in r.stdout + r.stderr and "\x1b" not in r.stdout + r.stderr
    data = json.loads((out / "summary.json").read_text("utf-8"))
    rows = {f["path"]: f for f in data["files"]}
    for name in ("pipe.xlsx", "loop.xlsx", "zero.xlsx"):
        assert rows[name]["reason_code"] == "file-special", rows[name]
    assert "folder.xlsx/inside.txt" in rows  # a folder named .xlsx is a folder
    assert "~$报告.xlsx" not in rows and "~$报告.xlsx：已跳过，这是 Office 锁定文件" in r.stderr
    gbk = "\\xC7\\xE0ɽ.xlsx"  # 0xC9 0xBD happens to be valid UTF-8 (ɽ)
    assert rows[gbk]["status"] in ("ok", "duplicate") and (out / "reports" / "%xC7%xE0ɽ.docx").is_file()
    long_row = next(v for k, v in rows.items() if k.startswith("青山区教育局"))
    assert long_row["status"] in ("ok", "duplicate") and set(long_row["outputs"]) == {"filled", "docx", "md"}
    for rel in long_row["outputs"].values():
        assert len(Path(rel).name.encode()) <= 255 and (out / rel).is_file()
    assert rows["e308.xlsx"]["status"] in ("errors", "duplicate")
    assert any(f["code"] == "out-of-range" and f["cell"] == "C11" for f in rows["e308.xlsx"]["findings"])
    assert any(f["code"] == "boolean-in-number" for f in rows["bool.xlsx"]["findings"])
    assert "\ud800" not in (out / "summary.json").read_text("utf-8", "surrogatepass")
    unit = rows["ansi.xlsx"]["unit"]
    assert unit is not None and "青山" in unit
    no_temp(out, inbox)


def test_file_hash_never_opens_a_fifo(round_two: dict[str, Path]) -> None:
    started = time.monotonic()
    assert batch_inbox.file_sha256(round_two["fifo"]) == "" and batch_inbox.file_sha256(round_two["device-link"]) == ""
    assert time.monotonic() - started < 2


def test_lock_files_are_skipped_and_returned(tmp_path: Path) -> None:
    shutil.copyfile(BASE, tmp_path / "a.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"\x04\0lock")
    (tmp_path / ".~lock.a.xlsx#").write_text("lock")
    files, locks = batch_inbox.discover_entries(tmp_path)
    assert [p.name for p in files] == ["a.xlsx"]
    assert sorted(p.name for p in locks) == [".~lock.a.xlsx#", "~$a.xlsx"]


def test_prefill_never_writes_a_lock_file_name() -> None:
    from workbook_tools.prefill import safe_filename

    assert not safe_filename("~$青山局").startswith("~$")


def test_every_stage_is_isolated_an_export_crash_is_that_files_note(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.export as export

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(export, "export_report", boom)
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(BASE, inbox / "a.xlsx")
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "out"), export=("md",))
    result = work.process_workbook(str(inbox / "a.xlsx"), options)
    assert result.status == "ok" and result.failed == ["md"] and "renderer bug" in result.notes[0]


# -- outputs never lose a user's data -------------------------------------------------------------


def test_fill_in_place_keeps_every_backup_follows_links_keeps_permissions(tmp_path: Path) -> None:
    real = tmp_path / "real" / "部门.xlsx"
    real.parent.mkdir()
    shutil.copyfile(BASE, real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    old_backup = real.with_name(real.name + ".bak")
    old_backup.write_bytes(b"yesterday's backup")
    r = cli("fill", str(link), "--in-place")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert old_backup.read_bytes() == b"yesterday's backup"
    assert real.with_name(real.name + ".bak.1").read_bytes() == BASE.read_bytes()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert stat.S_IMODE(real.with_name(real.name + ".bak.1").stat().st_mode) == 0o640
    assert load(real).cells["basic_actual"].value is not None  # really filled: cached values written
    with open(real, "r+b") as fh:  # the department sends the workbook again: it needs filling again
        fh.write(BASE.read_bytes())
        fh.truncate()
    r2 = cli("fill", str(link), "--in-place")
    assert r2.returncode == 0 and real.with_name(real.name + ".bak.2").exists()
    no_temp(tmp_path)


def test_new_outputs_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_path(tmp_path / "a.txt") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    r = cli("fill", str(BASE), "-o", str(tmp_path / "f.xlsx"))
    assert r.returncode == 0
    assert stat.S_IMODE((tmp_path / "f.xlsx").stat().st_mode) == 0o666 & ~old


def test_colliding_output_names_get_distinct_outputs(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    (inbox / "x").mkdir(parents=True)
    for name in ("a.xlsx", "A.xlsx", "b.xlsx", "b.XLSX", "x/a.xlsx"):
        shutil.copyfile(BASE, inbox / name)
    out = tmp_path / "out"
    outcome = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(out), fill=True, export=("md",)),
                        workers=2)
    reports = [r.outputs["md"] for r in outcome.results]
    assert len({p.casefold() for p in reports}) == 5, reports
    assert len({r.outputs["filled"].casefold() for r in outcome.results}) == 5
    assert all((out / p).is_file() for p in reports)


@pytest.mark.parametrize("layout", ["out-inside-inbox", "inbox-inside-out", "same-folder"])
def test_batch_never_reads_its_own_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], layout: str) -> None:
    if layout == "out-inside-inbox":
        inbox, out = tmp_path / "in", tmp_path / "in" / "result"
    elif layout == "inbox-inside-out":
        out, inbox = tmp_path / "out", tmp_path / "out" / "incoming"
    else:
        inbox = out = tmp_path / "both"
    inbox.mkdir(parents=True)
    shutil.copyfile(BASE, inbox / "a.xlsx")
    for _ in range(2):  # what the batch reads is the point, not the process: the command line runs in this one
        code, out_text, err_text = cli_here(monkeypatch, capsys, "batch", str(inbox), "-o", str(out), "--fill",
                                            "--export", "md", "--workers", "1")
        assert code == 0, out_text + err_text
        files = json.loads((out / "summary.json").read_text("utf-8"))["files"]
        assert [f["path"] for f in files] == ["a.xlsx"]


def test_a_failed_export_is_not_cached_and_fails_the_run(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(BASE, inbox / "a.xlsx")
    out = tmp_path / "out"
    missing = {"WORKBOOK_TOOLS_SOFFICE": str(tmp_path / "no-soffice")}
    r = cli("batch", str(inbox), "-o", str(out), "--export", "pdf,md", "--workers", "1", env=missing)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "a.xlsx：未导出 pdf" in r.stderr
    row = json.loads((out / "summary.json").read_text("utf-8"))["files"][0]
    assert row["failed"] == ["pdf"] and "md" in row["outputs"]
    assert "a.xlsx" not in json.loads((out / ".cache.json").read_text("utf-8"))["files"]
    need_soffice()
    r = cli("batch", str(inbox), "-o", str(out), "--export", "pdf,md", "--workers", "1", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "reports" / "a.pdf").read_bytes().startswith(b"%PDF")


def test_fill_keeps_the_value_of_an_input_typed_as_a_formula(round_two: dict[str, Path], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import python_calamine

    from workbook_tools.core import spec

    src = round_two["input-formula"]
    f = spec.field("basic_goods_budget")
    assert load(src).model.values["basic_goods_budget"] == Decimal("96.5")
    code, _, err_text = cli_here(monkeypatch, capsys, "fill", str(src), "-o", str(tmp_path / "f.xlsx"))
    assert code == 0, err_text
    filled = load(tmp_path / "f.xlsx")
    assert filled.cells["basic_goods_budget"].formula and filled.model.values["basic_goods_budget"] == Decimal("96.5")
    book = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "f.xlsx"))
    rows = book.get_sheet_by_name(f.sheet).to_python()
    assert rows[10][1] == 96.5  # B11, as pandas/calamine read it
    assert cli_here(monkeypatch, capsys, "validate", str(tmp_path / "f.xlsx"))[0] == 0


def test_fill_restores_a_derived_cell_hidden_by_a_merge(round_two: dict[str, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out_text, err_text = cli_here(monkeypatch, capsys, "fill", str(round_two["merged-derived"]), "-o",
                                        str(tmp_path / "f.xlsx"))
    assert code == 0 and "Traceback" not in err_text, err_text
    assert "已取消遮住计算单元格的合并" in out_text
    assert cli_here(monkeypatch, capsys, "validate", str(tmp_path / "f.xlsx"))[0] == 0


# -- clear failures of the environment ----------------------------------------------------------------


def test_output_path_that_is_a_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    for args in (["fill", str(BASE), "-o", str(tmp_path / "dir.xlsx")],
                 ["export", str(BASE), "-o", str(tmp_path / "dir.xlsx"), "-f", "md"],
                 ["dump", str(BASE), "-o", str(tmp_path / "dir.xlsx")]):
        r = cli(*args)
        lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
        assert r.returncode == 2 and len(lines) == 1 and "dir.xlsx" in lines[0], (args, r.stdout + r.stderr)
    no_temp(tmp_path)


@pytest.mark.parametrize("err, words", [(errno.ENOSPC, "磁盘空间已满"), (errno.EROFS, "只读"), (errno.EACCES, "没有写入权限")])
def test_full_or_read_only_disk_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], err: int, words: str) -> None:
    """The operating system's answer is injected (these tests run as root, whom chmod does not stop)."""
    from workbook_tools.cli import app as cli_module
    from workbook_tools.core import fsutil

    real_replace = os.replace

    def failing_replace(a: str, b: str) -> None:
        if str(b).endswith("f.xlsx"):
            raise OSError(err, os.strerror(err), str(b))
        real_replace(a, b)

    monkeypatch.setattr(fsutil.os, "replace", failing_replace)
    monkeypatch.setattr(sys, "argv", ["workbook-tools", "fill", str(BASE), "-o", str(tmp_path / "f.xlsx")])
    with pytest.raises(SystemExit) as exc:
        cli_module.main()
    assert exc.value.code == 2
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0] and "f.xlsx" in lines[0]
    assert not list(tmp_path.iterdir())


def test_batch_to_an_unwritable_output_folder_stops_before_reading(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(BASE, inbox / "a.xlsx")

    def read_only(*a: object, **k: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(OSError) as exc:
        pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(tmp_path / "out")))
    assert exc.value.errno == errno.EROFS and str(tmp_path / "out") == exc.value.filename


def test_sigterm_during_batch_leaves_no_temp_file_and_no_process(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(40):
        shutil.copyfile(BASE, inbox / f"u{i:02}.xlsx")
    out = tmp_path / "out"
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen([PY, "-m", "workbook_tools.cli.app", "batch", str(inbox), "-o", str(out), "--fill", "--export",
                             "docx,md", "--workers", "2", "-q"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / "reports").exists():
        time.sleep(0.2)
    workers = descendants(proc.pid)
    assert workers, "the batch started no workers"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    time.sleep(0.5)
    assert not still_running(workers)
    no_temp(out, tmp_path / "tmp")


def test_sigterm_during_a_pdf_export_stops_libreoffice(tmp_path: Path) -> None:
    need_soffice()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([PY, "-m", "workbook_tools.cli.app", "export", str(BASE), "-o", str(out / "r.pdf")], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Wait (however loaded the machine) for LibreOffice's own program, then freeze its process group: the
        # export cannot finish before the signal, so the test never depends on timing.
        office: list[int] = []
        while not office:
            assert proc.poll() is None, "the export ended before LibreOffice (soffice.bin) started"
            office = [p for p in descendants(proc.pid) if "soffice.bin" in cmdline(p)]
            time.sleep(0.02)
        group = os.getpgid(office[0])
        os.killpg(group, signal.SIGSTOP)
        started = descendants(proc.pid)
        assert still_running(office) == office, "soffice.bin must still be running when the signal comes"
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):  # the export may have killed the group already
            os.killpg(group, signal.SIGCONT)
        assert proc.wait(120) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 30  # the killed processes are reaped by init, not by us
    while still_running(started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not still_running(started)
    assert not (out / "r.pdf").exists()
    no_temp(out, tmp_path / "tmp")


def leave_temp_and_hang(path: str, options: BatchOptions) -> FileResult:
    """A worker that has a temporary output open when it is killed at its time limit."""
    if path.endswith("hang.xlsx"):
        with atomic_path(Path(options.out_dir) / "filled" / "hang.xlsx") as tmp:
            tmp.write_bytes(b"half")
            time.sleep(600)
    return work.process_workbook(path, options)


def test_a_worker_killed_at_its_time_limit_leaves_no_temp_file(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(BASE, inbox / "hang.xlsx")
    shutil.copyfile(BASE, inbox / "ok.xlsx")
    out = tmp_path / "out"
    outcome = pipeline.run(inbox, BatchOptions(root=str(inbox), out_dir=str(out), timeout=10), workers=1,
                        worker=leave_temp_and_hang)
    assert {r.path: r.status for r in outcome.results} == {"hang.xlsx": "timeout", "ok.xlsx": "ok"}
    no_temp(out)


def record_limits(path: str, options: BatchOptions) -> FileResult:
    """process_workbook, noting the address-space limit in force while fill and export run."""
    import resource

    import workbook_tools.export as export
    import workbook_tools.fill as fill

    seen: list[str] = []
    real_fill, real_export = fill.fill, export.export_report

    def fill_spy(*a: object, **k: object) -> object:
        seen.append(f"fill {resource.getrlimit(resource.RLIMIT_AS)[0]}")
        return real_fill(*a, **k)  # type: ignore[arg-type]

    def export_spy(*a: object, **k: object) -> object:
        seen.append(f"export {resource.getrlimit(resource.RLIMIT_AS)[0]}")
        return real_export(*a, **k)  # type: ignore[arg-type]

    fill.fill, export.export_report = fill_spy, export_spy  # type: ignore[assignment]
    result = work.process_workbook(path, options)
    result.notes += seen
    return result


def test_memory_limit_covers_fill_and_export(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copyfile(BASE, inbox / "a.xlsx")
    options = BatchOptions(root=str(inbox), out_dir=str(tmp_path / "out"), fill=True, export=("md",), memory_mb=3000)
    (result,) = pipeline.run(inbox, options, workers=1, worker=record_limits, use_cache=False).results
    limit = 3000 * 1024 * 1024
    assert f"fill {limit}" in result.notes and f"export {limit}" in result.notes, result.notes


# -- nothing from a workbook becomes live elsewhere --------------------------------------------------


def test_annotated_results_sheet_writes_formula_text_as_text(round_two: dict[str, Path], tmp_path: Path) -> None:
    dest = tmp_path / "ann.xlsx"
    r = cli("validate", str(round_two["hyperlink-formula"]), "--annotate", str(dest))
    assert r.returncode == 1 and dest.is_file()
    with zipfile.ZipFile(dest) as zf:
        sheet1 = zf.read("xl/worksheets/sheet1.xml").decode()
        strings = zf.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in zf.namelist() else ""
    assert "<f>" not in sheet1 and "HYPERLINK" in (sheet1 + strings)


def test_markdown_report_keeps_html_headings_and_links_inert(round_two: dict[str, Path], tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    from tests.broken_inputs import HTML_TEXT

    r = cli("export", str(round_two["html-narrative"]), "-o", str(tmp_path / "r.md"))
    assert r.returncode == 0, r.stderr
    html = MarkdownIt("commonmark").render((tmp_path / "r.md").read_text("utf-8"))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<h1>不是标题" not in html and "# 不是标题" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    r = cli("export", str(round_two["html-narrative"]), "-o", str(tmp_path / "r.docx"))
    assert r.returncode == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(str(tmp_path / "r.docx")).paragraphs)
    assert HTML_TEXT.splitlines()[0] in text
    with zipfile.ZipFile(tmp_path / "r.docx") as zf:
        rels = zf.read("word/_rels/document.xml.rels").decode()
    assert "javascript" not in rels


@pytest.mark.parametrize("case", ["escape-sequences", "lone-surrogate", "non-utf8-name"])
def test_terminal_and_json_output_carry_no_control_sequence(round_two: dict[str, Path], case: str) -> None:
    path = str(round_two[case])
    for args in (["validate", path], ["validate", path, "--json"], ["fill", path, "-o", os.devnull + ".x.xlsx"]):
        r = subprocess.run([PY, "-m", "workbook_tools.cli.app", *args], capture_output=True, cwd=ROOT, timeout=120)
        out = r.stdout + r.stderr
        assert b"\x1b" not in out and b"\x07" not in out, out[:500]
        out.decode("utf-8")  # valid UTF-8 throughout
        assert b"Traceback" not in out
        if "--json" in args:
            json.loads(r.stdout)
    if os.path.exists(os.devnull + ".x.xlsx"):
        os.unlink(os.devnull + ".x.xlsx")


def test_docx_export_of_bad_code_points(round_two: dict[str, Path], tmp_path: Path) -> None:
    for case in ("lone-surrogate", "escape-sequences"):
        r = cli("export", str(round_two[case]), "-o", str(tmp_path / f"{case}.docx"))
        assert r.returncode == 0, r.stderr
        with zipfile.ZipFile(tmp_path / f"{case}.docx") as zf:
            doc = zf.read("word/document.xml")
        doc.decode("utf-8")
        assert b"\x1b" not in doc and "\ufffe".encode() not in doc


# -- inputs to new and options ----------------------------------------------------------------------


#: One command-line start each; the default run keeps one of each kind (a non-finite number, deep nesting),
#: the other spellings run under CI (``slow``).
@pytest.mark.parametrize("text, words", [
    ('{"values": {"basic_goods_budget": NaN}}', "values.basic_goods_budget"),
    pytest.param('{"values": {"basic_goods_budget": Infinity}}', "values.basic_goods_budget", marks=pytest.mark.slow),
    pytest.param('{"values": {"basic_goods_budget": 1e400}}', "values.basic_goods_budget", marks=pytest.mark.slow),
    pytest.param('{"values": {"basic_goods_budget": "NaN"}}', "values.basic_goods_budget", marks=pytest.mark.slow),
    ("[" * 100_000 + "]" * 100_000, "嵌套"),
])
def test_new_from_refuses_non_finite_numbers_and_deep_nesting(tmp_path: Path, text: str, words: str) -> None:
    src = tmp_path / "bad.json"
    src.write_text(text, encoding="utf-8")
    r = cli("new", "--from", str(src), "-o", str(tmp_path / "x.xlsx"))
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    assert r.returncode == 2 and len(lines) == 1 and words in lines[0] and "bad.json" in lines[0], lines
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("value", ["nan", pytest.param("inf", marks=pytest.mark.slow),
                                   pytest.param("-inf", marks=pytest.mark.slow), "0"])
def test_timeout_must_be_a_finite_positive_number(tmp_path: Path, value: str) -> None:
    r = cli("batch", str(tmp_path), "-o", str(tmp_path / "o"), "--timeout", value)
    assert r.returncode == 2 and "--timeout" in r.stderr and not (tmp_path / "o").exists()


def test_prefill_names_the_separator_it_found(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text("机构;年份;金额\n青山局;2023;12\n", encoding="utf-8")
    r = cli("prefill", str(src), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "分号" in r.stderr and "3 列" in r.stderr, r.stderr


def test_prefill_reads_a_semicolon_csv(tmp_path: Path) -> None:
    from workbook_tools.prefill import read_export

    src = tmp_path / "export.csv"
    src.write_text("单位名称;年度\n青山局;2023\n", encoding="utf-8")
    headers, rows = read_export(src)
    assert headers == ["单位名称", "年度"] and rows[0] == ["青山局", "2023"]


def test_prefill_from_xlsx_takes_formula_values_or_names_the_cell(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from workbook_tools.prefill import prefill

    src = tmp_path / "export.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["单位名称", "年度", "工资福利支出年初预算"])
    ws.append(["青山局", 2023, "=200+85.48"])
    wb.save(src)  # openpyxl stores no cached value: the formula's value is unknown
    result = prefill(src, tmp_path / "o")
    assert not result.written
    assert any("C2" in i.message and "=200+85.48" in i.message for i in result.issues), [i.message for i in result.issues]


def test_prefill_from_xlsx_with_cached_formula_values(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from workbook_tools.prefill import prefill

    src = tmp_path / "export.xlsx"
    wb = Workbook()
    wb.active.append(["单位名称", "年度", "工资福利支出年初预算"])
    wb.active.append(["青山局", 2023, "=200+85.48"])
    wb.save(src)
    with zipfile.ZipFile(src) as zf:  # what Excel would have stored: the formula and its value
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode().replace("<f>200+85.48</f><v></v>", "<f>200+85.48</f><v>285.48</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<f>200+85.48</f></c>", "<f>200+85.48</f><v>285.48</v></c>").encode()
    with zipfile.ZipFile(src, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    result = prefill(src, tmp_path / "o")
    assert len(result.written) == 1, [i.message for i in result.issues]
    assert load(result.written[0].path).model.values["basic_wages_budget"] == Decimal("285.48")


def test_fits_keeps_long_names_distinct_and_short() -> None:
    a, b = "青山" * 60 + "甲.xlsx", "青山" * 60 + "乙.xlsx"
    assert fits(a) != fits(b) and fits(a).endswith(".xlsx") and len(fits(a).encode()) <= 255
    assert fits("short.xlsx") == "short.xlsx"


# -- the whole corpus ------------------------------------------------------------------------------------

CORPORA = [Path(p) for p in (os.environ.get("WORKBOOK_TOOLS_CORPUS", ""),) if p] + [
    ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus"]
SHARED = next((p for p in CORPORA if p.is_dir()), None)


def _processes_mentioning(text: str) -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and text in cmdline(int(p))]


@pytest.mark.slow
@pytest.mark.skipif(SHARED is None, reason="../shared/corpus not present (the 1,760 real spreadsheets)")
def test_whole_corpus_through_batch(tmp_path: Path, broken_cache: Path | None) -> None:
    """Every broken input and every real spreadsheet of ../shared/corpus through batch --fill --export docx,md:
    a summary written, exit 0/1/2, and no temporary file, process or live formula left behind."""
    from workbook_tools.libreoffice import find_soffice

    assert SHARED is not None
    inbox = tmp_path / "inbox"
    names = {c.name for c in CASES}
    if find_soffice() is None:
        names -= {"legacy-xls", "ods"}
    cached_build(inbox / "broken", names, broken_cache)
    shutil.copytree(SHARED, inbox / "corpus", symlinks=True)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    r = subprocess.run([PY, "-m", "workbook_tools.cli.app", "batch", str(inbox), "-o", str(out), "--fill", "--export",
                        "docx,md", "--timeout", "300", "-q"], cwd=ROOT, capture_output=True, text=True,
                       errors="replace", env={**os.environ, "TMPDIR": str(scratch)}, timeout=3600)
    assert r.returncode in (0, 1, 2), r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    data = json.loads((out / "summary.json").read_text("utf-8"))
    listed = {f["path"] for f in data["files"]}
    assert len(listed) >= len(names) - 1 + 1700, len(listed)
    assert not [f for f in data["files"] if (f["reason"] or "").startswith(("处理时出现内部错误", "internal error"))]
    with zipfile.ZipFile(out / "summary.xlsx") as zf:
        for n in zf.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(n), n  # workbook text never became a formula
    no_temp(out, scratch, inbox)
    assert not _processes_mentioning(str(tmp_path)), "a worker or LibreOffice outlived the batch"
