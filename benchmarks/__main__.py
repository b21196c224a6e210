"""Run every ``benchmarks/bench_*.py`` module's ``main()`` (no arguments), one after the other."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main() -> int:
    failed = 0
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"== {path.stem}", flush=True)
        sys.argv = [path.name]  # each main() parses its own (empty) command line
        rc = importlib.import_module(f"benchmarks.{path.stem}").main()
        failed += isinstance(rc, int) and rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
