"""One exception tree: every "cannot continue" error derives from WorkbookToolsError (zh/en message, a
code) and the command line maps them in one place to one line on stderr and exit 2 (1 for a refusal)."""

from __future__ import annotations

import ast
import builtins
import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import workbook_tools
from workbook_tools.core.errors import WorkbookToolsError

from .conftest import ROOT

BUILTIN_EXCEPTIONS = {n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)}


def _exception_classes() -> dict[str, list[str]]:
    """Every class of the package (the portal too, without setting Django up) → its base names, for
    the classes whose bases lead to an exception."""
    bases: dict[str, list[str]] = {}
    for p in sorted((ROOT / "workbook_tools").rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                                    for b in node.bases]

    def is_exception(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name in BUILTIN_EXCEPTIONS:
            return True
        return name not in seen and any(is_exception(b, seen | {name}) for b in bases.get(name, []))

    return {n: b for n, b in bases.items() if is_exception(n)}


def test_every_exception_of_the_package_is_a_workbook_tools_error_with_a_code() -> None:
    classes = _exception_classes()
    assert len(classes) >= 12

    def in_tree(name: str) -> bool:
        return name == "WorkbookToolsError" or any(in_tree(b) for b in classes.get(name, []))

    # signals the XML reader raises and catches inside itself to stop early; they never reach a caller
    # and one that is not an error of ours: SIGTERM turned into an exit (a SystemExit, so every ``finally`` runs)
    # and fill's part writer refusing a file it does not handle (fill then takes the openpyxl path)
    control_flow = {"Truncated", "_Root", "Terminated", "NotPatchable"}
    assert [n for n in classes if not in_tree(n) and n not in control_flow] == []
    for m in pkgutil.walk_packages(workbook_tools.__path__, "workbook_tools."):
        if not m.name.startswith(("workbook_tools.portal", "workbook_tools.cli.__main__")):
            importlib.import_module(m.name)
    for cls in WorkbookToolsError.__subclasses__():
        assert cls.code != "error", cls  # each says which kind of stop it is


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


def test_a_special_file_is_one_of_our_errors_and_still_an_os_error(tmp_path: Path) -> None:
    """Refused before opening: a code and a message in both languages naming the path, and still an OSError
    (EINVAL, the path as its filename) for the handlers of failures of the environment."""
    import errno

    from workbook_tools.core.fsutil import NotARegularFile, require_regular

    with pytest.raises(NotARegularFile) as caught:
        require_regular(tmp_path)
    exc = caught.value
    assert isinstance(exc, WorkbookToolsError) and isinstance(exc, OSError)
    assert (exc.code, exc.exit_code, exc.errno, exc.filename) == ("file-special", 2, errno.EINVAL, str(tmp_path))
    assert exc.message() == f"{tmp_path}：这是文件夹，不是普通文件，未打开" == str(exc)
    assert exc.message("en") == f"{tmp_path}: a folder, not a regular file; not opened"


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
