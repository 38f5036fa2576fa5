"""Legacy spreadsheets (.xls, .ods, .et) as staff save them: converted to .xlsx by LibreOffice, never in place.

The central project library still exports .xls and some offices save .ods. When LibreOffice is installed,
validate, fill and batch convert such a file into a temporary folder (never beside the input) and go on
with the copy, saying so in one line; a batch converts all its legacy files in one LibreOffice run. Without
LibreOffice the message says which command installs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import msgspec

LEGACY_SUFFIXES = (".xls", ".ods", ".et", ".ett", ".xlt", ".ots")
INSTALL_HINT = "apt-get install libreoffice-calc-nogui"


def is_legacy(path: str | Path) -> bool:
    return Path(path).suffix.lower() in LEGACY_SUFFIXES


class Conversion(msgspec.Struct, frozen=True):
    """One legacy file's outcome: the converted copy, or why there is none (Chinese, then English)."""

    source: str
    converted: str | None
    reason_zh: str = ""
    reason_en: str = ""

    def note(self, lang: str = "zh") -> str:
        kind = Path(self.source).suffix.lower()
        if lang == "en":
            return f"{self.source}: {kind} file converted to .xlsx with LibreOffice into a temporary folder (the original is untouched)"
        return f"{self.source}：{kind} 文件已用 LibreOffice 转为 .xlsx（临时文件，原文件未改动），以下按转换后的文件处理"


def _unavailable(source: str) -> Conversion:
    return Conversion(source, None,
                      f"旧版 {Path(source).suffix} 文件需要 LibreOffice 转换为 .xlsx，但本机未安装 LibreOffice。"
                      f"请安装（{INSTALL_HINT}），或在 Excel/WPS 中另存为 .xlsx 后再提交",
                      f"a legacy {Path(source).suffix} file needs LibreOffice to convert it to .xlsx, which is not "
                      f"installed ({INSTALL_HINT}); or save it as .xlsx in Excel/WPS")


def convert_all(paths: Sequence[str | Path], workdir: Path, *, timeout: float = 120) -> dict[str, Conversion]:
    """Convert every legacy file in one LibreOffice run into ``workdir``; a file it cannot open gets its reason."""
    from .. import libreoffice

    sources = [str(p) for p in paths]
    if not sources:
        return {}
    if not libreoffice.available():
        return {s: _unavailable(s) for s in sources}
    out: dict[str, Conversion] = {}
    # one subfolder per source so files of the same name from different folders never collide
    staged: list[tuple[str, Path]] = []
    for i, s in enumerate(sources):
        folder = workdir / f"{i:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / Path(s).name
        try:
            link.symlink_to(Path(s).absolute())
        except OSError:
            import shutil  # here, as tempfile below: validate imports this module for .xlsx files too

            shutil.copyfile(s, link)
        staged.append((s, link))
    target = workdir / "xlsx"
    target.mkdir(exist_ok=True)
    by_stem: dict[str, list[tuple[str, Path]]] = {}
    for s, link in staged:
        by_stem.setdefault(link.stem, []).append((s, link))
    # LibreOffice names outputs by stem: files sharing a stem go through separate runs
    rounds: list[list[tuple[str, Path]]] = []
    for group in by_stem.values():
        for i, item in enumerate(group):
            while len(rounds) <= i:
                rounds.append([])
            rounds[i].append(item)
    for n, batch in enumerate(rounds):
        _run(batch, target / f"r{n}", timeout, out)
    return out


def _run(batch: list[tuple[str, Path]], dest: Path, timeout: float, out: dict[str, Conversion]) -> None:
    """LibreOffice runs until every file has an answer. A damaged file can crash a run; LibreOffice converts in
    order, so the first file without output is the likely culprit: it is retried alone and the files after it
    go on together in the next run. A bad file never costs the others their conversion, and a crash costs one
    more process, not one per file."""
    pending, n = batch, 0
    while pending:
        missing, error = _once(pending, dest / f"run{n}", timeout, out)
        if not missing:
            return
        if len(pending) > 1:
            _once(missing[:1], dest / f"run{n}-alone", timeout, out)
            failed, pending = [m for m in missing[:1] if m[0] not in out], missing[1:]
        else:
            failed, pending = missing, []
        for s, _ in failed:
            why = error.split("。")[0] if error else "没有输出"
            out[s] = Conversion(s, None, f"LibreOffice 无法打开此文件（{why}；文件可能已损坏、被加密或不是表格）",
                                "LibreOffice could not open this file (damaged, password-protected or not a spreadsheet)")
        n += 1


def _once(batch: list[tuple[str, Path]], dest: Path, timeout: float,
          out: dict[str, Conversion]) -> tuple[list[tuple[str, Path]], str]:
    """One LibreOffice run: the files it converted are recorded, those without output returned with its error."""
    from .. import libreoffice

    dest.mkdir(parents=True, exist_ok=True)
    error = ""
    try:
        libreoffice.recalculate([link for _, link in batch], dest, timeout=timeout)
    except libreoffice.LibreOfficeError as exc:
        error = str(exc).splitlines()[0]
    except (OSError, ValueError) as exc:
        error = str(exc)
    missing = []
    for s, link in batch:
        if (dest / (link.stem + ".xlsx")).is_file():
            out[s] = Conversion(s, str(dest / (link.stem + ".xlsx")))
        else:
            missing.append((s, link))
    return missing, error


@contextmanager
def converted(path: str | Path, *, timeout: float = 120) -> Iterator[Conversion]:
    """One legacy file converted into a temporary folder that is removed afterwards."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="workbook_tools-legacy-") as work:
        yield convert_all([path], Path(work), timeout=timeout)[str(path)]


__all__ = ["Conversion", "INSTALL_HINT", "LEGACY_SUFFIXES", "convert_all", "converted", "is_legacy"]
