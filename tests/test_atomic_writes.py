"""Nothing lost: a write that fails half-way leaves the original and no partial output."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from workbook_tools.core import fsutil
from workbook_tools.fill import fill

from .factory import filled_workbook


class HalfWriter:
    """Writes part of a file, then fails: a full disk or a crash in the middle of a save."""

    def save(self, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError("disk full")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_failed_atomic_save_keeps_the_original_and_leaves_no_partial_file(tmp_path: Path) -> None:
    dest = tmp_path / "report.xlsx"
    dest.write_bytes(b"the original")
    with pytest.raises(OSError, match="disk full"):
        fsutil.atomic_save(HalfWriter(), dest)
    assert dest.read_bytes() == b"the original"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_failed_new_file_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        fsutil.atomic_save(HalfWriter(), tmp_path / "new.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", ["openpyxl.workbook.workbook.Workbook.save",
                                    "workbook_tools.xlsx.patch.Patched.write"])
def test_fill_in_place_that_fails_while_writing_keeps_the_workbook_intact(tmp_path: Path, writer: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    src = filled_workbook(tmp_path / "dept.xlsx", basic_goods_budget="1,234.50")
    before = sha(src)

    def boom(self, filename: str) -> None:  # noqa: ANN001
        Path(filename).write_bytes(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(writer, boom)
    if writer.startswith("openpyxl"):
        monkeypatch.setattr("workbook_tools.fill.FAST_WRITER", False)  # the part writer would not call openpyxl
    with pytest.raises(OSError, match="disk full"):
        fill(src, in_place=True)
    assert sha(src) == before
    leftovers = {p.name for p in tmp_path.iterdir()} - {"dept.xlsx", "dept.xlsx.bak"}
    assert leftovers == set(), leftovers


def test_fill_in_place_keeps_a_backup_and_replaces_atomically(tmp_path: Path) -> None:
    src = filled_workbook(tmp_path / "dept.xlsx", basic_goods_budget="1,234.50")
    before = src.read_bytes()
    report = fill(src, in_place=True)
    assert report.backup and Path(report.backup).read_bytes() == before
    assert src.read_bytes() != before
    assert {p.name for p in tmp_path.iterdir()} == {"dept.xlsx", "dept.xlsx.bak"}
