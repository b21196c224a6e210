"""Shared test set-up.

Tests marked ``@pytest.mark.soffice`` need LibreOffice headless: they are skipped when
``soffice`` is missing, except when ``WBT_REQUIRE_SOFFICE=1`` (CI sets it), where they run and
fail loudly instead of hiding a missing install step. Tests marked ``@pytest.mark.browser`` need
a headless Chromium (the HTML report as a reader sees it), with ``WBT_REQUIRE_BROWSER=1`` the same way.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest


def soffice_required() -> bool:
    return os.environ.get("WBT_REQUIRE_SOFFICE") == "1"


def browser_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def uno_python() -> str | None:
    """A Python that can ``import uno`` (the system one with python3-uno), for tests/lo_basic.py."""
    import subprocess

    for exe in ("/usr/bin/python3", shutil.which("python3")):
        if exe and subprocess.run([exe, "-c", "import uno"], capture_output=True).returncode == 0:
            return exe
    return None


def require_lo_basic() -> str:
    """The uno Python, or skip (fail when ``WBT_REQUIRE_SOFFICE=1``) when it or soffice is missing."""
    py = uno_python()
    if py is None or not shutil.which("soffice"):
        if soffice_required():
            pytest.fail("soffice or python3-uno is missing")
        pytest.skip("soffice or python3-uno is missing")
    return py


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = {}
    if not (shutil.which("soffice") or soffice_required()):
        missing["soffice"] = "LibreOffice (soffice) is not installed; set WBT_REQUIRE_SOFFICE=1 to fail instead"
    if not (browser_binary() or os.environ.get("WBT_REQUIRE_BROWSER") == "1"):
        missing["browser"] = "Chromium is not installed; set WBT_REQUIRE_BROWSER=1 to fail instead"
    for item in items:
        for marker, why in missing.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture
def zh() -> Iterator[None]:
    """Messages in Chinese for the test, the language reset afterwards."""
    from workbook_tools.i18n import set_lang

    set_lang("zh")
    yield
    set_lang(None)
