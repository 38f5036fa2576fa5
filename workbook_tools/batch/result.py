"""The batch's data: the options every worker gets and each file's result, both plain and picklable.

Results made without reading the file (timeout, crashed worker, memory limit) and the duplicate rule live
here too, so the engines, the pipeline and the summary share one vocabulary.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from .. import __version__
from ..core import spec
from ..core.findings import Finding
from ..core.fsutil import NAME_MAX, fits
from ..core.model import unit_key
from ..core.textsafe import path_text

Status = Literal["ok", "errors", "unreadable", "timeout", "duplicate"]
STATUSES: tuple[str, ...] = ("ok", "errors", "unreadable", "timeout", "duplicate")
EXPORT_FORMATS: tuple[str, ...] = ("docx", "pdf", "md")
#: Figures of the summary, by defined name: computed from the inputs (never the stated cells).
SUMMARY_FIGURES: tuple[str, ...] = (
    "total_budget", "total_actual", "total_rate",
    "basic_budget", "basic_actual", "project_budget", "project_actual",
    "sangong_actual", "sangong_prev", "sangong_change_pct",
    "staff_quota", "staff_actual", "staff_control_rate",
    "score_total", "grade",
)

Worker = Callable[[str, "BatchOptions"], "FileResult"]

@dataclass(frozen=True)
class BatchOptions:
    """What to do with each file. Plain data: it travels to worker processes and dask workers."""

    root: str
    out_dir: str
    fill: bool = False
    export: tuple[str, ...] = ()
    timeout: float = 120.0
    lang: str = "zh"
    memory_mb: int = 4096  # address-space limit while a worker reads, checks, fills and exports one file (0: none)
    #: inbox-relative path → output path stem (relative, "/" separators), distinct for every file of the run
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: legacy (.xls/.ods) inputs converted before the batch, in one LibreOffice run: (input, converted .xlsx)
    converted: tuple[tuple[str, str], ...] = ()
    #: legacy inputs LibreOffice could not convert: (input, reason in Chinese, reason in English)
    legacy_failed: tuple[tuple[str, str, str], ...] = ()

    #: Last year's workbooks by unit (``batch --previous-dir``): (unit key, path, size and mtime for the cache).
    previous: tuple[tuple[str, str, str], ...] | None = None

    def output_stem(self, rel: str) -> str:
        return self.names.get(rel) or output_stem(rel)

    def fingerprint(self) -> str:
        """What a cached result depends on besides the file's content."""
        return json.dumps({"tool": __version__, "template": spec.TEMPLATE_VERSION, "fill": self.fill,
                           "export": sorted(self.export), "lang": self.lang,
                           "previous": [list(p) for p in self.previous] if self.previous is not None else None},
                          sort_keys=True)

    def previous_for(self, unit: str) -> str | None:
        """Last year's workbook of ``unit`` in the indexed ``--previous-dir``, if any."""
        key = unit_key(unit)
        return next((path for k, path, _ in self.previous or () if k == key), None)


@dataclass
class FileResult:
    """One file's outcome as plain data (JSON-ready: Decimals are strings)."""

    path: str  # relative to the inbox, "/" separators
    status: Status
    sha256: str = ""
    unit: str | None = None
    year: int | None = None
    figures: dict[str, str | None] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)  # file, sheet, cell, code, severity, message
    reason: str | None = None  # why a file could not be processed
    reason_code: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)  # kind → path relative to the output folder
    notes: list[str] = field(default_factory=list)  # e.g. a report not exported because of errors
    failed: list[str] = field(default_factory=list)  # outputs asked for that could not be made ("fill", "pdf" …)
    seconds: float = 0.0
    cached: bool = False

    @property
    def readable(self) -> bool:
        return self.status in ("ok", "errors", "duplicate")

    def figure(self, name: str) -> Decimal | None:
        v = self.figures.get(name)
        return Decimal(v) if v not in (None, "") and name != "grade" else None

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON-ready plain data, copied (what ``dataclasses.asdict`` gives, without its
        deep copy of every value: the batch converts each result three times)."""
        return {"path": self.path, "status": self.status, "sha256": self.sha256, "unit": self.unit,
                "year": self.year, "figures": dict(self.figures), "errors": self.errors, "warnings": self.warnings,
                "findings": [dict(f) for f in self.findings], "reason": self.reason, "reason_code": self.reason_code,
                "outputs": dict(self.outputs), "notes": list(self.notes), "failed": list(self.failed),
                "seconds": self.seconds, "cached": self.cached}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        return cls(**data)

def relative(path: str, root: str) -> str:
    """The inbox-relative name as printable text (a symlink is named where it is, not where it points; bytes
    of a name that are not UTF-8 are shown as ``\\xC7``)."""
    full, base = os.path.abspath(path), os.path.abspath(root)  # normalised: whole parts compare
    prefix = base if base.endswith(os.sep) else base + os.sep
    folded = os.path.normcase(full)  # as Path.relative_to: case-insensitive on Windows only
    if folded == os.path.normcase(base):
        rel = "."
    elif folded.startswith(os.path.normcase(prefix)):
        rel = full[len(prefix):].replace(os.sep, "/")
    else:
        rel = Path(path).name
    return path_text(rel)


def output_stem(rel: str) -> str:
    """``a/b.xlsx`` → ``a/b``; any other extension is kept (``b.xlsm`` → ``b.xlsm``); every part is cut to leave
    room for the longest suffix (see :func:`~workbook_tools.core.fsutil.fits`). :func:`allocate_names` makes
    the stems of one run distinct."""
    p = PurePosixPath(rel.replace("\\", "%"))
    name = p.name[: -len(".xlsx")] if p.name.lower().endswith(".xlsx") else p.name
    parts = [*p.parent.parts, name] if str(p.parent) != "." else [name]
    return "/".join(fits(part, NAME_MAX - 16) for part in parts if part not in ("", ".", ".."))


def report_name(rel: str, suffix: str, names: dict[str, str] | None = None) -> str:
    """``a/b.xlsx`` → ``a/b.docx`` (the run's allocated name when ``names`` has one)."""
    return ((names or {}).get(rel) or output_stem(rel)) + suffix


def allocate_names(rels: Iterable[str]) -> dict[str, str]:
    """Output stems for every file of a run, distinct even where a file system ignores case (Windows, macOS):
    ``a.xlsx`` and ``A.xlsx`` give ``a`` and ``A~2``; nothing is silently overwritten."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for rel in sorted(rels):
        stem = candidate = output_stem(rel)
        n = 2
        while candidate.casefold() in taken:
            candidate = f"{stem}~{n}"
            n += 1
        taken.add(candidate.casefold())
        out[rel] = candidate
    return out

def rel_path(path: str, options: BatchOptions) -> str:
    return relative(path, options.root)

def _said(code: str, params: dict[str, Any], lang: str) -> str:
    """The catalogue's message of ``code`` in the batch's language (a file's reason or a batch finding)."""
    return Finding.of(code, "default", params).text(lang)


def timeout_result(path: str, options: BatchOptions) -> FileResult:
    return FileResult(rel_path(path, options), "timeout", reason_code="batch-timeout",
                      reason=_said("batch-timeout", {"seconds": f"{options.timeout:g}"}, options.lang))


def crashed_result(path: str, options: BatchOptions) -> FileResult:
    return FileResult(rel_path(path, options), "unreadable", reason_code="batch-worker-crashed",
                      reason=_said("batch-worker-crashed", {}, options.lang))

def memory_result(rel: str, options: BatchOptions) -> FileResult:
    return FileResult(rel, "unreadable", reason_code="batch-memory",
                      reason=_said("batch-memory", {"mb": options.memory_mb}, options.lang))

def mark_duplicates(results: list[FileResult], lang: str = "zh") -> list[FileResult]:
    """Same unit and year submitted more than once: every copy gets status ``duplicate`` and a finding, counted
    by the catalogue's severity of ``duplicate-submission``."""
    groups: dict[tuple[str, int | None], list[int]] = {}
    for i, r in enumerate(results):
        if r.readable and r.unit:
            groups.setdefault((unit_key(r.unit), r.year), []).append(i)
    out = list(results)
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        for i in idxs:
            r = out[i]
            f = Finding.of("duplicate-submission", "default", {"others": [results[j].path for j in idxs if j != i]})
            finding = {"file": r.path, "sheet": None, "cell": None, "code": f.code, "severity": f.severity,
                       "message": f.text(lang)}
            out[i] = replace(r, status="duplicate", errors=r.errors + (f.severity == "error"),
                             warnings=r.warnings + (f.severity == "warning"), findings=[finding, *r.findings])
    return out

@dataclass
class BatchOutcome:
    results: list[FileResult]
    processed: int
    cached: int
    outputs: dict[str, Path] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # Office lock files, inbox-relative

    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            c[r.status] += 1
        return c

    @property
    def exit_code(self) -> int:
        """0 every file valid, 1 some have errors (or are duplicates), 2 some could not be processed or an
        output asked for (a filled copy, a report) could not be made."""
        c = self.counts()
        if c["unreadable"] or c["timeout"] or any(r.failed for r in self.results):
            return 2
        return 1 if c["errors"] or c["duplicate"] else 0
