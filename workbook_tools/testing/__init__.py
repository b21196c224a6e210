"""Test support, kept out of the product's modules (nothing in ``workbook_tools`` imports it).

- this module: :func:`make_model`, a :class:`WorkbookModel` from plain rows, without a file;
- :mod:`.soffice`: LibreOffice headless helpers (convert to PDF/PNG, read PDF text);
- :mod:`.xlwings_fake` (+ :mod:`.fake_cells`, :mod:`.fake_format`, :mod:`.fake_charts`): the in-memory stand-in for the xlwings API
  that live mode uses.

Build a model from plain rows (for tests and examples):

    model = make_model(customers=[{"name": "杭州云启科技有限公司", "phone": "13800138000"}])

Rows are dicts keyed by schema column key; values are raw cell values as a person typed them
(str, numbers, dates), or a :class:`~workbook_tools.changeset.Formula` for a formula cell (read as
its cached value, as the file reader does). Row numbers start at 2 under a header in row 1, like
the template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..changeset import Formula
from ..model import Settings, WorkbookModel
from ..reader.frames import build_sheet
from ..schema import SCHEMA


def make_model(customers: list[dict[str, Any]] | None = None, contacts: list[dict[str, Any]] | None = None,
               complaints: list[dict[str, Any]] | None = None, *, settings: dict[str, Any] | None = None,
               lists: dict[str, list[str]] | None = None, industry_codes: dict[str, str] | None = None,
               path: str = "memory.xlsx", columns: dict[str, list[str]] | None = None) -> WorkbookModel:
    """``columns`` may fix the header keys per sheet (default: every input column of the schema,
    plus any computed column named in the rows)."""
    data = {"customers": customers or [], "contacts": contacts or [], "complaints": complaints or []}
    sheets = {}
    notices = []
    for key, rows in data.items():
        spec = SCHEMA.sheet(key)
        if columns and key in columns:
            keys = columns[key]
        else:
            used = {k for r in rows for k in r}
            keys = [c.key for c in spec.columns if not c.computed or c.key in used]
        unknown = sorted({k for r in rows for k in r} - {c.key for c in spec.columns})
        if unknown:
            raise KeyError(f"unknown column keys for {key}: {unknown}")
        header = [spec.column(k).zh for k in keys]
        raw_rows = [[_cached(r.get(k)) for k in keys] for r in rows]
        sheet, found = build_sheet(spec, spec.zh, 1, header, raw_rows)
        sheet.formulas = {(i, k): v.text for i, r in enumerate(rows, start=2) for k, v in r.items()
                          if isinstance(v, Formula)}
        sheets[key] = sheet
        notices += found
    st = Settings.defaults()
    if settings:
        st.values.update(settings)
        st.from_workbook.update(settings)
    if lists:
        st.lists.update(lists)
    if industry_codes is not None:
        st.industry_codes = dict(industry_codes)
        st.lists["industry"] = list(industry_codes)
    names = [s.zh for s in SCHEMA.sheets]
    return WorkbookModel(path=Path(path), sheets=sheets, settings=st, sheet_names=names, notices=notices)


def _cached(value: Any) -> Any:
    """A formula cell reads as its cached value; the empty text as an empty cell."""
    if isinstance(value, Formula):
        return value.cached if value.cached not in (None, "") else None
    return value
