"""Read a workbook file into a :class:`WorkbookModel`.

Order of work (each step refuses a hostile file before the next one could be hurt by it):

1. :func:`safety.sniff` — what the file is (zip, legacy .xls, encrypted, text/CSV);
2. :func:`safety.open_zip` — the zip directory: truncation, declared sizes (zip bombs);
3. every small XML part inflated with a cap and checked for DOCTYPE/ENTITY;
4. the sheet parts scanned in a worker thread (:mod:`.xmlscan`: last row, hidden rows, formulas
   without a cached value) while calamine reads values; calamine only loads a sheet once its
   scan has passed;
5. schema sheets found by name, else by their header row; frames built by :mod:`.frames`.
"""

from __future__ import annotations

import gc
import os
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import python_calamine as pc

from ..errors import UnreadableWorkbook
from ..i18n import L
from ..model import Notice, Settings, SheetData, WorkbookModel, cell_ref
from ..schema import (
    CHANGELOG_SHEETS,
    MARKS_SHEET,
    REVIEW_SHEET_SUFFIXES,
    SCHEMA,
    VALIDATION_SHEETS,
    SheetSpec,
    changelog_sheet_number,
    history_sheet_number,
    norm_header,
)
from ..stamp import SourceStamp
from . import longtext, safety, xmlscan
from .calamine import get_sheet, open_calamine, sheet_parts, to_rows
from .headermap import header_score, pins_for
from .history import read_history
from .settings import read_settings

HEADER_SCAN_ROWS = 30
MIN_HEADER_SCORE = 2
_GENERATED = {norm_header(n) for n in (*VALIDATION_SHEETS.values(), *CHANGELOG_SHEETS.values(), MARKS_SHEET)}


def read_workbook(path: str | Path, *, sheets: Iterable[str] | None = None) -> WorkbookModel:
    """Read ``path`` (.xlsx, .xlsm, or legacy .xls read-only). ``sheets`` limits the data sheets
    read (schema keys such as 'customers'); 代码表 is always read. Raises UnreadableWorkbook."""
    # millions of new cell objects and no reference cycles: the cyclic GC would only rescan them
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(Path(path), sheets)
    finally:
        if enabled:
            gc.enable()


def _read(path: Path, sheets: Iterable[str] | None) -> WorkbookModel:
    kind = safety.sniff(path)
    wanted = [s for s in SCHEMA.data_sheets if sheets is None or s.key in set(sheets)]
    if kind == "xls":
        return _read_xls(path, wanted)
    with safety.open_zip(path) as zf:
        # the package as first opened: a write of a plan made from this model proves it patches it
        stamp = SourceStamp.of(path, zf.infolist(), os.fstat(zf.fp.fileno()))  # type: ignore[union-attr]
        parts = safety.check_small_parts(zf, path, skip=sheet_parts(zf))
        if "xl/workbook.xml" not in parts:
            raise UnreadableWorkbook(L(f"无法读取“{path.name}”：缺少 xl/workbook.xml", f"Cannot read '{path.name}': "
                                       "xl/workbook.xml is missing"))
        info = xmlscan.workbook_info(parts["xl/workbook.xml"], parts.get("xl/_rels/workbook.xml.rels", b""))
        sst = next((v for k, v in parts.items() if k.casefold().endswith("sharedstrings.xml")), b"")
        long_shared = longtext.long_shared_strings(sst) if len(sst) > longtext.MAX_CELL_TEXT else {}
        del parts, sst
        fmt = "xlsm" if (path.suffix.lower() == ".xlsm" or "xl/vbaProject.bin" in zf.namelist()) else "xlsx"
    entries = {e.name: e for e in info.sheets}
    plan = plan_sheets(list(entries), wanted)
    order = [n for n in plan.load_order if entries[n].part] + [e.name for e in info.sheets
                                                               if e.name not in plan.load_order and e.part]
    scan_zf = zipfile.ZipFile(path)
    members = set(scan_zf.namelist())
    size = {n: scan_zf.getinfo(entries[n].part).file_size for n in order if entries[n].part in members}
    # the biggest sheet first: its chain (scan → calamine → frames) is the longest
    big = max((n for n in plan.load_order if n in size), key=lambda n: size[n], default=None)
    order = sorted(order, key=lambda n: n != big)
    scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wbt-xmlscan")
    loaders = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"wbt-calamine{i}") for i in range(2)]
    scans: dict[str, Future[xmlscan.SheetScan]] = {}
    facts: dict[str, Future[xmlscan.SheetScan]] = {}
    gets: dict[str, Future[Any]] = {}
    try:
        # first the extent of every sheet (calamine waits for it), then the other facts (hidden
        # rows, formulas), gathered while calamine parses
        for name in order:
            if name in size:
                scans[name] = scanner.submit(xmlscan.scan_sheet, scan_zf, entries[name].part, path, name,
                                             check=False, defer_facts=name in plan.load_order,
                                             long_shared=long_shared)
        for name in scans:
            facts[name] = scanner.submit(lambda n: xmlscan.finish_facts(scans[n].result()), name)
        # one calamine workbook per loader thread (a workbook is not shared between threads): the
        # biggest sheet is parsed by one while the other parses the rest
        books = [open_calamine(path), open_calamine(path)]
        sheet_names = list(books[0].sheet_names)

        def get(name: str, i: int) -> Any:
            # calamine parses a sheet with the GIL released, while this thread's caller builds
            # frames. A sheet is parsed only after its XML scan passed: no sheet reaching row
            # 1,048,576 gets allocated.
            if name in scans:
                xmlscan.check_extent(scans[name].result(), name, path)
            return get_sheet(books[i], path, name)

        def submit(name: str) -> None:
            i = 0 if name == big else 1
            gets[name] = loaders[i].submit(get, name, i)

        # 代码表 right after the biggest sheet: its header pins and lists are needed to read the others
        for name in sorted(plan.load_order, key=lambda n: (n != big, n != plan.settings)):
            submit(name)
        merged: dict[str, list[Any]] = {}

        def load(name: str, nrows: int | None = None) -> list[list[Any]]:
            if name not in gets:
                submit(name)
            # a whole sheet is loaded once: calamine's copy of it is let go as soon as its rows are out
            fut = gets[name] if nrows is not None else gets.pop(name)
            return to_rows(fut.result(), path, name, nrows, merged)

        model = assemble_model(path, plan, load, lambda n: facts[n].result() if n in facts else None,
                          sheet_names, merged, date1904=info.date1904, fmt=fmt)
        for fut in facts.values():  # every sheet part checked (entities, sizes), even the ones not read
            fut.result()
    finally:
        for loader in loaders:
            loader.shutdown(wait=True, cancel_futures=True)
        scanner.shutdown(wait=True, cancel_futures=True)
        scan_zf.close()
    model.hidden_sheets = [e.name for e in info.sheets if e.state != "visible"]
    model.source = stamp
    add_hidden_notices(model)
    return model


class SheetPlan:
    def __init__(self) -> None:
        self.by_name: dict[str, str] = {}            # schema key → sheet name (found by name)
        self.unmatched: list[SheetSpec] = []         # data sheets not found by name
        self.candidates: list[str] = []              # sheets that might hold them
        self.settings: str | None = None
        self.load_order: list[str] = []


def plan_sheets(names: Sequence[str], wanted: Sequence[SheetSpec]) -> SheetPlan:
    """Which workbook sheet is which schema sheet, by name first (zh, en, aliases).
    Shared with live mode (workbook_tools.excel.xlreader): keep the signature."""
    plan = SheetPlan()
    normed = {n: norm_header(n) for n in names}
    used: set[str] = set()
    for spec in (*wanted, SCHEMA.sheet("settings")):
        ranks = [norm_header(spec.zh), norm_header(spec.en), norm_header(spec.key),
                 *(norm_header(a) for a in spec.aliases)]
        best = None
        for key in ranks:
            best = next((n for n in names if normed[n] == key and n not in used), None)
            if best:
                break
        if best:
            used.add(best)
            if spec.key == "settings":
                plan.settings = best
            else:
                plan.by_name[spec.key] = best
        elif spec.kind == "data":
            plan.unmatched.append(spec)
    skip = {norm_header(SCHEMA.sheet("instructions").zh), norm_header(SCHEMA.sheet("instructions").en),
            *(norm_header(a) for a in SCHEMA.sheet("instructions").aliases), *_GENERATED}
    if plan.unmatched:
        plan.candidates = [n for n in names if n not in used and normed[n] not in skip
                           and not normed[n].endswith(REVIEW_SHEET_SUFFIXES) and not changelog_sheet_number(n)
                           and not history_sheet_number(n)]
    plan.load_order = [*plan.by_name.values(), *([plan.settings] if plan.settings else []), *plan.candidates]
    return plan


def _find_header(spec: SheetSpec, rows: Sequence[Sequence[Any]], name: str = "",
                 settings: Settings | None = None) -> tuple[int, int]:
    """(0-based row index, score) of the best header row among the first rows (the 代码表 pins
    count as headers)."""
    pins = pins_for(spec, name, settings.header_pins) if settings else None
    best, best_i = 0, -1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if not any(v not in ("", None) for v in row):
            continue
        s = header_score(spec, row, pins)
        if s > best:
            best, best_i = s, i
    return best_i, best


def assemble_model(path: Path, plan: SheetPlan, load: Any, scan_of: Any, sheet_names: list[str],
                   merged: dict[str, list[Any]], *, date1904: bool, fmt: str) -> WorkbookModel:
    """Find header rows, build the frames and read 代码表, from rows given by ``load(name)``.
    Shared with live mode (workbook_tools.excel.xlreader): keep the signature."""
    notices: list[Notice] = []
    found: dict[str, SheetData] = {}
    loaded: dict[str, list[list[Any]]] = {}
    # 代码表 first: its header-mapping pins and lists decide how the data sheets' headers are read
    settings, st_notices = read_settings(load(plan.settings) if plan.settings else [], plan.settings)
    unplaced: dict[str, list[str]] = {}
    for key, name in plan.by_name.items():  # build each sheet as soon as it is loaded
        sheet = _read_sheet(SCHEMA.sheet(key), name, load(name), scan_of(name), merged.get(name, []),
                            date1904, notices, settings)
        if sheet is not None:
            found[key] = sheet
        else:
            unplaced.setdefault(key, []).append(name)
    # data sheets not found by name: the sheet whose header row fits best
    for spec in plan.unmatched:
        best: tuple[int, str] | None = None
        for name in plan.candidates:
            if name in plan.by_name.values() or any(s.name == name for s in found.values()):
                continue
            try:
                rows = loaded.get(name) or load(name, HEADER_SCAN_ROWS)
            except UnreadableWorkbook:  # a chart sheet or a damaged sheet nobody asked for
                continue
            loaded[name] = rows
            _, score = _find_header(spec, rows, name, settings)
            if score >= max(3, MIN_HEADER_SCORE) and (best is None or score > best[0]):
                best = (score, name)
            elif score >= 1:
                unplaced.setdefault(spec.key, []).append(name)
        if best is None:
            sev = "error" if spec.key == "customers" else "warning"
            notices.append(Notice("R-MISSING-SHEET", L(f"未找到工作表“{spec.zh}”", f"Sheet '{spec.zh}' ({spec.en}) "
                                  "not found"), None, None, sev))
            continue
        name = best[1]
        plan.by_name[spec.key] = name
        notices.append(Notice("R-SHEET-BY-HEADER", L(f"工作表“{name}”按表头识别为“{spec.zh}”",
                                                     f"Sheet '{name}' recognised as {spec.en} by its headers"),
                              name, None, "info"))
        unplaced.pop(spec.key, None)
        sheet = _read_sheet(spec, name, load(name), scan_of(name), merged.get(name, []), date1904, notices,
                            settings)
        if sheet is not None:
            found[spec.key] = sheet
    found = {s.key: found[s.key] for s in SCHEMA.data_sheets if s.key in found}
    notices += st_notices
    model = WorkbookModel(path=path, sheets=found, settings=settings, sheet_names=list(sheet_names),
                          notices=notices, date1904=date1904, format=fmt,
                          unplaced={k: v for k, v in unplaced.items() if k not in found})
    known = {*plan.by_name.values(), *([plan.settings] if plan.settings else [])}
    for name in sheet_names:
        n = norm_header(name)
        if name not in known and n not in _GENERATED and not n.endswith(REVIEW_SHEET_SUFFIXES) \
                and not changelog_sheet_number(name) and not history_sheet_number(name) \
                and n not in SCHEMA.sheet("instructions").name_keys():
            notices.append(Notice("R-EXTRA-SHEET", L(f"工作表“{name}”不属于本模板，未读取",
                                                     f"Sheet '{name}' is not part of the template; not read"),
                                  name, None, "info"))
    model.history = read_history(sheet_names, load, notices)
    return model


def _read_sheet(spec: SheetSpec, name: str, rows: list[list[Any]], scan: xmlscan.SheetScan | None,
                merged: list[Any], date1904: bool, notices: list[Notice], settings: Settings) -> SheetData | None:
    from .frames import build_sheet  # here: pandas loads when a sheet is built, not with the package

    hi, score = _find_header(spec, rows, name, settings)
    if hi < 0 or score < MIN_HEADER_SCORE:
        notices.append(Notice("R-NO-HEADER", L(f"工作表“{name}”的前 {HEADER_SCAN_ROWS} 行中找不到表头，未读取",
                                               f"No header row found in the first {HEADER_SCAN_ROWS} rows of '{name}'; "
                                               "not read"), name, "A1", "error"))
        return None
    header_row = hi + 1
    hidden = {r for r in (scan.hidden_rows if scan else ()) if r > header_row}
    sheet, found = build_sheet(spec, name, header_row, rows[hi], rows[hi + 1:], hidden_rows=hidden,
                               date1904=date1904, empty_is_blank_text=True, pins=settings.header_pins,
                               lists=settings.lists, sub_header=True, shared_texts=True)
    data_from = sheet.sub_header_row or header_row
    hidden.discard(data_from)
    sheet.hidden_rows.discard(data_from)
    notices += found
    by_col = {c: k for k, c in sheet.columns.items()}
    if scan:
        for r, c in scan.formulas_without_value:
            if r <= data_from:
                continue
            key = by_col.get(c)
            if key:
                sheet.formulas_without_value.add((r, key))
            notices.append(Notice("R-FORMULA-NO-VALUE", L("公式没有保存计算结果（文件未经 Excel 计算保存），该值无法读取",
                                                          "Formula without a saved result (the file was not "
                                                          "recalculated and saved by Excel); its value is unknown"),
                                  name, cell_ref(r, c), "warning"))
        for r, c, err in scan.errors:
            if r > data_from:
                notices.append(Notice("R-CELL-ERROR", L(f"单元格显示错误值 {err}（读取为空），请修正公式或数据",
                                                        f"The cell shows the error {err} (read as empty); fix its "
                                                        "formula or data"), name, cell_ref(r, c), "warning"))
        if sheet.formulas_without_value:
            sheet.last_row = max(sheet.last_row, max(r for r, _ in sheet.formulas_without_value))
        sheet.formulas = {(r, by_col[c]): text for (r, c), text in scan.formulas.items()
                          if r > data_from and c in by_col}
        for r, c, n in scan.long_texts:
            notices.append(Notice("R-TEXT-TOO-LONG", L(f"单元格文本有 {n:,} 个字符，超过 Excel 每个单元格 32,767 个字符的上限"
                                                       "（Excel 打开时会报错并截断），请缩短或拆分到多个单元格",
                                                       f"The cell holds {n:,} characters, more than Excel's limit of "
                                                       "32,767 per cell (Excel reports and cuts it); shorten it or "
                                                       "split it over several cells"), name, cell_ref(r, c), "error"))
    _merged(sheet, merged, data_from, notices)
    if hidden:
        first = ", ".join(str(r) for r in sorted(hidden)[:10])
        notices.append(Notice("R-HIDDEN-ROWS", L(f"有 {len(hidden)} 个隐藏行（第 {first} 行…），已照常读取",
                                                 f"{len(hidden)} hidden rows (rows {first} …) were read as usual"),
                              name, f"A{min(hidden)}", "info"))
    _text_typed_notices(sheet, notices)
    return sheet


def _merged(sheet: SheetData, ranges: list[Any], header_row: int, notices: list[Notice]) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r1 + 1 <= header_row:
            continue
        ref = f"{cell_ref(r0 + 1, c0 + 1)}:{cell_ref(r1 + 1, c1 + 1)}"
        sheet.merged.append(ref)
        notices.append(Notice("R-MERGED-CELLS", L(f"数据区域有合并单元格 {ref}：只有左上角单元格有值，请取消合并并逐行填写",
                                                  f"Merged cells {ref} in the data area: only the top-left cell holds "
                                                  "the value; unmerge them and fill every row"),
                              sheet.name, ref.split(":")[0], "warning"))


def _text_typed_notices(sheet: SheetData, notices: list[Notice]) -> None:
    per_key: dict[str, list[int]] = {}
    for r, k in sheet.text_typed:
        per_key.setdefault(k, []).append(r)
    for key in (c.key for c in sheet.spec.columns if c.key in per_key):
        rows = sorted(per_key[key])
        col = sheet.spec.column(key)
        cell = sheet.cell(rows[0], key)
        notices.append(Notice("R-TEXT-TYPED", L(f"“{col.zh}”列有 {len(rows)} 个日期或数字以文本形式录入（如 {cell}），已按值读取",
                                                f"'{col.en}': {len(rows)} dates or numbers typed as text (e.g. {cell}); "
                                                "read by their value"), sheet.name, cell, "info"))


def add_hidden_notices(model: WorkbookModel) -> None:
    names = {s.name for s in model.sheets.values()}
    for name in model.hidden_sheets:
        if name in names:
            model.notices.append(Notice("R-HIDDEN-SHEET", L(f"工作表“{name}”是隐藏的，已照常读取",
                                                            f"Sheet '{name}' is hidden; it was read as usual"),
                                        name, None, "info"))


def _read_xls(path: Path, wanted: Sequence[SheetSpec]) -> WorkbookModel:
    misnamed = safety.legacy_xls_named_xlsx(path)
    book = open_calamine(path, by_content=misnamed)
    names = list(book.sheet_names)
    plan = plan_sheets(names, wanted)
    merged: dict[str, list[Any]] = {}
    model = assemble_model(path, plan, lambda n, nrows=None: to_rows(get_sheet(book, path, n), path, n, nrows, merged),
                      lambda n: None, names, merged, date1904=False, fmt="xls")
    try:
        meta = book.sheets_metadata
        model.hidden_sheets = [m.name for m in meta if m.visible != pc.SheetVisibleEnum.Visible]
    except Exception:  # noqa: BLE001
        model.hidden_sheets = []
    add_hidden_notices(model)
    named = L(f"（文件名是 {path.suffix}，内容却是 Excel 97-2003 .xls 格式）", f" (named {path.suffix}, but its content "
              "is the Excel 97-2003 .xls format)") if misnamed else L("", "")
    model.notices.insert(0, Notice("R-XLS-READONLY", L(f"这是旧版 .xls 文件{named.zh}：只能读取，不能写回；隐藏行和未计算公式"
                                                       "无法检查。请在 Excel 中另存为 .xlsx",
                                                       f"This is a legacy .xls file{named.en}: read-only, it cannot be "
                                                       "written back; hidden rows and formulas without values are not "
                                                       "checked. Save it as .xlsx in Excel"), None, None, "warning"))
    return model
