"""Named styles shared by every writer (template, generated sheets, marks, live Excel).

Each style is a dict of XlsxWriter format properties; the xlwings applier maps the same
names onto ranges. Keep names stable: changesets refer to them.
"""

from __future__ import annotations

import math
from typing import Any

from .values import display_width

FONT = "微软雅黑"  # Excel/WPS on Windows; LibreOffice falls back to Noto Sans CJK

PALETTE: dict[str, dict[str, Any]] = {
    "cell": {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter"},
    "text": {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter", "num_format": "@"},
    "wrap": {"border": 1, "border_color": "#BFBFBF", "valign": "top", "text_wrap": True},
    "wrap_mid": {"border": 1, "border_color": "#BFBFBF", "valign": "vcenter", "text_wrap": True},  # in a table row
    "int": {"border": 1, "border_color": "#BFBFBF", "num_format": "0"},
    "amount": {"border": 1, "border_color": "#BFBFBF", "num_format": "#,##0.00"},
    "pct": {"valign": "vcenter", "border": 1, "border_color": "#BFBFBF", "num_format": "0.0%"},
    "count": {"valign": "vcenter", "border": 1, "border_color": "#BFBFBF", "num_format": "#,##0"},
    "date": {"border": 1, "border_color": "#BFBFBF", "num_format": "yyyy-mm-dd"},
    "datetime": {"border": 1, "border_color": "#BFBFBF", "num_format": "yyyy-mm-dd hh:mm"},
    "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "section": {"bold": True, "font_size": 12, "font_color": "#1F3864", "bottom": 2, "bottom_color": "#1F3864"},
    "header": {"bold": True, "bg_color": "#D9E1F2", "border": 1, "border_color": "#8EA9DB",
               "align": "center", "valign": "vcenter", "text_wrap": True},
    "header_computed": {"bold": True, "bg_color": "#E2EFDA", "font_color": "#375623", "border": 1,
                        "border_color": "#A9D08E", "align": "center", "valign": "vcenter", "text_wrap": True},
    "kpi_label": {"valign": "vcenter", "font_color": "#595959", "border": 1, "border_color": "#BFBFBF", "bg_color": "#F2F2F2"},
    "kpi_value": {"valign": "vcenter", "bold": True, "font_size": 14, "border": 1, "border_color": "#BFBFBF", "align": "center"},
    "kpi_int": {"valign": "vcenter", "bold": True, "font_size": 14, "border": 1, "border_color": "#BFBFBF", "align": "center",
                "num_format": "#,##0"},
    "kpi_pct": {"valign": "vcenter", "bold": True, "font_size": 14, "border": 1, "border_color": "#BFBFBF", "align": "center",
                "num_format": "0.0%"},
    "delta_up": {"valign": "vcenter", "font_color": "#375623", "border": 1, "border_color": "#BFBFBF", "align": "center"},
    "delta_down": {"valign": "vcenter", "font_color": "#9C0006", "border": 1, "border_color": "#BFBFBF", "align": "center"},
    "delta_flat": {"valign": "vcenter", "font_color": "#595959", "border": 1, "border_color": "#BFBFBF", "align": "center"},
    "good": {"valign": "vcenter", "bg_color": "#C6EFCE", "font_color": "#006100", "border": 1, "border_color": "#BFBFBF"},
    "bad": {"valign": "vcenter", "bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#BFBFBF"},
    "warn": {"valign": "vcenter", "bg_color": "#FFEB9C", "font_color": "#9C5700", "border": 1, "border_color": "#BFBFBF"},
    "link": {"font_color": "#0563C1", "underline": 1, "border": 1, "border_color": "#BFBFBF"},
    "note": {"font_color": "#7F7F7F", "font_size": 9},
    "note_wrap": {"font_color": "#7F7F7F", "font_size": 9, "text_wrap": True, "valign": "vcenter"},
}

# Fills for cells marked by a finding, by severity (RRGGBB, no '#').
MARKS: dict[str, dict[str, str]] = {
    "error": {"fill": "FFC7CE", "font": "9C0006"},
    "warning": {"fill": "FFEB9C", "font": "9C5700"},
    "info": {"fill": "DDEBF7", "font": "1F3864"},
}


def text_lines(text: str, width: float, font_size: float = 11) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (CJK counts double); a column's
    width is counted in characters of the default 11 pt font, so a smaller font fits more."""
    per_line = max(width - 1, 1) * 11 / min(font_size, 11)
    return sum(max(1, math.ceil(display_width(part) / per_line)) for part in str(text).split("\n"))


def wrapped_height(lines: int, font_size: float = 11) -> float:
    """Row height in points for ``lines`` lines of wrapped text (14 pt a line at 10–11 pt)."""
    return (14.0 if font_size >= 10 else 12.0) * lines + 3
