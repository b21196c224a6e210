"""Running ``validate`` or ``month-end`` on every workbook of a folder, on all cores.

Each workbook runs in its own process (ProcessPoolExecutor, one process per two cores since the
reader itself uses two threads); a broken file gives its error line
and the others go on. The result is one :class:`FolderReport`: a line per file, totals, and the
rules that fire most across the folder (the consolidated review).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import current_lang, set_lang, tr

SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_FINDINGS_PER_FILE = 20


def default_workers() -> int:
    """One process per two cores: the reader already parses a workbook on two threads, and on a
    2-core machine two processes measured slower than one (docs/import-export.md)."""
    return max(1, (os.cpu_count() or 1) // 2)


def list_workbooks(folder: str | Path) -> list[Path]:
    """The workbooks directly in ``folder`` (Office lock files ~$… and hidden files skipped), sorted."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not p.name.startswith(("~$", ".")))


def _one(job: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """Worker: one file, never raises (a failure is the file's error line)."""
    action, path, kw = job
    lang = kw.pop("lang", None)
    set_lang(lang)
    t0 = time.perf_counter()
    out: dict[str, Any] = {"file": path, "ok": True}
    try:
        if action == "validate":
            from ..reader import read_workbook
            from .validate import run_validate

            res = run_validate(read_workbook(path), as_of=kw.get("as_of"))
            st = res.stats
            out.update(errors=st["errors"], warnings=st["warnings"], infos=st["infos"],
                       by_code={c: v.get("error", 0) + v.get("warning", 0) for c, v in st["by_code"].items()},
                       findings=[f.to_dict(lang) for f in res.findings if f.severity == "error"][:MAX_FINDINGS_PER_FILE])
        elif action == "month_end":
            from .month_end import run_month_end

            rep = run_month_end(path, month=kw["month"], as_of=kw.get("as_of"), dry_run=kw.get("dry_run", False),
                                lang=lang)
            d = rep.to_dict(lang)
            out.update(errors=rep.errors, warnings=sum(s.warnings for s in rep.steps), kpis=d["kpis"],
                       review_sheet=d["review_sheet"], html=d["html"], backup=d["backup"],
                       by_code=dict(Counter(f.code for f in rep.findings if f.severity in ("error", "warning"))))
        else:
            raise ValueError(action)
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the folder
        from ..errors import WbtError

        out["ok"] = False
        out["message"] = exc.render(lang) if isinstance(exc, WbtError) else f"{type(exc).__name__}: {exc}"
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


@dataclass
class FolderReport:
    folder: Path
    action: str
    files: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def broken(self) -> list[dict[str, Any]]:
        return [f for f in self.files if not f["ok"]]

    @property
    def errors(self) -> int:
        return sum(f.get("errors", 0) for f in self.files)

    def top_rules(self, n: int = 10) -> list[tuple[str, int, int]]:
        """(rule code, findings, files) most frequent across the folder."""
        total: Counter[str] = Counter()
        files: Counter[str] = Counter()
        for f in self.files:
            for code, k in f.get("by_code", {}).items():
                total[code] += k
                files[code] += 1 if k else 0
        return [(c, k, files[c]) for c, k in total.most_common(n) if k]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "action": self.action, "files": self.files, "seconds": round(self.seconds, 3),
                "workers": self.workers, "totals": {"files": len(self.files), "broken": len(self.broken),
                                                     "errors": self.errors,
                                                     "warnings": sum(f.get("warnings", 0) for f in self.files)},
                "top_rules": [{"code": c, "findings": k, "files": n} for c, k, n in self.top_rules()]}

    def text(self) -> str:
        lines = [tr("文件夹 {d}：{n} 个工作簿，{b} 个无法处理，共 {e} 个错误（{s:.1f} 秒，{w} 个进程）",
                    "Folder {d}: {n} workbooks, {b} could not be processed, {e} errors in all ({s:.1f} s, {w} processes)",
                    d=self.folder, n=len(self.files), b=len(self.broken), e=self.errors, s=self.seconds, w=self.workers)]
        for f in self.files:
            name = Path(f["file"]).name
            if f["ok"]:
                lines.append(tr("  {f}: 错误 {e}，警告 {w}", "  {f}: {e} errors, {w} warnings", f=name,
                                e=f.get("errors", 0), w=f.get("warnings", 0)))
            else:
                lines.append(tr("  {f}: 无法处理 — {m}", "  {f}: failed — {m}", f=name, m=f["message"]))
        top = self.top_rules()
        if top:
            lines.append(tr("  最常见的问题：", "  Most frequent problems:"))
            for code, k, n in top:
                lines.append(tr("    {c}: {k} 处，{n} 个文件", "    {c}: {k} findings in {n} files", c=code, k=k, n=n))
        return "\n".join(lines)


def run_folder(folder: str | Path, action: str, *, as_of: dt.date | None = None, month: str | None = None,
               dry_run: bool = False, workers: int | None = None,
               progress: Callable[[int, int, str], None] | None = None) -> FolderReport:
    """Run ``action`` ("validate" or "month_end") on every workbook in ``folder``."""
    t0 = time.perf_counter()
    paths = list_workbooks(folder)
    n = len(paths)
    workers = max(1, min(workers or default_workers(), n or 1))
    rep = FolderReport(Path(folder), action, workers=workers)
    kw = {"as_of": as_of, "month": month, "dry_run": dry_run, "lang": current_lang()}
    jobs = [(action, str(p), dict(kw)) for p in paths]
    results: dict[str, dict[str, Any]] = {}
    if workers == 1:
        for i, job in enumerate(jobs, 1):
            results[job[1]] = _one(job)
            if progress:
                progress(i, n, Path(job[1]).name)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futs = {pool.submit(_one, job): job[1] for job in jobs}
            for i, fut in enumerate(as_completed(futs), 1):
                path = futs[fut]
                try:
                    results[path] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died (memory, crash)
                    results[path] = {"file": path, "ok": False, "message": f"{type(exc).__name__}: {exc}"}
                if progress:
                    progress(i, n, Path(path).name)
    rep.files = [results[str(p)] for p in paths]
    rep.seconds = time.perf_counter() - t0
    return rep


def folder_command(folder: Path, action: str, *, as_of: dt.date | None, month: str | None = None,
                   dry_run: bool = False, as_json: bool = False) -> int:
    """CLI entry for ``wbt validate DIR`` / ``wbt month-end DIR``: progress bar, summary; returns the exit code
    (2 when a file could not be processed or the folder holds no workbook, 1 when errors were found)."""
    import click
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..cli.common import emit_json

    if not list_workbooks(folder):
        click.echo(tr("文件夹 {d} 中没有工作簿（.xlsx/.xlsm/.xls）", "No workbooks (.xlsx/.xlsm/.xls) in {d}", d=folder),
                   err=True)
        return 2
    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(tr("处理文件夹", "Processing folder"), total=None)

        def progress(i: int, n: int, name: str) -> None:
            bar.update(task, completed=i, total=n, description=name)

        rep = run_folder(folder, action, as_of=as_of, month=month, dry_run=dry_run, progress=progress)
    if as_json:
        emit_json(rep.to_dict())
    else:
        click.echo(rep.text())
    return 2 if rep.broken else 1 if rep.errors else 0
