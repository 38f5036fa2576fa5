"""Building blocks of the portal tests: a department list, a round, signed-in clients, uploads."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.factory import CONSISTENT_XLSX, consistent_input

ROOT = Path(__file__).resolve().parents[2]
MAPPING = json.loads((ROOT / "workbook_tools" / "data" / "prefill_columns.json").read_text(encoding="utf-8"))
CONSISTENT_UNIT = str(consistent_input("unit_name"))
YEAR = int(consistent_input("fiscal_year"))


def departments_csv(path: Path, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    """The budget system's export: the consistent example's unit (its real amounts), then ``extra`` units."""
    columns = {name: headers[0] for name, headers in MAPPING["columns"].items() if headers}
    rows = []
    row = {}
    for name, header in columns.items():
        v = consistent_input(name)
        row[header] = "" if v is None else str(v)
    rows.append(row)
    for i, unit in enumerate(extra):
        rows.append(dict(row, **{columns["unit_name"]: unit, columns["staff_actual"]: str(10 + i)}))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns.values()))
        w.writeheader()
        w.writerows(rows)
    return path


def admin_user(username: str = "bureau", password: str = "bureau-pass-123") -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=password, is_staff=True, is_superuser=True)


def make_round(tmp: Path, extra: list[str] = (), deadline_days: int = 7) -> tuple[Any, list[Any]]:  # type: ignore[assignment]
    """A round with the consistent unit first; returns (round, departments in list order)."""
    from django.utils import timezone

    from workbook_tools.portal import services
    from workbook_tools.portal.models import Round

    rnd = Round.objects.create(title=f"{YEAR}年度部门整体支出绩效评价", year=YEAR,
                               deadline=timezone.now() + timedelta(days=deadline_days))
    src = departments_csv(tmp / "departments.csv", extra)
    services.import_departments(rnd, "departments.csv", [src.read_bytes()])
    return rnd, list(rnd.departments.order_by("row"))


def client_for(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def upload(client: Any, path: Path, name: str | None = None) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(name or path.name, path.read_bytes(),
                           content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return client.post("/department/", {"workbook": f})


__all__ = ["CONSISTENT_XLSX", "CONSISTENT_UNIT", "YEAR", "departments_csv", "admin_user", "make_round",
           "client_for", "upload"]
