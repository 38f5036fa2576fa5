"""The README's command outputs, re-run: every block marked ``<!-- readme-check -->`` is a transcript whose
``$ command`` lines run in order in one scratch folder (a copy of ``examples/``, the project's ``.venv/bin``
first on PATH) and whose printed lines must be what the commands print now.

    python scripts/readme_outputs.py            # compare; exit 1 and show the differences when stale
    python scripts/readme_outputs.py --update   # rewrite the outputs in README.md from the real commands

A marker may carry setup commands that run before the block, unshown: ``<!-- readme-check: cp a b; mkdir c -->``.
Outputs are compared after normalisation: the scratch folder's path becomes ``.`` and trailing spaces go.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKER = re.compile(r"^<!-- readme-check(?::\s*(?P<setup>.*?))?\s*-->\s*$")
PROMPT = "$ "


@dataclass
class Block:
    setup: str
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    lines: list[str]


def blocks(lines: list[str]) -> list[Block]:
    out = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            raise ValueError(f"README.md:{i + 1}: a readme-check marker must stand right above a ``` block")
        end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
        out.append(Block(m.group("setup") or "", i + 2, end, lines[i + 2:end]))
    return out


def _environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WBT_", "PYTEST", "CI"))}
    bin_dir = Path(sys.executable).parent
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONUNBUFFERED="1", COLUMNS="200",
               LC_ALL="C.UTF-8", HOME=str(work / ".home"), TMPDIR=str(work / ".tmp"), NO_COLOR="1")
    return env


def _run(command: str, work: Path, env: dict[str, str], last: int) -> tuple[str, int]:
    proc = subprocess.run(["bash", "-c", f"(exit {last}); {command}"], cwd=work, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    return proc.stdout, proc.returncode


def normalise(text: str, work: Path) -> list[str]:
    text = text.replace(str(work.resolve()) + "/", "").replace(str(work) + "/", "")
    return [line.rstrip() for line in text.splitlines()]


def rerun(lines: list[str]) -> list[str]:
    """README lines with every checked block's outputs replaced by what the commands print now."""
    result = list(lines)
    with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "examples", work / "examples")
        (work / ".home").mkdir()
        (work / ".tmp").mkdir()
        env = _environment(work)
        # later blocks replace lines of earlier ones: go from the bottom up after running top-down
        rewritten: list[tuple[Block, list[str]]] = []
        for block in blocks(lines):
            if block.setup:
                out, code = _run(block.setup, work, env, 0)
                if code:
                    raise RuntimeError(f"README setup failed ({block.setup}): {out}")
            new: list[str] = []
            last = 0
            for line in block.lines:
                if line.startswith(PROMPT):
                    new.append(line)
                    out, last = _run(line[len(PROMPT):], work, env, last)
                    new += normalise(out, work)
            rewritten.append((block, new))
        for block, new in reversed(rewritten):
            result[block.start:block.end] = new
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite README.md with the real outputs")
    args = parser.parse_args(argv)
    lines = README.read_text(encoding="utf-8").splitlines()
    fresh = rerun(lines)
    if fresh == lines:
        print("README.md: every checked command prints what it shows")
        return 0
    if args.update:
        README.write_text("\n".join(fresh) + "\n", encoding="utf-8")
        print("README.md: outputs rewritten from the real commands")
        return 0
    sys.stdout.writelines(difflib.unified_diff([f"{s}\n" for s in lines], [f"{s}\n" for s in fresh],
                                               "README.md", "README.md (commands now)"))
    print("README.md is stale: run python scripts/readme_outputs.py --update", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
