"""Write benchmark: 10,000 cell edits with the changeset writer vs an openpyxl load+save of the
same file vs a python-calamine read of every sheet.

    .venv/bin/python -m benchmarks.bench_write [--customers 10000] [--file FILE]

Builds the 10,000-customer sample (``workbook_tools.sample.generate_sample(seed=1)``, or a
similar XlsxWriter file if the generator is missing), then runs each measurement once in its
own subprocess so that its peak memory (``VmHWM``) is its own. Prints wall time, peak
memory and the ratios (wall and CPU time: on a busy machine the CPU ratio is the steadier one). Goal: the writer ≥ 10× faster than the openpyxl round trip, and its
peak memory ≤ 2× the read's.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SPEED_GOAL = 10.0
MEMORY_GOAL = 2.0
CUSTOMERS_SHEET = "客户基本信息"


def build_file(path: Path, customers: int) -> Path:
    try:
        from workbook_tools.sample import generate_sample
    except ImportError:
        return _build_similar(path, customers)
    generate_sample(path, customers=customers, seed=1)
    return path


def _build_similar(path: Path, customers: int) -> Path:
    """10k × 37 customers and 100k × 13 contact log, Chinese text, made with XlsxWriter."""
    import datetime as dt

    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(CUSTOMERS_SHEET)
    ws.write_row(0, 0, [f"列{i}" for i in range(1, 29)] + ["备注"] + [f"列{i}" for i in range(30, 38)])
    for r in range(1, customers + 1):
        ws.write_row(r, 0, [f"杭州云启科技有限公司{r}-{c}" if c % 3 else r * c for c in range(37)])
        ws.write_datetime(r, 13, dt.datetime(2024, 1, 1) + dt.timedelta(days=r % 700), datef)
    log = wb.add_worksheet("沟通记录")
    for r in range(customers * 10):
        log.write_row(r, 0, [f"2024-IT-{r % customers:05d}", "沟通续约事宜，客户对价格有顾虑", r] * 4 + ["电话"])
    wb.close()
    return path


# ---- the measurements (each runs in a child process) ------------------------------------------------
def _edits(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    from workbook_tools.changeset import Changeset
    from workbook_tools.model import cell_ref
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CUSTOMERS_SHEET).to_python(skip_empty_area=False)
    col = rows[0].index("备注") + 1
    cs = Changeset("bench")
    for r in range(2, len(rows) + 1):
        old = rows[r - 1][col - 1] if col - 1 < len(rows[r - 1]) else ""
        cs.edit(CUSTOMERS_SHEET, cell_ref(r, col), f"已复核 {r}", old=old if old != "" else None)
    return cs


def measure(kind: str, path: Path) -> dict[str, Any]:
    if kind == "write":
        from workbook_tools.writer import apply_changeset
        cs = _edits(path)  # built before the clock starts: an operation's result
        t0, c0 = time.perf_counter(), time.process_time()
        report = apply_changeset(path, cs, backup_keep=1)
        extra = {"cells": report.cells_written, "log_rows": report.log_rows}
    elif kind == "openpyxl":
        import openpyxl
        t0, c0 = time.perf_counter(), time.process_time()
        wb = openpyxl.load_workbook(path)
        wb.save(path)
        extra = {}
    elif kind == "read":
        from python_calamine import CalamineWorkbook
        t0, c0 = time.perf_counter(), time.process_time()
        wb = CalamineWorkbook.from_path(str(path))
        extra = {"rows": sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)}
    else:
        raise SystemExit(f"unknown measurement {kind}")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"kind": kind, "seconds": seconds, "cpu": cpu, "peak_mb": peak_rss_kb() / 1024, **extra}


def peak_rss_kb() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the
    parent's peak across fork+exec, which would hide the child's own figure."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(kind: str, src: Path, work: Path) -> dict[str, Any]:
    target = work / f"{kind}.xlsx"
    shutil.copyfile(src, target)
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_write", "--measure", kind, str(target)],
                         check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10000)
    ap.add_argument("--file", type=Path, help="use this workbook instead of building the sample")
    ap.add_argument("--skip-openpyxl", action="store_true", help="leave out the slow openpyxl round trip")
    ap.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    with tempfile.TemporaryDirectory(prefix="wbt-bench-write-") as tmp:
        work = Path(tmp)
        src = args.file or build_file(work / "sample.xlsx", args.customers)
        print(f"workbook: {src} ({src.stat().st_size / 1e6:.1f} MB)")
        res = {k: _child(k, src, work) for k in ("read", "write") + (() if args.skip_openpyxl else ("openpyxl",))}
    print(f"{'measurement':<34}{'seconds':>9}{'CPU s':>9}{'peak MB':>10}")
    names = {"read": "calamine read, every sheet", "write": f"writer, {res['write']['cells']} cell edits",
             "openpyxl": "openpyxl load + save"}
    for k, r in res.items():
        print(f"{names[k]:<34}{r['seconds']:>9.2f}{r['cpu']:>9.2f}{r['peak_mb']:>10.0f}")
    mem = res["write"]["peak_mb"] / res["read"]["peak_mb"]
    ok = mem <= MEMORY_GOAL
    print(f"memory: writer / read = {mem:.2f}x (goal ≤ {MEMORY_GOAL:g}x)")
    print(f"time:   writer / read = {res['write']['seconds'] / res['read']['seconds']:.2f}x")
    if "openpyxl" in res:
        speed = res["openpyxl"]["seconds"] / res["write"]["seconds"]
        cpu = res["openpyxl"]["cpu"] / res["write"]["cpu"]
        ok = ok and speed >= SPEED_GOAL
        print(f"speed:  openpyxl round trip / writer = {speed:.1f}x wall, {cpu:.1f}x CPU (goal ≥ {SPEED_GOAL:g}x)")
    print("goal met" if ok else "GOAL NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
