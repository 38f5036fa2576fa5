"""Markdown rendering of the report outline: quick preview and a diffable golden file."""

from __future__ import annotations

from .outline import Heading, Notice, Outline, Paragraph, Run, Table, Title

__all__ = ["render_markdown"]


def _escape(text: str) -> str:
    """Keep report text literal: characters Markdown would read as syntax at these positions are escaped."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("|", "\\|")


def _run(r: Run) -> str:
    return f"**{_escape(r.text)}**" if r.role != "text" else _escape(r.text)


def _table(t: Table) -> list[str]:
    lines = [f"**{_escape(t.title)}**{_escape(t.unit)}", ""]
    lines.append("| " + " | ".join(_escape(h) for h in t.header) + " |")
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(t.header) - 1)) + "|")
    for i, row in enumerate(t.rows):
        cells = [_escape(c) for c in row]
        if t.total and i == len(t.rows) - 1:
            cells[0] = f"**{cells[0]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(outline: Outline) -> str:
    """The report as Markdown: # title, ## 一、, ### （一）, #### 1., run-in headings in bold, pipe tables."""
    out: list[str] = []
    for b in outline.blocks:
        if isinstance(b, Title):
            if b.attachment:
                out += [_escape(b.attachment), ""]
            out += ["# " + _escape(b.text), ""]
        elif isinstance(b, Notice):
            out += [f"> **{_escape(b.text)}**", ""]
        elif isinstance(b, Heading):
            out += ["#" * (b.level + 1) + " " + _escape(b.text), ""]
        elif isinstance(b, Paragraph):
            out += ["".join(_run(r) for r in b.runs), ""]
        elif isinstance(b, Table):
            out += _table(b) + [""]
    return "\n".join(out).rstrip("\n") + "\n"
