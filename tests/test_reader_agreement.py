"""The reader (calamine values + expat) agrees cell for cell with the regex reader it replaced, on the
corpus of files others made, on every broken input and on benchmark workbooks; where they differ the old
one was wrong, and each such file is named with its reason in tests/reader_agreement.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CORPUS, EXAMPLES, ROOT
from .legal_ooxml import SPELLINGS
from .legal_ooxml import build_all as build_legal
from .reader_agreement import EXPECTED, compare

SUFFIXES = (".xlsx", ".xlsm", ".xltx")


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_agrees_with_the_regex_reader() -> None:
    differing = {}
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix.lower() in SUFFIXES and p.is_file():
            diffs = compare(p)
            if diffs:
                differing[p.relative_to(CORPUS).as_posix()] = diffs
    unexplained = {k: v[:3] for k, v in differing.items() if k not in EXPECTED}
    assert not unexplained
    assert set(EXPECTED) - set(differing) <= {k for k in EXPECTED if not (CORPUS / k).exists()}


# where the new reader differs from the old one on purpose (docs/robustness.md)
EXPECTED_BROKEN = {
    "lone-surrogate": "an `_xD800_` escape stays literal text instead of becoming a lone surrogate",
}


#: One broken input of each kind (a damaged zip, XML spellings, odd values, escapes, sheets moved, a name
#: redirected) for a quick `make test`; all of them under CI (slow).
SAMPLE = ("truncated-zip", "control-chars", "long-text", "lone-surrogate", "text-number-apostrophe", "sheet-deleted",
          "name-redirected", "text-number-comma", "cached-div/0", "merged-derived")


def _disagreeing(paths: dict[str, Path]) -> dict[str, list[str]]:
    from workbook_tools.core.fsutil import file_kind

    differing: dict[str, list[str]] = {}
    for name, path in paths.items():
        if file_kind(path) is not None:  # a FIFO or device: refused before opening; the old reader would block
            continue
        diffs = compare(path) + compare(path, keep_empty=True)
        if diffs:
            differing[name] = diffs
    return {k: v[:2] for k, v in differing.items() if k not in EXPECTED_BROKEN}


def test_a_sample_of_the_broken_inputs_agree(broken_inputs: dict[str, Path]) -> None:
    assert set(SAMPLE) <= set(broken_inputs)
    assert _disagreeing({name: broken_inputs[name] for name in SAMPLE}) == {}


@pytest.mark.slow  # every case, million-rows among them, through both readers twice: CI and make test-all run it
def test_broken_inputs_agree(broken_inputs: dict[str, Path]) -> None:
    assert _disagreeing(broken_inputs) == {}


def test_examples_and_benchmark_workbooks_agree(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))  # the generator's pool pickles run._write_one by module name
    from run import generate  # type: ignore[import-not-found]

    files = [*sorted(EXAMPLES.glob("*.xlsx")), *generate(3, tmp_path / "bench", 1)]
    for path in files:
        assert compare(path) == [], path.name
        assert compare(path, keep_empty=True) == [], path.name


def test_legal_spellings_read_as_the_usual_one(tmp_path: Path) -> None:
    """The regex reader read some of these wrongly; the new one reads each exactly like the original."""
    from workbook_tools.xlsx.workbook import read

    base = read(EXAMPLES / "consistent_2023_qingshan_jiaoyu.xlsx", keep_empty=True)
    for name, path in build_legal(tmp_path).items():
        book = read(path, keep_empty=True)
        assert book.sheet_names == base.sheet_names and book.names == base.names, name
        for a, b in zip(base.sheets, book.sheets, strict=True):
            assert dict(a.cells.items()) == dict(b.cells.items()), (name, a.name)
            assert (a.merges, a.protected) == (b.merges, b.protected), (name, a.name)
    assert len(SPELLINGS) >= 6
