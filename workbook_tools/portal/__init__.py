"""The intake portal (``workbook-tools serve``): departments upload workbooks in a browser, the bureau watches.

A Django application (``pip install 'workbook-tools[portal]'``). It reads no workbook itself: every check,
fill, export, annotation, summary and prefill is a call into the library. See ``docs/portal.md``.
"""
