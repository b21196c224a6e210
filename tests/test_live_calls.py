"""Few calls into Excel: every button on 1,000 customers stays within a few hundred calls (each one
a round trip between processes on Windows), and the blocks and unions that make it so change only
what they mean to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workbook_tools import actions
from workbook_tools.changeset import CellEdit, CellMark, Changeset
from workbook_tools.excel import live, xlapply, xlutil
from workbook_tools.styles import MARKS
from workbook_tools.testing.xlwings_fake import FakeBook, book_from_file

AS_OF = dt.date(2026, 11, 5)
MAX_CALLS = 500  # "a few hundred"; marking cells is the largest (~305), month-end ~225


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("calls") / "CRM1000.xlsx"
    generate_sample(path, customers=1000, seed=7, defects=0.05)
    return path


def _calls(book: FakeBook, key: str) -> int:
    book.app.wbt_calls.clear()
    out = live.run(key, book=book, as_of=AS_OF, month="2026-10", lang="en", user="t")
    assert out.ok, out.message
    return sum(book.app.wbt_calls.values())


@pytest.mark.parametrize("key", [a.key for a in actions.ACTIONS])
def test_every_button_on_1000_customers_makes_a_few_hundred_calls(thousand: Path, key: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    book = book_from_file(thousand)
    if key.startswith("export"):  # exports write files beside the book, not a call into Excel: skip that part
        from workbook_tools.writer import exports

        monkeypatch.setattr(exports, "write_exports", lambda res, lang=None: [])
        assert _calls(book, key) <= MAX_CALLS
        return
    first = _calls(book, key)
    again = _calls(book, key)  # a second click: marks cleared and set again, sheets replaced
    assert first <= MAX_CALLS and again <= MAX_CALLS, (first, again)


def _book() -> FakeBook:
    book = FakeBook("t.xlsx")
    book.wbt_add_sheet("S", [["h1", "h2"]] + [[f"a{r}", None] for r in range(2, 12)])
    return book


def test_a_block_rewrites_the_cells_between_edits_exactly_and_never_a_formula_or_error() -> None:
    book = _book()
    sh = book.sheets["S"]
    sh.range("B3").value = "=A3"                        # a formula between two edits
    cell = sh.wbt_cell("B4")
    cell.value, cell.formula = None, "#N/A"             # an error value: xlwings reads it as empty
    sh.range("B5").value = "'001"                       # text
    sh.range("B6").value = 7.25                         # a number
    sh.range("B7").value = dt.datetime(2024, 1, 5, 9, 30)
    sh.range("B8").value = dt.datetime(2024, 1, 5, 9, 30, 0, 500_000)   # finer than a second
    edits = [CellEdit("S", f"B{r}", f"n{r}") for r in (2, 9, 11)]
    rep = xlapply.apply_live(book, Changeset("t", edits=edits), now=dt.datetime(2026, 1, 1), user="u")
    assert [sh.wbt_value(f"B{r}") for r in (2, 9, 11)] == ["n2", "n9", "n11"]
    assert sh.wbt_cell("B3").formula == "=A3" and sh.wbt_cell("B4").formula == "#N/A"
    assert sh.wbt_value("B5") == "001" and sh.wbt_value("B6") == 7.25
    assert sh.wbt_value("B7") == dt.datetime(2024, 1, 5, 9, 30)
    assert sh.wbt_value("B8") == dt.datetime(2024, 1, 5, 9, 30, 0, 500_000)
    assert sh.wbt_value("B10") is None and [sh.wbt_value(f"A{r}") for r in range(2, 12)] == [f"a{r}" for r in range(2, 12)]
    # blocks: B2 alone (B3, B4 cannot be written back), B5:B7, B9:B11 (B8 cannot)
    assert rep.value_writes == 3 and rep.cells_written == 3


def test_a_merged_area_keeps_the_writes_to_the_edited_cells() -> None:
    book = _book()
    sh = book.sheets["S"]
    sh.range("B5:C5").merge()
    sh.range("B7").value = "keep"
    edits = [CellEdit("S", f"B{r}", f"n{r}") for r in (2, 3, 9)]
    rep = xlapply.apply_live(book, Changeset("t", edits=edits), now=dt.datetime(2026, 1, 1), user="u")
    assert rep.value_writes == 2 and [sh.wbt_value(f"B{r}") for r in (2, 3, 9)] == ["n2", "n3", "n9"]
    assert sh.wbt_cell("B7").value == "keep" and not sh.wbt_cell("B7").prefix  # not written back


def test_neighbouring_columns_go_out_as_one_block(tmp_path: Path) -> None:
    book = _book()
    edits = [CellEdit("S", f"{c}{r}", r) for c in "CDE" for r in range(2, 12) if (r + ord(c)) % 3]
    rep = xlapply.apply_live(book, Changeset("t", edits=edits), now=dt.datetime(2026, 1, 1), user="u")
    assert rep.value_writes == 1
    sh = book.sheets["S"]
    for e in edits:
        assert sh.wbt_value(e.cell) == float(e.new)
    assert sh.wbt_value("A5") == "a5"


def test_original_colours_are_read_right_where_cells_differ() -> None:
    """The probe asks a whole column first; a column with a few coloured cells is asked again,
    cell group by cell group, and each mark records the colours its own cell had."""
    book = _book()
    sh = book.sheets["S"]
    coloured = {3: "#00FF00", 4: "#00FF00", 8: "#FFFFFF", 10: "#123456"}
    for r, colour in coloured.items():
        sh.range(f"A{r}").color = colour
    sh.range("A9").font.color = "#0000FF"
    marks = [CellMark("S", f"A{r}", "error") for r in range(2, 12)]
    xlapply.apply_live(book, Changeset("t", marks=marks), now=dt.datetime(2026, 1, 1), user="u")
    for r in range(2, 12):
        assert sh.wbt_cell(f"A{r}").color == xlutil_rgb(MARKS["error"]["fill"])
    rep = xlapply.apply_live(book, Changeset("t", clear_marks=["validate"]), now=dt.datetime(2026, 1, 1), user="u")
    assert rep.marks_cleared == 10
    for r in range(2, 12):
        want = coloured.get(r)
        assert sh.wbt_cell(f"A{r}").color == (xlutil_rgb(want[1:]) if want else None), r
    assert sh.wbt_cell("A9").font_color == (0, 0, 255) and sh.wbt_cell("A2").font_color == (0, 0, 0)


def xlutil_rgb(h: str) -> tuple[int, int, int]:
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def test_unions_stay_within_excels_address_limit() -> None:
    rects = [(r, 3, r, 3) for r in range(1, 2000, 2)]
    groups = xlutil.unions(rects)
    assert sorted(r for g in groups for r in g) == sorted(rects)
    assert all(len(",".join(xlutil.address(r) for r in g)) <= 255 for g in groups)
    assert len(groups) < len(rects) / 30


def test_a_click_imports_no_report_console_or_cli_libraries(tmp_path: Path) -> None:
    """Python start is part of every click: the live path leaves jinja2, rich, click, xlsxwriter and
    openpyxl unimported (exports import xlsxwriter when they write; the month end imports jinja2 to
    render its HTML report, and nothing else of these)."""
    import subprocess
    import sys

    from workbook_tools.sample import generate_sample

    path = tmp_path / "s.xlsx"
    generate_sample(path, customers=30, seed=2)
    libs = ("jinja2", "rich", "click", "xlsxwriter", "openpyxl")
    keys = [a.key for a in actions.ACTIONS if not a.key.startswith(("export", "month"))]
    code = ("import sys, datetime as dt\n"
            "import workbook_tools.excel\n"
            "from workbook_tools.testing.xlwings_fake import book_from_file\n"
            "from workbook_tools.excel.live import run\n"
            f"def loaded(): return sorted(m for m in {libs!r} if m in sys.modules)\n"
            f"for k in {keys!r}:\n"
            f"    assert run(k, book=book_from_file({str(path)!r}), as_of=dt.date(2026, 11, 5), month='2026-10').ok\n"
            "print(loaded())\n"
            f"assert run('month_end', book=book_from_file({str(path)!r}), as_of=dt.date(2026, 11, 5), "
            "month='2026-10').ok\n"
            "print(loaded())\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["[]", "['jinja2']"]


def test_a_second_marking_leaves_unchanged_marks_alone_and_fixes_the_rest() -> None:
    book = _book()
    sh = book.sheets["S"]
    sh.range("A4").color = "#00FF00"
    first = [CellMark("S", "A2", "error"), CellMark("S", "A3", "warning"), CellMark("S", "A4", "error")]
    xlapply.apply_live(book, Changeset("t", marks=first), now=dt.datetime(2026, 1, 1), user="u")
    book.app.wbt_calls.clear()
    second = [CellMark("S", "A2", "error"), CellMark("S", "A3", "error"), CellMark("S", "A5", "warning")]
    rep = xlapply.apply_live(book, Changeset("t", marks=second, clear_marks=["validate"]),
                             now=dt.datetime(2026, 1, 1), user="u")
    rgb = {k: xlutil_rgb(v["fill"]) for k, v in MARKS.items()}
    assert rep.marks_cleared == 3 and rep.marks == 3
    assert sh.wbt_cell("A2").color == rgb["error"] and sh.wbt_cell("A3").color == rgb["error"]
    assert sh.wbt_cell("A4").color == (0, 255, 0) and sh.wbt_cell("A5").color == rgb["warning"]
    # A2 kept its mark without a write; A3 was restored, then marked anew: its record keeps no fill
    records = {r[2]: r for r in book.sheets["_wbt_marks"].wbt_rows()[1:] if r[0]}
    assert records["A2"][5] is None and records["A3"][5] is None and set(records) == {"A2", "A3", "A5"}
    rep = xlapply.apply_live(book, Changeset("t", clear_marks=["validate"]), now=dt.datetime(2026, 1, 1), user="u")
    assert rep.marks_cleared == 3
    assert [sh.wbt_cell(f"A{r}").color for r in range(2, 6)] == [None, None, (0, 255, 0), None]
