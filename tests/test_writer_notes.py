"""Cell notes spliced into a workbook package (writer/notes.py)."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from tests.corpus import package_problems
from workbook_tools.changeset import CellNote
from workbook_tools.errors import UnsafeWrite
from workbook_tools.writer.notes import CT_COMMENTS, CT_VML, apply_notes
from workbook_tools.writer.package import Package

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def make_book(path: Path) -> Path:
    """明细: a table, a data bar (x14 extLst) and no comments; 批注: a user's note;
    按钮: a form button (VML without comments)."""
    wb = xlsxwriter.Workbook(str(path))
    a = wb.add_worksheet("明细")
    a.write_row(0, 0, ["名称", "金额"])
    for i in range(1, 6):
        a.write_row(i, 0, [f"客户{i}", i * 100])
    a.add_table("A1:B6", {"columns": [{"header": "名称"}, {"header": "金额"}]})
    a.conditional_format("B2:B6", {"type": "data_bar", "data_bar_2010": True})
    a.set_header("&C页眉")
    b = wb.add_worksheet("批注")
    b.write("A1", "已有批注")
    b.write_comment("A1", "用户写的批注", {"author": "张三"})
    c = wb.add_worksheet("按钮")
    c.write("A1", 1)
    c.insert_button("C2", {"macro": "Go", "caption": "运行"})
    wb.close()
    return path


def run(path: Path, sheet: str, notes: list[CellNote]) -> Path:
    pkg = Package.open(path)
    apply_notes(pkg, sheet, notes)
    out = path.with_name(path.stem + "-n.xlsx")
    pkg.save(out)
    assert package_problems(out) == []
    return out


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def comments_of(path: Path) -> dict[str, dict[str, tuple[str, str]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: (c.comment.author, c.comment.text) for row in ws.iter_rows() for c in row
                       if c.comment} for ws in wb}


def top_level(xml: bytes) -> list[str]:
    return [el.tag.split("}")[-1] for el in ET.fromstring(xml)]


def test_new_notes_create_comments_vml_and_legacy_drawing_in_schema_order(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    out = run(src, "明细", [CellNote("明细", "B3", "金额偏低 <核对> & 确认"), CellNote("明细", "$a$5", "重复客户?")])
    p = parts(out)
    order = top_level(p["xl/worksheets/sheet1.xml"])
    assert order.index("headerFooter") < order.index("legacyDrawing") < order.index("tableParts") < order.index("extLst")
    got = comments_of(out)["明细"]
    assert got == {"B3": ("wbt", "金额偏低 <核对> & 确认"), "A5": ("wbt", "重复客户?")}
    ct = p["[Content_Types].xml"].decode()
    assert CT_COMMENTS in ct and f'Extension="vml" ContentType="{CT_VML}"' in ct
    vml = next(v for k, v in p.items() if k.endswith(".vml") and b"<x:Row>2</x:Row>" in v)
    assert vml.count(b'ObjectType="Note"') == 2 and b"<x:Column>1</x:Column>" in vml
    # the rest of the sheet is the same XML apart from the one new element
    before = parts(src)["xl/worksheets/sheet1.xml"]
    after = p["xl/worksheets/sheet1.xml"]
    assert re.sub(rb"<legacyDrawing r:id=\"rId\d+\"/>", b"", after) == before


def test_existing_user_comment_kept_and_ours_appended(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    old = parts(src)
    old_comments = old["xl/comments1.xml"].decode()
    user_comment = re.search(r"<comment ref=\"A1\".*?</comment>", old_comments, re.S).group(0)  # type: ignore[union-attr]
    out = run(src, "批注", [CellNote("批注", "B2", "我们的批注")])
    new = parts(out)
    assert user_comment in new["xl/comments1.xml"].decode()
    old_vml = old["xl/drawings/vmlDrawing1.vml"]
    assert new["xl/drawings/vmlDrawing1.vml"].startswith(old_vml[:old_vml.rindex(b"</xml>")])
    assert comments_of(out)["批注"] == {"A1": ("张三", "用户写的批注"), "B2": ("wbt", "我们的批注")}
    assert new["xl/worksheets/sheet2.xml"] == old["xl/worksheets/sheet2.xml"]  # already had legacyDrawing


def test_same_author_note_is_replaced_not_duplicated(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    once = run(src, "明细", [CellNote("明细", "B3", "第一次")])
    twice = run(once, "明细", [CellNote("明细", "B3", "第二次"), CellNote("明细", "B3", "第三次")])
    assert comments_of(twice)["明细"] == {"B3": ("wbt", "第三次")}
    p = parts(twice)
    comments = next(v for k, v in p.items() if k.startswith("xl/comments") and b'ref="B3"' in v)
    assert comments.count(b'ref="B3"') == 1 and comments.count(b"<author>wbt</author>") == 1
    vml = next(v for k, v in p.items() if k.endswith(".vml") and b"<x:Row>2</x:Row>" in v)
    assert vml.count(b'ObjectType="Note"') == 1


def test_note_on_a_cell_with_another_authors_note_keeps_theirs(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    once = run(src, "批注", [CellNote("批注", "A1", "系统提示一")])
    assert comments_of(once)["批注"]["A1"] == ("张三", "用户写的批注\n[wbt] 系统提示一")
    twice = run(once, "批注", [CellNote("批注", "A1", "系统提示二")])
    assert comments_of(twice)["批注"]["A1"] == ("张三", "用户写的批注\n[wbt] 系统提示二")


def test_button_vml_gets_note_shapes_appended_and_ids_stay_unique(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    out = run(src, "按钮", [CellNote("按钮", "A1", "按钮页的批注")])
    out2 = run(out, "明细", [CellNote("明细", "A2", "另一页")])
    p = parts(out2)
    button_vml = [v for k, v in p.items() if k.endswith(".vml") and b'ObjectType="Button"' in v]
    assert len(button_vml) == 1 and b'ObjectType="Note"' in button_vml[0]
    assert comments_of(out2)["按钮"] == {"A1": ("wbt", "按钮页的批注")}
    idmaps, shape_ids = [], []
    for k, v in p.items():
        if k.endswith(".vml"):
            idmaps += re.findall(rb'<o:idmap v:ext="edit" data="(\d+)"', v)
            shape_ids += re.findall(rb'<v:shape id="(_x0000_s\d+)"', v)
    assert len(idmaps) == len(set(idmaps)) and len(shape_ids) == len(set(shape_ids))


def test_unknown_sheet_is_refused_with_its_name(tmp_path: Path) -> None:
    pkg = Package.open(make_book(tmp_path / "b.xlsx"))
    with pytest.raises(UnsafeWrite) as err:
        apply_notes(pkg, "没有这页", [CellNote("没有这页", "A1", "x")])
    assert "没有这页" in err.value.render("zh")
    apply_notes(pkg, "明细", [])  # nothing to do
    assert not pkg.changed


@pytest.mark.soffice
def test_libreoffice_shows_the_notes(tmp_path: Path) -> None:
    from workbook_tools.testing.soffice import convert

    out = run(make_book(tmp_path / "b.xlsx"), "批注", [CellNote("批注", "B2", "LibreOffice 可见")])
    back = convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    got = comments_of(back)["批注"]
    assert "LibreOffice 可见" in got["B2"][1] and "用户写的批注" in got["A1"][1]


def test_thousands_of_notes_in_one_pass(tmp_path: Path) -> None:
    """A validation run may note every bad cell: one pass over the comments part, not one per note
    (the first version took 210 s for 5,000 notes)."""
    import time

    src = make_book(tmp_path / "b.xlsx")
    notes = [CellNote("批注", f"B{i}", f"第{i}行") for i in range(2, 3002)]
    t0 = time.perf_counter()
    once = run(src, "批注", notes)
    twice = run(once, "批注", [CellNote("批注", f"B{i}", f"改{i}") for i in range(2, 3002)])
    assert time.perf_counter() - t0 < 20
    got = comments_of(twice)["批注"]
    assert len(got) == 3001 and got["B2999"] == ("wbt", "改2999") and got["A1"] == ("张三", "用户写的批注")
