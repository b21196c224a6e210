"""`make demo`: build a demo workbook and run the month-end job on it, then say where to look.

The demo workbook has 500 customers, two years of contact logs and complaints up to 2026-10-31,
a few customers without IDs and some planted data problems, so every step has work to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo"
BOOK = OUT / "CRM_demo.xlsx"
WBT = [sys.executable, "-m", "workbook_tools"]


def run(*args: str, ok: tuple[int, ...] = (0,)) -> None:
    print("$ wbt " + " ".join(args), flush=True)
    code = subprocess.call([*WBT, *args], cwd=ROOT)
    if code not in ok:
        sys.exit(code)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("CRM_demo*"):
        old.unlink()
    run("sample", "--customers", "500", "--seed", "7", "--defects", "0.02", "--end", "2026-10-31", "-o", str(BOOK))
    run("inspect", str(BOOK))
    # exit code 1 means "problems found in the data": expected here, the demo plants some
    run("month-end", str(BOOK), "--month", "2026-10", "--as-of", "2026-10-31", ok=(0, 1))
    print()
    print(f"演示工作簿 / demo workbook: {BOOK}")
    print(f"打开“2026-10 月度复盘”工作表，或查看 {OUT} 中的 HTML 报告 / open the review sheet or the HTML report in {OUT}")


if __name__ == "__main__":
    main()
