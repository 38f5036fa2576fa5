"""The words every portal page may show, from the shared words table and the spec (a context processor)."""

from __future__ import annotations

from typing import Any

from ..batch.summary import short_header
from ..core.words import DEPARTMENT_STATUS, FILE_LEVEL, RESULT_COLUMNS, RESULT_WORD

#: Column headers the pages show (key → the summary's header, or its short form where the words table has one).
HEADS: dict[str, str] = {
    **{k: short_header(k) for k in ("file", "department", "departments", "year", "status", "latest", "errors",
                                    "warnings", "score_total", "grade", "total_rate")},
    "result": RESULT_WORD["zh"]}
#: The columns of a list of findings, as the result sheet heads them, and the place of a finding about the file.
COLUMNS: dict[str, str] = {k: zh for k, (zh, _) in RESULT_COLUMNS.items()}
WHOLE_FILE = FILE_LEVEL["zh"]
#: A department's state in a round (the board's filters and badges).
STATUS_LABELS: dict[str, str] = DEPARTMENT_STATUS["zh"]


def words(request: Any) -> dict[str, Any]:
    """``heads``, ``labels``, ``columns`` and ``whole_file`` for every template."""
    return {"heads": HEADS, "labels": STATUS_LABELS, "columns": COLUMNS, "whole_file": WHOLE_FILE}
