"""A ribbon click and ``wbt --help`` load only what they use: pandas (≈0.3 s of a cold start) is
imported when a command reads a workbook, not when the CLI or the live module is loaded."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numpy", "jinja2", "xlsxwriter", "openpyxl")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint('LOADED:', *(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.rstrip().splitlines()[-1].split()[1:]


def test_importing_the_live_module_loads_no_heavy_library() -> None:
    assert _loaded_after("import workbook_tools.excel.live") == []


def test_wbt_help_loads_no_heavy_library() -> None:
    code = ("import sys\nfrom workbook_tools.cli.main import cli\n"
            "try:\n    cli.main(['--help'], prog_name='wbt', standalone_mode=False)\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []


def test_a_subcommands_help_loads_no_heavy_library() -> None:
    code = ("from workbook_tools.cli.main import cli\n"
            "try:\n    cli.main(['month-end', '--help'], prog_name='wbt', standalone_mode=False)\n"
            "except SystemExit:\n    pass")
    assert _loaded_after(code) == []
