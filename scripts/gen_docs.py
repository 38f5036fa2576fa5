"""Regenerate docs/template.md, docs/checks.md and the generated sections of docs/design.md."""

from workbook_tools.docgen import write_all

if __name__ == "__main__":
    for p in write_all():
        print(p)
