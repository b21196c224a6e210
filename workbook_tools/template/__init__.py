"""The master template and every NEW workbook built from the schema (XlsxWriter only)."""

from .builder import SAMPLE_EXTRA_ROWS, TEMPLATE_ROWS, build_workbook
from .codesheet import CodeLayout, layout

__all__ = ["SAMPLE_EXTRA_ROWS", "TEMPLATE_ROWS", "CodeLayout", "build_workbook", "layout"]
