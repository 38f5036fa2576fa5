"""The finance bureau's batch, in floors: :mod:`.result` (plain data), :mod:`.inbox` (discovery and the
cache), :mod:`.summary` (the summary workbook, CSV and JSON), :mod:`.work` (one file), :mod:`.isolation`
(the engines and one file in its own process) and :mod:`.pipeline` (the whole run)."""
