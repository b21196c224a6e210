"""Benchmark: read + all rules + JSON against the read alone, on the 10,000-customer sample.

    .venv/bin/python benchmarks/bench_validate.py [--customers 10000] [--seed 7] [--defects 0.02] [--repeat 3]

Generates the sample once (cached under /tmp), then times, in the same process and alternating,
(a) read_workbook alone and (b) read_workbook + run_validate (every rule) + the JSON text of the
result; prints the medians and the ratio (goal: <= 1.5), plus the time of each rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbook_tools.cli.cmd_validate import validation_json  # noqa: E402
from workbook_tools.ops.validate import all_rules, run_validate  # noqa: E402
from workbook_tools.ops.validate.registry import Ctx  # noqa: E402
from workbook_tools.reader import read_workbook  # noqa: E402
from workbook_tools.sample import generate_sample  # noqa: E402

AS_OF = dt.date(2026, 10, 31)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--defects", type=float, default=0.02)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--file", type=Path, default=None)
    a = ap.parse_args()
    path = a.file or Path(f"/tmp/wbt-bench-validate-{a.customers}-{a.seed}-{a.defects}.xlsx")
    if not path.exists():
        t = time.perf_counter()
        generate_sample(path, customers=a.customers, seed=a.seed, defects=a.defects)
        print(f"sample generated in {time.perf_counter() - t:.1f} s: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    read_t, full_t, read_c, full_c = [], [], [], []
    for _ in range(a.repeat):
        t, c = time.perf_counter(), time.process_time()
        read_workbook(path)
        read_t.append(time.perf_counter() - t)
        read_c.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        model = read_workbook(path)
        result = run_validate(model, as_of=AS_OF)
        text = json.dumps(validation_json(path, result), ensure_ascii=False, default=str)
        full_t.append(time.perf_counter() - t)
        full_c.append(time.process_time() - c)
    rows = {s.name: s.n_rows for s in model.sheets.values()}
    r, f = statistics.median(read_t), statistics.median(full_t)
    print(f"rows: {rows}")
    print(f"findings: {result.stats['total']} (errors {result.stats['errors']}, warnings {result.stats['warnings']}, "
          f"infos {result.stats['infos']}); JSON {len(text) / 1e6:.1f} MB")
    print(f"read alone: median {r:.2f} s  {[round(x, 2) for x in read_t]}")
    print(f"read + all rules + JSON: median {f:.2f} s  {[round(x, 2) for x in full_t]}")
    rc, fc = statistics.median(read_c), statistics.median(full_c)
    print(f"ratio (wall): {f / r:.2f} (goal <= 1.5)")
    print(f"CPU time of this process (robust when the machine is busy): read {rc:.2f} s, read + rules + JSON "
          f"{fc:.2f} s, ratio {fc / rc:.2f}")
    ctx = Ctx(model=model, as_of=AS_OF)
    per = []
    for rule in all_rules():
        t = time.perf_counter()
        rule.func(ctx)
        per.append((time.perf_counter() - t, rule.code))
    print("slowest rules: " + ", ".join(f"{c} {s * 1000:.0f} ms" for s, c in sorted(per, reverse=True)[:8]))
    print(f"all rules once: {sum(s for s, _ in per):.2f} s")


if __name__ == "__main__":
    main()
