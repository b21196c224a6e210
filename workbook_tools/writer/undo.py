"""``wbt undo``: put back the version of a workbook from before its last run.

The last run in the run journal (:mod:`.journal`: one entry per write, a run may have made several)
names the backup taken before the run and the digest of the file the run wrote. Undo refuses when there is nothing to undo (no entry, or its
backup is gone or altered) and when the file was changed since the run (its digest differs:
edited by hand or by another program), unless forced. Otherwise it goes through the same path as
every write: the lock, a backup of the current file, an atomic replace that checks once more
that the file it replaces is the one undo checked (:func:`.source.swap_in`), a check of what was
written (the digest of the restored file), and a journal entry of its own — so an undo can be
undone too (that puts the run back).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceChanged, UnreadableWorkbook, UnsafeWrite, WbtError
from ..i18n import L
from . import journal, safety
from .changelog import current_user
from .source import swap_in


class NothingToUndo(WbtError):
    """No run of this workbook can be undone."""


class EditedSince(WbtError):
    """The workbook changed after the last run; ``backup`` is what undo would put back."""

    def __init__(self, message: L, *, entry: journal.Entry, backup: Path, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.entry, self.backup = entry, backup


@dataclass
class UndoReport:
    path: Path
    undone: journal.Entry
    restored_from: Path
    backup: Path                      # the version replaced by the undo (undo it to get it back)
    seconds: float = 0.0
    writes: int = 1                   # writes the undone run made (a month end creating the ID column: 2)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "undone": asdict(self.undone), "restored_from": str(self.restored_from),
                "backup": str(self.backup), "writes": self.writes, "seconds": round(self.seconds, 3)}


def last_run(path: Path) -> tuple[journal.Entry, Path, journal.Entry, int]:
    """The last run of ``path``: its first write's entry, the backup taken before the run, its last
    write's entry and how many writes it made; NothingToUndo when none can be used."""
    group = journal.last_run(path)
    entry = group[0] if group else None
    if entry is None:
        raise NothingToUndo(L("{n} 没有可撤销的运行：运行记录 {j} 中没有记录（本工具写入过的工作簿才有）。",
                              "{n} has no run to undo: the run journal {j} holds no entry (only workbooks this "
                              "tool has written have one).").format(n=path.name, j=_rel(journal.journal_path(path))))
    backup = entry.backup_path(path)
    if backup is None or not backup.is_file():
        raise NothingToUndo(L("无法撤销 {t} 的“{a}”：它之前的备份{b}已不在（超出保留份数后被删除，或运行时未保留备份）。",
                              "Cannot undo '{a}' of {t}: the backup taken before it{b} is gone (pruned after the "
                              "number of backups kept, or none was kept).")
                            .format(t=entry.time, a=entry.action, b=f" {entry.backup}" if entry.backup else ""))
    if entry.before is not None and journal.digest(backup) != entry.before:
        raise NothingToUndo(L("备份 {b} 与运行记录不符（已被改动或损坏），不会用它恢复。",
                              "The backup {b} does not match the run journal (changed or damaged); it will not be "
                              "restored.").format(b=_rel(backup)))
    return entry, backup, group[-1], len(group)


def undo(path: Path | str, *, force: bool = False, backup_keep: int = 10, now: dt.datetime | None = None,
         user: str | None = None) -> UndoReport:
    """Put back the version of ``path`` from before its last run (see the module docstring)."""
    t0 = time.perf_counter()
    given = Path(path)
    path = Path(os.path.realpath(given))  # a link is undone through to its target, as it was written
    if not path.is_file():
        raise UnreadableWorkbook(L("找不到工作簿文件：{p}", "Workbook file not found: {p}").format(p=given))
    safety.check_not_open(path, *([given] if given.absolute() != path else []))
    now = now or dt.datetime.now()
    with safety.locked(path):
        entry, source, final, writes = last_run(path)
        current = journal.digest(path)
        if current != final.after and not force:
            raise EditedSince(L("{n} 在上一次运行（{t} {a}）之后被修改过，撤销会同时丢掉这些修改，因此没有撤销。"
                                "下面列出撤销将改回的单元格；确认无误后可加 --force 撤销（当前版本会先备份）。",
                                "{n} was changed after the last run ({t} {a}); undoing would also discard those "
                                "changes, so nothing was undone. The cells undo would change back are listed below; "
                                "add --force to undo anyway (the current version is backed up first).")
                              .format(n=path.name, t=entry.time, a=entry.action), entry=entry, backup=source)
        target = safety.backup_name(path, now)
        safety.make_backup(path, now, target)
        _put_back(source, path, current, target)
        if entry.before is not None and journal.digest(path) != entry.before:
            safety.restore(target, path)
            raise UnsafeWrite(L("撤销后复查失败，已恢复为撤销前的文件。", "The check after the undo failed; the file "
                                "from before the undo was put back."))
        journal.record(path, action="undo", user=user or current_user(), now=now, backup=target, before=current,
                       after=entry.before or journal.digest(path), undoes=entry.time)
        if backup_keep > 0:
            safety.prune_backups(path, max(backup_keep, 2, writes + 1))
    return UndoReport(given, entry, source, target, time.perf_counter() - t0, writes)


def _put_back(backup: Path, path: Path, current: str, kept: Path) -> None:
    """Put ``backup`` in place of ``path`` unless ``path`` is no longer the file whose digest undo
    checked (``current``): another program saved it meanwhile. Then it stays as that program
    saved it, and the copy ``kept`` of it goes."""
    def check(file: Path, _swapped: bool) -> None:
        if journal.digest(file) != current:
            raise SourceChanged(L("工作簿 {n} 在撤销检查之后被其他程序修改过，没有撤销。请重新运行 wbt undo。",
                                  "Workbook {n} was changed by another program after undo checked it; nothing "
                                  "was undone. Run wbt undo again.").format(n=path.name))

    tmp = safety.write_temp(path, lambda t: shutil.copyfile(backup, t))
    try:
        swap_in(tmp, path, check)
    except SourceChanged:  # refused: tmp is still the copy of the old version, theirs is in place
        tmp.unlink(missing_ok=True)
        kept.unlink(missing_ok=True)
        raise


def _rel(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"
