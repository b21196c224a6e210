"""A workbook's own language names the sheets the tool adds: English headers get "Change log",
"Validation results" and "2026-10 Monthly review", and the reader knows them as its own the next
time (not data, not a stray sheet), so a second run replaces or continues them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.reader import read_workbook
from workbook_tools.schema import changelog_sheet_name, changelog_sheet_number

AS_OF = "2026-10-31"
EN_SHEETS = ["Customers", "Contact log", "Complaints", "Lists & settings", "Instructions"]


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample data (with planted errors) in the English template: English sheet names and headers."""
    import random

    from workbook_tools.sample import plant_defects
    from workbook_tools.sample.generator import generate_data
    from workbook_tools.template import build_workbook

    end = dt.date(2026, 10, 31)
    path = tmp_path_factory.mktemp("en") / "crm_en.xlsx"
    data = generate_data(customers=40, seed=9, end=end)
    plant_defects(data, rate=0.2, rng=random.Random(9), end=end)
    build_workbook(path, lang="en", data=data)
    return path


@pytest.fixture
def book(english: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(english, tmp_path / "crm_en.xlsx"))


def test_the_language_is_the_workbooks_own_words(english: Path, tmp_path: Path) -> None:
    model = read_workbook(english)
    assert model.sheet_names == EN_SHEETS and model.lang == "en"
    from workbook_tools.sample import generate_sample

    generate_sample(tmp_path / "zh.xlsx", customers=5, seed=1)
    assert read_workbook(tmp_path / "zh.xlsx").lang == "zh"


def test_an_english_workbook_gets_english_sheets_and_reads_them_as_its_own(book: Path) -> None:
    res = CliRunner().invoke(cli, ["--lang", "zh", "month-end", str(book), "--month", "2026-10", "--as-of", AS_OF,
                                   "--annotate"])
    assert res.exit_code in (0, 1), res.output
    model = read_workbook(book)
    added = model.sheet_names[len(EN_SHEETS):]
    assert sorted(added) == ["2026-10 Monthly review", "Change log", "Validation results", "_wbt_history",
                             "_wbt_marks"]
    assert (book.parent / "crm_en_2026-10_Monthly_review.html").exists()
    assert res.exit_code == 1 and "见工作表“Validation results”" in res.output   # named as written
    assert "的工作表“2026-10 Monthly review”" in res.output
    # the next read: the generated sheets are the tool's own, the workbook still English
    assert model.lang == "en" and set(model.sheets) == {"customers", "contacts", "complaints"}
    assert not [n for n in model.notices if n.code == "R-EXTRA-SHEET"]
    # a second run replaces the review and the results, and continues the same change log
    log_rows = len(_log(book))
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", "2026-10", "--as-of", AS_OF, "--annotate",
                                   "--force"])
    assert res.exit_code in (0, 1), res.output
    again = read_workbook(book)
    assert again.sheet_names == model.sheet_names
    assert len(_log(book)) > log_rows


def test_a_quarter_review_and_the_live_door_name_sheets_the_same_way(book: Path) -> None:
    from workbook_tools.excel import live
    from workbook_tools.testing.xlwings_fake import book_from_file

    xl = book_from_file(book)
    out = live.run("month_end", book=xl, as_of=dt.date(2026, 10, 5), month="2026-09", lang="zh", user="t")
    assert out.ok, out.message
    names = xl.sheets.wbt_names()
    assert {"2026-09 Monthly review", "2026-Q3 Quarterly review", "Change log"} <= set(names)
    assert not [n for n in names if n.endswith(("月度复盘", "季度复盘")) or n.startswith("变更日志")]


def test_an_existing_log_keeps_its_name(book: Path) -> None:
    """A workbook whose log is 变更日志 already goes on writing there, whatever its headers."""
    from workbook_tools.changeset import Changeset, GeneratedSheet
    from workbook_tools.writer import apply_changeset, apply_plan

    apply_changeset(book, Changeset("t", add_sheets=[GeneratedSheet("Notes")]))   # no model: Chinese default
    assert "变更日志" in read_workbook(book).sheet_names
    model = read_workbook(book)
    apply_plan(book, Changeset("t", add_sheets=[GeneratedSheet("Notes 2")]), model)
    names = read_workbook(book).sheet_names
    assert "Change log" not in names and len(_log(book, "变更日志")) == 2


def test_change_log_names_in_both_languages() -> None:
    assert [changelog_sheet_name(n, "en") for n in (1, 2)] == ["Change log", "Change log 2"]
    assert [changelog_sheet_name(n) for n in (1, 3)] == ["变更日志", "变更日志 3"]
    for name, n in (("Change log", 1), ("change LOG 2", 2), ("Change log １２", 12), ("变更日志 2", 2),
                    ("Change logs", 0), ("Changelog 1", 0), ("Change log 0", 0), ("Log", 0)):
        assert changelog_sheet_number(name) == n, name


def _log(path: Path, name: str = "Change log") -> list[tuple[object, ...]]:
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True)[name]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
