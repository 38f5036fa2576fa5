"""Carry a workbook of an earlier template version into the current one, value for value.

Departments keep last year's file and fill it again. ``migrate`` reads the old file against its own
layout (:mod:`workbook_tools.layouts`), writes every input, list row, typed-over derived cell, the threshold
table and the profile into a fresh current template, then reads the result back and compares: a value that
did not arrive unchanged is an error, never a silent loss. Formulas are the current template's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .core import spec
from .core.errors import WorkbookToolsError
from .core.model import Value
from .xlsx.package import UnreadableWorkbook
from .xlsx.reader import Loaded, load


class MigrateError(WorkbookToolsError, ValueError):
    """The file cannot be migrated; the message names the file and why, in Chinese (English after a newline)."""

    code = "migrate-failed"

    def __init__(self, message: str) -> None:
        lines = message.splitlines() or [""]
        super().__init__(message, lines[-1])
        self.message_zh = lines[0]


@dataclass
class MigrateReport:
    source: str
    output: str
    from_version: str
    to_version: str = spec.TEMPLATE_VERSION
    carried: int = 0  # values carried (inputs, list cells, stated derived cells, table cells)
    lost: list[str] = field(default_factory=list)  # names whose value did not arrive unchanged

    def text(self, lang: str = "zh") -> str:
        if lang == "en":
            return (f"{self.source}: template {self.from_version} → {self.to_version}, {self.carried} values carried "
                    f"into {self.output}")
        return f"{self.source}：模板 {self.from_version} 版 → {self.to_version} 版，带入 {self.carried} 个值，已写出 {self.output}"


def _values(loaded: Loaded) -> dict[str, Value]:
    """Every value of the file by a stable key: name, table.column[row], or constant[row]."""
    m = loaded.model
    out: dict[str, Value] = {k: v for k, v in m.values.items() if v is not None}
    out.update({f"stated.{k}": v for k, v in m.stated.items() if v is not None})
    for t, rows in m.lists.items():
        for i, row in enumerate(rows):
            out.update({f"{t}.{k}[{i}]": v for k, v in row.items() if v is not None})
    for k, vs in m.constants.items():
        out.update({f"{k}[{i}]": v for i, v in enumerate(vs) if v is not None})
    return out


def migrate(src: str | Path, dest: str | Path) -> MigrateReport:
    """Write ``src`` (any known version) as a current-version workbook at ``dest``; ``src`` is never changed."""
    from .template import write_filled

    src, dest = Path(src), Path(dest)
    if dest.exists() and src.exists() and dest.resolve() == src.resolve():
        raise MigrateError(f"{dest}：输出文件不能是输入文件（迁移从不改动原文件）\n{dest}: the output must not be the input")
    try:
        loaded = load(src)
    except UnreadableWorkbook as exc:
        raise MigrateError(exc.message()) from None
    if loaded.template_id not in (None, spec.TEMPLATE_ID) or loaded.layout is None:
        what = f"模板标识 {loaded.template_id}" if loaded.template_id != spec.TEMPLATE_ID else f"模板版本 {loaded.version}"
        raise MigrateError(f"{src}：{what} 不是本程序能读取的版本（{'、'.join(spec.KNOWN_VERSIONS)}），无法迁移\n"
                           f"{src}: not a template version this program reads ({', '.join(spec.KNOWN_VERSIONS)})")
    if loaded.version is None and loaded.template_id is None:
        raise MigrateError(f"{src}：没有模板标识和版本，不是本模板的工作簿，无法迁移\n{src}: not a workbook of the template")
    before = _values(loaded)
    model = loaded.model
    model.template_version = spec.TEMPLATE_VERSION
    write_filled(model, dest)
    after = _values(load(dest))
    lost = sorted(k for k, v in before.items() if after.get(k) != v)
    report = MigrateReport(str(src), str(dest), loaded.layout.version, carried=len(before) - len(lost), lost=lost)
    if lost:
        dest.unlink(missing_ok=True)
        raise MigrateError(f"{src}：{len(lost)} 个值未能原样带入新版本（如 {'、'.join(lost[:3])}），未写出文件\n"
                           f"{src}: {len(lost)} values would not carry over unchanged; nothing written")
    return report


__all__ = ["MigrateError", "MigrateReport", "migrate"]
