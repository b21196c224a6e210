"""LibreOffice headless helpers: convert a workbook to PDF (or another format) and to PNG.

Each soffice call gets its own throw-away profile (``-env:UserInstallation``) so that runs in
parallel never share or lock a user profile, and a timeout so a hung office never hangs a run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import WbtError
from ..i18n import L

DEFAULT_TIMEOUT = 120.0


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True when LibreOffice (soffice) is on PATH."""
    return soffice_binary() is not None


def convert(path: str | Path, fmt: str, outdir: str | Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``path`` with ``soffice --headless --convert-to fmt`` into ``outdir``; return the new file."""
    result, msg = _run_soffice([path], fmt, outdir, timeout)
    if not result[0].exists():
        raise WbtError(L("LibreOffice 转换失败：{m}", "LibreOffice conversion failed: {m}").format(m=msg))
    return result[0]


def convert_all(paths: list[str | Path], fmt: str, outdir: str | Path, *,
                timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Convert several files in one ``soffice`` run (it starts once). Returns where each new file
    is meant to be, in order; a file LibreOffice could not open is missing there. The sources must
    have different names."""
    return _run_soffice(paths, fmt, outdir, timeout)[0]


def _run_soffice(paths: list[str | Path], fmt: str, outdir: str | Path, timeout: float) -> tuple[list[Path], str]:
    binary = soffice_binary()
    if binary is None:
        raise WbtError(L("未找到 LibreOffice（soffice），无法转换。", "LibreOffice (soffice) was not found."))
    srcs = [Path(p).resolve() for p in paths]
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="wbt-lo-"))
    cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--convert-to", fmt, "--outdir", str(out), *map(str, srcs)]
    env = {**os.environ, "HOME": str(profile)}
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise WbtError(L("LibreOffice 转换超时（{t} 秒）。", "LibreOffice conversion timed out ({t} s).")
                           .format(t=int(timeout))) from exc
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":", 1)[0]
    msg = (stderr or stdout or b"").decode("utf-8", "replace").strip()[-500:]
    if proc.returncode != 0:
        raise WbtError(L("LibreOffice 转换失败：{m}", "LibreOffice conversion failed: {m}").format(m=msg))
    return [out / (src.stem + "." + ext) for src in srcs], msg


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop soffice and the soffice.bin it started (they share the new session's process group)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def render_png(xlsx: str | Path, outdir: str | Path, first_page_only: bool = True, *, dpi: int = 60,
               timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Render a workbook to PNG pages: soffice → PDF → ``pdftoppm -png -r 60``. Returns the PNGs in order."""
    pdf = convert(xlsx, "pdf", outdir, timeout=timeout)
    if shutil.which("pdftoppm") is None:
        raise WbtError(L("未找到 pdftoppm（poppler-utils）。", "pdftoppm (poppler-utils) was not found."))
    prefix = pdf.with_suffix("")
    cmd = ["pdftoppm", "-png", "-r", str(dpi)]
    if first_page_only:
        cmd += ["-f", "1", "-l", "1"]
    subprocess.run([*cmd, str(pdf), str(prefix)], check=True, capture_output=True, timeout=timeout)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pdf_text(pdf: str | Path, *, first: int | None = None, last: int | None = None, timeout: float = 60) -> str:
    """The text of a PDF (``pdftotext -layout``), for checks on rendered output."""
    cmd = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    proc = subprocess.run([*cmd, str(pdf), "-"], capture_output=True, timeout=timeout, check=True)
    return proc.stdout.decode("utf-8", "replace")


def png_is_blank(png: str | Path, *, threshold: float = 0.002) -> bool:
    """True when (almost) every pixel of the PNG has the same colour as its corner.

    Decodes the PNG with the standard library only (8-bit RGB/RGBA/grey, non-interlaced, as
    pdftoppm writes them); ``threshold`` is the share of differing pixels below which the
    image counts as blank.
    """
    import struct
    import zlib

    data = Path(png).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"not a PNG: {png}")
    pos, idat = 8, b""
    width = height = depth = ctype = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or ctype not in (0, 2, 4, 6):
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}): {png}")
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows: list[bytes] = []
    i = 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        _unfilter(ftype, line, prev, bpp)
        rows.append(bytes(line))
        prev = line
    bg = rows[0][:bpp]
    blank_line = bg * width
    differing = 0
    for line in rows:
        if line == blank_line:
            continue
        for x in range(0, stride, bpp):
            if line[x:x + bpp] != bg:
                differing += 1
    return differing < threshold * width * height


def _unfilter(ftype: int, line: bytearray, prev: bytearray, bpp: int) -> None:
    n = len(line)
    if ftype == 0:
        return
    if ftype == 1:
        for x in range(bpp, n):
            line[x] = (line[x] + line[x - bpp]) & 0xFF
    elif ftype == 2:
        for x in range(n):
            line[x] = (line[x] + prev[x]) & 0xFF
    elif ftype == 3:
        for x in range(n):
            left = line[x - bpp] if x >= bpp else 0
            line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
    elif ftype == 4:
        for x in range(n):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
            line[x] = (line[x] + pred) & 0xFF
    else:
        raise ValueError(f"bad PNG filter {ftype}")
