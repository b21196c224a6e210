"""One customer, one record (一户一档): duplicate IDs, names (after normalising) and phones.

Names are compared with the one name normalisation every rule uses (``matching.name_key``: NFKC,
case, spaces and punctuation), and, for duplicates only, with the company-form suffixes and a
（中国）-like bracket dropped as well (:func:`company_key`): "云启科技" and "云启科技有限公司" are
probably the same company typed twice, which a person should look at, but a log row naming
"云启科技" is not linked to "云启科技有限公司" automatically.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from ...i18n import L
from ...model import Finding
from ..matching import name_key
from .registry import Ctx, rule, umap

# Company-form suffixes dropped before comparing names (as name keys: no punctuation, lower case).
COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "责任公司", "股份公司", "公司", "co.,ltd.", "co.,ltd",
                 "co.ltd", "coltd", "ltd.", "ltd", "inc.", "inc", "limited", "corp.", "corp", "llc")
_REGION_IN_BRACKETS = re.compile(r"[(（\[【]\s*(中国|china|集团|总部)\s*[)）\]】]", re.IGNORECASE)
_ODD = re.compile(r"\s|[(（\[【]")
_SUFFIX = re.compile("(?:" + "|".join(sorted({re.escape(name_key(f)) for f in COMPANY_FORMS}, key=len, reverse=True))
                     + ")+$")


def company_key(name: object) -> str | None:
    """The name key (``matching.name_key``) without （中国）-like brackets and company-form suffixes
    (有限公司 / 有限责任公司 / 股份有限公司 / Co., Ltd. …): two names with the same company key are
    probably one company entered twice."""
    if not isinstance(name, str):
        return None
    k = name_key(_REGION_IN_BRACKETS.sub("", unicodedata.normalize("NFKC", name)))
    return _SUFFIX.sub("", k) or None


def company_key_of(names: pd.Series) -> pd.Series:
    """:func:`company_key` per name, computed once per distinct name (log sheets repeat names)."""
    return umap(names, company_key)


def customer_keys(ctx: Ctx) -> pd.Series:
    """Name keys of the customer sheet (computed once per run): the names as every rule matches them."""
    if "cust_names" not in ctx.cache:
        ctx.cache["cust_names"] = umap(ctx.model.sheets["customers"].df["name"], lambda v: name_key(v) or None)
    return ctx.cache["cust_names"]


def company_keys(ctx: Ctx) -> pd.Series:
    """Company keys of the customer sheet (computed once per run)."""
    if "cust_keys" not in ctx.cache:
        ctx.cache["cust_keys"] = company_key_of(ctx.model.sheets["customers"].df["name"])
    return ctx.cache["cust_keys"]


def dup_groups(keys: pd.Series, suspect: pd.Series | None = None) -> list[tuple[int, list[int]]]:
    """(row to report, the other rows of its group) for every group of equal keys.

    The first row of a group is taken as the record and the later ones as the copies, unless
    ``suspect`` tells them apart: when it marks some but not all rows (an ID that does not fit its own
    row, a name typed with stray spaces or brackets …), those are reported, plus every later row of
    the unmarked rest."""
    k = keys.dropna()
    k = k[k.duplicated(keep=False)]
    out: list[tuple[int, list[int]]] = []
    for _, grp in k.groupby(k.values, sort=False):
        rows = sorted(int(r) for r in grp.index)
        flagged = rows[1:]
        if suspect is not None:
            sus = [r for r in rows if bool(suspect.get(r, False))]
            rest = [r for r in rows if r not in sus]
            if sus and rest:
                flagged = sorted(sus + rest[1:])
        for r in flagged:
            out.append((r, [o for o in rows if o != r]))
    out.sort()
    return out


def _rows_text(rows: list[int]) -> str:
    return "、".join(str(r) for r in rows[:5]) + (" …" if len(rows) > 5 else "")


@rule("DUP_ID", "error", "duplicates", ("客户编号重复", "Duplicate customer ID"),
      ("同一个客户编号出现在多行。与本行年份或行业不符的编号被视为抄错的那一个；分不出时第一行视为原档，报出后面的行。",
       "The same customer ID on several rows. An ID that does not fit its own row's year or industry is taken "
       "as the copy; otherwise the first row is the record and the later rows are reported."))
def dup_id(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "customer_id" not in sheet.columns:
        return []
    df = sheet.df
    ids = df["customer_id"].str.strip().str.upper()
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return []
    parts = ids.str.extract(r"^(\d{4})-([A-Z]+)-\d+$")
    code = df["industry"].map(ctx.model.settings.industry_codes)
    year = pd.to_numeric(parts[0], errors="coerce")
    suspect = (code.notna() & (parts[1] != code)) | (df["first_contact"].notna() & (year != df["first_contact"].dt.year))
    out = []
    for row, others in dup_groups(ids, suspect.fillna(False)):
        v = df.at[row, "customer_id"]
        o = _rows_text(others)
        out.append(ctx.finding(sheet, L(f"客户编号“{v}”与第 {o} 行重复", f"Customer ID '{v}' also on row {o}"),
                               row=row, column="customer_id", value=v,
                               hint=L(f"一户一档：若与第 {o} 行是同一客户请合并；若是不同客户，清空本格后运行 wbt ids 重新编号",
                                      f"One customer, one record: merge with row {o} if it is the same customer; "
                                      "otherwise clear this cell and run wbt ids")))
    return out


@rule("DUP_NAME", "error", "duplicates", ("客户名称重复", "Duplicate customer name"),
      ("统一全角/半角、空格、括号并去掉“有限公司”“有限责任公司”“（中国）”等后缀后，客户名称相同即视为重复建档。"
       "写法不规范（多余空格、全角字符、括号）的那一个被视为重复的一行；分不出时第一行视为原档，报出后面的行。",
       "Names equal after normalising full-/half-width characters, spaces, brackets and company-form "
       "suffixes are the same customer entered twice. The irregular spelling is taken as the copy; otherwise "
       "the first row is the record and the later rows are reported."))
def dup_name(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "name" not in sheet.columns:
        return []
    keys = company_keys(ctx)
    raw = sheet.raw["name"].astype(object)
    irregular = raw.map(lambda v: isinstance(v, str) and (unicodedata.normalize("NFKC", v) != v or bool(_ODD.search(v))),
                        na_action="ignore").fillna(False).astype(bool)
    out = []
    for row, others in dup_groups(keys, irregular):
        v = sheet.df.at[row, "name"]
        other = sheet.df.at[others[0], "name"]
        o = _rows_text(others)
        msg = (L(f"客户名称“{v}”与第 {o} 行重复", f"Customer name '{v}' also on row {o}") if v == other else
               L(f"客户名称“{v}”与第 {o} 行“{other}”实为同一家", f"Customer name '{v}' is the same company as row {o} "
                 f"'{other}'"))
        out.append(ctx.finding(sheet, msg, row=row, column="name", value=sheet.raw.at[row, "name"],
                               hint=L(f"一户一档：与第 {o} 行合并为一条记录（沟通记录指向同一编号），删除多余的一行",
                                      f"One customer, one record: merge with row {o} and delete the extra row")))
    return out


@rule("DUP_PHONE", "error", "duplicates", ("不同客户的联系方式相同", "Same phone on different customers"),
      ("同一个电话号码出现在名称不同的客户上，多半是重复建档或填错了号码；报出后出现的行，并指向先出现的行（打码的号码不比较）。",
       "One phone number on differently named customers: a duplicate record or a wrong number; the later rows "
       "are reported, naming the earlier one (masked numbers are not compared)."))
def dup_phone(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "phone" not in sheet.columns:
        return []
    phones = sheet.df["phone"]
    phones = phones.where(phones.notna() & ~phones.str.contains("*", regex=False, na=False) & (phones.str.len() >= 7))
    names = company_keys(ctx).fillna("")
    frame = pd.DataFrame({"p": phones, "n": names}).dropna(subset=["p"])
    # one row per (phone, customer name): rows of the same name are DUP_NAME's business
    firsts = frame[~frame.duplicated(["p", "n"], keep="first")]
    out = []
    for row, others in dup_groups(firsts["p"]):
        p = sheet.df.at[row, "phone"]
        o = _rows_text(others)
        out.append(ctx.finding(sheet, L(f"联系方式“{p}”与第 {o} 行客户“{sheet.df.at[others[0], 'name']}”相同",
                                                     f"Phone '{p}' is also on row {o} ('{sheet.df.at[others[0], 'name']}')"),
                               row=row, column="phone", value=sheet.raw.at[row, "phone"],
                               hint=L(f"核对号码；若与第 {o} 行是同一客户，请合并为一条记录",
                                      f"Check the number; if it is the same customer as row {o}, merge the records")))
    return out
