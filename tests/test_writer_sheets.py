"""Generated sheets added, replaced and removed inside a workbook package (writer/sheets.py)."""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.corpus import package_problems
from workbook_tools.changeset import ChartSpec, GeneratedSheet
from workbook_tools.errors import UnsafeWrite
from workbook_tools.writer.package import Package
from workbook_tools.writer.sheets import add_or_replace_sheet, remove_sheet


def make_book(path: Path, *, active: str | None = None, calc_chain: bool = False) -> Path:
    """甲 (data, local name), 乙 (a chart), 丙 (local name, optionally active); global names."""
    wb = xlsxwriter.Workbook(str(path))
    a, b, c = wb.add_worksheet("甲"), wb.add_worksheet("乙"), wb.add_worksheet("丙")
    a.write_row(0, 0, ["名称", "数量"], wb.add_format({"bold": True, "font_color": "#123456"}))
    a.write_row(1, 0, ["x", 3])
    b.write_column(0, 0, [1, 2, 3])
    ch = wb.add_chart({"type": "line"})
    ch.add_series({"values": "='乙'!$A$1:$A$3"})
    b.insert_chart("C2", ch)
    c.write("A1", "丙的内容")
    c.write_formula("A2", "=甲!B2*2", None, 6)
    wb.define_name("甲!本地", "=甲!$A$1")
    wb.define_name("丙!本地丙", "=丙!$A$1")
    wb.define_name("全局乙", "=乙!$A$1:$A$3")
    wb.define_name("全局丙", "='丙'!$A$1")
    if active:
        {"甲": a, "乙": b, "丙": c}[active].activate()
    wb.close()
    if calc_chain:
        _inject_calc_chain(path)
    return path


def _inject_calc_chain(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                                 b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 b'<c r="A2" i="3"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def review(name: str = "审阅", *, chart: bool = True, after: str | None = None) -> GeneratedSheet:
    g = GeneratedSheet(name, after=after)
    g.put_row(1, 1, ["等级", "数量"], "header")
    g.put_row(2, 1, ["A", 5], [None, "int"])
    g.put_row(3, 1, ["B", 7], [None, "int"])
    g.put(4, 1, 0.125, "pct")
    if chart:
        g.charts.append(ChartSpec("pie", "分布", "A2:A3", [("数量", "B2:B3")], anchor="D2"))
    return g


def apply(path: Path, fn, *args, **kw) -> Path:  # noqa: ANN001
    pkg = Package.open(path)
    fn(pkg, *args, **kw)
    out = path.with_name(path.stem + "-out.xlsx")
    pkg.save(out)
    assert package_problems(out) == []
    return out


def workbook_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/workbook.xml").decode()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def local_ids(xml: str) -> dict[str, int | None]:
    out = {}
    for m in re.finditer(r"<definedName\b([^>]*)>([^<]*)<", xml):
        name = re.search(r'name="([^"]+)"', m.group(1)).group(1)  # type: ignore[union-attr]
        lid = re.search(r'localSheetId="(\d+)"', m.group(1))
        out[name] = int(lid.group(1)) if lid else None
    return out


def test_added_sheet_is_placed_after_named_sheet_and_names_shift(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx", active="丙")
    before = workbook_xml(src)
    assert local_ids(before) == {"全局丙": None, "全局乙": None, "本地": 0, "本地丙": 2}
    out = apply(src, add_or_replace_sheet, review(after="甲"))
    xml = workbook_xml(out)
    assert [s.name for s in Package.open(out).sheets()] == ["甲", "审阅", "乙", "丙"]
    assert local_ids(xml)["本地"] == 0 and local_ids(xml)["本地丙"] == 3
    assert re.search(r'activeTab="3"', xml)  # 丙 is still the active sheet
    new = re.search(r'<sheet name="审阅" sheetId="(\d+)" r:id="(rId\d+)"/>', xml)
    assert new and new.group(1) == "4"
    # workbook.xml gained one element and changed two numbers; nothing else moved
    assert xml.replace(new.group(0), "").replace('localSheetId="3"', 'localSheetId="2"').replace(
        'activeTab="3"', 'activeTab="2"') == before
    wb = load(out)
    assert wb.sheetnames == ["甲", "审阅", "乙", "丙"]
    assert wb["审阅"]["B3"].value == 7 and wb["审阅"]["A4"].number_format == "0.0%"
    assert wb["审阅"]["A1"].font.b and wb["审阅"]["A1"].fill.fgColor.rgb.endswith("D9E1F2")
    assert wb.active.title == "丙"
    assert wb.defined_names["全局乙"].attr_text == "乙!$A$1:$A$3"
    assert len(wb["审阅"]._charts) == 1


def test_added_sheet_goes_last_by_default_and_untouched_parts_keep_their_bytes(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    out = apply(src, add_or_replace_sheet, review())
    assert [s.name for s in Package.open(out).sheets()][-1] == "审阅"
    a, b = parts(src), parts(out)
    changed = {n for n in a if a[n] != b.get(n)}
    assert changed == {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
    new = set(b) - set(a)
    assert "xl/worksheets/sheet4.xml" in new and "xl/charts/chart2.xml" in new and "xl/drawings/drawing2.xml" in new
    assert b"tabSelected" not in b["xl/worksheets/sheet4.xml"]  # only one selected tab in the book
    assert b't="inlineStr"' in b["xl/worksheets/sheet4.xml"] and b't="s"' not in b["xl/worksheets/sheet4.xml"]


def test_styles_are_appended_never_renumbered_and_reused_on_rerun(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    old = parts(src)["xl/styles.xml"].decode()
    out = apply(src, add_or_replace_sheet, review())
    new = parts(out)["xl/styles.xml"].decode()
    for section, child in (("fonts", "font"), ("fills", "fill"), ("borders", "border"), ("cellXfs", "xf")):
        pat = rf"<{section}\b[^>]*>(.*?)</{section}>"
        o_body = re.search(pat, old, re.S).group(1)  # type: ignore[union-attr]
        n_sec = re.search(pat, new, re.S)
        assert n_sec and n_sec.group(1).startswith(o_body), section  # existing entries kept as they were
        count = int(re.search(r'count="(\d+)"', n_sec.group(0)).group(1))  # type: ignore[union-attr]
        assert count == len(re.findall(rf"<{child}\b", n_sec.group(1))), section
    ids = [int(x) for x in re.findall(r'numFmtId="(\d+)" formatCode', new)]
    assert ids and min(ids) >= 164 and len(ids) == len(set(ids))
    again = apply(out, add_or_replace_sheet, review())
    assert parts(again)["xl/styles.xml"] == parts(out)["xl/styles.xml"]  # identical entries reused


def test_replace_in_place_drops_old_drawing_and_calc_chain(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx", calc_chain=True)
    first = apply(src, add_or_replace_sheet, review("乙", chart=False))  # 乙 had a chart: replaced without one
    p = parts(first)
    assert [s.name for s in Package.open(first).sheets()] == ["甲", "乙", "丙"]
    assert not any(n.startswith(("xl/charts/", "xl/drawings/")) for n in p)
    assert "xl/calcChain.xml" not in p and b"calcChain" not in p["xl/_rels/workbook.xml.rels"]
    before_ids = re.findall(r'<sheet name="乙" sheetId="(\d+)"', workbook_xml(src))
    assert re.findall(r'<sheet name="乙" sheetId="(\d+)"', workbook_xml(first)) == before_ids
    wb = load(first)
    assert wb["乙"]["A2"].value == "A" and wb["乙"]["A1"].value == "等级"
    assert wb.defined_names["全局乙"].attr_text == "乙!$A$1:$A$3"  # names still point at the same position
    # case-insensitive name match, as in Excel; the new spelling wins
    second = apply(first, add_or_replace_sheet, review("乙", chart=True))
    assert sum(n.startswith("xl/charts/") for n in parts(second)) == 1


def test_hidden_and_very_hidden_states(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    g = review("隐藏页")
    g.hidden = True
    out = apply(src, add_or_replace_sheet, g)
    assert {s.name: s.state for s in Package.open(out).sheets()}["隐藏页"] == "hidden"
    out2 = apply(out, add_or_replace_sheet, review("_wbt_marks", chart=False), state="veryHidden")
    states = {s.name: s.state for s in Package.open(out2).sheets()}
    assert states["_wbt_marks"] == "veryHidden" and states["隐藏页"] == "hidden"
    assert load(out2)["_wbt_marks"].sheet_state == "veryHidden"
    with pytest.raises(ValueError):
        add_or_replace_sheet(Package.open(src), review(), state="secret")


def test_replacing_the_active_sheet_with_a_hidden_one_moves_the_active_tab(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx", active="乙")
    g = review("乙", chart=False)
    g.hidden = True
    out = apply(src, add_or_replace_sheet, g)
    assert 'activeTab="0"' in workbook_xml(out)


def test_remove_sheet_fixes_names_views_and_parts(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx", active="丙", calc_chain=True)
    out = apply(src, remove_sheet, "乙")
    xml = workbook_xml(out)
    assert [s.name for s in Package.open(out).sheets()] == ["甲", "丙"]
    assert local_ids(xml) == {"全局丙": None, "全局乙": None, "本地": 0, "本地丙": 1}
    assert "<definedName name=\"全局乙\">#REF!</definedName>" in xml
    assert 'activeTab="1"' in xml
    p = parts(out)
    assert not any(n.startswith(("xl/charts/", "xl/drawings/")) for n in p)
    assert "xl/worksheets/sheet2.xml" not in p and "xl/calcChain.xml" not in p
    # removing the sheet that holds a local name drops that name
    out2 = apply(out, remove_sheet, "丙")
    assert local_ids(workbook_xml(out2)) == {"全局丙": None, "全局乙": None, "本地": 0}
    assert "#REF!" in re.search(r'<definedName name="全局丙">([^<]*)<', workbook_xml(out2)).group(1)  # type: ignore[union-attr]
    assert load(out2).sheetnames == ["甲"]
    remove_sheet(Package.open(out2), "不存在")  # nothing to do


def test_remove_refuses_the_last_visible_sheet(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "one.xlsx"))
    wb.add_worksheet("唯一").write("A1", 1)
    wb.add_worksheet("隐").hide()
    wb.close()
    pkg = Package.open(tmp_path / "one.xlsx")
    with pytest.raises(UnsafeWrite) as err:
        remove_sheet(pkg, "唯一")
    assert "唯一" in err.value.render("zh") and "only visible" in err.value.render("en")
    remove_sheet(pkg, "隐")  # a hidden one may go
    assert [s.name for s in pkg.sheets()] == ["唯一"]


def test_prefixed_workbook_and_styles_parts_are_spliced_not_reserialised(tmp_path: Path) -> None:
    """Some producers write ``<x:workbook xmlns:x=…>`` and mc:Ignorable; keep every byte of that."""
    src = make_book(tmp_path / "b.xlsx")
    p = parts(src)

    def prefix(xml: bytes, root: bytes) -> bytes:
        s = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s/>])", rb"<\1x:\2", xml.split(b"?>", 1)[1])
        s = s.replace(b'<x:' + root + b' xmlns="', b'<x:' + root + b' xmlns:mc="http://schemas.openxmlformats.org/'
                      b'markup-compatibility/2006" mc:Ignorable="x15" xmlns:x15="urn:x15" xmlns:x="', 1)
        return xml.split(b"?>", 1)[0] + b"?>" + s

    p["xl/workbook.xml"] = prefix(p["xl/workbook.xml"], b"workbook")
    p["xl/styles.xml"] = prefix(p["xl/styles.xml"], b"styleSheet")
    pre = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(pre, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in p.items():
            z.writestr(n, b)
    out = apply(pre, add_or_replace_sheet, review(after="乙"))
    xml = workbook_xml(out)
    assert 'mc:Ignorable="x15"' in xml and "<x:sheet name=\"审阅\"" in xml
    styles = parts(out)["xl/styles.xml"].decode()
    assert "<font>" not in styles and "<x:font>" in styles  # appended entries use the part's prefix
    assert load(out)["审阅"]["B2"].value == 5


def test_bad_names_and_styles_are_refused_clearly(tmp_path: Path) -> None:
    pkg = Package.open(make_book(tmp_path / "b.xlsx"))
    with pytest.raises(UnsafeWrite) as err:
        add_or_replace_sheet(pkg, GeneratedSheet("坏[名]"))
    assert "坏[名]" in err.value.render("zh")
    g = GeneratedSheet("好名")
    g.put(1, 1, "x", "no-such-style")
    with pytest.raises(UnsafeWrite) as err2:
        add_or_replace_sheet(pkg, g)
    assert "no-such-style" in err2.value.render("en")
    with pytest.raises(UnsafeWrite):
        g2 = GeneratedSheet("图")
        g2.charts.append(ChartSpec("radar3d", "t", "A1:A2", [("s", "B1:B2")]))
        add_or_replace_sheet(pkg, g2)


def test_styled_cells_use_the_workbooks_default_font(tmp_path: Path) -> None:
    src = make_book(tmp_path / "b.xlsx")
    p = parts(src)
    p["xl/styles.xml"] = p["xl/styles.xml"].replace(b'<sz val="11"/>', b'<sz val="10"/>', 1).replace(
        b'<name val="Calibri"/>', '<name val="宋体"/>'.encode(), 1)
    songti = tmp_path / "songti.xlsx"
    with zipfile.ZipFile(songti, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in p.items():
            z.writestr(n, b)
    wb = load(apply(songti, add_or_replace_sheet, review()))
    assert wb["审阅"]["A1"].font.name == "宋体" and wb["审阅"]["A1"].font.sz == 10  # header: bold, same face
    assert wb["审阅"]["A1"].font.b


def test_chart_labels_have_explicit_flags(tmp_path: Path) -> None:
    """LibreOffice and WPS read a missing show* flag as true; every flag is written."""
    g = review()
    g.charts.append(ChartSpec("column", "柱", "A2:A3", [("数量", "B2:B3")], anchor="D20"))
    out = apply(make_book(tmp_path / "b.xlsx"), add_or_replace_sheet, g)
    charts = {n: b.decode() for n, b in parts(out).items() if n.startswith("xl/charts/chart")}
    pie = next(x for x in charts.values() if "<c:pieChart>" in x)
    col = next(x for x in charts.values() if "<c:barChart>" in x)
    flags = r'<c:showLegendKey val="0"/><c:showVal val="{}"/><c:showCatName val="{}"/><c:showSerName val="0"/>' \
            r'<c:showPercent val="{}"/><c:showBubbleSize val="0"/>'
    assert flags.format(1, 0, 0) in col
    assert flags.format(0, 1, 1) in pie
