"""One month-end planner for both doors: the same model gives the same plan, and the file job and
the live job (on the in-memory Excel) leave the same cells and log the same rows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from workbook_tools.excel import live
from workbook_tools.excel.xlreader import read_book
from workbook_tools.jobs.month_end import run_month_end
from workbook_tools.ops.month_end import MonthEndOptions, plan_month_end
from workbook_tools.reader import read_workbook
from workbook_tools.testing.xlwings_fake import FakeBook, book_from_file
from workbook_tools.writer.changelog import LOG_SHEET

AS_OF = dt.date(2026, 10, 31)
NOW = dt.datetime(2026, 11, 2, 8, 15)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("doors") / "CRM.xlsx"
    generate_sample(path, customers=80, seed=5, defects=0.05)   # IDs to assign, errors to find
    return path


def _copy(sample: Path, tmp_path: Path, name: str = "CRM.xlsx") -> Path:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample, tmp_path / name))


def _plan_dict(plan: object) -> dict[str, object]:
    cs = plan.changeset  # type: ignore[attr-defined]
    return {"changes": cs.to_dict(), "sheets": [(s.name, s.cells, s.charts) for s in cs.add_sheets],
            "findings": [f.to_dict() for f in plan.findings],   # type: ignore[attr-defined]
            "steps": [(s.key, s.planned, s.errors) for s in plan.steps]}   # type: ignore[attr-defined]


@pytest.mark.parametrize("month, annotate", [("2026-10", False), ("2026-09", True)])
def test_the_same_model_gives_the_same_plan_from_either_reader(sample: Path, month: str, annotate: bool) -> None:
    """The file reader and the xlwings reader give the planner the same model; it plans the same
    cells, marks, sheets and findings (2026-09 closes a quarter: both reviews)."""
    options = MonthEndOptions(annotate=annotate, lang="zh", source=sample.name, now=NOW)
    from_file = plan_month_end(read_workbook(sample), month, AS_OF, options)
    from_book = plan_month_end(read_book(book_from_file(sample))[0], month, AS_OF, options)
    assert from_file.complete and from_book.complete
    assert _plan_dict(from_file) == _plan_dict(from_book)
    cs = from_file.changeset
    assert {e.action for e in cs.edits} == {"ids", "tiers"} and cs.add_sheets
    assert [s.name for s in cs.add_sheets][-1] == ("2026-Q3 季度复盘" if month == "2026-09" else "2026-10 月度复盘")
    assert bool(cs.marks) == annotate


def test_planning_twice_on_one_model_gives_the_same_plan_and_leaves_the_model(sample: Path) -> None:
    model = read_workbook(sample)
    before = model.sheets["customers"].df.copy()
    options = MonthEndOptions(lang="zh", now=NOW)
    first, second = plan_month_end(model, "2026-10", AS_OF, options), plan_month_end(model, "2026-10", AS_OF, options)
    assert _plan_dict(first) == _plan_dict(second)
    assert model.sheets["customers"].df.equals(before)    # the IDs went into a copy of the model
    assert first.model is not model and first.model.sheets["customers"].df["customer_id"].notna().all()


def _shown(v: object) -> object:
    """A value as Excel keeps it: a double to 15 significant digits."""
    return float(f"{v:.15g}") if isinstance(v, float) else v


def _cells(book: FakeBook) -> dict[str, list[list[object]]]:
    """Every sheet's values but the change log's."""
    return {s.name: [[_shown(v) for v in row] for row in s.wbt_rows()] for s in book.sheets if s.name != LOG_SHEET}


def _same_cells(path: Path, book: FakeBook) -> None:
    """The file, as Excel would show it to xlwings, holds what the live run left in ``book``. The
    in-memory Excel does not calculate: where it shows a formula it could not work out, the
    formulas are compared (the file's read with openpyxl, a test-only reader)."""
    import openpyxl

    from workbook_tools.model import col_letter

    file_cells, live_cells = _cells(book_from_file(path)), _cells(book)
    wb = openpyxl.load_workbook(path)
    uncalculated = 0
    for name, rows in live_cells.items():
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v == "#FORMULA":
                    uncalculated += 1
                    row[c - 1] = book.sheets[name].wbt_cell(f"{col_letter(c)}{r}").formula
                    file_cells[name][r - 1][c - 1] = "=" + str(wb[name].cell(r, c).value).lstrip("=")
    assert file_cells == live_cells
    assert uncalculated > 0    # 是否逾期 is a formula in both


def _log(book: FakeBook) -> list[list[object]]:
    """The change-log rows without the time (column 1) and the backup (column 9): a file run keeps
    a backup, Excel has none."""
    return [row[1:8] for row in book.sheets[LOG_SHEET].wbt_rows()]


def test_file_and_live_month_end_leave_the_same_cells_and_log_the_same_rows(sample: Path, tmp_path: Path) -> None:
    path = _copy(sample, tmp_path / "file")
    rep = run_month_end(path, month="2026-10", as_of=AS_OF, now=NOW, lang="zh")
    assert rep.errors > 0 and rep.backup is not None and rep.html is not None
    book = book_from_file(_copy(sample, tmp_path / "live"))
    out = live.run("month_end", book=book, as_of=AS_OF, month="2026-10", now=NOW, user=_user(path), lang="zh")
    assert out.ok, out.message
    _same_cells(path, book)
    written = book_from_file(path)
    assert _log(written) == _log(book) and len(_log(book)) > 3
    assert [s.name for s in written.sheets] == [s.name for s in book.sheets]
    # both doors report the same findings and write the same HTML report beside the workbook
    assert [f.to_dict() for f in rep.findings] == [f.to_dict() for f in out.findings]
    html = (tmp_path / "live" / rep.html.name)
    assert out.files == [str(html)] and html.read_text(encoding="utf-8") == rep.html.read_text(encoding="utf-8")


def _user(path: Path) -> str:
    """The user the file writer logs (the live run is told the same)."""
    from workbook_tools.writer.changelog import current_user

    return current_user()


def test_a_new_id_column_is_written_first_then_read_again_by_either_door(sample: Path, tmp_path: Path) -> None:
    """No ID column: the planner stops after the IDs; each job writes them and reads again, then
    plans the rest. Both doors end with the same cells."""
    import openpyxl

    cust = read_workbook(sample).sheets["customers"]
    src = openpyxl.load_workbook(sample)   # a test fixture only: openpyxl never saves a user's file
    src[cust.name].delete_cols(cust.columns["customer_id"])
    noid = tmp_path / "noid.xlsx"
    src.save(noid)
    plan = plan_month_end(read_workbook(noid), "2026-10", AS_OF, MonthEndOptions(now=NOW))
    assert plan.reread and [s.key for s in plan.steps] == ["validate", "ids"]
    path = _copy(noid, tmp_path / "file", "noid.xlsx")
    rep = run_month_end(path, month="2026-10", as_of=AS_OF, now=NOW, lang="zh")
    assert rep.reads == 2 and len(rep.applied) == 2 and rep.step("ids").written
    book = book_from_file(_copy(noid, tmp_path / "live", "noid.xlsx"))
    out = live.run("month_end", book=book, as_of=AS_OF, month="2026-10", now=NOW, user=_user(path), lang="zh")
    assert out.ok, out.message
    assert len(out.reports) == 2
    _same_cells(path, book)
    assert read_workbook(path).sheets["customers"].df["customer_id"].notna().all()
