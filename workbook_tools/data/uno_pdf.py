"""Keep one headless LibreOffice running and convert documents to PDF through UNO, one request per line.

Run by :class:`workbook_tools.libreoffice.PdfConverter` under an interpreter that can ``import uno``
(Debian's ``/usr/bin/python3`` or LibreOffice's bundled Python), not the project's own: the uno module is
built for that interpreter only. Standard library and uno only, so it also runs on an older system Python.

Arguments: the soffice executable, the profile folder, the pipe name. Protocol on stdin/stdout, one JSON
value per line: first ``["ready", <soffice pid>]`` is written; then each request ``[source, destination]``
is answered ``["ok"]``, ``["error", <message>]`` (this document failed, LibreOffice is fine) or
``["crashed", <message>]`` (LibreOffice died; the helper exits). End of input stops LibreOffice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno

_FLAGS = ("--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck")
_CONNECT_SECONDS = 120.0


def _say(*message: object) -> None:
    sys.stdout.write(json.dumps(list(message), ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _prop(name: str, value: object) -> Any:
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _connect(pipe: str, office: subprocess.Popen[bytes]) -> Any:
    """Wait until LibreOffice accepts on the pipe; it takes a second or more to start."""
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + _CONNECT_SECONDS
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            if office.poll() is not None:
                raise RuntimeError(f"LibreOffice exited with code {office.returncode} before accepting") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"LibreOffice did not accept within {_CONNECT_SECONDS:g} s") from None
            time.sleep(0.05)


def _convert(desktop: Any, source: str, dest: str) -> Any:
    """Write the PDF and return the still open document: closing it after the reply overlaps with the caller."""
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                       (_prop("Hidden", True), _prop("ReadOnly", True)))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the document")
    try:
        doc.storeToURL(uno.systemPathToFileUrl(dest), (_prop("FilterName", "writer_pdf_Export"),))
    except BaseException:
        doc.close(True)
        raise
    return doc


def _alive(desktop: Any, office: subprocess.Popen[bytes]) -> bool:
    """Whether LibreOffice still answers: after a crash the bridge is disposed and any call raises."""
    try:
        desktop.getComponents()
    except Exception:  # noqa: BLE001 - DisposedException, RuntimeException: the bridge is gone
        return False
    return office.poll() is None


def main(argv: list[str]) -> int:
    soffice, profile, pipe = argv
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", *_FLAGS,
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        try:
            desktop = _connect(pipe, office)
        except Exception as exc:  # noqa: BLE001 - reported to the caller, which falls back
            _say("crashed", str(exc))
            return 1
        _say("ready", office.pid)
        for line in sys.stdin:
            source, dest = json.loads(line)
            try:
                doc = _convert(desktop, source, dest)
            except Exception as exc:  # noqa: BLE001 - any UNO failure is this document's, unless soffice died
                if not _alive(desktop, office):
                    desktop = None
                    _say("crashed", f"{type(exc).__name__}: {exc}")
                    return 1
                _say("error", f"{type(exc).__name__}: {exc}")
            else:
                _say("ok")
                try:
                    doc.close(True)
                except Exception:  # noqa: BLE001 - a LibreOffice that died here is restarted by the caller
                    if not _alive(desktop, office):
                        desktop = None
                        return 1
        return 0
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:  # noqa: BLE001, S110 - it is being stopped anyway
                pass
        try:
            office.wait(10)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
