"""Across sheets: every contact-log and complaint row points at an existing customer, by ID, or by
name when the ID is empty. Rows are linked exactly as every other step links them
(:mod:`workbook_tools.ops.links`, names compared by ``matching.name_key``), so a row this check
accepts is the row ``wbt ids`` fills and ``wbt tiers`` counts, and the other way round."""

from __future__ import annotations

import pandas as pd

from ...i18n import L
from ...model import Finding, SheetData
from ..links import customer_index, owners
from ..matching import name_key
from .duplicates import company_key_of, company_keys, customer_keys
from .registry import Ctx, rule, umap

REF_SHEETS = ("contacts", "complaints")


def customer_rows(ctx: Ctx, sheet: SheetData) -> pd.Series:
    """For each row of a log sheet, the Excel row of its customer (float, NaN when it points nowhere),
    by the shared matching rule (``ops.links.owners``; of several customers sharing an ID, the first).
    Cached per sheet."""
    key = f"custrow:{sheet.spec.key}"
    if key in ctx.cache:
        return ctx.cache[key]
    cust = ctx.model.sheets.get("customers")
    out = pd.Series(float("nan"), index=sheet.df.index)
    if cust is not None and cust.n_rows and sheet.n_rows:
        first = owners(ctx.model, sheet.spec.key).first
        out = pd.Series(first, index=sheet.df.index, dtype="float64").where(first >= 0)
    ctx.cache[key] = out
    return out


@rule("XREF_EMPTY", "error", "xref", ("没有指明客户", "No customer given"),
      ("沟通记录和投诉登记的每一行都要填客户编号或客户名称。",
       "Every contact-log and complaint row names its customer by ID or name."))
def xref_empty(ctx: Ctx) -> list[Finding]:
    out = []
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        empty = sheet.df["customer_id"].isna() & sheet.df["customer_name"].isna()
        col = "customer_id" if "customer_id" in sheet.columns else "customer_name"
        for row in sheet.df.index[empty]:
            out.append(ctx.finding(sheet, L("没有填写客户编号或客户名称", "Neither customer ID nor name is filled"),
                                   row=int(row), column=col,
                                   hint=L("填写客户编号（或客户全称，工具可按名称补编号）",
                                          "Enter the customer ID (or the full name; the tool can fill the ID)")))
    return out


@rule("XREF_CUSTOMER", "error", "xref", ("找不到对应客户", "Customer not found"),
      ("客户编号在客户基本信息表中不存在；或编号为空且客户名称与任何客户都不完全一致。提示中给出最接近的客户及编号。",
       "The customer ID is not on the customer sheet, or the ID is empty and the name matches no customer "
       "exactly. The hint names the closest customer and its ID."))
def xref_customer(ctx: Ctx) -> list[Finding]:
    out = []
    cust = ctx.model.sheets.get("customers")
    if cust is None:
        return out
    ckeys = company_keys(ctx)
    by_key = pd.Series(ckeys.index, index=ckeys.values)
    by_key = by_key[by_key.index.notna() & ~by_key.index.duplicated()]
    by_name = customer_index(ctx.model).by_name
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        rows = customer_rows(ctx, sheet)
        cid, cname = sheet.df["customer_id"], sheet.df["customer_name"]
        lost = rows.isna() & (cid.notna() | cname.notna())
        if not lost.any():
            continue
        guess = company_key_of(cname[lost]).map(by_key)
        for row in sheet.df.index[lost]:
            g = guess.at[row]
            gname = cust.df.at[int(g), "name"] if pd.notna(g) else None
            gid = cust.df.at[int(g), "customer_id"] if pd.notna(g) else None
            same = by_name.get(name_key(cname.at[row]), []) if pd.isna(cid.at[row]) else []
            if pd.notna(cid.at[row]):
                col, v = "customer_id", cid.at[row]
                msg = L(f"客户编号“{v}”在客户基本信息表中不存在", f"Customer ID '{v}' is not on the customer sheet")
            elif len(same) > 1:
                col, v = "customer_name", cname.at[row]
                rows_text = "、".join(str(r) for r in same)
                out.append(ctx.finding(sheet, L(
                    f"客户名称“{v}”对应多个客户（第 {rows_text} 行），无法确定是哪一个",
                    f"Customer name '{v}' matches several customers (rows {rows_text}); which one is unclear"),
                    row=int(row), column=col, value=v,
                    hint=L("填写客户编号；并按一户一档合并重复的客户", "Enter the customer ID, and merge the duplicate "
                           "customers (one customer, one record)")))
                continue
            else:
                col, v = "customer_name", cname.at[row]
                msg = L(f"客户“{v}”在客户基本信息表中找不到（名称须与档案一致，空格、标点和全角/半角不计）",
                        f"Customer '{v}' is not on the customer sheet (the name must match; spaces, punctuation "
                        "and full/half width aside)")
            if gname and gid:
                hint = L(f"应为“{gname}”，客户编号 {gid}", f"Probably '{gname}', customer ID {gid}")
            elif gname:
                hint = L(f"应为“{gname}”（该客户尚未编号，可运行 wbt ids）", f"Probably '{gname}' (no ID yet; run wbt ids)")
            else:
                hint = L("核对编号或名称；新客户请先在客户基本信息表建档", "Check the ID or name; enter new customers on the "
                         "customer sheet first")
            out.append(ctx.finding(sheet, msg, row=int(row), column=col, value=v, hint=hint))
    return out


@rule("XREF_BY_NAME", "info", "xref", ("只按名称关联客户", "Customer linked by name only"),
      ("行中没有客户编号，按客户名称找到了客户；提示中给出应填的编号。",
       "The row has no customer ID but its name matches a customer; the hint gives the ID to fill in."))
def xref_by_name(ctx: Ctx) -> list[Finding]:
    out = []
    cust = ctx.model.sheets.get("customers")
    if cust is None:
        return out
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0 or "customer_id" not in sheet.columns:
            continue
        rows = customer_rows(ctx, sheet)
        hit = rows.notna() & sheet.df["customer_id"].isna()
        cids = rows[hit].astype(int).map(cust.df["customer_id"]).tolist()
        names = sheet.df.loc[hit, "customer_name"].tolist()
        for row, cid, name in zip(sheet.df.index[hit].tolist(), cids, names):
            hint = (L(f"客户编号为 {cid}；运行 wbt ids 可自动补上", f"The customer ID is {cid}; wbt ids fills it in")
                    if isinstance(cid, str) else
                    L("该客户尚未编号；运行 wbt ids 先给客户编号", "The customer has no ID yet; run wbt ids"))
            out.append(ctx.finding(sheet, L(f"本行只填了客户名称“{name}”，没有客户编号",
                                                            "This row names the customer but has no customer ID"),
                                   row=row, column="customer_id", value=None, hint=hint))
    return out


@rule("XREF_NAME_MISMATCH", "warning", "xref", ("编号与名称不一致", "ID and name disagree"),
      ("行中的客户编号与客户名称指向不同的客户（名称按一户一档的规则统一后比较）。",
       "The row's customer ID and customer name belong to different customers (names compared after "
       "normalising)."))
def xref_name_mismatch(ctx: Ctx) -> list[Finding]:
    out = []
    cust = ctx.model.sheets.get("customers")
    if cust is None:
        return out
    ckeys = company_keys(ctx)
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        rows = customer_rows(ctx, sheet)
        both = rows.notna() & sheet.df["customer_id"].notna() & sheet.df["customer_name"].notna()
        if not both.any():
            continue
        exact = rows[both].astype(int).map(customer_keys(ctx)) == umap(sheet.df.loc[both, "customer_name"], name_key)
        cand = exact.index[~exact]
        if not len(cand):
            continue
        mine = company_key_of(sheet.df.loc[cand, "customer_name"])
        theirs = rows[cand].astype(int).map(ckeys)
        diff = mine.notna() & theirs.notna() & (mine != theirs)
        for row in diff.index[diff].tolist():
            cr = int(rows.at[row])
            cid, cn = cust.df.at[cr, "customer_id"], cust.df.at[cr, "name"]
            v = sheet.df.at[row, "customer_name"]
            out.append(ctx.finding(sheet, L(f"客户编号 {cid} 对应“{cn}”，但本行客户名称是“{v}”",
                                                                  f"Customer ID {cid} is '{cn}', but this row says '{v}'"),
                                   row=int(row), column="customer_name", value=v,
                                   hint=L("核对哪一个是对的，改正编号或名称", "Check which is right and fix the ID or the name")))
    return out


@rule("XREF_SHARED_ID", "warning", "xref", ("共用编号无法区分客户", "Shared ID, customer unclear"),
      ("几个客户共用同一个客户编号（数据错误），本行的客户名称又无法确定是其中哪一个，本行因此同时计入这几个客户。"
       "名称能确定时只计入那一个客户。",
       "Several customers share this row's customer ID (a data error) and the row's name does not tell which one "
       "it is, so the row counts for all of them. When the name decides, the row counts for that customer only."))
def xref_shared_id(ctx: Ctx) -> list[Finding]:
    out = []
    cust = ctx.model.sheets.get("customers")
    if cust is None or cust.n_rows == 0:
        return out
    by_id = customer_index(ctx.model).by_id
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        for cid, positions in owners(ctx.model, key).undecided.items():
            shared = "、".join(str(r) for r in by_id[cid])
            for row in sheet.df.index[positions].tolist():
                name = sheet.df.at[row, "customer_name"]
                what = (L("本行没有客户名称", "the row has no customer name") if pd.isna(name) else
                        L(f"客户名称“{name}”不是其中任何一个（或同时是几个）",
                          f"its name '{name}' is none of them (or several)"))
                out.append(ctx.finding(sheet, L(
                    f"客户编号 {cid} 由客户基本信息第 {shared} 行共用，{what.zh}，本行已同时计入这些客户",
                    f"Customer ID {cid} is shared by customer rows {shared} and {what.en}; the row counts for all "
                    "of them"), row=int(row), column="customer_id", value=sheet.raw.at[row, "customer_id"],
                    hint=L("给重复的客户重新编号（清空后运行 wbt ids），并在本行填写客户全称",
                           "Give the duplicate customer a new ID (clear it and run wbt ids) and enter the full name here")))
    return out
