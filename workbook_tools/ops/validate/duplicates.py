"""One customer, one record (一户一档): duplicate IDs, names (after normalising) and phones."""

from __future__ import annotations

import re

import pandas as pd

from ...i18n import L
from ...model import Finding
from .registry import Ctx, rule

# Company-form suffixes dropped before comparing names (longest first).
COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "责任公司", "股份公司", "公司", "co.,ltd.", "co.,ltd",
                 "co.ltd", "coltd", "ltd.", "ltd", "inc.", "inc", "limited", "corp.", "corp", "llc")
_REGION_IN_BRACKETS = re.compile(r"[(（\[【]\s*(中国|china|集团|总部)\s*[)）\]】]", re.IGNORECASE)
_PUNCT = re.compile(r"[\s\u3000·.,，。、_\-—/（）()\[\]【】\"'“”‘’]+")
_SUFFIX = re.compile("(?:" + "|".join(re.escape(_PUNCT.sub("", f)) for f in COMPANY_FORMS) + ")+$")


def name_key(names: pd.Series) -> pd.Series:
    """Normalised customer names: NFKC (full-/half-width), lower case, （中国） and brackets, spaces,
    punctuation and company-form suffixes (有限公司 / 有限责任公司 / 股份有限公司 …) removed."""
    s = names.astype(object).where(names.notna(), None)
    s = s.map(lambda v: v if isinstance(v, str) else (None if v is None else str(v)), na_action="ignore")
    s = s.str.normalize("NFKC").str.lower()
    s = s.str.replace(_REGION_IN_BRACKETS, "", regex=True).str.replace(_PUNCT, "", regex=True)
    s = s.str.replace(_SUFFIX, "", regex=True)
    return s.where(s.str.len() > 0, None)


def _first_rows(keys: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(is a later duplicate, row of the first occurrence) for every row with a key."""
    k = keys.dropna()
    dup = k.duplicated(keep="first")
    first = pd.Series(k.index, index=k.index).groupby(k.values).transform("min")
    return dup, first


@rule("DUP_ID", "error", "duplicates", ("客户编号重复", "Duplicate customer ID"),
      ("同一个客户编号出现在多行；第一次出现的行不报，后面的每一行都报出并指向第一行。",
       "The same customer ID on several rows; every row after the first is reported, pointing at the first."))
def dup_id(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "customer_id" not in sheet.columns:
        return []
    ids = sheet.df["customer_id"].str.strip().str.upper()
    dup, first = _first_rows(ids)
    out = []
    for row in dup.index[dup]:
        f = int(first.at[row])
        v = sheet.df.at[row, "customer_id"]
        out.append(ctx.finding("DUP_ID", sheet, L(f"客户编号“{v}”与第 {f} 行重复", f"Customer ID '{v}' repeats row {f}"),
                               row=int(row), column="customer_id", value=v,
                               hint=L(f"一户一档：若是同一客户请与第 {f} 行合并；若是不同客户，清空本格后运行 wbt ids 重新编号",
                                      f"One customer, one record: merge with row {f} if it is the same customer; "
                                      "otherwise clear this cell and run wbt ids")))
    return out


@rule("DUP_NAME", "error", "duplicates", ("客户名称重复", "Duplicate customer name"),
      ("统一全角/半角、空格、括号并去掉“有限公司”“有限责任公司”“（中国）”等后缀后，客户名称相同即视为重复建档。",
       "Names equal after normalising full-/half-width characters, spaces, brackets and company-form "
       "suffixes are the same customer entered twice."))
def dup_name(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "name" not in sheet.columns:
        return []
    keys = name_key(sheet.df["name"])
    dup, first = _first_rows(keys)
    out = []
    for row in dup.index[dup]:
        f = int(first.at[row])
        v, other = sheet.df.at[row, "name"], sheet.df.at[f, "name"]
        same = v == other
        msg = (L(f"客户名称“{v}”与第 {f} 行重复", f"Customer name '{v}' repeats row {f}") if same else
               L(f"客户名称“{v}”与第 {f} 行“{other}”实为同一家", f"Customer name '{v}' is the same company as row {f} "
                 f"'{other}'"))
        out.append(ctx.finding("DUP_NAME", sheet, msg, row=int(row), column="name", value=v,
                               hint=L(f"一户一档：请把本行并入第 {f} 行（沟通记录改指向同一编号）后删除本行",
                                      f"One customer, one record: merge this row into row {f} and delete it")))
    return out


@rule("DUP_PHONE", "error", "duplicates", ("不同客户的联系方式相同", "Same phone on different customers"),
      ("同一个电话号码出现在名称不同的客户上，多半是重复建档或填错了号码（打码的号码不比较）。",
       "One phone number on differently named customers: a duplicate record or a wrong number (masked numbers "
       "are not compared)."))
def dup_phone(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "phone" not in sheet.columns:
        return []
    phones = sheet.df["phone"]
    phones = phones.where(phones.notna() & ~phones.str.contains("*", regex=False, na=False) & (phones.str.len() >= 7))
    names = name_key(sheet.df["name"]).fillna("")
    frame = pd.DataFrame({"p": phones, "n": names}).dropna(subset=["p"])
    # one row per (phone, customer name): rows of the same name are DUP_NAME's business
    firsts = frame[~frame.duplicated(["p", "n"], keep="first")]
    dup, first = _first_rows(firsts["p"])
    out = []
    for row in dup.index[dup]:
        f = int(first.at[row])
        v = sheet.raw.at[row, "phone"]
        out.append(ctx.finding("DUP_PHONE", sheet, L(f"联系方式“{sheet.df.at[row, 'phone']}”与第 {f} 行客户“{sheet.df.at[f, 'name']}”相同",
                                                     f"Phone '{sheet.df.at[row, 'phone']}' is also on row {f} "
                                                     f"('{sheet.df.at[f, 'name']}')"),
                               row=int(row), column="phone", value=v,
                               hint=L(f"核对号码；若与第 {f} 行是同一客户，请合并为一条记录",
                                      f"Check the number; if it is the same customer as row {f}, merge the records")))
    return out
