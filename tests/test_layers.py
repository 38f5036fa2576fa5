"""The package's floors hold: no module imports a higher layer, no import circles, the design table is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook_tools import layers
from workbook_tools.docgen import DOCS, SECTIONS, with_sections


def test_every_module_has_a_layer() -> None:
    for module in layers.modules():
        layers.layer_of(module)  # KeyError names the module


def test_no_module_imports_a_higher_layer() -> None:
    assert layers.violations(layers.graph()) == []


def test_no_import_circles() -> None:
    assert layers.cycles(layers.graph()) == []


def test_the_design_table_is_generated_from_the_imports() -> None:
    for name in SECTIONS:
        text = (DOCS / name).read_text(encoding="utf-8")
        assert with_sections(name, text) == text, f"docs/{name} is stale: run scripts/gen_docs.py"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "workbook_tools"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def test_an_upward_import_is_caught_even_inside_a_function(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/spec.py": "def f():\n    from ..batch import pipeline\n",
        "batch/__init__.py": "",
        "batch/pipeline.py": "from ..core import spec\n",
    })
    found = layers.violations(layers.graph(root))
    assert found == ["workbook_tools.core.spec (layer core) imports workbook_tools.batch.pipeline (layer batch) at line 2"]


def test_a_circle_is_caught(tmp_path: Path) -> None:
    root = _package(tmp_path, {
        "__init__.py": "",
        "export/__init__.py": "",
        "export/styles.py": "from .wording import X\n",
        "export/wording.py": "def f():\n    from . import styles\n",
    })
    assert layers.cycles(layers.graph(root)) == [["workbook_tools.export.styles", "workbook_tools.export.wording"]]


def test_a_module_outside_every_layer_is_named() -> None:
    with pytest.raises(KeyError, match="workbook_tools.nowhere"):
        layers.layer_of("workbook_tools.nowhere")
    with pytest.raises(KeyError, match="elsewhere"):
        layers.layer_of("elsewhere")
