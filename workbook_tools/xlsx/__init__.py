"""The OOXML reader, one module per file part, and the spec-aware reader on top of it.

Why not openpyxl here: validating must cost about what reading costs, and openpyxl needs two full loads
(formulas, then cached values) at ~20 ms each plus a 130 ms import. :mod:`.package` checks the zip and
reads XML parts safely, :mod:`.styles` and :mod:`.shared_strings` read those parts, :mod:`.worksheet`
scans cells, :mod:`.workbook` ties them together (sheets, defined names, app.xml) and :mod:`.reader`
builds the evaluation model from the spec.
"""
