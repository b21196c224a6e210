"""Scripts that build the fidelity corpus into a folder. Nothing binary is committed.

Each builder writes one workbook and returns a :class:`Case`: the file, the sheet the
fidelity test edits, cells it may write (empty or plain values, no formulas, no merges) and
what the file is meant to exercise. Run ``python -m tests.corpus.build OUTDIR`` to look at them.

- ``rich.xlsx``: XlsxWriter with a chart, an image (a PNG made here), sparklines, data bars,
  an x14 list validation reading another sheet, a text box, comments, defined names and
  hyperlinks (internal and external).
- ``excel_like.xlsx``: parts written by hand in the layout Excel 2016+ saves (mc:Ignorable,
  xr:uid, x14ac attributes, mc:AlternateContent in workbook.xml, 等线 font, calcChain,
  printer settings): the producer most users have, which cannot run here.
- ``libreoffice.xlsx``: a small XlsxWriter file saved again by LibreOffice.
- ``macro.xlsm``: a vbaProject.bin (the project's MS-CFB/MS-OVBA writer when present) and a
  customUI ribbon part (``customUI/customUI14.xml`` with its root relationship).
- ``template.xlsx``: the project's own master template filled with sample data
  (skipped with a reason while ``workbook_tools.sample`` has no generator).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


@dataclass
class Case:
    name: str
    path: Path
    sheet: str                                   # the sheet the changeset edits, marks and notes
    edits: dict[str, object] = field(default_factory=dict)   # cell → new value
    olds: dict[str, object] = field(default_factory=dict)    # cell → value expected there now
    mark: str = "B3"
    note: str = "C3"
    other_sheets: list[str] = field(default_factory=list)    # sheets that must not change
    cannot_read: tuple[str, ...] = ()                         # readers that cannot open even the original


class CaseUnavailable(Exception):
    """A case cannot be built here (a tool or a module of the project is missing)."""


def tiny_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of one colour, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Post-process a NEW file we just built (never a user's file): edit its parts, rezip."""
    with zipfile.ZipFile(path) as z:
        order = z.namelist()
        parts = {n: z.read(n) for n in order}
    change(parts)
    order += [n for n in parts if n not in order]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in order:
            if n in parts:
                z.writestr(n, parts[n])


# ---- rich.xlsx ---------------------------------------------------------------------------------
def build_rich(folder: Path) -> Case:
    path = folder / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("客户")
    lists = wb.add_worksheet("Lists")
    extra = wb.add_worksheet("图表")
    ws.write_row(0, 0, ["客户名称", "金额", "等级", "备注", "趋势1", "趋势2", "趋势3", "走势"], bold)
    for i in range(1, 11):
        ws.write_string(i, 0, f"客户{i:02d}")
        ws.write_number(i, 1, 1000 * i + 0.5, money)
        ws.write_string(i, 2, "ABC"[i % 3])
        ws.write_row(i, 4, [i, i * 2 % 7, 10 - i])
        ws.add_sparkline(i, 7, {"range": f"'客户'!E{i + 1}:G{i + 1}", "markers": True})
    ws.conditional_format("B2:B11", {"type": "data_bar", "bar_color": "#63BE7B", "data_bar_2010": True})
    ws.write_comment("A2", "重点客户，月底回访", {"author": "销售甲"})
    ws.write_url("D2", "https://example.com/crm?id=1", string="官网")
    ws.write_url("D4", "internal:'Lists'!A1", string="去列表")
    ws.insert_image("J2", "dot.png", {"image_data": io.BytesIO(tiny_png()), "x_scale": 4, "y_scale": 4})
    ws.insert_textbox("J10", "内部资料，请勿外传", {"width": 220, "height": 50})
    ws.freeze_panes(1, 1)
    lists.write_column(0, 0, ["A", "B", "C", "D", "E"])
    lists.write_comment("B1", "列表说明")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "金额", "categories": "='客户'!$A$2:$A$11", "values": "='客户'!$B$2:$B$11"})
    extra.insert_chart("B2", chart)
    extra.write("A1", "图表页")
    wb.define_name("等级列表", "=Lists!$A$1:$A$5")
    wb.define_name("'客户'!本页金额", "='客户'!$B$2:$B$11")
    wb.define_name("税率", "=0.13")
    wb.close()
    _rewrite(path, lambda parts: _add_x14_validation(parts, "xl/worksheets/sheet1.xml", "Lists!$A$1:$A$5", "C2:C11"))
    return Case("rich", path, "客户", edits={"A12": "新客户 <测试> & Co", "B12": 4321.5, "D3": "=HYPERLINK(\"x\")",
                                            "B2": 99.25},
                olds={"B2": 1000.5}, mark="A3", note="C3", other_sheets=["Lists", "图表"])


def _add_x14_validation(parts: dict[str, bytes], sheet: str, formula: str, sqref: str) -> None:
    """Excel 2010 stores a list validation reading another sheet in the sheet's extLst (x14)."""
    ext = (f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{NS_X14}">'
           f'<x14:dataValidations count="1" xmlns:xm="{NS_XM}">'
           '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
           f"<x14:formula1><xm:f>{formula}</xm:f></x14:formula1><xm:sqref>{sqref}</xm:sqref>"
           "</x14:dataValidation></x14:dataValidations></ext>").encode()
    xml = parts[sheet]
    if b"</extLst>" in xml:
        xml = xml.replace(b"</extLst>", ext + b"</extLst>", 1)
    else:
        xml = xml.replace(b"</worksheet>", b"<extLst>" + ext + b"</extLst></worksheet>", 1)
    parts[sheet] = xml


# ---- libreoffice.xlsx ---------------------------------------------------------------------------
def build_libreoffice(folder: Path, timeout: float = 120) -> Case:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise CaseUnavailable("LibreOffice (soffice) is not installed")
    src_dir = Path(tempfile.mkdtemp(prefix="wbt-corpus-lo-src-"))
    src = src_dir / "libreoffice.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["名称", "数量", "日期"], wb.add_format({"bold": True}))
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    for i in range(1, 8):
        ws.write_row(i, 0, [f"产品{i}", i * 10])
        ws.write_datetime(i, 2, dt.datetime(2024, 1, i), datef)
    ws.write_formula(8, 1, "=SUM(B2:B8)")
    ws.write_comment("A2", "LibreOffice 保存的批注")
    wb.add_worksheet("Notes").write("A1", "不动的页")
    wb.define_name("合计", "=Sheet1!$B$9")
    wb.close()
    profile = Path(tempfile.mkdtemp(prefix="wbt-lo-corpus-"))
    try:
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(src)],
                       check=True, capture_output=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(src_dir, ignore_errors=True)
    path = folder / "libreoffice.xlsx"
    if not path.exists():
        raise CaseUnavailable("LibreOffice did not write the converted file")
    return Case("libreoffice", path, "Sheet1", edits={"A10": "新产品", "B10": 5, "C3": dt.date(2025, 6, 1)},
                olds={"B3": 20.0}, mark="A4", note="B5", other_sheets=["Notes"])


# ---- macro.xlsm ---------------------------------------------------------------------------------
CUSTOM_UI = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon><tabs>'
             '<tab id="wbtTab" label="客户工具"><group id="g1" label="校验">'
             '<button id="b1" label="校验" onAction="WbtValidate" size="large" imageMso="ReviewAcceptChange"/>'
             "</group></tab></tabs></ribbon></customUI>")


def vba_bin() -> bytes:
    """A vbaProject.bin made by the project's MS-OVBA/MS-CFB writer."""
    from workbook_tools.excel.addin import build as addin_build

    return addin_build.vba_project_bin(addin_build.load_modules())


def build_macro(folder: Path) -> Case:
    path = folder / "macro.xlsm"
    bin_dir = Path(tempfile.mkdtemp(prefix="wbt-corpus-vba-"))
    try:
        (bin_dir / "vbaProject.bin").write_bytes(vba_bin())
        wb = xlsxwriter.Workbook(str(path))
        wb.set_vba_name("ThisWorkbook")
        ws = wb.add_worksheet("数据")
        ws.set_vba_name("Sheet1")
        ws.write_row(0, 0, ["编号", "名称", "金额"])
        for i in range(1, 6):
            ws.write_row(i, 0, [f"C{i:04d}", f"名称{i}", i * 1.5])
        ws.insert_button("E2", {"macro": "WbtValidate", "caption": "校验", "width": 80, "height": 30})
        wb.add_vba_project(str(bin_dir / "vbaProject.bin"))
        wb.add_worksheet("其他").write("A1", "x")
        wb.close()
    finally:
        shutil.rmtree(bin_dir, ignore_errors=True)

    def add_ui(parts: dict[str, bytes]) -> None:
        parts["customUI/customUI14.xml"] = CUSTOM_UI.encode()
        rels = parts["_rels/.rels"].decode()
        rels = rels.replace("</Relationships>", f'<Relationship Id="rIdUI" Type="{REL_UI14}" '
                                                'Target="customUI/customUI14.xml"/></Relationships>')
        parts["_rels/.rels"] = rels.encode()

    _rewrite(path, add_ui)
    return Case("macro", path, "数据", edits={"B7": "宏文件新行", "C7": 9.75}, olds={"C2": 1.5},
                mark="A3", note="B3", other_sheets=["其他"])


# ---- template.xlsx (the project's own master template with sample data) --------------------------
def build_template(folder: Path) -> Case:
    from python_calamine import CalamineWorkbook

    from workbook_tools.model import col_letter
    from workbook_tools.sample import generate_sample
    from workbook_tools.schema import SCHEMA

    path = folder / "template.xlsx"
    info = generate_sample(path, customers=60, seed=7)
    spec = SCHEMA.data_sheets[0]
    label = spec.label.get("zh")
    keys = [c.key for c in spec.columns]
    name_col, remarks_col = col_letter(keys.index("name") + 1), col_letter(keys.index("remarks") + 1)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(label).to_python()
    old_name = rows[1][keys.index("name")]
    row = info.customers + 2          # the first empty row under the sample data
    return Case("template", path, label,
                edits={f"{name_col}{row}": "追加客户（测试）有限公司", f"{name_col}2": f"{old_name}（改名）",
                       f"{remarks_col}3": "=cmd|' /C calc'!A0"},
                olds={f"{name_col}2": old_name}, mark=f"{name_col}4", note=f"{name_col}5",
                other_sheets=[s.label.get("zh") for s in SCHEMA.data_sheets[1:]])


# ---- excel_like.xlsx (hand-written in the part layout Excel 2016+ saves) -------------------------
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
_XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
_X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _excel_sheet(rows: str, uid: str, selected: bool) -> str:
    sel = ' tabSelected="1"' if selected else ""
    return (f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_R}" xmlns:mc="{_MC}" mc:Ignorable="x14ac xr xr2 xr3" '
            f'xmlns:x14ac="{_X14AC}" xmlns:xr="{_XR}" '
            'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" '
            'xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" '
            f'xr:uid="{{{uid}}}"><dimension ref="A1:C4"/><sheetViews><sheetView{sel} workbookViewId="0">'
            '<selection activeCell="B2" sqref="B2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
            '<cols><col min="1" max="1" width="18.625" customWidth="1"/></cols>'
            f"<sheetData>{rows}</sheetData>"
            '<phoneticPr fontId="1" type="noConversion"/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="portrait" r:id="rId1"/></worksheet>')


def build_excel_like(folder: Path) -> Case:
    """A workbook written part by part as Excel 2016+ saves one: default-namespace parts with
    mc:Ignorable lists, xr:uid / x14ac attributes, mc:AlternateContent in workbook.xml, a 等线
    default font with charset, shared strings with phonetic properties, calcChain, printer settings."""
    path = folder / "excel_like.xlsx"
    sst = ["客户名称", "金额", "城市", "杭州云启", "宁波海纳", "温州", "说明"]
    si = "".join(f'<si><t>{t}</t><phoneticPr fontId="1" type="noConversion"/></si>' for t in sst)
    rows1 = ('<row r="1" spans="1:3" x14ac:dyDescent="0.2"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1" t="s">'
             '<v>1</v></c><c r="C1" s="1" t="s"><v>2</v></c></row>'
             '<row r="2" spans="1:3" x14ac:dyDescent="0.2"><c r="A2" t="s"><v>3</v></c><c r="B2" s="2"><v>1234.5</v>'
             '</c><c r="C2" t="s"><v>5</v></c></row>'
             '<row r="3" spans="1:3" x14ac:dyDescent="0.2"><c r="A3" t="s"><v>4</v></c><c r="B3" s="2"><v>88</v>'
             '</c></row>'
             '<row r="4" spans="1:3" x14ac:dyDescent="0.2"><c r="B4" s="2"><f>SUM(B2:B3)</f><v>1322.5</v></c></row>')
    rows2 = '<row r="1" spans="1:1" x14ac:dyDescent="0.2"><c r="A1" t="s"><v>6</v></c></row>'
    parts = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PR}">'
            f'<Relationship Id="rId3" Type="{_R}/extended-properties" Target="docProps/app.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_R}" xmlns:mc="{_MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
            'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" '
            f'xmlns:xr="{_XR}" xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
            'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
            'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
            '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27425"/>'
            '<workbookPr defaultThemeVersion="166925"/>'
            f'<mc:AlternateContent xmlns:mc="{_MC}"><mc:Choice Requires="x15"><x15ac:absPath url="D:\\销售\\" '
            'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"/></mc:Choice></mc:AlternateContent>'
            '<xr:revisionPtr revIDLastSave="0" documentId="13_ncr:1_{6A1E7A0B-2B1C-4D5E-9F00-112233445566}" '
            'xr6:coauthVersionLast="47" xr6:coauthVersionMax="47" xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>'
            '<bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15840" '
            'xr2:uid="{9B8C7D6E-0000-4000-8000-000000000001}"/></bookViews>'
            '<sheets><sheet name="客户" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/></sheets>'
            '<definedNames><definedName name="_xlnm.Print_Area" localSheetId="1">说明!$A$1:$C$10</definedName>'
            "<definedName name=\"金额合计\">客户!$B$4</definedName></definedNames>"
            '<calcPr calcId="191029"/><extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" '
            'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
            '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PR}">'
            f'<Relationship Id="rId3" Type="{_R}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{_R}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId1" Type="{_R}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId5" Type="{_R}/calcChain" Target="calcChain.xml"/>'
            f'<Relationship Id="rId4" Type="{_R}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": _excel_sheet(rows1, "5E0C1B2A-1111-4C3D-8E9F-0A1B2C3D4E5F", True),
        "xl/worksheets/sheet2.xml": _excel_sheet(rows2, "5E0C1B2A-2222-4C3D-8E9F-0A1B2C3D4E5F", False),
        "xl/worksheets/_rels/sheet1.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PR}"><Relationship Id="rId1" Type="{_R}/printerSettings" '
            'Target="../printerSettings/printerSettings1.bin"/></Relationships>'),
        "xl/worksheets/_rels/sheet2.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PR}"><Relationship Id="rId1" Type="{_R}/printerSettings" '
            'Target="../printerSettings/printerSettings2.bin"/></Relationships>'),
        "xl/printerSettings/printerSettings1.bin": b"\x00\x01printer-1" * 40,
        "xl/printerSettings/printerSettings2.bin": b"\x00\x02printer-2" * 40,
        "xl/styles.xml": (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}" xmlns:mc="{_MC}" mc:Ignorable="x14ac x16r2 xr" '
            f'xmlns:x14ac="{_X14AC}" xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" '
            f'xmlns:xr="{_XR}"><numFmts count="1"><numFmt numFmtId="176" formatCode="#,##0.00_ "/></numFmts>'
            '<fonts count="3" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="等线"/>'
            '<family val="2"/><charset val="134"/><scheme val="minor"/></font><font><sz val="9"/><name val="等线"/>'
            '<family val="3"/><charset val="134"/><scheme val="minor"/></font><font><b/><sz val="11"/>'
            '<color theme="1"/><name val="等线"/><family val="3"/><charset val="134"/><scheme val="minor"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"><alignment vertical="center"/>'
            '</xf></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0">'
            '<alignment vertical="center"/></xf><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" '
            'applyFont="1"><alignment vertical="center"/></xf><xf numFmtId="176" fontId="0" fillId="0" borderId="0" '
            'xfId="0" applyNumberFormat="1"><alignment vertical="center"/></xf></cellXfs>'
            '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
            '<extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" '
            'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
            '<x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></ext></extLst></styleSheet>'),
        "xl/sharedStrings.xml": (f'{_HEAD}<sst xmlns="{_MAIN}" count="{len(sst)}" uniqueCount="{len(sst)}">{si}</sst>'),
        "xl/calcChain.xml": f'{_HEAD}<calcChain xmlns="{_MAIN}"><c r="B4" i="1"/></calcChain>',
        "docProps/core.xml": (
            f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>销售部</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-02T03:04:05Z</dcterms:created></cp:coreProperties>'),
        "docProps/app.xml": (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel</Application></Properties>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body if isinstance(body, bytes) else body.encode("utf-8"))
    return Case("excel_like", path, "客户", edits={"A5": "新客户（Excel 布局）", "B5": 10.5, "C3": "@SUM(A1)"},
                olds={"B2": 1234.5}, mark="A2", note="C2", other_sheets=["说明"])


BUILDERS: dict[str, Callable[[Path], Case]] = {
    "rich": build_rich,
    "excel_like": build_excel_like,
    "libreoffice": build_libreoffice,
    "macro": build_macro,
    "template": build_template,
}


def all_builders() -> dict[str, Callable[[Path], Case]]:
    """These builders and the other producers' layouts (:mod:`.producers`)."""
    from .producers import BUILDERS as PRODUCERS

    return {**BUILDERS, **PRODUCERS}


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpus-out")
    out.mkdir(parents=True, exist_ok=True)
    for name, fn in all_builders().items():
        try:
            case = fn(out)
            print(f"{name}: {case.path}")
        except CaseUnavailable as exc:
            print(f"{name}: skipped ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
