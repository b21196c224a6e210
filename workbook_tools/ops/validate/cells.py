"""Cell rules: required values, list values, dates, phones, e-mails, amounts, ratings, text length,
full customer names and customer-ID format. Vectorised: pandas finds the offending rows, and only
those rows are turned into findings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from ...i18n import L
from ...model import Finding, SheetData
from ...reader.headermap import doubt_rows
from ...schema import Column, CType
from ...schema.units import WAN
from ...values import EMPTY_MARKS
from ..matching import list_value as read_as
from ..ratings import bounds, rating_masks
from .registry import Ctx, rule, show, umap
from .suggest import suggest

DATE_TYPES = (CType.DATE, CType.DATETIME, CType.YEAR_OR_DATE)
NUMBER_TYPES = (CType.AMOUNT, CType.INTEGER, CType.RATING)
NOT_IN_FUTURE_EXEMPT = {"due", "next_follow"}   # 截止时间 and the computed next follow-up are plans




def columns_of(ctx: Ctx, *types: CType, computed: bool = False) -> Iterator[tuple[SheetData, Column]]:
    """(sheet, column) for every column of these types present in a sheet with rows."""
    for sheet in ctx.model.sheets.values():
        if sheet.n_rows == 0:
            continue
        for col in sheet.spec.columns:
            if col.type in types and col.key in sheet.columns and (computed or not col.computed):
                yield sheet, col


def _is_mark(raw: pd.Series, where: pd.Series | None = None) -> pd.Series:
    """'-', '无' … (stand for 'none'), evaluated only on the rows of ``where`` (default: all)."""
    out = pd.Series(False, index=raw.index)
    sub = raw[where] if where is not None else raw.dropna()
    if len(sub):
        out[sub.index] = [isinstance(v, str) and v.strip().lower() in EMPTY_MARKS for v in sub.tolist()]
    return out


def _unparsed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """Cells holding something that did not parse and is not a 'none' mark such as '-'."""
    cand = raw.notna() & parsed.isna()
    if cand.any():
        cand &= ~_is_mark(raw, cand)
    return cand


@rule("REQ_VALUE", "error", "cells", ("必填项为空", "Required value missing"),
      ("客户名称、联系人、联系方式（客户表），沟通时间（沟通记录），投诉时间（投诉登记）不能为空。",
       "Customer name, contact and phone (customers), contact date (log) and received time (complaints) "
       "must be filled."))
def req_value(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        if sheet.n_rows == 0:
            continue
        for col in sheet.spec.required:
            if col.key not in sheet.columns:
                continue
            raw, parsed = sheet.raw[col.key], sheet.df[col.key]
            empty = raw.isna()
            if col.type in DATE_TYPES or col.type in NUMBER_TYPES:
                bad = empty | _is_mark(raw, ~empty & parsed.isna())
            else:
                bad = empty | parsed.isna() | parsed.isin(EMPTY_MARKS)
            for row in raw.index[bad]:
                out.append(ctx.finding(sheet, L(f"必填项“{col.zh}”为空", f"Required '{col.en}' ({col.zh}) is empty"),
                                       row=int(row), column=col.key, value=raw.at[row],
                                       hint=L(f"请填写{col.zh}" + (f"：{col.help_zh}" if col.help_zh else ""),
                                              f"Fill in {col.en}" + (f": {col.help_en}" if col.help_en else ""))))
    return out


def _off_list(ctx: Ctx) -> Iterator[tuple[SheetData, Column, int, str, str | None, list[str]]]:
    """(sheet, column, row, value, the value of the list every operation reads it as or None, the
    list) of each dropdown cell whose value is not written as in its list."""
    lists = ctx.model.settings.lists
    for sheet, col in columns_of(ctx, CType.LIST):
        allowed = lists.get(col.list or "", [])
        if not allowed:
            continue
        s = sheet.df[col.key]
        bad = s.notna() & ~s.isin(allowed)
        for row in s.index[bad]:
            v = s.at[row]
            meant = read_as(col.list or "", v, ctx.model.settings)
            yield sheet, col, int(row), v, meant if meant in allowed else None, allowed


@rule("LIST_VALUE", "error", "cells", ("不是下拉列表中的值", "Not a value of the list"),
      ("下拉列的值必须是代码表中该列表的值；各项操作都无法识别它，相近的写法会给出建议值。",
       "A dropdown column must hold a value of its list in 代码表; no operation can read this one; near "
       "misses get a suggestion."))
def list_value(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet, col, row, v, meant, allowed in _off_list(ctx):
        if meant is not None:
            continue  # read as a list value: LIST_SYNONYM
        best = suggest(v, col.list or "", allowed)
        shown = " / ".join(allowed[:8]) + (" …" if len(allowed) > 8 else "")
        hint = (L(f"请改为“{best}”", f"Change it to '{best}'") if best else
                L(f"请从下拉列表中选择：{shown}", f"Pick one of the list: {shown}"))
        out.append(ctx.finding(sheet, L(f"{col.zh}“{v}”不在下拉列表中", f"{col.en} '{v}' is not a value "
                               "of the list"), row=row, column=col.key, value=sheet.raw.at[row, col.key], hint=hint))
    return out


@rule("LIST_SYNONYM", "info", "cells", ("下拉列表值的另一种写法", "Another wording of a list value"),
      ("下拉列的值是列表值的另一种写法（如“B级”“高价值客户”“合作 中”）：各项操作都按该列表值读取，结果不受影响；"
       "改为列表值可保持下拉列表整洁。",
       "A dropdown column holds another wording of a list value (B级, 高价值客户): every operation reads it as "
       "that value and no result changes; write the list value to keep the dropdown clean."))
def list_synonym(ctx: Ctx) -> list[Finding]:
    return [ctx.finding(sheet, L(f"{col.zh}“{v}”按“{meant}”读取", f"{col.en} '{v}' is read as '{meant}'"),
                        row=row, column=col.key, value=sheet.raw.at[row, col.key],
                        hint=L(f"改为“{meant}”可保持下拉列表整洁", f"Write '{meant}' to keep the dropdown clean"))
            for sheet, col, row, v, meant, _ in _off_list(ctx) if meant is not None]


_DATE_HINT = L("请按 YYYY-MM-DD 填写真实的日期，如 2024-03-05", "Enter a real date as YYYY-MM-DD, e.g. 2024-03-05")


@rule("DATE_INVALID", "error", "cells", ("日期无效", "Invalid date"),
      ("日期列中的值不是有效日期（如“2023年13月5日”“下周”），或是被当作日期的小数字。",
       "A date column holds something that is not a valid date (2023年13月5日, 'next week', a small number)."))
def date_invalid(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet, col in columns_of(ctx, *DATE_TYPES):
        raw, parsed = sheet.raw[col.key], sheet.df[col.key]
        unparsed = _unparsed(raw, parsed)
        floor = pd.Timestamp(1800 if col.type == CType.YEAR_OR_DATE else 1950, 1, 1)
        too_old = parsed.notna() & (parsed < floor)
        for row in raw.index[unparsed | too_old]:
            v = raw.at[row]
            out.append(ctx.finding(sheet, L(f"{col.zh}“{show(v)}”不是有效日期", f"{col.en} '{show(v)}' is not "
                                   "a valid date"), row=int(row), column=col.key, value=v, hint=_DATE_HINT))
    return out


@rule("DATE_FUTURE", "error", "cells", ("日期晚于基准日", "Date in the future"),
      ("已发生的事（接触、合作、沟通、投诉、解决）的日期不能晚于基准日（--as-of，默认今天）；截止时间除外。",
       "Dates of things that happened cannot be after the as-of date (--as-of, default today); due dates excepted."))
def date_future(ctx: Ctx) -> list[Finding]:
    out = []
    limit = ctx.end_of_as_of
    for sheet, col in columns_of(ctx, *DATE_TYPES):
        if col.key in NOT_IN_FUTURE_EXEMPT:
            continue
        s = sheet.df[col.key]
        for row in s.index[s.notna() & (s >= limit)]:
            d = s.at[row]
            out.append(ctx.finding(sheet, L(f"{col.zh} {d:%Y-%m-%d} 晚于基准日 {ctx.as_of}",
                                                           f"{col.en} {d:%Y-%m-%d} is after the as-of date {ctx.as_of}"),
                                   row=int(row), column=col.key, value=sheet.raw.at[row, col.key],
                                   hint=L("请核对年份和月份；未发生的计划请写在“下一步行动”和“截止时间”",
                                          "Check the year and month; plans go in next action and due date")))
    return out


@rule("DATE_AS_TEXT", "warning", "cells", ("日期存成了文本", "Date stored as text"),
      ("日期以文本形式保存（如“2024/3/5”），Excel 无法按它排序、筛选和计算；提示中给出规范写法。",
       "A date is stored as text (e.g. '2024/3/5'); Excel cannot sort, filter or compute with it; the hint "
       "gives the normalised date."))
def date_as_text(ctx: Ctx) -> list[Finding]:
    return _as_text(ctx, DATE_TYPES)


@rule("NUM_AS_TEXT", "warning", "cells", ("数字存成了文本", "Number stored as text"),
      ("金额、满意度等数字以文本形式保存（如“12”），Excel 无法求和和计算。",
       "An amount or rating is stored as text; Excel cannot add it up."))
def num_as_text(ctx: Ctx) -> list[Finding]:
    return _as_text(ctx, NUMBER_TYPES)


def _as_text(ctx: Ctx, types: tuple[CType, ...]) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        for row, key in sorted(sheet.text_typed):
            col = sheet.spec.column(key)
            if col.computed or col.type not in types or row not in sheet.df.index:
                continue
            raw, parsed = sheet.raw.at[row, key], sheet.df.at[row, key]
            if pd.isna(parsed):
                continue
            if col.type == CType.YEAR_OR_DATE and re.fullmatch(r"\s*\d{4}\s*年?\s*", str(raw)):
                continue  # a year typed as text is what 成立时间 allows
            if col.type in DATE_TYPES:
                norm = parsed.strftime("%Y-%m-%d %H:%M" if col.type == CType.DATETIME and (parsed.hour or parsed.minute)
                                       else "%Y-%m-%d")
                what = L("日期", "date")
            else:
                norm = show(float(parsed))
                what = L("数字", "number")
            out.append(ctx.finding(sheet, L(f"{col.zh}“{raw}”是文本，不是{what.zh}",
                                                  f"{col.en} '{raw}' is text, not a {what.en}"),
                                   row=row, column=key, value=raw,
                                   hint=L(f"请改为{what.zh}格式：{norm}", f"Enter it as a {what.en}: {norm}")))
    return out


@rule("AMOUNT", "error", "cells", ("金额无效", "Invalid amount"),
      ("金额列（单位：万元）必须是不小于0的数字，不要带单位或文字。",
       "Amount columns (in 万元) hold numbers >= 0, without units or words."))
def amount(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet, col in columns_of(ctx, CType.AMOUNT):
        raw, s = sheet.raw[col.key], sheet.df[col.key]
        nan = _unparsed(raw, s)
        neg = s.notna() & (s < (col.min_value if col.min_value is not None else 0))
        for row in s.index[nan | neg]:
            v = raw.at[row]
            if pd.isna(s.at[row]):
                msg = L(f"{col.zh}“{show(v)}”不是数字", f"{col.en} '{show(v)}' is not a number")
                hint = _amount_hint(v)
            else:
                msg = L(f"{col.zh}为负数（{show(v)}）", f"{col.en} is negative ({show(v)})")
                hint = L("金额不能为负；退款或冲销请在备注说明", "Amounts cannot be negative; explain refunds in remarks")
            out.append(ctx.finding(sheet, msg, row=int(row), column=col.key, value=v, hint=hint))
    return out


def _amount_hint(v: object) -> L:
    text = str(v).replace(",", "").replace("，", "").strip()
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*(万元|万|元)", text)
    if m:
        n = float(m.group(1)) / (10000 if m.group(2) == "元" else 1)
        return L(f"只填数字，单位是万元：应填 {n:g}", f"Numbers only, in 万元: enter {n:g}")
    return L("只填数字，单位是万元，如 12.5 表示12.5万元", "Numbers only, in 万元: 12.5 means 125,000 CNY")


@rule("AMOUNT_YUAN", "warning", "cells", ("金额疑似按元填写", "Amount looks typed in yuan"),
      ("按万元读取的金额列（表头写万元或未写单位）中，达到代码表“疑似按元填写的金额”的值多半是按元填的；"
       "这样的列在改正前不用于计算等级和复盘（写入前会被拦下）。表头写明“元”的列按元读取并换算，不在此列。",
       "In an amount column read in 万元 (its header says 万元 or states no unit), a value at or above the 'amount "
       "that looks typed in yuan' setting was probably typed in yuan; until fixed, the column is not used for tiers "
       "or the review (writes are refused). A column whose header says 元 is read in 元 and converted."),
      settings=("amount_yuan_suspect",))
def amount_yuan(ctx: Ctx) -> list[Finding]:
    out = []
    limit = ctx.num("amount_yuan_suspect")
    for sheet, col in columns_of(ctx, CType.AMOUNT):
        s = sheet.df[col.key]
        for row in doubt_rows(s, sheet.units.get(col.key, WAN), limit):
            v = float(s.at[row])
            out.append(ctx.finding(sheet, L(f"{col.zh} {v:g} 万元，金额异常大，可能是按元填写的",
                                                           f"{col.en} {v:g} (10k CNY) is very large; probably typed in yuan"),
                                   row=int(row), column=col.key, value=sheet.raw.at[row, col.key],
                                   hint=L(f"单位是万元：{v:g} 元应填 {v / 10000:g}", f"The unit is 万元: {v:g} yuan is {v / 10000:g}")))
    return out


@rule("RATING", "error", "cells", ("满意度超出范围", "Rating out of range"),
      ("满意度填1到5的整数。不符合的值不计入任何平均值和风险规则（复盘中注明剔除了几个）。",
       "Satisfaction is a whole number from 1 to 5. Other values enter no average and no risk rule (the review "
       "says how many were left out)."))
def rating(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet, col in columns_of(ctx, CType.RATING):
        raw = sheet.raw[col.key]
        lo, hi = bounds(col)
        _, bad = rating_masks(raw, sheet.df[col.key], col)
        for row in raw.index[bad]:
            v = raw.at[row]
            out.append(ctx.finding(sheet, L(f"{col.zh}“{show(v)}”不在 {lo:g}–{hi:g} 分之间",
                                                      f"{col.en} '{show(v)}' is not between {lo:g} and {hi:g}"),
                                   row=int(row), column=col.key, value=v,
                                   hint=L(f"请填写 {lo:g} 到 {hi:g} 的整数", f"Enter a whole number from {lo:g} to {hi:g}")))
    return out


@rule("TEXT_LONG", "warning", "cells", ("文字过长", "Text too long"),
      ("关键需求不超过代码表“需求描述最大字数”（默认200字），其他长文本列按模板的上限。",
       "Key needs stay within the 'longest demand text' setting (200 characters); other long-text columns within "
       "the template's limit."), settings=("text_max_len",))
def text_long(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet, col in columns_of(ctx, CType.LONGTEXT):
        limit = int(ctx.num("text_max_len")) if col.key == "needs" else (col.max_len or int(ctx.num("text_max_len")))
        s = sheet.df[col.key]
        n = umap(s, len)
        for row in s.index[n.notna() & (n.fillna(0).astype(int) > limit)]:
            out.append(ctx.finding(sheet, L(f"{col.zh}有 {int(n.at[row])} 字，超过 {limit} 字上限",
                                                         f"{col.en} has {int(n.at[row])} characters, over the {limit} limit"),
                                   row=int(row), column=col.key, value=_clip(s.at[row]),
                                   hint=L("请精简为要点；详细内容可写在沟通记录里", "Keep the key points; details belong in the "
                                          "contact log")))
    return out


def _clip(v: str, n: int = 60) -> str:
    return v if len(v) <= n else v[:n] + "…"
