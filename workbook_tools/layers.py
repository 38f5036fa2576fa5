"""The package's floors, and the imports that must respect them.

Each module belongs to one layer (by its dotted name); a module may import its own layer and the layers
below it, never one above. The import graph is read from the source with :mod:`ast` (module-level and
function-level imports alike: an import deferred for speed is still a dependency), so the rule holds for
what the code does, not for what a diagram says. ``tests/test_layers.py`` enforces it and keeps the table
in ``docs/design.md`` current.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "workbook_tools"
SOURCE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Layer:
    name: str
    purpose: str
    modules: tuple[str, ...]  # dotted prefixes: a package stands for all its modules


#: Lowest first. The package root holds only the version and lazy re-exports, so every layer may read it.
LAYERS: tuple[Layer, ...] = (
    Layer("root", "the version; the public API re-exported lazily by name", (PACKAGE,)),
    Layer("core", "the spec and its vocabulary: cells, numbers, expressions, the evaluation model, intervals, "
                  "computed values, the findings catalogue, scoring rules, atomic writes; reads no workbook",
          (f"{PACKAGE}.core",)),
    Layer("read", "the outside world: the OOXML reader (one module per file part) and the spec-aware loader; "
                  "LibreOffice headless and its UNO helper script",
          (f"{PACKAGE}.xlsx", f"{PACKAGE}.libreoffice", f"{PACKAGE}.data.uno_pdf")),
    Layer("checks", "the checks over a loaded workbook, `validate`, and the faces of findings (text, JSON, "
                    "annotated copy)", (f"{PACKAGE}.checks",)),
    Layer("session", "one workbook opened once: read, computed and validated once for every use",
          (f"{PACKAGE}.session",)),
    Layer("write", "writing workbooks: the template, fill, prefill, migrate (an earlier version into the current)",
          (f"{PACKAGE}.template", f"{PACKAGE}.fill", f"{PACKAGE}.prefill", f"{PACKAGE}.migrate")),
    Layer("export", "the narrative report: outline → .docx / PDF / Markdown", (f"{PACKAGE}.export",)),
    Layer("batch", "the finance bureau's run: result data, inbox and cache, summary, one file's work, "
                   "isolation engines, the pipeline", (f"{PACKAGE}.batch",)),
    Layer("portal", "the intake portal (Django): departments upload, the bureau's board; calls the library only",
          (f"{PACKAGE}.portal",)),
    Layer("faces", "thin faces over the library: the CLI, the Excel button, the generated docs",
          (f"{PACKAGE}.cli", f"{PACKAGE}.excel", f"{PACKAGE}.docgen", f"{PACKAGE}.layers")),
)


def module_name(path: Path, source: Path = SOURCE) -> str:
    rel = path.relative_to(source.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(source: Path = SOURCE) -> dict[str, Path]:
    return {module_name(p, source): p for p in sorted(source.rglob("*.py"))}


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of the longest prefix that names ``module``."""
    best, length = -1, -1
    for i, layer in enumerate(LAYERS):
        for prefix in layer.modules:
            inside = module.startswith(prefix + ".") and prefix != PACKAGE  # the root is its __init__ alone
            if (module == prefix or inside) and len(prefix) > length:
                best, length = i, len(prefix)
    if best < 0:
        raise KeyError(f"{module} is in no layer of workbook_tools.layers.LAYERS")
    return best


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    deferred: bool  # inside a function: imported when first used


def _imports(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_pkg = path.name == "__init__.py"
    here = module.split(".") if is_pkg else module.split(".")[:-1]
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        deferred = id(node) not in top
        if isinstance(node, ast.Import):
            for a in node.names:
                yield Import(module, a.name, node.lineno, deferred)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:  # `from . import spec` imports the module workbook_tools.core.spec
                sub = f"{target}.{a.name}"
                yield Import(module, sub if sub in known else target, node.lineno, deferred)


def graph(source: Path = SOURCE) -> list[Import]:
    """Every import of the package, internal and external, with where it is."""
    mods = modules(source)
    known = set(mods)
    return [imp for m, p in mods.items() for imp in _imports(m, p, known)]


def internal(imports: list[Import]) -> list[Import]:
    return [i for i in imports if i.imported == PACKAGE or i.imported.startswith(PACKAGE + ".")]


def violations(imports: list[Import]) -> list[str]:
    """One line per import of a higher layer by a lower one."""
    out = []
    for i in internal(imports):
        a, b = layer_of(i.importer), layer_of(i.imported)
        if b > a:
            out.append(f"{i.importer} (layer {LAYERS[a].name}) imports {i.imported} (layer {LAYERS[b].name}) "
                       f"at line {i.line}")
    return out


def cycles(imports: list[Import]) -> list[list[str]]:
    """Import circles between modules (Tarjan's strongly connected components larger than one module)."""
    edges: dict[str, set[str]] = {}
    for i in internal(imports):
        if i.imported != i.importer:
            edges.setdefault(i.importer, set()).add(i.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".") if module != PACKAGE else PACKAGE


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    first = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", first).replace("``", "`")
    return first.replace("|", "\\|")


def layer_table(source: Path = SOURCE) -> str:
    """The Markdown table of ``docs/design.md``: layers from the top, each module, what it uses."""
    mods = modules(source)
    imports = graph(source)
    uses: dict[str, set[str]] = {m: set() for m in mods}
    external: dict[str, dict[str, bool]] = {m: {} for m in mods}  # package → only deferred imports?
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for i in imports:
        if i.imported == PACKAGE or i.imported.startswith(PACKAGE + "."):
            if i.imported != i.importer and i.imported != PACKAGE:
                uses[i.importer].add(f"`{_short(i.imported)}`")
        elif (top := i.imported.split(".")[0]) not in stdlib:
            external[i.importer][top] = external[i.importer].get(top, True) and i.deferred
    for m, packages in external.items():
        uses[m] |= {p + (" (lazily)" if lazy else "") for p, lazy in packages.items()}
    lines = ["| layer | module | what it is | uses |", "|---|---|---|---|"]
    for idx in range(len(LAYERS) - 1, -1, -1):
        layer = LAYERS[idx]
        members = [m for m in mods if layer_of(m) == idx]
        lines.append(f"| **{layer.name}** | | *{layer.purpose}* | |")
        for m in members:
            deps = sorted(uses[m], key=lambda s: (not s.startswith("`"), s))
            lines.append(f"| | `{_short(m)}` | {_summary(mods[m])} | {', '.join(deps) or 'stdlib'} |")
    return "\n".join(lines) + "\n"
