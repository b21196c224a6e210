"""Live mode against the in-memory fake Book: every registered action, values, marks, sheets,
the change log, errors as dialogs, and the same changeset as a file run."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest

from workbook_tools import actions
from workbook_tools.changeset import CellEdit, CellMark, CellNote, Changeset, Formula, GeneratedSheet
from workbook_tools.excel import live, xlapply, xlutil
from workbook_tools.model import cell_ref
from workbook_tools.ops.review.period import previous_month
from workbook_tools.reader import read_workbook
from workbook_tools.schema import SCHEMA
from workbook_tools.styles import MARKS
from workbook_tools.testing.xlwings_fake import FakeBook, book_from_file
from workbook_tools.writer.changelog import HEADERS as LOG_HEADERS
from workbook_tools.writer.changelog import LOG_SHEET
from workbook_tools.writer.changelog import WIDTHS as LOG_WIDTHS
from workbook_tools.writer.marks import HEADERS as FILE_MARK_HEADERS
from workbook_tools.writer.marks import MARKS_SHEET
from workbook_tools.writer.safety import list_backups

AS_OF = dt.date(2026, 11, 5)
MONTH = "2026-10"
NOW = dt.datetime(2026, 11, 5, 9, 30)
CUST = SCHEMA.sheet("customers").zh


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("live") / "CRM.xlsx"
    generate_sample(path, customers=60, seed=11, defects=0.1)
    return path


def _run(book: FakeBook, key: str, **kw: object) -> live.LiveOutcome:
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("month", MONTH)
    kw.setdefault("now", NOW)
    kw.setdefault("user", "tester")
    kw.setdefault("lang", "zh")
    return live.run(key, book=book, **kw)  # type: ignore[arg-type]


def _rgb(h: str) -> tuple[int, int, int]:
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _xl(v: object) -> object:
    """A value as Excel gives it back through xlwings: numbers float, dates datetime, '' empty."""
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return None if v == "" else v


def _log_rows(book: FakeBook) -> list[list[object]]:
    return book.sheets[LOG_SHEET].wbt_rows()


# ---- every registered action ---------------------------------------------------------------
def test_every_registered_action_is_covered() -> None:
    covered = {"validate", "annotate", "ids", "tiers", "review", "month_end", "export_masked", "export_by_owner"}
    assert {a.key for a in actions.ACTIONS} == covered


def test_validate_shows_findings_and_writes_nothing(sample: Path) -> None:
    book = book_from_file(sample)
    before = {s.name: s.wbt_rows() for s in book.sheets}
    out = _run(book, "validate")
    assert out.ok and out.results[0].action == "validate"
    errors = [f for f in out.results[0].findings if f.severity == "error"]
    assert errors, "the sample has planted defects"
    assert {s.name: s.wbt_rows() for s in book.sheets} == before
    prompt, title, _ = book.app.wbt_alerts[-1]
    assert title == "CRM 工具"
    first = errors[0]
    assert f"{first.sheet}!{first.cell}" in prompt or first.sheet in prompt
    assert book.app.wbt_screen_log == [False, True]


def test_annotate_marks_cells_records_them_and_adds_sheet(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "annotate")
    cs = out.results[0].changeset
    assert out.ok and cs is not None and cs.marks
    sh = book.sheets[cs.marks[0].sheet]
    for mk in cs.marks[:20]:
        cell = book.sheets[mk.sheet].wbt_cell(mk.cell)
        assert cell.color == _rgb(MARKS[mk.severity]["fill"])
        assert cell.font_color == _rgb(MARKS[mk.severity]["font"])
    rec_sheet = book.sheets[MARKS_SHEET]
    assert rec_sheet.visible == xlutil.VERY_HIDDEN
    rows = rec_sheet.wbt_rows()
    assert rows[0][:5] == FILE_MARK_HEADERS
    assert len(rows) - 1 == len({(m.sheet, m.cell.upper()) for m in cs.marks})
    assert all(isinstance(r[3], float) and r[3] == -1 for r in rows[1:])  # original_xf column stays numeric
    assert sh.name in {r[1] for r in rows[1:]}
    for gen in cs.add_sheets:
        assert gen.name in book.sheets.wbt_names()
    log = _log_rows(book)
    assert log[0] == LOG_HEADERS
    assert any(isinstance(v, str) and "标记" in v for r in log for v in r)


def test_annotate_twice_clears_then_remarks_and_keeps_original_colours(sample: Path) -> None:
    book = book_from_file(sample)
    first = _run(book, "annotate").results[0].changeset
    assert first is not None
    mk = first.marks[0]
    # a cell that had its own fill before the first run would be restored to it: simulate one
    records = book.sheets[MARKS_SHEET].wbt_rows()
    _run(book, "annotate")
    records2 = book.sheets[MARKS_SHEET].wbt_rows()
    assert sorted(map(tuple, records2[1:])) == sorted(map(tuple, records[1:]))  # originals not overwritten by marks
    cell = book.sheets[mk.sheet].wbt_cell(mk.cell)
    assert cell.color == _rgb(MARKS[mk.severity]["fill"])


def test_ids_writes_ids_as_text_and_second_run_changes_nothing(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "ids")
    cs = out.results[0].changeset
    assert out.ok and cs is not None and cs.edits
    for e in cs.edits:
        cell = book.sheets[e.sheet].wbt_cell(e.cell)
        assert cell.value == _xl(e.new) and cell.formula is None
        assert cell.prefix == isinstance(e.new, str)
    log = _log_rows(book)
    # a row per new customer ID; the IDs filled into the contact log and complaints: one row per sheet
    new_ids = [e for e in cs.edits if e.sheet == "客户基本信息"]
    filled = {e.sheet for e in cs.edits} - {"客户基本信息"}
    assert len(log) == 1 + len(new_ids) + len(filled)
    assert log[1][:4] == [NOW, "tester", "生成客户编号 ids", f"{new_ids[0].sheet}!{new_ids[0].cell}"]
    assert sum(r[6] for r in log[1:]) == len(cs.edits)   # 单元格数 adds up to every cell written
    again = _run(book, "ids")
    assert again.ok and not again.results[0].changeset
    assert len(_log_rows(book)) == len(log)


def test_tiers_values_batches_and_idempotence(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "tiers")
    cs = out.results[0].changeset
    assert out.ok and cs is not None and cs.edits
    for e in cs.edits:
        cell = book.sheets[e.sheet].wbt_cell(e.cell)
        if isinstance(e.new, Formula):  # 是否逾期: the formula itself, which Excel calculates
            assert cell.formula == "=" + e.new.text and not cell.prefix
        else:
            assert cell.value == _xl(e.new)
    assert any(isinstance(e.new, Formula) for e in cs.edits)
    rep = out.reports[0]
    assert rep.cells_written == len({(e.sheet, e.cell) for e in cs.edits})
    assert rep.value_writes < rep.cells_written  # contiguous runs go out in one call
    assert LOG_SHEET not in book_from_file(sample).sheets.wbt_names()
    assert book.app.wbt_calls["Range.value:set"] == rep.value_writes + 2  # + change-log header and one block
    again = _run(book, "tiers")
    assert again.ok and not again.results[0].changeset


def test_each_needed_sheet_is_read_with_one_value_call(sample: Path) -> None:
    book = book_from_file(sample)
    _run(book, "validate")
    calls = book.app.wbt_calls
    assert calls["Range.value:get"] == calls["Sheet.used_range"] <= len(book.sheets)
    assert calls["Range.value:get"] >= 4  # three data sheets and 代码表


def test_review_adds_sheet_with_values_styles_and_charts(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "review")
    cs = out.results[0].changeset
    assert out.ok and cs is not None
    gen = cs.add_sheets[0]
    sh = book.sheets[gen.name]
    for (r, c), (v, _) in gen.cells.items():
        assert sh.wbt_cell(cell_ref(r, c)).value == _xl(v), (r, c)
    assert len(sh.charts.wbt_list) == len(gen.charts) and gen.charts
    # each chart draws its categories and its series' columns, nothing between them
    assert [ch.wbt_state.source for ch in sh.charts.wbt_list] == [
        ",".join([spec.categories, *(r for _, r in spec.series)]) for spec in gen.charts]
    assert sh.wbt_merges == gen.merges
    title = next(((r, c) for (r, c), (_, st) in gen.cells.items() if st == "title"), None)
    if title:
        assert sh.wbt_cell(cell_ref(*title)).bold
    # running again replaces the sheet instead of adding a second one
    _run(book, "review")
    assert book.sheets.wbt_names().count(gen.name) == 1


def test_review_month_defaults_to_last_month_without_asking(sample: Path) -> None:
    """The month is asked by the add-in's VBA before Python starts (tests/test_vba_basic.py);
    Python takes what it is given, or last month."""
    book = book_from_file(sample)
    out = _run(book, "review", month=None)
    assert out.results[0].stats["month"] == "2026-10"
    assert [buttons for _, _, buttons in book.app.wbt_alerts] == ["ok"]  # only the closing dialog
    assert previous_month(dt.date(2026, 1, 15)) == "2025-12"
    assert previous_month(dt.date(2026, 3, 31)) == "2026-02"


def test_month_end_runs_every_step(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "month_end")
    assert out.ok
    assert [r.action for r in out.results] == ["validate", "ids", "tiers", "history", "review"]
    names = book.sheets.wbt_names()
    assert f"{MONTH} 月度复盘" in names and LOG_SHEET in names
    # as on the command line, validation lists its findings and marks no cell (that is its own button)
    assert MARKS_SHEET not in names and "校验结果" not in names
    message = book.app.wbt_alerts[-1][0]
    assert "月末一键处理" in message and "标注问题单元格" in message
    # the HTML report goes beside the saved workbook, as wbt month-end writes it
    report = sample.with_name(f"{sample.stem}_{MONTH}_月度复盘.html")
    assert out.files == [str(report)] and str(report) in message and report.read_text(encoding="utf-8")
    assert book.sheets[LOG_SHEET].wbt_widths == dict(enumerate(LOG_WIDTHS, start=1))  # the time stamp shows


def test_month_end_writes_once_and_a_refusal_writes_nothing(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "month_end")
    assert out.ok and len(out.reports) == 1              # one changeset, one pre-flight
    actions_logged = {row[2] for row in _log_rows(book)[1:]}
    assert {"生成客户编号 ids", "计算等级与跟进 tiers", "月末一键处理 month-end"} <= actions_logged

    book = book_from_file(sample)
    from workbook_tools.reader import read_workbook

    cust = read_workbook(sample).sheets["customers"]
    row = int(cust.df.index[3])
    cell = book.sheets[cust.name].wbt_cell(cust.cell(row, "tier"))
    cell.value, cell.formula = "待定", '="待定"'       # a tier cell holding a formula (with its value)
    before = {s.name: s.wbt_rows() for s in book.sheets}
    out = _run(book, "month_end")
    assert not out.ok and cust.cell(row, "tier") in out.message
    assert {s.name: s.wbt_rows() for s in book.sheets} == before     # not even the IDs were written


# ---- the same changeset as a file run ------------------------------------------------------
@pytest.mark.parametrize("key", ["validate", "annotate", "ids", "tiers", "review"])
def test_live_and_file_runs_plan_the_same_changeset(sample: Path, key: str) -> None:
    fn = actions.resolve(key)
    model = read_workbook(sample)
    kw: dict[str, object] = {"as_of": AS_OF}
    if key == "review":
        kw.update(month=MONTH, lang="zh")
    if "now" in inspect.signature(fn).parameters:   # a stamped sheet: both runs stamp the same time
        kw["now"] = NOW
    file_res = fn(model, **kw)
    out = _run(book_from_file(sample), key)
    live_res = out.results[0]
    assert [f.to_dict() for f in live_res.findings] == [f.to_dict() for f in file_res.findings]
    if file_res.changeset is None:
        assert live_res.changeset is None
    else:
        assert live_res.changeset.to_dict() == file_res.changeset.to_dict()
        for a, b in zip(live_res.changeset.add_sheets, file_res.changeset.add_sheets):
            assert a.cells == b.cells and a.charts == b.charts


@pytest.mark.parametrize("key", ["ids", "tiers"])
def test_live_and_file_runs_log_the_same_rows(sample: Path, key: str, tmp_path: Path) -> None:
    """The same change-log rows from both appliers (the file's name the backup; live keeps none)."""
    import openpyxl

    from workbook_tools.writer import apply_changeset

    path = tmp_path / "CRM.xlsx"
    path.write_bytes(sample.read_bytes())
    apply_changeset(path, actions.resolve(key)(read_workbook(path), as_of=AS_OF).changeset, user="tester", now=NOW)
    ws = openpyxl.load_workbook(path, read_only=True)[LOG_SHEET]
    file_rows = [list(r[:8]) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r[8] for r in ws.iter_rows(min_row=2, values_only=True)} == {f".wbt-backups/{list_backups(path)[0].name}"}
    book = book_from_file(sample)
    _run(book, key)
    live_rows = [[int(v) if isinstance(v, float) else v for v in r[:8]] for r in _log_rows(book)[1:]]
    assert live_rows == file_rows and len(file_rows) > 1
    assert all(r[8] is None for r in _log_rows(book)[1:])


# ---- cells: text stays text, refusals, notes -----------------------------------------------
def _small_book() -> FakeBook:
    book = FakeBook("t.xlsx")
    book.wbt_add_sheet("S", [["名称", "编号"], ["a", 1], ["b", 2], ["c", None]])
    return book


TRICKY = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@x", "001", "2024-01-05", "1e3", "'quoted"]


def test_text_is_always_stored_as_text() -> None:
    book = _small_book()
    cs = Changeset("t", edits=[CellEdit("S", f"C{i + 1}", v) for i, v in enumerate(TRICKY)])
    xlapply.apply_live(book, cs, now=NOW, user="u")
    sh = book.sheets["S"]
    for i, v in enumerate(TRICKY):
        cell = sh.wbt_cell(f"C{i + 1}")
        assert cell.value == v and isinstance(cell.value, str) and cell.formula is None, v


def test_fake_parses_unprefixed_text_like_excel() -> None:
    """The property above can fail: written without the prefix, Excel (and the fake) would parse."""
    book = _small_book()
    sh = book.sheets["S"]
    sh.range((1, 4), (len(TRICKY), 4)).value = [[v] for v in TRICKY]
    got = [sh.wbt_cell(f"D{i + 1}") for i in range(len(TRICKY))]
    assert got[0].formula and got[1].value == 1.0 and got[2].value == -2.0 and got[3].formula
    assert got[4].value == 1.0 and got[5].value == dt.datetime(2024, 1, 5) and got[6].value == 1000.0


def test_stale_old_value_is_refused_before_anything_changes() -> None:
    book = _small_book()
    cs = Changeset("t", edits=[CellEdit("S", "B2", 10, old=1), CellEdit("S", "B3", 20, old=99)])
    out = _patched_run(book, cs)
    assert not out.ok and "S!B3" in out.message and "已改变" in out.message
    assert book.sheets["S"].wbt_value("B2") == 1.0
    assert LOG_SHEET not in book.sheets.wbt_names()


def test_one_cell_set_to_two_values_is_refused() -> None:
    book = _small_book()
    cs = Changeset("t", edits=[CellEdit("S", "B2", 10), CellEdit("S", "b2", 11)])
    out = _patched_run(book, cs)
    assert not out.ok and "S!B2" in out.message and "两个不同的值" in out.message
    assert book.sheets["S"].wbt_value("B2") == 1.0


def test_formula_is_never_overwritten_but_text_that_looks_like_one_is() -> None:
    book = _small_book()
    sh = book.sheets["S"]
    sh.range("B4").value = "=B2+B3"
    sh.range("A4").value = "'=text"
    with pytest.raises(Exception, match="formula"):
        xlapply.apply_live(book, Changeset("t", edits=[CellEdit("S", "B4", 5)]), now=NOW, user="u")
    rep = xlapply.apply_live(book, Changeset("t", edits=[CellEdit("S", "A4", "d", old="=text")]), now=NOW, user="u")
    assert rep.cells_written == 1 and sh.wbt_value("A4") == "d"


def test_old_values_match_as_excel_returns_them() -> None:
    book = FakeBook("t.xlsx")
    book.wbt_add_sheet("S", [["d", "n", "t"], [dt.date(2024, 3, 1), 7, "x"]])
    cs = Changeset("t", edits=[CellEdit("S", "A2", dt.date(2024, 3, 2), old=dt.date(2024, 3, 1)),
                               CellEdit("S", "B2", 8, old=7), CellEdit("S", "C2", "y", old="x")])
    rep = xlapply.apply_live(book, cs, now=NOW, user="u")
    assert rep.cells_written == 3
    assert book.sheets["S"].wbt_value("A2") == dt.datetime(2024, 3, 2)
    log = _log_rows(book)   # typed values replaced: a row each, with the backup column empty (live: none)
    assert log[1][2:] == ["t", "S!A2", "2024-03-01", "2024-03-02", 1.0, None, None]
    assert log[2][2:] == ["t", "S!B2", "7", "8", 1.0, None, None]


def test_missing_sheet_and_bad_address_are_refused() -> None:
    book = _small_book()
    with pytest.raises(Exception, match="Nope"):
        xlapply.apply_live(book, Changeset("t", edits=[CellEdit("Nope", "A1", 1)]))
    with pytest.raises(Exception, match="ZZZZ1"):
        xlapply.apply_live(book, Changeset("t", edits=[CellEdit("S", "ZZZZ1", 1)]))


def test_marks_restore_original_colours_and_leave_recoloured_cells() -> None:
    book = _small_book()
    sh = book.sheets["S"]
    sh.range("A2").color = "#00FF00"
    sh.range("A2").font.color = "#0000FF"
    cs = Changeset("t", marks=[CellMark("S", "A2", "error"), CellMark("S", "A3", "warning"),
                               CellMark("S", "A4", "warning")])
    xlapply.apply_live(book, cs, now=NOW, user="u")
    assert sh.wbt_cell("A2").color == _rgb(MARKS["error"]["fill"])
    assert sh.wbt_cell("A3").color == _rgb(MARKS["warning"]["fill"])
    # marking again does not take the mark colour for the original
    xlapply.apply_live(book, Changeset("t", marks=[CellMark("S", "A2", "error")]), now=NOW, user="u")
    sh.range("A4").color = "#123456"  # the user re-coloured this one meanwhile
    rep = xlapply.apply_live(book, Changeset("t", clear_marks=["validate"]), now=NOW, user="u")
    assert rep.marks_cleared == 2
    assert sh.wbt_cell("A2").color == (0, 255, 0) and sh.wbt_cell("A2").font_color == (0, 0, 255)
    assert sh.wbt_cell("A3").color is None and sh.wbt_cell("A3").font_color == (0, 0, 0)
    assert sh.wbt_cell("A4").color == (0x12, 0x34, 0x56)
    rows = book.sheets[MARKS_SHEET].wbt_rows()
    assert all(v is None for r in rows[1:] for v in r)  # no records left


def test_file_writer_records_are_cleared_by_colour() -> None:
    """A record written by the file writer (style indices only) still lets live mode take the mark off."""
    book = _small_book()
    sh = book.sheets["S"]
    sh.range("B2").color = "#" + MARKS["error"]["fill"]
    sh.range("B2").font.color = "#" + MARKS["error"]["font"]
    book.wbt_add_sheet(MARKS_SHEET, [FILE_MARK_HEADERS, ["validate", "S", "B2", 3, 17]], visible=2)
    rep = xlapply.apply_live(book, Changeset("t", clear_marks=["validate"]), now=NOW, user="u")
    assert rep.marks_cleared == 1 and sh.wbt_cell("B2").color is None


def test_notes_replace_our_own_and_keep_the_users() -> None:
    book = _small_book()
    sh = book.sheets["S"]
    sh.range("B2").add_note("客户要求周五回电")
    xlapply.apply_live(book, Changeset("t", notes=[CellNote("S", "B2", "编号缺失"), CellNote("S", "B3", "一")]))
    assert sh.wbt_cell("B2").note == "客户要求周五回电\n[wbt] 编号缺失"
    xlapply.apply_live(book, Changeset("t", notes=[CellNote("S", "B2", "已修正"), CellNote("S", "B3", "二")]))
    assert sh.wbt_cell("B2").note == "客户要求周五回电\n[wbt] 已修正"
    assert sh.wbt_cell("B3").note == "[wbt] 二"


def test_generated_sheet_placement_hidden_links_widths_and_removal() -> None:
    book = _small_book()
    book.wbt_add_sheet("Old", [["x"]])
    gen = GeneratedSheet("报告", after="S", hidden=False, freeze=(2, 1))
    gen.put_row(1, 1, ["标题", 3, dt.date(2026, 1, 2)], ["header", "int", "date"])
    gen.put(2, 1, "=not a formula", "link")
    gen.links[(2, 1)] = "'S'!A1"
    gen.col_widths[1] = 30
    cs = Changeset("t", add_sheets=[gen], remove_sheets=["Old"])
    rep = xlapply.apply_live(book, cs, now=NOW, user="u")
    assert book.sheets.wbt_names()[:2] == ["S", "报告"] and "Old" not in book.sheets.wbt_names()
    sh = book.sheets["报告"]
    assert sh.wbt_rows()[0] == ["标题", 3.0, dt.datetime(2026, 1, 2)]
    # a link is a HYPERLINK formula in the value block (no call of its own), showing the text as it is
    assert sh.wbt_cell("A2").value == "=not a formula"
    assert sh.wbt_cell("A2").formula == '=HYPERLINK("#\'S\'!A1","=not a formula")'
    assert sh.wbt_cell("A1").bold and sh.wbt_cell("C1").number_format == "yyyy-mm-dd"
    assert sh.wbt_widths[1] == 30 and sh.freeze_panes.wbt_at == "A2"
    assert rep.sheets_added == 1 and rep.sheets_removed == 1
    log = _log_rows(book)
    assert log[1][2:] == ["t", "Old", None, None, None, "删除工作表 / sheet removed", None]


# ---- errors as dialogs ---------------------------------------------------------------------
def _patched_run(book: FakeBook, cs: Changeset, monkeypatch: pytest.MonkeyPatch | None = None) -> live.LiveOutcome:
    from workbook_tools.changeset import ActionResult
    from workbook_tools.excel import xlreader
    from workbook_tools.ops import needs

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(actions, "resolve", lambda act: (lambda model, **kw: ActionResult("t", changeset=cs)))
        mp.setattr(xlreader, "read_book", lambda b: (SimpleNamespace(lang="zh"), {}))  # a model of nothing
        mp.setattr(needs, "check", lambda *a, **kw: None)  # no model here: the write gate has nothing to check
        return _run(book, "ids")
    finally:
        mp.undo()


def test_unexpected_error_is_a_generic_dialog_and_screen_updating_comes_back(monkeypatch: pytest.MonkeyPatch,
                                                                             tmp_path: Path) -> None:
    monkeypatch.setattr(live.tempfile, "gettempdir", lambda: str(tmp_path))

    def boom(model: object, **kw: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(actions, "resolve", lambda act: boom)
    book = _small_book()
    out = _run(book, "validate")   # read-only: no write gate before the operation
    assert not out.ok and "意外错误" in out.message and "division by zero" in out.message
    assert "Traceback" not in out.message
    assert "ZeroDivisionError" in (tmp_path / "wbt-live-error.log").read_text(encoding="utf-8")
    assert book.app.wbt_screen_log == [False, True] and book.app.screen_updating
    assert book.app.wbt_alerts[-1][0] == out.message


def test_unknown_action_and_wbt_errors_are_dialogs() -> None:
    book = _small_book()
    out = _run(book, "no_such_action")
    assert not out.ok and "no_such_action" in book.app.wbt_alerts[-1][0]
    out = _run(book, "ids", lang="en")  # no customer sheet in this book: the operation reports it
    assert book.app.wbt_alerts[-1][0] == out.message and "Traceback" not in out.message


def test_dialog_in_english(sample: Path) -> None:
    book = book_from_file(sample)
    out = _run(book, "tiers", lang="en")
    assert out.ok and book.app.wbt_alerts[-1][1] == "CRM tools"
    assert "Wrote" in out.message and "已写入" not in out.message


def test_entry_point_hands_off_to_live(monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.excel as excel

    seen: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(live, "run", lambda key, **kw: seen.append((key, kw)))
    monkeypatch.setattr(live, "run_clicked", lambda key, **kw: seen.append((key, kw)))
    excel.run("tiers")
    excel.run("review", book="0041", hwnd=7, month="2026-10")
    excel.run("ids", book="0041", hwnd=0, month="")
    assert seen == [("tiers", {"month": None}), ("review", {"book": "0041", "hwnd": 7, "month": "2026-10"}),
                    ("ids", {"book": "0041", "hwnd": None, "month": None})]


def test_style_rectangles_cover_exactly_the_cells() -> None:
    cells = {(r, c) for r in range(2, 40) for c in (1, 2, 3)} | {(50, 5), (51, 5), (1, 1)}
    rects = xlutil.rectangles(cells)
    covered = [(r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    assert sorted(covered) == sorted(cells)  # every cell once, nothing else
    assert len(rects) == 3  # e.g. A1, A2:C39, E50:E51


def test_reader_pads_a_used_range_that_does_not_start_at_a1() -> None:
    from workbook_tools.excel.xlreader import read_book, sheet_rows

    spec = SCHEMA.sheet("customers")
    header = [spec.column(k).zh for k in ("name", "industry", "phone")]
    book = FakeBook("off.xlsx")
    sh = book.wbt_add_sheet(spec.zh, [])
    sh.range((3, 2), (4, 4)).value = [[f"'{h}" for h in header], ["'杭州云启科技有限公司", "'信息技术", "'13800138000"]]
    book.wbt_add_sheet("隐藏", [["x"]], visible=False)
    rows = sheet_rows(sh)
    assert rows[2][1:4] == header and rows[0] == [] and len(rows) == 4
    model, figures = read_book(book)
    cust = model.sheet("customers")
    assert cust is not None and cust.header_row == 3
    assert cust.cell(4, "name") == "B4" and cust.df.loc[4, "name"] == "杭州云启科技有限公司"
    assert cust.df.loc[4, "phone"] == "13800138000"
    assert model.hidden_sheets == ["隐藏"] and figures["sheets_read"] >= 1
    assert model.path.name == "off.xlsx"


@pytest.mark.parametrize(("key", "expect"), [("export_masked", "_脱敏.xlsx"), ("export_by_owner", ".xlsx")])
def test_export_buttons_write_new_files_beside_the_workbook(sample: Path, tmp_path: Path, key: str,
                                                            expect: str) -> None:
    import shutil

    src = tmp_path / "live" / sample.name
    src.parent.mkdir()
    shutil.copy(sample, src)
    raw = src.read_bytes()
    book = book_from_file(src)
    before = {s.name: s.wbt_rows() for s in book.sheets}
    out = _run(book, key)
    assert out.ok and out.files
    assert all(Path(f).exists() and f.endswith(expect) and Path(f) != src for f in out.files)
    assert out.files[0] in book.app.wbt_alerts[-1][0]
    assert {s.name: s.wbt_rows() for s in book.sheets} == before  # the open workbook is untouched
    assert src.read_bytes() == raw


def test_a_link_too_long_for_a_formula_is_a_real_hyperlink() -> None:
    book = _small_book()
    gen = GeneratedSheet("链接")
    long_text = "说明" * 200                      # 400 characters: more than a formula's text may hold
    gen.put(1, 1, long_text, "link")
    gen.links[(1, 1)] = "'S'!B2"
    gen.put(2, 1, 'say "hi"', "link")
    gen.links[(2, 1)] = "'S'!B3"
    xlapply.apply_live(book, Changeset("t", add_sheets=[gen]), now=NOW, user="u")
    sh = book.sheets["链接"]
    assert sh.wbt_cell("A1").hyperlink == "#'S'!B2" and sh.wbt_cell("A1").value == long_text
    assert sh.wbt_cell("A2").value == 'say "hi"' and sh.wbt_cell("A2").hyperlink is None
    assert book.app.wbt_calls["Range.add_hyperlink"] == 1
