"""The floor everything stands on: the spec and what it is made of (cells, numbers, expressions, the
evaluation model, intervals, computed values, the findings catalogue, scoring rules, atomic writes).
Nothing here reads or writes a workbook."""

from pathlib import Path

#: The package's data files (layouts, scoring rules, profiles), installed as files beside the code (a plain
#: path: ``importlib.resources`` and the tempfile, shutil and random it imports cost ``validate`` ~5 ms).
DATA = Path(__file__).resolve().parent.parent / "data"
