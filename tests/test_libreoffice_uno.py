"""The long-lived LibreOffice behind PDF export (issue #16), with real LibreOffice and python3-uno.

A shim named by WORKBOOK_TOOLS_SOFFICE records every soffice start and then execs the real one, so the tests
count processes without replacing LibreOffice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbook_tools import export, libreoffice

from .broken_inputs import BASE
from .conftest import IN_CI, ROOT, need_soffice
from .procs import cmdline, descendants, still_running

PY = sys.executable
TITLE = "部门整体支出绩效报告"
UNIT = "青山县教育局"


def need_uno() -> str:
    need_soffice()
    python = libreoffice.find_uno_python()
    if python is None:
        if IN_CI:
            pytest.fail("python3-uno is required under CI=true; .ci/run installs it")
        pytest.skip("no Python with the uno module (apt-get install python3-uno)")
    return python


def real_converter() -> libreoffice.PdfConverter:
    """A converter over this machine's LibreOffice and uno Python (the test is skipped where there are none)."""
    python = need_uno()
    soffice = libreoffice.find_soffice()
    assert soffice is not None
    return libreoffice.PdfConverter(python, soffice)


def counting_soffice(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose soffice logs one line per start; and the log."""
    real = libreoffice.find_soffice()
    assert real is not None
    log = tmp_path / "soffice-starts.log"
    shim = tmp_path / "soffice"
    shim.write_text(f'#!/bin/sh\necho "$$" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return {libreoffice.SOFFICE_ENV_VAR: str(shim)}, log


def starts(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def text_of(pdf: Path) -> str:
    assert pdf.read_bytes().startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def batch(inbox: Path, out: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PY, "-m", "workbook_tools.cli.app", "batch", str(inbox), "-o", str(out), "--export", "pdf",
                           "-q", *extra], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=600)


def all_pdfs_made(r: subprocess.CompletedProcess[str], out: Path, n: int) -> None:
    """Copies of one workbook are duplicate submissions (exit code 1), but every PDF must be written."""
    assert r.returncode == 1, r.stderr[-2000:]
    files = json.loads((out / "summary.json").read_text("utf-8"))["files"]
    assert len(files) == n and all(f["failed"] == [] and "pdf" in f["outputs"] for f in files), files


def inbox_of(tmp_path: Path, n: int) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(n):
        shutil.copyfile(BASE, inbox / f"u{i}.xlsx")
    return inbox


def test_a_batch_makes_all_its_pdfs_with_one_soffice(tmp_path: Path) -> None:
    need_uno()
    env, log = counting_soffice(tmp_path)
    r = batch(inbox_of(tmp_path, 4), tmp_path / "out", env, "--workers", "1")
    all_pdfs_made(r, tmp_path / "out", 4)
    assert starts(log) == 1
    for i in range(4):
        text = text_of(tmp_path / "out" / "reports" / f"u{i}.pdf")
        assert TITLE in text and UNIT in text
    assert "uno" not in r.stderr  # no fallback notice


def test_two_workers_start_one_soffice_each(tmp_path: Path) -> None:
    need_uno()
    env, log = counting_soffice(tmp_path)
    r = batch(inbox_of(tmp_path, 6), tmp_path / "out", env, "--workers", "2")
    all_pdfs_made(r, tmp_path / "out", 6)
    assert 1 <= starts(log) <= 2


def test_without_uno_each_export_starts_its_own_soffice_and_says_so_once(tmp_path: Path) -> None:
    need_soffice()
    no_uno = subprocess.run([PY, "-I", "-c", "import uno"], capture_output=True, check=False)
    assert no_uno.returncode != 0, "this interpreter can import uno; it cannot stand for one that cannot"
    env, log = counting_soffice(tmp_path)
    env[libreoffice.UNO_PYTHON_ENV_VAR] = PY
    r = batch(inbox_of(tmp_path, 3), tmp_path / "out", env, "--workers", "1")
    all_pdfs_made(r, tmp_path / "out", 3)
    assert starts(log) == 3
    assert r.stderr.count("install python3-uno") == 1, r.stderr
    for i in range(3):
        assert TITLE in text_of(tmp_path / "out" / "reports" / f"u{i}.pdf")


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    docs = []
    for name in ("a", "b", "c"):
        docs.append(export.export_report(BASE, tmp_path / "docs" / f"{name}.docx", fmt="docx").output)
    return docs


def _office(converter: libreoffice.PdfConverter) -> list[int]:
    assert converter.pid is not None
    return [p for p in descendants(converter.pid) if "soffice" in cmdline(p)]


def _signal(pids: list[int], sig: int) -> None:
    for p in pids:
        os.kill(p, sig)


def test_soffice_crashing_mid_conversion_costs_only_that_document(tmp_path: Path, documents: list[Path]) -> None:
    converter = real_converter()
    out = tmp_path / "pdf"
    out.mkdir()
    try:
        (first,) = converter.convert(documents[:1], out)
        assert TITLE in text_of(first)
        office = _office(converter)
        assert office
        _signal(office, signal.SIGSTOP)  # b is then sent to a LibreOffice that cannot have finished it
        threading.Timer(1.0, _signal, (office, signal.SIGKILL)).start()
        with pytest.raises(libreoffice.LibreOfficeError) as exc:
            converter.convert(documents[1:], out, timeout=60)
        assert exc.value.paths == (documents[1],)
        assert not (out / "b.pdf").exists()
        assert TITLE in text_of(out / "c.pdf")
        assert converter.starts == 2
        assert not still_running(office)
    finally:
        converter.close()


def test_a_hung_soffice_is_killed_at_the_timeout_and_the_next_document_converts(tmp_path: Path,
                                                                                 documents: list[Path]) -> None:
    converter = real_converter()
    out = tmp_path / "pdf"
    out.mkdir()
    try:
        converter.convert(documents[:1], out)
        office = _office(converter)
        _signal(office, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(libreoffice.LibreOfficeError) as exc:
            converter.convert(documents[1:], out, timeout=5)
        assert exc.value.paths == (documents[1],)
        assert "did not finish within 5 s" in str(exc.value)
        assert time.monotonic() - started < 120
        assert TITLE in text_of(out / "c.pdf")
        assert not still_running(office)
    finally:
        converter.close()
    assert converter.pid is None and sorted(p.name for p in out.iterdir()) == ["a.pdf", "c.pdf"]


def test_close_stops_libreoffice_and_removes_its_profile(tmp_path: Path, documents: list[Path]) -> None:
    converter = real_converter()
    converter.convert(documents[:1], tmp_path)
    office = _office(converter)
    profile = Path(converter._profile.name)
    assert office and profile.is_dir()
    converter.close()
    time.sleep(0.5)
    assert not still_running(office) and not profile.exists()


def test_sigterm_during_a_pdf_batch_leaves_no_soffice(tmp_path: Path) -> None:
    need_uno()
    inbox = inbox_of(tmp_path, 20)
    out = tmp_path / "out"
    proc = subprocess.Popen([PY, "-m", "workbook_tools.cli.app", "batch", str(inbox), "-o", str(out), "--export", "pdf",
                             "--workers", "2", "-q"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    office: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not list(out.glob("reports/*.pdf")):
        time.sleep(0.1)
    office = [p for p in descendants(proc.pid) if "soffice" in cmdline(p)]
    if proc.poll() is not None or not office:
        proc.kill()
        pytest.skip("the batch finished before LibreOffice could be seen")
    everything = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    time.sleep(1)
    assert not still_running(everything)


def test_a_libreoffice_that_cannot_start_is_tried_twice_then_given_up(tmp_path: Path, documents: list[Path]) -> None:
    python = need_uno()
    converter = libreoffice.PdfConverter(python, shutil.which("false") or "/bin/false")
    (tmp_path / "pdf").mkdir()
    with pytest.raises(libreoffice.LibreOfficeError) as exc:
        converter.convert(documents, tmp_path / "pdf", timeout=30)
    assert exc.value.paths == tuple(documents)
    assert converter.starts == 2 and converter.broken
    assert "exited with code 1 before accepting" in str(exc.value)
    assert not list((tmp_path / "pdf").iterdir())
