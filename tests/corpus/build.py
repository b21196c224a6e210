"""Scripts that build the fidelity corpus (issue 3) into a folder. Nothing binary is committed.

Each builder writes one workbook and returns a :class:`Case`: the file, the sheet the
fidelity test edits, cells it may write (empty or plain values, no formulas, no merges) and
what the file is meant to exercise. Run ``python -m tests.corpus.build OUTDIR`` to look at them.

- ``rich.xlsx``: XlsxWriter with a chart, an image (a PNG made here), sparklines, data bars,
  an x14 list validation reading another sheet, a text box, comments, defined names and
  hyperlinks (internal and external).
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
    """A vbaProject.bin: the project's MS-OVBA/MS-CFB writer if present, else a small CFB."""
    try:
        from workbook_tools.excel.addin import build as addin_build
        return addin_build.vba_project_bin(addin_build.load_modules())
    except (ImportError, FileNotFoundError, AttributeError):
        pass
    try:
        from workbook_tools.excel.addin import cfb
        return cfb.build({"VBA/dir": b"\x01" * 100, "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'})
    except ImportError as exc:
        raise CaseUnavailable("no CFB writer (workbook_tools.excel.addin.cfb) to make a vbaProject.bin") from exc


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
    try:
        from workbook_tools.sample import generate_sample
    except ImportError as exc:
        raise CaseUnavailable(f"the sample generator is not available yet ({exc})") from exc
    from python_calamine import CalamineWorkbook

    from workbook_tools.model import col_letter
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


BUILDERS: dict[str, Callable[[Path], Case]] = {
    "rich": build_rich,
    "libreoffice": build_libreoffice,
    "macro": build_macro,
    "template": build_template,
}


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpus-out")
    out.mkdir(parents=True, exist_ok=True)
    for name, fn in BUILDERS.items():
        try:
            case = fn(out)
            print(f"{name}: {case.path}")
        except CaseUnavailable as exc:
            print(f"{name}: skipped ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
