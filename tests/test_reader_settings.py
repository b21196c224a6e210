"""代码表 → Settings: the template's layout, values typed like the defaults, bad values reported."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from workbook_tools.model import Settings
from workbook_tools.reader import read_workbook
from workbook_tools.reader.settings import coerce, read_settings
from workbook_tools.schema import SCHEMA
from workbook_tools.template import build_workbook


def test_template_settings_round_trip(tmp_path: Path) -> None:
    p = build_workbook(tmp_path / "t.xlsx", settings={"tier_key_min": 12.5, "cadence_key_days": 40,
                                                      "privacy_mode": True})
    m = read_workbook(p)
    st = m.settings
    assert st.get("tier_key_min") == 12.5 and isinstance(st.get("tier_key_min"), float)
    assert st.get("cadence_key_days") == 40 and isinstance(st.get("cadence_key_days"), int)
    assert st.get("privacy_mode") is True
    defaults = Settings.defaults()
    assert st.lists == defaults.lists
    assert st.industry_codes == defaults.industry_codes
    assert {s.key for s in SCHEMA.settings} <= st.from_workbook
    # the value's cell, as the template laid it out
    wb = openpyxl.load_workbook(p, read_only=True)
    ws = wb["代码表"]
    assert ws[st.cells["tier_key_min"]].value == 12.5
    wb.close()
    assert not [n for n in m.notices if n.code.startswith("R-SETTINGS")]


def _sheet(rows: list[list]) -> tuple[Settings, list]:
    return read_settings(rows, "代码表")


def test_blocks_found_anywhere_and_typed() -> None:
    rows = [
        ["代码表（请勿改动表头）"],
        ["客户类型", "自定义标签", None, "行业名称", "行业代码", None, "设置项", "名称", "值"],
        ["新客户", "VIP", None, "制造业", "mf", None, "tier_key_min", "重点", "15"],
        ["老客户", "KA", None, "新能源", "NE", None, "privacy_mode", "隐私", "是"],
        [None, None, None, None, None, None, "cadence_key_days", "", "三十"],
        [None, None, None, None, None, None, "rule.V-PHONE", "", "off"],
        [None, None, None, None, None, None, "id_unknown_industry", "", "随便"],
        [None, None, None, None, None, None, "zombie_days", "", None],
    ]
    st, notices = _sheet(rows)
    assert st.lists["customer_type"] == ["新客户", "老客户"]
    assert st.lists["自定义标签"] == ["VIP", "KA"]
    assert st.industry_codes == {"制造业": "MF", "新能源": "NE"}
    assert st.lists["industry"] == ["制造业", "新能源"]
    assert st.get("tier_key_min") == 15.0 and st.cells["tier_key_min"] == "I3"
    assert st.get("privacy_mode") is True
    assert st.get("rule.V-PHONE") == "off" and "rule.V-PHONE" in st.from_workbook
    bad = {n.cell: n for n in notices if n.code == "R-SETTINGS-BAD-VALUE"}
    assert set(bad) == {"I5", "I7"}
    assert "三十" in bad["I5"].message.zh and "整数" in bad["I5"].message.zh
    assert st.get("cadence_key_days") == 45  # default kept
    assert st.get("id_unknown_industry") == "归入其他"
    assert [n.cell for n in notices if n.code == "R-SETTINGS-EMPTY"] == ["I8"]
    assert st.lists["stage"] == list(SCHEMA.list("stage").values)  # untouched default


def test_english_headers() -> None:
    rows = [["Customer type", "Industry", "Code", "Key", "Value"],
            ["Prospect", "Retail", "RT", "tier_strategic_min", 80]]
    st, _ = _sheet(rows)
    assert st.lists["customer_type"] == ["Prospect"]
    assert st.industry_codes == {"Retail": "RT"}
    assert st.get("tier_strategic_min") == 80.0


def test_no_headers_keeps_defaults() -> None:
    st, notices = _sheet([["随便写的"], ["x"]])
    assert st.values == Settings.defaults().values
    assert [n.code for n in notices] == ["R-SETTINGS-LAYOUT"]


def test_coerce() -> None:
    assert coerce("否", True) is False and coerce("TRUE", False) is True and coerce(1, False) is True and coerce(2, False) is None
    assert coerce("1", False) is True and coerce("maybe", False) is None
    assert coerce("７", 3) == 7 and coerce(7.0, 3) == 7 and coerce(7.5, 3) is None
    assert coerce("1,000", 1.0) == 1000.0 and coerce("abc", 1.0) is None and coerce(True, 1.0) is None
    assert coerce(" 拒绝 ", "归入其他", ("归入其他", "拒绝")) == "拒绝"
