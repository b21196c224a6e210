"""The master template: built from the schema, committed, and checked cell by cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.model import col_letter
from workbook_tools.schema import SCHEMA, SETTINGS_HEADERS
from workbook_tools.template import build_workbook, layout

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "templates" / "CRM_master.xlsx"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("tpl") / "t.xlsx")


@pytest.fixture(scope="module")
def wb(built: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(built)


def test_committed_template_matches_schema(built: Path) -> None:
    """Rebuild and compare part by part: fails when the schema or builder drifts from the committed file."""
    assert COMMITTED.exists(), "templates/CRM_master.xlsx is missing: run `wbt template -o templates/CRM_master.xlsx --force`"
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(COMMITTED) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        drift = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert not drift, (f"templates/CRM_master.xlsx is out of date in {drift}; "
                       "run `wbt template -o templates/CRM_master.xlsx --force` and commit it")


def test_same_input_same_bytes(built: Path, tmp_path: Path) -> None:
    again = build_workbook(tmp_path / "again.xlsx")
    assert again.read_bytes() == built.read_bytes()


def test_sheets_and_headers_equal_schema(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == [s.zh for s in SCHEMA.sheets]
    for spec in SCHEMA.data_sheets:
        ws = wb[spec.zh]
        headers = [c.value for c in ws[1]][: len(spec.columns)]
        assert headers == [c.zh for c in spec.columns]
        assert ws.max_column == len(spec.columns)
        assert spec.table_name in ws.tables
        assert ws.tables[spec.table_name].ref.startswith("A1:")
        assert ws.freeze_panes == ("C2" if spec.key == "customers" else "A2")
        assert ws.print_title_rows in ("1:1", "$1:$1")
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_column_widths_formats_and_header_styles(wb: openpyxl.Workbook) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb["客户基本信息"]
    for i, col in enumerate(SCHEMA.sheet("customers").columns, start=1):
        letter = get_column_letter(i)
        assert ws.column_dimensions[letter].width == pytest.approx(col.col_width, abs=0.8)
        head = ws.cell(1, i)
        expected_fill = "E2EFDA" if col.computed else "D9E1F2"
        assert head.fill.fgColor.rgb.endswith(expected_fill), col.key
    date_col = [c.key for c in SCHEMA.sheet("customers").columns].index("first_contact") + 1
    assert ws.column_dimensions[get_column_letter(date_col)].number_format == "yyyy-mm-dd"


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0]] = (dv, rng.coord)
    return out


def test_every_column_has_input_message_and_validation(wb: openpyxl.Workbook) -> None:
    from openpyxl.utils import get_column_letter

    for spec in SCHEMA.data_sheets:
        dvs = _validations(wb[spec.zh])
        for i, col in enumerate(spec.columns, start=1):
            dv, coord = dvs[f"{get_column_letter(i)}2"]
            assert coord.endswith("2000"), (spec.key, col.key, coord)
            assert dv.showInputMessage and dv.promptTitle == col.zh[:32]
            assert dv.prompt and len(dv.prompt) <= 255
            if col.list:
                assert dv.type == "list" and dv.formula1 == SCHEMA.list(col.list).defined_name
                assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), col.key
            elif col.type in ("date", "datetime", "amount", "integer", "rating"):
                assert dv.showErrorMessage and dv.errorStyle == "warning", col.key
    sat = _validations(wb["客户基本信息"])
    idx = [c.key for c in SCHEMA.sheet("customers").columns].index("satisfaction") + 1
    dv, _ = sat[f"{get_column_letter(idx)}2"]
    assert (dv.type, dv.formula1, dv.formula2) == ("whole", "1", "5")


def test_defined_names_point_into_code_sheet(wb: openpyxl.Workbook) -> None:
    lay = layout()
    from openpyxl.utils import get_column_letter

    for li in SCHEMA.lists:
        dn = wb.defined_names[li.defined_name]
        col = get_column_letter(lay.list_cols[li.key] + 1)
        assert dn.attr_text == (f"OFFSET('代码表'!${col}$2,0,0,MAX(1,COUNTA('代码表'!${col}:${col})-1),1)")
        header = wb["代码表"][f"{col}1"].value
        expected = "行业名称" if li.key == "industry" else li.zh
        assert header == expected


def test_code_sheet_blocks_hold_schema_defaults(wb: openpyxl.Workbook) -> None:
    ws = wb["代码表"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    lists = [li for li in SCHEMA.lists if li.key != "industry"]
    assert list(head[: len(lists)]) == [li.zh for li in lists]
    assert head[len(lists)] is None                                   # one empty column
    for i, li in enumerate(lists):
        values = [r[i] for r in rows[1:] if r[i] is not None]
        assert values == list(li.values)
    ic = len(lists) + 1
    assert head[ic:ic + 2] == (SETTINGS_HEADERS["industry_name"][0], SETTINGS_HEADERS["industry_code"][0])
    inds = [(r[ic], r[ic + 1]) for r in rows[1:] if r[ic] is not None]
    assert inds == [(i.name, i.code) for i in SCHEMA.industries]
    assert head[ic + 2] is None
    sc = ic + 3
    assert head[sc:sc + 5] == tuple(SETTINGS_HEADERS[k][0] for k in
                                    ("setting_key", "setting_label", "setting_value", "setting_unit", "setting_help"))
    got = {r[sc]: r[sc + 2] for r in rows[1:] if r[sc] is not None}
    for s in SCHEMA.settings:
        exp = ("是" if s.default else "否") if isinstance(s.default, bool) else s.default
        assert got[s.key] == exp, s.key


def test_conditional_formats(wb: openpyxl.Workbook) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb["沟通记录"]
    due = get_column_letter([c.key for c in SCHEMA.sheet("contacts").columns].index("due") + 1)
    rules = {str(rng.sqref): [r.formula for r in rs] for rng, rs in ws.conditional_formatting._cf_rules.items()}
    assert any(k.startswith(f"{due}2:") and any("TODAY()" in f[0] for f in v if f) for k, v in rules.items())
    cust = wb["客户基本信息"]
    kinds = [r.type for rs in cust.conditional_formatting._cf_rules.values() for r in rs]
    assert len(kinds) >= 3


def test_instructions_explain_every_column(wb: openpyxl.Workbook) -> None:
    ws = wb["说明"]
    text = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c]
    blob = "\n".join(text)
    for word in ("wbt validate", "wbt ids", "wbt tiers", "wbt review --month", "wbt month-end", "YYYY-MM-DD", "200"):
        assert word in blob
    pairs = {(r[0], r[1]) for r in ws.iter_rows(values_only=True)}
    for spec in SCHEMA.data_sheets:
        for col in spec.columns:
            assert (spec.zh, col.zh) in pairs, (spec.key, col.key)
    for s in SCHEMA.settings:
        assert s.key in text


def test_english_template(tmp_path: Path) -> None:
    p = build_workbook(tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [s.en for s in SCHEMA.sheets]
    assert [c.value for c in wb["Customers"][1]][:3] == [c.en for c in SCHEMA.sheet("customers").columns[:3]]
    dn = wb.defined_names["list_stage"].attr_text
    assert "'Lists & settings'!" in dn


def test_cli_template_refuses_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "CRM.xlsx"
    r = CliRunner().invoke(cli, ["template", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == COMMITTED.read_bytes()
    out.write_bytes(b"mine")
    r = CliRunner().invoke(cli, ["template", "-o", str(out)])
    assert r.exit_code == 2 and "--force" in r.output
    assert out.read_bytes() == b"mine"
    r = CliRunner().invoke(cli, ["template", "-o", str(out), "--force", "--lang", "en"])
    assert r.exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Customers"


def test_data_rows_round_trip(tmp_path: Path) -> None:
    """Rows given to the builder come back cell for cell (escaping, numbers, dates, empty cells)."""
    from datetime import date, datetime

    from python_calamine import CalamineWorkbook

    rows = [
        {"name": "A&B <科技> 有限公司", "contact": " 王 伟 ", "phone": "01088886666", "founded": 2015,
         "amount_annual": 12.345678, "amount_total": 350000, "first_contact": date(2024, 3, 5),
         "first_coop": "2024年13月5日", "satisfaction": 4, "needs": "含控制符\x07和换行\n第二行"},
        {"name": "杭州云启科技有限公司", "customer_id": "2024-IT-001", "first_contact": date(1899, 12, 31)},
    ]
    contacts = [{"customer_id": "2024-IT-001", "contact_date": date(2026, 10, 30),
                 "logged_at": datetime(2026, 10, 30, 17, 45), "contact_changed": True}]
    p = build_workbook(tmp_path / "d.xlsx", data={"customers": rows, "contacts": contacts})
    wb = openpyxl.load_workbook(p)
    ws = wb["客户基本信息"]
    keys = [c.key for c in SCHEMA.sheet("customers").columns]

    def v(r: int, key: str) -> object:
        return ws.cell(r, keys.index(key) + 1).value

    assert v(2, "name") == "A&B <科技> 有限公司" and v(2, "contact") == " 王 伟 "
    assert v(2, "phone") == "01088886666" and v(2, "founded") == 2015
    assert v(2, "amount_annual") == 12.345678 and v(2, "amount_total") == 350000
    assert v(2, "first_contact") == datetime(2024, 3, 5) and v(2, "first_coop") == "2024年13月5日"
    assert v(2, "needs").endswith("和换行\n第二行")   # openpyxl leaves Excel's _x0007_ escape as it is
    assert v(2, "customer_id") is None and v(3, "customer_id") == "2024-IT-001"
    assert v(3, "first_contact") == "1899-12-31"          # before Excel's reliable range: kept as text
    assert ws.tables["tbl_customers"].ref == f"A1:{col_letter(len(SCHEMA.sheet('customers').columns))}3"  # A1:AM3
    assert wb["投诉登记"].tables["tbl_complaints"].ref == "A1:O2"   # no rows: one empty body row
    c = wb["沟通记录"]
    assert c["C2"].value == datetime(2026, 10, 30) and c["C2"].number_format == "yyyy-mm-dd"
    assert c["D2"].value == datetime(2026, 10, 30, 17, 45) and c["D2"].number_format == "yyyy-mm-dd hh:mm"
    changed = [col.key for col in SCHEMA.sheet("contacts").columns].index("contact_changed") + 1
    assert c.cell(2, changed).value == "是"
    cal = CalamineWorkbook.from_path(str(p)).get_sheet_by_name("客户基本信息").to_python()
    assert cal[1][keys.index("name")] == "A&B <科技> 有限公司"
    assert cal[1][keys.index("first_contact")] == date(2024, 3, 5)
    assert cal[1][keys.index("needs")] in ("含控制符\x07和换行\n第二行", "含控制符_x0007_和换行\n第二行")
