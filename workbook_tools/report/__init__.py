"""Reports of the monthly review: a separate review workbook, HTML and Markdown (jinja2).

The names are imported when first used, so rendering a report does not load the workbook writer
(xlsxwriter) and writing a workbook does not load jinja2."""

from __future__ import annotations

from typing import Any

__all__ = ["render_report", "template_env", "write_sheet_workbook"]


def __getattr__(name: str) -> Any:
    if name in ("render_report", "template_env"):
        from . import render

        return getattr(render, name)
    if name == "write_sheet_workbook":
        from .xlsx import write_sheet_workbook

        return write_sheet_workbook
    raise AttributeError(name)
