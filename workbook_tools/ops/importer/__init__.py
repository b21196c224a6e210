"""Importing rows from another spreadsheet or CSV into the workbook (docs/import-export.md).

``workbook_tools.jobs.importing.read_source`` (the file) → ``source_table`` (sources.py) →
``map_source`` (mapping.py) → ``clean_record`` (clean.py) → ``run_import`` (run.py, pure: an
ActionResult whose Changeset appends new rows and fills empty cells; a non-empty value is only
replaced with ``overwrite=True``, else it is a listed conflict).
"""

from .mapping import map_source
from .run import run_import
from .sources import SourceTable, source_table

__all__ = ["SourceTable", "map_source", "run_import", "source_table"]
