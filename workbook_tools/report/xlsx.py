"""Write a GeneratedSheet into a NEW workbook of its own with XlsxWriter (``wbt review --out``).

Only new files are created here; a user's existing workbook is changed only through the
changeset writer."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter

from ..changeset import GeneratedSheet
from ..model import split_ref
from ..styles import FONT, PALETTE


def _fmt(book: Any, cache: dict[tuple[str | None, str], Any], style: str | None, kind: str) -> Any:
    key = (style, kind)
    if key not in cache:
        props: dict[str, Any] = {"font_name": FONT, "font_size": 10}
        props.update(PALETTE.get(style or "", {}))
        if kind == "date" and "num_format" not in props:
            props["num_format"] = "yyyy-mm-dd"
        if kind == "datetime" and "num_format" not in props:
            props["num_format"] = "yyyy-mm-dd hh:mm"
        cache[key] = book.add_format(props)
    return cache[key]


@contextlib.contextmanager
def new_file(path: Path) -> Iterator[str]:
    """A temporary file beside ``path`` to write into; it becomes ``path`` (atomically) when the
    block ends without an error, and is removed otherwise, so a failure leaves no half file."""
    fd, tmp = tempfile.mkstemp(prefix=".wbt-", suffix=path.suffix or ".xlsx", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_sheet_workbook(sheet: GeneratedSheet, path: str | Path) -> Path:
    """Create ``path`` holding only ``sheet`` (values, named styles, widths, merges, charts).
    Written to a temporary file first and moved into place, so a failure leaves no half file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with new_file(path) as tmp:
        book = xlsxwriter.Workbook(tmp, {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
        ws = book.add_worksheet(sheet.name)
        cache: dict[tuple[str | None, str], Any] = {}
        for col, width in sheet.col_widths.items():
            ws.set_column(col - 1, col - 1, width)
        for (r, c), (value, style) in sorted(sheet.cells.items()):
            if isinstance(value, dt.datetime):
                ws.write_datetime(r - 1, c - 1, value, _fmt(book, cache, style, "datetime"))
            elif isinstance(value, dt.date):
                ws.write_datetime(r - 1, c - 1, dt.datetime(value.year, value.month, value.day),
                                  _fmt(book, cache, style, "date"))
            elif isinstance(value, str):
                ws.write_string(r - 1, c - 1, value, _fmt(book, cache, style, "text"))
            elif value is None:
                ws.write_blank(r - 1, c - 1, None, _fmt(book, cache, style, "blank"))
            else:
                ws.write(r - 1, c - 1, value, _fmt(book, cache, style, "number"))
        for (r, c), target in sheet.links.items():
            value = sheet.cells.get((r, c), (None, None))[0]
            ws.write_url(r - 1, c - 1, "internal:" + target, _fmt(book, cache, "link", "text"),
                         string=str(value) if value is not None else target)
        for m in sheet.merges:
            a, b = m.split(":")
            (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
            value, style = sheet.cells.get((r1, c1), (None, None))
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, value, _fmt(book, cache, style, "text"))
        if sheet.freeze:
            ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
        if sheet.tab_color:
            ws.set_tab_color(sheet.tab_color)
        quoted = "'" + sheet.name.replace("'", "''") + "'"
        for spec in sheet.charts:
            chart = book.add_chart({"type": spec.kind})
            for name, values in spec.series:
                series: dict[str, Any] = {"name": name, "categories": f"={quoted}!{_abs(spec.categories)}",
                                          "values": f"={quoted}!{_abs(values)}"}
                if spec.kind in ("column", "bar"):
                    series["data_labels"] = {"value": True}
                if spec.kind == "pie":
                    series["data_labels"] = {"percentage": True, "category": True, "leader_lines": True}
                if spec.kind == "line":
                    series["marker"] = {"type": "circle"}
                chart.add_series(series)
            chart.set_title({"name": spec.title, "name_font": {"name": FONT, "size": 11, "bold": True}})
            if spec.kind != "pie":
                chart.set_legend({"position": "bottom"} if len(spec.series) > 1 else {"none": True})
            chart.set_size({"width": spec.width, "height": spec.height})
            ws.insert_chart(spec.anchor, chart)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        book.close()
    return path


def _abs(rng: str) -> str:
    """A1:B2 → $A$1:$B$2."""
    out = []
    for ref in rng.split(":"):
        r, c = split_ref(ref)
        letters = ref[: len(ref) - len(str(r))]
        out.append(f"${letters}${r}")
    return ":".join(out)
