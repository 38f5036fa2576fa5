"""Regenerate docs/template.md and docs/checks.md from the spec and the catalogue."""

from workbook_tools.docgen import write_all

if __name__ == "__main__":
    for p in write_all():
        print(p)
