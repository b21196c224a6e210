"""Where the workbook of a job is: a file (read by the reader, written by the file writer) or a
workbook open in Excel (read and written through xlwings). A job reads, plans and applies through
its :class:`Place` and never asks which kind it has; the two doors differ only here."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from ..changeset import Changeset, WriteCounts
from ..model import WorkbookModel


@dataclass
class Applied(WriteCounts):
    """What one write did, whichever applier made it: the counts both appliers report, the sheets
    added, the backup (a file write keeps one; Excel has none) and the applier's own report (``raw``)."""

    added: list[str] = field(default_factory=list)
    backup: Path | None = None
    raw: Any = None

    @classmethod
    def of(cls, report: WriteCounts, *, added: list[str], backup: Path | None) -> Applied:
        return cls(**{f.name: getattr(report, f.name) for f in fields(WriteCounts)}, added=added, backup=backup,
                   raw=report)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw.to_dict()) if self.raw is not None else asdict(self)


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
        return Applied.of(r, added=[s.name for s in cs.add_sheets] if r.written else [], backup=r.backup)


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
        return Applied.of(r, added=list(r.added), backup=None)
