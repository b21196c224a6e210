"""Importing rows from another spreadsheet or CSV into the workbook (docs/import-export.md).

``read_source`` (sources.py) → ``map_source`` (mapping.py) → ``clean_record`` (clean.py) →
``run_import`` (run.py, pure: an ActionResult whose Changeset appends new rows and fills empty
cells; a non-empty value is only replaced with ``overwrite=True``, else it is a listed conflict).
"""

from .mapping import load_mapping, map_source
from .run import run_import
from .sources import SourceTable, read_source

__all__ = ["SourceTable", "load_mapping", "map_source", "read_source", "run_import"]
