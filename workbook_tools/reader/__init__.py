"""Workbook file → :class:`~workbook_tools.model.WorkbookModel` (see ``docs/reader.md``)."""

from .workbook import read_workbook

__all__ = ["read_workbook"]
