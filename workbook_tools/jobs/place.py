"""Where the workbook of a job is: a file (read by the reader, written by the file writer) or a
workbook open in Excel (read and written through xlwings). A job reads, plans and applies through
its :class:`Place` and never asks which kind it has; the two doors differ only here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..changeset import Changeset
from ..model import WorkbookModel


@dataclass
class Applied:
    """What one write did, whichever applier made it (``raw``: the applier's own report)."""

    cells_written: int = 0
    marks: int = 0
    notes: int = 0
    sheets_added: int = 0
    log_rows: int = 0
    added: list[str] = field(default_factory=list)
    backup: Path | None = None
    seconds: float = 0.0
    raw: Any = None

    def to_dict(self) -> dict[str, Any]:
        if self.raw is not None and hasattr(self.raw, "to_dict"):
            return dict(self.raw.to_dict())
        return {"cells_written": self.cells_written, "marks": self.marks, "notes": self.notes,
                "sheets_added": self.sheets_added, "log_rows": self.log_rows,
                "backup": str(self.backup) if self.backup else None}


class Place(Protocol):
    """A workbook a job reads and writes."""

    @property
    def name(self) -> str:
        """The workbook's name, as a review names its source."""

    @property
    def path(self) -> Path | None:
        """Where the workbook is saved (reports go beside it); None when it is not saved in a folder."""

    def read(self) -> WorkbookModel: ...

    def apply(self, cs: Changeset, model: WorkbookModel) -> Applied:
        """Write ``cs``, planned on ``model``; refuses (nothing written) when it cannot be written whole."""


@dataclass
class FilePlace:
    """A workbook file: :func:`workbook_tools.reader.read_workbook` and
    :func:`workbook_tools.writer.apply_plan` (backup, change log, read-back)."""

    file: Path
    now: dt.datetime | None = None
    user: str | None = None

    @property
    def name(self) -> str:
        return self.file.name

    @property
    def path(self) -> Path | None:
        return self.file

    def read(self) -> WorkbookModel:
        from ..reader import read_workbook

        return read_workbook(self.file)

    def apply(self, cs: Changeset, model: WorkbookModel) -> Applied:
        from ..writer import apply_plan

        kw: dict[str, Any] = {k: v for k, v in (("now", self.now), ("user", self.user)) if v is not None}
        r = apply_plan(self.file, cs, model, **kw)
        return Applied(r.cells_written, r.marks, r.notes, r.sheets_added, r.log_rows,
                       [s.name for s in cs.add_sheets] if r.written else [], r.backup, r.seconds, r)


@dataclass
class BookPlace:
    """A workbook open in Excel (an xlwings Book, or the in-memory fake in tests): read with
    :mod:`workbook_tools.excel.xlreader`, written with :mod:`workbook_tools.excel.xlapply`."""

    book: Any
    now: dt.datetime | None = None
    user: str | None = None

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path | None:
        """The saved file's path when Excel has it in a local folder (not a new, unsaved book nor
        one opened from a web address)."""
        full = str(getattr(self.book, "fullname", "") or "")
        if "://" in full:
            return None
        p = Path(full)
        return p if p.is_absolute() and p.parent.is_dir() else None

    def read(self) -> WorkbookModel:
        from ..excel.xlreader import read_book

        return read_book(self.book)[0]

    def apply(self, cs: Changeset, model: WorkbookModel) -> Applied:
        from ..excel.xlapply import apply_live

        cs.lang = cs.lang or model.lang   # names the change log, as the file writer does
        r = apply_live(self.book, cs, now=self.now, user=self.user)
        return Applied(r.cells_written, r.marks, r.notes, r.sheets_added, r.log_rows, list(r.added), None,
                       r.seconds, r)
