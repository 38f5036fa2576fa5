"""--lang en on the commands that print their own summary lines (profiles, migrate)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workbook_tools.cli.app import app
from workbook_tools.core import spec

from .conftest import FIXTURES

runner = CliRunner()


def test_profiles_in_english() -> None:
    r = runner.invoke(app, ["profiles", "--lang", "en"])
    assert r.exit_code == 0
    assert "anhua (default)" in r.output and "    rate: " in r.output and "    grades: " in r.output
    assert "执行率" not in r.output.split("=")[0]
    assert runner.invoke(app, ["profiles", "--lang", "fr"]).exit_code == 2


def test_migrate_in_english(tmp_path: Path) -> None:
    out = tmp_path / "new.xlsx"
    r = runner.invoke(app, ["migrate", str(FIXTURES / "v1_0" / "seed_1_0.xlsx"), "-o", str(out), "--lang", "en"])
    assert r.exit_code == 0 and out.exists()
    assert f"template 1.0 → {spec.TEMPLATE_VERSION}" in r.output and "values carried into" in r.output
