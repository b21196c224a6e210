"""The floors of docs/maintainers.md hold: an operation (``workbook_tools/ops``) imports nothing from
the floors above it (writer, report, jobs, cli, excel, outputs) and no private name of the reader,
not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "workbook_tools"
ABOVE_OPS = ("writer", "report", "jobs", "cli", "excel", "outputs")
# Orchestration still in ops/ that the jobs layer (workbook_tools/jobs/) takes over: the month-end
# file run and folder runs. Each entry must still be needed (the test fails on a stale one).
NOT_YET_MOVED = {"ops/month_end.py", "ops/folder.py"}


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names) of every import in ``path``, at any depth."""
    parts = ["workbook_tools", *path.relative_to(PKG).with_suffix("").parts]
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [a.name for a in node.names]
            if not node.module:  # from . import x: each name is a module
                out += [(node.lineno, f"{module}.{n}", []) for n in names]
            else:
                out.append((node.lineno, module, names))
    return out


def test_operations_import_nothing_from_the_floors_above_or_reader_internals() -> None:
    bad, waiting = [], set()
    for path in sorted((PKG / "ops").rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        for line, module, names in _imports(path):
            where = f"{rel}:{line}"
            above = any(module == f"workbook_tools.{f}" or module.startswith(f"workbook_tools.{f}.") for f in ABOVE_OPS)
            if above and rel in NOT_YET_MOVED:
                waiting.add(rel)
            elif above:
                bad.append(f"{where} imports {module}")
            if module.startswith("workbook_tools.reader") and any(n.startswith("_") for n in names):
                bad.append(f"{where} imports {module}.{[n for n in names if n.startswith('_')]}")
    assert bad == []
    assert waiting == NOT_YET_MOVED, f"no longer needed, drop from NOT_YET_MOVED: {sorted(NOT_YET_MOVED - waiting)}"


def test_the_walk_sees_relative_imports() -> None:
    """The checker itself: a relative import two levels up resolves to its absolute module."""
    got = _imports(PKG / "ops" / "validate" / "cells.py")
    assert any(m == "workbook_tools.values" for _, m, _ in got)
    assert any(m == "workbook_tools.ops.matching" for _, m, _ in got)
