"""Reading two versions of a workbook and comparing them, for ``wbt diff`` and ``wbt undo``."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import outputs
from ..errors import WbtError
from ..i18n import L
from ..model import Grid
from ..ops.diff import WorkbookDiff, diff_workbooks
from ..reader.grid import identical_sheets, open_book, read_grids


@dataclass
class Comparison:
    diff: WorkbookDiff
    old: dict[str, Grid]
    new: dict[str, Grid]


def compare_files(old: Path, new: Path, old_label: str | None = None, new_label: str | None = None) -> Comparison:
    """Every differing cell of ``old`` and ``new``. Sheets whose parts are the same bytes are not
    parsed; the others are read from both files at once (calamine works without the GIL)."""
    for p in (old, new):
        if not p.is_file():
            raise WbtError(L("找不到文件：{p}", "File not found: {p}").format(p=p))
    a, b = open_book(old), open_book(new)
    same = identical_sheets(a, b)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="wbt-diff") as pool:
        fa = pool.submit(read_grids, a, [n for n in a.sheets if n not in same])
        fb = pool.submit(read_grids, b, [n for n in b.sheets if n not in same])
        grids_old, grids_new = fa.result(), fb.result()
    diff = diff_workbooks(old_label or str(old), new_label or str(new), a.sheets, b.sheets, grids_old, grids_new,
                          same)
    return Comparison(diff, grids_old, grids_new)


def check_new_file(out: Path, sources: list[Path], force: bool) -> outputs.Target:
    """Where ``wbt diff --out`` may write (:func:`workbook_tools.outputs.plan`): never one of the
    compared files, an existing file only with ``force`` or when it is this tool's unchanged diff."""
    for src in sources:
        if out.resolve() == src.resolve() or (out.exists() and src.exists() and out.samefile(src)):
            raise WbtError(L("输出文件不能是被比较的文件本身：{p}", "The output must not be one of the compared files: {p}")
                           .format(p=out))
    if not out.parent.is_dir():
        raise WbtError(L("文件夹 {d} 不存在。", "Folder {d} does not exist.").format(d=out.parent))
    return outputs.plan(out, kind="diff", key=outputs.source_key(sources[-1], "diff", os.path.realpath(sources[0])),
                        source=sources[-1], force=force)
