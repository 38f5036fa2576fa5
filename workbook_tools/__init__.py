"""workbook_tools: template, validate, fill, export and batch-process 部门整体支出绩效评价 workbooks.

Importing the package is cheap on purpose (no openpyxl, pandas or xlwings): the modules are imported
where they are used, so ``workbook-tools validate`` costs about what reading the workbook costs.
"""

__version__ = "0.1.0"
