"""One exception tree: every "cannot continue" error derives from WorkbookToolsError (zh/en message, a
code) and the command line maps them in one place to one line on stderr and exit 2 (1 for a refusal)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest

import workbook_tools
from workbook_tools.core.errors import WorkbookToolsError


def _package_exceptions() -> list[type[BaseException]]:
    for m in pkgutil.walk_packages(workbook_tools.__path__, "workbook_tools."):
        if m.name.endswith("__main__"):
            continue
        importlib.import_module(m.name)
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("workbook_tools"):
            for value in vars(module).values():
                if (isinstance(value, type) and issubclass(value, BaseException)
                        and value.__module__ == name):
                    found.append(value)
    return found


def test_every_exception_of_the_package_is_a_workbook_tools_error_with_a_code() -> None:
    classes = _package_exceptions()
    assert len(classes) >= 10
    assert [c.__name__ for c in classes if not issubclass(c, WorkbookToolsError)] == []
    codes = {c.__name__: c.code for c in classes if c is not WorkbookToolsError}
    assert "error" not in codes.values(), codes  # each says which kind of stop it is


def test_messages_in_both_languages_and_the_exit_codes() -> None:
    from workbook_tools.export import ExportRefused
    from workbook_tools.libreoffice import LibreOfficeError
    from workbook_tools.xlsx.package import UnreadableWorkbook

    u = UnreadableWorkbook("a.xlsx", "文件是空的", "file is empty", "file-empty")
    assert (u.message(), u.message("en"), u.code, u.exit_code) == ("a.xlsx：文件是空的", "a.xlsx: file is empty",
                                                                  "file-empty", 2)
    refused = ExportRefused("b.xlsx", 3)
    assert refused.exit_code == 1 and "3 个校验错误" in refused.message() and "3 validation" in refused.message("en")
    lo = LibreOfficeError("LibreOffice 未安装\nLibreOffice is not installed")
    assert (lo.message(), lo.message("en")) == ("LibreOffice 未安装", "LibreOffice is not installed")


def test_the_command_line_maps_an_error_to_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from workbook_tools import template
    from workbook_tools.cli.app import main

    def broken(*_a: object, **_k: object) -> None:
        raise WorkbookToolsError("模板无法写出", "cannot write the template", code="x")

    monkeypatch.setattr(template, "write_template", broken)
    monkeypatch.setattr(sys, "argv", ["workbook-tools", "template", "-o", "/nonexistent/t.xlsx"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "模板无法写出\n" and "Traceback" not in err
