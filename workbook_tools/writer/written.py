"""What this process has written so far, so that a failure later in the same run can say exactly
what was written and what was not (a month end writes the workbook, then its HTML report)."""

from __future__ import annotations

from pathlib import Path

from ..i18n import L

_WRITES: list[tuple[Path, Path | None]] = []


def record(path: Path, backup: Path | None) -> None:
    """A workbook (or another output) was written in full; ``backup``: its backup, if one was kept."""
    _WRITES.append((path, backup))


def forget(path: Path) -> None:
    """``path`` was put back as it was (its write was undone)."""
    _WRITES[:] = [w for w in _WRITES if w[0] != path]


def clear() -> None:
    _WRITES.clear()


def entries() -> list[tuple[Path, Path | None]]:
    return list(_WRITES)


def summary() -> L:
    """What the run has written, for a message after a failure (or that nothing was)."""
    if not _WRITES:
        return L("文件未被修改。", "The file was not changed.")
    zh, en = [], []
    for path, backup in _WRITES:
        zh.append(f"{path}" + (f"（修改前的备份：{backup}）" if backup else ""))
        en.append(f"{path}" + (f" (backup of the state before: {backup})" if backup else ""))
    return L("本次运行已写入：" + "；".join(zh) + "。", "This run has written: " + "; ".join(en) + ".")
