"""The floor everything stands on: the spec and what it is made of (cells, numbers, expressions, the
evaluation model, intervals, computed values, the findings catalogue, scoring rules, atomic writes).
Nothing here reads or writes a workbook."""
