"""The ``workbook-tools`` command: a thin face over the library (:mod:`.app`)."""
