"""Across sheets: every contact-log and complaint row points at an existing customer, by ID, or by
exact name when the ID is empty."""

from __future__ import annotations

import pandas as pd

from ...i18n import L
from ...model import Finding, SheetData
from .duplicates import customer_keys, name_key
from .registry import Ctx, rule, umap

REF_SHEETS = ("contacts", "complaints")


def customer_rows(ctx: Ctx, sheet: SheetData) -> pd.Series:
    """For each row of a log sheet, the Excel row of its customer (float, NaN when it points nowhere):
    by 客户编号, or by exact 客户名称 when the ID is empty. Cached per sheet."""
    key = f"custrow:{sheet.spec.key}"
    if key in ctx.cache:
        return ctx.cache[key]
    cust = ctx.model.sheets.get("customers")
    out = pd.Series(float("nan"), index=sheet.df.index)
    if cust is not None and cust.n_rows:
        ids = umap(cust.df["customer_id"], _norm_id)
        by_id = pd.Series(ids.index, index=ids.values)
        by_id = by_id[by_id.index.notna() & ~by_id.index.duplicated()]
        names = cust.df["name"]
        by_name = pd.Series(names.index, index=names.values)
        by_name = by_name[by_name.index.notna() & ~by_name.index.duplicated()]
        cid = umap(sheet.df["customer_id"], _norm_id)
        out = cid.map(by_id).astype(float)
        no_id = cid.isna()
        out[no_id] = sheet.df.loc[no_id, "customer_name"].map(by_name).astype(float)
    ctx.cache[key] = out
    return out


def _norm_id(v: object) -> str | None:
    return str(v).strip().upper() or None


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
            out.append(ctx.finding("XREF_EMPTY", sheet, L("没有填写客户编号或客户名称", "Neither customer ID nor name is filled"),
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
    ckeys = customer_keys(ctx)
    by_key = pd.Series(ckeys.index, index=ckeys.values)
    by_key = by_key[by_key.index.notna() & ~by_key.index.duplicated()]
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        rows = customer_rows(ctx, sheet)
        cid, cname = sheet.df["customer_id"], sheet.df["customer_name"]
        lost = rows.isna() & (cid.notna() | cname.notna())
        if not lost.any():
            continue
        guess = name_key(cname[lost]).map(by_key)
        for row in sheet.df.index[lost]:
            g = guess.at[row]
            gname = cust.df.at[int(g), "name"] if pd.notna(g) else None
            gid = cust.df.at[int(g), "customer_id"] if pd.notna(g) else None
            if pd.notna(cid.at[row]):
                col, v = "customer_id", cid.at[row]
                msg = L(f"客户编号“{v}”在客户基本信息表中不存在", f"Customer ID '{v}' is not on the customer sheet")
            else:
                col, v = "customer_name", cname.at[row]
                msg = L(f"客户“{v}”在客户基本信息表中找不到（名称须与档案完全一致）",
                        f"Customer '{v}' is not on the customer sheet (the name must match exactly)")
            if gname and gid:
                hint = L(f"应为“{gname}”，客户编号 {gid}", f"Probably '{gname}', customer ID {gid}")
            elif gname:
                hint = L(f"应为“{gname}”（该客户尚未编号，可运行 wbt ids）", f"Probably '{gname}' (no ID yet; run wbt ids)")
            else:
                hint = L("核对编号或名称；新客户请先在客户基本信息表建档", "Check the ID or name; enter new customers on the "
                         "customer sheet first")
            out.append(ctx.finding("XREF_CUSTOMER", sheet, msg, row=int(row), column=col, value=v, hint=hint))
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
            out.append(ctx.finding("XREF_BY_NAME", sheet, L(f"本行只填了客户名称“{name}”，没有客户编号",
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
    ckeys = customer_keys(ctx)
    for key in REF_SHEETS:
        sheet = ctx.model.sheets.get(key)
        if sheet is None or sheet.n_rows == 0:
            continue
        rows = customer_rows(ctx, sheet)
        both = rows.notna() & sheet.df["customer_id"].notna() & sheet.df["customer_name"].notna()
        if not both.any():
            continue
        exact = rows[both].astype(int).map(cust.df["name"]) == sheet.df.loc[both, "customer_name"]
        cand = exact.index[~exact]
        if not len(cand):
            continue
        mine = name_key(sheet.df.loc[cand, "customer_name"])
        theirs = rows[cand].astype(int).map(ckeys)
        diff = mine.notna() & theirs.notna() & (mine != theirs)
        for row in diff.index[diff].tolist():
            cr = int(rows.at[row])
            cid, cn = cust.df.at[cr, "customer_id"], cust.df.at[cr, "name"]
            v = sheet.df.at[row, "customer_name"]
            out.append(ctx.finding("XREF_NAME_MISMATCH", sheet, L(f"客户编号 {cid} 对应“{cn}”，但本行客户名称是“{v}”",
                                                                  f"Customer ID {cid} is '{cn}', but this row says '{v}'"),
                                   row=int(row), column="customer_name", value=v,
                                   hint=L("核对哪一个是对的，改正编号或名称", "Check which is right and fix the ID or the name")))
    return out
