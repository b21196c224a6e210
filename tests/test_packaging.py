"""How the package is laid out and shipped: test support kept apart from the product."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


# --------------------------------------------------------------------------- dependencies

def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))


def _dist_name(req: str) -> str:
    import re

    return re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower().replace("_", "-")


def _third_party_imports(paths: list[Path]) -> set[str]:
    import sys

    tops = {m.split(".")[0] for p in paths for m in _imports(p)}
    return {t for t in tops if t and t != "workbook_tools" and t not in sys.stdlib_module_names}


def _dists_of(modules: set[str]) -> set[str]:
    from importlib.metadata import packages_distributions

    table = packages_distributions()
    out = set()
    for m in modules:
        assert m in table, f"{m} is imported but no installed distribution provides it"
        out.update(d.lower().replace("_", "-") for d in table[m])
    return out


def test_runtime_dependencies_are_exactly_what_the_product_imports() -> None:
    product = [p for p in PACKAGE.rglob("*.py") if "testing" not in p.relative_to(PACKAGE).parts]
    used = _dists_of(_third_party_imports(product))
    declared = {_dist_name(r) for r in _pyproject()["project"]["dependencies"]}
    assert used == declared, f"imported but not declared: {sorted(used - declared)}; " \
                             f"declared but never imported: {sorted(declared - used)}"


def test_test_support_needs_only_declared_dependencies() -> None:
    support = list((PACKAGE / "testing").rglob("*.py"))
    used = _dists_of(_third_party_imports(support))
    proj = _pyproject()["project"]
    declared = {_dist_name(r) for r in proj["dependencies"] + proj["optional-dependencies"]["dev"]}
    assert used <= declared, sorted(used - declared)


def test_version_has_one_source_and_wbt_prints_it() -> None:
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    proj = _pyproject()["project"]
    assert "version" not in proj and "version" in proj["dynamic"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "workbook_tools.__version__"}
    res = CliRunner().invoke(cli, ["--lang", "en", "--version"])
    assert res.exit_code == 0 and res.output.strip() == f"wbt, version {workbook_tools.__version__}"
    res = CliRunner().invoke(cli, ["--lang", "zh", "-V"])
    assert res.exit_code == 0 and res.output.strip() == f"wbt，版本 {workbook_tools.__version__}"


def test_the_wheel_carries_the_vba_sources_from_macros(tmp_path: Path) -> None:
    """setup.py's build step copies macros/ into the package; run it the way a wheel build does."""
    import subprocess
    import sys

    root = PACKAGE.parent
    res = subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    packaged = tmp_path / "workbook_tools" / "excel" / "addin" / "macros"
    expected = sorted(p.name for p in (root / "macros").iterdir() if p.suffix in (".bas", ".xml"))
    assert sorted(p.name for p in packaged.iterdir()) == expected
    for name in expected:
        assert (packaged / name).read_bytes() == (root / "macros" / name).read_bytes()
    manifest = (root / "MANIFEST.in").read_text(encoding="utf-8")
    assert "recursive-include macros *.bas *.xml" in manifest  # the sdist carries macros/ too


def test_tests_benchmarks_and_scripts_need_only_declared_dependencies() -> None:
    """``make install`` (``pip install -e '.[dev]'``) is all a fresh machine needs to run tests/,
    benchmarks/ and scripts/: every package they import is declared, not merely pulled in by
    another one. tests/lo_basic.py is left out: it runs under the system Python with python3-uno
    (installed by .ci/run), not in the venv."""
    root = PACKAGE.parent
    folders = [root / d for d in ("tests", "benchmarks", "scripts")]
    files = [p for d in folders for p in d.rglob("*.py") if p.name != "lo_basic.py"]
    local = {p.stem for d in folders for p in d.iterdir()} | {d.name for d in folders}
    used = _dists_of(_third_party_imports(files) - local)
    proj = _pyproject()["project"]
    declared = {_dist_name(r) for r in proj["dependencies"] + proj["optional-dependencies"]["dev"]}
    assert used <= declared, f"imported but not declared in pyproject's dev extras: {sorted(used - declared)}"


# --------------------------------------------------------------------------- .ci/run on a fresh machine

def _ci_needs(env: dict[str, str]) -> list[str]:
    """The Debian packages ``.ci/run`` would install (``--needs``: it only says so)."""
    import subprocess

    res = subprocess.run(["bash", str(PACKAGE.parent / ".ci" / "run"), "--needs"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout.split()


def test_ci_installs_make_and_the_venv_module_when_a_fresh_debian_lacks_them(tmp_path: Path) -> None:
    """A fresh Debian has no make, and its python3 makes no venv without python3-venv (no ensurepip):
    ``make test`` would fail before any test ran. Here a PATH without make and a python3 that
    cannot import ensurepip (as Debian's without python3-venv)."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "grep", "fc-list", "dpkg"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    fake_python = bin_dir / "python3"
    fake_python.write_text("#!/bin/sh\nexit 1\n")   # 'import ensurepip' fails
    fake_python.chmod(0o755)
    needs = _ci_needs({"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert "make" in needs and "python3-venv" in needs
    assert "python3" not in needs  # it is there, only its venv module is not


def test_ci_sees_the_cjk_fonts_that_are_installed() -> None:
    """``set -o pipefail`` and ``grep -q``: grep stops at the first match, fc-list dies of SIGPIPE
    and the check said the fonts were missing on every run, so CI ran apt-get each time (and failed
    without a network). Expected value from fc-list itself."""
    import os
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig (fc-list) is not installed")
    have = "noto sans cjk" in subprocess.run(["fc-list"], capture_output=True, text=True).stdout.lower()
    assert ("fonts-noto-cjk" in _ci_needs(dict(os.environ))) is not have
