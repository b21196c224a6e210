"""Cell edits, marks, tables and the change log: only the intended cells change."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _writer_util import cells, make_book, outside_sheetdata, parts, rows, sheet_part
from python_calamine import CalamineWorkbook

from workbook_tools.changeset import CellMark, Changeset
from workbook_tools.writer import apply_changeset
from workbook_tools.writer.cellfind import read_cells
from workbook_tools.writer.cells import CellPatch, patch_cells
from workbook_tools.writer.changelog import LOG_SHEET
from workbook_tools.writer.values import SharedStrings

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)
S1 = "xl/worksheets/sheet1.xml"


def _apply(path: Path, cs: Changeset, **kw) -> object:
    return apply_changeset(path, cs, user="tester", now=NOW, **kw)


def _edits() -> Changeset:
    cs = Changeset("test")
    cs.edit("数据", "A2", "杭州云启科技股份有限公司", old="杭州云启科技有限公司")  # shared string → inline
    cs.edit("数据", "B2", 0.1 + 0.2, old=1234.5)                                # number, lossless repr
    cs.edit("数据", "C2", dt.date(2025, 12, 31), old=dt.datetime(2024, 3, 5))   # date into a date cell
    cs.edit("数据", "D2", None, old="老客户")                                    # empty the cell
    cs.edit("数据", "B4", 12345678901234567)                                     # empty row, int beyond float
    cs.edit("数据", "C6", dt.datetime(2026, 1, 2, 13, 45), old=45000)            # datetime into unformatted
    cs.edit("数据", "A8", False, old=True)                                       # bool
    cs.edit("数据", "B9", 99.5, old=None)                                        # styled blank cell
    cs.edit("数据", "G2", "新列")                                                 # new column inside a row
    cs.edit("数据", "C10", "行样式")                                              # self-closed row with style
    cs.edit("数据", "H12", 3.25)                                                 # new row, column style
    cs.edit("数据", "A20", "  前后空格 _x0041_ <&> ")                             # beyond the end
    return cs


@pytest.mark.parametrize("date1904", [False, True])
def test_edits_change_only_their_cells(tmp_path: Path, date1904: bool) -> None:
    path = make_book(tmp_path / "book.xlsx", date1904=date1904)
    before = parts(path)
    with zipfile.ZipFile(path) as z:
        original_sizes = {i.filename: i.compress_size for i in z.infolist()}
    cs = _edits()
    report = _apply(path, cs, backup_keep=0)
    after = parts(path)
    # six typed values replaced: a log row each; six fills of empty cells: one row per column (B4 and B9 share one)
    assert report.cells_written == len(cs.edits) and report.log_rows == 6 + 5

    log_part = sheet_part(path, LOG_SHEET)
    changed = {n for n in after if before.get(n) != after[n]}
    assert changed == {S1, "xl/styles.xml", log_part}, changed
    assert set(after) == set(before)
    # unchanged members are even copied compressed as they were (same size, CRC, order)
    with zipfile.ZipFile(path) as z:
        infos = [(i.filename, i.compress_type, i.compress_size, i.CRC) for i in z.infolist()]
    assert [i[0] for i in infos] == list(before)
    assert all(i[2] == original_sizes[i[0]] for i in infos if i[0] not in changed)

    # the sheet part differs only in the intended cells
    targets = {e.cell for e in cs.edits}
    old_cells, new_cells = cells(before[S1]), cells(after[S1])
    for ref in set(old_cells) | set(new_cells):
        if ref not in targets:
            assert old_cells.get(ref) == new_cells.get(ref), ref
    assert outside_sheetdata(before[S1]) == outside_sheetdata(after[S1])
    assert b'<dimension ref="A1:H20"/>' in after[S1]
    # styles kept, new cells inherit
    assert new_cells["B2"][0]["s"] == old_cells["B2"][0]["s"]
    assert new_cells["B9"][0]["s"] == old_cells["B9"][0]["s"]
    assert new_cells["C2"][0]["s"] == old_cells["C2"][0]["s"]
    assert new_cells["D2"] == ({"r": "D2"}, "")
    assert new_cells["H12"][0]["s"] == "1"          # the column's style
    assert new_cells["C10"][0]["s"] == "2"          # the row's style (customFormat)
    assert new_cells["C6"][0]["s"] not in (None, "0")  # a date format was added
    assert rows(after[S1])["10"]["customFormat"] == "1"
    # shared strings untouched: every text went inline
    assert before["xl/sharedStrings.xml"] == after["xl/sharedStrings.xml"]
    assert b"<f>" not in after[S1].replace(b"<f>B2+B3</f>", b"")

    wb = openpyxl.load_workbook(path)
    ws = wb["数据"]
    assert ws["A2"].value == "杭州云启科技股份有限公司"
    assert ws["B2"].value == 0.1 + 0.2
    assert ws["C2"].value == dt.datetime(2025, 12, 31)
    assert ws["D2"].value is None
    assert ws["B4"].value == 12345678901234567
    assert ws["C6"].value == dt.datetime(2026, 1, 2, 13, 45)
    assert ws["C6"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A8"].value is False
    assert ws["B9"].value == 99.5 and ws["B9"].number_format == "#,##0.00" and ws["B9"].border.left.style == "thin"
    assert ws["G2"].value == "新列"
    assert ws["C10"].font.b
    assert ws["H12"].value == 3.25 and ws["H12"].number_format == "0.0"
    # a literal _x0041_ is stored escaped (_x005F_x0041_) so Excel and calamine show it literally;
    # openpyxl does not unescape inline strings, so it shows the escape
    assert ws["A20"].value == "  前后空格 _x005F_x0041_ <&> "
    assert ws["A1"].font.b and ws["B7"].value == "=B2+B3"

    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python(skip_empty_area=False)
    assert cal[1][0] == "杭州云启科技股份有限公司"
    assert cal[1][2] == dt.date(2025, 12, 31) or cal[1][2] == dt.datetime(2025, 12, 31)
    assert cal[5][2] == dt.datetime(2026, 1, 2, 13, 45)
    assert cal[11][7] == 3.25
    assert cal[19][0] == "  前后空格 _x0041_ <&> "


def test_change_log_rows(tmp_path: Path) -> None:
    import json
    path = make_book(tmp_path / "book.xlsx", with_log=False)
    report = _apply(path, _edits())
    d = json.loads(json.dumps(report.to_dict()))
    assert d["path"] == str(path) and d["cells_written"] == 12 and d["log_rows"] == 11 and d["written"]
    assert d["backup"].endswith(".wbt-backups/book.20260301-093015.xlsx")
    ws = openpyxl.load_workbook(path)[LOG_SHEET]
    got = [[c.value for c in r] for r in ws.iter_rows()]
    bk = ".wbt-backups/book.20260301-093015.xlsx"   # every row names the backup taken before the run
    assert got[0] == ["时间", "用户", "操作", "单元格", "原值", "新值", "单元格数", "说明", "运行前备份"]
    # typed values replaced: one row each, in the order planned; fills: one row per column, where its first fill was
    assert [r[2:] for r in got[1:]] == [
        ["test", "数据!A2", "杭州云启科技有限公司", "杭州云启科技股份有限公司", 1, None, bk],
        ["test", "数据!B2", "1234.5", "0.30000000000000004", 1, None, bk],
        ["test", "数据!C2", "2024-03-05", "2025-12-31", 1, None, bk],
        ["test", "数据!D2", "老客户", None, 1, None, bk],
        ["test", "数据!B4,B9", None, None, 2, "(空)→12345678901234567 1；(空)→99.5 1", bk],
        ["test", "数据!C6", "45000", "2026-01-02 13:45:00", 1, None, bk],
        ["test", "数据!A8", "TRUE", "FALSE", 1, None, bk],
        ["test", "数据!G2", None, "新列", 1, None, bk],
        ["test", "数据!C10", None, "行样式", 1, None, bk],
        ["test", "数据!H12", None, "3.25", 1, None, bk],
        ["test", "数据!A20", None, "  前后空格 _x005F_x0041_ <&> ", 1, None, bk],  # openpyxl shows the escape
    ]
    assert got[1][:2] == [NOW, "tester"]
    widths = openpyxl.load_workbook(path)[LOG_SHEET].column_dimensions
    assert [widths[c].width for c in "ABCDEFGHI"] == [20, 10, 24, 30, 22, 22, 9, 60, 42]  # time stamp shows, not ###
    assert openpyxl.load_workbook(path)[LOG_SHEET]["H6"].alignment.wrap_text  # 说明 wraps
    # a second write appends below
    cs = Changeset("again")
    cs.edit("数据", "A3", "新名称", old="宁波海纳")
    second = apply_changeset(path, cs, user="tester", now=NOW + dt.timedelta(minutes=1))
    got = [[c.value for c in r] for r in openpyxl.load_workbook(path)[LOG_SHEET].iter_rows()]
    assert got[-1][2:] == ["again", "数据!A3", "宁波海纳", "新名称", 1, None, f".wbt-backups/{second.backup.name}"]
    assert len(got) == 13


def test_empty_changeset_writes_nothing(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    report = _apply(path, Changeset("noop"))
    assert path.read_bytes() == raw and report.backup is None and not report.written
    assert not (tmp_path / ".wbt-backups").exists()


def test_mark_then_clear_restores_sheet(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    original = parts(path)[S1]
    _apply(path, Changeset("validate", clear_marks=["validate"]))  # nothing marked yet: no records sheet
    assert b"_wbt_marks" not in parts(path)["xl/workbook.xml"] and parts(path)[S1] == original
    cs = Changeset("validate")
    cs.marks += [CellMark("数据", "B2", "error", "validate"), CellMark("数据", "A3", "warning", "validate"),
                 CellMark("数据", "D5", "info", "validate"), CellMark("数据", "B3", "error", "validate")]
    report = _apply(path, cs)
    assert report.marks == 4
    ws = openpyxl.load_workbook(path)["数据"]
    assert ws["B2"].fill.fgColor.rgb == "FFFFC7CE" and ws["B2"].font.color.rgb == "FF9C0006"
    assert ws["B2"].number_format == "#,##0.00" and ws["B2"].border.left.style == "thin"  # format kept
    assert ws["A3"].fill.fgColor.rgb == "FFFFEB9C"
    marked = cells(parts(path)[S1])
    assert marked["B2"][0]["s"] == marked["B3"][0]["s"]  # one clone per (xf, severity)
    wbxml = parts(path)["xl/workbook.xml"].decode()
    assert re.search(r'<sheet name="_wbt_marks" sheetId="\d+" state="veryHidden"', wbxml)

    clear = Changeset("validate", clear_marks=["validate"])
    report = _apply(path, clear)
    assert report.marks_cleared == 4
    restored = parts(path)[S1]
    assert restored == original  # D5 was created by the mark: it is gone again


def test_clear_leaves_restyled_cell_alone(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    cs = Changeset("validate", marks=[CellMark("数据", "B2", "error", "v"), CellMark("数据", "A2", "error", "other")])
    _apply(path, cs)
    # the user re-styles B2 by hand (simulated on the XML: style 2)
    from workbook_tools.writer.package import Package
    pkg = Package.open(path)
    pkg.write(S1, re.sub(rb'<c r="B2" s="\d+"', b'<c r="B2" s="2"', pkg.read(S1)))
    pkg.save(path)
    _apply(path, Changeset("validate", clear_marks=["v"]))
    now = cells(parts(path)[S1])
    assert now["B2"][0]["s"] == "2"
    assert now["A2"][0]["s"] != "0"  # another tag's mark stays
    _apply(path, Changeset("validate", clear_marks=["other"]))
    assert cells(parts(path)[S1])["A2"][0].get("s", "0") == "0"


def test_table_grows_with_rows_below_and_header_right(tmp_path: Path) -> None:
    import xlsxwriter
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户")
    ws.add_table("A1:B3", {"columns": [{"header": "名称"}, {"header": "金额"}],
                           "data": [["甲", 1], ["乙", 2]]})
    wb.close()
    cs = Changeset("add")
    cs.edit("客户", "A4", "丙")
    cs.edit("客户", "B5", 5)
    cs.edit("客户", "C1", "等级", style="header")
    cs.edit("客户", "A9", "远处")  # not directly below: does not join
    report = _apply(path, cs)
    assert report.tables_extended == 1
    t = openpyxl.load_workbook(path)["客户"].tables["Table1"]
    assert t.ref == "A1:C5" and t.autoFilter.ref == "A1:C5"
    assert [c.name for c in t.tableColumns] == ["名称", "金额", "等级"]
    c1 = openpyxl.load_workbook(path)["客户"]["C1"]
    assert c1.font.b and c1.fill.fgColor.rgb == "FFD9E1F2"


def test_patch_cells_handles_selfclosed_and_prefixes() -> None:
    xml = b'<x:worksheet xmlns:x="urn:main"><x:sheetData/></x:worksheet>'
    out = patch_cells(xml, {(2, 2): CellPatch("a"), (1, 3): CellPatch(1)})
    assert out == (b'<x:worksheet xmlns:x="urn:main"><x:sheetData><x:row r="1"><x:c r="C1"><x:v>1</x:v></x:c>'
                   b'</x:row><x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">a</x:t>'
                   b"</x:is></x:c></x:row></x:sheetData></x:worksheet>")
    xml = (b'<worksheet><dimension ref="A1"/><sheetData><row r="3" spans="2:2"><c r="B3" s="4"/></row>'
           b"</sheetData></worksheet>")
    out = patch_cells(xml, {(3, 1): CellPatch(7), (3, 2): CellPatch("x"), (3, 5): CellPatch(None, style=9)})
    assert out == (b'<worksheet><dimension ref="A3:E3"/><sheetData><row r="3" spans="1:5"><c r="A3"><v>7</v></c>'
                   b'<c r="B3" s="4" t="inlineStr"><is><t xml:space="preserve">x</t></is></c><c r="E3" s="9"/>'
                   b"</row></sheetData></worksheet>")
    got = read_cells(out, [(3, 2), (3, 1), (4, 4)], SharedStrings(None))
    assert got[(3, 2)].value == "x" and got[(3, 2)].style == 4 and got[(3, 1)].value == 7.0
    assert not got[(4, 4)].exists


def test_change_log_names_registered_actions_in_chinese() -> None:
    from workbook_tools.writer.changelog import action_label

    assert action_label("ids") == "生成客户编号 ids"
    assert action_label("month-end") == "月末一键处理 month-end"
    assert action_label("import") == "import" and action_label("test") == "test"


def test_a_date_keeps_the_date_format_the_user_gave_its_cell(tmp_path: Path) -> None:
    """A date written where the user formatted the cell yyyy/m/d keeps that format, as the Excel
    door already did; an unformatted cell gets the edit's format (yyyy-mm-dd)."""
    path = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["B1"] = "下次跟进日期", "另一列"
    ws["A2"].number_format = "yyyy/m/d"
    wb.save(path)
    cs = Changeset("tiers")
    cs.edit("S", "A2", dt.date(2026, 11, 7), number_format="yyyy-mm-dd")
    cs.edit("S", "B2", dt.date(2026, 11, 8), number_format="yyyy-mm-dd")
    apply_changeset(path, cs)
    got = openpyxl.load_workbook(path)["S"]
    assert (got["A2"].value, got["A2"].number_format) == (dt.datetime(2026, 11, 7), "yyyy/m/d")
    assert (got["B2"].value, got["B2"].number_format) == (dt.datetime(2026, 11, 8), "yyyy-mm-dd")
