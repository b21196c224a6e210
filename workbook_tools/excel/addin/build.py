"""Assemble ``CRM工具.xlam`` from text sources: the ``.bas`` modules and the actions registry.

The package holds a one-sheet workbook (content type of an add-in), ``xl/vbaProject.bin``
written by :mod:`.ovba` and :mod:`.cfb`, and ``customUI/customUI14.xml`` from :mod:`.ribbon`
with the root relationship Excel expects for a 2010+ ribbon. Output is byte-for-byte the same
for the same sources (fixed zip time stamps and order, no dates in the document properties).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from . import cfb, ovba, ribbon

PROJECT_NAME = "VBAProject"

# Messages the VBA dispatcher shows itself (everything else is shown by Python). Row n of the
# add-in's sheet holds (key, Chinese, English); CRMTools.bas names the rows as MSG_* constants.
MESSAGES: tuple[tuple[str, str, str], ...] = (
    ("NO_WORKBOOK", "请先打开客户工作簿，再点按钮。", "Please open the customer workbook first."),
    ("NO_XLWINGS", "无法调用 xlwings 加载项。请先在命令行运行：xlwings addin install，然后重启 Excel。",
     "Could not call the xlwings add-in. Run this first, then restart Excel: xlwings addin install"),
)
FIRST_MESSAGE_ROW = 2
DEFAULT_NAME = "CRM工具.xlam"

CT_WORKBOOK_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
REL_UI14 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def source_macros_dir() -> Path | None:
    """``macros/`` of the source tree this package runs from (None when installed from a wheel)."""
    folder = Path(__file__).resolve().parents[3] / "macros"
    return folder if any(folder.glob("*.bas")) else None


def macros_dir() -> Path:
    """Where the VBA sources are: ``macros/`` of the source tree (their one home), or the copy a
    wheel carries in this package (``setup.py`` puts it there when the package is built)."""
    return source_macros_dir() or Path(__file__).resolve().parent / "macros"


def load_modules(macros: Path | None = None) -> list[ovba.Module]:
    """Document modules ThisWorkbook and Sheet1, then every ``*.bas`` in ``macros`` by name."""
    folder = macros or macros_dir()
    bas_files = sorted(folder.glob("*.bas"))
    if not bas_files:
        raise FileNotFoundError(f"no .bas files in {folder}")
    modules = [ovba.document_module("ThisWorkbook", "workbook"),
               ovba.document_module("Sheet1", "worksheet")]
    for path in bas_files:
        text = path.read_bytes().decode(ovba.ENCODING)
        modules.append(ovba.module_from_bas(text))
    return modules


def vba_project_bin(modules: list[ovba.Module]) -> bytes:
    """The ``vbaProject.bin`` compound file for ``modules``."""
    return cfb.build(ovba.vba_streams(PROJECT_NAME, modules))


def _rels(rels: list[tuple[str, str, str]]) -> str:
    items = "".join(f'<Relationship Id="{rid}" Type="{typ}" Target="{target}"/>'
                    for rid, typ, target in rels)
    return (_XML + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + items + "</Relationships>")


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _sheet_xml() -> str:
    rows = [(1, ["CRM 工具加载项：按钮在功能区的“CRM 工具”选项卡上。",
                 "CRM tools add-in: the buttons are on the \"CRM 工具\" ribbon tab."])]
    rows += [(FIRST_MESSAGE_ROW + i, [key, zh, en]) for i, (key, zh, en) in enumerate(MESSAGES)]
    last = FIRST_MESSAGE_ROW + len(MESSAGES) - 1
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{'ABC'[j]}{r}", t) for j, t in enumerate(texts)) + "</row>"
        for r, texts in rows)
    return (_XML + f'<worksheet xmlns="{_MAIN}"><sheetPr codeName="Sheet1"/>'
            f'<dimension ref="A1:C{last}"/><sheetData>{body}</sheetData></worksheet>')


def package_parts(modules: list[ovba.Module], customui: str) -> dict[str, bytes]:
    """All parts of the .xlam by zip name, in the order they are written."""
    content_types = (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="bin" ContentType="{CT_VBA}"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_WORKBOOK_ADDIN}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/>'
        "</Types>")
    root_rels = _rels([
        ("rId1", f"{_R}/officeDocument", "xl/workbook.xml"),
        ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
         "docProps/core.xml"),
        ("rId3", f"{_R}/extended-properties", "docProps/app.xml"),
        ("rId4", REL_UI14, "customUI/customUI14.xml"),
    ])
    workbook = (
        _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_R}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="16000" windowHeight="9000"/></bookViews>'
        '<sheets><sheet name="CRM" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>")
    workbook_rels = _rels([
        ("rId1", f"{_R}/worksheet", "worksheets/sheet1.xml"),
        ("rId2", f"{_R}/styles", "styles.xml"),
        ("rId3", REL_VBA, "vbaProject.bin"),
    ])
    sheet = _sheet_xml()
    styles = (
        _XML + f'<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>")
    core = (
        _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>CRM 工具</dc:title><dc:creator>workbook_tools</dc:creator></cp:coreProperties>")
    app = (
        _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity></Properties>")
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/styles.xml": styles,
        "customUI/customUI14.xml": customui,
    }
    out = {name: text.encode("utf-8") for name, text in parts.items()}
    out["xl/vbaProject.bin"] = vba_project_bin(modules)
    return out


def addin_bytes(macros: Path | None = None) -> bytes:
    """The complete .xlam file as bytes (deterministic)."""
    import io

    parts = package_parts(load_modules(macros), ribbon.customui_xml())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, data)
    return buf.getvalue()


def build_addin(out: Path, macros: Path | None = None) -> Path:
    """Write the add-in to ``out`` (atomically: a temporary file, then a rename)."""
    data = addin_bytes(macros)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".wbt-addin-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
