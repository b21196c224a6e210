"""The review of a month or a quarter: figures and rates with the change against the previous
period, tables, lists and charts.

``run_review`` is pure: it computes a :class:`~.model.Review` from the model and returns an
ActionResult whose changeset adds (or replaces) the sheet ``YYYY-MM 月度复盘`` or ``YYYY-Qn 季度复盘``.
Writing a separate workbook or the HTML/Markdown reports is done by the callers (CLI, month-end).
"""

from __future__ import annotations

import datetime as dt

from ...changeset import ActionResult, Changeset
from ...i18n import L, current_lang
from ...model import WorkbookModel
from .build import compute_review
from .jsonout import review_json
from .kpis import KPI_DEFS, LIST_LIMIT
from .model import Kpi, Review, Table
from .period import Period
from .sheet import build_review_sheet, sheet_name, title_text, value_text

__all__ = ["KPI_DEFS", "LIST_LIMIT", "Kpi", "Period", "Review", "Table", "build_review_sheet", "compute_review",
           "review_json", "review_result", "run_review", "sheet_name"]


def run_review(model: WorkbookModel, *, month: str | None = None, period: str | None = None,
               as_of: dt.date | None = None, source: str = "", findings_errors: int | None = None,
               lang: str | None = None) -> ActionResult:
    """Review ``period`` (``YYYY-MM`` or ``YYYY-Qn``; ``month`` is the same argument under its old name).
    ``as_of`` defaults to today; figures stop at the earlier of as_of and the period's last day.
    ``findings_errors``: the error count of a validation run, if any."""
    as_of = as_of or dt.date.today()
    review = compute_review(model, period=period or month, as_of=as_of, source=source or model.path.name,
                            findings_errors=findings_errors)
    return review_result(review, lang=lang)


# (figure, zh, en singular, en plural, zh noun, en noun)
_HEADLINE = (("new_customers", "新增客户 {v}", "{v} new customer", "{v} new customers", "新增客户", "new customers"),
             ("contacts_logged", "沟通 {v} 次", "{v} contact", "{v} contacts", "沟通", "contacts"),
             ("overdue_followups", "逾期 {v} 户", "{v} overdue", "{v} overdue", "逾期", "overdue"),
             ("complaints_open", "未结投诉 {v} 条", "{v} open complaint", "{v} open complaints", "未结投诉",
              "open complaints"))


def summary_text(review: Review) -> L:
    """One line: the review was built, with its headline figures (or the sheet or column they miss)."""
    parts = []
    for key, zh, en_one, en_many, noun_zh, noun_en in _HEADLINE:
        k = review.kpi(key)
        if k.missing:
            parts.append(L(f"{noun_zh}：未找到{k.missing[0].zh}", f"{noun_en}: {k.missing[0].en} not found"))
        else:
            v = value_text(k, "value", "zh") or f"{k.value:,}"
            at = L(f"（截至 {review.snapshot.isoformat()}）", f" (at {review.snapshot.isoformat()})") \
                if key == "overdue_followups" else L("", "")
            en = en_one if k.value == 1 else en_many
            parts.append(L(zh.format(v=v) + at.zh, en.format(v=v) + at.en))
    t = title_text(review.period)
    return L(f"已生成 {t.zh}：" + "，".join(x.zh for x in parts), f"{t.en}: " + ", ".join(x.en for x in parts))


def review_result(review: Review, *, lang: str | None = None) -> ActionResult:
    lang = lang or current_lang()
    sheet = build_review_sheet(review, lang)
    summary = summary_text(review)
    cs = Changeset("review", add_sheets=[sheet], summary=summary)
    stats = dict(review.stats)
    stats.update({"month": review.month, "period": review.month, "period_kind": review.period.kind,
                  "sheet": sheet.name, "snapshot": review.snapshot.isoformat(), "as_of": review.as_of.isoformat()})
    # the cells its figures could not read (formulas without a saved value), for the caller to show
    return ActionResult("review", findings=list(review.findings), changeset=cs, stats=stats, summary=summary)
