"""The inbox and the cache: which files are submissions, and which need no processing again."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.fsutil import atomic_write_text
from .result import FileResult

CACHE_NAME = ".cache.json"
CACHE_VERSION = 1
#: Files that are never submissions: Office and LibreOffice lock files, OS litter.
_LITTER = {"thumbs.db", "desktop.ini", ".ds_store"}

def is_litter(name: str) -> bool:
    """Lock files (``~$x.xlsx``, ``.~lock.x.xlsx#``), hidden files and OS litter are never submissions."""
    return name.startswith(("~$", ".")) or name.lower() in _LITTER


def discover(root: Path, out_dir: Path | None = None) -> list[Path]:
    """Every file under ``root`` (recursively) except litter and our own output folder, sorted by path.

    Foreign files (.docx, .pdf, .ods, CSV, a workbook renamed) are included on purpose: they are listed
    as unreadable with their reason rather than silently ignored.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    skip = out_dir.resolve() if out_dir is not None else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d != "__MACOSX" and (here / d).resolve() != skip)
        found += [here / n for n in filenames if not is_litter(n)]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


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
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
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
        if result.status == "timeout" or not result.sha256:
            self.entries.pop(result.path, None)
            return
        self.entries[result.path] = {"sha256": result.sha256, "result": replace(result, cached=False).to_json()}

    def save(self, keep: set[str]) -> None:
        files = {k: v for k, v in sorted(self.entries.items()) if k in keep}
        atomic_write_text(self.path, json.dumps({"version": CACHE_VERSION, "fingerprint": self.fingerprint,
                                                 "files": files}, ensure_ascii=False))
