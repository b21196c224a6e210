"""The actions registry: one list of what a user can run, from the CLI or an Excel ribbon button.

The ribbon XML (``macros/customUI14.xml``), the Excel entry point (``workbook_tools.excel.run``)
and CLI help texts are generated from :data:`ACTIONS`. Each action names its operation as a
``"module:function"`` string that :func:`resolve` imports only when the action runs, so importing
this module is cheap and never pulls in the operations themselves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .i18n import L, current_lang


@dataclass(frozen=True)
class Group:
    """A ribbon group (and a heading in help texts). ``Action.group`` holds the Chinese name."""

    zh: str
    en: str
    xml_id: str


@dataclass(frozen=True)
class Action:
    """One action: labels, ribbon look, the operation it runs and the matching ``wbt`` command."""

    key: str
    zh: str
    en: str
    screentip_zh: str
    screentip_en: str
    image_mso: str
    group: str
    target: str
    cli: str

    def label(self, lang: str | None = None) -> str:
        return L(self.zh, self.en).get(lang)

    def screentip(self, lang: str | None = None) -> str:
        return L(self.screentip_zh, self.screentip_en).get(lang)

    def help_text(self) -> str:
        """CLI help line: Chinese first, English too."""
        return f"{self.screentip_zh} / {self.screentip_en}"


GROUPS: tuple[Group, ...] = (
    Group("校验", "Validate", "grpValidate"),
    Group("编号与分层", "IDs and tiers", "grpIdsTiers"),
    Group("月度复盘", "Monthly review", "grpReview"),
    Group("导出", "Export", "grpExport"),
)

# imageMso names are Office built-in icons; each was checked against public customUI files.
ACTIONS: tuple[Action, ...] = (
    Action("validate", "校验工作簿", "Validate workbook",
           "检查所有工作表的必填项、格式、重复和代码表取值，列出问题清单。",
           "Check every sheet for required fields, formats, duplicates and code-list values; list the findings.",
           "DataValidation", "校验", "workbook_tools.ops.validate:run_validate", "validate"),
    Action("annotate", "标注问题单元格", "Mark problem cells",
           "校验后把有问题的单元格标色并加批注，便于逐个修正。",
           "Validate, then colour the problem cells and add a note to each, so they can be fixed one by one.",
           "ReviewNewComment", "校验", "workbook_tools.ops.validate:run_annotate", "validate --annotate"),
    Action("ids", "生成客户编号", "Assign customer IDs",
           "按“年份-行业代码-序号”规则（如 2024-IT-001）为没有编号的客户编号，已有编号从不重排。",
           "Number customers without an ID by year, industry code and sequence (e.g. 2024-IT-001); "
           "existing IDs are never renumbered.",
           "TableInsert", "编号与分层", "workbook_tools.ops.ids:run_ids", "ids"),
    Action("tiers", "计算等级与跟进", "Compute tiers and follow-ups",
           "按代码表中的阈值计算客户价值等级和跟进节奏，结果供主管确认。",
           "Compute value tiers and follow-up cadences from the thresholds in the code sheet, "
           "for a supervisor to confirm.",
           "ConditionalFormattingMenu", "编号与分层", "workbook_tools.ops.tiers:run_tiers", "tiers"),
    Action("review", "生成月度复盘", "Monthly review",
           "汇总本月新增、流失、跟进与成交等情况，生成“YYYY-MM 月度复盘”工作表。",
           "Summarise this month's new and lost customers, follow-ups and deals into a "
           "\"YYYY-MM 月度复盘\" review sheet.",
           "ChartInsert", "月度复盘", "workbook_tools.ops.review:run_review", "review"),
    Action("month_end", "月末一键处理", "Month-end in one click",
           "依次校验、补编号、计算等级并生成月度复盘。",
           "Validate, assign IDs, compute tiers and build the monthly review, in that order.",
           "MacroPlay", "月度复盘", "workbook_tools.ops.month_end:plan_month_end", "month-end"),
    Action("export_masked", "导出脱敏副本", "Export masked copy",
           "另存一份姓名、电话、邮箱已脱敏的副本（如 王*、区号加后四位），可安全外发。",
           "Save a copy with names, phones and e-mails masked (e.g. 王*, area code plus last four "
           "digits), safe to share.",
           "Lock", "导出", "workbook_tools.ops.export:run_export_masked", "export --mask"),
    Action("export_by_owner", "按负责人导出", "Export by owner",
           "按负责人拆分，每人导出一个只含自己客户的工作簿。",
           "Split by owner: one workbook per salesperson with only their customers.",
           "ExportExcel", "导出", "workbook_tools.ops.export:run_export_by_owner", "export --by-owner"),
)

_BY_KEY: dict[str, Action] = {a.key: a for a in ACTIONS}


def get(key: str) -> Action:
    """The action registered under ``key``; ``KeyError`` with the known keys otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown action {key!r}; known: {', '.join(_BY_KEY)}") from None


def group_of(action: Action) -> Group:
    """The :class:`Group` an action belongs to."""
    for g in GROUPS:
        if g.zh == action.group:
            return g
    raise KeyError(f"action {action.key!r} names unknown group {action.group!r}")


def actions_in(group: Group) -> tuple[Action, ...]:
    """The actions of one group, in registry order."""
    return tuple(a for a in ACTIONS if a.group == group.zh)


def resolve(action: Action | str) -> Callable[..., Any]:
    """Import and return the function behind an action (``"package.module:function"``)."""
    act = get(action) if isinstance(action, str) else action
    module_name, sep, attr = act.target.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"bad target {act.target!r} for action {act.key!r}: expected 'module:function'")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"target {act.target!r} of action {act.key!r} is not callable")
    return obj


def describe(lang: str | None = None) -> str:
    """A plain-text overview of all actions by group, in the given language (for help screens)."""
    lang = lang or current_lang()
    lines: list[str] = []
    for g in GROUPS:
        lines.append(L(g.zh, g.en).get(lang))
        for a in actions_in(g):
            sep = "：" if lang == "zh" else " - "
            lines.append(f"  wbt {a.cli:<22} {a.label(lang)}{sep}{a.screentip(lang)}")
    return "\n".join(lines)
