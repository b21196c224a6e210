"""The reader's floor: validate and month-end as ratios to a fastexcel read of the same file, in CPU
and peak memory (issue 16 §3).

    .venv/bin/python benchmarks/bench_floor.py [--customers 10000] [--seed 7] [--repeat 3] [--scale 5000,50000]
                                               [--json OUT.json]

The floor is a full fastexcel read of every sheet of the sample (``wbt sample --customers N --seed S``)
into Arrow arrays of strings. Every measurement runs in a fresh child process, so that one run's
memory does not pollute the next: the child imports what it needs, then times the operation alone
(``time.process_time``: CPU of all its threads; interpreter start and imports are left out of both
sides alike), and the parent takes the child's peak RSS (``ru_maxrss`` from ``os.wait4``).

Each operation is paired with a floor read made just before it (the machine's speed drifts within
minutes); the ratio reported is the median of the paired ratios:

- **validate**: read + every rule + the ``--json`` text (what ``wbt validate --json`` does);
- **month-end, first run**: October on the sample as generated (IDs, tiers, the review, ~68k cells);
- **month-end, next month**: November on October's result (the steady-state monthly job).

``--scale`` adds sizes (customers) for the linearity check: CPU per 1,000 customers of each kind of
run at each size (one repetition each). Goals (issue 16): validate ≤ 2×, first run ≤ 4×, next
month ≤ 3×, peak memory ≤ 2.5× the floor's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOALS = {"validate": 2.0, "first": 4.0, "next": 3.0}
MEMORY_GOAL = 2.5
MONTHS = {"first": ("2026-10", "2026-10-31"), "next": ("2026-11", "2026-11-30")}
ROOT = Path(__file__).resolve().parents[1]


# ---- the child: one measurement ------------------------------------------------------------------
def _floor(path: str) -> None:
    import logging

    import fastexcel

    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    t0 = time.process_time()
    book = fastexcel.read_excel(path)
    arrays = []
    for name in book.sheet_names:
        sheet = book.load_sheet_by_name(name, header_row=None, dtypes="string")
        arrays.append(sheet._sheet.__arrow_c_array__(None))  # the Arrow arrays, built (no pyarrow needed)
    _done(t0)


def _validate(path: str) -> None:
    from workbook_tools.cli.cmd_validate import validation_json
    from workbook_tools.ops.validate import run_validate
    from workbook_tools.reader import read_workbook

    as_of = dt.date.fromisoformat(MONTHS["first"][1])
    t0 = time.process_time()
    model = read_workbook(path)
    result = run_validate(model, as_of=as_of)
    text = json.dumps(validation_json(Path(path), result), ensure_ascii=False, default=str)
    _done(t0, findings=result.stats["total"], json_bytes=len(text))


def _month_end(path: str, kind: str) -> None:
    from workbook_tools.jobs.month_end import run_month_end

    month, as_of = MONTHS[kind]
    t0 = time.process_time()
    rep = run_month_end(path, month=month, as_of=dt.date.fromisoformat(as_of))
    write = rep.step("write").stats
    _done(t0, cells=write.get("cells_written", 0), log_rows=write.get("log_rows", 0))


def _done(t0: float, **extra: Any) -> None:
    print(json.dumps({"cpu": time.process_time() - t0, **extra}))


def child(kind: str, path: str) -> None:
    if kind == "floor":
        _floor(path)
    elif kind == "validate":
        _validate(path)
    else:
        _month_end(path, kind)


# ---- the parent ----------------------------------------------------------------------------------
def _run(argv: list[str], path: Path) -> dict[str, Any]:
    """A child whose usage os.wait4 reads (Popen.communicate would reap it first)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(r)
        os.dup2(w, 1)
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "benchmarks.bench_floor", "--child", *argv, str(path)])
    os.close(w)
    with os.fdopen(r) as fh:
        out = fh.read()
    _, status, usage = os.wait4(pid, 0)
    if status != 0 or not out.strip():
        raise RuntimeError(f"{argv[0]} on {path} failed (status {status})")
    got = json.loads(out.strip().splitlines()[-1])
    got["rss_mib"] = usage.ru_maxrss / 1024
    return got


def sample(tmp: Path, customers: int, seed: int) -> Path:
    path = tmp / f"sample-{customers}-{seed}.xlsx"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "workbook_tools", "sample", "--customers", str(customers),
                        "--seed", str(seed), "-o", str(path)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def one_round(src: Path, tmp: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """(floor, operation) pairs of one repetition: validate, first run, next month."""
    work = tmp / "work.xlsx"
    shutil.copyfile(src, work)
    shutil.rmtree(tmp / ".wbt-backups", ignore_errors=True)
    out = {}
    for kind, path in (("validate", src), ("first", work), ("next", work)):
        floor = _run(["floor"], src)
        out[kind] = (floor, _run([kind], path))
    for p in tmp.glob("work*"):
        if p.suffix == ".html":
            p.unlink()
    return out


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model or 'unknown CPU'}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", default="", help="more sizes for the linearity check, e.g. 5000,50000")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="wbt-bench-floor-"))
    try:
        src = sample(tmp, args.customers, args.seed)
        print(f"machine: {machine()}; sample: {args.customers:,} customers, seed {args.seed}, "
              f"{src.stat().st_size / 1e6:.1f} MB", flush=True)
        rounds = [one_round(src, tmp) for _ in range(max(1, args.repeat))]
        report: dict[str, Any] = {"machine": machine(), "customers": args.customers, "kinds": {}}
        print(f"{'run':<22}{'CPU s':>8}{'floor s':>9}{'× floor':>9}{'goal':>6}{'RSS MiB':>9}{'× floor':>9}"
              f"{'goal':>6}  each ×")
        for kind, label in (("validate", "validate --json"), ("first", "month-end, first run"),
                            ("next", "month-end, next month")):
            pairs = [r[kind] for r in rounds]
            cpu_ratios = [op["cpu"] / fl["cpu"] for fl, op in pairs]
            mem_ratios = [op["rss_mib"] / fl["rss_mib"] for fl, op in pairs]
            row = {"cpu_s": statistics.median(op["cpu"] for _, op in pairs),
                   "floor_cpu_s": statistics.median(fl["cpu"] for fl, _ in pairs),
                   "cpu_ratio": statistics.median(cpu_ratios), "rss_mib": statistics.median(op["rss_mib"] for _, op in pairs),
                   "floor_rss_mib": statistics.median(fl["rss_mib"] for fl, _ in pairs),
                   "rss_ratio": statistics.median(mem_ratios), "each": cpu_ratios,
                   "extra": {k: v for k, v in pairs[-1][1].items() if k not in ("cpu", "rss_mib")}}
            report["kinds"][kind] = row
            ok = "OK" if row["cpu_ratio"] <= GOALS[kind] else "NOT met"
            mok = "OK" if row["rss_ratio"] <= MEMORY_GOAL else "NOT met"
            print(f"{label:<22}{row['cpu_s']:>8.2f}{row['floor_cpu_s']:>9.2f}{row['cpu_ratio']:>8.1f}×"
                  f"{GOALS[kind]:>5.1f}×{row['rss_mib']:>9.0f}{row['rss_ratio']:>8.1f}×{MEMORY_GOAL:>5.1f}×  "
                  f"{', '.join(f'{x:.1f}' for x in cpu_ratios)}  (CPU {ok}, memory {mok})", flush=True)
        sizes = [int(x) for x in args.scale.split(",") if x.strip()]
        if sizes:
            print("linearity: CPU seconds per 1,000 customers (one repetition per size)")
            report["scale"] = {}
            for n in sorted({args.customers, *sizes}):
                if n == args.customers:
                    r = rounds[-1]
                else:
                    r = one_round(sample(tmp, n, args.seed), tmp)
                per = {k: op["cpu"] / (n / 1000) for k, (_, op) in r.items()}
                floor = statistics.median(fl["cpu"] for fl, _ in r.values()) / (n / 1000)
                report["scale"][n] = {"floor": floor, **per,
                                      "rss_mib": {k: op["rss_mib"] for k, (_, op) in r.items()}}
                print(f"  {n:>7,}: floor {floor:.3f}  " + "  ".join(f"{k} {v:.3f}" for k, v in per.items())
                      + "  peak RSS " + ", ".join(f"{k} {op['rss_mib']:.0f} MiB" for k, (_, op) in r.items()),
                      flush=True)
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, default=str))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
