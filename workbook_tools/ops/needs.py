"""What each action that writes needs from the workbook, and the gate that checks it first.

A number that reaches the workbook or a report comes from a column the tool is sure of, in a unit
it is sure of. Before an action writes anything (``ids``, ``tiers``, ``review``, ``month-end``,
``validate --annotate``, ``import``; the CLI, month-end and the Excel buttons alike) :func:`check`
looks at every sheet and column the action reads (declared once, in :data:`NEEDS`):

* a sheet the action cannot do without is missing → refused; a sheet it only reads when present
  is missing while the workbook has other, unread sheets → refused (one of them may be it);
* a header that two columns could be (ambiguous) and one of them is needed → refused;
* a needed column is not found: refused when the action cannot do without it, or when a header
  the reader could not place could be it (by its text or its values);
* an amount column whose unit is unknown, or a 万元 column holding values at or above the
  ``amount_yuan_suspect`` setting (most likely typed in 元) → refused.

A refusal is a :class:`WriteRefused` (exit code 2, nothing written) whose message names the sheet,
the header found, what it could be, and the 代码表 header-mapping row that fixes it. Pure: no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import WbtError
from ..i18n import L
from ..model import SheetData, WorkbookModel
from ..reader.candidates import could_be, likely, pin_row, samples_text
from ..reader.headermap import RANK, doubt_rows
from ..reader.notices import unit_problem
from ..schema import SCHEMA, CType, norm_header
from ..schema.headers import HeaderMatch, shown
from ..schema.units import WAN
from .ids import year_sources
from .rule_columns import RISK_CUSTOMERS, RISK_LOG

ESSENTIAL, USED = "essential", "used"
_LINK = (("customer_id", "customer_name"),)     # a log row finds its customer by ID or by name
_CUSTOMER_KEYS = ("customer_id", "name")        # … that is, by these columns of the customer sheet
_COMPUTED = tuple(c.key for c in SCHEMA.sheet("customers").computed_columns)   # written by tiers, read by the review


@dataclass(frozen=True)
class SheetNeed:
    """What an action reads from one data sheet. ``level``: ESSENTIAL (the action cannot run
    without the sheet) or USED (read when present). ``essential`` columns must be found when the
    sheet is there; ``used`` columns are read when present; ``any_of``: at least one of each group."""

    sheet: str
    level: str
    essential: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    units: bool = True      # derives numbers from amounts: their unit must be certain

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.essential, *self.used, *(k for group in self.any_of for k in group))


NEEDS: dict[str, tuple[SheetNeed, ...]] = {
    "ids": (
        SheetNeed("customers", ESSENTIAL, essential=("name", "industry"),
                  used=("customer_id", "first_contact", "first_coop")),
        SheetNeed("contacts", USED, any_of=_LINK),
        SheetNeed("complaints", USED, any_of=_LINK),
    ),
    "tiers": (
        SheetNeed("customers", ESSENTIAL,
                  used=(*_CUSTOMER_KEYS, "amount_annual", "first_contact", "satisfaction", "term", "stage", "customer_type",
                        "follow_grade", "tier_confirmed", *RISK_CUSTOMERS, *_COMPUTED)),
        SheetNeed("contacts", ESSENTIAL, essential=("contact_date",), used=RISK_LOG, any_of=_LINK),
        SheetNeed("complaints", USED, essential=("received_at",), used=("status",), any_of=_LINK),
    ),
    # marking cells derives no number: a unit doubt is one of the findings it marks, not a reason to stop
    "annotate": tuple(SheetNeed(s.key, ESSENTIAL if s.key == "customers" else USED,
                                used=tuple(c.key for c in s.input_columns), units=False) for s in SCHEMA.data_sheets),
}


def _review_needs() -> tuple[SheetNeed, ...]:
    """The review's gate, from what the review itself declares it reads (ops.review.kpis.review_reads)."""
    from .review.kpis import review_reads  # here: the review's modules import this one

    def sheet(key: str, level: str, essential: tuple[str, ...], any_of: tuple[tuple[str, ...], ...] = ()) -> SheetNeed:
        taken = {*essential, *(k for group in any_of for k in group)}
        return SheetNeed(key, level, essential=essential, used=tuple(k for k in review_reads(key) if k not in taken),
                         any_of=any_of)

    return (sheet("customers", ESSENTIAL, ("name",)), sheet("contacts", USED, ("contact_date",), _LINK),
            sheet("complaints", USED, ("received_at",), _LINK))


NEEDS["review"] = _review_needs()
NEEDS["month_end"] = (*NEEDS["ids"], *NEEDS["tiers"], *NEEDS["review"])
WRITING_ACTIONS = ("ids", "tiers", "review", "annotate", "month_end", "import")


@dataclass
class Problem:
    """One reason to refuse: where, what, and the 代码表 rows (tab-separated) that would fix it."""

    sheet: str
    message: L
    cell: str | None = None
    pins: list[str] = field(default_factory=list)
    fix: L | None = None

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message.get(lang),
                "fix": self.fix.get(lang) if self.fix else None, "pins": list(self.pins)}


class WriteRefused(WbtError):
    """The action would derive numbers from columns the tool is not sure of: nothing was written."""

    def __init__(self, action: str, problems: list[Problem], *, has_settings: bool = True) -> None:
        self.action, self.problems = action, problems
        zh = [f"“{_ACTION_ZH.get(action, action)}”未执行，没有写入任何内容：以下列无法确定"]
        en = [f"'{action}' was not run and nothing was written: these columns are not certain"]
        for p in problems:
            where = f"{p.sheet}!{p.cell}" if p.cell else p.sheet
            zh.append(f"  · [{where}] {p.message.zh}" + (f" {p.fix.zh}" if p.fix else ""))
            en.append(f"  · [{where}] {p.message.en}" + (f" {p.fix.en}" if p.fix else ""))
        rows = list(dict.fromkeys(r for p in problems for r in p.pins))
        hint = None
        if rows:
            block = "\n".join("    " + r for r in rows)
            paste = paste_instruction(has_settings)
            hint = L(paste.zh + "，然后重新运行：\n" + block, paste.en + ", then run again:\n" + block)
        super().__init__(L("\n".join(zh), "\n".join(en)), hint=hint)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {"refused": self.action, "problems": [p.to_dict(lang) for p in self.problems]}


_ACTION_ZH = {"ids": "生成客户编号", "tiers": "计算等级与跟进", "review": "生成月度复盘", "annotate": "标注问题单元格",
              "month_end": "月末一键处理", "import": "导入"}


def paste_instruction(has_settings: bool) -> L:
    """Where header-mapping rows go; a workbook without 代码表 is told how to get one first."""
    block = L("表头映射区（表头文字 | 对应列 | 表头单位 | 所在工作表）", "header-mapping block (Header text | Maps to | "
              "Header unit | On sheet)")
    if has_settings:
        return L(f"在“代码表”的{block.zh}粘贴以下行", f"Paste these rows into the {block.en} of 代码表")
    return L("本工作簿没有“代码表”工作表，表头映射写在那里：先用 `wbt template -o 主表.xlsx` 生成主表，在 Excel 中把它的"
             f"“代码表”复制到本工作簿（右键工作表标签 → 移动或复制 → 建立副本），再在其{block.zh}粘贴以下行",
             "This workbook has no 代码表 sheet, where header mappings live: make a master with `wbt template -o "
             "master.xlsx`, copy its 代码表 sheet into this workbook in Excel (right-click the sheet tab → Move or "
             f"Copy → Create a copy), and paste these rows into its {block.en}")


def has_settings_sheet(model: WorkbookModel) -> bool:
    return not any(n.code == "R-NO-SETTINGS" for n in model.notices)


def check(model: WorkbookModel, *actions: str, needs: Sequence[SheetNeed] = ()) -> None:
    """Raise :class:`WriteRefused` when the ``actions`` (keys of :data:`NEEDS`; ``needs`` adds more)
    may not write on this model. Call it right after reading, before planning or writing."""
    found = problems(model, *actions, needs=needs)
    if found:
        raise WriteRefused(actions[0] if actions else "import", found, has_settings=has_settings_sheet(model))


def problems(model: WorkbookModel, *actions: str, needs: Sequence[SheetNeed] = ()) -> list[Problem]:
    """Every reason the ``actions`` may not write (empty: go ahead)."""
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    every = [*(n for a in actions for n in NEEDS[a]), *_setting_needs(model, actions), *needs]
    unit_cols = {(n.sheet, k) for n in every if n.units for k in n.columns}
    for need in _merged(every):
        sheet = model.sheets.get(need.sheet)
        if sheet is None:
            out += _sheet_problems(model, need)
            continue
        for m in sheet.ambiguous:
            if set(m.candidates) & set(need.columns) and ("amb", m.text) not in seen:
                seen.add(("amb", m.text))
                out.append(_ambiguous(model, sheet, m))
        for key in need.columns:
            if key in sheet.columns and (need.sheet, key) in unit_cols:
                out += _unit_problems(model, sheet, key)
            if key in sheet.columns:
                out += _tied(sheet, key)
        for key in need.essential:
            if key not in sheet.columns and not _claimed(sheet, key):
                out.append(_missing(model, sheet, key))
        for group in need.any_of:
            if not any(k in sheet.columns for k in group) and not any(_claimed(sheet, k) for k in group):
                out.append(_missing(model, sheet, group[0], group=group))
        for key in need.used:   # read when present: refused only when a header plausibly is it
            if key not in sheet.columns and not _claimed(sheet, key) and \
                    could_be(sheet, key, model.settings.lists, any_content=False):
                out.append(_missing(model, sheet, key))
    return _dedupe(out)


def _setting_needs(model: WorkbookModel, actions: Sequence[str]) -> list[SheetNeed]:
    """Columns a 代码表 setting makes an action read: the dates the ID year comes from (id_year_source)."""
    if not {"ids", "month_end"} & set(actions):
        return []
    keys, _ = year_sources(model.settings.get("id_year_source"))
    return [SheetNeed("customers", ESSENTIAL, used=tuple(k for k in keys if k != "as_of"))]


def _merged(needs: Iterable[SheetNeed]) -> list[SheetNeed]:
    """One need per sheet: the strictest level, every column."""
    by: dict[str, SheetNeed] = {}
    for n in needs:
        cur = by.get(n.sheet)
        if cur is None:
            by[n.sheet] = n
            continue
        essential = tuple(dict.fromkeys((*cur.essential, *n.essential)))
        used = tuple(k for k in dict.fromkeys((*cur.used, *n.used)) if k not in essential)
        by[n.sheet] = SheetNeed(n.sheet, ESSENTIAL if ESSENTIAL in (cur.level, n.level) else USED, essential, used,
                                tuple(dict.fromkeys((*cur.any_of, *n.any_of))))
    return list(by.values())


def _claimed(sheet: SheetData, key: str) -> bool:
    """Is the column behind an ambiguous header (already reported as such)?"""
    return any(key in m.candidates for m in sheet.ambiguous)


def _dedupe(items: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for p in items:
        k = (p.sheet, p.cell, p.message.en)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def _zh(sheet: SheetData, key: str) -> str:
    return sheet.spec.column(key).zh


def _sheet_problems(model: WorkbookModel, need: SheetNeed) -> list[Problem]:
    spec = SCHEMA.sheet(need.sheet)
    unread = model.unplaced.get(need.sheet, [])
    if need.level == USED and not unread:
        return []
    named = [n for n in unread if norm_header(n) in spec.name_keys()]
    if named:   # the sheet is there by name, but no header row of it could be read
        return [Problem(named[0], L(f"工作表“{named[0]}”的前 30 行中没有可识别的表头行，未读取。",
                                    f"No recognisable header row in the first 30 rows of '{named[0]}'; not read."),
                        fix=L("用 wbt inspect 查看，并在代码表的表头映射区登记它的表头。",
                              "See wbt inspect, and register its headers in the 代码表 header mapping."))]
    maybe_zh = "；".join(f"工作表“{n}”可能就是它" for n in unread)
    maybe_en = "; ".join(f"sheet '{n}' may be it" for n in unread)
    if need.sheet == "customers" and "customers" not in model.sheets:
        msg = L(f"这不是客户关系工作簿，或其客户表无法识别：找不到工作表“{spec.zh}”" + (f"（{maybe_zh}）" if unread else ""),
                f"This is not a CRM workbook, or its customer sheet cannot be recognised: no sheet '{spec.zh}' "
                f"({spec.en})" + (f" ({maybe_en})" if unread else ""))
    else:
        msg = L(f"找不到工作表“{spec.zh}”" + (f"（{maybe_zh}）" if unread else ""),
                f"Sheet '{spec.zh}' ({spec.en}) was not found" + (f" ({maybe_en})" if unread else ""))
    return [Problem(spec.zh, msg, fix=L(f"把该表改名为“{spec.zh}”，或让它的表头至少有三列可识别（wbt inspect 查看）",
                                        f"Rename the sheet to '{spec.zh}', or give it at least three recognisable "
                                        "headers (see wbt inspect)"))]


def _ambiguous(model: WorkbookModel, sheet: SheetData, m: HeaderMatch) -> Problem:
    ranked = likely(sheet, m, model.settings.lists)
    names_zh = " 或 ".join(f"“{_zh(sheet, k)}”" for k in ranked)
    names_en = " or ".join(f"'{sheet.spec.column(k).en}'" for k in ranked)
    vals = samples_text(sheet.samples.get(m.index, []))
    seen_zh = f"（值如 {vals}）" if vals else "（该列没有值）"
    seen_en = f" (values such as {vals})" if vals else " (the column is empty)"
    return Problem(sheet.name, L(f"表头“{shown(m.text)}”可能是 {names_zh}{seen_zh}，无法确定。",
                                 f"Header '{shown(m.text)}' could be {names_en}{seen_en}; it cannot be told."),
                   cell=f"{_letter(m.index)}{sheet.header_row}",
                   pins=[pin_row(sheet.name, m.text, _zh(sheet, ranked[0]))] if ranked else [],
                   fix=L("请用代码表的表头映射指定它是哪一列" + (f"（另一选择：{_zh(sheet, ranked[1])}）" if len(ranked) > 1 else "") + "。",
                         "Say which column it is in the 代码表 header mapping" +
                         (f" (the other choice: {_zh(sheet, ranked[1])})" if len(ranked) > 1 else "") + "."))


def _tied(sheet: SheetData, key: str) -> list[Problem]:
    """Two headers matched to ``key`` equally surely (e.g. 年度金额 and 年采购额, both synonyms): the
    reader keeps the first, but which one the team means cannot be told."""
    read = next((m for m in sheet.matches if m.key == key and m.how != "duplicate"), None)
    if read is None:
        return []
    tied = [m for m in sheet.matches if m.key == key and m.how == "duplicate" and RANK.get(m.was, 9) == RANK.get(read.how, 9)]
    if not tied:
        return []
    col, row = sheet.spec.column(key), sheet.header_row
    heads_zh = "、".join(f"“{shown(m.text)}”（{_letter(m.index)}{row}）" for m in (read, *tied))
    heads_en = ", ".join(f"'{shown(m.text)}' ({_letter(m.index)}{row})" for m in (read, *tied))
    same = any(norm_header(m.text) == norm_header(read.text) for m in tied)
    return [Problem(sheet.name, L(f"表头 {heads_zh} 都像“{col.zh}”列，无法确定读哪一列。",
                                  f"Headers {heads_en} all look like the '{col.en}' column; which one to read cannot be "
                                  "told."),
                    cell=f"{_letter(read.index)}{row}",
                    pins=[] if same else [pin_row(sheet.name, m.text, "忽略") for m in tied],
                    fix=L("把不该读的那一列的表头改名" + ("" if same else "，或在代码表的表头映射把它映射为“忽略”") + "。",
                          "Rename the header of the column not to read" + ("" if same else ", or map it to 忽略 in "
                                                                         "the 代码表 header mapping") + "."))]


def _missing(model: WorkbookModel, sheet: SheetData, key: str, group: tuple[str, ...] = ()) -> Problem:
    col = sheet.spec.column(key)
    keys = group or (key,)
    names_zh = "”或“".join(_zh(sheet, k) for k in keys)
    names_en = "' or '".join(sheet.spec.column(k).en for k in keys)
    cands = [m for k in keys for m in could_be(sheet, k, model.settings.lists)]
    if cands:
        heads_zh = "、".join(f"“{shown(m.text)}”（{_letter(m.index)}{sheet.header_row}）" for m in cands)
        heads_en = ", ".join(f"'{shown(m.text)}' ({_letter(m.index)}{sheet.header_row})" for m in cands)
        return Problem(sheet.name, L(f"没有识别出“{names_zh}”列；表头 {heads_zh} 可能就是它。",
                                     f"No '{names_en}' column was recognised; header {heads_en} may be it."),
                       cell=f"{_letter(cands[0].index)}{sheet.header_row}",
                       pins=[pin_row(sheet.name, m.text, col.zh) for m in cands[:1]],
                       fix=L("若是，请用代码表的表头映射指定；若不是，映射为“忽略”。",
                             "If it is, pin it in the 代码表 header mapping; if not, pin it as 忽略 (ignore)."))
    return Problem(sheet.name, L(f"缺少“{names_zh}”列，无法计算。", f"The '{names_en}' column is missing; it is needed."),
                   fix=L(f"在表头行添加“{col.zh}”列，或用代码表的表头映射指定现有的列。",
                         f"Add a column headed '{col.zh}', or pin an existing header to it in 代码表."))


def _unit_problems(model: WorkbookModel, sheet: SheetData, key: str) -> list[Problem]:
    col = sheet.spec.column(key)
    if col.type != CType.AMOUNT:
        return []
    unit, head, cell = sheet.units.get(key, WAN), shown(sheet.headers[key]), sheet.header_cells[key]
    if unit == "?":
        return [Problem(sheet.name, unit_problem(sheet, key), cell=cell, pins=[pin_row(sheet.name, head, col.zh, "元")],
                        fix=L("用代码表的表头映射写明单位（元、千元或万元）。", "State its unit (元, 千元 or 万元) in the 代码表 "
                              "header mapping."))]
    limit = model.settings.number("amount_yuan_suspect")
    rows = doubt_rows(sheet.df[key], unit, limit)
    if not rows:
        return []
    cells = "、".join(sheet.cell(r, key) or "" for r in rows[:8]) + ("…" if len(rows) > 8 else "")
    filled = int(sheet.df[key].notna().sum())
    whole = len(rows) * 2 >= filled and sheet.unit_from.get(key) == "default"
    zh = f"表头“{head}”" + ("未写单位，按万元读取" if sheet.unit_from.get(key) == "default" else "按万元读取") + \
        f"，但 {cells} 的值达到 {limit:g} 万元以上，像是按元填写。"
    en = f"Header '{head}' is read in 万元" + (" (it states no unit)" if sheet.unit_from.get(key) == "default" else "") + \
        f", but {cells} hold {limit:g} or more, which looks like 元."
    if whole:
        return [Problem(sheet.name, L(zh, en), cell=cell, pins=[pin_row(sheet.name, head, col.zh, "元")],
                        fix=L(f"若整列按元填写，把表头改为“{head}(元)”，或用代码表的表头映射写明单位“元”；"
                              "否则把这些单元格改为万元。",
                              f"If the whole column is in 元, rename the header to '{head}(元)' or state 元 in the "
                              "代码表 header mapping; otherwise correct those cells to 万元."))]
    return [Problem(sheet.name, L(zh, en), cell=sheet.cell(rows[0], key),
                    fix=L("请把这些单元格改为以万元为单位的数（如 120000 元填 12）。",
                          "Correct those cells to 万元 (120000 元 is 12)."))]


def _letter(index: int) -> str:
    from ..model import col_letter

    return col_letter(index)


@dataclass
class Suggestion:
    """A 代码表 header-mapping row ``wbt inspect --suggest`` proposes, and why."""

    sheet: str
    cell: str
    text: str
    target: str
    unit: str
    why: L

    @property
    def row(self) -> str:
        return pin_row(self.sheet, self.text, self.target, self.unit or None)

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {"sheet": self.sheet, "cell": self.cell, "text": self.text, "target": self.target, "unit": self.unit,
                "why": self.why.get(lang), "row": self.row}


def suggest_pins(model: WorkbookModel) -> list[Suggestion]:
    """Rows for the headers the reader could not place: an ambiguous header → its likeliest column;
    an unknown header → the missing column it most likely is (else 忽略, so it stops being a
    question); an amount column whose unit is unknown or whose values look like 元 → its unit."""
    out: list[Suggestion] = []
    lists = model.settings.lists
    for sheet in model.sheets.values():
        for m in sheet.matches:
            cell = f"{_letter(m.index)}{sheet.header_row}"
            vals = samples_text(sheet.samples.get(m.index, []))
            seen = L(f"（值如 {vals}）", f" (values such as {vals})") if vals else L("", "")
            if m.how == "ambiguous":
                ranked = likely(sheet, m, lists)
                others = "、".join(_zh(sheet, k) for k in ranked[1:])
                out.append(Suggestion(sheet.name, cell, m.text, _zh(sheet, ranked[0]), m.unit or "", L(
                    f"可能是 {_zh(sheet, ranked[0])}" + (f" 或 {others}" if others else "") + seen.zh,
                    f"could be {sheet.spec.column(ranked[0]).en}" + (f" or {others}" if others else "") + seen.en)))
            elif m.how == "unknown":
                ranked = likely(sheet, m, lists)
                if ranked:
                    out.append(Suggestion(sheet.name, cell, m.text, _zh(sheet, ranked[0]), m.unit or "", L(
                        f"最可能是缺少的“{_zh(sheet, ranked[0])}”列{seen.zh}",
                        f"most likely the missing '{sheet.spec.column(ranked[0]).en}' column{seen.en}")))
                else:
                    out.append(Suggestion(sheet.name, cell, m.text, "忽略", "", L(
                        f"不像任何缺少的列，映射为“忽略”后不再提示{seen.zh}",
                        f"looks like none of the missing columns; 忽略 (ignore) stops the question{seen.en}")))
        for key in sheet.units:
            for p in _unit_problems(model, sheet, key):
                if p.pins:
                    col = sheet.spec.column(key)
                    out.append(Suggestion(sheet.name, sheet.header_cells[key], sheet.headers[key], col.zh, "元",
                                          p.message))
    return out


# -- formulas without a saved result ----------------------------------------------------------------
