"""Validate one workbook: everything staff must fix before sending it, named by sheet and cell.

``validate(path)`` never raises for a bad file: an unreadable one gives a :class:`Report` whose
``unreadable`` finding carries the catalogue code and a one-line Chinese message naming the file (exit
code 2). The path costs what reading costs: the fast OOXML reader, Decimal recomputation, no openpyxl,
no pandas (only ``--annotate`` imports openpyxl, lazily).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import profiles, spec
from ..core.compute import compute
from ..core.findings import Finding, Report, listing, sort_key
from ..core.model import Value
from ..xlsx.legacy import converted, is_legacy
from ..xlsx.package import UnreadableWorkbook
from ..xlsx.reader import Loaded, load
from . import arithmetic, crosstable, formulas, inputs, narrative, plausibility, previous, scores, structure

if TYPE_CHECKING:
    from ..core.scoring import Rules

FAMILIES = (formulas, arithmetic, crosstable, inputs, plausibility)


def validate_loaded(loaded: Loaded, computed: Mapping[str, Value] | None = None, *, rules: Rules | None = None,
                    last_year: previous.Previous | None = None) -> Report:
    """Findings for a workbook already read (the exporter refuses files whose report has errors).

    ``computed`` (the derived values of ``loaded.model``) is computed here when not given; ``rules`` are the
    scoring rules typed scores are checked against (the packaged defaults when None); ``last_year`` is the
    same unit's workbook of the year before, for the this-year-against-last checks.
    """
    report = Report(file=loaded.path, template_version=loaded.version, application=loaded.book.application or None)
    computed = dict(computed) if computed is not None else compute(loaded.model)
    findings = structure.check(loaded, computed)
    if not any(f.code in structure.FATAL for f in findings):
        for family in FAMILIES:
            findings += family.check(loaded, computed)
        profile, unknown = profiles.for_workbook(loaded.model.profile)
        findings += scores.check(loaded, computed, rules if rules is not None else profile.rules)
        said, counted = narrative.check_counted(loaded, computed)
        findings += said
        report.numbers_in_text = counted.to_json()
        if last_year is not None:
            findings += previous.check(loaded, computed, last_year)
        if unknown is not None:
            findings.append(Finding.of("profile-unknown", "default", {"profile": unknown, "default": profile.id},
                                       sheet=spec.META_SHEET, name="profile", actual=unknown,
                                       expected=listing(profiles.available())))
        profile.apply_severity(findings)
    report.findings = sorted(findings, key=sort_key)
    return report


def read_previous(path: str | Path) -> previous.Previous:
    """Last year's workbook, read and computed; a file that cannot be read is kept with its reason."""
    try:
        loaded = load(path)
    except UnreadableWorkbook as exc:
        return previous.Previous(str(path), None, None, exc.reason_zh)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic from a reader is a BaseException
        return previous.Previous(str(path), None, None, error=type(exc).__name__)
    return previous.Previous(str(path), loaded, compute(loaded.model))


def _unreadable(path: str | Path, code: str, variant: str, **params: str) -> Report:
    p = str(path)
    return Report(file=p, unreadable=Finding.of(code, variant, {"file": p, **params}))


def validate(path: str | Path, *, rules: Rules | None = None, last_year: str | Path | None = None,
             convert_legacy: bool = False) -> Report:
    """Read and check one file; every failure to read becomes a report, never an exception.

    ``last_year`` is the path of the same unit's workbook of the year before (``validate --previous``).
    With ``convert_legacy`` a .xls/.ods file is first converted by LibreOffice into a temporary folder
    (:mod:`workbook_tools.xlsx.legacy`); the report names the original file and says it was converted.
    """
    if convert_legacy and is_legacy(path):
        return _validate_legacy(path, rules=rules, last_year=last_year)
    try:
        loaded = load(path)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc.code, "reason", reason=exc.reason_zh, reason_en=exc.reason_en)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic from a reader is a BaseException
        return _unreadable(path, "file-unreadable", "crashed", error=type(exc).__name__)
    prev = read_previous(last_year) if last_year is not None else None
    return checked(loaded, name=path, rules=rules, last_year=prev)


def checked(loaded: Loaded, computed: Mapping[str, Value] | None = None, *, name: str | Path | None = None,
            rules: Rules | None = None, last_year: previous.Previous | None = None) -> Report:
    """:func:`validate_loaded`, with a file that trips a check answered by a report (naming the file as
    ``name``, default its path), never an exception."""
    try:
        return validate_loaded(loaded, computed, rules=rules, last_year=last_year)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a file that trips a check must still get an answer
        return _unreadable(loaded.path if name is None else name, "file-unreadable", "check-failed",
                           error=type(exc).__name__, detail=str(exc))


def _validate_legacy(path: str | Path, *, rules: Rules | None = None, last_year: str | Path | None = None) -> Report:
    with converted(path) as conv:
        if conv.converted is None:
            return _unreadable(path, "legacy-not-converted", "reason", reason=conv.reason_zh, reason_en=conv.reason_en)
        report = validate(conv.converted, rules=rules, last_year=last_year)
    report.file = str(path)
    if report.unreadable is not None:
        u = report.unreadable
        assert u.variant is not None
        named = {k: v.replace(conv.converted, str(path)) if isinstance(v, str) else v for k, v in u.params.items()}
        report.unreadable = Finding.of(u.code, u.variant, named)
        return report
    report.findings.insert(0, Finding.of("legacy-converted", "default", {"note": conv.note("zh"),
                                                                         "note_en": conv.note("en")}))
    return report


__all__ = ["checked", "read_previous", "validate", "validate_loaded"]
