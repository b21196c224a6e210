"""Refuse hostile or broken files before any parser sees them, in bounded time and memory.

* only regular files are opened (a pipe, device or socket named ``*.xlsx`` would block a reader);
* what the file is (zip package, OLE compound file, text) from its first bytes, not its name;
* encrypted workbooks (an OLE file with an ``EncryptionInfo`` stream) and CSV renamed to .xlsx;
* zip bombs: refused from the declared sizes, and every part is inflated with a cap in case
  the header lies (:func:`iter_part`); a part that inflates more than MAX_RATIO times its
  compressed size beyond RATIO_FLOOR (padding: 1.2 MB of zip holding 1 GB of spaces) is refused too;
* XML entity bombs: any ``<!DOCTYPE`` or ``<!ENTITY`` in a part (Excel never writes one).

Limits are module constants that environment variables override (tests keep them small).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .. import ziplib
from ..errors import UnreadableWorkbook
from ..i18n import L

MB = 1 << 20
#: largest uncompressed part (a sheet's XML, shared strings …); WBT_MAX_PART_MB overrides
MAX_PART_BYTES = 1024 * MB
#: largest uncompressed package in total; WBT_MAX_TOTAL_MB overrides
MAX_TOTAL_BYTES = 2048 * MB
#: most parts in one package; WBT_MAX_PARTS overrides
MAX_PARTS = 10_000
#: a part inflating to more than this many times its compressed size is refused once it is past
#: RATIO_FLOOR (real sheet XML compresses 5–20×, whitespace padding 1,000×); WBT_MAX_RATIO overrides
MAX_RATIO = 100
RATIO_FLOOR = 64 * MB
CHUNK = 4 * MB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_HOSTILE = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


def _env_int(name: str, default: int, unit: int = 1) -> int:
    val = os.environ.get(name, "").strip()
    if val:
        try:
            return max(1, int(float(val) * unit))
        except ValueError:
            pass
    return default


def max_part_bytes() -> int:
    return _env_int("WBT_MAX_PART_MB", MAX_PART_BYTES, MB)


def max_total_bytes() -> int:
    return _env_int("WBT_MAX_TOTAL_MB", MAX_TOTAL_BYTES, MB)


def _fail(path: Path, zh: str, en: str, hint: L | None = None) -> UnreadableWorkbook:
    return UnreadableWorkbook(L(f"无法读取“{path.name}”：{zh}", f"Cannot read '{path.name}': {en}"), hint=hint)


def sniff(path: Path) -> str:
    """The kind of file from its first bytes: 'zip', 'xls', or raises UnreadableWorkbook
    (missing, not a regular file, empty, encrypted, CSV/text, anything else)."""
    head = read_head(path)
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(OLE_MAGIC):
        if _ole_encrypted(path):
            raise _fail(path, "工作簿设置了打开密码（已加密），本工具无法读取",
                        "the workbook is password-protected (encrypted)",
                        L("请在 Excel 中打开后，通过“文件 → 信息 → 保护工作簿 → 用密码进行加密”清除密码再保存",
                          "Open it in Excel, remove the password (File → Info → Protect Workbook → "
                          "Encrypt with Password) and save it again"))
        return "xls"
    if path.suffix.lower() in (".csv", ".tsv", ".txt") or _looks_like_text(head):
        raise _csv(path)
    raise _fail(path, "这不是 Excel 工作簿（既不是 .xlsx 也不是 .xls 格式）",
                "this is not an Excel workbook (neither .xlsx nor .xls)",
                L("请用 Excel 打开并另存为 .xlsx", "Open it in Excel and save it as .xlsx"))


def read_head(path: Path, size: int = 8192) -> bytes:
    """The first ``size`` bytes of a regular, non-empty file; anything else is refused at once
    (a FIFO is opened without blocking and refused: nothing waits for a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as exc:
        raise _fail(path, "文件不存在", "the file does not exist") from exc
    except IsADirectoryError as exc:
        raise _fail(path, "这是一个文件夹，不是工作簿", "this is a folder, not a workbook") from exc
    except OSError as exc:
        raise _fail(path, f"无法打开文件（{exc.strerror}）", f"cannot open the file ({exc.strerror})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _fail(path, "这是一个文件夹，不是工作簿", "this is a folder, not a workbook")
        if not stat.S_ISREG(mode):
            raise _fail(path, "这不是普通文件（而是管道、设备或套接字），不会读取",
                        "this is not a regular file (a pipe, device or socket); it is not read")
        head = os.read(fd, size)
    except OSError as exc:
        raise _fail(path, f"无法读取文件（{exc.strerror}）", f"cannot read the file ({exc.strerror})") from exc
    finally:
        os.close(fd)
    if not head:
        raise _fail(path, "文件是空的（0 字节）", "the file is empty (0 bytes)")
    return head


def legacy_xls_named_xlsx(path: Path) -> bool:
    """An Excel 97-2003 file (OLE compound file) whose name says .xlsx/.xlsm."""
    return path.suffix.lower() != ".xls"


def not_xlsx_message(path: Path) -> L:
    """What to tell a user who wants to write into a legacy .xls file (whatever its name)."""
    return L(f"“{path.name}”是 Excel 97-2003 (.xls) 格式的工作簿，只能读取，不能写回",
             f"'{path.name}' is an Excel 97-2003 (.xls) workbook: it can be read, not written")


def xls_hint() -> L:
    return L("请在 Excel 中打开，另存为“Excel 工作簿 (*.xlsx)”后再运行", "Open it in Excel, save it as "
             "'Excel Workbook (*.xlsx)' and run this again")


def _csv(path: Path) -> UnreadableWorkbook:
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):  # named as what it is
        return _fail(path, "这是 CSV/文本文件，不是 Excel 工作簿", "this is a CSV/text file, not an Excel workbook",
                     L("请用 `wbt import` 把它导入工作簿，或在 Excel 中打开并另存为 .xlsx",
                       "Load it into a workbook with `wbt import`, or open it in Excel and save it as .xlsx"))
    return _fail(path, "这是 CSV/文本文件，不是 Excel 工作簿（可能只是改了扩展名）",
                 "this is a CSV/text file, not an Excel workbook (perhaps only renamed)",
                 L(f"请把文件改名为 {path.stem}.csv 后用 `wbt import` 导入，或在 Excel 中打开并另存为 .xlsx",
                   f"Rename it to {path.stem}.csv and load it with `wbt import`, or open it in Excel "
                   "and save it as .xlsx"))


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text with a byte-order mark
        return True
    if b"\x00" in head:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            # a multi-byte character cut at the end of the sample
            try:
                text = head[:-3].decode(enc)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        return printable >= 0.95 * max(1, len(text))
    return False


def _ole_encrypted(path: Path) -> bool:
    """An OLE compound file holding an encrypted OOXML package has an 'EncryptionInfo' stream
    (names in the directory are UTF-16LE). Legacy .xls encryption is caught by the reader."""
    needle = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as fh:
        try:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return mm.find(needle) >= 0 or mm.find("EncryptedPackage".encode("utf-16-le")) >= 0
        except ValueError:
            return False


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open the package and check its directory: not truncated, no part too large (declared sizes)."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _fail(path, "文件已损坏或不完整（zip 结构被截断），可能是下载或复制未完成",
                    "the file is damaged or incomplete (truncated zip), perhaps an unfinished download or copy",
                    L("请重新获取完整的文件，或在 Excel 中打开修复后另存",
                      "Get a complete copy again, or let Excel repair it and save it")) from exc
    except (OSError, ValueError, EOFError) as exc:
        raise _fail(path, f"无法打开 zip 包（{exc}）", f"cannot open the zip package ({exc})") from exc
    infos = zf.infolist()
    if len(infos) > _env_int("WBT_MAX_PARTS", MAX_PARTS):
        zf.close()
        raise _fail(path, f"包内部件过多（{len(infos)} 个），疑似恶意文件",
                    f"too many parts in the package ({len(infos)}); looks hostile")
    limit, total_limit = max_part_bytes(), max_total_bytes()
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limit or total > total_limit:
            zf.close()
            raise _bomb(path, info.filename, info.file_size if info.file_size > limit else total)
        if _too_inflated(info.file_size, info.compress_size):
            zf.close()
            raise _ratio(path, info.filename, info.file_size, info.compress_size)
        if info.flag_bits & 0x1:
            zf.close()
            raise _fail(path, "包内部件已加密，无法读取", "parts of the package are encrypted")
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        zf.close()
        raise _fail(path, "这是 zip 文件，但不是 Excel 工作簿（缺少 [Content_Types].xml）",
                    "this is a zip file but not an Excel workbook ([Content_Types].xml is missing)")
    if "xl/workbook.bin" in names:
        zf.close()
        raise _fail(path, "不支持 .xlsb（二进制工作簿）格式", "the .xlsb (binary workbook) format is not supported",
                    L("请在 Excel 中另存为 .xlsx", "Save it as .xlsx in Excel"))
    if not any(n.startswith("xl/workbook") for n in names):
        zf.close()
        raise _fail(path, "这是 Office 文件，但不是 Excel 工作簿（可能是 Word 或 PowerPoint 文件）",
                    "this is an Office file but not an Excel workbook (Word or PowerPoint?)")
    return zf


def _bomb(path: Path, part: str, size: int) -> UnreadableWorkbook:
    return _fail(path, f"部件 {part} 解压后达 {size / MB:,.0f} MB，超过上限 {max_part_bytes() / MB:,.0f} MB，"
                 "疑似“压缩炸弹”，已拒绝读取",
                 f"part {part} inflates to {size / MB:,.0f} MB, above the limit of "
                 f"{max_part_bytes() / MB:,.0f} MB; looks like a zip bomb, refused",
                 L("如确为正常的大文件，可设置环境变量 WBT_MAX_PART_MB 提高上限",
                   "If it really is a large genuine file, raise the limit with WBT_MAX_PART_MB"))


def max_ratio() -> int:
    return _env_int("WBT_MAX_RATIO", MAX_RATIO)


def _too_inflated(size: int, compressed: int) -> bool:
    return size > RATIO_FLOOR and size > max_ratio() * max(1, compressed)


def _ratio(path: Path, part: str, size: int, compressed: int) -> UnreadableWorkbook:
    return _fail(path, f"部件 {part} 由 {compressed / MB:,.1f} MB 解压出 {size / MB:,.0f} MB 以上（超过 {max_ratio()} 倍），"
                 "正常的表格不会这样，疑似“压缩炸弹”或大量填充，已拒绝读取",
                 f"part {part} inflates from {compressed / MB:,.1f} MB to more than {size / MB:,.0f} MB (over "
                 f"{max_ratio()} times); real sheets never do, it looks like a zip bomb or padding, refused",
                 L("如确为正常文件，可设置环境变量 WBT_MAX_RATIO 提高倍数上限",
                   "If it really is a genuine file, raise the limit with WBT_MAX_RATIO"))


def iter_part(zf: zipfile.ZipFile, name: str, path: Path, cap: int | None = None) -> Iterator[bytes]:
    """Inflate one part chunk by chunk, refusing it as soon as it grows beyond ``cap`` bytes or
    beyond MAX_RATIO times its compressed size (the declared sizes may lie), or turns out damaged."""
    cap = max_part_bytes() if cap is None else cap
    compressed = zf.getinfo(name).compress_size   # the bytes that will really be read
    seen = 0
    try:
        fast = ziplib.member_chunks(zf, zf.getinfo(name), CHUNK)
        with contextlib.nullcontext(fast) if fast is not None else zf.open(name) as fh:
            chunks = fast if fast is not None else iter(lambda: fh.read(CHUNK), b"")
            for chunk in chunks:
                seen += len(chunk)
                if seen > cap:
                    raise _bomb(path, name, seen)
                if _too_inflated(seen, compressed):
                    raise _ratio(path, name, seen, compressed)
                yield chunk
    except (zipfile.BadZipFile, *ziplib.ERRORS, EOFError, OSError) as exc:
        raise _fail(path, f"部件 {name} 已损坏：内容与 zip 目录记录不一致或不完整（{exc}），文件可能被截断或篡改",
                    f"part {name} is damaged: its content does not match the zip directory or is incomplete "
                    f"({exc}); the file may be truncated or crafted") from exc
    except NotImplementedError as exc:
        raise _fail(path, f"部件 {name} 使用了不支持的压缩方式", f"part {name} uses an unsupported compression") from exc


def read_part(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """A whole (small) part, capped, checked for DOCTYPE/ENTITY."""
    data = b"".join(iter_part(zf, name, path))
    check_xml(data, name, path)
    return data


def check_xml(data: bytes, name: str, path: Path) -> None:
    if b"!" in data and any(h in data for h in _HOSTILE):
        raise _fail(path, f"部件 {name} 含有 DOCTYPE/ENTITY 声明（XML 实体炸弹），Excel 从不写入这种内容，已拒绝读取",
                    f"part {name} holds a DOCTYPE/ENTITY declaration (XML entity bomb); Excel never "
                    "writes one, refused")


def check_small_parts(zf: zipfile.ZipFile, path: Path, skip: set[str]) -> dict[str, bytes]:
    """Inflate (capped) and check every XML part except ``skip`` (the sheets, scanned elsewhere).
    Returns the parts the reader needs again (workbook.xml and its rels, the shared strings)."""
    keep: dict[str, bytes] = {}
    for info in zf.infolist():
        name = info.filename
        if name in skip or name.endswith("/") or not name.endswith((".xml", ".rels", ".vml")):
            continue
        data = read_part(zf, name, path)
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or name.casefold().endswith("sharedstrings.xml"):
            keep[name] = data
    return keep
