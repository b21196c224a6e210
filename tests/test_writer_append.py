"""The fast paths of the writer give exactly the bytes of the generic path."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from workbook_tools.writer import sheetxml
from workbook_tools.writer.append import append_table
from workbook_tools.writer.cells import KEEP, CellPatch, NewRows, _render_cell, patch_cells
from workbook_tools.writer.values import cell_ref

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XNS = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

SHEETS = {
    "plain": b"<worksheet " + NS + b'><dimension ref="A1:C2"/><cols><col min="2" max="3" style="4"/></cols>'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>'
             b'<row r="2" spans="1:3"><c r="C2"><v>1</v></c></row></sheetData></worksheet>',
    "prefixed": b"<x:worksheet " + XNS + b'><x:dimension ref="A1"/><x:sheetData><x:row r="3"><x:c r="A3">'
                b"<x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>",
    "empty": b"<worksheet " + NS + b'><dimension ref="A1"/><sheetData></sheetData></worksheet>',
    "closed": b"<worksheet " + NS + b"><sheetData/></worksheet>",
    "r-less rows": b"<worksheet " + NS + b"><sheetData><row><c><v>1</v></c></row><row><c><v>2</v></c></row>"
                   b"</sheetData></worksheet>",
    "out of order": b"<worksheet " + NS + b'><sheetData><row r="9"><c r="A9"><v>1</v></c></row>'
                    b'<row r="2"><c r="A2"><v>2</v></c></row></sheetData></worksheet>',
}

VALUES = ["text", "a<b>&c", "_x0041_", "", None, 0, -0.0, 1.5, 10**16, True, False, Decimal("2.50"),
          dt.date(2026, 10, 31), dt.datetime(2026, 10, 31, 8, 30), dt.datetime(2026, 10, 31, 8, 30, tzinfo=dt.UTC),
          dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))]


def _table() -> list[list[CellPatch]]:
    shared = CellPatch(dt.datetime(2026, 1, 2, 3, 4, 5), style=7)
    return [[shared, CellPatch(v), CellPatch(v, style=0 if i % 3 else 5), CellPatch(KEEP),
             CellPatch(KEEP, style=3) if i % 2 else CellPatch(KEEP)] for i, v in enumerate(VALUES)]


def _cells(first: int, rows: list[list[CellPatch]]) -> dict[tuple[int, int], CellPatch]:
    return {(first + i, c): p for i, row in enumerate(rows) for c, p in enumerate(row, 1)}


@pytest.mark.parametrize("name", sorted(SHEETS))
@pytest.mark.parametrize("first", [1, 3, 4, 10, 50])
@pytest.mark.parametrize("date1904", [False, True])
def test_append_table_with_styles_and_kept_cells_matches_patch_cells(name: str, first: int, date1904: bool) -> None:
    xml = SHEETS[name]
    rows = _table()
    assert append_table(xml, first, rows, date1904) == patch_cells(xml, _cells(first, rows), date1904)


def test_append_table_adds_rows_at_the_end() -> None:
    out = append_table(SHEETS["plain"], 5, [[CellPatch("x")]])
    assert out.endswith(b'<row r="5"><c r="A5" t="inlineStr"><is><t xml:space="preserve">x</t></is></c></row>'
                        b"</sheetData></worksheet>")
    assert b'<dimension ref="A1:C5"/>' in out


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_new_row_memo_matches_render_cell(prefix: bytes) -> None:
    cols = [(2, 3, 4)]
    builder = NewRows(cols, prefix, False)
    for r in (1, 2, 27):  # the second pass reads every tail from the memo
        for i, v in enumerate(VALUES):
            for style in (None, 0, 6):
                p = CellPatch(v, style)
                want = _render_cell(None, cell_ref(r, 2 + i % 3), p, 4 if 2 <= 2 + i % 3 <= 3 else None,
                                    prefix, False)
                got = builder.row(r, {2 + i % 3: p})
                assert got == b"<" + prefix + b'row r="%d">' % r + want + b"</" + prefix + b"row>"


_LAZY_ROW = re.compile(rb'<(?:\w+:)?row\b(?:[^>]*?\sr\s*=\s*"(\d+)")?[^>]*?(?:/>|>.*?</(?:\w+:)?row>)', re.S)


@pytest.mark.parametrize("xml", [
    *SHEETS.values(),
    b'<sheetData><row r="1"/><row r="2" spans="1:2"><c r="A2"><v>1</v></c></row><row>\n<c><is><t>&lt;/row&gt;'
    b'</t></is></c></row><x:row r="4"><x:c r="A4"/></x:row><rowx/><row r="5"></row><row r="6"><c/></sheetData>',
    b"<row><c><v>1</v></c><r></r></row><row r='7'><c>x</c></row></row>",
])
def test_row_pattern_matches_the_lazy_one(xml: bytes) -> None:
    want = [(m.span(), m.group(1)) for m in _LAZY_ROW.finditer(xml)]
    assert [(m.span(), m.group(1)) for m in sheetxml.ROW_RE.finditer(xml)] == want
    assert want or b"<row" not in xml


# ---- what the change log's append looks up without walking every row --------------------------
def _forward_last_used_row(xml: bytes) -> int:
    """The plain definition: every row in order, the last one holding a value."""
    lo, hi, _, closed = sheetxml.sheet_data_span(xml)
    last = 0
    if not closed:
        for r, m in sheetxml.iter_rows(xml, lo, hi):
            if re.search(rb"<(?:\w+:)?(?:v|is|f)\b", m.group(0)):
                last = r
    return last


TRAILING = {
    "styled empty rows at the end": b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                                    b'<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3" s="4"/></row>'
                                    b'<row r="7" ht="20" customHeight="1"/></sheetData></worksheet>',
    "formula only": b"<worksheet " + NS + b'><sheetData><row r="4"><c r="B4"><f>1+1</f></c></row></sheetData>'
                    b"</worksheet>",
    "no value anywhere": b"<worksheet " + NS + b'><sheetData><row r="4"><c r="B4" s="1"/></row></sheetData>'
                         b"</worksheet>",
}


@pytest.mark.parametrize("name", sorted({**SHEETS, **TRAILING}))
def test_last_used_row_walking_back_agrees_with_the_plain_definition(name: str) -> None:
    xml = {**SHEETS, **TRAILING}[name]
    assert sheetxml.last_used_row(xml) == _forward_last_used_row(xml)


def test_last_used_row_values() -> None:
    assert sheetxml.last_used_row(TRAILING["styled empty rows at the end"]) == 2
    assert sheetxml.last_used_row(SHEETS["r-less rows"]) == 2
    assert sheetxml.last_used_row(SHEETS["prefixed"]) == 3
    assert sheetxml.last_used_row(SHEETS["closed"]) == 0


def test_protection_and_dimension_are_found_outside_the_rows() -> None:
    body = b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;sheetProtection sheet="1"/&gt;</t></is></c>' \
           b"</row></sheetData>"
    plain = b"<worksheet " + NS + b'><dimension ref="A1:A1"/>' + body + b"</worksheet>"
    locked = b"<worksheet " + NS + b'><dimension ref="A1:A1"/>' + body + b'<sheetProtection sheet="1"/></worksheet>'
    assert not sheetxml.is_protected(plain) and sheetxml.is_protected(locked)
    assert b'<dimension ref="A1:B3"/>' in sheetxml.update_dimension(plain, [(3, 2)])
    no_dim = b"<worksheet " + NS + b">" + body + b"</worksheet>"
    assert sheetxml.update_dimension(no_dim, [(3, 2)]) == no_dim


def test_new_rows_across_wide_columns_match_render_cell() -> None:
    cols = [(1, 30, 5)]
    builder = NewRows(cols, b"", False)
    patches = {703: CellPatch("far"), 1: CellPatch(1.5), 28: CellPatch(dt.date(2025, 1, 2), 0), 27: CellPatch(KEEP)}
    want = b"".join(_render_cell(None, cell_ref(12, c), patches[c], 5 if c <= 30 else None, b"", False)
                    for c in (1, 28, 703))
    assert builder.row(12, patches) == b'<row r="12">' + want + b"</row>"
    assert b'r="AA12"' not in want and b'r="AB12"' in want and b'r="AAA12"' in want


# ---- rows located directly (locate_rows) against the walk through every row ------------------------
GAPPED = {
    "gaps": b"<worksheet " + NS + b'><cols><col min="1" max="2" style="4"/></cols><sheetData>'
            + b"".join(b'<row r="%d" spans="1:3"><c r="A%d"><v>%d</v></c><c r="C%d" t="inlineStr"><is><t>t</t>'
                       b"</is></c></row>" % (r, r, r, r) for r in (1, 2, 3, 5, 8, 9, 10, 12, 30))
            + b"</sheetData></worksheet>",
    "self-closed rows": b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                        b'<row r="2" ht="20" customHeight="1"/><row r="3" s="4" customFormat="1"/>'
                        b'<row r="4"><c r="B4" t="inlineStr"><is><t>x</t></is></c></row><row r="5"/>'
                        b"</sheetData></worksheet>",
    "attributes before r": b"<worksheet " + NS + b'><sheetData><row spans="1:1" r="1"><c r="A1"><v>1</v></c></row>'
                           b'<row r="2"><c r="A2"><v>2</v></c></row></sheetData></worksheet>',
    "prefixed rows": b"<x:worksheet " + XNS + b"><x:sheetData>" + b"".join(
        b'<x:row r="%d"><x:c r="B%d"><x:v>%d</x:v></x:c></x:row>' % (r, r, r) for r in range(1, 12))
        + b"</x:sheetData></x:worksheet>",
}
TARGETS = [[1], [2, 3], [4], [5, 6, 7, 8], [12, 13, 31, 40], [1, 10, 11, 29, 30, 31], [11], [99], [3, 9, 30, 31, 50],
           [8, 9, 10], [1, 2, 3, 5, 8, 9, 10, 12, 30]]


def _walk_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.writer import cells
    monkeypatch.setattr(cells, "locate_rows", lambda *a: None)


# rows out of order break the file format (rows ascend); neither path promises anything for them
@pytest.mark.parametrize("name", sorted(set(SHEETS) - {"out of order"} | set(GAPPED)))
@pytest.mark.parametrize("rows", TARGETS)
def test_rows_located_directly_give_the_bytes_of_the_walk(name: str, rows: list[int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.writer.cellfind import read_cells
    from workbook_tools.writer.values import SharedStrings

    xml = {**SHEETS, **GAPPED}[name]
    patches = {(r, c): CellPatch(f"v{r}.{c}" if c != 2 else r * 1.5) for r in rows for c in (1, 2, 4)}
    refs = list(patches) + [(r, 3) for r in rows]
    sst = SharedStrings(None)
    fast, fast_cells = patch_cells(xml, patches), read_cells(xml, refs, sst)
    _walk_only(monkeypatch)
    assert patch_cells(xml, patches) == fast
    assert read_cells(xml, refs, sst) == fast_cells


def test_locate_rows_finds_rows_and_insertion_points() -> None:
    xml = GAPPED["gaps"]
    lo, hi, prefix, _ = sheetxml.sheet_data_span(xml)
    spots = sheetxml.locate_rows(xml, lo, hi, prefix, [2, 9, 31])
    assert spots is not None
    assert [(r, end is not None) for r, _, end in spots] == [(2, True), (9, True), (31, False)]
    row2 = xml[spots[0][1]:spots[0][2]]
    assert row2.startswith(b'<row r="2"') and row2.endswith(b"</row>") and row2.count(b"<row") == 1
    assert spots[2][1] == hi
    assert sheetxml.locate_rows(xml, lo, hi, prefix, [4]) is None  # a gap: the walk decides
    other = GAPPED["attributes before r"]
    lo, hi, prefix, _ = sheetxml.sheet_data_span(other)
    assert sheetxml.locate_rows(other, lo, hi, prefix, [2]) is None


@pytest.mark.parametrize("name", sorted(SHEETS))
@pytest.mark.parametrize("first", [1, 4, 50])
def test_append_table_matches_patch_cells(name: str, first: int) -> None:
    xml = SHEETS[name]
    stamp = CellPatch(dt.datetime(2026, 1, 2, 3, 4, 5), style=7)
    rows = [[stamp, CellPatch(v), CellPatch("x"), *([CellPatch(i)] if i % 2 else [])] for i, v in enumerate(VALUES)]
    assert append_table(xml, first, rows) == patch_cells(xml, _cells(first, rows))
