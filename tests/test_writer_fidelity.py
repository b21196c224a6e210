"""Fidelity corpus (issues 3 and 13): apply a changeset to workbooks made by XlsxWriter, LibreOffice,
a macro workbook with a ribbon, the project's own template and the layouts of other producers
(tests/corpus/producers.py: System.IO.Packaging, Numbers, Google Sheets, WPS, SheetJS, excelize,
POI, rows and cells without ``r``, a package without styles), then check that only the intended
cells and parts changed, that every changed XML part is well-formed with its prefixes bound, and
that openpyxl, calamine and LibreOffice read the result.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.corpus.build import Case, CaseUnavailable, all_builders
from tests.corpus.producers import BUILDERS as PRODUCERS
from tests.corpus.producers import FORMULA_MEMBERS
from workbook_tools.changeset import (
    NOT_CHECKED,
    CellMark,
    CellNote,
    Changeset,
    ChartSpec,
    GeneratedSheet,
)
from workbook_tools.model import col_letter, split_ref
from workbook_tools.styles import MARKS
from workbook_tools.writer import apply_changeset
from workbook_tools.writer.package import Package

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NOTE_TEXT = "请核对金额 <重要> & 紧急"
ADDED = "审阅结果"
BUILDERS = all_builders()
CASES = list(BUILDERS)


# ---- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case | str]:
    folder = tmp_path_factory.mktemp("corpus")
    out: dict[str, Case | str] = {}
    for name, fn in BUILDERS.items():
        try:
            out[name] = fn(folder)
        except CaseUnavailable as exc:
            out[name] = str(exc)
    return out


def added_sheet() -> GeneratedSheet:
    g = GeneratedSheet(ADDED, tab_color="#1F3864")
    g.put(1, 1, "审阅结果（测试）", "title")
    g.merges.append("A1:D1")
    g.put_row(3, 1, ["等级", "客户数", "金额"], "header")
    for i, (tier, n, amount) in enumerate([("A", 12, 120000.5), ("B", 30, 88000.0), ("C", 55, 21000.25)]):
        g.put_row(4 + i, 1, [tier, n, amount], [None, "int", "amount"])
    g.put(8, 1, "=SUM(B4:B6)")          # text that looks like a formula stays text
    g.put(9, 1, dt.date(2025, 1, 31))
    g.links[(10, 1)] = "'审阅结果'!A1"
    g.put(10, 1, "回到顶部")
    g.col_widths = {1: 14, 2: 10, 3: 14}
    g.freeze = (4, 1)
    g.charts.append(ChartSpec("column", "各等级客户数", "A4:A6", [("客户数", "B4:B6")], anchor="F3"))
    return g


def changeset_for(case: Case) -> Changeset:
    cs = Changeset("fidelity")
    for cell, new in case.edits.items():
        cs.edit(case.sheet, cell, new, case.olds.get(cell, NOT_CHECKED))
    for cell, old in case.olds.items():
        if cell not in case.edits:
            cs.edit(case.sheet, cell, old, old)
    cs.marks.append(CellMark(case.sheet, case.mark, "error", tag="fidelity"))
    cs.notes.append(CellNote(case.sheet, case.note, NOTE_TEXT))
    cs.add_sheets.append(added_sheet())
    return cs


def get_case(corpus: dict[str, Case | str], name: str) -> Case:
    case = corpus[name]
    if isinstance(case, str):
        pytest.skip(f"corpus case {name!r} not built: {case}")
    return case


@pytest.fixture(scope="session")
def applied(corpus: dict[str, Case | str], tmp_path_factory: pytest.TempPathFactory):
    """name → (case, original path, result path, changeset): each case written once per session."""
    done: dict[str, tuple[Case, Path, Path, Changeset]] = {}

    def get(name: str) -> tuple[Case, Path, Path, Changeset]:
        if name not in done:
            case = get_case(corpus, name)
            folder = tmp_path_factory.mktemp(f"applied-{name}")
            result = folder / case.path.name
            shutil.copyfile(case.path, result)
            cs = changeset_for(case)
            apply_changeset(result, cs, backup_keep=0, user="tester", now=dt.datetime(2026, 1, 2, 3, 4, 5))
            done[name] = (case, case.path, result, cs)
        return done[name]

    return get


# ---- helpers ------------------------------------------------------------------------------------------
def zip_parts(path: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}, {i.filename: i.compress_type for i in z.infolist()}


def allowed_to_change(path: Path, sheet: str) -> set[str]:
    """Parts a changeset with edits, marks and a note on ``sheet`` and an added sheet may touch."""
    pkg = Package.open(path)
    ref = pkg.sheet(sheet)
    assert ref is not None
    wb = pkg.workbook_part
    out = {"[Content_Types].xml", wb, f"{wb.rsplit('/', 1)[0]}/_rels/{wb.rsplit('/', 1)[1]}.rels",
           ref.part, f"{ref.part.rsplit('/', 1)[0]}/_rels/{ref.part.rsplit('/', 1)[1]}.rels"}
    styles = pkg.styles_part()
    if styles:
        out.add(styles)
    for rel in pkg.rels(ref.part):  # its comments, VML drawing (notes appended) and tables (extended)
        if not rel.external and rel.type.rsplit("/", 1)[-1] in {"comments", "vmlDrawing", "table"}:
            out.add(pkg.target(ref.part, rel))
    for rel in pkg.rels(wb):
        if rel.type.endswith(("/sharedStrings", "/calcChain")):
            out.add(pkg.target(wb, rel))
    return out


def canonical(xml: bytes, cells: set[tuple[int, int]]) -> ET.Element:
    """The sheet XML with the intended cells (and what the writer must update around them) removed.
    Rows and cells get their position as ``r`` (the schema lets them leave it out)."""
    root = ET.fromstring(xml)
    for tag in ("dimension", "legacyDrawing"):
        for el in root.findall(NS + tag):
            root.remove(el)
    rows = {r for r, _ in cells}
    sd = root.find(NS + "sheetData")
    assert sd is not None
    r = 0
    for row in list(sd):
        row.attrib.pop("spans", None)
        r = int(row.get("r") or r + 1)
        row.set("r", str(r))
        c = 0
        for cell in list(row):
            c = split_ref(cell.get("r"))[1] if cell.get("r") else c + 1
            cell.set("r", f"{col_letter(c)}{r}")
            if (r, c) in cells:
                row.remove(cell)
        if r in rows and len(row) == 0:
            sd.remove(row)
    return root


def same_tree(a: ET.Element, b: ET.Element, path: str = "") -> None:
    here = f"{path}/{a.tag.split('}')[-1]}"
    assert a.tag == b.tag, here
    assert a.attrib == b.attrib, f"{here}: {a.attrib} != {b.attrib}"
    assert (a.text or "").strip() == (b.text or "").strip(), here
    assert [k.tag for k in a] == [k.tag for k in b], here
    for x, y in zip(a, b):
        same_tree(x, y, here)


def expected(value: object) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def calamine_cell(rows: list[list[object]], ref: str) -> object:
    r, c = split_ref(ref)
    v = rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else ""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def load_openpyxl(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported" for x14 parts: reading only
        return openpyxl.load_workbook(path)


# ---- tests ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_untouched_parts_are_byte_identical(applied, name: str) -> None:
    case, original, result, _ = applied(name)
    before, ctype_before = zip_parts(original)
    after, ctype_after = zip_parts(result)
    may_change = allowed_to_change(original, case.sheet)
    missing = [n for n in before if n not in after and n not in may_change]
    assert not missing, f"parts lost: {missing}"
    changed = [n for n in before if n in after and n not in may_change and before[n] != after[n]]
    assert not changed, f"parts that should be untouched changed: {changed}"
    recompressed = [n for n in before if n in after and n not in may_change and ctype_before[n] != ctype_after[n]]
    assert not recompressed
    for other in case.other_sheets:
        ref_b, ref_a = Package.open(original).sheet(other), Package.open(result).sheet(other)
        assert ref_b is not None and ref_a is not None
        assert before[ref_b.part] == after[ref_a.part], other


@pytest.mark.parametrize("name", CASES)
def test_changed_sheet_differs_only_in_intended_cells(applied, name: str) -> None:
    case, original, result, _ = applied(name)
    part = Package.open(original).sheet(case.sheet).part  # type: ignore[union-attr]
    before, _ = zip_parts(original)
    after, _ = zip_parts(result)
    assert before[part] != after[part]
    cells = {split_ref(c) for c in [*case.edits, *case.olds, case.mark]}
    same_tree(canonical(before[part], cells), canonical(after[part], cells))
    assert b"legacyDrawing" in after[part]
    # the added sheet, the change log and the mark records are new parts; nothing else vanished
    names_after = [s.name for s in Package.open(result).sheets()]
    names_before = [s.name for s in Package.open(original).sheets()]
    assert names_after[:len(names_before)] == names_before
    assert ADDED in names_after


@pytest.mark.parametrize("name", CASES)
def test_openpyxl_reads_new_values_note_mark_and_added_sheet(applied, name: str) -> None:
    case, _, result, _ = applied(name)
    if "openpyxl" in case.cannot_read:
        pytest.skip("openpyxl cannot open this producer's original file either")
    wb = load_openpyxl(result)
    ws = wb[case.sheet]
    for cell, new in case.edits.items():
        assert ws[cell].value == expected(new), cell
        if isinstance(new, str):
            assert ws[cell].data_type == "s", f"{cell} must be stored as text"
    assert ws[case.note].comment is not None
    assert NOTE_TEXT in ws[case.note].comment.text
    fill = ws[case.mark].fill.fgColor.rgb
    assert str(fill).upper().endswith(MARKS["error"]["fill"])
    added = wb[ADDED]
    assert added["A1"].value == "审阅结果（测试）"
    assert [added.cell(4 + i, 2).value for i in range(3)] == [12, 30, 55]
    assert added["A8"].value == "=SUM(B4:B6)" and added["A8"].data_type == "s"
    assert added["A9"].value == dt.datetime(2025, 1, 31)
    assert added["C4"].number_format == "#,##0.00"
    assert added["A3"].font.b is True
    assert added.freeze_panes == "A4"
    assert {str(r) for r in added.merged_cells.ranges} == {"A1:D1"}
    assert added["A10"].hyperlink is not None and added["A10"].hyperlink.location == "'审阅结果'!A1"
    assert len(added._charts) == 1


@pytest.mark.parametrize("name", CASES)
def test_calamine_reads_new_values_and_added_sheet(applied, name: str) -> None:
    case, _, result, _ = applied(name)
    book = CalamineWorkbook.from_path(str(result))
    rows = book.get_sheet_by_name(case.sheet).to_python(skip_empty_area=False)
    for cell, new in case.edits.items():
        got = calamine_cell(rows, cell)
        assert got == expected(new), cell
    added = book.get_sheet_by_name(ADDED).to_python(skip_empty_area=False)
    assert calamine_cell(added, "A1") == "审阅结果（测试）"
    assert [calamine_cell(added, f"B{r}") for r in (4, 5, 6)] == [12, 30, 55]
    assert calamine_cell(added, "C4") == 120000.5
    assert calamine_cell(added, "A8") == "=SUM(B4:B6)"


@pytest.mark.parametrize("name", CASES)
def test_spliced_parts_keep_their_root_and_children(applied, name: str) -> None:
    """workbook.xml, styles.xml and the edited sheet are patched, never re-serialised: the root
    start tag (namespace prefixes, mc:Ignorable) is the same bytes and no child element is lost."""
    case, original, result, _ = applied(name)
    pkg = Package.open(original)
    before, _ = zip_parts(original)
    after, _ = zip_parts(result)
    for part in (pkg.workbook_part, pkg.styles_part(), pkg.sheet(case.sheet).part):  # type: ignore[union-attr]
        if part is None:  # a package without styles gets one
            continue
        head = before[part][:before[part].index(b">", before[part].index(b"<", 5) + 1) + 1]
        assert after[part].startswith(head), part
        old_kids = [k.tag for k in ET.fromstring(before[part])]
        new_kids = iter([k.tag for k in ET.fromstring(after[part])])
        assert all(tag in new_kids for tag in old_kids), part  # in order: a subsequence


def test_macro_parts_survive_byte_for_byte(applied) -> None:
    _, original, result, _ = applied("macro")
    before, _ = zip_parts(original)
    after, _ = zip_parts(result)
    for part in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels"):
        assert after[part] == before[part], part
    assert b"ui/extensibility" in after["_rels/.rels"]
    assert b"macroEnabled" in after["[Content_Types].xml"]


def test_rich_extensions_survive(applied) -> None:
    case, original, result, _ = applied("rich")
    after, _ = zip_parts(result)
    part = Package.open(result).sheet(case.sheet).part  # type: ignore[union-attr]
    xml = after[part]
    for marker in (b"x14:sparklineGroups", b"x14:dataBar", b"x14:dataValidation", b"mc:Ignorable"):
        assert marker in xml, marker
    assert any(n.startswith("xl/media/") for n in after)
    assert "xl/drawings/drawing1.xml" in after  # image + text box drawing kept
    with zipfile.ZipFile(original) as z:
        assert z.read("xl/drawings/drawing1.xml") == after["xl/drawings/drawing1.xml"]


@pytest.fixture(scope="session")
def libreoffice(corpus, applied, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name → every written case saved again by LibreOffice, all in one soffice run."""
    from workbook_tools.testing.soffice import convert_all

    names = [n for n in CASES if not isinstance(corpus[n], str)]
    out = convert_all([applied(n)[2] for n in names], "xlsx:Calc MS Excel 2007 XML", tmp_path_factory.mktemp("lo"))
    return dict(zip(names, out))


@pytest.mark.soffice
@pytest.mark.parametrize("name", CASES)
def test_libreoffice_opens_result_and_shows_values(applied, libreoffice, name: str) -> None:
    case, _, result, _ = applied(name)
    out = libreoffice[name]
    assert out.exists(), f"LibreOffice could not open {result.name}"
    book = CalamineWorkbook.from_path(str(out))
    assert case.sheet in book.sheet_names and ADDED in book.sheet_names
    rows = book.get_sheet_by_name(case.sheet).to_python(skip_empty_area=False)
    for cell, new in case.edits.items():
        assert calamine_cell(rows, cell) == expected(new), cell
    added = book.get_sheet_by_name(ADDED).to_python(skip_empty_area=False)
    assert calamine_cell(added, "A1") == "审阅结果（测试）"
    assert [calamine_cell(added, f"B{r}") for r in (4, 5, 6)] == [12, 30, 55]


@pytest.mark.soffice
@pytest.mark.slow
def test_added_chart_sheet_renders_in_libreoffice(tmp_path: Path) -> None:
    """Render a generated sheet with its chart to PDF/PNG: the table and the chart are drawn."""
    import subprocess

    from workbook_tools.testing.soffice import convert, pdf_text, png_is_blank
    from workbook_tools.writer.sheets import add_or_replace_sheet, remove_sheet

    wb = tmp_path / "base.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "原表"
    book.active["A1"] = "原有数据"
    book.save(wb)  # a NEW file made for the test; the writer then works on it as on a user's file
    pkg = Package.open(wb)
    g = added_sheet()
    g.charts = [ChartSpec("column", "各等级客户数", "A4:A6", [("客户数", "B4:B6")], anchor="A12", width=420)]
    add_or_replace_sheet(pkg, g)
    remove_sheet(pkg, "原表")
    out = tmp_path / "chart.xlsx"
    pkg.save(out)
    pdf = convert(out, "pdf", tmp_path / "pdf")
    text = pdf_text(pdf, first=1, last=1)
    assert "审阅结果（测试）" in text and "120,000.50" in text and "各等级客户数" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    png = next(tmp_path.glob("page-*.png"))
    assert not png_is_blank(png)


_ADDED_ELEMENT = re.compile(rb"<(?:[\w.\-]+:)?(?:sheet|Override|Default|Relationship)\b[^>]*/>")


@pytest.mark.parametrize("name", CASES)
def test_package_parts_only_gain_elements(applied, name: str) -> None:
    """workbook.xml, its relationships and [Content_Types].xml differ only by the elements added
    for the new sheets and parts: take those out and the bytes are the original's."""
    case, original, result, _ = applied(name)
    pkg = Package.open(original)
    wb = pkg.workbook_part
    before, _ = zip_parts(original)
    after, _ = zip_parts(result)
    for part in (wb, f"{wb.rsplit('/', 1)[0]}/_rels/{wb.rsplit('/', 1)[1]}.rels", "[Content_Types].xml"):
        old = set(_ADDED_ELEMENT.findall(before[part]))
        trimmed = _ADDED_ELEMENT.sub(lambda m, old=old: m.group(0) if m.group(0) in old else b"", after[part])
        assert trimmed == before[part], part
        assert len(after[part]) > len(before[part]), part


@pytest.mark.parametrize("name", CASES)
def test_every_changed_part_is_well_formed_with_its_prefixes_bound(applied, name: str) -> None:
    from workbook_tools.writer.xmlns import xml_problem

    _, original, result, _ = applied(name)
    before, _ = zip_parts(original)
    after, _ = zip_parts(result)
    for part, blob in after.items():
        if part.endswith((".xml", ".rels")) and before.get(part) != blob:
            assert xml_problem(blob) is None, part


@pytest.mark.parametrize("name", list(PRODUCERS))
@pytest.mark.parametrize("cell", FORMULA_MEMBERS)
def test_members_of_shared_and_array_formulas_are_refused(corpus, name: str, cell: str, tmp_path: Path) -> None:
    from workbook_tools.errors import UnsafeWrite

    case = get_case(corpus, name)
    path = tmp_path / case.path.name
    shutil.copyfile(case.path, path)
    cs = Changeset("formula")
    cs.edit(case.sheet, cell, 1)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, cs)
    assert info.value.where() == f"{case.sheet}!{cell}" and "formula" in info.value.render("en")
    assert path.read_bytes() == case.path.read_bytes()
