"""workbook_tools: template, validate, fill, export and batch-process 部门整体支出绩效评价 workbooks.

The public API is re-exported here by name (``from workbook_tools import validate, open_workbook``) but
imported lazily, on first use: importing the package is cheap on purpose (no openpyxl, pandas or xlwings),
so ``workbook-tools validate`` costs about what reading the workbook costs.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name → module that defines it (the ``fill`` and ``prefill`` functions live in the modules of
#: the same name: ``from workbook_tools.fill import fill``).
_EXPORTS: dict[str, str] = {
    "validate": "workbook_tools.checks.validate",
    "Report": "workbook_tools.core.findings",
    "Finding": "workbook_tools.core.findings",
    "CATALOGUE": "workbook_tools.core.findings",
    "open_workbook": "workbook_tools.session",
    "WorkbookSession": "workbook_tools.session",
    "Evaluation": "workbook_tools.core.model",
    "compute": "workbook_tools.core.compute",
    "FillReport": "workbook_tools.fill",
    "export_report": "workbook_tools.export",
    "ExportRefused": "workbook_tools.export",
    "write_template": "workbook_tools.template",
    "write_filled": "workbook_tools.template",
    "BatchOptions": "workbook_tools.batch.result",
    "WorkbookToolsError": "workbook_tools.core.errors",
    "UnreadableWorkbook": "workbook_tools.xlsx.package",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'workbook_tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
