"""Month-end benchmark: ``run_month_end`` on the 10,000-customer sample against the reader's read.

    .venv/bin/python benchmarks/bench_month_end.py [--customers 10000] [--file FILE] [--repeat 1]

Makes the sample (``workbook_tools.sample.generate_sample``, seed 1) unless ``--file`` is given,
then, in the same run: times ``read_workbook`` (best of ``--repeat``), and runs the month end
(validate → IDs → tiers → review → HTML) on a fresh copy, printing each step's time and the
ratio of the whole run to one read; then runs the same month end again on the result (a re-run:
nothing left to number or re-tier, the review sheet replaced) and prints its ratio too.
Goal: month-end ≤ 2 × the read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

GOAL = 2.0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--as-of", default="2026-10-31")
    args = ap.parse_args(argv)

    from workbook_tools.ops.month_end import run_month_end
    from workbook_tools.reader import read_workbook

    tmp = Path(tempfile.mkdtemp(prefix="wbt-bench-me-"))
    try:
        src = args.file
        if src is None:
            from workbook_tools.sample import generate_sample

            src = tmp / f"sample{args.customers}.xlsx"
            t = time.perf_counter()
            info = generate_sample(src, customers=args.customers, seed=1)
            print(f"sample: {info.customers} customers, {info.contacts} contacts, {info.complaints} complaints "
                  f"({time.perf_counter() - t:.1f} s, {src.stat().st_size / 1e6:.1f} MB)")
        reads = []
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            read_workbook(src)
            reads.append(time.perf_counter() - t)
        read_s = min(reads)
        work = tmp / "work.xlsx"
        shutil.copyfile(src, work)
        as_of = dt.date.fromisoformat(args.as_of)
        t = time.perf_counter()
        rep = run_month_end(work, month=args.month, as_of=as_of)
        total = time.perf_counter() - t
        print(f"read_workbook: {read_s:.2f} s")
        for s in rep.steps:
            plan = s.seconds - s.apply_seconds - s.reread_seconds
            print(f"  {s.key:<9} {s.seconds:6.2f} s (plan {plan:6.2f}, write {s.apply_seconds:6.2f}, re-read "
                  f"{s.reread_seconds:5.2f})  planned {s.planned:>7}")
        print(f"  reads inside month-end: {rep.reads} ({rep.read_seconds:.2f} s)")
        ratio = total / read_s
        print(f"month-end: {total:.2f} s = {ratio:.1f} x read (goal <= {GOAL:.0f} x) -> "
              f"{'OK' if ratio <= GOAL else 'SLOWER THAN GOAL'}")
        t = time.perf_counter()
        again = run_month_end(work, month=args.month, as_of=as_of)
        rerun = time.perf_counter() - t
        print(f"re-run:    {rerun:.2f} s = {rerun / read_s:.1f} x read; wrote "
              f"{again.step('write').stats.get('cells_written', 0)} cells")
        return {"read_s": read_s, "month_end_s": total, "ratio": ratio, "rerun_s": rerun,
                "rerun_ratio": rerun / read_s, "steps": {s.key: s.to_dict() for s in rep.steps}, "reads": rep.reads}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
