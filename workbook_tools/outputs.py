"""Every file the tool makes besides the user's workbook goes through here: reports (HTML,
Markdown, a separate review workbook), exports and the add-in.

* **Never clobber.** An existing file is replaced only when this tool wrote it there itself and
  nobody changed it since, and only by an output of the same kind and key (the same report
  period of the same workbook, the same export of the same workbook); anything else needs
  ``--force``. How the tool knows its own files: a small manifest beside them,
  ``.wbt-outputs.json``, holds each file's kind, key and SHA-256. A hash, not a marker inside the
  file, because a marker survives what must stop a replace: a report edited by hand, a masked
  copy opened and saved in Excel (custom properties are kept), a file copied from elsewhere. A
  file that is not in the manifest, or whose bytes changed, is not the tool's.
* **Never the source.** No output may be the source workbook (real paths and ``samefile``, so
  symbolic links, hard links and case-insensitive file systems are covered), a backup or the
  backup folder, a lock or owner file, a temp file of the writer, or the manifest.
* **Atomic, normal permissions.** Written to a temp file in the same folder, permissions set from
  the umask (as any new file gets them), fsynced, then moved into place; a new file is linked in
  with ``os.link`` so a file that appeared meanwhile is never replaced.

Refusals are :class:`OutputRefused` (exit 2), raised before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import WbtError
from .fsync import fsync_dir, fsync_file
from .i18n import L
from .writer.safety import BACKUP_DIR, LOCK_SUFFIX, OWNER_PREFIXES
from .writer.safety import TMP_PREFIX as _WRITER_TMP_PREFIX

MANIFEST = ".wbt-outputs.json"
TMP_PREFIX = ".wbt-out-"
_MANIFEST_MAX = 4 << 20
# names the writer and office programs use beside a workbook: never an output
_RESERVED_PREFIXES = (*OWNER_PREFIXES, _WRITER_TMP_PREFIX, TMP_PREFIX)
_RESERVED_SUFFIXES = (LOCK_SUFFIX,)


class OutputRefused(WbtError):
    """An output path that must not be written (exists and is not ours, is the source …)."""


@dataclass(frozen=True)
class Target:
    """A checked output path. ``path`` is where the bytes go (symbolic links resolved)."""

    path: Path
    given: Path
    kind: str
    key: str
    replaces: bool            # an existing file is replaced (the tool's own, or --force)
    expect: str | None = None  # SHA-256 the replaced file must still have (None: --force)


def umask() -> int:
    """The process umask, without changing it (Linux: /proc; elsewhere set and restore)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def file_mode() -> int:
    return 0o666 & ~umask()


def _refuse(path: Path, zh: str, en: str, hint: L | None = None) -> OutputRefused:
    return OutputRefused(L(f"不会写入 {path}：{zh}", f"Will not write {path}: {en}"), hint=hint)


def _force_hint() -> L:
    return L("换一个输出路径，或确认可以替换后加 --force", "Choose another output path, or add --force if it may be replaced")


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def protected(path: Path, source: Path | None = None) -> L | None:
    """Why ``path`` may never be an output, or None."""
    real = Path(os.path.realpath(path))
    if source is not None and (_same(real, source) or _same(path, source)):
        return L("这是源工作簿本身", "it is the source workbook itself")
    parts = [p.casefold() for p in (*Path(os.path.abspath(path)).parts, *real.parts)]
    if BACKUP_DIR in parts:
        return L(f"它位于备份文件夹 {BACKUP_DIR} 中", f"it lies in the backup folder {BACKUP_DIR}")
    for name in {path.name, real.name}:
        low = name.casefold()
        if low.startswith(_RESERVED_PREFIXES) or low.endswith(_RESERVED_SUFFIXES) or low == MANIFEST:
            return L("这是工作簿的锁定文件、临时文件或本工具的记录文件", "it is a lock, owner or temp file of a "
                     "workbook, or the tool's own record of its outputs")
    return None


def source_key(source: str | Path, *parts: str) -> str:
    """The key of an output made from the workbook ``source`` (its real path) and ``parts`` (the
    month, the export's variant): an output may replace only the tool's output with the same key."""
    return "|".join([*parts, os.path.realpath(source)])


def plan(path: str | Path, *, kind: str, key: str = "", source: str | Path | None = None,
         force: bool = False) -> Target:
    """Check that ``path`` may receive an output of ``kind``/``key``; refuse (OutputRefused) if not."""
    given = Path(path)
    src = Path(source) if source is not None else None
    why = protected(given, src)
    if why is not None:
        raise _refuse(given, why.zh, why.en)
    real = Path(os.path.realpath(given))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return Target(real, given, kind, key, False)
    except OSError as exc:
        raise _refuse(given, f"无法检查该路径（{exc.strerror}）", f"cannot check the path ({exc.strerror})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(given, "这是一个文件夹", "it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(given, "这不是普通文件（管道、设备或套接字）", "it is not a regular file (a pipe, device or socket)")
    if not os.access(real, os.W_OK) or not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise _refuse(given, "文件是只读的", "the file is read-only",
                      L("先取消只读属性，或换一个输出路径", "Clear the read-only flag first, or choose another path"))
    if force:
        return Target(real, given, kind, key, True)
    entry = _manifest(real.parent).get(real.name)
    if entry is None:
        raise _refuse(given, "文件已存在，且不是本工具写在这里的", "the file exists and was not written there by this "
                      "tool", _force_hint())
    if entry.get("kind") != kind or entry.get("key") != key:
        raise _refuse(given, f"这是本工具的另一份输出（{entry.get('kind')} {entry.get('key')}）",
                      f"it is another output of this tool ({entry.get('kind')} {entry.get('key')})", _force_hint())
    sha = digest(real) if entry.get("size") == st.st_size else None
    if sha is None or entry.get("sha256") != sha:
        raise _changed(given)
    return Target(real, given, kind, key, True, sha)


def _changed(given: Path) -> OutputRefused:
    return _refuse(given, "本工具写入后，文件已被修改（可能被打开后保存过）", "the file was changed after this tool wrote it "
                   "(perhaps opened and saved)", _force_hint())


def plan_all(specs: Sequence[tuple[str | Path, str, str]], *, source: str | Path | None = None,
             force: bool = False) -> list[Target]:
    """:func:`plan` for several outputs of one command ((path, kind, key) each); two of them may
    not name the same file."""
    targets = [plan(p, kind=k, key=key, source=source, force=force) for p, k, key in specs]
    seen: dict[str, Target] = {}
    for t in targets:
        norm = os.path.normcase(str(t.path)).casefold()
        if norm in seen:
            raise _refuse(t.given, f"与 {seen[norm].given} 是同一个文件", f"it is the same file as {seen[norm].given}")
        seen[norm] = t
    return targets


# ---- writing -------------------------------------------------------------------------------------
def temp_path(folder: Path, name: str) -> Path:
    """A new, empty temp file in ``folder`` (created with the umask's permissions; the name keeps
    ``name``'s suffix, so libraries that look at it see .xlsx/.html)."""
    while True:
        tmp = folder / f"{TMP_PREFIX}{secrets.token_hex(4)}-{name}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue


def prepare(target: Target, save: Callable[[Path], object]) -> Path:
    """Write the output into a temp file beside the target with ``save(tmp)``: normal permissions,
    fsynced. The caller moves it in with :func:`commit` (or removes it)."""
    folder = target.path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(folder, target.path.name)
    except OSError as exc:
        raise _refuse(target.given, f"无法在文件夹中写入（{exc.strerror}）", f"cannot write in its folder ({exc.strerror})") \
            from exc
    try:
        save(tmp)
        os.chmod(tmp, file_mode())  # save() may have replaced tmp with a 0600 temp file of its own
        fsync_file(tmp, strict=False)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def commit(target: Target, tmp: Path, *, record: bool = True) -> Path:
    """Move ``tmp`` onto the target: a link when the target is new (fails if a file appeared there
    meanwhile, which is then left alone), an atomic replace of the tool's own earlier output."""
    try:
        if target.replaces:
            _check_unchanged(target)
            os.replace(tmp, target.path)
        else:
            try:
                os.link(tmp, target.path)
            except FileExistsError:
                raise _refuse(target.given, "写入期间有别的程序在此创建了文件", "another program created the file "
                              "while it was being written") from None
            except OSError:  # no hard links here (FAT, some network shares): replace if still absent
                if target.path.exists():
                    raise _refuse(target.given, "写入期间有别的程序在此创建了文件", "another program created the file "
                                  "while it was being written") from None
                os.replace(tmp, target.path)
    finally:  # the temp name goes (after a link, the file stays under the target's name)
        with contextlib.suppress(OSError):
            tmp.unlink()
    fsync_dir(target.path.parent)
    if record:
        remember([target])
    return target.given


def _check_unchanged(target: Target) -> None:
    """The tool's own earlier output must still be what was checked (nobody saved over it since)."""
    if target.expect is not None and _digest_or_none(target.path) not in (target.expect, None):
        raise _changed(target.given)


def write_with(target: Target, save: Callable[[Path], object]) -> Path:
    """Write one output atomically with ``save(tmp_path)``; returns the path as given."""
    return commit(target, prepare(target, save))


def write_all(items: Sequence[tuple[Target, Callable[[Path], object]]]) -> list[Path]:
    """Write several outputs all or none: every file is made in a temp file first; then they are
    moved in one by one, and if one move fails the ones already moved are undone (an earlier
    output put back, a new file removed). Returns the paths as given."""
    tmps: list[Path] = []
    try:
        for target, save in items:
            tmps.append(prepare(target, save))
    except BaseException:
        for tmp in tmps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    done: list[tuple[Target, Path | None]] = []   # (moved in, the earlier file kept aside)
    try:
        for (target, _), tmp in zip(items, tmps):
            aside = None
            if target.replaces and target.path.exists():
                _check_unchanged(target)
                aside = temp_path(target.path.parent, target.path.name)
                os.replace(target.path, aside)
                done.append((target, aside))
                os.replace(tmp, target.path)
            else:
                commit(target, tmp, record=False)
                done.append((target, None))
    except BaseException:
        for target, aside in reversed(done):
            with contextlib.suppress(OSError):
                if aside is not None:
                    os.replace(aside, target.path)
                else:
                    target.path.unlink()
        for tmp in tmps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    for _, aside in done:
        if aside is not None:
            with contextlib.suppress(OSError):
                aside.unlink()
    remember([t for t, _ in items])
    return [t.given for t, _ in items]


def write_bytes(target: Target, data: bytes) -> Path:
    return write_with(target, lambda p: p.write_bytes(data))


def write_text(target: Target, text: str) -> Path:
    return write_with(target, lambda p: p.write_bytes(text.encode("utf-8")))


# ---- the manifest ---------------------------------------------------------------------------------
def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _digest_or_none(path: Path) -> str | None:
    try:
        return digest(path)
    except FileNotFoundError:
        return None


def _manifest(folder: Path) -> dict[str, dict[str, object]]:
    """The folder's record of the tool's outputs (empty when missing, unreadable or not ours)."""
    try:
        with open(folder / MANIFEST, "rb") as fh:
            raw = fh.read(_MANIFEST_MAX + 1)
        data = json.loads(raw) if len(raw) <= _MANIFEST_MAX else {}
        files = data.get("files") if isinstance(data, dict) else None
        return {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def remember(targets: Sequence[Target]) -> None:
    """Record the files just written (kind, key, size, SHA-256) in their folders' manifests.
    Entries of files that are gone are dropped. Best effort: a manifest that cannot be written
    only means the next run asks for --force."""
    by_folder: dict[Path, list[Target]] = {}
    for t in targets:
        by_folder.setdefault(t.path.parent, []).append(t)
    for folder, items in by_folder.items():
        files = {k: v for k, v in _manifest(folder).items() if (folder / k).is_file()}
        for t in items:
            with contextlib.suppress(OSError):
                files[t.path.name] = {"kind": t.kind, "key": t.key, "size": t.path.stat().st_size,
                                      "sha256": digest(t.path)}
        text = json.dumps({"format": 1, "files": files}, ensure_ascii=False, indent=1, sort_keys=True)
        with contextlib.suppress(OSError):
            target = Target(folder / MANIFEST, folder / MANIFEST, "manifest", "", True)
            commit(target, prepare(target, lambda p, s=text: p.write_text(s, encoding="utf-8")), record=False)
