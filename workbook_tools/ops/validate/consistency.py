"""Consistency: dates in the right order, stages that agree with the dates, contract terms."""

from __future__ import annotations

import pandas as pd

from ...i18n import L
from ...model import Finding, SheetData
from ..followup import ENDED_STAGES, ended_customers
from ..links import CLOSED_STATUSES
from ..terms import read_term
from .registry import Ctx, rule, show
from .xref import customer_rows


def _order(ctx: Ctx, sheet_key: str, early: str, late: str, zh: str, en: str,
           hint: L, by_day: bool = True) -> list[Finding]:
    """Rows where column ``late`` is before column ``early``."""
    sheet = ctx.model.sheets.get(sheet_key)
    if sheet is None or sheet.n_rows == 0 or early not in sheet.columns or late not in sheet.columns:
        return []
    a, b = sheet.df[early], sheet.df[late]
    if by_day:
        a, b = a.dt.normalize(), b.dt.normalize()
    bad = a.notna() & b.notna() & (b < a)
    ce, cl = sheet.spec.column(early), sheet.spec.column(late)
    out = []
    for row in sheet.df.index[bad]:
        va, vb = show(sheet.df.at[row, early]), show(sheet.df.at[row, late])
        out.append(ctx.finding(sheet, L(f"{cl.zh} {vb} 早于{ce.zh} {va}（{zh}）", f"{cl.en} {vb} is before "
                               f"{ce.en} {va} ({en})"), row=int(row), column=late,
                               value=sheet.raw.at[row, late], hint=hint))
    return out


@rule("ORDER_FIRST_COOP", "error", "consistency", ("首次合作早于初次接触", "First cooperation before first contact"),
      ("首次合作时间不能早于初次接触时间。", "First cooperation cannot be before the first contact."))
def order_first_coop(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "customers", "first_contact", "first_coop", "先接触后合作",
                  "contact comes first", L("核对两个日期，通常是年份或月份填错", "Check both dates; usually a wrong year or month"))


@rule("ORDER_LAST_COOP", "error", "consistency", ("最近合作早于首次合作", "Last cooperation before the first"),
      ("最近一次合作时间不能早于首次合作时间。", "The last cooperation cannot be before the first one."))
def order_last_coop(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "customers", "first_coop", "last_coop", "最近一次不能早于首次",
                  "the last cannot precede the first", L("核对两个日期", "Check both dates"))


@rule("ORDER_DUE", "error", "consistency", ("截止时间早于沟通时间", "Due before the contact"),
      ("沟通记录的截止时间不能早于沟通时间。", "The due date of a next action cannot be before the contact."))
def order_due(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "contacts", "contact_date", "due", "下一步行动在沟通之后",
                  "the next action follows the contact", L("把截止时间改为沟通时间之后的日期", "Set a due date after the contact"))


@rule("ORDER_REGISTERED", "error", "consistency", ("登记早于投诉", "Registered before received"),
      ("投诉的登记时间不能早于投诉时间。", "A complaint cannot be registered before it was received."))
def order_registered(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "complaints", "received_at", "registered_at", "先收到后登记",
                  "received first", L("核对投诉时间和登记时间", "Check both times"), by_day=False)


@rule("ORDER_RESPONDED", "error", "consistency", ("响应早于投诉", "Answered before received"),
      ("投诉的首次响应时间不能早于投诉时间。", "A complaint cannot be answered before it was received."))
def order_responded(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "complaints", "received_at", "responded_at", "先收到后响应",
                  "received first", L("核对投诉时间和首次响应时间", "Check both times"), by_day=False)


@rule("ORDER_RESOLVED", "error", "consistency", ("解决早于投诉", "Resolved before received"),
      ("投诉的解决时间不能早于投诉时间。", "A complaint cannot be resolved before it was received."))
def order_resolved(ctx: Ctx) -> list[Finding]:
    return _order(ctx, "complaints", "received_at", "resolved_at", "先收到后解决",
                  "received first", L("核对投诉时间和解决时间", "Check both times"), by_day=False)


@rule("STAGE_NO_COOP", "warning", "consistency", ("合作中却无首次合作时间", "Active without a first cooperation"),
      ("当前合作阶段为“合作中”或“续约期”的客户应填写首次合作时间。",
       "A customer in stage 合作中 or 续约期 needs a first-cooperation date."))
def stage_no_coop(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "stage" not in sheet.columns:
        return []
    bad = ctx.listed(sheet, "stage").isin(("合作中", "续约期")) & sheet.df["first_coop"].isna()
    if "first_coop" in sheet.columns:
        bad &= sheet.raw["first_coop"].isna() | sheet.raw["first_coop"].map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
    col = "first_coop" if "first_coop" in sheet.columns else "stage"
    return [ctx.finding(sheet, L(f"阶段为“{sheet.df.at[row, 'stage']}”，但首次合作时间为空",
                                                  f"Stage is {sheet.df.at[row, 'stage']} but the first cooperation date "
                                                  "is empty"), row=int(row), column=col, value=sheet.raw.at[row, col],
                        hint=L("填写首次合作（签约）日期；若尚未合作，把阶段改为“接洽中”",
                               "Enter the first cooperation date, or set the stage to 接洽中"))
            for row in sheet.df.index[bad]]


@rule("STAGE_ENDED_ACTION", "warning", "consistency", ("已终止或流失的客户仍有待办", "Ended customer with a next action"),
      ("当前合作阶段为“终止合作”或客户类型为“流失客户”的客户，沟通记录中仍有截止时间在基准日之后的下一步行动。",
       "A customer whose stage is 终止合作 or type 流失客户 still has a next action due after the as-of date."))
def stage_ended_action(ctx: Ctx) -> list[Finding]:
    cust, log = ctx.model.sheets.get("customers"), ctx.model.sheets.get("contacts")
    if cust is None or log is None or log.n_rows == 0 or "due" not in log.columns:
        return []
    ended = ended_customers(ctx.model)
    if not ended.any():
        return []
    stage = ctx.listed(cust, "stage")
    rows = customer_rows(ctx, log)
    future = log.df["due"].notna() & (log.df["due"] >= ctx.end_of_as_of)
    hit = future & rows.isin(list(cust.df.index[ended]))
    out = []
    for row in log.df.index[hit]:
        cr = int(rows.at[row])
        state = cust.df.at[cr, "stage"] if stage.at[cr] in ENDED_STAGES else cust.df.at[cr, "customer_type"]
        out.append(ctx.finding(log, L(f"客户“{cust.df.at[cr, 'name']}”已是“{state}”，但仍有截止于 "
                               f"{show(log.df.at[row, 'due'])} 的下一步行动", f"Customer '{cust.df.at[cr, 'name']}' is "
                               f"{state} but has a next action due {show(log.df.at[row, 'due'])}"),
                               row=int(row), column="due", value=log.raw.at[row, "due"],
                               hint=L("确认客户状态：若恢复合作请更新阶段，否则取消该行动", "Check the customer's state: update "
                                      "the stage if they are back, or drop the action")))
    return out


def _terms(ctx: Ctx, sheet: SheetData) -> pd.Series:
    key = "terms"
    if key not in ctx.cache:
        terms = sheet.df["term"]
        table = {t: read_term(t) for t in pd.unique(terms.dropna().to_numpy(dtype=object))}
        ctx.cache[key] = terms.map(table, na_action="ignore")
    return ctx.cache[key]


@rule("TERM_INVALID", "error", "consistency", ("合作期限无法识别", "Unreadable contract term"),
      ("合作期限写成起止年月（如 2024.01-2025.12 或 2024-01-01~2025-12-31），或只写到期日（如 2026-12-20）；"
       "到期日用于续约提醒。",
       "A contract term is a start and an end (e.g. 2024.01-2025.12) or its end date alone (e.g. 2026-12-20); "
       "its end drives renewal reminders."))
def term_invalid(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "term" not in sheet.columns:
        return []
    t = _terms(ctx, sheet)
    bad = sheet.df["term"].notna() & t.isna()
    return [ctx.finding(sheet, L(f"合作期限“{show(sheet.raw.at[row, 'term'])}”无法识别",
                                                 f"Contract term '{show(sheet.raw.at[row, 'term'])}' cannot be read"),
                        row=int(row), column="term", value=sheet.raw.at[row, "term"],
                        hint=L("写成 起始年月-结束年月，如 2024.01-2025.12，或只写到期日，如 2026-12-20",
                               "Write start-end, e.g. 2024.01-2025.12, or the end date alone, e.g. 2026-12-20"))
            for row in sheet.df.index[bad]]


@rule("TERM_ORDER", "error", "consistency", ("合作期限结束早于开始", "Contract term ends before it starts"),
      ("合作期限的结束日期必须晚于开始日期。", "A contract term must end after it starts."))
def term_order(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("customers")
    if sheet is None or sheet.n_rows == 0 or "term" not in sheet.columns:
        return []
    t = _terms(ctx, sheet)
    out = []
    for row, v in t.dropna().items():
        if v.start is not None and v.end is not None and v.end <= v.start:
            out.append(ctx.finding(sheet, L(f"合作期限“{sheet.df.at[row, 'term']}”的结束早于开始",
                                                          f"Contract term '{sheet.df.at[row, 'term']}' ends before it starts"),
                                   row=int(row), column="term", value=sheet.raw.at[row, "term"],
                                   hint=L("核对起止年月，开始在前、结束在后", "Check the dates: start first, end second")))
    return out


@rule("COMPLAINT_STATUS", "warning", "consistency", ("投诉状态与解决时间不符", "Complaint status and resolution disagree"),
      ("处理状态为“已解决/已关闭”时应填写解决时间；填了解决时间的投诉状态不应仍为“待处理/处理中”。",
       "A resolved or closed complaint has a resolution time; one with a resolution time is not still open."))
def complaint_status(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("complaints")
    if sheet is None or sheet.n_rows == 0 or "status" not in sheet.columns or "resolved_at" not in sheet.columns:
        return []
    st, res = sheet.df["status"], sheet.df["resolved_at"]
    status = ctx.listed(sheet, "status")
    closed = status.isin(CLOSED_STATUSES) & res.isna() & sheet.raw["resolved_at"].isna()
    still_open = status.isin(["待处理", "处理中"]) & res.notna()
    out = []
    for row in sheet.df.index[closed]:
        out.append(ctx.finding(sheet, L(f"状态为“{st.at[row]}”，但没有解决时间",
                                                            f"Status is {st.at[row]} but there is no resolution time"),
                               row=int(row), column="resolved_at", hint=L("填写解决时间", "Enter the resolution time")))
    for row in sheet.df.index[still_open]:
        out.append(ctx.finding(sheet, L(f"已填写解决时间，但状态仍为“{st.at[row]}”",
                                                            f"Resolved, but the status is still {st.at[row]}"),
                               row=int(row), column="status", value=st.at[row],
                               hint=L("把处理状态改为“已解决”或“已关闭”", "Set the status to 已解决 or 已关闭")))
    return out
