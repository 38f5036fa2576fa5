"""Generated docs are current, and the README starts with the two commands."""

from workbook_tools.docgen import DOCS, GENERATED

from .conftest import ROOT


def test_generated_docs_are_current() -> None:
    for name, render in GENERATED.items():
        assert (DOCS / name).read_text(encoding="utf-8") == render(), f"docs/{name} is stale: run scripts/gen_docs.py"


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text.split("```")[1]
    assert "make demo" in head and "make test" in head
