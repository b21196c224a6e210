"""Running ``validate`` or ``month-end`` on every workbook of a folder, on all cores.

Every workbook runs in a process of its own, started for it alone (at most one per two cores at a
time, since the reader itself uses two threads): a broken file gives its error line, and even a
worker that dies hard (SIGABRT from a native library, SIGSEGV, the kernel's out-of-memory kill)
only fails its own file — the others go on and the summary comes at the end. (A pool would
not do: ProcessPoolExecutor breaks for good when one worker dies.) The result is one
:class:`FolderReport`: a line per file, totals, and the rules that fire most across the folder.

Test hook: ``WBT_TEST_CRASH=<file name>[:abort|segv|kill]`` makes the worker of that file die
that way (tests prove the isolation with a real crash).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ..i18n import L, current_lang, plural, set_lang, tr

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
    os.environ.update(kw.pop("env", {}))
    _test_crash(path)
    t0 = time.perf_counter()
    out: dict[str, Any] = {"file": path, "ok": True}
    try:
        if action == "validate":
            from ..ops.validate import run_validate
            from ..reader import read_workbook

            res = run_validate(read_workbook(path), as_of=kw.get("as_of"))
            st = res.stats
            out.update(errors=st["errors"], warnings=st["warnings"], infos=st["infos"],
                       by_code={c: v.get("error", 0) + v.get("warning", 0) for c, v in st["by_code"].items()},
                       findings=[f.to_dict(lang) for f in res.findings if f.severity == "error"][:MAX_FINDINGS_PER_FILE])
        elif action == "month_end":
            from .month_end import run_month_end

            rep = run_month_end(path, month=kw["month"], as_of=kw.get("as_of"), dry_run=kw.get("dry_run", False),
                                lang=lang, force=kw.get("force", False))
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


def _test_crash(path: str) -> None:
    """The test hook: die hard on the file named by WBT_TEST_CRASH (see the module doc)."""
    hook = os.environ.get("WBT_TEST_CRASH", "")
    name, _, how = hook.partition(":")
    if not name or Path(path).name != name:
        return
    try:  # no core file from a crash made on purpose
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if how == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    os.abort()


def _child(job: tuple[str, str, dict[str, Any]], conn: Connection) -> None:
    try:
        conn.send(_one(job))
    finally:
        conn.close()


def _context() -> Any:
    """forkserver where there is one (a clean server process forks the workers, with the heavy
    imports done once), else spawn (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["workbook_tools.jobs.folder", "workbook_tools.reader", "workbook_tools.ops.validate",
                                    "workbook_tools.jobs.month_end"])
        return ctx
    return multiprocessing.get_context("spawn")


def _died(path: str, exitcode: int | None) -> dict[str, Any]:
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"signal {-exitcode}"
        what = L(f"处理该文件的进程意外终止（{how}：文件可能已损坏，或内存不足）；其余文件照常处理",
                 f"the process handling this file died ({how}: the file may be damaged, or memory ran out); "
                 "the other files went on")
    else:
        what = L(f"处理该文件的进程意外退出（退出码 {exitcode}）；其余文件照常处理",
                 f"the process handling this file exited unexpectedly (exit code {exitcode}); the other files went on")
    return {"file": path, "ok": False, "message": what.get(), "crashed": True}


def run_isolated(jobs: list[tuple[str, str, dict[str, Any]]], workers: int,
                 done: Callable[[dict[str, Any]], None]) -> None:
    """Run each job in a process of its own, at most ``workers`` at a time; ``done(result)`` for
    each as it ends — its own result, or an error line when its process died without one."""
    ctx = _context()
    pending = list(jobs)
    running: dict[Any, tuple[Any, Connection, str]] = {}   # sentinel -> (process, connection, path)
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(job, send), daemon=True)
                proc.start()
                send.close()
                running[proc.sentinel] = (proc, recv, job[1])
            # wait for a result or for a process to end (a big result is read before the child exits)
            ready = wait([*running, *(c for _, c, _ in running.values())])
            for sentinel in list(running):
                proc, conn, path = running[sentinel]
                if conn not in ready and sentinel not in ready:
                    continue
                result = None
                try:
                    if conn.poll():
                        result = conn.recv()
                except (EOFError, OSError):  # closed without a result: the process is dying
                    result = None
                proc.join()
                conn.close()
                del running[sentinel]
                done(result if result is not None else _died(path, proc.exitcode))
    finally:
        for proc, conn, _ in running.values():
            proc.kill()
            proc.join()
            conn.close()


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
        lines = [L("文件夹 {d}：{n} 个工作簿，{b} 个无法处理，共 {e} 个错误（{s:.1f} 秒，{w} 个进程）",
                   "Folder {d}: {N}, {b} could not be processed, {E} in all ({s:.1f} s, {W})").format(
            d=self.folder, n=len(self.files), b=len(self.broken), e=self.errors, s=self.seconds, w=self.workers,
            N=plural(len(self.files), "workbook"), E=plural(self.errors, "error"),
            W=plural(self.workers, "process", "processes")).get()]
        for f in self.files:
            name = Path(f["file"]).name
            if f["ok"]:
                lines.append(L("  {f}: 错误 {e}，警告 {w}", "  {f}: {E}, {W}").format(
                    f=name, e=f.get("errors", 0), w=f.get("warnings", 0), E=plural(f.get("errors", 0), "error"),
                    W=plural(f.get("warnings", 0), "warning")).get())
            else:
                lines.append(tr("  {f}: 无法处理 — {m}", "  {f}: failed — {m}", f=name, m=f["message"]))
        top = self.top_rules()
        if top:
            lines.append(tr("  最常见的问题：", "  Most frequent problems:"))
            for code, k, n in top:
                lines.append(L("    {c}: {k} 处，{n} 个文件", "    {c}: {K} in {N}").format(
                    c=code, k=k, n=n, K=plural(k, "finding"), N=plural(n, "file")).get())
        return "\n".join(lines)


def run_folder(folder: str | Path, action: str, *, as_of: dt.date | None = None, month: str | None = None,
               dry_run: bool = False, workers: int | None = None, force: bool = False,
               progress: Callable[[int, int, str], None] | None = None) -> FolderReport:
    """Run ``action`` ("validate" or "month_end") on every workbook in ``folder``, each in a
    process of its own (:func:`run_isolated`). ``force``: month-end may replace HTML reports."""
    t0 = time.perf_counter()
    paths = list_workbooks(folder)
    n = len(paths)
    workers = max(1, min(workers or default_workers(), n or 1))
    rep = FolderReport(Path(folder), action, workers=workers)
    # the workers get the language and the WBT_* settings of this run (a forkserver started
    # earlier would otherwise hand them its own environment)
    env = {k: v for k, v in os.environ.items() if k.startswith("WBT_")}
    kw = {"as_of": as_of, "month": month, "dry_run": dry_run, "force": force, "lang": current_lang(), "env": env}
    jobs = [(action, str(p), dict(kw)) for p in paths]
    results: dict[str, dict[str, Any]] = {}

    def done(result: dict[str, Any]) -> None:
        results[result["file"]] = result
        if progress:
            progress(len(results), n, Path(result["file"]).name)

    run_isolated(jobs, workers, done)
    rep.files = [results[str(p)] for p in paths]
    rep.seconds = time.perf_counter() - t0
    return rep
