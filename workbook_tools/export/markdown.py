"""Markdown rendering of the report outline: quick preview and a diffable golden file."""

from __future__ import annotations

import re

from .outline import Heading, Notice, Outline, Paragraph, Run, Table, Title

__all__ = ["render_markdown"]


#: Characters that are Markdown (or raw HTML) syntax anywhere in a line: escaped with a backslash, so
#: ``<script>``, ``<img onerror>``, ``[x](javascript:…)`` and ``<javascript:…>`` stay text.
_INLINE = re.compile(r"([\\`*_|<>\[\]~])")
#: An entity reference (``&lt;``, ``&#60;``) would be decoded by a renderer: its ``&`` is escaped.
_ENTITY = re.compile(r"&(?=#?\w+;)")
#: Block syntax at the start of a line: headings, quotes, lists, thematic breaks, setext underlines.
_LINE_START = re.compile(r"(^|\n)([ \t]*)(?:([#>+=-])|(\d+)([.)]))")


def _block_start(m: re.Match[str]) -> str:
    head = m.group(1) + m.group(2)
    return head + ("\\" + m.group(3) if m.group(3) else m.group(4) + "\\" + m.group(5))


def _escape(text: str, line_start: bool = False) -> str:
    """Keep report text literal (it comes from a workbook): inline syntax and raw HTML are escaped anywhere,
    block syntax after every line break (a line starting with ``#`` is not a heading), and at the very start
    when the text starts a line of the document."""
    s = _ENTITY.sub("\\\\&", _INLINE.sub(r"\\\1", text))
    if line_start:
        return _LINE_START.sub(_block_start, s)
    first, nl, rest = s.partition("\n")
    return first + (nl + _LINE_START.sub(_block_start, "\n" + rest)[1:] if nl else "")


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
            text = "".join(_run(r) for r in b.runs)
            out += [_LINE_START.sub(_block_start, text, count=1) if not text.startswith("**") else text, ""]
        elif isinstance(b, Table):
            out += _table(b) + [""]
    return "\n".join(out).rstrip("\n") + "\n"
