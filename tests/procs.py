"""Processes as Linux's /proc shows them, for the tests that assert what a run leaves running."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, as the batch's own isolation walks them."""
    from workbook_tools.batch.isolation import _descendants

    return _descendants(pid)


def running(pid: int) -> bool:
    """True while ``pid`` exists and is neither a zombie awaiting its reaper nor dead."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] not in "ZX"
    except OSError:
        return False


def still_running(pids: Iterable[int]) -> list[int]:
    """Those of ``pids`` that are running, in their order."""
    return [p for p in pids if running(p)]


def cmdline(pid: int) -> str:
    """The process's command line, arguments joined by spaces; "?" once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"
