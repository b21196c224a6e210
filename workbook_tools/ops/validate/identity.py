"""Cell rules on who a customer is and how to reach them: phone numbers, e-mail addresses, the
registered name, the customer ID."""

from __future__ import annotations

import re

import pandas as pd

from ...i18n import L
from ...model import Finding
from ...schema import CType
from ..ids import ID_RE
from .cells import columns_of
from .registry import Ctx, rule, show

MOBILE = r"1[3-9]\d{9}"
LANDLINE = r"0\d{9,11}"          # area code + number, dashes removed (010-12345678, 0571-8888666)
SERVICE = r"[48]00\d{7}"         # 400 / 800 numbers
MASKED = r"(?:1\d{2}|0\d{2,3})?\*{2,8}\d{4}"   # privacy mode: 138****8000, 0571****1234
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
EMAIL_MASKED = r"\**@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
_ORG_WORDS = ("公司", "集团", "厂", "中心", "研究院", "研究所", "医院", "学校", "学院", "大学", "银行", "事务所",
              "合作社", "商行", "店", "馆", "协会", "基金会", "委员会", "局", "院", "所", "社", "站", "处", "园",
              "co.", "co,", "ltd", "inc", "llc", "corp", "gmbh", "limited", "company", "group")


@rule("PHONE", "error", "cells", ("联系方式格式不对", "Invalid phone number"),
      ("联系方式应为11位手机号、带区号的座机号或400/800号码，只填数字；隐私模式下可为打码形式（如 138****8000）。",
       "An 11-digit mobile, a landline with area code or a 400/800 number, digits only; masked in privacy mode."),
      settings=("privacy_mode",))
def phone(ctx: Ctx) -> list[Finding]:
    out = []
    privacy = _truthy(ctx.setting("privacy_mode"))
    pat = f"(?:{MOBILE}|{LANDLINE}|{SERVICE}" + (f"|{MASKED})" if privacy else ")")
    for sheet, col in columns_of(ctx, CType.PHONE):
        s = sheet.df[col.key]
        ok = s.str.fullmatch(pat, na=True).astype(bool)
        for row in s.index[s.notna() & ~ok]:
            raw = sheet.raw.at[row, col.key]
            v = s.at[row]
            if "*" in v and not privacy:
                hint = L("号码被打码，但代码表未开启隐私模式：请填完整号码，或把隐私模式设为“是”",
                         "The number is masked but privacy mode is off: enter the full number or turn privacy mode on")
            elif re.search(r"[A-Za-z]", v) and re.fullmatch(r"[\dOoIl]+", v):
                fixed = v.translate(str.maketrans("OoIl", "0011"))
                hint = L(f"号码里混入了字母（O 和 0、l 和 1 看着很像）：应为 {fixed}",
                         f"Letters slipped in (O for 0, l for 1): it should read {fixed}")
            elif len(re.findall(r"1[3-9]\d{9}", v)) > 1 or re.search(r"[/、,，;；]", str(raw)):
                hint = L("一个单元格只填一个号码，其他号码写在备注", "One number per cell; put others in remarks")
            else:
                hint = L("请填写11位手机号，只填数字；座机请带区号，如 02112345678",
                         "Enter an 11-digit mobile, digits only; landlines with area code, e.g. 02112345678")
            out.append(ctx.finding(sheet, L(f"{col.zh}“{show(raw)}”不是11位手机号或带区号的座机号",
                                                     f"{col.en} '{show(raw)}' is not an 11-digit mobile or a landline "
                                                     "with area code"), row=int(row), column=col.key, value=raw, hint=hint))
    return out


@rule("EMAIL", "error", "cells", ("电子邮箱格式不对", "Invalid e-mail"),
      ("电子邮箱应形如 name@company.com，一格一个；隐私模式下可只保留公司域名（如 @company.com）。",
       "An e-mail looks like name@company.com, one per cell; in privacy mode only the domain may be kept."),
      settings=("privacy_mode",))
def email(ctx: Ctx) -> list[Finding]:
    out = []
    privacy = _truthy(ctx.setting("privacy_mode"))
    pat = f"(?:{EMAIL}|{EMAIL_MASKED})" if privacy else EMAIL
    for sheet, col in columns_of(ctx, CType.EMAIL):
        s = sheet.df[col.key]
        ok = s.str.fullmatch(pat, na=True).astype(bool)
        for row in s.index[s.notna() & ~ok]:
            v = s.at[row]
            out.append(ctx.finding(sheet, L(f"{col.zh}“{v}”不是有效的邮箱地址", f"{col.en} '{v}' is not a valid "
                                   "e-mail address"), row=int(row), column=col.key, value=sheet.raw.at[row, col.key],
                                   hint=L("格式如 zhang@company.com：一个@，域名带点，不含空格和中文标点，一格只填一个",
                                          "Like zhang@company.com: one @, a dotted domain, no spaces, one per cell")))
    return out


@rule("NAME_SHORT", "warning", "cells", ("客户名称像简称", "Customer name looks abbreviated"),
      ("客户名称应为工商注册全称（如“华为技术有限公司”），不用简称（如“华为”）。",
       "The customer name is the full registered name, not an abbreviation."))
def name_short(ctx: Ctx) -> list[Finding]:
    out = []
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "name" not in sheet.columns:
        return out
    s = sheet.df["name"]
    compact = s.str.replace(r"\s+", "", regex=True)
    lower = compact.str.lower()
    has_org = lower.str.contains("|".join(re.escape(w) for w in _ORG_WORDS), regex=True, na=False).astype(bool)
    n = compact.str.len()
    bad = s.notna() & ((n < 4) | ~has_org)
    for row in s.index[bad]:
        v = s.at[row]
        out.append(ctx.finding(sheet, L(f"客户名称“{v}”像是简称，请填写工商注册全称",
                                                      f"Customer name '{v}' looks like an abbreviation; use the full "
                                                      "registered name"), row=int(row), column="name", value=v,
                               hint=L("如“华为技术有限公司”，可在国家企业信用信息公示系统查到全称",
                                      "e.g. 华为技术有限公司; the national enterprise credit system lists full names")))
    return out


@rule("ID_FORMAT", "error", "cells", ("客户编号格式不对", "Malformed customer ID"),
      ("客户编号为 年份-行业代码-序号（如 2024-IT-001），行业代码须在代码表的行业代码表中。",
       "Customer IDs are year-code-sequence (2024-IT-001) with an industry code from 代码表."),
      settings=("id_fallback_code",))
def id_format(ctx: Ctx) -> list[Finding]:
    out = []
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "customer_id" not in sheet.columns:
        return out
    codes = set(ctx.model.settings.industry_codes.values()) | {str(ctx.setting("id_fallback_code") or "")}
    s = sheet.df["customer_id"]
    vals = s.dropna()
    found = [ID_RE.match(v) for v in vals.tolist()]
    parts = pd.DataFrame([m.groups() if m else (None, None, None) for m in found], index=vals.index,
                         columns=[0, 1, 2]).reindex(s.index)
    malformed = s.notna() & parts[0].isna()
    year = pd.to_numeric(parts[0], errors="coerce")
    bad_year = parts[0].notna() & ((year < 1990) | (year > ctx.as_of.year + 1))
    bad_code = parts[1].notna() & ~parts[1].isin(codes)
    hint = L("格式为 年份-行业代码-序号，如 2024-IT-001；也可清空本格，运行 wbt ids 自动编号",
             "Format year-code-sequence, e.g. 2024-IT-001; or clear the cell and run wbt ids")
    for row in s.index[malformed | bad_year | bad_code]:
        v = s.at[row]
        if malformed.at[row]:
            msg = L(f"客户编号“{v}”格式不对", f"Customer ID '{v}' is malformed")
        elif bad_year.at[row]:
            msg = L(f"客户编号“{v}”的年份不合理", f"Customer ID '{v}' has an implausible year")
        else:
            msg = L(f"客户编号“{v}”中的行业代码 {parts.at[row, 1]} 不在代码表中",
                    f"Customer ID '{v}': industry code {parts.at[row, 1]} is not in 代码表")
        out.append(ctx.finding(sheet, msg, row=int(row), column="customer_id",
                               value=sheet.raw.at[row, "customer_id"], hint=hint))
    return out


@rule("ID_MISSING", "info", "cells", ("客户尚未编号", "Customer without an ID"),
      ("新客户还没有客户编号；运行 wbt ids 按规则自动编号。", "A new customer has no ID yet; wbt ids assigns one."))
def id_missing(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "customer_id" not in sheet.columns:
        return []
    s = sheet.df["customer_id"]
    named = sheet.df["name"].notna()
    return [ctx.finding(sheet, L("客户尚未编号", "The customer has no ID yet"), row=int(row),
                        column="customer_id", hint=L("运行 wbt ids 自动编号（编号一经分配不再更改）",
                                                     "Run wbt ids to assign one (IDs never change afterwards)"))
            for row in s.index[s.isna() & named]]


def _truthy(v: object) -> bool:
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in {"是", "yes", "y", "true", "1", "开", "开启", "on"}
