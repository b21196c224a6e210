"""Shared helpers for the review tests: one customer row, a review of June 2024 built from rows, and
Chinese labels for the length of a test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workbook_tools.i18n import set_lang
from workbook_tools.ops.review import Review, compute_review
from workbook_tools.testing import make_model

AS_OF = dt.date(2024, 7, 10)    # June 2024 is over: its snapshot is 2024-06-30, the previous period May


@pytest.fixture(autouse=True)
def zh():
    set_lang("zh")
    yield
    set_lang(None)


def cust(name: str, **kw: Any) -> dict[str, Any]:
    """A customer row with the required columns filled, plus ``kw``."""
    return {"name": name, "contact": "联系人", "phone": "13800000000", **kw}


def review(customers=(), contacts=(), complaints=(), month: str = "2024-06", **kw: Any) -> Review:
    model = make_model(customers=list(customers), contacts=list(contacts), complaints=list(complaints), **kw)
    return compute_review(model, month=month, as_of=AS_OF)
