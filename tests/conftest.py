from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATE = ROOT / "templates" / "evaluation_template.xlsx"
SEED_JSON = EXAMPLES / "seed_2022_anhua_zhongdian.json"
CONSISTENT_JSON = EXAMPLES / "consistent_2023_qingshan_jiaoyu.json"


def need_soffice() -> None:
    """Skip without LibreOffice on a developer machine; under CI it must be there (.ci/run installs it)."""
    from workbook_tools.libreoffice import find_soffice

    if find_soffice() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required under CI=true; .ci/run installs it")
        pytest.skip("LibreOffice not installed")


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def seed_data() -> dict:
    return load_json(SEED_JSON)


@pytest.fixture
def consistent_data() -> dict:
    return load_json(CONSISTENT_JSON)


@pytest.fixture
def seed_xlsx(tmp_path: Path) -> Path:
    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    return write_filled(Evaluation.from_json(load_json(SEED_JSON)), tmp_path / "seed.xlsx")


@pytest.fixture
def consistent_xlsx(tmp_path: Path) -> Path:
    from workbook_tools.core.model import Evaluation
    from workbook_tools.template import write_filled

    return write_filled(Evaluation.from_json(load_json(CONSISTENT_JSON)), tmp_path / "consistent.xlsx")


@pytest.fixture(scope="session")
def soffice() -> str:
    need_soffice()
    from workbook_tools.libreoffice import find_soffice

    path = find_soffice()
    assert path is not None
    return path


@pytest.fixture
def copy_of(tmp_path: Path):
    def _copy(src: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copyfile(src, dest)
        return dest

    return _copy
