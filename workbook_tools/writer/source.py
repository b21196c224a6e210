"""The file a write patches is the file that was read: a plan made from a model carries
the model's :class:`~workbook_tools.stamp.SourceStamp`; the writer compares it with the bytes it
reads, and checks the file on disk once more as it puts the new file in place.

On Linux the new file is swapped in with ``renameat2(RENAME_EXCHANGE)``: both names stay, so the
file that was taken out can be checked *after* the swap, and swapped back if another program saved
it in the meantime. That leaves no moment between the last check and the replace. Elsewhere (or
on a file system without the call) the check comes right before ``os.replace``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..errors import SourceChanged
from ..i18n import L
from ..stamp import SourceStamp
from . import safety
from .package import Package
from .zipio import stat_key

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def check_plan(pkg: Package, source: SourceStamp, path: Path) -> None:
    """Refuse to patch a file other than the one the plan was made from (compared part by part:
    a byte-identical copy is the same file)."""
    changed = source.changed_parts(pkg.stamp) if pkg.stamp is not None else ["?"]
    if not changed:
        return
    if source.path != path:
        raise SourceChanged(L("这些修改是根据另一个文件 {a} 计算的，与 {b} 的内容不同，未写入。",
                              "These changes were planned on another file, {a}, whose content differs from {b}; "
                              "nothing was written.").format(a=source.path, b=path.name))
    raise source_changed(path, describe_parts(pkg, changed))


def describe_parts(pkg: Package, parts: list[str]) -> str:
    """Changed parts as a user knows them: the sheets by name, other parts by their part name."""
    try:
        sheets = {s.part: s.name for s in pkg.sheets()}
    except Exception:  # noqa: BLE001 - only for a message
        sheets = {}
    names = list(dict.fromkeys(sheets.get(p.replace("\\", "/"), p) for p in parts))
    return ", ".join(names[:4]) + (" …" if len(names) > 4 else "")


def source_changed(path: Path, what: str) -> SourceChanged:
    return SourceChanged(L("工作簿 {n} 在读取之后被其他程序修改过（{w}）：行可能已经移动，为免写错行，本次没有写入。"
                           "请重新运行本命令。",
                           "Workbook {n} was changed by another program after it was read ({w}): rows may have "
                           "moved, so nothing was written. Run the command again.").format(n=path.name, w=what))


def changed_since(path: Path, pkg: Package, *, trust_stat: bool = True) -> list[str]:
    """Parts of the file at ``path`` that differ from the package as the write read it: none when
    its stat is unchanged (``trust_stat``), else its zip directory compared part by part."""
    assert pkg.stamp is not None and pkg.opened is not None
    try:
        if trust_stat and stat_key(os.stat(path)) == stat_key(pkg.opened):
            return []
        return pkg.stamp.changed_parts(SourceStamp.of_file(path))
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):  # gone, or half written
        return ["?"]


def put_in_place(tmp: Path, path: Path, pkg: Package) -> None:
    """Replace ``path`` by ``tmp`` unless another program changed ``path`` since ``pkg`` was read
    (SourceChanged: ``path`` is left as that program saved it)."""
    def check(file: Path, swapped: bool) -> None:
        changed = changed_since(file, pkg, trust_stat=not swapped)  # a rename sets the ctime of what it moved
        if changed:
            raise source_changed(path, describe_parts(pkg, changed))

    swap_in(tmp, path, check)


def swap_in(tmp: Path, path: Path, check: Callable[[Path, bool], None]) -> None:
    """Replace ``path`` by ``tmp`` unless ``check(file, swapped)`` raises: it is given the file that
    is being replaced (``swapped``: already taken out by the exchange, now at ``tmp``'s name, and
    then swapped back when it raises) and refuses when that file is not the one that was read."""
    if _exchange(tmp, path):
        try:
            check(tmp, True)
        except BaseException:
            _exchange(tmp, path)  # theirs goes back
            raise
        os.unlink(tmp)
        safety.fsync_dir(path.parent)
        return
    check(path, False)
    os.replace(tmp, path)
    safety.fsync_dir(path.parent)


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        fn = ctypes.CDLL(None, use_errno=True).renameat2
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        fn.restype = ctypes.c_int
        return fn  # type: ignore[no-any-return]
    return None


_RENAMEAT2 = _renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically; False where the system or the file system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOENT):
        return False
    raise OSError(err, os.strerror(err), str(b))
