"""Validate one workbook: everything staff must fix before sending it, named by sheet and cell.

``validate(path)`` never raises for a bad file: an unreadable one gives a :class:`Report` whose
``unreadable`` finding carries the catalogue code and a one-line Chinese message naming the file (exit
code 2). The path costs what reading costs: the fast OOXML reader, Decimal recomputation, no openpyxl,
no pandas (only ``--annotate`` imports openpyxl, lazily).
"""

from __future__ import annotations

from pathlib import Path

from ..core.compute import compute
from ..core.findings import Finding, Report, sort_key
from ..xlsx.package import UnreadableWorkbook
from ..xlsx.reader import Loaded, load
from . import arithmetic, crosstable, formulas, inputs, structure

FAMILIES = (formulas, arithmetic, crosstable, inputs)


def validate_loaded(loaded: Loaded) -> Report:
    """Findings for a workbook already read (the exporter refuses files whose report has errors)."""
    report = Report(file=loaded.path, template_version=loaded.version, application=loaded.book.application or None)
    computed = compute(loaded.model)
    findings = structure.check(loaded, computed)
    if not any(f.code in structure.FATAL for f in findings):
        for family in FAMILIES:
            findings += family.check(loaded, computed)
    report.findings = sorted(findings, key=sort_key)
    return report


def _unreadable(path: str | Path, code: str, zh: str, en: str) -> Report:
    p = str(path)
    return Report(file=p, unreadable=Finding(code=code, message=f"{p}：{zh}", message_en=f"{p}: {en}"))


def validate(path: str | Path) -> Report:
    """Read and check one file; every failure to read becomes a report, never an exception."""
    try:
        loaded = load(path)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc.code, exc.reason_zh, exc.reason_en)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic from a reader is a BaseException
        return _unreadable(path, "file-unreadable", f"文件无法读取（{type(exc).__name__}）",
                           f"cannot be read ({type(exc).__name__})")
    try:
        return validate_loaded(loaded)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a file that trips a check must still get an answer
        return _unreadable(path, "file-unreadable", f"校验时无法处理此文件（{type(exc).__name__}: {exc}）",
                           f"could not be checked ({type(exc).__name__}: {exc})")


__all__ = ["validate", "validate_loaded"]
