"""The Formula value type: written by the file applier with its cached value, read back as a value,
refreshed only on the same formula, never made from text; 是否逾期 as a formula that does not churn."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _writer_util import make_book, parts, sheet_part
from python_calamine import CalamineWorkbook

from workbook_tools.changeset import Changeset, Formula
from workbook_tools.errors import UnsafeWrite
from workbook_tools.model import split_ref
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.reader import read_workbook
from workbook_tools.schema import SCHEMA
from workbook_tools.testing import make_model
from workbook_tools.writer import apply_changeset

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)
OVERDUE = SCHEMA.sheet("customers").column("overdue")


def _write(path: Path, *edits: tuple[str, Any, Any]) -> None:
    cs = Changeset("t")
    for cell, new, old in edits:
        cs.edit("数据", cell, new, old=old)
    apply_changeset(path, cs, user="u", now=NOW)


def test_formula_text_must_not_carry_its_equals_sign() -> None:
    with pytest.raises(ValueError):
        Formula("=A1+1", 2)
    with pytest.raises(ValueError):
        Formula("", 2)


def test_file_applier_writes_the_formula_with_its_cached_value(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    _write(path, ("D3", Formula('IF(B3<TODAY(),"是","否")', "否"), None),     # text result: t="str"
           ("D4", Formula("B2+B3", 1241.5), None),                              # a number
           ("D5", Formula('IF(B5="","","x")', None), None),                      # the empty text
           ("A4", '=IF(B3<TODAY(),"是","否")', None))                             # text stays text
    xml = parts(path)[sheet_part(path, "数据")].decode()

    def cell(ref: str) -> str:
        return re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml).group(0)

    assert re.fullmatch(r'<c r="D3"( s="\d+")? t="str"><f>IF\(B3&lt;TODAY\(\),"是","否"\)</f><v>否</v></c>', cell("D3"))
    assert re.fullmatch(r'<c r="D4"( s="\d+")?><f>B2\+B3</f><v>1241.5</v></c>', cell("D4"))
    assert re.fullmatch(r'<c r="D5"( s="\d+")? t="str"><f>IF\(B5="","","x"\)</f><v></v></c>', cell("D5"))
    assert 't="inlineStr"' in cell("A4") and "<f>" not in cell("A4")
    ws = openpyxl.load_workbook(path)["数据"]                      # an independent reader sees formulas
    assert ws["D3"].value == '=IF(B3<TODAY(),"是","否")' and ws["D4"].value == "=B2+B3"
    assert ws["A4"].value == '=IF(B3<TODAY(),"是","否")' and ws["A4"].data_type == "s"
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python(skip_empty_area=False)
    assert [cal[2][3], cal[3][3], cal[4][3]] == ["否", 1241.5, ""]      # and the cached values


def test_reader_reads_a_formula_cell_as_its_cached_value_and_keeps_the_text(tmp_path: Path) -> None:
    path = tmp_path / "crm.xlsx"
    from workbook_tools.sample import generate_sample

    generate_sample(path, customers=20, seed=3)
    model = read_workbook(path)
    cust = model.sheets["customers"]
    col = cust.columns["overdue"]
    nf = openpyxl.utils.get_column_letter(cust.columns["next_follow"])
    text = OVERDUE.formula_at(5, {"next_follow": nf})
    cs = Changeset("t")
    cs.edit(cust.name, f"{openpyxl.utils.get_column_letter(col)}5", Formula(text, "是"))
    cs.edit(cust.name, f"{openpyxl.utils.get_column_letter(col)}6", Formula(OVERDUE.formula_at(6, {"next_follow": nf}), None))
    apply_changeset(path, cs, user="u", now=NOW)
    cust = read_workbook(path).sheets["customers"]
    assert cust.raw.at[5, "overdue"] == "是" and cust.df.at[5, "overdue"] == "是"
    assert cust.formulas[(5, "overdue")] == text
    assert cust.formulas[(6, "overdue")] and (6, "overdue") not in cust.formulas_without_value
    assert not [n for n in read_workbook(path).notices if n.code == "R-FORMULA-NO-VALUE"]


def test_same_formula_may_get_a_new_cached_value_other_formulas_are_refused(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    f = Formula('IF(B2<TODAY(),"是","否")', "否")
    _write(path, ("D3", f, None))
    _write(path, ("D3", Formula(f.text, "是"), "否"))          # the same formula, refreshed
    assert openpyxl.load_workbook(path)["数据"]["D3"].value == "=" + f.text
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python(skip_empty_area=False)
    assert cal[2][3] == "是"
    before = path.read_bytes()
    for new in (Formula("B2*2", 1), "是", None):                 # another formula, a value, emptying: refused
        with pytest.raises(UnsafeWrite, match="formula|公式"):
            _write(path, ("D3", new, None))
    with pytest.raises(UnsafeWrite):                             # the book's own formula (B7 = B2+B3) too
        _write(path, ("B7", Formula("B2+B3", 1), None))
    assert path.read_bytes() == before


# ---- 是否逾期 ----------------------------------------------------------------------------------------
def _cust(**kw: Any) -> dict[str, Any]:
    return {"name": "甲", "contact": "张三", "phone": "13800138000", "customer_id": "2024-IT-001", "amount_annual": 60,
            **kw}


def _overdue_edits(model: Any, as_of: dt.date) -> list[Any]:
    res = run_tiers(model, as_of=as_of)
    col = model.sheet("customers").columns.get("overdue")
    return [e for e in res.changeset.edits if split_ref(e.cell)[1] == col], res


def _text(**row: Any) -> str:
    """是否逾期's formula in row 2 of a model holding these columns (its letters depend on them)."""
    sd = make_model(customers=[_cust(**row)]).sheet("customers")
    return OVERDUE.formula_at(2, {"next_follow": openpyxl.utils.get_column_letter(sd.columns["next_follow"])})


def test_overdue_formula_is_written_once_and_then_left_alone_as_days_pass() -> None:
    contacts = [{"customer_id": "2024-IT-001", "contact_date": "2025-05-01"}]   # + 30 days → due 2025-05-31
    text = _text(next_follow=None, overdue=None)
    edits, _ = _overdue_edits(make_model(customers=[_cust(next_follow=dt.date(2025, 5, 31), overdue="否")],
                                          contacts=contacts), dt.date(2025, 5, 20))
    assert [(e.new, e.old) for e in edits] == [(Formula(text, "否"), "否")]   # a typed value becomes the formula
    # the formula is there (its cached value from that day): weeks later nothing is written
    later = make_model(customers=[_cust(next_follow=dt.date(2025, 5, 31), overdue=Formula(text, "否"))],
                       contacts=contacts)
    edits, res = _overdue_edits(later, dt.date(2025, 7, 1))
    assert edits == [] and res.stats["overdue"] == 1       # counted as overdue on the as-of day all the same


def test_overdue_cached_value_follows_a_new_follow_up_date() -> None:
    text = _text(next_follow=None, overdue=None)
    m = make_model(customers=[_cust(next_follow=dt.date(2025, 5, 31), overdue=Formula(text, "是"))],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-06-20"}])   # contacted again
    edits, res = _overdue_edits(m, dt.date(2025, 6, 30))
    assert [(e.new, e.old) for e in edits] == [(Formula(text, "否"), "是")]
    # in the same run: 最近沟通日期 2025-06-20 and 下次跟进日期 2025-07-20 (+ 30 days)
    assert [e.new for e in res.changeset.edits if isinstance(e.new, dt.date)] == [dt.date(2025, 6, 20),
                                                                                   dt.date(2025, 7, 20)]


def test_overdue_someone_elses_formula_is_kept_and_reported() -> None:
    m = make_model(customers=[_cust(next_follow=dt.date(2025, 5, 31), overdue=Formula('IF(TRUE,"是","否")', "是"))],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-05-01"}])
    edits, res = _overdue_edits(m, dt.date(2025, 6, 30))
    col = openpyxl.utils.get_column_letter(m.sheet("customers").columns["overdue"])
    assert edits == [] and [(f.code, f.cell) for f in res.findings] == [("TIER-FORMULA", f"{col}2")]


def test_template_highlight_is_the_formula_itself(tmp_path: Path) -> None:
    from workbook_tools.template.builder import build_workbook

    path = build_workbook(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["客户基本信息"]
    col = next(c.column_letter for c in ws[1] if c.value == "是否逾期")
    nf = next(c.column_letter for c in ws[1] if c.value == "下次跟进日期")
    rules = [(str(cf.sqref), r.formula) for cf in ws.conditional_formatting for r in cf.rules]
    [(where, formula)] = [(w, f) for w, f in rules if w.startswith(col)]
    assert formula == [f'IF(ISNUMBER(${nf}2),IF(${nf}2<TODAY(),"是","否"),"")="是"']


@pytest.mark.soffice
def test_libreoffice_shows_the_overdue_value_of_the_day_it_opens_the_file(tmp_path: Path) -> None:
    """Written as of 2024-01-01, 是否逾期 is cached as that day's value; LibreOffice recalculates
    the formula (TODAY() is volatile) and shows today's: 是 wherever 下次跟进日期 has passed since."""
    import csv

    from workbook_tools.sample import generate_sample
    from workbook_tools.testing.soffice import convert

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=30, seed=5)
    res = run_tiers(read_workbook(path), as_of=dt.date(2024, 1, 1))
    apply_changeset(path, res.changeset, user="u", now=NOW)
    cust = read_workbook(path).sheets["customers"]
    cached = {r: cust.raw.at[r, "overdue"] for r in cust.df.index if (r, "overdue") in cust.formulas}
    due = {r: cust.df.at[r, "next_follow"] for r in cached}
    assert "否" in cached.values()                        # some were not yet overdue on 2024-01-01
    out = convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "lo")
    with out.open(encoding="utf-8") as fh:
        shown = list(csv.reader(fh))
    col = cust.columns["overdue"] - 1
    today = dt.date.today()
    for r, d in due.items():
        expect = "" if d is None or d != d else ("是" if d.date() < today else "否")
        assert shown[r - 1][col] == expect, (r, d, cached[r], shown[r - 1][col])
    assert any(cached[r] == "否" and shown[r - 1][col] == "是" for r in cached)   # today's value, not the cached one


def test_exported_copies_keep_the_overdue_formula_for_their_own_rows(tmp_path: Path) -> None:
    """A per-owner copy renumbers the rows; 是否逾期 there is the formula on the copy's own row, with
    the value it had in the workbook cached."""
    from workbook_tools.ops.export import run_export_by_owner
    from workbook_tools.sample import generate_sample
    from workbook_tools.writer.exports import write_exports

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=30, seed=5)
    apply_changeset(path, run_tiers(read_workbook(path), as_of=dt.date(2026, 10, 31)).changeset, user="u", now=NOW)
    src = read_workbook(path).sheets["customers"]
    by_name = {src.raw.at[r, "name"]: src.raw.at[r, "overdue"] for r in src.df.index}
    assert len(by_name) == len(src.df)
    files = write_exports(run_export_by_owner(read_workbook(path), out=tmp_path / "out"))
    checked = 0
    for f in files:
        cust = read_workbook(f).sheets["customers"]
        nf = openpyxl.utils.get_column_letter(cust.columns["next_follow"])
        for r in cust.df.index:
            cached = cust.raw.at[r, "overdue"]
            assert cached == by_name[cust.raw.at[r, "name"]]
            if cached is not None:
                assert cust.formulas[(r, "overdue")] == OVERDUE.formula_at(r, {"next_follow": nf})
                checked += 1
    assert checked > 0
