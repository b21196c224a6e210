"""Texts longer than Excel allows in a cell (32,767 characters, counted as Excel counts them: UTF-16
units): the reader reports each such cell (R-TEXT-TOO-LONG, naming the cell and the count), shared
or inline, whatever its size; the writer never writes one (an edit is refused before writing, a
derived text such as the change log's copy of an old value is cut)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import python_calamine as pc

from tests.test_extent import HEADER, make_book
from tests.test_hostile import run_inspect
from workbook_tools.changeset import CellEdit, Changeset
from workbook_tools.errors import UnsafeWrite
from workbook_tools.reader import read_workbook
from workbook_tools.writer import apply_changeset

LIMIT = 32_767


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _too_long(path: Path) -> dict[str, str]:
    return {n.cell: n.message.en for n in read_workbook(path).notices if n.code == "R-TEXT-TOO-LONG"}


def test_inline_texts_counted_as_excel_counts(tmp_path: Path) -> None:
    rows = (f'<row r="3">{_inline("A3", "x" * (LIMIT + 1))}{_inline("B3", "x" * LIMIT)}</row>'
            f'<row r="4">{_inline("A4", "张" * 20_000)}{_inline("B4", "😀" * 16_384)}</row>'   # 20,000 / 32,768 units
            f'<row r="5">{_inline("A5", "&amp;" * (LIMIT + 5))}{_inline("C5", "a&amp;b" * 10_000)}</row>')
    path = make_book(tmp_path / "t.xlsx", HEADER + rows)
    found = _too_long(path)
    assert sorted(found) == ["A3", "A5", "B4"]       # B3 is exactly the limit; 张×20,000 is 60 KB but 20,000 chars
    assert "32,768 characters" in found["A3"] and "32,772 characters" in found["A5"]
    assert "32,768 characters" in found["B4"]


def test_shared_strings_and_rich_text(tmp_path: Path) -> None:
    path = make_book(tmp_path / "s.xlsx", HEADER + '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>0</v>'
                     '</c><c r="C3"><v>1</v></c><c r="D3" t="s"><v>2</v></c></row>')
    runs = "".join(f"<r><t>{'y' * 10_000}</t></r>" for _ in range(4))     # 40,000 chars in 4 runs of 10,000
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           f'2006/main"><si><t>short</t></si><si><t>{"z" * 50_000}</t></si><si>{runs}</si></sst>')
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", sst)
    found = _too_long(path)
    # C3 is the number 1, not shared string 1
    assert sorted(found) == ["A3", "D3"] and "50,000" in found["A3"] and "40,000" in found["D3"]


def test_a_24_mb_text_cell_is_reported_in_bounded_time(tmp_path: Path) -> None:
    """In a subprocess with run_inspect's time and memory limits (a 1 MB file)."""
    big = "x" * (24 << 20)
    path = make_book(tmp_path / "big.xlsx", HEADER + f'<row r="40">{_inline("B40", big)}</row>')
    assert path.stat().st_size < 1 << 20
    res = run_inspect(path, "en", json=True)
    assert res.returncode == 0, res.stderr
    found = [n for n in json.loads(res.stdout)["notices"] if n["code"] == "R-TEXT-TOO-LONG"]
    assert [(n["cell"], "25,165,824" in n["message"]) for n in found] == [("B40", True)]


def test_the_writer_refuses_a_too_long_edit_and_cuts_derived_text(tmp_path: Path) -> None:
    path = make_book(tmp_path / "w.xlsx", HEADER + f'<row r="3">{_inline("B3", "旧" * 40_000)}</row>')
    before = path.read_bytes()
    cs = Changeset("test")
    cs.edits.append(CellEdit("客户基本信息", "C3", "😀" * 16_384))    # 16,384 code points, 32,768 units
    with pytest.raises(UnsafeWrite) as err:
        apply_changeset(path, cs)
    assert err.value.cell == "C3" and "32767" in err.value.message.en
    assert path.read_bytes() == before
    cs = Changeset("test")
    cs.edits.append(CellEdit("客户基本信息", "B3", "新"))        # the log keeps the old 40,000-character value
    apply_changeset(path, cs)
    book = pc.CalamineWorkbook.from_path(str(path))    # read back independently
    sheets = {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}
    texts = [str(v) for rows in sheets.values() for row in rows for v in row if isinstance(v, str)]
    assert max(len(t.encode("utf-16-le")) // 2 for t in texts) <= LIMIT
    assert sheets["客户基本信息"][2][1] == "新"
    assert any(t.startswith("旧旧旧") and t.endswith("…") for row in sheets["变更日志"] for t in map(str, row))


@pytest.mark.parametrize("row", [1, 2])
def test_a_huge_text_in_the_header_window_is_not_normalised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             row: int) -> None:
    """A header is never long: header matching looks at no text longer than MAX_LOOKED_AT, so a
    huge cell in the header row or the row below it (a possible second header line) costs nothing
    (a 60-million-character cell there took over 30 s of CPU before)."""
    from workbook_tools.reader import headermap, parse

    seen: list[int] = []
    for mod, name in ((parse, "clean_text"), (headermap, "unit_word"), (headermap, "match_header")):
        real = getattr(mod, name)

        def spy(*a: object, _real: object = real, **k: object) -> object:
            seen.extend(len(x) for x in a if isinstance(x, str))
            return _real(*a, **k)  # type: ignore[operator]
        monkeypatch.setattr(mod, name, spy)
    big = "客户 名称 " * 200_000
    head = '<row r="1">' + "".join(_inline(f"{c}1", t) for c, t in zip("ABC", ("客户名称", "联系人", "联系方式")))
    rows = (head + (_inline("D1", big) if row == 1 else "") + "</row>"
            + (f'<row r="2">{_inline("D2", big)}</row>' if row == 2 else "")
            + f'<row r="3">{_inline("A3", "杭州云启科技有限公司")}{_inline("B3", "张伟")}</row>')
    model = read_workbook(make_book(tmp_path / "h.xlsx", rows))
    sheet = model.sheets["customers"]
    assert sheet.columns == {"name": 1, "contact": 2, "phone": 3} and sheet.header_row == 1
    assert sheet.df.loc[3, "name"] == "杭州云启科技有限公司"
    assert seen and max(seen) <= headermap.MAX_LOOKED_AT
