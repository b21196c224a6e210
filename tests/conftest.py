"""Shared test set-up.

Tests marked ``@pytest.mark.soffice`` need LibreOffice headless: they are skipped when
``soffice`` is missing, except when ``WBT_REQUIRE_SOFFICE=1`` (CI sets it), where they run and
fail loudly instead of hiding a missing install step.
"""

from __future__ import annotations

import os
import shutil

import pytest


def soffice_required() -> bool:
    return os.environ.get("WBT_REQUIRE_SOFFICE") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("soffice") or soffice_required():
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed; set WBT_REQUIRE_SOFFICE=1 to fail instead")
    for item in items:
        if "soffice" in item.keywords:
            item.add_marker(skip)
