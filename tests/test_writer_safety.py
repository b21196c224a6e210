"""Refusals before writing, owner/lock files, concurrent runs, backups."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
import xlsxwriter
from _writer_util import make_book

from workbook_tools.changeset import CellMark, Changeset, GeneratedSheet
from workbook_tools.errors import UnsafeWrite, WorkbookInUse
from workbook_tools.writer import apply_changeset, check_changeset, safety

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)


def _cs(*edits: tuple) -> Changeset:
    cs = Changeset("test")
    for e in edits:
        cs.edit(*e)
    return cs


@pytest.mark.parametrize(("edit", "where", "words"), [
    (("数据", "B7", 1), "数据!B7", "formula"),
    (("数据", "F3", "x"), "数据!F3", "merged range E2:F3"),
    (("数据", "E2", "x"), "数据!E2", "merged range E2:F3"),
    (("数据", "A2", "新", "旧名称"), "数据!A2", "has changed"),
    (("数据", "B2", 1, 1234.0), "数据!B2", "has changed"),
    (("数据", "C2", 1, dt.date(2024, 3, 6)), "数据!C2", "has changed"),
    (("数据", "A4", 1, "was here"), "数据!A4", "has changed"),
    (("数据", "A8", 1, False), "数据!A8", "has changed"),
    (("没有", "A1", 1), "没有", "no sheet named"),
    (("数据", "A0", 1), "数据!A0", "Invalid cell"),
    (("数据", "A30", float("nan")), "数据!A30", "NaN"),
    (("数据", "A30", __import__("pandas").NaT), "数据!A30", "NaT"),
    (("数据", "A30", "长" * 32768), "数据!A30", "longer than 32767"),
    (("数据", "a3", "别的值"), "数据!A3", "two different values"),   # the same cell as the first edit
])
def test_refusals_name_the_cell_and_leave_the_file(tmp_path: Path, edit: tuple, where: str, words: str) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    # a harmless first edit proves nothing is written when a later one is refused
    cs = _cs(("数据", "A3", "先改这个"), edit)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, cs, now=NOW)
    err = info.value
    assert err.where() == where
    assert words in err.render("en")
    assert err.render("zh") != err.render("en") and err.exit_code == 2
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    with pytest.raises(UnsafeWrite):
        check_changeset(path, cs)


def test_the_same_value_twice_is_one_edit(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    assert apply_changeset(path, _cs(("数据", "A3", "x"), ("数据", "a3", "x")), now=NOW).cells_written == 1


def test_old_values_that_match_are_accepted(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    cs = _cs(("数据", "A2", "x", "杭州云启科技有限公司"), ("数据", "B2", 1, 1234.5), ("数据", "C2", 1, dt.date(2024, 3, 5)),
             ("数据", "A4", 1, None), ("数据", "A8", 1, True), ("数据", "C6", 1, "45000"), ("数据", "B9", 1, ""))
    check_changeset(path, cs)
    assert apply_changeset(path, cs, now=NOW).cells_written == 7


def test_protected_sheet_and_workbook_structure(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("锁定")
    ws.write(0, 0, "a")
    ws.protect()
    wb.add_worksheet("开放").write(0, 0, "b")
    wb.close()
    raw = path.read_bytes()
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, _cs(("锁定", "A2", 1)), now=NOW)
    assert info.value.where() == "锁定" and "protected" in info.value.render("en")
    with pytest.raises(UnsafeWrite):
        apply_changeset(path, Changeset("m", marks=[CellMark("锁定", "A1")]), now=NOW)
    assert path.read_bytes() == raw

    # structure lock: sheets cannot be added (or removed)
    from workbook_tools.writer.package import Package
    pkg = Package.open(path)
    wbx = pkg.read("xl/workbook.xml").replace(b"<bookViews>", b'<workbookProtection lockStructure="1"/><bookViews>')
    pkg.write("xl/workbook.xml", wbx)
    pkg.save(path)
    raw = path.read_bytes()
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, Changeset("r", add_sheets=[GeneratedSheet("新表")]), now=NOW)
    assert "structure is protected" in info.value.render("en")
    assert path.read_bytes() == raw
    # a cell edit still works; there is no room for a change log, so none is written
    report = apply_changeset(path, _cs(("开放", "A2", "ok")), now=NOW)
    assert report.cells_written == 1 and report.log_rows == 0


@pytest.mark.parametrize("owner", ["~$book.xlsx", "~$ok.xlsx", ".~lock.book.xlsx#"])
def test_open_in_office_is_refused(tmp_path: Path, owner: str) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    (tmp_path / owner).write_text("someone")
    with pytest.raises(WorkbookInUse) as info:
        apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
    assert owner in info.value.render("en") and "关闭" in info.value.render("zh")
    assert path.read_bytes() == raw


def test_second_concurrent_run_is_refused(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    with safety.locked(path):
        assert safety.lock_path(path).exists()
        with pytest.raises(WorkbookInUse) as info:
            apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
        assert "Another wbt run" in info.value.render("en")
        assert path.read_bytes() == raw
    assert not safety.lock_path(path).exists()
    apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)  # free again
    assert not safety.lock_path(path).exists()


def test_lock_held_by_another_process(tmp_path: Path) -> None:
    import subprocess
    import sys
    path = make_book(tmp_path / "book.xlsx")
    code = ("import sys,time; from pathlib import Path; from workbook_tools.writer import safety\n"
            "with safety.locked(Path(sys.argv[1])):\n print('locked', flush=True); time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(WorkbookInUse):
            apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
    finally:
        proc.kill()
        proc.wait()


def test_backups_are_made_and_bounded(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chmod(path, 0o640)
    first = path.read_bytes()
    reports = []
    for i in range(4):
        reports.append(apply_changeset(path, _cs(("数据", "A3", f"v{i}")), now=NOW + dt.timedelta(minutes=i),
                                       backup_keep=2))
        if i == 0:
            assert reports[0].backup.read_bytes() == first
            assert reports[0].backup.name == "book.20260301-093015.xlsx"
    backups = sorted(p.name for p in (tmp_path / ".wbt-backups").iterdir() if p.suffix == ".xlsx")
    assert backups == ["book.20260301-093215.xlsx", "book.20260301-093315.xlsx"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # permissions kept
    # no backup at all
    r = apply_changeset(path, _cs(("数据", "A3", "nob")), now=NOW + dt.timedelta(hours=1), backup_keep=0)
    assert r.backup is None
    assert len([p for p in (tmp_path / ".wbt-backups").iterdir() if p.suffix == ".xlsx"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".wbt-backups", "book.xlsx"]


def test_xlsm_backup_keeps_suffix(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx").rename(tmp_path / "macro.xlsm")
    r = apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
    assert r.backup.suffix == ".xlsm" and r.backup.parent.name == ".wbt-backups"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    from workbook_tools.errors import UnreadableWorkbook
    with pytest.raises(UnreadableWorkbook) as info:
        apply_changeset(tmp_path / "nope" / "book.xlsx", _cs(("数据", "A1", 1)))
    assert "not found" in info.value.render("en") and info.value.exit_code == 2


def test_read_only_file_is_refused(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    os.chmod(path, 0o444)
    try:
        with pytest.raises(UnsafeWrite) as info:
            apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
        assert "read-only" in info.value.render("en") and "只读" in info.value.render("zh")
        assert path.read_bytes() == raw
    finally:
        os.chmod(path, 0o644)


def test_lock_file_cannot_be_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_book(tmp_path / "book.xlsx")
    real_open = os.open

    def deny(p: object, *a: object, **k: object) -> int:
        if str(p).endswith(".wbt-lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *a, **k)
    monkeypatch.setattr(safety.os, "open", deny)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, _cs(("数据", "A3", "x")), now=NOW)
    assert "Cannot write in folder" in info.value.render("en")


def test_numpy_values_are_written_as_numbers(tmp_path: Path) -> None:
    import numpy as np
    import openpyxl
    path = make_book(tmp_path / "book.xlsx")
    apply_changeset(path, _cs(("数据", "J2", np.int64(7)), ("数据", "J3", np.float64(2.5)), ("数据", "J4", np.bool_(True))),
                    now=NOW)
    ws = openpyxl.load_workbook(path)["数据"]
    assert (ws["J2"].value, ws["J3"].value, ws["J4"].value) == (7, 2.5, True)


def test_a_cell_holding_only_spaces_counts_as_empty(tmp_path: Path) -> None:
    """The reader reads '   ' as empty, so an action expecting an empty cell must be allowed to write it."""
    path = tmp_path / "blank.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write_string(0, 0, "客户编号")
    ws.write_string(1, 0, "   ")
    ws.write_string(2, 0, "2024-IT-001")
    wb.close()
    apply_changeset(path, _cs(("数据", "A2", "2024-IT-002", None)), now=NOW)
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert rows[1][0] == "2024-IT-002"
    with pytest.raises(UnsafeWrite):  # a real value is still protected
        apply_changeset(path, _cs(("数据", "A3", "x", None)), now=NOW)


def _damage(path: Path, member: str) -> bytes:
    """Flip bytes inside one member's compressed data; returns that member's raw bytes as damaged."""
    import struct
    import zipfile

    whole = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(member)
    n, e = struct.unpack("<HH", whole[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + e
    for k in range(start + 2, start + min(info.compress_size, 40)):
        whole[k] ^= 0x5A
    path.write_bytes(bytes(whole))
    return bytes(whole[start:start + info.compress_size])


def _raw(path: Path, member: str) -> bytes:
    import struct
    import zipfile

    whole = path.read_bytes()
    info = zipfile.ZipFile(path).getinfo(member)
    n, e = struct.unpack("<HH", whole[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + e
    return whole[start:start + info.compress_size]


def test_a_damaged_part_the_write_does_not_need_is_copied_as_it_was(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    damaged = _damage(path, "docProps/app.xml")
    apply_changeset(path, _cs(("数据", "D2", "新备注", "老客户")), now=NOW)
    assert _raw(path, "docProps/app.xml") == damaged  # parts are inflated only when read
    from python_calamine import CalamineWorkbook
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()[1][3] == "新备注"


def test_a_damaged_part_the_write_needs_is_refused_before_writing(tmp_path: Path) -> None:
    from workbook_tools.errors import UnreadableWorkbook

    path = make_book(tmp_path / "book.xlsx")
    _damage(path, "xl/worksheets/sheet1.xml")
    before = path.read_bytes()
    with pytest.raises(UnreadableWorkbook) as got:
        apply_changeset(path, _cs(("数据", "D2", "新备注", "老客户")), now=NOW)
    assert "xl/worksheets/sheet1.xml" in got.value.message.get("en") and "损坏" in got.value.message.zh
    assert path.read_bytes() == before
    assert not safety.backup_name(path, NOW).exists()  # refused before any backup or write
