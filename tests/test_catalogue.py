"""The catalogue of finding codes: every code documented, and every validate code triggered by a test."""

from __future__ import annotations

import re

from workbook_tools.core.findings import CATALOGUE, CATALOGUE_LIST, Finding

from .broken_inputs import CASES as BROKEN_CASES
from .test_profiles_versions import LEGACY_CODES
from .test_reviewer_checks import CASES as REVIEWER_CASES
from .test_reviewer_checks import MUST_NOT_FIRE as REVIEWER_QUIET
from .test_validate_cases import CASES, FILE_CASES

SEVERITIES = {"error", "warning", "info"}
CJK = re.compile(r"[\u4e00-\u9fff]")
#: The families validate reports; fill's and batch's codes are triggered by their own commands' tests.
VALIDATE_FAMILIES = {"file", "structure", "formula", "arithmetic", "cross-table", "input"}
#: The reviewer's families (tests/test_reviewer_checks.py, tests/test_previous.py): a trigger and a must-not-fire each.
REVIEWER_FAMILIES = {"scores", "narrative", "previous", "plausibility"}
PREVIOUS_TESTED = {"previous-figure-mismatch", "staff-quota-change", "narrative-copied", "previous-not-comparable"}


def test_validate_families_exist() -> None:
    families = {c.family for c in CATALOGUE_LIST}
    assert VALIDATE_FAMILIES <= families


def test_codes_are_unique_and_kebab_case() -> None:
    codes = [c.code for c in CATALOGUE_LIST]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code


def test_every_code_has_title_severity_description() -> None:
    for c in CATALOGUE_LIST:
        assert c.severity in SEVERITIES, c.code
        assert CJK.search(c.title) and c.title_en.strip(), c.code
        assert CJK.search(c.description) and len(c.description) >= 8, c.code
        assert c.family.strip(), c.code


def test_every_code_is_triggered() -> None:
    """Each validate code (every family but fill's and batch's) has a test row that produces it."""
    triggered = {c.code for c in CASES} | {code for _, _, code in FILE_CASES}
    triggered |= {c.code for c in BROKEN_CASES if c.code}  # asserted by tests/test_robustness.py
    triggered |= set(LEGACY_CODES)  # asserted by tests/test_profiles_versions.py
    unknown = triggered - set(CATALOGUE)
    assert not unknown, f"test rows use codes not in the catalogue: {sorted(unknown)}"
    untested = {c.code for c in CATALOGUE_LIST if c.family in VALIDATE_FAMILIES} - triggered
    assert not untested, f"catalogue codes without a triggering test row: {sorted(untested)}"


def test_every_reviewer_code_is_triggered_and_has_a_quiet_twin() -> None:
    codes = {c.code for c in CATALOGUE_LIST if c.family in REVIEWER_FAMILIES}
    assert codes == {c.code for c in REVIEWER_CASES} | PREVIOUS_TESTED
    assert codes == {c.code for c in REVIEWER_QUIET} | PREVIOUS_TESTED


def test_finding_severity_comes_from_the_catalogue() -> None:
    assert Finding("value-truncated", "m").severity == "warning"
    assert Finding("cache-missing", "m").severity == "info"
    assert Finding("value-mismatch", "m").severity == "error"
