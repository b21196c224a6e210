"""Customer IDs ``YYYY-CODE-NNN`` (docs/domain.md#customer-ids): fill empty 客户编号 cells, never renumber.

* YYYY: the first date found in the columns named by the setting ``id_year_source``
  (default 初次接触时间, 首次合作时间, 运行日期 = ``as_of``).
* CODE: 代码表's industry → code table (names matched after NFKC / space normalisation and the
  industry list's synonyms). An unknown or empty industry gets ``id_fallback_code`` and a
  warning, or no ID and an error when ``id_unknown_industry`` is 拒绝.
* NNN: one more than the highest number ever used for (year, code): IDs in the customers sheet,
  IDs still referenced by the contact log and complaints, and the 已停用编号 (retired) list.
  Three digits, four (or more) past 999. Sorting: see :func:`id_sort_key`.

Contact-log and complaint rows with an empty 客户编号 whose 客户名称 matches exactly one
customer (names compared by ``matching.name_key``, as every rule compares them) get that
customer's ID. Everything else is reported, never rewritten.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from ..changeset import LOG_CELL, ActionResult, Changeset
from ..i18n import L
from ..model import Finding, Settings, SheetData, WorkbookModel, cell_ref
from ..schema import SCHEMA
from ..values import empty_mask, is_empty, is_empty_mark
from .formulas import formula_finding, formula_rows
from .links import customer_index
from .matching import industry_code, name_key, norm, norm_id, records

ID_RE = re.compile(r"^(\d{4})-([A-Z][A-Z0-9]{0,9})-(\d{3,})$")
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
LOOSE_MAX = 9999  # highest number a mistyped (non-canonical) ID may reserve
_LOOSE_RE = re.compile(r"^(\d{4})\s*[-_－—.]?\s*([A-Z][A-Z0-9]*)\s*[-_－—.]?\s*(\d+)$")
_RUN_DATE = {"运行日期", "运行时间", "当前日期", "今天", "rundate", "today", "asof", "as_of", "run_date"}
_REFUSE = {"拒绝", "refuse", "reject", "否"}


@dataclass(frozen=True)
class CustomerId:
    year: int
    code: str
    number: int

    def __str__(self) -> str:
        return format_id(self.year, self.code, self.number)


def format_id(year: int, code: str, number: int) -> str:
    """2024-IT-001; four digits past 999 (2024-IT-1000)."""
    return f"{year:04d}-{code}-{number:03d}"


def parse_id(value: Any) -> CustomerId | None:
    """A well-formed ID in its canonical spelling (exactly what :func:`format_id` writes), else None."""
    if not isinstance(value, str):
        return None
    m = ID_RE.match(value.strip())
    if not m or value != value.strip():
        return None
    cid = CustomerId(int(m.group(1)), m.group(2), int(m.group(3)))
    return cid if str(cid) == value else None


def parse_id_loose(value: Any) -> CustomerId | None:
    """Read what an ID-like value means even if it is mis-typed ('2024-it-0012', '２０２４－IT－7'),
    so its number counts as used and is never handed out again."""
    try:
        return _loose_cached(value)
    except TypeError:
        return _loose(value)


@lru_cache(maxsize=1 << 16)
def _loose_cached(value: Any) -> CustomerId | None:
    return _loose(value)


def _loose(value: Any) -> CustomerId | None:
    s = norm_id(value)
    if not s:
        return None
    m = _LOOSE_RE.match(s)
    if not m:
        return None
    return CustomerId(int(m.group(1)), m.group(2), int(m.group(3)))


def id_sort_key(value: Any) -> tuple[int, str, int, str]:
    """Sort IDs by year, code, then the sequence as a NUMBER, so 2024-IT-999 comes before
    2024-IT-1000 (a plain text sort puts 1000 right after 100). Unparseable values sort last."""
    cid = parse_id_loose(value)
    if cid is None:
        return (10**6, "", 0, norm_id(value))
    return (cid.year, cid.code, cid.number, "")


def year_sources(setting: Any) -> tuple[list[str], list[str]]:
    """The id_year_source setting as a list of customer column keys and 'as_of';
    second item: entries that name nothing known."""
    spec = SCHEMA.sheet("customers")
    names: dict[str, str] = {}
    for col in spec.columns:
        if col.type.value in ("date", "datetime"):
            for n in (col.zh, col.en, col.key, *col.aliases):
                names[norm(n)] = col.key
    out: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[,，、;；/|>\n]+", str(setting or "")):
        n = norm(part)
        if not n:
            continue
        if n in _RUN_DATE or n.replace(" ", "") in _RUN_DATE:
            key = "as_of"
        else:
            key = names.get(n, "")
        if key:
            if key not in out:
                out.append(key)
        else:
            bad.append(part.strip())
    return out, bad


def run_ids(model: WorkbookModel, *, as_of: dt.date | None = None) -> ActionResult:
    """Plan IDs for customers without one and fill IDs into contact/complaint rows by name."""
    as_of = as_of or dt.date.today()
    result = ActionResult("ids")
    cs = Changeset("ids")
    cust = model.sheet("customers")
    stats: dict[str, Any] = {"assigned": 0, "filled_contacts": 0, "filled_complaints": 0, "malformed": 0,
                             "duplicates": 0, "unknown_industry": 0, "refused": 0, "overflow": 0}
    result.stats = stats
    if cust is None:
        result.findings.append(Finding("ID-NO-SHEET", "error", SCHEMA.sheet("customers").zh,
                                       L("找不到客户基本信息表", "The customers sheet was not found")))
        return result
    f = result.findings
    ids_col_cell = cust.columns.get("customer_id", 0)  # 0: the column is added with the first new ID

    # -- 1. existing IDs: validity, duplicates, numbers used -------------------------------------
    used: dict[tuple[int, str], int] = {}

    def use(value: Any) -> None:
        # a mistyped ID reserves its number too, unless the number is implausible (a date typed
        # as 2024-IT-20240105 must not push every later ID past 20 million)
        cid = parse_id_loose(value)
        if cid is not None and (cid.number <= LOOSE_MAX or parse_id(value) is not None):
            key = (cid.year, cid.code)
            used[key] = max(used.get(key, 0), cid.number)

    retired = model.settings.lists.get("retired_ids", [])
    retired_norm = {norm_id(r) for r in retired}
    for value in retired:
        if parse_id_loose(value) is None and not is_empty(value):
            f.append(Finding("ID-BAD-RETIRED", "warning", _settings_sheet(model), L(
                "已停用编号“{v}”不是 年份-代码-序号 格式，已忽略", "Retired ID '{v}' is not year-code-number; ignored"
            ).format(v=value), value=value))
        use(value)

    raw_ids = dict(zip(cust.raw.index, cust.raw["customer_id"].tolist()))
    seen: dict[str, list[int]] = {}
    bad_rows: set[int] = set()
    for row, value in raw_ids.items():
        if is_empty(value):
            continue
        cell = cust.cell(row, "customer_id")
        cid = parse_id(value)
        loose = parse_id_loose(value)
        use(value)
        if cid is None:
            bad_rows.add(row)
            stats["malformed"] += 1
            hint = L("应为 {s}", "Should be {s}").format(s=loose) if loose else L(
                "格式为 年份-行业代码-序号，如 2024-IT-001", "Format: year-code-number, e.g. 2024-IT-001")
            f.append(Finding("ID-MALFORMED", "error", cust.name, L(
                "客户编号“{v}”格式不正确（工具不会改写已有编号，请手工更正）",
                "Customer ID '{v}' is malformed (existing IDs are never rewritten; fix it by hand)").format(v=value),
                cell, row, "customer_id", value, hint))
        seen.setdefault(norm_id(value), []).append(row)
        if cid is not None and norm_id(value) in retired_norm:
            f.append(Finding("ID-RETIRED-REUSED", "warning", cust.name, L(
                "客户编号 {v} 在已停用编号表中，不应再次使用", "Customer ID {v} is in the retired list and should not be reused"
            ).format(v=value), cell, row, "customer_id", value))
    for rows in seen.values():
        if len(rows) < 2:
            continue
        stats["duplicates"] += len(rows)
        cells = "、".join(cust.cell(r, "customer_id") or str(r) for r in rows)
        for r in rows:
            bad_rows.add(r)
            f.append(Finding("ID-DUPLICATE", "error", cust.name, L(
                "客户编号 {v} 重复出现（{c}），请人工确认哪一行应改号",
                "Customer ID {v} appears more than once ({c}); decide by hand which row gets a new one"
            ).format(v=raw_ids[r], c=cells), cust.cell(r, "customer_id"), r, "customer_id", raw_ids[r]))
    for key in ("contacts", "complaints"):
        sheet = model.sheet(key)
        if sheet is not None:
            for value in set(sheet.raw["customer_id"].tolist()):  # a log repeats each ID many times
                use(value)

    # -- 2. new IDs, in row order -------------------------------------------------------------
    sources, bad_sources = year_sources(model.settings.get("id_year_source"))
    if bad_sources:
        f.append(Finding("ID-BAD-SETTING", "warning", _settings_sheet(model), L(
            "编号年份来源中“{v}”无法识别，已忽略", "ID year source '{v}' is not a known date column; ignored"
        ).format(v="、".join(bad_sources)), model.settings.cells.get("id_year_source")))
    refuse = norm(model.settings.get("id_unknown_industry")) in {norm(x) for x in _REFUSE}
    fallback = norm_id(model.settings.get("id_fallback_code")) or "OT"
    new_ids: dict[int, str] = {}
    todo = cust.df.index[empty_mask(cust.raw["customer_id"].tolist())]
    df, raw = records(cust.df.loc[todo]), records(cust.raw.loc[todo])  # only the rows without an ID
    # a formula without a saved result is a value nobody can see, not an empty cell: no ID from it
    unknown = formula_rows(cust, ("customer_id", "name", "industry", *(k for k in sources if k != "as_of")))
    for row in todo.tolist():
        if row in unknown:
            for key in unknown[row]:
                f.append(formula_finding("ID-FORMULA", cust, row, key, L("该行未生成编号", "no ID assigned to this row")))
            continue
        planned = _plan_one(cust, df[row], raw[row], model.settings, row, sources, as_of, refuse, fallback, f, stats)
        if planned is None:
            continue
        year, code = planned
        if not ids_col_cell:
            ids_col_cell = ensure_column(cust, cs, "customer_id")
        n = used.get((year, code), 0) + 1
        used[(year, code)] = n
        new = format_id(year, code, n)
        if n > 999:
            stats["overflow"] += 1
            if n == 1000:
                f.append(Finding("ID-OVERFLOW", "info", cust.name, L(
                    "{y} 年 {c} 行业的序号超过 999，从 {v} 起使用四位序号；按编号排序请用数值序号（见文档）",
                    "Sequence {y}-{c} passed 999; {v} and later use four digits (sort by the numeric sequence, see docs)"
                ).format(y=year, c=code, v=new), _cell(cust, row, ids_col_cell), row, "customer_id", new))
        new_ids[row] = new
        stats["assigned"] += 1
        cs.edit(cust.name, _cell(cust, row, ids_col_cell), new, old=None, number_format="@", log=LOG_CELL)

    # -- 3. contact-log and complaint rows: fill the ID from a unique customer name ------------
    by_name = customer_index(model).by_name  # names compared as every rule compares them (matching.name_key)
    for key, stat in (("contacts", "filled_contacts"), ("complaints", "filled_complaints")):
        sheet = model.sheet(key)
        if sheet is not None:
            stats[stat] = _fill_by_name(sheet, cust, by_name, new_ids, bad_rows, cs, f)

    result.changeset = cs
    result.summary = L("新编号 {a} 个；沟通记录补编号 {c} 行；投诉补编号 {p} 行",
                       "{a} new IDs; {c} contact rows and {p} complaint rows got an ID").format(
        a=stats["assigned"], c=stats["filled_contacts"], p=stats["filled_complaints"])
    cs.summary = result.summary
    return result


def _plan_one(cust: SheetData, d: dict[str, Any], r: dict[str, Any], settings: Settings, row: int, sources: list[str], as_of: dt.date, refuse: bool,
              fallback: str, f: list[Finding], stats: dict[str, Any]) -> tuple[int, str] | None:
    """(year, code) for a customer row without an ID, or None (with a finding) when it gets none."""
    name = d["name"]
    cell = cust.cell(row, "customer_id") or cust.cell(row, "name")
    if is_empty(name):
        f.append(Finding("ID-NO-NAME", "warning", cust.name, L(
            "第 {r} 行没有客户名称，未生成编号", "Row {r} has no customer name; no ID assigned").format(r=row),
            cust.cell(row, "name"), row, "name"))
        return None
    year: int | None = None
    for key in sources:
        if key == "as_of":
            year = as_of.year
            break
        value = d[key]
        if not pd.isna(value):
            year = int(value.year)
            break
        raw = r[key]
        if not is_empty(raw) and not is_empty_mark(raw):
            col = cust.spec.column(key)
            f.append(Finding("ID-BAD-DATE", "error", cust.name, L(
                "{h}“{v}”不是有效日期，无法确定编号年份，未生成编号",
                "{h} '{v}' is not a valid date, so the ID year is unknown; no ID assigned").format(h=col.zh, v=raw),
                cust.cell(row, key), row, key, raw, L("日期格式为 YYYY-MM-DD", "Dates are YYYY-MM-DD")))
            return None
    if year is None:
        f.append(Finding("ID-NO-YEAR", "error", cust.name, L(
            "没有可用于编号年份的日期，未生成编号", "No date to take the ID year from; no ID assigned"),
            cell, row, "customer_id", hint=L("填写初次接触时间", "Fill in the first-contact date")))
        return None
    industry = r["industry"]
    _, code = industry_code(industry, settings)
    if code is None:
        stats["unknown_industry"] += 1
        what = L("未填所属行业", "No industry") if is_empty(industry) else L(
            "行业“{v}”不在代码表的行业代码中", "Industry '{v}' is not in the industry-code table").format(v=industry)
        if refuse:
            stats["refused"] += 1
            f.append(Finding("ID-UNKNOWN-INDUSTRY", "error", cust.name, L(
                what.zh + "，按设置未生成编号", what.en + "; no ID assigned (as set)"),
                cust.cell(row, "industry") or cell, row, "industry", industry,
                L("在代码表中补充该行业及代码，或改为已有行业", "Add the industry and its code to 代码表, or pick a listed one")))
            return None
        f.append(Finding("ID-UNKNOWN-INDUSTRY", "warning", cust.name, L(
            what.zh + f"，编号使用兜底代码 {fallback}", what.en + f"; the ID uses the catch-all code {fallback}"), cust.cell(row, "industry") or cell, row, "industry", industry))
        code = fallback
    code = norm_id(code)
    if not CODE_RE.match(code):
        f.append(Finding("ID-BAD-CODE", "error", cust.name, L(
            "行业代码“{c}”不能用于编号（只能是大写字母开头的字母和数字，最多10位），未生成编号",
            "Industry code '{c}' cannot be used in IDs (letters and digits starting with a letter, at most 10); "
            "no ID assigned").format(c=code), cust.cell(row, "industry") or cell, row, "industry", industry,
            L("在代码表中改正该行业代码", "Correct the code in 代码表")))
        return None
    return year, code


def _fill_by_name(sheet: SheetData, cust: SheetData, by_name: dict[str, list[int]], new_ids: dict[int, str],
                  bad_rows: set[int], cs: Changeset, f: list[Finding]) -> int:
    filled = 0
    cust_ids = dict(zip(cust.raw.index, cust.raw["customer_id"].tolist()))
    col_cell = sheet.columns.get("customer_id", 0)  # 0: the column is added on the first fill
    todo = sheet.df.index[empty_mask(sheet.raw["customer_id"].tolist())]  # a log is long; most rows have an ID
    unknown = formula_rows(sheet, ("customer_id", "customer_name"))
    for row, name in zip(todo.tolist(), sheet.df.loc[todo, "customer_name"].tolist()):
        if row in unknown:
            for key in unknown[row]:
                f.append(formula_finding("ID-FORMULA", sheet, row, key, L("该行未补编号", "no ID filled in")))
            continue
        n = name_key(name)
        if not n:
            continue
        rows = by_name.get(n, [])
        where = sheet.cell(row, "customer_name")
        if not rows:
            f.append(Finding("ID-NAME-UNKNOWN", "warning", sheet.name, L(
                "客户名称“{v}”在客户基本信息表中找不到，无法补编号",
                "Customer name '{v}' is not in the customers sheet; no ID filled").format(v=name),
                where, row, "customer_name", name))
            continue
        if len(rows) > 1:
            cells = "、".join(cust.cell(r, "name") or str(r) for r in rows)
            f.append(Finding("ID-NAME-AMBIGUOUS", "warning", sheet.name, L(
                "客户名称“{v}”对应多个客户（{c}），请手工填写客户编号",
                "Customer name '{v}' matches several customers ({c}); fill in the ID by hand").format(v=name, c=cells),
                where, row, "customer_name", name))
            continue
        crow = rows[0]
        cid = new_ids.get(crow)
        if cid is None:
            raw = cust_ids[crow]
            if is_empty(raw) or crow in bad_rows:
                f.append(Finding("ID-NAME-NO-ID", "warning", sheet.name, L(
                    "客户“{v}”还没有有效编号（{c}），暂不能补编号",
                    "Customer '{v}' has no valid ID yet ({c}); no ID filled").format(v=name, c=cust.cell(crow, "customer_id")),
                    where, row, "customer_name", name))
                continue
            cid = str(raw)
        if not col_cell:
            col_cell = ensure_column(sheet, cs, "customer_id")
        cs.edit(sheet.name, _cell(sheet, row, col_cell), cid, old=None, number_format="@")
        cs.columns[(sheet.name, col_cell)] = sheet.headers.get("customer_id") or sheet.spec.column("customer_id").zh
        filled += 1
    return filled


def ensure_column(sheet: SheetData, cs: Changeset, key: str) -> int:
    """Column index of ``key``; when the file lacks it, plan its header right of the last header."""
    if key in sheet.columns:
        return sheet.columns[key]
    used = [*sheet.columns.values(), *sheet.unknown_columns.values(), *(m.index for m in sheet.matches)]
    col = max(used, default=0) + 1
    # other planned new headers on this sheet (same changeset) come first
    taken = {e.cell for e in cs.edits if e.sheet == sheet.name}
    while cell_ref(sheet.header_row, col) in taken:
        col += 1
    cs.edit(sheet.name, cell_ref(sheet.header_row, col), sheet.spec.column(key).zh, old=None, style="header_computed",
            log=LOG_CELL)
    return col


def _cell(sheet: SheetData, row: int, col: int) -> str:
    return cell_ref(row, col)


def _settings_sheet(model: WorkbookModel) -> str:
    spec = SCHEMA.sheet("settings")
    names = {norm(n) for n in (spec.zh, spec.en, *spec.aliases)}
    return next((s for s in model.sheet_names if norm(s) in names), spec.zh)
