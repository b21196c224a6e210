"""Applying a :class:`~workbook_tools.changeset.Changeset` to a workbook file, losslessly.

read package → pre-flight every check (refuse before touching anything) → clear marks → cell
edits → marks → notes → remove/add sheets → grade history → change log → save to a temp file → fsync →
backup → atomic replace → re-read the changed cells (restore the backup if they differ) →
one line in the run journal (:mod:`.journal`). The backup's name is chosen before the build, so
the change log rows of the run name it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..changeset import CellEdit, Changeset, Formula, WriteCounts
from ..errors import UnreadableWorkbook, UnsafeWrite
from ..gcpause import collector_paused
from ..i18n import L
from ..model import WorkbookModel
from ..styles import PALETTE
from ..values import unwrap
from . import changelog, journal, safety, source, written
from .book import Book
from .cellfind import read_cells
from .cells import CellPatch
from .checks import check_edit, edits_by_cell, past_limit, refuse, refuse_history, target_sheets
from .history import history_problem, write_history
from .marks import MARKS_SHEET, apply_marks, clear_marks, load_records, save_records
from .notes import apply_notes
from .package import Package
from .readback import part_reader, verify_or_restore
from .sheetxml import formula_ranges, is_protected, merged_ranges
from .tables import extend_tables
from .values import MAX_ROW, StoredCell, date_format

DEFAULT_BACKUPS = 10


@dataclass
class ApplyReport(WriteCounts):
    path: Path
    backup: Path | None = None
    tables_extended: int = 0
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        d["backup"] = str(self.backup) if self.backup else None
        return d


@dataclass
class _Plan:
    """What the pre-flight found: the last edit per cell and what each target holds now."""

    edits: dict[str, dict[tuple[int, int], CellEdit]] = field(default_factory=dict)
    stored: dict[tuple[str, int, int], StoredCell] = field(default_factory=dict)


def preflight(book: Book, cs: Changeset) -> _Plan:
    """Every refusal, before anything is changed. Raises UnsafeWrite naming sheet!cell."""
    plan = _Plan()
    target_sheets(cs, lambda name: name if book.has_sheet(name) else None)
    if book.structure_locked and (cs.add_sheets or cs.remove_sheets or cs.marks):
        raise refuse("工作簿结构受保护，无法新增或删除工作表。请先撤销“保护工作簿”。",
                     "The workbook structure is protected: sheets cannot be added or removed. "
                     "Unprotect the workbook first.")
    plan.edits = edits_by_cell(cs, unwrap)
    if cs.history:
        refuse_history(history_problem(book))
    for sheet in sorted({m.sheet for m in cs.marks} | {n.sheet for n in cs.notes} | set(plan.edits)):
        if is_protected(book.xml(sheet)):
            raise refuse("工作表 {s} 受保护，不能修改。请先撤销工作表保护。",
                         "Sheet {s} is protected and cannot be changed. Unprotect it first.", sheet=sheet, s=sheet)
    for sheet, cells in plan.edits.items():
        xml = book.xml(sheet)
        merges, arrays = merged_ranges(xml), formula_ranges(xml)
        stored = read_cells(xml, cells, book.sst)
        for (r, c), e in cells.items():
            cell = stored[(r, c)]
            check_edit(sheet, r, c, e, cell, formula=cell.formula, date1904=book.date1904,
                       found=lambda cell=cell: changelog.stored_show(book, cell), merges=merges, styles=PALETTE,
                       formula_text=cell.formula_text, arrays=arrays)
            plan.stored[(sheet, r, c)] = cell
    return plan


def check_changeset(path: Path | str, cs: Changeset) -> None:
    """The pre-flight alone: raises UnsafeWrite (naming sheet!cell) if ``cs`` would be refused."""
    preflight(Book(Package.open(path)), cs)


def _edit_patches(book: Book, sheet: str, cells: dict[tuple[int, int], CellEdit],
                  plan: _Plan) -> dict[tuple[int, int], CellPatch]:
    patches = {}
    for rc, e in cells.items():
        style = book.styles.palette_xf(e.style) if e.style else None
        base = style if style is not None else plan.stored[(sheet, *rc)].style
        if isinstance(e.new, dt.date):  # a cell with a date format of the user's keeps it
            if not book.styles.is_date_xf(base):
                style = book.styles.with_number_format(base, date_format(e.new, e.number_format))
        elif e.number_format and not isinstance(e.new, str):
            style = book.styles.with_number_format(base, e.number_format)
        patches[rc] = CellPatch(e.new, style)
    return patches


def _notes(book: Book, cs: Changeset) -> int:
    if not cs.notes:
        return 0
    book.flush()
    by_sheet: dict[str, list] = {}
    for n in cs.notes:
        by_sheet.setdefault(n.sheet, []).append(n)
    for sheet, notes in by_sheet.items():
        apply_notes(book.pkg, sheet, notes)
    book.refresh()
    book.drop_cache()
    return len(cs.notes)


def _sheets(book: Book, cs: Changeset) -> tuple[list[str], list[str]]:
    if not (cs.add_sheets or cs.remove_sheets):
        return [], []
    from .sheets import add_or_replace_sheet, remove_sheet  # here: XlsxWriter loads only when a sheet is made
    book.flush()
    for name in cs.remove_sheets:
        remove_sheet(book.pkg, name)
    for gen in cs.add_sheets:
        add_or_replace_sheet(book.pkg, gen)
    book.refresh()
    book.drop_cache()
    return [g.name for g in cs.add_sheets], list(cs.remove_sheets)


def build(pkg: Package, cs: Changeset, report: ApplyReport, now: dt.datetime, user: str,
          backup: str = "") -> dict[str, dict]:
    """Carry out the changeset on the in-memory package; returns the values meant, per sheet and cell
    (a formula's cached value). ``backup``: the backup the change log rows name."""
    book = Book(pkg)
    plan = preflight(book, cs)
    records = load_records(book)
    if cs.clear_marks:
        records, report.marks_cleared = clear_marks(book, records, cs.clear_marks)
    meant: dict[str, dict[tuple[int, int], Any]] = {}
    for sheet, cells in plan.edits.items():
        book.patch(sheet, _edit_patches(book, sheet, cells, plan))
        report.tables_extended += extend_tables(pkg, book.refs[sheet].part, {rc: e.new for rc, e in cells.items()})
        meant[sheet] = {rc: e.new.cached if isinstance(e.new, Formula) else e.new for rc, e in cells.items()}
        report.cells_written += len(cells)
    if cs.marks:
        records = apply_marks(book, records, cs.marks)
        report.marks = len(cs.marks)
    if cs.marks or (cs.clear_marks and book.has_sheet(MARKS_SHEET)):
        if len(records) + 1 > MAX_ROW:  # one record row per marked cell, under a header
            raise past_limit(MARKS_SHEET, f"A{len(records) + 1}")
        save_records(book, records)
    report.notes = _notes(book, cs)
    added, removed = _sheets(book, cs)
    report.sheets_added, report.sheets_removed = len(added), len(removed)
    if cs.history:
        for sheet, cells in write_history(book, cs.history).items():
            meant.setdefault(sheet, {}).update(cells)
        report.history_rows = len(cs.history.rows)
    def old_text(sheet: str, r: int, c: int) -> str:
        old = plan.stored.get((sheet, r, c))
        return changelog.stored_show(book, old) if old else ""

    rows = changelog.log_rows(cs, old_text, report.marks, report.marks_cleared, report.notes, added, removed,
                              backup)
    report.log_rows = changelog.append_log(book, rows, now, user, cs.lang)
    book.flush()
    return meant


def apply_changeset(path: Path | str, cs: Changeset, *, backup_keep: int | None = None,
                    user: str | None = None, now: datetime | None = None,
                    verify: bool = True) -> ApplyReport:
    """Write ``cs`` into the workbook at ``path``, changing only what it means to change.

    Refuses (UnsafeWrite / WorkbookInUse, nothing written) when the workbook is open in
    Excel/WPS/LibreOffice, another run is writing it, the user may not write it, any pre-flight
    check fails, or ``cs.source`` (the file the plan was made from) is not the file on disk
    (SourceChanged). A symbolic link is written through: the file it points at is replaced, and
    its backup goes beside that file. ``backup_keep``: how many backups to keep (default 10; the
    commands pass the workbook's own 代码表 setting ``backup_keep``).
    """
    t0 = time.perf_counter()
    given = Path(path)
    report = ApplyReport(given)
    if not cs:
        return report
    path = Path(os.path.realpath(given))
    if not path.is_file():
        raise UnreadableWorkbook(L("找不到工作簿文件：{p}", "Workbook file not found: {p}").format(p=given))
    safety.check_not_open(path, *([given] if given.absolute() != path else []))
    now = now or dt.datetime.now()
    user = user or changelog.current_user()
    keep = DEFAULT_BACKUPS if backup_keep is None else max(0, int(backup_keep))
    with safety.locked(path), collector_paused():
        target = safety.backup_name(path, now) if keep > 0 or verify else None
        kept = f"{safety.BACKUP_DIR}/{target.name}" if target is not None and keep > 0 else ""
        pkg = Package.open(path)
        before = hashlib.sha256(pkg.original or b"").hexdigest()  # the journal's digest of the bytes read
        if cs.source is not None:
            source.check_plan(pkg, cs.source, path)
        meant = build(pkg, cs, report, now, user, kept)
        date1904 = Book(pkg).date1904
        tmp = safety.write_temp(path, pkg.save)
        try:
            after = journal.digest(tmp)
            if target is not None:
                report.backup = safety.make_backup(path, now, target, pkg.original)
            source.put_in_place(tmp, path, pkg)
        except BaseException:
            if tmp.exists():  # not put in place: the backup of an unchanged workbook goes too
                tmp.unlink()
                if report.backup is not None:
                    report.backup.unlink(missing_ok=True)
            else:  # replaced, then a later step failed: the new workbook is in place
                written.record(given, report.backup)
            raise
        report.written = True
        written.record(given, report.backup)
        changed, before_parts = sorted(pkg.changed), part_reader(pkg.original)
        del pkg  # the parts built in memory go before the check opens the new file
        if verify:
            try:
                verify_or_restore(path, meant, report.backup, date1904, parts=changed, before=before_parts)
            except UnsafeWrite:  # the original was put back
                written.forget(given)
                raise
        journal.record(path, action=cs.action, user=user, now=now, backup=report.backup if keep > 0 else None,
                       before=before, after=after)
        if keep == 0 and report.backup is not None:
            report.backup.unlink()
            report.backup = None
        elif keep > 0:
            safety.prune_backups(path, keep, journal.current_run_backups(path))
    report.seconds = time.perf_counter() - t0
    return report


def apply_plan(path: Path | str, cs: Changeset, model: WorkbookModel, **kw: Any) -> ApplyReport:
    """:func:`apply_changeset` for a changeset planned from ``model`` (every command writes this
    way): the write is refused when the file is no longer the one ``model`` was read from (another
    program saved it meanwhile: rows may have moved), and as many backups are kept as the
    workbook's own 代码表 says (保留备份份数, ``backup_keep``)."""
    if cs.source is None:
        cs.source = model.source
    cs.lang = cs.lang or model.lang
    kw.setdefault("backup_keep", max(0, int(model.settings.number("backup_keep"))))
    return apply_changeset(path, cs, **kw)
