"""The inbox and the cache: which files are submissions, and which need no processing again."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.fsutil import atomic_write_text, open_regular
from .result import FileResult

CACHE_NAME = ".cache.json"
CACHE_VERSION = 1
#: Files that are never submissions: Office and LibreOffice lock files, OS litter.
_LITTER = {"thumbs.db", "desktop.ini", ".ds_store"}

def is_litter(name: str) -> bool:
    """Lock files (``~$x.xlsx``, ``.~lock.x.xlsx#``), hidden files and OS litter are never submissions."""
    return name.startswith(("~$", ".")) or name.lower() in _LITTER


#: What a batch writes into its output folder; never read back as a submission.
OUTPUT_DIRS: tuple[str, ...] = ("filled", "reports")
OUTPUT_FILES: tuple[str, ...] = ("summary.xlsx", "summary.csv", "summary.json", CACHE_NAME)


def _real(p: Path) -> str:
    return os.path.realpath(p)


def discover_entries(root: Path, out_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(entries to process, lock files skipped) under ``root``, each sorted by path.

    Foreign files (.docx, .pdf, .ods, CSV, a workbook renamed) and entries that are not regular files (a FIFO,
    a device, a symlink loop) are included on purpose: they are listed as unreadable with their reason rather
    than silently ignored, and nothing here opens them. Office lock files are skipped and returned, so the
    caller can say so. The batch's own outputs are never read back, whether the output folder is inside the
    inbox, the inbox inside the output folder, or both the same folder.
    """
    from ..xlsx.reader import is_lock_file

    root = Path(root)
    if root.is_file() or (root.exists() and not root.is_dir()):
        return [root], []
    skip_dirs: set[str] = set()
    skip_files: set[str] = set()
    if out_dir is not None:
        out = Path(_real(Path(out_dir)))
        skip_dirs = {str(out / d) for d in OUTPUT_DIRS}
        skip_files = {str(out / f) for f in OUTPUT_FILES}
        if str(out).startswith(_real(root) + os.sep):  # the output folder inside the inbox: none of it is read
            skip_dirs.add(str(out))
    if any(_real(root) == d or _real(root).startswith(d + os.sep) for d in skip_dirs):
        return [], []  # the inbox is one of our output folders
    found: list[Path] = []
    locks: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d != "__MACOSX" and _real(here / d) not in skip_dirs)
        for n in filenames:
            if is_lock_file(n):
                locks.append(here / n)
            elif not is_litter(n) and _real(here / n) not in skip_files:
                found.append(here / n)
    order = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    return sorted(found, key=order), sorted(locks, key=order)


def discover(root: Path, out_dir: Path | None = None) -> list[Path]:
    """Every entry under ``root`` (recursively) except litter and the batch's own outputs, sorted by path."""
    return discover_entries(root, out_dir)[0]


def index_previous(folder: Path) -> tuple[tuple[tuple[str, str, str], ...], list[str]]:
    """Last year's workbooks by unit name (the first by path when a unit has several), and the files skipped."""
    from ..core.model import unit_key
    from ..xlsx.reader import load

    index: dict[str, tuple[str, str, str]] = {}
    skipped: list[str] = []
    for p in discover(folder):
        try:
            unit = load(p).model.unit_name
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - an unreadable file of last year is skipped, not fatal
            skipped.append(f"{p}: {type(exc).__name__}")
            continue
        key = unit_key(unit)
        if not key:
            skipped.append(f"{p}: 单位名称为空")
            continue
        st = p.stat()
        index.setdefault(key, (key, str(p), f"{st.st_size}:{st.st_mtime_ns}"))
    return tuple(index.values()), skipped


def file_sha256(path: Path) -> str:
    """Content hash for the cache; "" for what is not a regular file (a FIFO or device is never opened:
    reading one would block or never end)."""
    h = hashlib.sha256()
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


class Cache:
    """``out/.cache.json``: per relative path, the content hash and the result it gave.

    A file whose bytes and options are unchanged (and whose outputs still exist) is not processed again;
    timeouts are never cached (the machine may have been busy).
    """

    def __init__(self, out_dir: Path, fingerprint: str, enabled: bool = True) -> None:
        self.path = Path(out_dir) / CACHE_NAME
        self.out_dir = Path(out_dir)
        self.fingerprint = fingerprint
        self.enabled = enabled
        self.entries: dict[str, dict[str, Any]] = {}
        if enabled:
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("version") == CACHE_VERSION and data.get("fingerprint") == fingerprint:
                    self.entries = dict(data.get("files") or {})

    def lookup(self, rel: str, sha: str) -> FileResult | None:
        entry = self.entries.get(rel)
        if not self.enabled or not sha or entry is None or entry.get("sha256") != sha:
            return None
        try:
            result = FileResult.from_json(entry["result"])
        except (KeyError, TypeError):
            return None
        if not all((self.out_dir / p).exists() for p in result.outputs.values()):
            return None
        result.cached = True
        return result

    def store(self, result: FileResult) -> None:
        if result.status == "timeout" or not result.sha256 or result.failed:  # a failed output is retried next run
            self.entries.pop(result.path, None)
            return
        self.entries[result.path] = {"sha256": result.sha256, "result": replace(result, cached=False).to_json()}

    def save(self, keep: set[str]) -> None:
        files = {k: v for k, v in sorted(self.entries.items()) if k in keep}
        atomic_write_text(self.path, json.dumps({"version": CACHE_VERSION, "fingerprint": self.fingerprint,
                                                 "files": files}, ensure_ascii=False))
