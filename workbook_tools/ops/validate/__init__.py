"""Batch validation before month-end: every rule of the source documents (docs/domain.md), explained
cell by cell.

``run_validate`` returns the findings; ``run_annotate`` also builds a changeset that colours the
offending cells and writes a 校验结果 sheet. Rules live in the family modules and are listed by
:func:`~workbook_tools.ops.validate.registry.all_rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ...changeset import ActionResult
from ...i18n import L, plural
from ...model import WorkbookModel
from .annotate import build_annotation
from .engine import Progress, run_rules, select_rules
from .registry import RULES, Rule, all_rules

__all__ = ["RULES", "Rule", "all_rules", "run_annotate", "run_validate", "select_rules"]


def run_validate(model: WorkbookModel, *, as_of: dt.date | None = None, rules: Iterable[str] | str | None = None,
                 progress: Progress | None = None) -> ActionResult:
    """Check the workbook; findings only, no changeset."""
    findings, stats = run_rules(model, as_of=as_of, rules=rules, progress=progress)
    return ActionResult("validate", findings=findings, changeset=None, stats=stats, summary=_summary(stats))


def run_annotate(model: WorkbookModel, *, as_of: dt.date | None = None, rules: Iterable[str] | str | None = None,
                 progress: Progress | None = None, now: dt.datetime | None = None) -> ActionResult:
    """Check the workbook and build the annotation changeset (marks + 校验结果 sheet)."""
    result = run_validate(model, as_of=as_of, rules=rules, progress=progress)
    result.changeset = build_annotation(model, result.findings, result.stats, now=now)
    return result


def _summary(stats: dict) -> L:
    e, w, i = stats["errors"], stats["warnings"], stats["infos"]
    if not stats["total"]:
        return L("校验通过：没有发现问题", "All checks passed: no problems found")
    return L(f"发现 {e} 个错误、{w} 个警告、{i} 条提示",
             f"Found {plural(e, 'error')}, {plural(w, 'warning')} and {plural(i, 'note')}")
