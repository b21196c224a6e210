"""变更日志: rows people need (a row per new ID or replaced typed value, one per column for the rest),
the backup named on every row, continuation sheets before Excel's last row, and the 1,048,000-row
month end."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from _writer_util import make_book

from workbook_tools.changeset import LOG_CELL, LOG_COLUMN, Changeset, Formula
from workbook_tools.errors import UnsafeWrite
from workbook_tools.jobs.month_end import run_month_end
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.schema import changelog_sheet_name, changelog_sheet_number
from workbook_tools.writer import apply_changeset, changelog
from workbook_tools.writer.book import Book
from workbook_tools.writer.changelog import HEADERS, LAST_ROW, LOG_SHEET, chunks, log_rows
from workbook_tools.writer.package import Package

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)
EXCEL_ROWS = 1_048_576


# ---- which rows ----------------------------------------------------------------------------------
def _rows(cs: Changeset, olds: dict[str, str], backup: str = "bk") -> list[list[object]]:
    return log_rows(cs, lambda s, r, c: olds.get(f"{s}!{chr(64 + c)}{r}", ""), 0, 0, 0, [], [], backup)


def test_a_row_per_new_id_and_per_replaced_value_one_per_column_for_fills_and_recomputed() -> None:
    cs = Changeset("t", columns={("S", 3): "是否逾期"})
    cs.edit("S", "A2", "2024-IT-001", old=None, log=LOG_CELL)            # a new customer ID: its own row
    cs.edit("S", "A3", "2024-IT-002", old=None, log=LOG_CELL)
    cs.edit("S", "B2", "新名", old="旧名")                                 # a typed value replaced: its own row
    for r, (old, new) in enumerate([("否", "是")] * 40 + [("是", "否")] * 3 + [("", "否")] * 5, start=2):
        cs.edit("S", f"C{r}", new, old=old or None, log=LOG_COLUMN)      # recomputed: one row for the column
    cs.edit("S", "D7", "x", old=None)                                     # fills of empty cells: one row
    cs.edit("S", "D9", "y", old=None)
    olds = {"S!B2": "旧名", **{f"S!C{r}": "否" for r in range(2, 42)}, **{f"S!C{r}": "是" for r in range(42, 45)}}
    rows = _rows(cs, olds, ".wbt-backups/b.20260301-093015.xlsx")
    assert [r[:5] for r in rows] == [
        ["t", "S!A2", "", "2024-IT-001", 1],
        ["t", "S!A3", "", "2024-IT-002", 1],
        ["t", "S!B2", "旧名", "新名", 1],
        ["t", "S!C2:C49", "", "", 48],
        ["t", "S!D7,D9", "", "", 2],
    ]
    assert rows[3][5] == "是否逾期：否→是 40；(空)→否 5；是→否 3"   # transitions, most frequent first
    assert rows[4][5] == "(空)→x 1；(空)→y 1"
    assert {r[6] for r in rows} == {".wbt-backups/b.20260301-093015.xlsx"}


def test_a_column_with_many_different_values_gets_counts_and_an_example() -> None:
    cs = Changeset("t")
    for r in range(2, 102):   # 下次跟进日期 moves for 100 customers, 3 are cleared, 7 filled
        cs.edit("S", f"E{r}", dt.date(2025, 1, 1) + dt.timedelta(days=r), log=LOG_COLUMN)
    for r in range(102, 105):
        cs.edit("S", f"E{r}", None, log=LOG_COLUMN)
    olds = {f"S!E{r}": "2024-12-01" for r in range(2, 105)}
    for r in range(95, 102):
        olds.pop(f"S!E{r}")
    [row] = _rows(cs, olds)
    assert row[1:5] == ["S!E2:E104", "", "", 103]
    assert row[5] == "填入 / filled 7；修改 / changed 93；清空 / cleared 3（例 / e.g. E2：2024-12-01→2025-01-03）"


def test_each_step_gets_its_own_rows_and_a_formula_is_named_once() -> None:
    cs = Changeset("month-end")
    ids, tiers = Changeset("ids"), Changeset("tiers")
    ids.edit("沟通记录", "A5", "2024-IT-001", old=None)
    ids.edit("沟通记录", "A9", "2024-IT-001", old=None)
    tiers.edit("客户", "H2", Formula('IF(G2<TODAY(),"是","否")', "否"), old=None, log=LOG_COLUMN)
    tiers.edit("客户", "H3", Formula('IF(G3<TODAY(),"是","否")', "是"), old=None, log=LOG_COLUMN)
    cs.extend(ids)
    cs.extend(tiers)
    rows = _rows(cs, {})
    assert [r[:5] for r in rows] == [["生成客户编号 ids", "沟通记录!A5,A9", "", "2024-IT-001", 2],
                                     ["计算等级与跟进 tiers", "客户!H2:H3", "", "", 2]]
    assert rows[1][5] == '公式 / formula =IF(G2<TODAY(),"是","否")；(空)→否 1；(空)→是 1'


def test_chunks_keep_a_run_together_and_never_pass_the_last_row() -> None:
    assert chunks(0, 3) == [(True, 2, 3)]                      # no log yet: a new sheet under its headers
    assert chunks(10, 3) == [(False, 11, 3)]
    assert chunks(LAST_ROW - 3, 3) == [(False, LAST_ROW - 2, 3)]   # fits exactly
    assert chunks(LAST_ROW - 2, 3) == [(True, 2, 3)]               # does not fit: the next sheet
    per_sheet = LAST_ROW - 1
    assert chunks(5, per_sheet + 10) == [(True, 2, per_sheet), (True, 2, 10)]  # a whole sheet's worth
    assert LAST_ROW < EXCEL_ROWS


def test_log_sheet_names() -> None:
    assert [changelog_sheet_name(n) for n in (1, 2, 3)] == ["变更日志", "变更日志 2", "变更日志 3"]
    assert [changelog_sheet_number(n) for n in ("变更日志", "变更日志 2", "变更日志２", "变更日志 x", "日志", "变更日志 1")] \
        == [1, 2, 2, 0, 0, 0]


# ---- a log at the limit ----------------------------------------------------------------------------
def _fill_log(path: Path, last_row: int) -> None:
    """Give the workbook a 变更日志 whose rows reach ``last_row`` (sheet XML written directly: one
    small cell per row, so a million rows stay quick to build)."""
    pkg = Package.open(path)
    book = Book(pkg)
    if not book.has_sheet(LOG_SHEET):
        book.add_sheet(LOG_SHEET, [HEADERS])
    xml = book.xml(LOG_SHEET)
    body = b"".join(b'<row r="%d"><c r="C%d"><v>%d</v></c></row>' % (r, r, r) for r in range(2, last_row + 1))
    end = xml.index(b"</sheetData>") if b"</sheetData>" in xml else None
    assert end is not None
    book.set_xml(LOG_SHEET, xml[:end] + body + xml[end:])
    book.flush()
    pkg.save(path)


def _last_rows(path: Path) -> dict[str, int]:
    """Every sheet's last row, straight from its XML (an independent look at what was written)."""
    pkg = Package.open(path)
    out = {}
    for s in pkg.sheets():
        rows = re.findall(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"', pkg.read(s.part))
        out[s.name] = max(map(int, rows), default=0)
    return out


def test_rows_that_do_not_fit_go_to_a_new_log_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changelog, "LAST_ROW", 40)   # a short sheet stands in for a million rows (see below)
    path = make_book(tmp_path / "book.xlsx", with_log=False)
    _fill_log(path, 40 - 2)                          # room for two more rows
    cs = Changeset("t")
    for r in (2, 3, 6, 8):                           # four typed values replaced: four rows
        cs.edit("数据", f"A{r}", f"新{r}")
    report = apply_changeset(path, cs, user="u", now=NOW)
    assert report.log_rows == 4
    last = _last_rows(path)
    assert last[LOG_SHEET] == 40 - 2 and last["变更日志 2"] == 5   # the run went whole to the next sheet
    assert all(v < EXCEL_ROWS for v in last.values())
    ws = openpyxl.load_workbook(path, read_only=True)["变更日志 2"]
    got = [r for r in ws.iter_rows(values_only=True)]
    assert got[0] == tuple(HEADERS) and [r[3] for r in got[1:]] == [f"数据!A{r}" for r in (2, 3, 6, 8)]
    # the next run appends to the new sheet; the reader takes neither log sheet for data
    apply_changeset(path, Changeset("t2", edits=cs.edits[:1]), user="u", now=NOW + dt.timedelta(minutes=1))
    assert _last_rows(path)["变更日志 2"] == 6
    assert not [n for n in read_workbook(path).notices if n.code == "R-EXTRA-SHEET" and "变更日志" in (n.sheet or "")]


def test_a_full_log_in_a_locked_structure_refuses_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changelog, "LAST_ROW", 40)
    path = make_book(tmp_path / "book.xlsx", with_log=False)
    _fill_log(path, 40)
    pkg = Package.open(path)
    wb = pkg.read(pkg.workbook_part)
    pkg.write(pkg.workbook_part, wb.replace(b"</sheets>", b'</sheets><workbookProtection lockStructure="1"/>'))
    pkg.save(path)
    before = path.read_bytes()
    cs = Changeset("t")
    cs.edit("数据", "A2", "x")
    with pytest.raises(UnsafeWrite, match="变更日志 2"):
        apply_changeset(path, cs, now=NOW)
    assert path.read_bytes() == before


@pytest.mark.slow   # about 3 s of CPU: a 1,048,000-row sheet is built, read, appended to and deflated
def test_month_end_on_a_log_reaching_row_1048000(tmp_path: Path) -> None:
    """The month end still succeeds, every log row is kept, and no sheet passes the last row."""
    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=60, seed=7)
    _fill_log(path, 1_048_000)
    rep = run_month_end(path, month="2026-10", as_of=dt.date(2026, 10, 31))
    written = rep.step("write").stats["log_rows"]
    assert rep.step("write").written and written > 0
    last = _last_rows(path)
    assert all(v < EXCEL_ROWS for v in last.values()), last
    logs = {n: r for n, r in last.items() if changelog_sheet_number(n)}
    # the rows kept: the old ones up to 1,048,000, the run's below them or on the next sheet
    on_first = logs[LOG_SHEET] - 1_048_000
    assert on_first + (logs.get("变更日志 2", 1) - 1) == written
    xml = Package.open(path).read(Package.open(path).sheet(LOG_SHEET).part)
    assert xml.count(b"<row ") == 1_048_000 + on_first           # every row kept, none dropped
    assert b'<row r="2"><c r="C2"><v>2</v></c></row>' in xml and b'<c r="C1048000"><v>1048000</v>' in xml


# ---- every other sheet the tool writes -------------------------------------------------------------
def test_writes_past_the_last_row_or_column_are_refused_naming_the_cell(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.changeset import CellMark, GeneratedSheet
    from workbook_tools.writer import checks

    path = make_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    appended = Changeset("import")          # e.g. an import appending one row too many
    appended.edit("数据", f"A{EXCEL_ROWS + 1}", "新客户")
    with pytest.raises(UnsafeWrite) as exc:
        apply_changeset(path, appended, now=NOW)
    assert exc.value.cell == f"A{EXCEL_ROWS + 1}" and "1,048,576" in str(exc.value)
    big = GeneratedSheet("报告")
    big.put(EXCEL_ROWS + 1, 1, "x")
    with pytest.raises(UnsafeWrite, match="报告"):
        apply_changeset(path, Changeset("t", add_sheets=[big]), now=NOW)
    monkeypatch.setattr(checks, "MAX_ROW", 3)  # a small limit stands in for a million marked cells
    marks = Changeset("validate", marks=[CellMark("数据", f"A{r}") for r in range(2, 6)])
    with pytest.raises(UnsafeWrite, match="_wbt_marks"):
        apply_changeset(path, marks, now=NOW)
    assert path.read_bytes() == before
