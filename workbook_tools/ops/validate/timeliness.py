"""Timeliness (docs/domain.md#deadlines, thresholds from 代码表): contacts logged within 24 h, complaints
registered within 1 h and answered within the urgency's limit, demand changes followed up within
3 working days (Chinese holiday calendar), overdue follow-ups and zombie records."""

from __future__ import annotations

import re

import pandas as pd

from ...i18n import L
from ...model import Finding
from ...workdays import add_workdays
from ..deadlines import URGENCY_SETTING, deadline, first_response, response_hours
from ..followup import follow_ups
from .registry import Ctx, rule, show, umap
from .xref import customer_rows

# A log row is a demand change when its feedback mentions one of these (and does not start with a "no").
DEMAND_WORDS = ("需求", "变化", "变更", "调整", "新增", "增加", "追加", "扩容", "升级", "增购", "减少", "缩减", "更换")
NEGATIONS = ("无", "暂无", "没有", "未提", "无新")


@rule("SLA_LOG", "warning", "timeliness", ("沟通记录录入不及时", "Contact logged late"),
      ("每次沟通须在代码表“沟通记录录入时限”（默认24小时）内录入；需要“录入时间”列。沟通时间只有日期时，从当天结束起算。",
       "A contact is logged within 'log a contact within' (24 h); needs the logged-at column. A date without "
       "time counts from the end of that day."), settings=("log_within_hours",))
def sla_log(ctx: Ctx) -> list[Finding]:
    log = ctx.model.sheets.get("contacts")
    if log is None or log.n_rows == 0 or "logged_at" not in log.columns or "contact_date" not in log.columns:
        return []
    h = ctx.num("log_within_hours")
    late = log.df["logged_at"] > deadline(log.df["contact_date"], h)
    return [ctx.finding(log, L(f"沟通时间 {show(log.df.at[r, 'contact_date'])}，录入于 "
                        f"{show(log.df.at[r, 'logged_at'])}，超过 {h:g} 小时", f"Contact on "
                        f"{show(log.df.at[r, 'contact_date'])} logged {show(log.df.at[r, 'logged_at'])}, later "
                        f"than {h:g} h"), row=int(r), column="logged_at", value=log.raw.at[r, "logged_at"],
                        hint=L(f"每次沟通后 {h:g} 小时内录入沟通记录", f"Log each contact within {h:g} hours"))
            for r in log.df.index[late.fillna(False).astype(bool)]]


@rule("SLA_REGISTER", "warning", "timeliness", ("投诉登记不及时", "Complaint registered late"),
      ("投诉须在收到后代码表“投诉登记时限”（默认1小时）内登记。", "A complaint is registered within the 'register a "
       "complaint within' setting (1 h) of receipt."), settings=("complaint_register_hours",))
def sla_register(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("complaints")
    if sheet is None or sheet.n_rows == 0 or "registered_at" not in sheet.columns:
        return []
    h = ctx.num("complaint_register_hours")
    late = sheet.df["registered_at"] > deadline(sheet.df["received_at"], h)
    return [ctx.finding(sheet, L(f"投诉于 {show(sheet.df.at[r, 'received_at'])} 收到，"
                        f"{show(sheet.df.at[r, 'registered_at'])} 才登记，超过 {h:g} 小时",
                        f"Received {show(sheet.df.at[r, 'received_at'])}, registered "
                        f"{show(sheet.df.at[r, 'registered_at'])}: over {h:g} h"),
                        row=int(r), column="registered_at", value=sheet.raw.at[r, "registered_at"],
                        hint=L(f"收到投诉后 {h:g} 小时内登记", f"Register complaints within {h:g} h of receipt"))
            for r in sheet.df.index[late.fillna(False).astype(bool)]]


@rule("SLA_RESPONSE", "warning", "timeliness", ("投诉响应超时", "Complaint answered late"),
      ("一般投诉在代码表“一般投诉响应时限”（24小时）内响应，紧急、特急按各自的更短时限；未响应且已超时的也报出。"
       "没有首次响应时间时以解决时间为响应。",
       "Normal complaints are answered within 24 h, urgent and critical ones within their shorter settings; "
       "unanswered ones past the limit are reported too. Without a response time the resolution counts."),
      settings=tuple(URGENCY_SETTING.values()))
def sla_response(ctx: Ctx) -> list[Finding]:
    sheet = ctx.model.sheets.get("complaints")
    if sheet is None or sheet.n_rows == 0 or "received_at" not in sheet.columns:
        return []
    df = sheet.df
    st = ctx.model.settings
    hours = ctx.listed(sheet, "urgency").map(lambda u: response_hours(u, st)).astype("float64")
    limit = deadline(df["received_at"], hours)   # as the review's SLA figures count it
    answer = first_response(df)
    late = df["received_at"].notna() & ((answer > limit) | (answer.isna() & (limit < pd.Timestamp(ctx.as_of))))
    col = "responded_at" if "responded_at" in sheet.columns else "resolved_at" if "resolved_at" in sheet.columns else "received_at"
    out = []
    for r in df.index[late.fillna(False).astype(bool)]:
        urg = df.at[r, "urgency"] or "一般"
        h = float(hours.at[r])
        if pd.isna(answer.at[r]):
            msg = L(f"{urg}投诉收到于 {show(df.at[r, 'received_at'])}，至今未响应，已超过 {h:g} 小时",
                    f"{urg} complaint received {show(df.at[r, 'received_at'])} is still unanswered after {h:g} h")
        else:
            msg = L(f"{urg}投诉在 {show(answer.at[r])} 才响应，超过 {h:g} 小时时限",
                    f"{urg} complaint answered {show(answer.at[r])}, over the {h:g} h limit")
        out.append(ctx.finding(sheet, msg, row=int(r), column=col, value=sheet.raw.at[r, col],
                               hint=L(f"{urg}投诉须在 {h:g} 小时内响应；请尽快联系客户并填写首次响应时间",
                                      f"Answer {urg} complaints within {h:g} h; contact the customer and record it")))
    return out


@rule("SLA_DEMAND", "warning", "timeliness", ("需求变化未及时跟进", "Demand change not followed up"),
      ("沟通记录的“客户反馈与需求变化”提到需求变化时，须在代码表“需求变化跟进时限”（3个工作日，按中国法定节假日）内"
       "再次跟进同一客户。", "When feedback mentions a demand change, the same customer is contacted again within "
       "the 'follow up a demand change within' setting (3 working days, Chinese public holidays)."),
      settings=("demand_followup_workdays",))
def sla_demand(ctx: Ctx) -> list[Finding]:
    log = ctx.model.sheets.get("contacts")
    if log is None or log.n_rows == 0 or "feedback" not in log.columns:
        return []
    fb = log.df["feedback"]
    pat = re.compile("|".join(DEMAND_WORDS))
    change = umap(fb, lambda t: bool(pat.search(t)) and not t.startswith(NEGATIONS)).fillna(False).astype(bool)
    change &= log.df["contact_date"].notna()
    if not change.any():
        return []
    n = int(ctx.num("demand_followup_workdays"))
    cust = customer_rows(ctx, log)
    who = cust.fillna(-1).astype(int).astype(str).where(cust.notna(), "n:" + log.df["customer_name"].fillna("?"))
    days = log.df["contact_date"].dt.normalize()
    left = pd.DataFrame({"who": who[change], "d": days[change], "row": days[change].index}).sort_values("d")
    right = pd.DataFrame({"who": who, "next": days}).dropna(subset=["next"]).sort_values("next")
    m = pd.merge_asof(left, right, left_on="d", right_on="next", by="who", direction="forward",
                      allow_exact_matches=False)
    fallback = False
    dues: dict[pd.Timestamp, pd.Timestamp] = {}
    for d in pd.unique(m["d"]):
        due, fb_used = add_workdays(pd.Timestamp(d).date(), n)
        fallback |= fb_used
        dues[pd.Timestamp(d)] = pd.Timestamp(due)
    m["due"] = m["d"].map(dues)
    late = (m["next"].isna() & (m["due"] < pd.Timestamp(ctx.as_of))) | (m["next"] > m["due"])
    out = []
    for rec in m[late].itertuples(index=False):
        nxt, due = rec.next, rec.due.date()
        r = int(rec.row)
        what = (L(f"下一次沟通在 {show(nxt)}", f"the next contact was {show(nxt)}") if pd.notna(nxt) else
                L("之后没有再沟通", "no contact since"))
        out.append(ctx.finding(log, L(f"{show(rec.d)} 记录了需求变化，应在 {due} 前跟进，但{what.zh}",
                                                    f"A demand change logged {show(rec.d)} was due for follow-up by "
                                                    f"{due}, but {what.en}"), row=r, column="feedback",
                               value=_clip(log.df.at[r, "feedback"]),
                               hint=L(f"需求变化须在 {n} 个工作日内跟进并更新客户需求", f"Follow up demand changes within "
                                      f"{n} working days and update the needs")))
    if fallback:
        out.append(ctx.finding(log, L("部分日期超出中国节假日日历的范围，按周一至周五计算工作日",
                                                    "Some dates are outside the Chinese holiday calendar; working days "
                                                    "were counted as Monday to Friday"), severity="info",
                               hint=L("升级 chinese-calendar 包以获得最新的节假日安排", "Update the chinese-calendar "
                                      "package for the latest holidays")))
    return out


def _clip(v: object, n: int = 60) -> object:
    return v[:n] + "…" if isinstance(v, str) and len(v) > n else v


@rule("OVERDUE_FOLLOWUP", "warning", "timeliness", ("跟进逾期", "Follow-up overdue"),
      ("未终止合作、未流失的客户，距最近一次沟通（没有沟通记录时为初次接触时间）超过其跟进周期：价值等级（主管确认的等级优先，"
       "否则按年度合作金额）与跟进等级 A/B/C 的周期取较短者，周期见代码表；与 wbt tiers 的“是否逾期”一致。",
       "A customer not ended or churned has not been contacted (or, without log rows, since the first contact) "
       "within its cadence: the shorter of the value-tier and A/B/C grade cadences in 代码表; agrees with the "
       "overdue flag of wbt tiers."),
      settings=("tier_strategic_min", "tier_key_min", "cadence_strategic_days", "cadence_key_days",
                "cadence_ordinary_days", "cadence_grade_a_days", "cadence_grade_b_days", "cadence_grade_c_days"))
def overdue_followup(ctx: Ctx) -> list[Finding]:
    cust = ctx.model.sheets.get("customers")
    if cust is None or cust.n_rows == 0:
        return []
    follow = follow_ups(ctx.model, ctx.as_of)  # as wbt tiers and the review read each customer
    col = "last_contact" if "last_contact" in cust.columns else "name"
    out = []
    hint = L("尽快联系客户，并在沟通记录中登记", "Contact the customer soon and log it")
    for r, name in zip(cust.df.index.tolist(), cust.df["name"].tolist()):
        fu = follow[r]
        if not fu.overdue_days or fu.base is None:  # (no base: never overdue)
            continue
        s, c, lab, d = (ctx.as_of - fu.base).days, fu.cadence, fu.cadence_by, fu.base.isoformat()
        out.append(ctx.finding(cust, L(f"“{name}”已 {s} 天未沟通（{lab}应每 {c} 天至少一次，最近 {d}）",
                                                           f"'{name}' not contacted for {s} days ({lab}: every {c} days; "
                                                           f"last {d})"), row=r, column=col, value=d, hint=hint))
    return out


@rule("ZOMBIE", "warning", "timeliness", ("僵尸客户", "Zombie record"),
      ("阶段仍为“接洽中”，但超过代码表“僵尸客户判定天数”（365天）没有任何沟通。",
       "Still 接洽中 with no contact for longer than the 'zombie record after' setting (365 days)."),
      settings=("zombie_days",))
def zombie(ctx: Ctx) -> list[Finding]:
    cust = ctx.model.sheets.get("customers")
    if cust is None or cust.n_rows == 0 or "stage" not in cust.columns:
        return []
    limit = ctx.num("zombie_days")
    follow = follow_ups(ctx.model, ctx.as_of)  # the last contact (else the first) as the other rules read it
    hint = L("确认是否还在跟进：恢复跟进并登记沟通，或把阶段改为“终止合作”", "Decide: follow up and log it, or set the "
             "stage to 终止合作")
    out = []
    for r, name, stage in zip(cust.df.index.tolist(), cust.df["name"].tolist(), ctx.listed(cust, "stage").tolist()):
        base = follow[r].base
        n = (ctx.as_of - base).days if base is not None else None
        if stage == "接洽中" and n is not None and n > limit:
            out.append(ctx.finding(cust, L(f"“{name}”仍在接洽中，但已 {n} 天没有沟通",
                                           f"'{name}' is still 接洽中 but has had no contact for {n} days"),
                                   row=r, column="stage", value="接洽中", hint=hint))
    return out
