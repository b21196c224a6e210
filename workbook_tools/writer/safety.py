"""Everything around the write itself: owner/lock files, an advisory lock, backups, the atomic
replace and the check after it.

The steps are module-level functions so tests can make each of them fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import UnsafeWrite, WorkbookInUse
from ..fsync import fsync_dir, fsync_file
from ..i18n import L

BACKUP_DIR = ".wbt-backups"
TMP_PREFIX = ".wbt-tmp-"
LOCK_SUFFIX = ".wbt-lock"
OWNER_PREFIXES = ("~$", ".~lock.")   # Excel/WPS, LibreOffice: the owner files of an open workbook


def owner_files(path: Path) -> list[Path]:
    """The files Excel/WPS (``~$name.xlsx``) and LibreOffice (``.~lock.name.xlsx#``) leave beside an
    open workbook. Excel replaces the first two characters of a long name (``~$dget2024.xlsx``)."""
    excel, office = OWNER_PREFIXES
    out = [path.with_name(excel + path.name), path.with_name(office + path.name + "#")]
    if len(path.stem) > 2:
        out.insert(1, path.with_name(excel + path.name[2:]))
    return out


def writable(path: Path, st: os.stat_result | None = None) -> bool:
    """Whether the user may write the file itself, as Excel decides it: a file without any write
    bit is read-only for everyone (root too); otherwise the system's answer for this user (owner,
    group and other bits, ACLs). The folder's permissions do not matter: the replace goes through
    a rename, which a writable folder would allow for any file in it."""
    st = st or path.stat()
    if not stat.S_IMODE(st.st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


def check_not_open(path: Path, *aliases: Path) -> None:
    """Refuse a workbook that is open in an office program, or that the user may not write.
    ``aliases``: other names of the same file (a symbolic link the user named)."""
    if not writable(path):
        raise UnsafeWrite(L("工作簿 {n} 是只读文件（或您没有写入权限），不会被修改。如需写入，请先取消只读属性或取得写入权限。",
                            "Workbook {n} is read-only (or you may not write it); it will not be changed. Clear the "
                            "read-only flag or get write permission first.").format(n=path.name))
    for f in [f for p in (path, *aliases) for f in owner_files(p)]:
        if f.exists():
            raise WorkbookInUse(L("工作簿 {n} 正在被 Excel/WPS/LibreOffice 打开（发现 {f}）。请先保存并关闭它，再运行本命令。",
                                  "Workbook {n} is open in Excel/WPS/LibreOffice ({f} exists). "
                                  "Save and close it, then run this command again.").format(n=path.name, f=f.name))


if os.name == "nt":  # Windows has no fcntl: msvcrt locks the lock file's first byte the same way
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(path: Path) -> Path:
    return path.with_name("." + path.name + LOCK_SUFFIX)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an advisory lock beside the workbook for the whole write (non-blocking)."""
    lp = lock_path(path)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UnsafeWrite(L("无法在文件夹 {d} 中写入（{e}），工作簿未被修改。",
                            "Cannot write in folder {d} ({e}); the workbook was not changed.")
                          .format(d=path.parent, e=exc.strerror or exc)) from exc
    try:
        try:
            _try_lock(fd)
        except OSError as exc:
            raise _busy(path) from exc
        try:
            same = os.fstat(fd).st_ino == os.stat(lp).st_ino
        except OSError:
            same = False
        if not same:  # the holder removed the lock file between our open and our flock
            _unlock(fd)
            raise _busy(path)
        remove_stale_temps(path)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lp)
            _unlock(fd)
    finally:
        os.close(fd)


def _busy(path: Path) -> WorkbookInUse:
    return WorkbookInUse(L("另一个 wbt 进程正在写入工作簿 {n}，请等它结束后再试。",
                           "Another wbt run is writing workbook {n}; wait for it to finish.").format(n=path.name))


def temp_glob(path: Path) -> list[Path]:
    return sorted(path.parent.glob(TMP_PREFIX + path.name + ".*"))


def remove_stale_temps(path: Path) -> None:
    """Temp files left by a run that was killed; safe to remove while we hold the lock."""
    for p in temp_glob(path):
        with contextlib.suppress(OSError):
            p.unlink()


# ---- backups ---------------------------------------------------------------------------------------
def backup_name(path: Path, now: dt.datetime) -> Path:
    folder = path.parent / BACKUP_DIR
    base = f"{path.stem}.{now:%Y%m%d-%H%M%S}"
    target = folder / f"{base}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{path.suffix}"
    return target


def make_backup(path: Path, now: dt.datetime, target: Path | None = None, data: bytes | None = None) -> Path:
    """A copy of the workbook in the backup folder (``target``: the name chosen before, see
    backup_name; ``data``: the workbook's bytes as the write read them). It is never more open than
    the workbook itself nor than the user's umask allows."""
    target = target or backup_name(path, now)
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    try:
        if data is None:
            shutil.copyfile(path, tmp)  # mtime = when the backup was made: pruning keeps the newest
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        os.chmod(tmp, stat.S_IMODE(os.stat(tmp).st_mode) & stat.S_IMODE(path.stat().st_mode))
        fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def _backup_pattern(path: Path) -> re.Pattern[str]:
    """Exactly the names :func:`backup_name` gives ``path``'s backups (``team.xlsx`` never claims
    ``team.2025.xlsx``'s)."""
    return re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}(?:-\d+)?" + re.escape(path.suffix))


def list_backups(path: Path) -> list[Path]:
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    mine = _backup_pattern(path)
    found = [p for p in folder.iterdir() if mine.fullmatch(p.name) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def prune_backups(path: Path, keep: int, spare: frozenset[str] = frozenset()) -> None:
    """Keep the newest ``keep`` backups of ``path``, and those named in ``spare`` (the backups of a
    run still going on, which its undo needs); delete the others."""
    backups = list_backups(path)
    for p in backups[:max(0, len(backups) - keep)]:
        if p.name not in spare:
            with contextlib.suppress(OSError):
                p.unlink()


# ---- the write ---------------------------------------------------------------------------------------
def write_temp(path: Path, save: Callable[[Path], None]) -> Path:
    """Write the new file beside the original with ``save`` and fsync it."""
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        save(tmp)
        keep_owner(tmp, path.stat())
        fsync_file(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def keep_owner(tmp: Path, st: os.stat_result) -> None:
    """Give the new file the workbook's owner and group where the system allows it (root can; a
    user can keep a group they belong to), then its permission bits (chown clears set-id bits)."""
    if hasattr(os, "chown"):
        for uid, gid in ((st.st_uid, st.st_gid), (-1, st.st_gid)):
            try:
                os.chown(tmp, uid, gid)
                break
            except OSError:
                continue
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


def replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    fsync_dir(path.parent)


def restore(backup: Path, path: Path) -> None:
    """Put the backup back in place atomically (a copy, so the backup itself stays)."""
    tmp = write_temp(path, lambda t: shutil.copyfile(backup, t))
    replace(tmp, path)
