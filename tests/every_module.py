"""Import every module of the package, the portal's Django models included (they need Django set up first)."""

from __future__ import annotations

import importlib
import pkgutil
import tempfile

import workbook_tools


def import_every_module() -> list[str]:
    from django.conf import settings

    if not settings.configured:
        from workbook_tools.portal import server

        server.configure(tempfile.mkdtemp(prefix="wbt-every-module-"))
    names = [m.name for m in pkgutil.walk_packages(workbook_tools.__path__, "workbook_tools.")
             if not m.name.endswith("__main__")]
    for name in names:
        importlib.import_module(name)
    return names
