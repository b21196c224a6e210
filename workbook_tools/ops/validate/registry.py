"""The rule registry: every validation rule with a stable code, a default severity, a zh/en title
and description, and the small pure function that finds its problems.

A rule function takes a :class:`Ctx` and returns findings built with :meth:`Ctx.finding`, which
fills in the rule's code (the registry hands each rule a context carrying it: a code is written once,
in ``@rule``) and the severity chosen in 代码表 (setting ``rule.<CODE>`` = error / warning / info / off).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from ...i18n import L
from ...model import Finding, SheetData, WorkbookModel, col_letter
from ...values import display, is_missing, per_value, to_python
from ..links import listed

SEVERITIES = ("error", "warning", "info")
OFF = "off"
_SEVERITY_WORDS = {
    "error": "error", "错误": "error", "严重": "error", "e": "error",
    "warning": "warning", "warn": "warning", "警告": "warning", "w": "warning",
    "info": "info", "提示": "info", "信息": "info", "i": "info",
    "off": OFF, "关闭": OFF, "关": OFF, "否": OFF, "no": OFF, "false": OFF, "0": OFF, "忽略": OFF,
}


def parse_severity(value: Any) -> str | None:
    """'error' / '警告' / 'off' … → a severity or 'off'; None when not understood."""
    if value is None or isinstance(value, bool) and value:
        return None
    if isinstance(value, bool):
        return OFF
    return _SEVERITY_WORDS.get(str(value).strip().lower())


def rule_settings(model: WorkbookModel) -> list[tuple[str, str | None, str]]:
    """Every ``rule.<CODE>`` setting as (CODE, severity or 'off' or None when not understood, setting key)."""
    out = []
    for key, value in model.settings.values.items():
        if str(key).lower().startswith("rule."):
            out.append((str(key)[5:].strip().upper(), parse_severity(value), str(key)))
    return out


@dataclass
class Ctx:
    """What a rule sees: the model, the reference date, the severity chosen for each code, and the
    code of the rule running (:meth:`for_rule`)."""

    model: WorkbookModel
    as_of: dt.date
    severity: dict[str, str] = field(default_factory=dict)   # code → severity chosen in 代码表
    cache: dict[str, Any] = field(default_factory=dict)
    letters: dict[tuple[str, str], str] = field(default_factory=dict)
    code: str = ""

    def for_rule(self, code: str) -> Ctx:
        """This context for the rule ``code`` (the caches are shared)."""
        return replace(self, code=code)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    @property
    def end_of_as_of(self) -> pd.Timestamp:
        """The last instant of the as-of day (a time on the as-of day is not in the future)."""
        return pd.Timestamp(self.as_of) + pd.Timedelta(days=1)

    def setting(self, key: str) -> Any:
        return self.model.settings.get(key)

    def num(self, key: str) -> float:
        return self.model.settings.number(key)

    def sheet(self, key: str) -> SheetData | None:
        s = self.model.sheets.get(key)
        return s

    def listed(self, sheet: SheetData, key: str) -> pd.Series:
        """A dropdown column as list values (synonyms such as 已终止 resolved, other values None): as
        every operation reads it (LIST_SYNONYM promises no result changes)."""
        return listed(self.model, sheet.spec.key, key, sheet.spec.column(key).list or "")

    def finding(self, sheet: SheetData | str, message: L, *, row: int | None = None,
                column: str | None = None, value: Any = None, hint: L | None = None, cell: str | None = None,
                severity: str | None = None) -> Finding:
        name = sheet if isinstance(sheet, str) else sheet.name
        if cell is None and row is not None and column is not None and not isinstance(sheet, str):
            key = (name, column)
            letters = self.letters.get(key)
            if letters is None:
                idx = sheet.columns.get(column)
                letters = self.letters[key] = col_letter(idx) if idx else ""
            cell = f"{letters}{row}" if letters else None
        code = self.code
        sev = self.severity.get(code) or severity or RULES[code].severity
        return Finding(code=code, severity=sev, sheet=name, message=message, cell=cell, row=row,
                       column=column, value=to_python(value), hint=hint)


RuleFunc = Callable[[Ctx], list[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str          # default: error | warning | info
    family: str            # structure | cells | duplicates | xref | consistency | timeliness
    title: L
    description: L
    func: RuleFunc
    settings: tuple[str, ...] = ()   # setting keys the rule reads (for the docs)


RULES: dict[str, Rule] = {}
FAMILIES = ("structure", "cells", "duplicates", "xref", "consistency", "timeliness")
FAMILY_TITLES = {
    "structure": L("结构", "Structure"), "cells": L("单元格", "Cells"), "duplicates": L("一户一档（重复）", "One customer, one record"),
    "xref": L("跨表引用", "Across sheets"), "consistency": L("前后一致", "Consistency"), "timeliness": L("及时性", "Timeliness"),
}


def rule(code: str, severity: str, family: str, title: tuple[str, str], description: tuple[str, str],
         settings: tuple[str, ...] = ()) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under a stable code."""
    assert severity in SEVERITIES and family in FAMILIES

    def deco(func: RuleFunc) -> RuleFunc:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        RULES[code] = Rule(code, severity, family, L(*title), L(*description), func, settings)
        return func
    return deco


def all_rules() -> list[Rule]:
    """Every rule, by family then registration order (imports the rule modules)."""
    from . import cells, consistency, duplicates, identity, structure, timeliness, xref  # noqa: F401
    return sorted(RULES.values(), key=lambda r: FAMILIES.index(r.family))


# ---- helpers shared by the rule modules --------------------------------------------------------
def present(sheet: SheetData | None, *keys: str) -> bool:
    """The sheet exists, has rows, and holds every one of these columns."""
    return sheet is not None and sheet.n_rows > 0 and all(k in sheet.columns for k in keys)


def umap(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``func`` applied once per distinct non-empty value (log sheets repeat values a lot); NaN elsewhere."""
    return pd.Series(per_value(series.to_numpy(dtype=object), lambda v: _NA if is_missing(v) else func(v)),
                     index=series.index, dtype=object)


_NA = float("nan")


def show(v: Any) -> str:
    """A raw value as a person would read it in a message."""
    return display(v)
