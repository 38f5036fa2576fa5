"""One workbook, opened once: the read workbook, its computed values and its validation report.

``fill``, ``export`` and the batch take a session instead of a path, so a file is read once, computed once
and validated once however many things are made from it (``validate`` alone costs what it did).
"""

from __future__ import annotations

import copy
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .checks.validate import validate_loaded
from .core.compute import compute
from .core.findings import Report
from .core.model import Value
from .xlsx import reader
from .xlsx.reader import Loaded

if TYPE_CHECKING:
    from .checks.previous import Previous
    from .core.scoring import Rules


class WorkbookSession:
    """A read workbook; :attr:`computed` and :attr:`report` are worked out on first use, then kept."""

    def __init__(self, loaded: Loaded, *, rules: Rules | None = None, last_year: Previous | None = None) -> None:
        self.loaded = loaded
        self.path = Path(loaded.path)
        #: The scoring rules and last year's workbook the report checks against; set them before reading
        #: :attr:`report` (the batch learns the unit, and so last year's file, only once the file is read).
        self.rules = rules
        self.last_year = last_year

    @cached_property
    def computed(self) -> dict[str, Value]:
        """Every derived value, from the inputs (never from the stated cells)."""
        return compute(self.loaded.model)

    @cached_property
    def report(self) -> Report:
        """The findings ``workbook-tools validate`` gives for this file (a check that fails on it raises, as
        :func:`~workbook_tools.checks.validate.validate_loaded` does; ``validate(path)`` turns that into a report)."""
        return validate_loaded(self.loaded, self.computed, rules=self.rules, last_year=self.last_year)

    def copy_loaded(self) -> Loaded:
        """The read workbook with a model of its own, for a writer that updates the model as it plans."""
        return msgspec.structs.replace(self.loaded, model=copy.deepcopy(self.loaded.model))


def open_workbook(path: str | Path) -> WorkbookSession:
    """Read one workbook; raises :class:`~workbook_tools.xlsx.package.UnreadableWorkbook` when it cannot be read."""
    return WorkbookSession(reader.load(path))  # through the module: one place to stand in for reading


__all__ = ["WorkbookSession", "open_workbook"]
