"""Validate one workbook: everything staff must fix before sending it, named by sheet and cell.

``validate(path)`` never raises for a bad file: an unreadable one gives a :class:`Report` whose
``unreadable`` finding carries the catalogue code and a one-line Chinese message naming the file (exit
code 2). The path costs what reading costs: the fast OOXML reader, Decimal recomputation, no openpyxl,
no pandas (only ``--annotate`` imports openpyxl, lazily).
"""

from __future__ import annotations

from pathlib import Path

from ..core import profiles, spec
from ..core.compute import compute
from ..core.findings import Finding, Report, sort_key
from ..xlsx.legacy import converted, is_legacy
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
        profile, unknown = profiles.for_workbook(loaded.model.profile)
        if unknown is not None:
            findings.append(Finding(
                code="profile-unknown", sheet=spec.META_SHEET, name="profile", actual=unknown,
                expected="、".join(profiles.available()),
                message=f"工作簿记录的配置“{unknown}”不是内置配置，已按默认配置 {profile.id} 校验。"
                        "请用 workbook-tools template --profile 配置名 生成的模板填写",
                message_en=f"the workbook records the profile {unknown!r}, which is not a packaged one; checked with "
                           f"the default profile {profile.id}"))
        profile.apply_severity(findings)
    report.findings = sorted(findings, key=sort_key)
    return report


def _unreadable(path: str | Path, code: str, zh: str, en: str) -> Report:
    p = str(path)
    return Report(file=p, unreadable=Finding(code=code, message=f"{p}：{zh}", message_en=f"{p}: {en}"))


def validate(path: str | Path, *, convert_legacy: bool = False) -> Report:
    """Read and check one file; every failure to read becomes a report, never an exception.

    With ``convert_legacy`` a .xls/.ods file is first converted by LibreOffice into a temporary folder
    (:mod:`workbook_tools.legacy`); the report names the original file and says it was converted.
    """
    if convert_legacy and is_legacy(path):
        return _validate_legacy(path)
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


def _validate_legacy(path: str | Path) -> Report:
    with converted(path) as conv:
        if conv.converted is None:
            return _unreadable(path, "legacy-not-converted", conv.reason_zh, conv.reason_en)
        report = validate(conv.converted)
    report.file = str(path)
    if report.unreadable is not None:
        u = report.unreadable
        report.unreadable = Finding(code=u.code, message=u.message.replace(conv.converted, str(path)),
                                    message_en=u.message_en.replace(conv.converted, str(path)))
        return report
    report.findings.insert(0, Finding(code="legacy-converted", message=conv.note("zh"), message_en=conv.note("en")))
    return report


__all__ = ["validate", "validate_loaded"]
