"""The floors of docs/maintainers.md hold: ``ops/`` is pure (model in, findings and a Changeset out)
and imports nothing from the floors above it (writer, report, jobs, cli, excel, outputs), nothing that
reads or writes files, renders reports, talks to Excel or prints, and no private name of the reader,
not even inside a function; only ``jobs/`` sequences steps. Walked over the source, so a new module
is checked the day it is added."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workbook_tools

PKG = Path(workbook_tools.__file__).parent

# what an operation never imports: appliers, renderers, jobs, doors, the output files, the
# template builder (it writes workbooks), test support, and the console/report libraries
FORBIDDEN = ("workbook_tools.writer", "workbook_tools.report", "workbook_tools.jobs", "workbook_tools.cli",
             "workbook_tools.excel", "workbook_tools.outputs", "workbook_tools.template", "workbook_tools.testing",
             "workbook_tools.sample", "click", "rich", "jinja2", "xlsxwriter", "openpyxl", "xlwings")
# the reader's floor is below ops, but not its file reading: the package entry (read_workbook)
# and the modules that open, scan and parse files
READER_FILES = ("workbook_tools.reader.workbook", "workbook_tools.reader.onesheet", "workbook_tools.reader.safety",
                "workbook_tools.reader.xmlscan", "workbook_tools.reader.extent", "workbook_tools.reader.grid")
# calls that touch the file system
FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "unlink", "rmdir", "rename",
              "iterdir", "glob", "rglob", "touch", "chmod"}


def _module(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, source: str | None = None) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names) of every import in ``path``, inside functions too."""
    mod = _module(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source if source is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[:len(up) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            out.append((node.lineno, base, [a.name for a in node.names]))
    return out


def violations(path: Path, source: str | None = None) -> list[str]:
    mod = _module(path)
    source = source if source is not None else path.read_text(encoding="utf-8")
    found = []
    for line, target, names in imports(path, source):
        full = [target, *(f"{target}.{n}" for n in names)]
        if any(t == f or t.startswith(f + ".") for t in full for f in FORBIDDEN):
            found.append(f"{mod}:{line} imports {target} {names}")
        elif target == "workbook_tools.reader" and "read_workbook" in names or \
                any(target == r or target.startswith(r + ".") for r in READER_FILES):
            found.append(f"{mod}:{line} reads files through {target} {names}")
        elif target.startswith("workbook_tools.reader"):
            private = [f"{target}.{n}" for n in names if n.startswith("_")]
            found += [f"{mod}:{line} uses the reader's private {p}" for p in private]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in FILE_CALLS:
                found.append(f"{mod}:{node.lineno} touches files ({name})")
    return found


def test_every_operation_is_pure() -> None:
    modules = sorted((PKG / "ops").rglob("*.py"))
    assert len(modules) > 40   # the walk sees the whole package
    bad = [v for p in modules for v in violations(p)]
    assert bad == []


@pytest.mark.parametrize("source, expected", [
    ("from ..writer import apply_plan\n", "imports workbook_tools.writer"),
    ("import rich.console\n", "imports rich.console"),
    ("def f():\n    from ..jobs.month_end import run_month_end\n", "imports workbook_tools.jobs.month_end"),
    ("from .. import outputs\n", "imports workbook_tools ['outputs']"),
    ("from ..reader import read_workbook\n", "reads files through workbook_tools.reader"),
    ("from ..reader.onesheet import read_sheet_rows\n", "reads files through workbook_tools.reader.onesheet"),
    ("from ..reader.parse import _HIDDEN\n", "the reader's private workbook_tools.reader.parse._HIDDEN"),
    ("def f(p):\n    return p.read_text()\n", "touches files (read_text)"),
    ("def f(p):\n    with open(p) as fh:\n        return fh\n", "touches files (open)"),
])
def test_the_walk_catches_each_kind_of_impurity(source: str, expected: str) -> None:
    found = violations(PKG / "ops" / "probe.py", source)
    assert any(expected in v for v in found), found


def test_the_walk_sees_relative_imports() -> None:
    """A relative import two levels up resolves to its absolute module."""
    got = imports(PKG / "ops" / "validate" / "cells.py")
    assert any(m == "workbook_tools.values" for _, m, _ in got)
    assert any(m == "workbook_tools.ops.matching" for _, m, _ in got)


def test_pure_imports_pass_the_walk() -> None:
    source = ("from ..changeset import Changeset\nfrom ..reader.parse import is_empty\nfrom .review import Period\n"
              "import pandas as pd\n")
    assert violations(PKG / "ops" / "probe.py", source) == []


def test_only_jobs_and_doors_call_the_month_end_planner() -> None:
    """One planner, called by the month-end job alone (both doors go through the job)."""
    callers = set()
    for path in PKG.rglob("*.py"):
        for _, target, names in imports(path):
            if target == "workbook_tools.ops.month_end" and "plan_month_end" in names:
                callers.add(_module(path))
    assert callers == {"workbook_tools.jobs.month_end"}


def test_the_doors_do_not_reach_past_the_jobs_for_the_month_end() -> None:
    for door in ("cli/cmd_month_end.py", "excel/live.py"):
        targets = {t for _, t, _ in imports(PKG / door)}
        assert "workbook_tools.jobs.month_end" in targets, door
        assert not targets & {"workbook_tools.ops.ids", "workbook_tools.ops.tiers", "workbook_tools.ops.mirror"}, door
