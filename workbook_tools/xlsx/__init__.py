"""The OOXML reader, one module per file part, and the spec-aware reader on top of it.

Why not openpyxl here: validating must cost about what reading costs, and openpyxl needs two full loads
(formulas, then cached values) at ~20 ms each plus a 130 ms import. :mod:`.package` checks the zip and
reads the small XML parts safely; :mod:`.xmlparse` is the defused expat parser the larger parts go through;
:mod:`.styles` and :mod:`.shared_strings` read or check those parts; :mod:`.values` turns python-calamine's
cached values into the tools' types; :mod:`.worksheet` joins them with each cell's formula text (shared
formulas translated by :mod:`.formulas`), style and error value; :mod:`.workbook` ties them together
(sheets, defined names, app.xml) and :mod:`.reader` builds the evaluation model from the spec.
"""
