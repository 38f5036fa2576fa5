"""What tests/fixtures/app-saved/ holds and how each of its files was made before LibreOffice saved it
(scripts/make_app_saved.py regenerates them; tests/test_app_saved.py compares the findings)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import EXAMPLES, TEMPLATE
from .factory import filled_workbook
from .test_validate_cases import CASES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "app-saved"

#: Files we ship, as they are.
SHIPPED: dict[str, Path] = {
    "template": TEMPLATE,
    "seed": EXAMPLES / "seed_2022_anhua_zhongdian.xlsx",
    "consistent": EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx",
}

#: Rows of tests/test_validate_cases.py: one change to the consistent example, one finding.
CASE_IDS: tuple[str, ...] = (
    "typed-over-correct",  # a ratio typed over with its own value
    "typed-over-wrong",  # a ratio typed over with a wrong value
    "truncated",  # the seed's truncated ratio
    "formula-deleted",
    "formula-changed",
    "text-comma",  # a text number
    "negative",
    "required",  # a blank required field
    "invalid-choice",
    "project-list",  # the project list does not add up to 表4
    "sangong-exceeds-basic",
    "score-exceeds-weight",
    "weights-not-100",
    "staff-without-quota",
    "year-range",
)
_CASES = {c.id: c for c in CASES}


def ours(name: str, folder: Path) -> Path:
    """The file as we write it (before any application opened it)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{name}.xlsx"
    if name in SHIPPED:
        shutil.copyfile(SHIPPED[name], dest)
        return dest
    case = _CASES[name]
    return filled_workbook(dest, edit=case.edit, post=case.post, **case.overrides)


def sources(folder: Path) -> dict[str, Path]:
    return {name: ours(name, folder) for name in (*SHIPPED, *CASE_IDS)}
