"""Workbooks written part by part in the layouts other producers use, for the corpus.

Nothing here is copied from another project: each builder reproduces by hand the traits a
producer's files are known to have (studied on public test files of spreadsheet libraries), on
the same small two-sheet workbook, so that the writer is tried on every way of spelling it:

- ``packaging``: System.IO.Packaging / Open XML SDK / ClosedXML / EPPlus: the main namespace with
  the prefix ``x:``, ``xmlns:r`` declared on each element that uses it (not on the root), absolute
  relationship targets (``/xl/worksheets/sheet1.xml``), random relationship ids.
- ``prefixed_opc``: the package parts themselves prefixed (``<ct:Types>``, ``<pr:Relationships>``),
  single-quoted attributes, spaces around ``=``.
- ``numbers``: Apple Numbers: sheet names as numeric character references (``&#x4E3B;``).
- ``google``: Google Sheets: no docProps, no theme, no ``<dimension>``, shared strings.
- ``wps``: WPS Office: Excel's layout plus its own namespaces (``etc:``) and a ``cellimages`` part.
- ``sheetjs``: SheetJS: text as ``t="str"`` values, no shared strings.
- ``excelize``: absolute targets, ``xmlns:r`` on the root, no ``spans``.
- ``poi``: Apache POI streaming (SXSSF): inline strings, 1904 date system.
- ``rless_rows`` / ``rless_cells``: rows, or cells, without ``r`` (the schema allows it; cells are
  then placed by position). openpyxl cannot open the second at all.
- ``bare``: the least a package may hold: no styles, no shared strings, no docProps.

``Layout(targets="mixed")`` gives relationship targets that differ in letter case from the part
names and use a backslash: valid OPC (Excel accepts it), but LibreOffice, openpyxl and calamine
do not find the sheets, so it is tried by the writer tests rather than the corpus.

Every workbook has the same data sheet: text, numbers, a date, a formula, a shared formula
(E2:E3) and an array formula over D5:D6, whose members E3 and D6 a write must refuse.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .build import Case

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
ETC = "http://www.wps.cn/officeDocument/2017/etCustomData"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

HEADERS = ["客户名称", "金额", "日期", "备注"]
DATA_SHEET = "客户"
#: cells a write must refuse: a shared-formula follower and a member of an array formula
FORMULA_MEMBERS = ["E3", "D6"]


@dataclass
class Layout:
    main: str = ""                 # prefix of the main namespace ("" = default namespace)
    rel_on_element: bool = False   # xmlns:r on each element that uses r:id, not on the root
    opc_prefix: bool = False       # [Content_Types].xml and .rels with prefixed elements
    quote: str = '"'               # attribute quote character in the package parts
    eq: str = "="                  # " = " in prefixed_opc
    targets: str = "relative"      # relative | absolute | mixed (case and a backslash)
    rids: tuple[str, ...] = ("rId1", "rId2", "rId3", "rId4")
    strings: str = "shared"        # shared | inline | str
    ncr_names: bool = False
    row_r: bool = True
    cell_r: bool = True
    spans: bool = True
    dimension: bool = True
    styles: bool = True
    doc_props: bool = True
    date1904: bool = False
    root_extra: str = ""           # more declarations on the worksheet/workbook roots
    row_extra: str = ""            # more attributes on each row (x14ac:dyDescent …)
    extra_parts: dict[str, bytes] = field(default_factory=dict)
    extra_overrides: dict[str, str] = field(default_factory=dict)
    extra_wb_rels: list[tuple[str, str, str]] = field(default_factory=list)   # (id, type, target)


def _a(layout: Layout, name: str, value: str) -> str:
    q = layout.quote
    return f" {name}{layout.eq}{q}{value}{q}"


def _ref(col: str, row: int, layout: Layout) -> str:
    return f' r="{col}{row}"' if layout.cell_r else ""


def _cells(layout: Layout) -> list[list[tuple[str, str, str]]]:
    """Rows of (column, attributes, inner XML) for the data sheet, before prefixes are applied."""
    date_style = ' s="1"' if layout.styles else ""
    serial = "43895" if layout.date1904 else "45357"   # 2024-03-06 in the workbook's date system
    return [
        [("A", "", "T:客户名称"), ("B", "", "T:金额"), ("C", "", "T:日期"), ("D", "", "T:备注"), ("E", "", "T:双倍")],
        [("A", "", "T:杭州云启"), ("B", "", "<v>1234.5</v>"), ("C", date_style, f"<v>{serial}</v>"),
         ("D", "", "T:老客户 & <VIP>"), ("E", "", '<f t="shared" ref="E2:E3" si="0">B2*2</f><v>2469</v>')],
        [("A", "", "T:宁波海纳"), ("B", "", "<v>88</v>"), ("E", "", '<f t="shared" si="0"/><v>176</v>')],
        [("B", "", "<f>SUM(B2:B3)</f><v>1322.5</v>")],
        [("A", "", "T:数组"), ("D", "", '<f t="array" ref="D5:D6">B2:B3*2</f><v>2469</v>')],
        [("D", "", "<v>176</v>")],
    ]


def _sheet_xml(layout: Layout, rows: list[list[tuple[str, str, str]]], strings: list[str]) -> str:
    p = f"{layout.main}:" if layout.main else ""
    ns = f'xmlns:{layout.main}="{MAIN}"' if layout.main else f'xmlns="{MAIN}"'
    rel = "" if layout.rel_on_element else f' xmlns:r="{R}"'
    out = []
    for i, row in enumerate(rows, start=1):
        cells = []
        if not layout.cell_r:  # cells without r are placed by position: every column up to the last
            have = {col: (col, a, v) for col, a, v in row}
            row = [have.get(col, (col, "", "")) for col in "ABCDE"[:max("ABCDE".index(c) for c, _, _ in row) + 1]]
        for col, attrs, inner in row:
            if inner.startswith("T:"):
                text = inner[2:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                if layout.strings == "shared":
                    if inner[2:] not in strings:
                        strings.append(inner[2:])
                    attrs, inner = attrs + ' t="s"', f"<v>{strings.index(inner[2:])}</v>"
                elif layout.strings == "inline":
                    attrs, inner = attrs + ' t="inlineStr"', f"<is><t>{text}</t></is>"
                else:
                    attrs, inner = attrs + ' t="str"', f"<v>{text}</v>"
            inner = inner.replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>").replace("<f", f"<{p}f") \
                .replace("</f>", f"</{p}f>").replace("<is>", f"<{p}is>").replace("</is>", f"</{p}is>") \
                .replace("<t>", f"<{p}t>").replace("</t>", f"</{p}t>")
            cells.append(f"<{p}c{_ref(col, i, layout)}{attrs}>{inner}</{p}c>")
        span = f' spans="1:{len(HEADERS) + 1}"' if layout.spans else ""
        r = f' r="{i}"' if layout.row_r else ""
        out.append(f"<{p}row{r}{span}{layout.row_extra}>{''.join(cells)}</{p}row>")
    dim = f'<{p}dimension ref="A1:E{len(rows)}"/>' if layout.dimension else ""
    rid = layout.rids[3]
    setup = (f'<{p}pageSetup paperSize="9" orientation="portrait" r:id="{rid}"'
             + (f' xmlns:r="{R}"' if layout.rel_on_element else "") + "/>")
    return (f"{DECL}<{p}worksheet {ns}{rel}{layout.root_extra}>{dim}"
            f'<{p}sheetViews><{p}sheetView workbookViewId="0"/></{p}sheetViews>'
            f'<{p}sheetFormatPr defaultRowHeight="15"/><{p}sheetData>{"".join(out)}</{p}sheetData>'
            f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f"{setup}</{p}worksheet>")


def _name(text: str, layout: Layout) -> str:
    return "".join(f"&#x{ord(ch):X};" for ch in text) if layout.ncr_names else text


def _target(layout: Layout, part: str, base: str = "xl/") -> str:
    """How the workbook's relationships name ``part`` (given from the package root)."""
    if layout.targets == "absolute":
        return "/" + part
    rel = part[len(base):] if part.startswith(base) else part
    if layout.targets == "mixed":
        return rel.replace("/", "\\", 1).upper().replace(".XML", ".xml")
    return rel


def _rels(layout: Layout, items: list[tuple[str, str, str]]) -> str:
    p = "pr:" if layout.opc_prefix else ""
    ns = f'xmlns:pr="{PR}"' if layout.opc_prefix else f'xmlns="{PR}"'
    body = "".join(f"<{p}Relationship{_a(layout, 'Id', i)}{_a(layout, 'Type', t)}{_a(layout, 'Target', g)}/>"
                   for i, t, g in items)
    return f"{DECL}<{p}Relationships {ns}>{body}</{p}Relationships>"


def build_parts(layout: Layout) -> dict[str, bytes]:
    strings: list[str] = []
    p = f"{layout.main}:" if layout.main else ""
    ns = f'xmlns:{layout.main}="{MAIN}"' if layout.main else f'xmlns="{MAIN}"'
    sheet1 = _sheet_xml(layout, _cells(layout), strings)
    sheet2 = _sheet_xml(replace(layout, dimension=False), [[("A", "", "T:不动的页")]], strings)
    r1, r2, r3, r4 = layout.rids
    rel_on = f' xmlns:r="{R}"' if layout.rel_on_element else ""
    sheets = "".join(f'<{p}sheet name="{_name(n, layout)}" sheetId="{i}" r:id="{rid}"{rel_on}/>'
                     for i, (n, rid) in enumerate([(DATA_SHEET, r1), ("说明", r2)], start=1))
    wb_ns = f"{ns}" + ("" if layout.rel_on_element else f' xmlns:r="{R}"') + layout.root_extra
    pr = f'<{p}workbookPr date1904="1"/>' if layout.date1904 else f"<{p}workbookPr/>"
    quoted = "'" + _name(DATA_SHEET, layout) + "'" if layout.ncr_names else DATA_SHEET
    workbook = (f"{DECL}<{p}workbook {wb_ns}>{pr}<{p}bookViews><{p}workbookView activeTab=\"0\"/></{p}bookViews>"
                f"<{p}sheets>{sheets}</{p}sheets><{p}definedNames><{p}definedName name=\"金额合计\">"
                f"{quoted}!$B$4</{p}definedName></{p}definedNames></{p}workbook>")
    parts: dict[str, str | bytes] = {
        "xl/workbook.xml": workbook,
        "xl/worksheets/sheet1.xml": sheet1,
        "xl/worksheets/sheet2.xml": sheet2,
        "xl/worksheets/_rels/sheet1.xml.rels": _rels(layout, [(r4, f"{R}/printerSettings",
                                                               "../printerSettings/printerSettings1.bin")]),
        "xl/worksheets/_rels/sheet2.xml.rels": _rels(layout, [(r4, f"{R}/printerSettings",
                                                               "../printerSettings/printerSettings1.bin")]),
        "xl/printerSettings/printerSettings1.bin": b"\x00\x01printer" * 30,
    }
    wb_rels = [(r1, f"{R}/worksheet", _target(layout, "xl/worksheets/sheet1.xml")),
               (r2, f"{R}/worksheet", _target(layout, "xl/worksheets/sheet2.xml"))]
    overrides = {"/xl/workbook.xml": f"{SML}.sheet.main+xml", "/xl/worksheets/sheet1.xml": f"{SML}.worksheet+xml",
                 "/xl/worksheets/sheet2.xml": f"{SML}.worksheet+xml"}
    if layout.styles:
        parts["xl/styles.xml"] = (
            f'{DECL}<{p}styleSheet {ns}><{p}numFmts count="1"><{p}numFmt numFmtId="164" formatCode="yyyy/m/d"/>'
            f'</{p}numFmts><{p}fonts count="1"><{p}font><{p}sz val="11"/><{p}name val="宋体"/></{p}font></{p}fonts>'
            f'<{p}fills count="2"><{p}fill><{p}patternFill patternType="none"/></{p}fill><{p}fill>'
            f'<{p}patternFill patternType="gray125"/></{p}fill></{p}fills><{p}borders count="1"><{p}border>'
            f"<{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border></{p}borders>"
            f'<{p}cellStyleXfs count="1"><{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></{p}cellStyleXfs>'
            f'<{p}cellXfs count="2"><{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            f'<{p}xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></{p}cellXfs>'
            f'<{p}cellStyles count="1"><{p}cellStyle name="Normal" xfId="0" builtinId="0"/></{p}cellStyles>'
            f"</{p}styleSheet>")
        wb_rels.append((r3, f"{R}/styles", _target(layout, "xl/styles.xml")))
        overrides["/xl/styles.xml"] = f"{SML}.styles+xml"
    if strings:
        si = "".join(f"<{p}si><{p}t>{s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</{p}t></{p}si>"
                     for s in strings)
        parts["xl/sharedStrings.xml"] = f'{DECL}<{p}sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">{si}</{p}sst>'
        wb_rels.append(("rIdSst9", f"{R}/sharedStrings", _target(layout, "xl/sharedStrings.xml")))
        overrides["/xl/sharedStrings.xml"] = f"{SML}.sharedStrings+xml"
    wb_rels += layout.extra_wb_rels
    root_rels = [("rId1", f"{R}/officeDocument", "xl/workbook.xml")]
    if layout.doc_props:
        parts["docProps/app.xml"] = (f'{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                                     'extended-properties"><Application>hand-made</Application></Properties>')
        root_rels.append(("rId2", f"{R}/extended-properties", "docProps/app.xml"))
        overrides["/docProps/app.xml"] = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
    parts["xl/_rels/workbook.xml.rels"] = _rels(layout, wb_rels)
    parts["_rels/.rels"] = _rels(layout, root_rels)
    parts.update(layout.extra_parts)
    overrides.update(layout.extra_overrides)
    c = "ct:" if layout.opc_prefix else ""
    cns = f'xmlns:ct="{CT}"' if layout.opc_prefix else f'xmlns="{CT}"'
    defaults = [("rels", "application/vnd.openxmlformats-package.relationships+xml"), ("xml", "application/xml"),
                ("bin", f"{SML}.printerSettings")]
    parts["[Content_Types].xml"] = (
        f"{DECL}<{c}Types {cns}>"
        + "".join(f"<{c}Default{_a(layout, 'Extension', e)}{_a(layout, 'ContentType', t)}/>" for e, t in defaults)
        + "".join(f"<{c}Override{_a(layout, 'PartName', n)}{_a(layout, 'ContentType', t)}/>"
                  for n, t in overrides.items())
        + f"</{c}Types>")
    order = ["[Content_Types].xml", "_rels/.rels", *[n for n in parts if n not in ("[Content_Types].xml", "_rels/.rels")]]
    return {n: parts[n] if isinstance(parts[n], bytes) else parts[n].encode("utf-8") for n in order}  # type: ignore[union-attr]


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return path


def _case(name: str, layout: Layout) -> Callable[[Path], Case]:
    def build(folder: Path) -> Case:
        path = write_zip(folder / f"{name}.xlsx", build_parts(layout))
        return Case(name, path, DATA_SHEET, edits={"A8": f"新客户（{name}）", "B3": 99.5, "C3": "=HYPERLINK(\"x\")",
                                                   "B7": 7},
                    olds={"B3": 88.0}, mark="A2", note="D3", other_sheets=["说明"],
                    cannot_read=CANNOT_READ.get(name, ()))
    build.__name__ = f"build_{name}"
    return build


_WPS_CELLIMAGES = (f'{DECL}<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
                   f'spreadsheetDrawing" xmlns:r="{R}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
                   f'xmlns:etc="{ETC}"></etc:cellImages>').encode()

LAYOUTS: dict[str, Layout] = {
    "packaging": Layout(main="x", rel_on_element=True, targets="absolute",
                        rids=("R6a1f0c2e", "R0b9d3e41", "R77c2a5d0", "R1e2f3a4b")),
    "prefixed_opc": Layout(opc_prefix=True, quote="'", eq=" = "),
    "numbers": Layout(ncr_names=True),
    "google": Layout(doc_props=False, dimension=False, spans=False),
    "wps": Layout(root_extra=f' xmlns:mc="{MC}" xmlns:x14ac="{X14AC}" xmlns:etc="{ETC}" mc:Ignorable="x14ac etc"',
                  row_extra=' x14ac:dyDescent="0.15"',
                  extra_parts={"xl/cellimages.xml": _WPS_CELLIMAGES},
                  extra_overrides={"/xl/cellimages.xml": "application/vnd.wps-officedocument.cellimage+xml"},
                  extra_wb_rels=[("rId9", "http://www.wps.cn/officeDocument/2020/cellImage", "cellimages.xml")]),
    "sheetjs": Layout(strings="str"),
    "excelize": Layout(targets="absolute", spans=False),
    "poi": Layout(strings="inline", date1904=True),
    "rless_rows": Layout(row_r=False, spans=False),
    "rless_cells": Layout(cell_r=False, dimension=False),
    "bare": Layout(styles=False, strings="inline", doc_props=False, dimension=False),
}
#: readers that cannot open a producer's original file at all (so they cannot judge the result)
CANNOT_READ = {"rless_cells": ("openpyxl",)}

BUILDERS: dict[str, Callable[[Path], Case]] = {name: _case(name, layout) for name, layout in LAYOUTS.items()}
