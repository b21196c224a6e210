"""An import source as rows below its header: the header row is the one among the first rows that
maps most cells to the target sheet's columns (a merged title row such as “2024年客户名单” scores
nothing and is skipped). Reading the file itself (CSV, .xlsx, .xls, with the reader's checks) is
:func:`workbook_tools.jobs.importing.read_source`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...reader.frames import header_score
from ...reader.parse import clean_text
from ...schema import SheetSpec

HEADER_SCAN_ROWS = 15


@dataclass
class SourceTable:
    """Rows of a source below its header; ``first_row`` is the 1-based source row of ``rows[0]``."""

    name: str
    headers: list[str]
    rows: list[list[Any]]
    header_row: int
    encoding: str | None = None

    @property
    def first_row(self) -> int:
        return self.header_row + 1


def find_header(spec: SheetSpec, rows: list[list[Any]]) -> int:
    """0-based index of the header row (the best-scoring of the first rows; 0 if none maps)."""
    best, best_i = 0, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = header_score(spec, row)
        if s > best:
            best, best_i = s, i
    return best_i


def source_table(name: str, spec: SheetSpec, rows: list[list[Any]], encoding: str | None = None) -> SourceTable:
    """The rows of a source (as read, "" for empty) as a :class:`SourceTable` for the sheet ``spec``."""
    rows = [[None if v == "" else v for v in r] for r in rows]
    h = find_header(spec, rows)
    headers = [clean_text(v) or "" for v in rows[h]] if rows else []
    body = rows[h + 1:]
    while body and all(v is None for v in body[-1]):
        body.pop()
    return SourceTable(name, headers, body, h + 1, encoding)
