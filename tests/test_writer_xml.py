"""XML as other producers spell it, and a read-back that can fail.

The workbooks are the hand-made producer layouts of tests/corpus/producers.py; every result is
checked with a strict XML parser (expat in namespace mode) and opened with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.corpus.producers import LAYOUTS, Layout, build_parts, write_zip
from workbook_tools.changeset import CellNote, Changeset, GeneratedSheet
from workbook_tools.errors import UnsafeWrite
from workbook_tools.writer import apply_changeset, workbookxml
from workbook_tools.writer.package import Package
from workbook_tools.writer.xmlns import unescape, xml_problem

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)


def book(tmp_path: Path, layout: Layout | str, name: str = "book.xlsx") -> Path:
    return write_zip(tmp_path / name, build_parts(LAYOUTS[layout] if isinstance(layout, str) else layout))


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def edit(sheet: str, cell: str, value: object) -> Changeset:
    cs = Changeset("xml")
    cs.edit(sheet, cell, value)
    return cs


def opened(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


# ---- item 8: namespace prefixes ----------------------------------------------------------------------
def test_a_first_write_into_the_packaging_layout_keeps_workbook_xml_well_formed(tmp_path: Path) -> None:
    """xmlns:r on each <x:sheet> (System.IO.Packaging): the new 变更日志 sheet must declare its own."""
    path = book(tmp_path, "packaging")
    report = apply_changeset(path, edit("客户", "A8", "新客户"), now=NOW)
    assert report.log_rows == 1
    wb = parts(path)["xl/workbook.xml"]
    assert xml_problem(wb) is None
    new = re.search(rb'<x:sheet name="\xe5\x8f\x98\xe6\x9b\xb4\xe6\x97\xa5\xe5\xbf\x97"[^>]*/>', wb)
    assert new is not None and b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' \
        in new.group(0)
    assert opened(path).sheetnames == ["客户", "说明", "变更日志"]
    assert opened(path)["客户"]["A8"].value == "新客户"


def test_prefixed_package_parts_get_prefixed_elements(tmp_path: Path) -> None:
    """<ct:Types>, <pr:Relationships>, single-quoted attributes with spaces around '='."""
    path = book(tmp_path, "prefixed_opc")
    apply_changeset(path, Changeset("xml", add_sheets=[GeneratedSheet("新表", cells={(1, 1): ("x", None)})],
                                    notes=[CellNote("客户", "A2", "看这里")]), now=NOW)
    got = parts(path)
    for name, blob in got.items():
        if name.endswith((".xml", ".rels")):
            assert xml_problem(blob) is None, name
    assert b"<ct:Override PartName=" in got["[Content_Types].xml"]
    assert b"<Override" not in got["[Content_Types].xml"].replace(b"<ct:Override", b"")
    assert b"<pr:Relationship Id=" in got["xl/_rels/workbook.xml.rels"]
    wb = opened(path)
    assert wb.sheetnames[-2:] == ["新表", "变更日志"] and wb["客户"]["A2"].comment is not None


def test_new_cells_and_notes_in_a_prefixed_sheet_use_its_prefixes(tmp_path: Path) -> None:
    path = book(tmp_path, "packaging")
    cs = edit("客户", "F9", 3.5)
    cs.edit("客户", "C3", "文本")
    cs.notes.append(CellNote("客户", "B2", "批注"))
    apply_changeset(path, cs, now=NOW)
    sheet = parts(path)["xl/worksheets/sheet1.xml"]
    assert xml_problem(sheet) is None
    assert b'<x:row r="9"><x:c r="F9"><x:v>3.5</x:v></x:c></x:row>' in sheet
    assert b'<x:c r="C3" t="inlineStr"><x:is><x:t xml:space="preserve">\xe6\x96\x87\xe6\x9c\xac</x:t></x:is></x:c>' \
        in sheet
    drawing = re.search(rb"<x:legacyDrawing[^>]*/>", sheet)
    assert drawing is not None and b"xmlns:r=" in drawing.group(0)  # the root does not bind r
    ws = opened(path)["客户"]
    assert ws["F9"].value == 3.5 and ws["C3"].value == "文本" and ws["B2"].comment.text.endswith("批注")


def test_notes_appended_to_a_drawing_whose_root_does_not_bind_vml_prefixes(tmp_path: Path) -> None:
    path = book(tmp_path, "google")  # a first note makes the drawing; its root then loses its declarations
    apply_changeset(path, Changeset("n", notes=[CellNote("客户", "A2", "一")]), now=NOW)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        blobs = {n: z.read(n) for n in names}
    vml = next(n for n in names if n.endswith(".vml"))
    root = re.search(rb"<xml\b[^>]*>", blobs[vml]).group(0)
    decls = b" ".join(re.findall(rb'xmlns:\w+="[^"]*"', root))
    blobs[vml] = blobs[vml].replace(root, b"<xml>", 1).replace(b"<o:shapelayout", b"<o:shapelayout " + decls, 1) \
        .replace(b"<v:shape ", b"<v:shape " + decls + b" ").replace(b"<v:shapetype ", b"<v:shapetype " + decls + b" ")
    assert xml_problem(blobs[vml]) is None
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.writestr(n, blobs[n])
    apply_changeset(path, Changeset("n", notes=[CellNote("客户", "B2", "二")]), now=NOW)
    assert xml_problem(parts(path)[vml]) is None
    assert opened(path)["客户"]["B2"].comment is not None


# ---- item 9: character references ---------------------------------------------------------------------
def test_sheet_names_written_as_character_references_are_found(tmp_path: Path) -> None:
    path = book(tmp_path, "numbers")
    assert b'name="&#x5BA2;&#x6237;"' in parts(path)["xl/workbook.xml"]
    apply_changeset(path, edit("客户", "B3", 5), now=NOW)
    assert opened(path)["客户"]["B3"].value == 5
    # replacing a generated sheet whose name was written that way replaces it, not a twin
    apply_changeset(path, Changeset("g", add_sheets=[GeneratedSheet("说明", cells={(1, 1): ("新", None)})]), now=NOW)
    assert opened(path).sheetnames == ["客户", "说明", "变更日志"]
    assert opened(path)["说明"]["A1"].value == "新"


def test_unescape_decodes_named_and_numeric_references() -> None:
    assert unescape("&#x4E3B;&#21160;&amp;&lt;&gt;&quot;&apos;") == "主动&<>\"'"
    assert unescape("&#xZZ; & plain") == "&#xZZ; & plain"


# ---- item 10: array formulas and data tables -------------------------------------------------------------
@pytest.mark.parametrize(("cell", "words"), [("D5", "formula"), ("D6", "array formula D5:D6"),
                                             ("E3", "formula"), ("E2", "formula")])
def test_formula_cells_and_array_members_are_refused(tmp_path: Path, cell: str, words: str) -> None:
    path = book(tmp_path, "packaging")
    raw = path.read_bytes()
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, edit("客户", cell, 1), now=NOW)
    assert info.value.where() == f"客户!{cell}" and words in info.value.render("en")
    assert path.read_bytes() == raw


def test_a_data_table_range_is_refused(tmp_path: Path) -> None:
    path = book(tmp_path, "excelize")
    with zipfile.ZipFile(path) as z:
        blobs = {n: z.read(n) for n in z.namelist()}
    blobs["xl/worksheets/sheet1.xml"] = blobs["xl/worksheets/sheet1.xml"].replace(
        b'<c r="B4"><f>SUM(B2:B3)</f>', b'<c r="B4"><f t="dataTable" ref="B4:C4" dt2D="0" dtr="1" r1="A1"/>')
    with zipfile.ZipFile(path, "w") as z:
        for n, b in blobs.items():
            z.writestr(n, b)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, edit("客户", "C4", 1), now=NOW)
    assert "B4:C4" in info.value.render("en")


# ---- item 11: the read-back can fail ------------------------------------------------------------------
def test_a_part_left_not_well_formed_is_caught_and_the_original_restored(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Bring the old bug back (r:id where no prefix is bound): the check after writing must notice."""
    path = book(tmp_path, "packaging")
    raw = path.read_bytes()
    monkeypatch.setattr(workbookxml, "qualified", lambda *a, **k: ("r:id", ""))
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, edit("客户", "A8", "x"), now=NOW)
    text = info.value.render("en")
    assert "Check after writing failed" in text and "xl/workbook.xml" in text and "unbound prefix" in text
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == [".wbt-backups", "book.xlsx"]


def test_a_part_that_was_broken_before_does_not_fail_the_check(tmp_path: Path) -> None:
    """Legacy VML drawings are not always well-formed XML (``<br>``); appending a note to one is
    no reason to refuse, as long as the part was like that before."""
    path = book(tmp_path, "google")
    apply_changeset(path, Changeset("n", notes=[CellNote("客户", "A2", "一")]), now=NOW)
    with zipfile.ZipFile(path) as z:
        blobs = {n: z.read(n) for n in z.namelist()}
    vml = next(n for n in blobs if n.endswith(".vml"))
    blobs[vml] = blobs[vml].replace(b'<div style="text-align:left"></div>', b'<div style="text-align:left"><br></div>', 1)
    assert xml_problem(blobs[vml]) is not None
    with zipfile.ZipFile(path, "w") as z:
        for n, b in blobs.items():
            z.writestr(n, b)
    assert apply_changeset(path, Changeset("n", notes=[CellNote("客户", "B2", "二")]), now=NOW).written


# ---- part names: letter case, backslashes, missing styles ---------------------------------------------------
def test_relationship_targets_in_another_case_with_a_backslash_find_their_parts(tmp_path: Path) -> None:
    """Valid OPC (part names are case-insensitive) that Excel opens. The check after writing reads
    the cells back through the same part names, so it confirms the write (calamine, which an
    earlier check used, does not find such a sheet and refused it)."""
    path = book(tmp_path, Layout(targets="mixed"))
    assert b'Target="WORKSHEETS\\SHEET1.xml"' in parts(path)["xl/_rels/workbook.xml.rels"]
    pkg = Package.open(path)
    assert pkg.sheet("客户").part == "xl/worksheets/sheet1.xml"  # type: ignore[union-attr]
    assert apply_changeset(path, edit("客户", "B3", 5), now=NOW).written
    after = parts(path)
    assert b'<c r="B3"><v>5</v></c>' in after["xl/worksheets/sheet1.xml"]
    folded = [n.casefold() for n in after]
    assert len(folded) == len(set(folded))  # no new part collides with an old one in another case
    assert all(xml_problem(b) is None for n, b in after.items() if n.endswith((".xml", ".rels")))


def test_a_workbook_without_styles_gets_a_stylesheet(tmp_path: Path) -> None:
    path = book(tmp_path, "bare")
    assert "xl/styles.xml" not in parts(path)
    apply_changeset(path, edit("客户", "C3", dt.date(2025, 1, 31)), now=NOW)
    got = parts(path)
    assert xml_problem(got["xl/styles.xml"]) is None
    assert b"/styles" in got["xl/_rels/workbook.xml.rels"] and b'PartName="/xl/styles.xml"' in got["[Content_Types].xml"]
    wb = opened(path)
    assert wb["客户"]["C3"].value == dt.datetime(2025, 1, 31) and wb["客户"]["C3"].number_format == "yyyy-mm-dd"
    assert wb["客户"]["A2"].number_format == "General"  # cells without a style keep the default one
    assert wb["变更日志"]["A1"].font.b is True


def test_a_generated_sheet_in_a_1904_workbook_keeps_its_dates(tmp_path: Path) -> None:
    path = book(tmp_path, "poi")
    g = GeneratedSheet("复盘", cells={(1, 1): (dt.date(2025, 1, 31), None)})
    apply_changeset(path, Changeset("g", add_sheets=[g]), now=NOW)
    assert opened(path)["复盘"]["A1"].value == dt.datetime(2025, 1, 31)


def test_zip_entries_named_with_backslashes_are_found(tmp_path: Path) -> None:
    """Some producers store ``xl\\workbook.xml`` (calamine reads such files, so the reader does)."""
    from python_calamine import CalamineWorkbook

    path = write_zip(tmp_path / "book.xlsx", {n.replace("/", "\\"): b for n, b in build_parts(LAYOUTS["excelize"]).items()})
    assert "_rels\\.rels" in parts(path)
    apply_changeset(path, edit("客户", "A8", "新客户"), now=NOW)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["客户", "说明", "变更日志"]
    assert book.get_sheet_by_name("客户").to_python()[7][0] == "新客户"
    folded = [n.replace("\\", "/").casefold() for n in parts(path)]
    assert len(folded) == len(set(folded))
