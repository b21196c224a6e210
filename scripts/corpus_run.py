"""Run the writer over a folder of real workbooks made by other programs and count what happens.

    python scripts/corpus_run.py FOLDER [--soffice] [--json OUT.json]

On a copy of each ``.xlsx``/``.xlsm``: one cell edit below the data of the first worksheet and one
added sheet, written with ``apply_changeset``. Then: every part the write had no reason to touch
must be byte-identical, every changed XML part must parse strictly (expat, prefixes bound), and
openpyxl, calamine and (``--soffice``, one LibreOffice run for all files) LibreOffice must open the
result whenever they open the original. A write may instead be refused, with its reason counted.
The files themselves are not part of this project (public test suites of spreadsheet libraries).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

from workbook_tools.changeset import Changeset, GeneratedSheet
from workbook_tools.errors import WbtError
from workbook_tools.writer import apply_changeset
from workbook_tools.writer.package import CT_WORKSHEET, Package, rels_path
from workbook_tools.writer.sheetxml import last_used_row
from workbook_tools.writer.xmlns import xml_problem

ADDED = "wbt测试"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _opens(path: Path, sheet: str | None) -> dict[str, bool]:
    import openpyxl
    from python_calamine import CalamineWorkbook

    out = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            openpyxl.load_workbook(path)
        out["openpyxl"] = True
    except Exception:  # noqa: BLE001 - a reader's verdict, whatever it raises
        out["openpyxl"] = False
    try:
        book = CalamineWorkbook.from_path(str(path))
        if sheet is not None:
            book.get_sheet_by_name(sheet).to_python()
        out["calamine"] = True
    except Exception:  # noqa: BLE001
        out["calamine"] = False
    return out


def _plan(path: Path) -> tuple[str, str, Changeset, set[str]]:
    """(sheet, cell, changeset, parts it may change) for one workbook."""
    pkg = Package.open(path)
    sheet = next(s for s in pkg.sheets() if pkg.has(s.part) and pkg.content_type(s.part) == CT_WORKSHEET)
    cell = f"A{last_used_row(pkg.read(sheet.part)) + 2}"
    cs = Changeset("corpus")
    cs.edit(sheet.name, cell, "wbt 写入的值")
    cs.add_sheets.append(GeneratedSheet(ADDED, cells={(1, 1): ("加的表", "header"), (2, 1): (42, None)}))
    wb = pkg.workbook_part
    may = {"[Content_Types].xml", wb, rels_path(wb), sheet.part}
    may |= {pkg.styles_part() or ""} | {pkg.target(sheet.part, r) for r in pkg.rels(sheet.part)
                                        if r.type.endswith("/table")}
    return sheet.name, cell, cs, may


def run_one(src: Path, work: Path, n: int) -> dict[str, Any]:
    rec: dict[str, Any] = {"file": str(src)}
    path = work / f"{n:05d}{src.suffix}"
    shutil.copyfile(src, path)
    try:
        sheet, cell, cs, may = _plan(path)
    except StopIteration:
        return {**rec, "outcome": "no worksheet"}
    except WbtError as exc:
        return {**rec, "outcome": "refused", "reason": exc.render("en")[:160]}
    except Exception as exc:  # noqa: BLE001
        return {**rec, "outcome": "CRASH", "reason": f"planning: {type(exc).__name__}: {exc}"[:200]}
    rec["before"] = _opens(path, sheet)
    before = _parts(path)
    try:
        apply_changeset(path, cs, backup_keep=0)
    except WbtError as exc:
        unchanged = path.read_bytes() == src.read_bytes()
        return {**rec, "outcome": "refused" if unchanged else "CHANGED ON REFUSAL", "reason": exc.render("en")[:160]}
    except Exception as exc:  # noqa: BLE001 - the point of the run is to find these
        return {**rec, "outcome": "CRASH", "reason": f"{type(exc).__name__}: {exc}"[:200]}
    after = _parts(path)
    problems = [f"changed: {n}" for n in before if n.replace("\\", "/") not in may and after.get(n) != before[n]]
    problems += [f"xml: {n}: {why}" for n, b in after.items() if n.lower().endswith((".xml", ".rels"))
                 and b != before.get(n) and (why := xml_problem(b)) is not None]
    opens = _opens(path, sheet)
    problems += [f"{k} cannot open it" for k, ok in rec["before"].items() if ok and not opens[k]]
    rec.update(outcome="written" if not problems else "BROKEN", problems=problems, result=str(path))
    return rec


def _libreoffice(paths: list[Path], out: Path, chunk: int = 40) -> list[bool]:
    """Whether LibreOffice opens (converts) each file: in runs of ``chunk`` files, one by one
    within a run that fails (a file that crashes LibreOffice counts as not opened)."""
    from workbook_tools.errors import WbtError
    from workbook_tools.testing.soffice import convert_all

    fmt = "xlsx:Calc MS Excel 2007 XML"
    done: list[bool] = []
    for i in range(0, len(paths), chunk):
        part = paths[i:i + chunk]
        try:
            done += [p.exists() for p in convert_all(part, fmt, out)]
        except WbtError:
            for p in part:
                try:
                    done += [convert_all([p], fmt, out)[0].exists()]
                except WbtError:
                    done.append(False)
    return done


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--soffice", action="store_true", help="also open originals and results in LibreOffice")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    files = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm") and p.is_file())
    work = Path(tempfile.mkdtemp(prefix="wbt-corpus-run-"))
    records = [run_one(p, work, i) for i, p in enumerate(files)]
    if args.soffice:
        written = [r for r in records if r["outcome"] in ("written", "BROKEN")]
        (work / "src").mkdir()
        for r in written:  # the originals under the same names as the results
            shutil.copyfile(r["file"], work / "src" / Path(r["result"]).name)
        originals = _libreoffice([work / "src" / Path(r["result"]).name for r in written], work / "lo-before")
        results = _libreoffice([Path(r["result"]) for r in written], work / "lo-after")
        for r, a, b in zip(written, originals, results):
            if a and not b:
                r["outcome"], r["problems"] = "BROKEN", [*r["problems"], "LibreOffice cannot open it"]
    counts = collections.Counter(r["outcome"] for r in records)
    reasons = collections.Counter(r.get("reason", "")[:90] for r in records if r["outcome"] == "refused")
    print(f"{len(records)} workbooks: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    for reason, n in reasons.most_common():
        print(f"  refused {n}×: {reason}")
    for r in records:
        if r["outcome"] not in ("written", "refused"):
            print(f"  {r['outcome']}: {r['file']}: {r.get('problems') or r.get('reason')}")
    if args.json:
        args.json.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if any(r["outcome"] not in ("written", "refused") for r in records) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
