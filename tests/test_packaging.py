"""How the package is laid out and shipped: test support kept apart from the product."""

from __future__ import annotations

import ast
from pathlib import Path

import workbook_tools

PACKAGE = Path(workbook_tools.__file__).parent


def _imports(path: Path) -> set[str]:
    """Absolute module names a source file imports (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(rel.parts[:-1])  # the package a relative import starts from
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def test_product_modules_never_import_test_support() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "testing" in path.relative_to(PACKAGE).parts:
            continue
        bad = {m for m in _imports(path) if m == "workbook_tools.testing" or m.startswith("workbook_tools.testing.")}
        if bad:
            offenders.append(f"{path.relative_to(PACKAGE)}: {sorted(bad)}")
    assert not offenders


def test_import_resolution_sees_relative_imports() -> None:
    """The check above can fail: a relative import of the test package is seen."""
    got = _imports(PACKAGE / "testing" / "fake_cells.py")
    assert "workbook_tools.model" in got and "workbook_tools.testing.xlwings_fake.FakeSheet" in got
