"""``python -m workbook_tools.cli``: the same command as ``workbook-tools``."""

from .app import main

if __name__ == "__main__":
    main()
