"""The review as plain JSON for other tools (``wbt review --json``, ``wbt month-end --json``).

Keys are stable and documented in ``docs/review.md`` ("JSON keys"); a test pins them. Every figure
is ``{value, previous, unit, status, previous_status}``, rates also ``numerator, denominator,
previous_numerator, previous_denominator`` (``value`` a share 0–1). ``status`` is ``ok`` or why there is
no value: ``column_not_found`` (with ``missing``), ``no_denominator``, ``no_values``, ``not_available``,
``not_run``. Tables and lists give their rows as objects under stable column keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...i18n import L
from ...values import to_python
from .model import NOT_AVAILABLE, Kpi, Review, Table

SCHEMA_VERSION = 1


def _plain(v: Any) -> Any:
    if isinstance(v, L):
        return v.zh
    v = to_python(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date):
        return v.isoformat()
    if v == "—":
        return None
    return v


def figure_json(k: Kpi) -> dict[str, Any]:
    out: dict[str, Any] = {"value": _plain(k.value), "previous": _plain(k.previous), "unit": k.unit,
                           "status": k.status, "previous_status": k.previous_status}
    if k.is_rate:
        out.update(numerator=k.numerator, denominator=k.denominator, previous_numerator=k.previous_numerator,
                   previous_denominator=k.previous_denominator)
    if k.unit == "score_1_5":   # invalid ratings (not whole numbers 1–5) that were not averaged
        out.update(left_out=k.left_out, previous_left_out=k.previous_left_out)
    if k.missing:
        out["missing"] = [m.zh for m in k.missing]
    if NOT_AVAILABLE in (k.status, k.previous_status):   # why (e.g. "history starts 2026-09"), in the chosen language
        out["reason"] = k.note.get() if k.note else None
    return out


def table_json(t: Table) -> dict[str, Any]:
    return {"total": t.total, "rows": [dict(zip(t.keys, (_plain(v) for v in row))) for row in t.rows]}


def review_json(review: Review) -> dict[str, Any]:
    p = review.period
    return {
        "schema": SCHEMA_VERSION,
        "period": str(p), "kind": p.kind, "start": p.start.isoformat(), "end": p.end.isoformat(),
        "snapshot": review.snapshot.isoformat(), "as_of": review.as_of.isoformat(),
        "previous_period": str(p.shift(-1)),
        "figures": {k.key: figure_json(k) for k in review.kpis},
        "tables": {t.key: table_json(t) for t in [*review.tables, review.trend]},
        "lists": {t.key: table_json(t) for t in review.lists},
    }
