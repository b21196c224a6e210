"""Reading the files of an import: the source (CSV in UTF-8 or GBK/GB18030, .xlsx or .xls, title
rows above the header) and the mapping file. The planning is pure (:mod:`workbook_tools.ops.importer`).

A source is opened with the reader's checks, like any workbook: only a regular file, its kind
from its first bytes (a spreadsheet named .csv is read as one), zip-bomb and DOCTYPE limits, the
sheet's real extent before calamine allocates it (:func:`workbook_tools.reader.onesheet.read_sheet_rows`);
a CSV larger than the part limit (WBT_MAX_PART_MB) is refused.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path
from typing import Any

from ..errors import WbtError
from ..i18n import L
from ..ops.importer.sources import SourceTable, source_table
from ..reader import safety
from ..schema import SheetSpec


def load_mapping(path: str | Path) -> dict[str, str]:
    """A TOML file with a ``[columns]`` table: ``"source header" = "schema key or column name"``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WbtError(L(f"无法读取映射文件 {path.name}：{exc}", f"Cannot read the mapping file {path.name}: {exc}")) from exc
    cols = data.get("columns", data)
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise WbtError(L(f"映射文件 {path.name} 应包含 [columns] 表，每项为 \"源列名\" = \"目标列\"",
                         f"The mapping file {path.name} needs a [columns] table of \"source\" = \"target\""))
    return {str(k): v for k, v in cols.items()}


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and the encoding that read it: UTF-8 (with or without BOM), else GB18030 (⊃ GBK)."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), ("utf-8" if enc == "utf-8-sig" else "gbk")
        except UnicodeDecodeError:
            continue
    raise WbtError(L("无法识别 CSV 文件的编码（支持 UTF-8 与 GBK）。", "Cannot tell the CSV encoding (UTF-8 or GBK)."))


def _csv_rows(path: Path) -> tuple[list[list[Any]], str]:
    limit = safety.max_part_bytes()
    with path.open("rb") as fh:   # a regular file (read_head checked it)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise WbtError(L(f"导入文件 {path.name} 超过 {limit >> 20} MB，已拒绝（可设置环境变量 WBT_MAX_PART_MB 提高上限）",
                         f"The import file {path.name} is larger than {limit >> 20} MB; refused (raise the limit "
                         "with WBT_MAX_PART_MB)"))
    text, enc = decode_csv(data)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return rows, enc


def _excel_rows(path: Path, sheet: str | None) -> list[list[Any]]:
    from ..reader.onesheet import read_sheet_rows

    return read_sheet_rows(path, sheet)


def read_source(path: str | Path, spec: SheetSpec, *, sheet: str | None = None) -> SourceTable:
    """Read ``path`` (csv, xlsx, xlsm, xls) into a :class:`SourceTable` for the target sheet ``spec``."""
    path = Path(path)
    if not path.exists():
        raise WbtError(L(f"找不到导入文件：{path}", f"Import file not found: {path}"))
    suffix = path.suffix.lower()
    head = safety.read_head(path)  # a regular, non-empty file (a FIFO is refused, never waited on)
    enc = None
    if head.startswith((*safety.ZIP_MAGICS, safety.OLE_MAGIC)) and suffix in (".csv", ".txt", ".xlsx", ".xlsm", ".xls"):
        rows = _excel_rows(path, sheet)   # a spreadsheet, whatever its name says
    elif suffix in (".csv", ".txt"):
        rows, enc = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        rows = _excel_rows(path, sheet)
    else:
        raise WbtError(L(f"不支持的导入文件类型：{suffix}（支持 csv、xlsx、xls）",
                         f"Unsupported import file type: {suffix} (csv, xlsx, xls)"))
    return source_table(path.name, spec, rows, enc)
