"""代码表 → :class:`Settings`: lists, the industry-code table and thresholds, as the team set them.

Layout (see ``workbook_tools/template/codesheet.py``): a header row near the top; list columns
headed by the list's name (zh or en); an industry block headed 行业名称 | 行业代码; a settings
block headed 设置项 | 名称 | 值 | 单位 | 说明. Blocks are found by their headers, in any column.
Whatever is missing keeps the schema default; a value that does not fit its setting is reported
with its cell and the default is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import L
from ..model import Notice, Settings, cell_ref
from ..schema import SCHEMA, SETTINGS_HEADERS, Schema, norm_header
from ..schema.headers import HeaderPin
from ..schema.units import PERCENT, unit_word
from ..values import is_empty
from . import parse
from .headermap import pin_target

_TRUE = {"是", "true", "yes", "y", "1", "on", "开", "启用", "√"}
_FALSE = {"否", "false", "no", "n", "0", "off", "关", "停用", "×"}
HEADER_SCAN_ROWS = 10


def _header_kinds(schema: Schema) -> dict[str, tuple[str, str]]:
    """normalised header text → (kind, key): ('list', key) or ('block', SETTINGS_HEADERS key)."""
    kinds: dict[str, tuple[str, str]] = {}
    for key, names in SETTINGS_HEADERS.items():
        for n in names:
            kinds.setdefault(norm_header(n), ("block", key))
    for li in schema.lists:
        for n in (li.zh, li.en, li.key):
            kinds.setdefault(norm_header(n), ("list", li.key))
    return kinds


def read_settings(rows: Sequence[Sequence[Any]], sheet: str | None,
                  schema: Schema = SCHEMA) -> tuple[Settings, list[Notice]]:
    """Settings from the rows of 代码表 (``rows[0]`` is Excel row 1); ``sheet=None``: no 代码表."""
    st = Settings.defaults(schema)
    if sheet is None:
        return st, [Notice("R-NO-SETTINGS", L("未找到“代码表”工作表，下拉列表、行业代码和阈值均使用默认值",
                                              "No 代码表 (settings) sheet; default lists, industry codes and "
                                              "thresholds are used"), None, None, "info")]
    kinds = _header_kinds(schema)
    best, best_row = 0, -1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = sum(1 for v in row if norm_header(parse.clean_text(v)) in kinds)
        if score > best:
            best, best_row = score, i
    if best_row < 0:
        return st, [Notice("R-SETTINGS-LAYOUT", L(f"“{sheet}”中没有找到列表、行业代码或设置项的表头，全部使用默认值",
                                                  f"No list, industry or settings headers in '{sheet}'; "
                                                  "defaults are used"), sheet, "A1", "warning")]
    header_row = best_row + 1
    body = rows[best_row + 1:]
    notices: list[Notice] = []
    blocks: dict[str, int] = {}
    for ci, v in enumerate(rows[best_row]):
        text = parse.clean_text(v)
        if not text:
            continue
        kind = kinds.get(norm_header(text))
        if kind is None:
            st.lists[text] = _column_values(body, ci)
            st.from_workbook.add(f"list:{text}")
        elif kind[0] == "block":
            blocks.setdefault(kind[1], ci)
        elif kind[1] == "industry" and "industry_name" in blocks:
            continue
        else:
            values = _column_values(body, ci)
            spec = schema.list(kind[1])
            if not values and spec.values:
                notices.append(Notice("R-SETTINGS-EMPTY-LIST", L(f"列表“{spec.zh}”是空的，下拉框将没有选项",
                                                                 f"List '{spec.en}' is empty; its dropdown has no "
                                                                 "choices"), sheet, cell_ref(header_row, ci + 1)))
            st.lists[kind[1]] = values
            st.from_workbook.add(f"list:{kind[1]}")
    if "industry_name" in blocks:
        _read_industries(st, body, blocks, sheet, header_row, notices)
    if "map_text" in blocks and "map_target" in blocks:
        st.header_pins = _read_pins(body, blocks, sheet, header_row, notices, schema)
    if "setting_key" in blocks and "setting_value" in blocks:
        _read_values(st, body, blocks, sheet, header_row, notices, schema)
    else:
        notices.append(Notice("R-SETTINGS-MISSING", L(f"“{sheet}”中没有“设置项/值”区域，阈值使用默认值",
                                                      f"No Key/Value block in '{sheet}'; default thresholds are used"),
                              sheet, None, "info"))
    return st, notices


def _column_values(body: Sequence[Sequence[Any]], ci: int) -> list[str]:
    out = []
    for row in body:
        if ci < len(row):
            t = parse.clean_text(row[ci])
            if t:
                out.append(t)
    return out


def _read_industries(st: Settings, body: Sequence[Sequence[Any]], blocks: dict[str, int], sheet: str,
                     header_row: int, notices: list[Notice]) -> None:
    name_col = blocks["industry_name"]
    code_col = blocks.get("industry_code", name_col + 1)
    codes: dict[str, str] = {}
    for i, row in enumerate(body):
        name = parse.clean_text(row[name_col]) if name_col < len(row) else None
        if not name:
            continue
        code = parse.clean_text(row[code_col]) if code_col < len(row) else None
        r = header_row + 1 + i
        if not code:
            notices.append(Notice("R-SETTINGS-NO-CODE", L(f"行业“{name}”没有行业代码", f"Industry '{name}' has no code"),
                                  sheet, cell_ref(r, code_col + 1)))
            continue
        if code in codes.values():
            notices.append(Notice("R-SETTINGS-DUP-CODE", L(f"行业代码“{code}”被多个行业使用",
                                                           f"Industry code '{code}' is used twice"),
                                  sheet, cell_ref(r, code_col + 1)))
        codes[name] = code.upper()
    st.industry_codes = codes
    st.lists["industry"] = list(codes)
    st.from_workbook.add("list:industry")


def _read_pins(body: Sequence[Sequence[Any]], blocks: dict[str, int], sheet: str, header_row: int,
               notices: list[Notice], schema: Schema) -> list[HeaderPin]:
    """The header-mapping rows: header text → column (key, Chinese or English name, or 忽略), an
    optional unit (元, 万元 …) and sheet. A row naming no column, or a unit that is not one, is
    reported with its cell and not used (the reader never guesses)."""
    def cell(row: Sequence[Any], key: str) -> str | None:
        ci = blocks.get(key)
        return parse.clean_text(row[ci]) if ci is not None and ci < len(row) else None

    pins: list[HeaderPin] = []
    for i, row in enumerate(body):
        r = header_row + 1 + i
        text, target = cell(row, "map_text"), cell(row, "map_target")
        if not text:
            continue
        where = cell_ref(r, blocks["map_text"] + 1)
        if not target:
            notices.append(Notice("R-PIN-NO-TARGET", L(f"表头映射“{text}”没有填写对应列，未使用",
                                                       f"Header mapping '{text}' names no column; not used"),
                                  sheet, cell_ref(r, blocks["map_target"] + 1), "warning"))
            continue
        unit = cell(row, "map_unit")
        pin = HeaderPin(text, target, unit, cell(row, "map_sheet"), where)
        if unit and unit_word(unit) is None:
            notices.append(Notice("R-PIN-BAD-UNIT", L(f"表头映射“{text}”的单位“{unit}”无法识别（可填 元、千元、万元、%），未使用",
                                                      f"Header mapping '{text}': unit '{unit}' is not understood (元, "
                                                      "千元, 万元, %); not used"), sheet,
                                  cell_ref(r, blocks["map_unit"] + 1), "error"))
            continue
        if not pin.ignores and not any(pin_target(s, pin) for s in schema.data_sheets):
            notices.append(Notice("R-PIN-BAD-TARGET", L(f"表头映射“{text}”的对应列“{target}”不是任何数据表的列，未使用",
                                                        f"Header mapping '{text}': '{target}' is not a column of any "
                                                        "data sheet; not used"), sheet,
                                  cell_ref(r, blocks["map_target"] + 1), "error"))
            continue
        pins.append(pin)
    return pins


def _percent(raw: Any) -> tuple[Any, bool]:
    """A percentage setting typed as 30, '30%' or 0.3 (a cell formatted as percent stores 0.3):
    (value in percent points, read from a fraction)."""
    n, unit = parse.parse_quantity(raw)
    if n is not None and unit is None and 0 < abs(n) < 1:
        return n * 100, True
    return (n, False) if unit == PERCENT else (raw, False)


def _read_values(st: Settings, body: Sequence[Sequence[Any]], blocks: dict[str, int], sheet: str,
                 header_row: int, notices: list[Notice], schema: Schema) -> None:
    key_col, val_col = blocks["setting_key"], blocks["setting_value"]
    known = {s.key: s for s in schema.settings}
    for i, row in enumerate(body):
        key = parse.clean_text(row[key_col]) if key_col < len(row) else None
        if not key:
            continue
        raw = row[val_col] if val_col < len(row) else None
        r = header_row + 1 + i
        cell = cell_ref(r, val_col + 1)
        spec = known.get(key)
        if spec is None:
            st.values[key] = parse.clean_text(raw)
            st.cells[key] = cell
            st.from_workbook.add(key)
            continue
        st.cells[key] = cell
        if is_empty(raw):
            notices.append(Notice("R-SETTINGS-EMPTY", L(f"设置项“{spec.zh}”（{key}）没有填写值，使用默认值 {spec.default}",
                                                        f"Setting '{spec.en}' ({key}) is empty; default "
                                                        f"{spec.default} is used"), sheet, cell, "info"))
            continue
        fraction = False
        if spec.unit == PERCENT:
            raw, fraction = _percent(raw)
        value = coerce(raw, spec.default, spec.choices)
        if fraction and value is not None:
            notices.append(Notice("R-SETTINGS-PERCENT", L(f"设置项“{spec.zh}”的值是小数，按百分比 {value:g}% 读取",
                                                          f"Setting '{spec.en}' holds a fraction; read as {value:g}%"),
                                  sheet, cell, "info"))
        if value is None:
            notices.append(Notice("R-SETTINGS-BAD-VALUE",
                                  L(f"设置项“{spec.zh}”（{key}）的值“{parse.clean_text(raw)}”无效，"
                                    f"应为{_kind(spec.default, spec.choices).zh}；使用默认值 {spec.default}",
                                    f"Setting '{spec.en}' ({key}) has an invalid value '{parse.clean_text(raw)}', "
                                    f"expected {_kind(spec.default, spec.choices).en}; default {spec.default} is used"),
                                  sheet, cell, "error"))
            continue
        st.values[key] = value
        st.from_workbook.add(key)


def coerce(raw: Any, default: Any, choices: Sequence[str] = ()) -> Any:
    """``raw`` typed like ``default`` (bool, int, float, str), or None when it does not fit."""
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        t = (parse.clean_text(raw) or "").lower()
        return True if t in _TRUE else False if t in _FALSE else None
    if isinstance(default, int | float):
        if isinstance(raw, bool):
            return None
        f = parse.parse_number(raw)
        if f is None:
            return None
        if isinstance(default, int):
            return int(f) if float(f).is_integer() else None
        return f
    text = parse.clean_text(raw)
    if choices and text not in choices:
        return None
    return text


def _kind(default: Any, choices: Sequence[str]) -> L:
    """What a setting's value must be, in words."""
    if choices:
        return L("以下之一：" + "、".join(choices), "one of " + ", ".join(choices))
    if isinstance(default, bool):
        return L("是或否", "yes or no")
    if isinstance(default, int):
        return L("整数", "a whole number")
    return L("数字", "a number") if isinstance(default, float) else L("文字", "text")
