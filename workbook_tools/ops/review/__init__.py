"""The monthly review: KPIs with the change against last month, tables, lists and charts.

``run_review`` is pure: it computes a :class:`~.kpis.Review` from the model and returns an
ActionResult whose changeset adds (or replaces) the sheet ``YYYY-MM 月度复盘``. Writing a
separate workbook or the HTML/Markdown reports is done by the callers (CLI, month-end).
"""

from __future__ import annotations

import datetime as dt

from ...changeset import ActionResult, Changeset
from ...i18n import L, current_lang
from ...model import WorkbookModel
from .kpis import KPI_DEFS, LIST_LIMIT, Kpi, Month, Review, Table, compute_review
from .sheet import build_review_sheet, sheet_name

__all__ = ["KPI_DEFS", "LIST_LIMIT", "Kpi", "Month", "Review", "Table", "build_review_sheet", "compute_review",
           "review_result", "run_review", "sheet_name"]


def run_review(model: WorkbookModel, *, month: str, as_of: dt.date | None = None, source: str = "",
               findings_errors: int | None = None, lang: str | None = None) -> ActionResult:
    """Review ``month`` (YYYY-MM). ``as_of`` defaults to today; figures stop at the earlier of as_of
    and the month's last day. ``findings_errors``: the error count of a validation run, if any."""
    as_of = as_of or dt.date.today()
    review = compute_review(model, month=month, as_of=as_of, source=source or model.path.name,
                            findings_errors=findings_errors)
    return review_result(review, lang=lang)


def _part(kpi: Kpi, zh: str, en: str) -> L:
    """One figure of the summary line; a figure whose input was not found says so instead of 0."""
    if kpi.missing is not None:
        return L(f"{kpi.label.zh}：{kpi.missing.zh}", f"{kpi.label.en}: {kpi.missing.en}")
    return L(zh.format(v=kpi.text("zh")), en.format(v=kpi.text("en")))


def review_result(review: Review, *, lang: str | None = None) -> ActionResult:
    lang = lang or current_lang()
    sheet = build_review_sheet(review, lang)
    parts = [_part(review.kpi(key), zh, en) for key, zh, en in (
        ("new_customers", "新增客户 {v}", "{v} new customers"), ("contacts_logged", "沟通 {v} 次", "{v} contacts"),
        ("overdue_followups", "逾期 {v} 户", "{v} overdue"), ("complaints_open", "未结投诉 {v} 条", "{v} open complaints"))]
    summary = L(f"已生成 {review.month} 月度复盘：" + "，".join(p.zh for p in parts),
                f"Review of {review.month}: " + ", ".join(p.en for p in parts))
    cs = Changeset("review", add_sheets=[sheet], summary=summary)
    stats = dict(review.stats)
    stats.update({"month": review.month, "sheet": sheet.name, "snapshot": review.snapshot.isoformat(),
                  "as_of": review.as_of.isoformat()})
    stats["not_found"] = {k.key: k.missing.get(lang) for k in review.kpis if k.missing is not None}
    return ActionResult("review", findings=list(review.findings), changeset=cs, stats=stats, summary=summary)
