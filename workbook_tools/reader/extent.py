"""How far a sheet really reaches, found before calamine allocates it.

python-calamine builds a sheet as one dense range from A1 to its last non-empty cell (about 45
bytes per cell with the rows handed to Python), whatever ``<dimension>`` says: one cell at
``XFD100000`` asks for 1.6 billion cells (72 GB) and the process aborts. So every sheet part is
scanned first, in linear time, for the cells calamine will place:

* **fast path** (every block, three C-speed regexes, ~0.15 s per 46 MB of XML): every cell
  element (any prefix) whose first attribute is ``r="A1"``-like with one column letter and at
  most six row digits lies in the box A1:Z999999; any other cell element is read exactly (a
  reference outside the box) or flags the sheet (no ``r``, another first attribute, quoting or
  spacing), and so does any ``r`` attribute that is not the first of a cell or row (a second
  ``r``: calamine may take it). The box can never break the default limits (26 × 1,048,576 <
  MAX_CELLS); cells inside comments only make the bound larger.
* **precise pass** (only when the fast bound breaks a limit, or a cell has no leading ``r``):
  the sheet is tokenised as calamine reads it — comments and CDATA skipped, a cell without ``r``
  placed after the previous cell of its row, empty cells (no ``<v>``/``<is>``) not counted, the
  last of several ``r`` attributes … — and the real extent decides.

Limits: the last row (WBT_MAX_ROWS, default 1,048,575: a sheet reaching Excel's very last row is
almost always a stray cell), column XFD (16,384, Excel's last), and the dense area
``last row × last column`` (WBT_MAX_CELLS, default 50 million cells ≈ 2.3 GB while reading: a
full-height sheet with the template's ~30 columns fits, a stray cell far right or far down does
not). A refusal names the cell that reaches furthest.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableWorkbook
from ..i18n import L

EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384
#: a sheet whose last cell lies beyond this row is refused (WBT_MAX_ROWS overrides)
MAX_ROWS = EXCEL_MAX_ROW - 1
#: a sheet whose dense area (last row × last column) is larger is refused (WBT_MAX_CELLS overrides)
MAX_CELLS = 50_000_000
#: a single tag, comment or CDATA section longer than this is refused (Excel writes none over a few KB)
MAX_TAG_BYTES = 16 << 20
# the box every cell the fast path does not flag lies in: columns A..Z, rows 1..999,999
BOX_COLS, BOX_ROWS = 26, 999_999

# a cell element whose first attribute is not r="<letter><1-6 digits>": no r, another first
# attribute, other quoting or spacing (group 1 empty), or a reference outside the box (group 1)
_CELL_OUT = re.compile(rb'<c(?=[\s/>])(?! r="[A-Za-z]\d{1,6}")(?: r="([A-Za-z]+)(\d+)")?')
_PCELL_OUT = re.compile(rb':c(?=[\s/>])(?! r="[A-Za-z]\d{1,6}")(?: r="([A-Za-z]+)(\d+)")?')   # prefixed: x:c
# an r attribute anywhere that is not the first attribute of a cell or row (a second r, another
# separator or quote): calamine may take it, so the sheet goes to the precise pass
_OTHER_R = re.compile(rb"r(?<=[\s\"']r)(?<![cw] r)\s*=")
_REF = re.compile(rb'r(?<=[\s"\']r)\s*=\s*["\']([A-Za-z]{2,}\d*|[A-Za-z]?\d{7,})')
_REF = re.compile(rb"([A-Za-z]*)(\d*)")


def _env_int(name: str, default: int) -> int:
    val = os.environ.get(name, "").strip()
    return int(val) if val.isdigit() and int(val) > 0 else default


def max_rows() -> int:
    return _env_int("WBT_MAX_ROWS", MAX_ROWS)


def max_cells() -> int:
    return _env_int("WBT_MAX_CELLS", MAX_CELLS)


def col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s or "A"


def parse_ref(value: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a reference as calamine reads it (letters then digits, any case);
    None when calamine would refuse it. Row 0 means the reference has no digits."""
    m = _REF.fullmatch(value)
    if not m or not m.group(2) and not m.group(1):
        return None
    return int(m.group(2) or 0), col_index(m.group(1))


@dataclass
class Extent:
    """The furthest row and column a sheet's cells reach (1-based) and a cell reaching each."""

    rows: int = 0
    cols: int = 0
    row_cell: str = ""
    col_cell: str = ""

    def add(self, row: int, col: int) -> None:
        if row > self.rows:
            self.rows, self.row_cell = row, f"{col_letters(col)}{row}"
        if col > self.cols:
            self.cols, self.col_cell = col, f"{col_letters(col)}{row}"


def fits(rows: int, cols: int) -> bool:
    return rows <= max_rows() and cols <= EXCEL_MAX_COL and rows * cols <= max_cells()


class Fast:
    """The fast path over the blocks of one sheet: an upper bound of its extent."""

    def __init__(self) -> None:
        self.far = Extent()     # the cells outside the box, exactly
        self.odd = False        # a cell the fast path cannot place

    def feed(self, block: bytes) -> None:
        for rx in (_CELL_OUT, _PCELL_OUT):
            found = rx.findall(block)
            if not found:
                continue
            letters = {a for a, _ in found}
            if b"" in letters:
                self.odd = True
                letters.discard(b"")
            if letters:  # the furthest column and row (a wide sheet has many such cells: no per-cell work)
                col = max(col_index(a) for a in letters)
                digits = [d for _, d in found if d]
                longest = max(map(len, digits))
                row = int(max(d for d in digits if len(d) == longest))
                self.far.add(row, col)
        if not self.odd and _OTHER_R.search(block):
            self.odd = True

    def sure(self) -> bool:
        """Whether the bound proves the sheet fits (else the precise pass must decide). Every cell
        not counted in ``far`` lies in the box, which is counted whole."""
        return not self.odd and fits(max(self.far.rows, BOX_ROWS), max(self.far.cols, BOX_COLS))


# ---- the precise pass -----------------------------------------------------------------------------
_TOKEN = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"
    rb"|<(/?)(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_OPEN_ENDED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_R_ATTR = re.compile(rb"(?:^|(?<=[\s\"']))r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ATTR_VALUE = re.compile(rb"\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def _r_values(attrs: bytes) -> list[bytes]:
    """Every r attribute value of a tag (attribute values themselves skipped)."""
    out, pos = [], 0
    while True:
        m = _R_ATTR.search(attrs, pos)
        if m is None:
            return out
        # an "r=" inside another attribute's value does not count: skip values before it
        before = attrs[pos:m.start()]
        if before.count(b'"') % 2 or before.count(b"'") % 2:
            pos = m.start() + 1
            continue
        out.append(m.group(1) if m.group(1) is not None else m.group(2))
        pos = m.end()


class _Cells:
    """calamine's cell reader (xlsx/cells_reader.rs), positions only. ``empty_tags``: calamine 0.37
    also places self-closing ``<c/>`` and ``<row/>`` (a cell that moves the next one, a row that
    ends at once); earlier versions skip them. Both are followed and the larger extent counts."""

    def __init__(self, ext: Extent, empty_tags: bool) -> None:
        self.ext = ext
        self.empty_tags = empty_tags
        self.row = 0            # 0-based, as calamine keeps it
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.filled = False

    def start(self, name: bytes, attrs: bytes, empty: bool) -> None:
        if empty and not self.empty_tags and name in (b"row", b"c"):
            return
        if name == b"row":
            for value in _r_values(attrs):
                ref = parse_ref(value)
                if ref is not None:
                    self.row = max(ref[0] - 1, 0)
            if empty:
                self.end(b"row")
        elif name == b"c":
            places = [ref for ref in map(parse_ref, _r_values(attrs)) if ref is not None]
            if places:  # several r: calamine takes one of them; count the furthest
                pos = (max(r - 1 for r, _ in places), max(c - 1 for _, c in places))
            else:
                pos = (self.row, self.col)
            self.cell, self.filled = (None, False) if empty else (pos, False)
            self.col = pos[1] + 1
        elif name in (b"v", b"is") and self.cell is not None and (not empty or name == b"is"):
            self.filled = True

    def end(self, name: bytes) -> None:
        if name == b"c":
            if self.cell is not None and self.filled:
                self.ext.add(self.cell[0] + 1, self.cell[1] + 1)
            self.cell = None
        elif name == b"row":
            self.row += 1
            self.col = 0


class _Precise:
    """Tokenises the sheet once (comments, CDATA and processing instructions skipped, ``>`` inside
    quoted attribute values kept in the tag) and feeds the cells of sheetData to both readers."""

    def __init__(self) -> None:
        self.ext = Extent()
        self.readers = (_Cells(self.ext, True), _Cells(self.ext, False))
        self.in_data = False
        self.done = False
        self.carry = b""

    def feed(self, block: bytes, path: Path, part: str) -> None:
        text = self.carry + block if self.carry else block
        stop = len(text)
        for opener, closer in _OPEN_ENDED:  # a comment, CDATA or PI the block cuts: wait for its end
            i = text.rfind(opener, 0, stop)
            if i >= 0 and text.find(closer, i + len(opener)) < 0:
                stop = i
        end = 0
        for m in _TOKEN.finditer(text, 0, stop):
            end = m.end()
            name = m.group(2)
            if name is None or self.done:
                continue
            closing, attrs = m.group(1), m.group(3)
            empty = attrs.endswith(b"/")
            if not self.in_data:
                self.in_data = name == b"sheetData" and not closing and not empty
                continue
            if closing and name == b"sheetData":
                self.done = True
            for reader in self.readers:
                if closing:
                    reader.end(name)
                else:
                    reader.start(name, attrs, empty)
        rest = text.find(b"<", end)
        self.carry = text[min(rest, stop):] if rest >= 0 else b""
        if len(self.carry) > MAX_TAG_BYTES:
            raise UnreadableWorkbook(L(f"无法读取“{path.name}”：部件 {part} 中有一个超过 {MAX_TAG_BYTES >> 20} MB 的标签，"
                                       "疑似恶意文件，已拒绝", f"Cannot read '{path.name}': part {part} holds a tag of more "
                                       f"than {MAX_TAG_BYTES >> 20} MB; looks hostile, refused"))


def precise(blocks: Iterable[bytes], path: Path, part: str) -> Extent:
    """The exact extent of the non-empty cells, as calamine will place them."""
    p = _Precise()
    for block in blocks:
        p.feed(block, path, part)
    return p.ext


def check(ext: Extent, sheet: str, path: Path) -> None:
    """Refuse a sheet reaching beyond the limits (UnreadableWorkbook naming the furthest cell)."""
    if fits(ext.rows, ext.cols):
        return
    if ext.cols > EXCEL_MAX_COL or ext.rows > EXCEL_MAX_ROW:
        cell = ext.col_cell if ext.cols > EXCEL_MAX_COL else ext.row_cell
        raise UnreadableWorkbook(
            L(f"无法读取“{path.name}”：工作表“{sheet}”的单元格 {cell} 超出了 Excel 的范围（最多 16,384 列 × 1,048,576 行），"
              "文件已损坏或被篡改", f"Cannot read '{path.name}': sheet '{sheet}' has a cell {cell} beyond Excel's grid "
              "(16,384 columns × 1,048,576 rows); the file is damaged or crafted"),
            sheet=sheet, cell=cell, hint=L("请用 Excel 打开修复后另存", "Let Excel repair it and save it"))
    if ext.rows > max_rows():
        raise UnreadableWorkbook(
            L(f"无法读取“{path.name}”：工作表“{sheet}”的内容一直延伸到第 {ext.rows:,} 行（单元格 {ext.row_cell}），"
              "读取会耗尽内存，已拒绝", f"Cannot read '{path.name}': sheet '{sheet}' reaches row {ext.rows:,} (cell "
              f"{ext.row_cell}); reading it would exhaust memory, refused"),
            sheet=sheet, cell=ext.row_cell,
            hint=L(f"请在 Excel 中选中数据下方的多余行（直到第 {ext.rows:,} 行），右键“删除”后保存",
                   f"In Excel, select the stray rows below the data (down to row {ext.rows:,}), delete them and save"))
    area = ext.rows * ext.cols
    far = ext.col_cell if ext.cols > BOX_COLS else ext.row_cell  # the cell that is out of place
    same = ext.col_cell == ext.row_cell
    zh_cells = ext.col_cell if same else f"{ext.col_cell} 和 {ext.row_cell}"
    en_cells = f"cell {ext.col_cell}" if same else f"cells {ext.col_cell} and {ext.row_cell}"
    raise UnreadableWorkbook(
        L(f"无法读取“{path.name}”：工作表“{sheet}”的单元格 {zh_cells} 使读取区域达到 "
          f"{ext.rows:,} 行 × {ext.cols:,} 列（{area:,} 个单元格，上限 {max_cells():,}），读取会耗尽内存，已拒绝",
          f"Cannot read '{path.name}': {en_cells} of sheet '{sheet}' make the area to read {ext.rows:,} rows × "
          f"{ext.cols:,} columns ({area:,} cells, limit {max_cells():,}); reading it would exhaust memory, refused"),
        sheet=sheet, cell=far,
        hint=L(f"请在 Excel 中删除远离数据的单元格（如 {far}）后保存；如确为正常的大表，可设置环境变量 WBT_MAX_CELLS 提高上限",
               f"In Excel, delete the cells far from the data (such as {far}) and save; if the sheet really is "
               "that large, raise the limit with WBT_MAX_CELLS"))
