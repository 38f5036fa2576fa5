"""What the batch does around validate, made cheaper: result conversion, relative names, the summary's cells."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from workbook_tools.batch import summary
from workbook_tools.batch.result import FileResult, relative
from workbook_tools.core.textsafe import path_text


def _full() -> FileResult:
    return FileResult("a/b.xlsx", "errors", sha256="ab", unit="甲", year=2023, figures={"total_budget": "1.5", "grade": None},
                      errors=1, warnings=2, findings=[{"file": "a/b.xlsx", "sheet": "封面", "cell": "B3", "code": "x",
                                                       "severity": "error", "message": "m"}],
                      reason="r", reason_code="c", outputs={"docx": "reports/b.docx"}, notes=["n"], failed=["pdf"],
                      seconds=0.25, cached=True)


def test_to_json_is_asdict_and_a_copy() -> None:
    r = _full()
    data = r.to_json()
    assert data == dataclasses.asdict(r)
    assert list(data) == [f.name for f in dataclasses.fields(FileResult)]  # a new field must be added there too
    data["figures"]["total_budget"] = "9"
    data["findings"][0]["message"] = "changed"
    data["notes"].append("more")
    assert r.figures["total_budget"] == "1.5" and r.findings[0]["message"] == "m" and r.notes == ["n"]
    assert FileResult.from_json(r.to_json()) == r


def _reference(path: str, root: str) -> str:
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        rel = Path(path).name
    return path_text(rel)


@pytest.mark.parametrize(("path", "root"), [
    ("a/b.xlsx", "a"), ("a/b.xlsx", "a/"), ("/x/y/z.xlsx", "/"), ("/x/y", "/x/y"), ("/x/yz/a", "/x/y"),
    ("x/../a/b", "a"), ("./a/./b/c.xlsx", "a"), ("/tmp/a", "/tmp/a/"), ("rel.xlsx", "."), ("a//b.xlsx", "a"),
    ("/a/b", "/c"), ("a/\udcc7.xlsx", "a"), ("/", "/"), ("/a", "/"), ("a/b/c/d.xlsx", "a/b"),
])
def test_relative_names_as_pathlib_gives_them(path: str, root: str) -> None:
    assert relative(path, root) == _reference(path, root)


def test_summary_cells_keep_their_formats(tmp_path: Path) -> None:
    """Each style combination is worked out once and copied: every cell still has its own kind's format."""
    rows = [FileResult(f"d{i}.xlsx", "ok", unit=f"单位{i}", year=2023,
                       figures={"total_budget": "100", "total_actual": str(90 + i), "staff_quota": "3", "grade": "优秀"},
                       findings=[{"file": f"d{i}.xlsx", "sheet": None, "cell": None, "code": "cache-missing",
                                  "severity": "info", "message": "=长消息" * 30}]) for i in range(3)]
    wb = load_workbook(summary.write_xlsx(rows, tmp_path / "s.xlsx"))
    ws = wb["汇总"]
    head = [c.value for c in ws[1]]
    col = {k: head.index(zh) + 1 for k, zh, _, _ in summary.COLUMNS}
    for r in range(2, 5):
        assert ws.cell(r, col["total_actual"]).number_format == "0.00"
        assert ws.cell(r, col["staff_quota"]).number_format == "0" and ws.cell(r, col["staff_quota"]).value == 3
        assert ws.cell(r, col["file"]).data_type == "s" and not ws.cell(r, col["file"]).font.b
        assert ws.cell(r, col["note"]).value is None and not ws.cell(r, col["note"]).has_style
    total = ws.cell(5, col["total_actual"])
    assert total.value == 273 and total.font.b and total.number_format == "0.00"
    assert ws.cell(5, col["file"]).font.b and ws.cell(5, col["note"]).alignment.wrap_text
    found = wb["问题清单"]
    assert [c.value for c in found[2]][4:6] == ["cache-missing", "提示"]
    assert found.cell(2, 7).data_type == "s" and found.cell(2, 7).value.startswith("=长消息")
    assert found.cell(2, 7).alignment.wrap_text and not found.cell(2, 1).alignment.wrap_text
    assert found.cell(2, 3).value is None
