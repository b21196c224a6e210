"""How far a sheet reaches, found before calamine allocates it (reader/extent.py).

Two kinds of proof: (1) on small hand-built sheets in every cell form (no ``r``, rows without
``r``, several ``r``, prefixes, comments, CDATA, empty cells, inline strings, lying
``<dimension>`` …) the scan's extent equals where python-calamine itself puts the last cell (the
independent oracle); (2) sheets that would make calamine allocate tens of gigabytes are refused by
``wbt inspect`` in a subprocess with an address-space limit, naming the furthest cell — before the
fix they aborted the process (SIGABRT) or were read for minutes."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from tests.test_hostile import assert_refused
from workbook_tools.errors import UnreadableWorkbook
from workbook_tools.reader import extent, read_workbook, xmlscan

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
      '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
      'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
      'spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
           '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
           '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>客户名称</t></is></c><c r="B1" t="inlineStr"><is><t>联系人</t>'
          '</is></c><c r="C1" t="inlineStr"><is><t>联系方式</t></is></c></row>'
          '<row r="2"><c r="A2" t="inlineStr"><is><t>杭州云启科技有限公司</t></is></c></row>')


def make_book(path: Path, sheet_data: str, *, sheet_name: str = "客户基本信息", prefix: str = "",
              dimension: str = "", extra: str = "") -> Path:
    """A minimal .xlsx whose one sheet holds ``sheet_data`` verbatim (a producer's layout by hand)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>{dim}<{p}sheetData>{sheet_data}'
             f"</{p}sheetData>{extra}</{p}worksheet>")
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
          f'officeDocument/2006/relationships"><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/>'
          "</sheets></workbook>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet.encode("utf-8"))
    return path


def scanned(path: Path) -> extent.Extent:
    with zipfile.ZipFile(path) as zf:
        return extent.precise(xmlscan.iter_blocks(zf, "xl/worksheets/sheet1.xml", path), path, "sheet1")


def calamine_extent(path: Path) -> tuple[int, int]:
    import python_calamine as pc

    sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return (0, 0) if sheet.end is None else (sheet.end[0] + 1, sheet.end[1] + 1)


FORMS = {
    "plain": '<row r="1"><c r="A1"><v>1</v></c><c r="C4"><v>2</v></c></row>',
    "no r on cells": '<row r="3"><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
    "r then no r": '<row r="3"><c r="D3"><v>1</v></c><c><v>2</v></c><c/><c><v>3</v></c></row>',
    "rows without r": '<row><c><v>1</v></c></row><row/><row><c><v>1</v></c></row><row r="9"></row><row><c>'
                      "<v>1</v></c></row>",
    "self-closing and empty cells": '<row r="3"><c r="E3" s="1"/><c r="F3"></c><c r="G3"><f>1</f></c>'
                                    '<c r="H3"><v/></c><c r="B3"><v>1</v></c></row>',
    "empty inline string counts": '<row r="3"><c r="K9" t="inlineStr"><is/></c></row>',
    "several r (the last wins)": '<row r="1"><c r="A1" r="C5"><v>1</v></c></row>',
    "r after s and t": '<row r="1"><c s="0" t="n" r="D7"><v>1</v></c></row>',
    "no space before r": '<row r="1"><c s="1"r="E8"><v>1</v></c></row>',
    "single quotes, spaces": "<row r='3'><c r = 'F9'><v>1</v></c></row>",
    "lower case": '<row r="3"><c r="g10"><v>1</v></c></row>',
    "leading zeros": '<row r="3"><c r="A0011"><v>1</v></c></row>',
    "> in an attribute": '<row r="1"><c r="A1" x="a>b" r="H4"><v>1</v></c><c><v>2</v></c></row>',
    "comment and CDATA": '<row r="2"><c r="B2"><v>1</v></c><!-- <c r="Z99"><v>1</v></c> --></row>'
                         '<row r="3"><c r="C3"><v>1</v></c></row>',
    "prefixed value": '<row r="1"><c r="A1"><x:v xmlns:x="u">5</x:v></c><c r="J2"><x:is xmlns:x="u"/></c></row>',
    "row r with letters": '<row r="B4"><c><v>1</v></c></row>',
    "out of order": '<row r="9"><c r="D9"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c><c><v>1</v></c></row>',
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_scan_places_cells_where_calamine_does(tmp_path: Path, name: str) -> None:
    path = make_book(tmp_path / "f.xlsx", FORMS[name])
    got = scanned(path)
    assert (got.rows, got.cols) == calamine_extent(path), name


def test_prefixed_document(tmp_path: Path) -> None:
    path = make_book(tmp_path / "x.xlsx", '<x:row r="2"><x:c r="B2"><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c>'
                     "</x:row>", prefix="x")
    got = scanned(path)
    assert (got.rows, got.cols) == calamine_extent(path) == (2, 3)


def test_random_layouts_match_calamine(tmp_path: Path) -> None:
    """Random mixes of the forms above, 40 small sheets: the scan never disagrees with calamine."""
    rnd = random.Random(13)
    for i in range(40):
        rows = []
        for _ in range(rnd.randint(1, 6)):
            row_r = f' r="{rnd.randint(1, 30)}"' if rnd.random() < 0.6 else ""
            cells = []
            for _ in range(rnd.randint(0, 5)):
                kind = rnd.random()
                ref = f"{extent.col_letters(rnd.randint(1, 40))}{rnd.randint(1, 40)}"
                r = f' r="{ref}"' if rnd.random() < 0.6 else ""
                if kind < 0.15:
                    cells.append(f'<c{r} s="1"/>')
                elif kind < 0.3:
                    cells.append(f"<c{r}><f>1+1</f></c>")
                elif kind < 0.4:
                    cells.append(f'<c{r} t="inlineStr"><is><t>x</t></is></c>')
                elif kind < 0.5:
                    cells.append(f'<!-- <c r="ZZ999"><v>1</v></c> --><c{r}><v>{i}</v></c>')
                else:
                    cells.append(f"<c{r}><v>{i}</v></c>")
            rows.append(f"<row{row_r}>{''.join(cells)}</row>")
        path = make_book(tmp_path / f"r{i}.xlsx", "".join(rows))
        got = scanned(path)
        assert (got.rows, got.cols) == calamine_extent(path), "".join(rows)


def test_the_fast_bound_is_never_below_the_real_extent(tmp_path: Path) -> None:
    for name, data in FORMS.items():
        fast = extent.Fast()
        fast.feed(data.encode())
        real = scanned(make_book(tmp_path / "f.xlsx", data))
        sure = fast.sure()
        # the fast path either proves the sheet fits (and it does), or hands it to the precise pass
        assert not sure or extent.fits(real.rows, real.cols), name
        if "r" not in data.replace("row", ""):
            assert not sure


FAR = 70_000  # rows of the far-right cases: 70,000 × 16,384 = 1.1 billion cells (≈ 50 GB in calamine)
REFUSED = {
    "far right (XFD)": (HEADER + f'<row r="{FAR}"><c r="XFD{FAR}"><v>1</v></c></row>', f"XFD{FAR}"),
    "inline string far right": (HEADER + f'<row r="{FAR}"><c r="XFD{FAR}" t="inlineStr"><is><t>x</t></is></c></row>',
                                f"XFD{FAR}"),
    "a cell without r after XFC": (HEADER + f'<row r="{FAR}"><c r="XFC{FAR}"><v>1</v></c><c><v>2</v></c></row>',
                                   f"XFD{FAR}"),
    "two r, the far one last": (HEADER + f'<row r="3"><c r="A3" r="XFD{FAR}"><v>1</v></c></row>', f"XFD{FAR}"),
    "last row written first": ('<row r="1048576"><c r="A1048576"><v>1</v></c></row>' + HEADER, "A1048576"),
    "rows without r reaching the last row": (HEADER + '<row r="1048575"><c r="A1048575"><v>1</v></c></row>'
                                             "<row><c><v>2</v></c></row>", "A1048576"),
    "beyond column XFD": (HEADER + '<row r="3"><c r="XFE3"><v>1</v></c></row>', "XFE3"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_far_cells_are_refused_before_calamine(tmp_path: Path, case: str) -> None:
    """The scan refuses the sheet, naming the furthest cell (calamine is never called here)."""
    data, cell = REFUSED[case]
    path = make_book(tmp_path / "far.xlsx", data, dimension="A1:C2")  # the dimension lies
    with zipfile.ZipFile(path) as zf, pytest.raises(UnreadableWorkbook) as err:
        xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", path, "客户基本信息")
    assert err.value.cell == cell and cell in err.value.message.zh and cell in err.value.message.en


def test_inspect_refuses_a_far_cell_in_bounded_memory(tmp_path: Path) -> None:
    """End to end, in a subprocess with an address-space limit: before the fix calamine tried to
    allocate ~50 GB and the process aborted (SIGABRT, exit 134)."""
    path = make_book(tmp_path / "far.xlsx", REFUSED["far right (XFD)"][0])
    assert_refused(path, f"客户基本信息.*XFD{FAR}", f"XFD{FAR}.*WBT_MAX_CELLS")


def test_prefixed_far_cell_is_refused(tmp_path: Path) -> None:
    data = (f'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>客户名称</x:t></x:is></x:c></x:row>'
            f'<x:row r="{FAR}"><x:c r="XFD{FAR}"><x:v>1</x:v></x:c></x:row>')
    path = make_book(tmp_path / "px.xlsx", data, prefix="x")
    with zipfile.ZipFile(path) as zf, pytest.raises(UnreadableWorkbook) as err:
        xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", path, "s")
    assert err.value.cell == f"XFD{FAR}"


@pytest.mark.parametrize("case", ["styled empty cells far right", "far cell in a comment", "dimension says XFD"])
def test_no_false_refusal(tmp_path: Path, case: str) -> None:
    data = {"styled empty cells far right": HEADER + f'<row r="{FAR}"><c r="XFD{FAR}" s="1"/></row>',
            "far cell in a comment": HEADER + f'<!-- <row r="{FAR}"><c r="XFD{FAR}"><v>1</v></c></row> -->',
            "dimension says XFD": HEADER}[case]
    model = read_workbook(make_book(tmp_path / "ok.xlsx", data, dimension="A1:XFD1048576"))
    assert model.sheets["customers"].df["name"].tolist() == ["杭州云启科技有限公司"]


def test_refusal_names_the_limit_and_how_to_raise_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,000 rows × column BZ (78): 78,000 cells, refused with WBT_MAX_CELLS=50000
    path = make_book(tmp_path / "wide.xlsx", HEADER + '<row r="1000"><c r="BZ1000"><v>1</v></c></row>')
    assert read_workbook(path).sheets["customers"].n_rows >= 1
    monkeypatch.setenv("WBT_MAX_CELLS", "50000")
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(path)
    assert err.value.cell == "BZ1000" and "50,000" in err.value.message.en
    assert "WBT_MAX_CELLS" in err.value.hint.en
