"""The project's only gateway to headless LibreOffice: forced xlsx recalculation and docx → PDF.

LibreOffice keeps stale cached formula values by default (``OOXMLRecalcMode=1``), so every call
runs ``soffice`` with its own fresh profile that forces full recalculation on load. A private
profile per process also lets several calls run in parallel instead of queueing behind one
instance. Each call converts all of its files in one process, because start-up dominates the cost.
PDF goes further where an interpreter can import uno: one LibreOffice per process stays running behind the
helper script ``data/uno_pdf.py`` (:class:`PdfConverter`), so a batch worker starts it once, not per file.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .core.errors import WorkbookToolsError
from .core.fsutil import temp_dir

__all__ = [
    "SOFFICE_ENV_VAR",
    "UNO_PYTHON_ENV_VAR",
    "LibreOfficeError",
    "PdfConverter",
    "find_uno_python",
    "shutdown_converter",
    "available",
    "find_soffice",
    "recalculate",
    "recalculate_file",
    "to_pdf",
]

SOFFICE_ENV_VAR = "WORKBOOK_TOOLS_SOFFICE"
"""Environment variable naming the ``soffice`` executable to use instead of searching PATH."""

UNO_PYTHON_ENV_VAR = "WORKBOOK_TOOLS_UNO_PYTHON"
"""Environment variable naming the only interpreter tried for the UNO helper (one that can ``import uno``)."""

_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
_PDF_FILTER = "pdf:writer_pdf_Export"
_FLAGS = ("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck")
_OUTPUT_TAIL_CHARS = 2000

_REGISTRY = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(WorkbookToolsError):
    """LibreOffice is missing, failed, timed out or produced no output.

    The message is bilingual (a Chinese line, then an English one) because it is shown to end users as is.
    ``paths`` holds the input files concerned, so a batch can report or retry exactly those.
    """

    code = "libreoffice-failed"

    def __init__(self, message: str, paths: Sequence[Path] = ()) -> None:
        lines = message.splitlines() or [""]
        super().__init__(message, lines[1] if len(lines) > 1 else lines[0])
        self.message_zh = lines[0]
        self.paths: tuple[Path, ...] = tuple(paths)


def find_soffice() -> str | None:
    """Return the ``soffice`` executable, or None when LibreOffice is not installed.

    ``WORKBOOK_TOOLS_SOFFICE`` wins when set; an invalid value gives None rather than silently
    falling back to PATH, so a misconfiguration is noticed.
    """
    override = os.environ.get(SOFFICE_ENV_VAR)
    if override:
        return shutil.which(override)
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """Whether LibreOffice can be used, for optional features and test skips."""
    return find_soffice() is not None


def recalculate(paths: Sequence[Path], outdir: Path, *, timeout: float = 120) -> list[Path]:
    """Re-save each workbook into ``outdir`` with every formula recalculated by LibreOffice.

    All files go through one ``soffice`` process. The result is a value oracle only: LibreOffice
    rewrites fonts and other details, so never hand it back to users. Outputs keep the input
    names, hence ``outdir`` must not be an input's directory and basenames must be unique.
    On failure, outputs of the files that did convert are still written to ``outdir``.
    """
    sources = _check_sources(paths, ".xlsx")
    outdir = Path(outdir)
    clashes = [src for src in sources if src.resolve().parent == outdir.resolve()]
    if clashes:
        raise ValueError(
            f"outdir {outdir} is the directory of {_names(clashes)}; "
            "recalculated copies would overwrite the originals"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    return _convert_into(sources, outdir, ".xlsx", _XLSX_FILTER, timeout, {})


def recalculate_file(src: Path, dest: Path, *, timeout: float = 120) -> Path:
    """Recalculate one workbook into ``dest`` atomically; ``dest`` may be ``src`` itself.

    The conversion happens in a temporary directory next to ``dest`` and the result is moved
    with ``os.replace``, so readers never see a half-written file.
    """
    (source,) = _check_sources([src], ".xlsx")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with temp_dir("recalc", dir=dest.parent) as work:
        (produced,) = _convert([source], Path(work), ".xlsx", _XLSX_FILTER, timeout, {}, Path(work))
        os.replace(produced, dest)
    return dest


def to_pdf(paths: Sequence[Path], outdir: Path, *, timeout: float = 300) -> list[Path]:
    """Convert documents (docx) to PDF in ``outdir``.

    Through this process's long-lived :class:`PdfConverter` when an interpreter can import uno (LibreOffice
    starts once per process, not once per call, which dominates a batch's PDF cost); otherwise with one
    ``soffice --convert-to`` for all of ``paths``. ``timeout`` then bounds each document, else the call.
    The packaged fontconfig file maps official font names (仿宋_GB2312, 方正小标宋简体, 黑体,
    楷体_GB2312, …) to installed free CJK fonts, so the PDF does not fall back to a sans face;
    a licensed font installed on the machine still wins. As with ``recalculate``, documents that
    did convert are kept in ``outdir`` when others fail.
    """
    sources = _check_sources(paths, ".pdf")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if not sources:
        return []
    converter = _shared_converter()
    if converter is not None:
        return converter.convert(sources, outdir, timeout=timeout)
    with _fontconfig_file() as fonts_conf:
        env = {"FONTCONFIG_FILE": str(fonts_conf)}
        return _convert_into(sources, outdir, ".pdf", _PDF_FILTER, timeout, env)


# -- the long-lived converter -----------------------------------------------------------------------

_HELPER = "uno_pdf.py"
_UNO_CHECK_SECONDS = 30.0
_STOP_SECONDS = 10.0
_log = logging.getLogger(__name__)


def find_uno_python() -> str | None:
    """An interpreter that can ``import uno``, or None (then PDFs use one soffice per call).

    ``WORKBOOK_TOOLS_UNO_PYTHON`` wins when set, and is then the only one tried. Otherwise Debian's
    ``/usr/bin/python3`` (package python3-uno) and the Python bundled with LibreOffice (Windows, macOS,
    the upstream packages) are tried, each once per process. The project's own interpreter is not: uno is
    built for the system Python, and a venv on another Python cannot load it.
    """
    override = os.environ.get(UNO_PYTHON_ENV_VAR)
    if override:
        candidates = [override]
    else:
        candidates = ["/usr/bin/python3"]
        soffice = find_soffice()
        if soffice is not None:
            program = Path(os.path.realpath(soffice)).parent
            candidates += [str(program / "python"), str(program / "python.exe")]
    for candidate in candidates:
        if candidate not in _UNO_CHECKED:
            _UNO_CHECKED[candidate] = _imports_uno(candidate)
        if _UNO_CHECKED[candidate]:
            return candidate
    return None


_UNO_CHECKED: dict[str, bool] = {}


def _imports_uno(python: str) -> bool:
    exe = shutil.which(python)
    if exe is None:
        return False
    try:
        done = subprocess.run([exe, "-I", "-c", "import uno"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=_UNO_CHECK_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


class PdfConverter:
    """One LibreOffice kept running behind the UNO helper script, converting documents one after another.

    Starting soffice costs a second or more; a batch worker that exports many PDFs pays it once. The helper
    and soffice run in their own process group with a fresh private profile, so :meth:`close`, a timeout or a
    crash can kill both at once. If soffice dies on a document, only that document fails: the next one starts
    a new LibreOffice. Thread-safe (one conversion at a time). Not for use across ``fork``.
    """

    def __init__(self, python: str, soffice: str) -> None:
        self.python = python
        self.soffice = soffice
        self.starts = 0
        self.failed_starts = 0  # in a row: after two, LibreOffice cannot be started this way (see ``broken``)
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: Any = None
        self._buffer = b""
        self.soffice_pid: int | None = None

    @property
    def broken(self) -> bool:
        """LibreOffice failed to start twice in a row: stop retrying (``to_pdf`` then uses one soffice per call)."""
        return self.failed_starts >= 2

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The helper's process id, which is also its process group id."""
        return self._process.pid if self._process is not None else None

    def convert(self, sources: Sequence[Path], outdir: Path, *, timeout: float = 300) -> list[Path]:
        """Convert each document to ``outdir/<stem>.pdf``; raise for those that failed after doing the others.

        Each output is written into a private folder inside ``outdir`` and moved into place, so it appears whole.
        """
        outdir = Path(outdir)
        results: list[Path] = []
        failed: list[Path] = []
        reasons: list[str] = []
        with self._lock, temp_dir("soffice", dir=outdir) as work:
            for src in sources:
                produced = Path(work) / (src.stem + ".pdf")
                reason = self._convert_one(Path(src).absolute(), produced, timeout)
                if reason is None and produced.is_file() and produced.stat().st_size > 0:
                    target = outdir / produced.name
                    os.replace(produced, target)
                    results.append(target)
                else:
                    failed.append(src)
                    reasons.append(reason or "no output")
        if failed:
            detail = "; ".join(f"{src.name}: {why}" for src, why in zip(failed, reasons, strict=True))
            raise LibreOfficeError(
                f"LibreOffice 未能转换以下文件（文件可能已损坏、被加密或格式不对）：{_names(failed)}\n"
                f"LibreOffice could not convert: {_names(failed)} ({detail}).",
                failed,
            )
        return results

    def _convert_one(self, src: Path, dest: Path, timeout: float) -> str | None:
        """None when done, else why not; never leaves a helper that is in an unknown state."""
        try:
            if not self.running:
                if self.broken:
                    return "LibreOffice could not be started"
                try:
                    self._start(timeout)
                except _HelperFailed:
                    self.failed_starts += 1
                    raise
                self.failed_starts = 0
            assert self._process is not None and self._process.stdin is not None
            self._process.stdin.write((json.dumps([str(src), str(dest)]) + "\n").encode("utf-8"))
            self._process.stdin.flush()
            reply = self._read(timeout)
        except _HelperFailed as exc:
            self._kill()
            return str(exc)
        except BrokenPipeError:
            self._kill()
            return "LibreOffice stopped"
        except BaseException:  # SIGTERM (Terminated), KeyboardInterrupt: LibreOffice must not outlive us
            self._kill()
            raise
        if reply[0] == "ok":
            return None
        if reply[0] != "error":
            self._kill()
        return f"{reply[0]}: {reply[1] if len(reply) > 1 else ''}"

    def _start(self, timeout: float) -> None:
        self._kill()
        self.starts += 1
        self._profile = temp_dir("lo-profile")
        profile = Path(self._profile.name)
        _write_profile(profile)
        scratch = profile / "tmp"  # LibreOffice's own lu*.tmp files go here and leave with the profile
        scratch.mkdir()
        helper = importlib.resources.files("workbook_tools").joinpath("data").joinpath(_HELPER)
        fonts = importlib.resources.files("workbook_tools").joinpath("data").joinpath("fonts.conf")
        env = {**os.environ, "TMPDIR": str(scratch), "FONTCONFIG_FILE": str(fonts)}
        self._buffer = b""
        self._process = subprocess.Popen(
            [self.python, "-I", str(helper), self.soffice, str(profile), f"workbook_tools_{uuid.uuid4().hex}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True,
        )
        reply = self._read(max(timeout, 60.0))
        if reply[0] != "ready":
            raise _HelperFailed(f"LibreOffice did not start: {reply[1] if len(reply) > 1 else reply[0]}")
        self.soffice_pid = int(reply[1])

    def _read(self, timeout: float) -> list[Any]:
        """One reply line, or _HelperFailed when the helper exits or does not answer in time."""
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise _HelperFailed(f"LibreOffice did not finish within {timeout:g} s and was stopped")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise _HelperFailed("LibreOffice stopped unexpectedly")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            raise _HelperFailed(f"unexpected reply from the helper: {line[:200]!r}") from None
        if not isinstance(reply, list) or not reply:
            raise _HelperFailed(f"unexpected reply from the helper: {line[:200]!r}")
        return reply

    def close(self) -> None:
        """Stop LibreOffice: end of input asks the helper to terminate it; whatever is left is killed."""
        process = self._process
        if process is not None and process.poll() is None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(_STOP_SECONDS)
        self._kill()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
            process.wait()
        self.soffice_pid = None
        profile, self._profile = self._profile, None
        if profile is not None:
            profile.cleanup()


class _HelperFailed(LibreOfficeError):
    """The helper died, hung or said something unexpected: it is killed and the next document restarts it.

    Caught inside :class:`PdfConverter` and turned into that document's failure; never reaches a caller.
    """


_shared: tuple[int, PdfConverter] | None = None
_shared_lock = threading.Lock()
_said_fallback = False


def _shared_converter() -> PdfConverter | None:
    """This process's converter, created on first use and stopped at exit; None when uno is not available."""
    global _shared
    with _shared_lock:
        if _shared is not None and _shared[0] == os.getpid():
            if not _shared[1].broken:
                return _shared[1]
            _say_fallback("LibreOffice did not start through the UNO helper, twice")
            return None
        soffice = _require_soffice()
        python = find_uno_python()
        if python is None:
            _say_fallback("no Python with the uno module (install python3-uno)")
            return None
        converter = PdfConverter(python, soffice)
        _shared = (os.getpid(), converter)
        atexit.register(shutdown_converter)
        with contextlib.suppress(Exception):  # a pool worker exits through multiprocessing, not atexit
            from multiprocessing import util

            util.Finalize(None, shutdown_converter, exitpriority=10)
        return converter


def _say_fallback(why: str) -> None:
    """Once per process: PDFs still work, one soffice per export, which is slower."""
    global _said_fallback
    if not _said_fallback:
        _said_fallback = True
        _log.warning(f"PDF: {why}, so LibreOffice starts once per export instead of once per worker, "
                     "which is slower.")


def shutdown_converter() -> None:
    """Stop this process's long-lived LibreOffice, if any (at the end of a batch, at exit)."""
    global _shared
    with _shared_lock:
        shared, _shared = _shared, None
    if shared is not None and shared[0] == os.getpid():
        shared[1].close()


def _check_sources(paths: Sequence[Path], out_suffix: str) -> list[Path]:
    """Fail early on missing inputs and on inputs whose outputs would share one name."""
    sources = [Path(p).absolute() for p in paths]
    missing = [src for src in sources if not src.is_file()]
    if missing:
        raise FileNotFoundError(f"文件不存在 / file not found: {_names(missing)}")
    seen: dict[str, Path] = {}
    for src in sources:
        out_name = src.stem + out_suffix
        if out_name in seen:
            raise ValueError(
                f"{seen[out_name]} and {src} would both be written as {out_name}; "
                "convert them in separate calls"
            )
        seen[out_name] = src
    return sources


def _convert_into(
    sources: list[Path],
    outdir: Path,
    suffix: str,
    convert_filter: str,
    timeout: float,
    env: Mapping[str, str],
) -> list[Path]:
    """Convert into a private directory inside ``outdir``, then move each result into place.

    Converting into a fresh directory means an old file in ``outdir`` is never mistaken for
    a result, and each output appears atomically.
    """
    if not sources:
        return []
    with temp_dir("soffice", dir=outdir) as work:
        return _convert(sources, Path(work), suffix, convert_filter, timeout, env, outdir)


def _convert(
    sources: list[Path],
    workdir: Path,
    suffix: str,
    convert_filter: str,
    timeout: float,
    env: Mapping[str, str],
    final_dir: Path,
) -> list[Path]:
    """Run one ``soffice --convert-to`` into ``workdir`` and move the results to ``final_dir``."""
    soffice = _require_soffice()
    with temp_dir("lo-profile") as profile:
        _write_profile(Path(profile))
        scratch = Path(profile) / "tmp"  # LibreOffice's own lu*.tmp files go here and leave with the profile
        scratch.mkdir()
        env = {**env, "TMPDIR": str(scratch)}
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            *_FLAGS,
            "--convert-to",
            convert_filter,
            "--outdir",
            str(workdir),
            *(str(src) for src in sources),
        ]
        _run(command, sources, timeout, env)

    results: list[Path] = []
    failed: list[Path] = []
    for src in sources:
        produced = workdir / (src.stem + suffix)
        if produced.is_file() and produced.stat().st_size > 0:
            target = final_dir / produced.name
            if target != produced:
                os.replace(produced, target)
            results.append(target)
        else:
            failed.append(src)
    if failed:
        raise LibreOfficeError(
            f"LibreOffice 未能转换以下文件（文件可能已损坏、被加密或格式不对）：{_names(failed)}\n"
            f"LibreOffice produced no output for: {_names(failed)} "
            "(the file may be damaged, password-protected or not the expected format).",
            failed,
        )
    return results


def _require_soffice() -> str:
    soffice = find_soffice()
    if soffice is not None:
        return soffice
    override = os.environ.get(SOFFICE_ENV_VAR)
    if override:
        raise LibreOfficeError(
            f"未找到 LibreOffice：环境变量 {SOFFICE_ENV_VAR} 指向的 {override} 不存在或不可执行。\n"
            f"LibreOffice not found: {SOFFICE_ENV_VAR} points to {override}, "
            "which does not exist or is not executable."
        )
    raise LibreOfficeError(
        "未找到 LibreOffice（soffice）。请安装 libreoffice-calc-nogui 和 libreoffice-writer-nogui"
        "（例如 apt-get install libreoffice-calc-nogui libreoffice-writer-nogui），"
        f"或设置环境变量 {SOFFICE_ENV_VAR} 指向 soffice。\n"
        "LibreOffice not found (no soffice or libreoffice on PATH). Install "
        "libreoffice-calc-nogui and libreoffice-writer-nogui, "
        f"or set {SOFFICE_ENV_VAR} to the soffice executable."
    )


def _write_profile(profile: Path) -> None:
    """Seed a fresh profile so LibreOffice recalculates every formula on load."""
    user = profile / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")


def _run(command: list[str], sources: list[Path], timeout: float, env: Mapping[str, str]) -> None:
    """Run soffice in its own process group so a timeout can kill soffice.bin too."""
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise LibreOfficeError(
                f"LibreOffice 在 {timeout:g} 秒内未完成，已终止。涉及文件：{_names(sources)}\n"
                f"LibreOffice did not finish within {timeout:g} s and was stopped. "
                f"Files: {_names(sources)}",
                sources,
            ) from None
        except BaseException:
            _kill_group(process)
            raise
    if process.returncode != 0:
        text = output.decode("utf-8", "replace")[-_OUTPUT_TAIL_CHARS:].strip()
        raise LibreOfficeError(
            f"LibreOffice 运行失败（退出码 {process.returncode}）。涉及文件：{_names(sources)}\n"
            f"LibreOffice failed with exit code {process.returncode}. Files: {_names(sources)}"
            + (f"\n{text}" if text else ""),
            sources,
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def _fontconfig_file() -> Iterator[Path]:
    """Yield a real filesystem path to the packaged fonts.conf (even from a zipped install)."""
    resource = importlib.resources.files("workbook_tools").joinpath("data").joinpath("fonts.conf")
    with importlib.resources.as_file(resource) as path:
        yield Path(path).absolute()


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)
