"""Everything is declared in pyproject.toml; this file only ships the add-in's VBA sources.

``macros/`` (top of the source tree) is the one home of the VBA modules and the committed ribbon
XML. ``wbt excel build-addin`` needs them after a plain ``pip install``, so building the package
copies them into it as ``workbook_tools/excel/addin/macros/`` (never committed there: one source,
no second copy that could drift). MANIFEST.in puts ``macros/`` into the sdist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MACROS = Path(__file__).resolve().parent / "macros"
PACKAGED = Path("workbook_tools") / "excel" / "addin" / "macros"
PATTERNS = ("*.bas", "*.xml")


class BuildPyWithMacros(build_py):
    """``build_py`` plus the files of ``macros/`` copied into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads macros/ from the source tree itself
            return
        files = [f for pattern in PATTERNS for f in sorted(MACROS.glob(pattern))]
        if not any(f.suffix == ".bas" for f in files):
            raise SystemExit(f"no VBA sources (*.bas) in {MACROS}: the add-in could not be built")
        target = Path(self.build_lib) / PACKAGED
        target.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(f, target / f.name)


setup(cmdclass={"build_py": BuildPyWithMacros})
