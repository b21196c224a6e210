"""The one module for cell values (workbook_tools.values): each helper against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbook_tools import values as V
from workbook_tools.i18n import set_lang


@pytest.mark.parametrize(("raw", "want"), [
    (np.int64(3), 3), (np.float64(2.5), 2.5), (np.bool_(True), True), (float("nan"), None), (pd.NaT, None),
    (pd.Timestamp("2024-03-05 14:30"), dt.datetime(2024, 3, 5, 14, 30)), (None, None), ("甲", "甲"),
])
def test_to_python(raw: object, want: object) -> None:
    got = V.to_python(raw)
    assert got == want and type(got) is type(want)


def test_to_json() -> None:
    assert V.to_json(pd.Timestamp("2024-03-05")) == "2024-03-05T00:00:00"
    assert V.to_json(dt.date(2024, 3, 5)) == "2024-03-05"
    assert V.to_json(dt.timedelta(hours=36)) == 1.5
    assert V.to_json(np.float64("nan")) is None


@pytest.mark.parametrize(("raw", "want", "with_seconds"), [
    (None, "", ""), (float("nan"), "", ""), (3.0, "3", "3"), (3.25, "3.25", "3.25"), (True, "TRUE", "TRUE"),
    (dt.datetime(2024, 3, 5), "2024-03-05", "2024-03-05"),
    (dt.datetime(2024, 3, 5, 14, 30), "2024-03-05 14:30", "2024-03-05 14:30:00"),
    (pd.Timestamp("2024-03-05 14:30:15"), "2024-03-05 14:30", "2024-03-05 14:30:15"),
    (dt.date(2024, 3, 5), "2024-03-05", "2024-03-05"), (np.int64(7), "7", "7"), ("客户", "客户", "客户"),
])
def test_display(raw: object, want: str, with_seconds: str) -> None:
    assert V.display(raw) == want
    assert V.display(raw, seconds=True) == with_seconds


def test_shown_names_an_empty_cell_in_the_users_language() -> None:
    try:
        set_lang("zh")
        assert V.shown("") == "(空)" and V.shown(None) == "(空)" and V.shown(0.0) == "0"
        set_lang("en")
        assert V.shown(None) == "(empty)"
    finally:
        set_lang(None)


def test_display_width_counts_wide_characters_twice() -> None:
    assert V.display_width("ab") == 2
    assert V.display_width("客户A") == 5
    assert V.display_width("（）") == 4     # full-width brackets


@pytest.mark.parametrize(("raw", "empty", "mark"), [
    (None, True, False), (float("nan"), True, False), (pd.NaT, True, False), ("", True, True), ("  ", True, True),
    ("-", False, True), (" 无 ", False, True), ("N/A", False, True), ("－", False, True), ("—", False, True),
    ("0", False, False), (0, False, False), ("无锡", False, False),
])
def test_emptiness(raw: object, empty: bool, mark: bool) -> None:
    assert V.is_empty(raw) is empty
    assert V.is_empty_mark(raw) is mark


def test_per_value_calls_once_per_distinct_value() -> None:
    calls: list[object] = []

    def f(v: object) -> str:
        calls.append(v)
        return f"<{v}>"

    assert V.per_value(["a", "b", "a", None, "b"], f) == ["<a>", "<b>", "<a>", "<None>", "<b>"]
    assert sorted(map(str, calls)) == ["None", "a", "b"]
    calls.clear()
    # 1, 1.0 and True are three values
    assert V.per_value([1, 1.0, True, 1], lambda v: type(v).__name__) == ["int", "float", "bool", "int"]
    assert list(V.empty_mask(["x", None, " ", float("nan")])) == [False, True, True, True]
