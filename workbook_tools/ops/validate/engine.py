"""Run the registered rules over a model: pick the rules, apply the severities chosen in 代码表
(``rule.<CODE>`` = error / warning / info / off), sort the findings and count them."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ...errors import WbtError
from ...i18n import L
from ...model import Finding, WorkbookModel
from .registry import FAMILIES, OFF, RULES, Ctx, Rule, all_rules, rule_settings

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
Progress = Callable[[int, int, str], None]


def select_rules(codes: Iterable[str] | str | None) -> list[Rule]:
    """Rules by code, family (``cells``) or pattern (``DUP_*``), comma-separated or as a list;
    every rule when ``codes`` is empty. Unknown names raise a WbtError (exit 2)."""
    rules = all_rules()
    if not codes:
        return rules
    if isinstance(codes, str):
        codes = [codes]
    wanted = [c.strip() for part in codes for c in str(part).split(",") if c.strip()]
    picked: dict[str, Rule] = {}
    unknown = []
    for w in wanted:
        up = w.upper()
        hits = [r for r in rules if r.family == w.lower() or fnmatch.fnmatchcase(r.code, up) or r.code == up]
        if not hits:
            unknown.append(w)
        for r in hits:
            picked[r.code] = r
    if unknown:
        known = ", ".join(r.code for r in rules)
        raise WbtError(L(f"未知的规则：{', '.join(unknown)}", f"Unknown rule(s): {', '.join(unknown)}"),
                       hint=L(f"可用的规则：{known}；也可用规则组 {', '.join(FAMILIES)}，或通配符如 DUP_*",
                              f"Known rules: {known}; families {', '.join(FAMILIES)} or patterns such as DUP_* work too"))
    return [r for r in rules if r.code in picked]


def severity_overrides(model: WorkbookModel) -> dict[str, str]:
    """``rule.<CODE>`` settings → {code: severity or 'off'} (settings it cannot use are left out and
    reported by the RULE_SETTING rule)."""
    all_rules()
    return {code: sev for code, sev, _ in rule_settings(model) if code in RULES and sev is not None}


def run_rules(model: WorkbookModel, *, as_of: dt.date | None = None, rules: Iterable[str] | str | None = None,
              progress: Progress | None = None) -> tuple[list[Finding], dict[str, Any]]:
    """Findings of the selected rules (sorted: sheet order, row, column, severity) and their figures."""
    as_of = as_of or dt.date.today()
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    selected = select_rules(rules)
    overrides = severity_overrides(model)
    findings: list[Finding] = []
    ctx = Ctx(model=model, as_of=as_of, severity={k: v for k, v in overrides.items() if v != OFF})
    run = [r for r in selected if overrides.get(r.code) != OFF]
    for i, r in enumerate(run):
        if progress:
            progress(i, len(run), r.code)
        findings += r.func(ctx.for_rule(r.code))
    if progress:
        progress(len(run), len(run), "")
    findings = _not_on_unknown_values(model, findings)
    order = {n: i for i, n in enumerate(model.sheet_names)}
    col_pos = {(s.name, k): i for s in model.sheets.values() for k, i in s.columns.items()}
    findings.sort(key=lambda f: (order.get(f.sheet, len(order)), f.row or 0, col_pos.get((f.sheet, f.column or ""), 0),
                                 SEVERITY_ORDER.get(f.severity, 3), f.code))
    return findings, summarise(findings, model, as_of, [r.code for r in run],
                               sorted(c for c, v in overrides.items() if v == OFF))


def _not_on_unknown_values(model: WorkbookModel, findings: list[Finding]) -> list[Finding]:
    """A formula without a saved result is reported as such (FORMULA_NO_VALUE), not as an empty or
    wrong value: the other rules' findings on those cells are dropped."""
    cells = {(s.name, s.cell(r, k)) for s in model.sheets.values() for r, k in s.formulas_without_value}
    if not cells:
        return findings
    return [f for f in findings if f.code == "FORMULA_NO_VALUE" or (f.sheet, f.cell) not in cells]


def summarise(findings: list[Finding], model: WorkbookModel, as_of: dt.date, ran: list[str],
              off: list[str]) -> dict[str, Any]:
    by_sev = Counter(f.severity for f in findings)
    by_code: dict[str, dict[str, Any]] = {}
    for f in findings:
        e = by_code.setdefault(f.code, {"count": 0, "error": 0, "warning": 0, "info": 0})
        e["count"] += 1
        e[f.severity] += 1
    by_sheet: dict[str, dict[str, int]] = {}
    for f in findings:
        e = by_sheet.setdefault(f.sheet, {"error": 0, "warning": 0, "info": 0})
        e[f.severity] += 1
    return {
        "as_of": as_of.isoformat(),
        "errors": by_sev.get("error", 0), "warnings": by_sev.get("warning", 0), "infos": by_sev.get("info", 0),
        "total": len(findings),
        "by_code": by_code, "by_sheet": by_sheet,
        "rows": {s.name: s.n_rows for s in model.sheets.values()},
        "rules_run": ran, "rules_off": off,
    }
