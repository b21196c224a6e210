"""Reports of the monthly review: a separate review workbook, HTML and Markdown (jinja2)."""

from .render import render_report, template_env
from .xlsx import write_sheet_workbook

__all__ = ["render_report", "template_env", "write_sheet_workbook"]
