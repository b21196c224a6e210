"""``wbt excel install`` and ``wbt excel doctor``: Excel finds the add-ins and the right Python.

How xlwings picks the interpreter (its 0.37 source, ``xlwings/addin/Config.bas`` ``GetConfig``
and ``Main.bas`` ``RunPython``): the first of (1) a sheet ``xlwings.conf`` in the ACTIVE
workbook, (2) a sheet ``xlwings.conf`` in ``ThisWorkbook``, (3) a file ``xlwings.conf`` beside
the active workbook, (4) the user file ``%USERPROFILE%\\.xlwings\\xlwings.conf`` (macOS:
``~/Library/Containers/com.microsoft.Excel/Data/xlwings.conf``), (5) plain ``python`` on PATH;
key ``INTERPRETER_WIN`` (``INTERPRETER_MAC``), then the legacy ``INTERPRETER``. Our ribbon calls
``'xlwings.xlam'!RunPython``, so ``ThisWorkbook`` there is xlwings.xlam, NOT the CRM add-in: a
``xlwings.conf`` sheet inside CRM工具.xlam would never be read. (It is read only by a stand-alone
add-in that carries xlwings' VBA itself.) The user file is therefore the place: ``install`` sets
that one key in it (other keys kept, the old file backed up beside it), in the format VBA's ``Write #``
writes and ``Input #`` reads: ``"KEY","value"`` per line, in the ANSI code page on Windows.

``install`` also copies CRM工具.xlam (built by this version) and xlwings' own xlwings.xlam (from the
installed xlwings, so the versions match) into Excel's XLSTART folder, which Excel opens at start
and trusts by default. A file replaced there is kept in ``wbt-XLSTART-backups`` next to XLSTART
(never inside it: Excel would open the old add-in too).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import outputs
from ..errors import WbtError
from ..i18n import L

ADDIN_NAME = "CRM工具.xlam"
XLWINGS_ADDIN = "xlwings.xlam"
CONF_NAME = "xlwings.conf"
BACKUP_FOLDER = "wbt-XLSTART-backups"   # beside XLSTART: Excel opens every file inside it


def interpreter_key(platform: str | None = None) -> str:
    return "INTERPRETER_MAC" if (platform or sys.platform) == "darwin" else "INTERPRETER_WIN"


def default_xlstart() -> Path | None:
    """Excel's per-user start-up folder, where it exists on this machine."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    mac = Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content" / "Startup" / "Excel"
    return mac if sys.platform == "darwin" else None


def default_config() -> Path | None:
    if os.name == "nt" and os.environ.get("USERPROFILE"):
        return Path(os.environ["USERPROFILE"]) / ".xlwings" / CONF_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / CONF_NAME
    return None


def this_interpreter() -> Path:
    """The Python running now; on Windows its ``pythonw.exe`` (no console window flashes)."""
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return windowless if os.name == "nt" and windowless.exists() else exe


def xlwings_addin_source() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "addin" / XLWINGS_ADDIN


def _encoding() -> str:
    return "mbcs" if os.name == "nt" else "utf-8"   # what VBA's Input # reads on that system


def read_config(path: Path) -> dict[str, str]:
    """``"KEY","value"`` lines as VBA writes them (keys upper-cased, as xlwings compares them)."""
    if not path.exists():
        return {}
    text = path.read_bytes().decode(_encoding(), errors="replace")
    out = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[0].strip():
            out[row[0].strip().upper()] = row[1]
    return out


def config_text(values: dict[str, str]) -> str:
    return "".join(f'"{k}","{v}"\r\n' for k, v in values.items())


@dataclass
class Step:
    """One thing install does (or would do, in a dry run)."""

    what: L
    path: Path
    backup: Path | None = None


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    files: dict[Path, bytes] = field(default_factory=dict)


def plan_install(*, xlstart: Path, config: Path, interpreter: Path, addin: bytes,
                 platform: str | None = None) -> Plan:
    """What ``install`` writes: the two add-ins into ``xlstart``, the interpreter into ``config``."""
    plan = Plan()
    key = interpreter_key(platform)
    values = read_config(config)
    values[key] = str(interpreter)
    try:
        conf = config_text(values).encode(_encoding())
    except UnicodeEncodeError as exc:
        raise WbtError(L("解释器路径“{p}”含有本机代码页无法保存的字符，VBA 读不到它。",
                         "The interpreter path '{p}' has characters this PC's code page cannot store; VBA could "
                         "not read it.").format(p=interpreter),
                       hint=L("请把 Python 装在只含英文字母的路径下（如 C:\\Python311）。",
                              "Install Python in a path of plain letters (e.g. C:\\Python311).")) from exc
    xlwings_xlam = xlwings_addin_source()
    if not xlwings_xlam.exists():
        raise WbtError(L("已安装的 xlwings 不含 xlwings.xlam：{p}", "The installed xlwings has no xlwings.xlam: {p}")
                       .format(p=xlwings_xlam))
    wanted = [(xlstart / ADDIN_NAME, addin, L("CRM 加载项", "the CRM add-in")),
              (xlstart / XLWINGS_ADDIN, xlwings_xlam.read_bytes(), L("xlwings 加载项", "the xlwings add-in")),
              (config, conf, L(f"xlwings 设置 {key} = {interpreter}", f"xlwings setting {key} = {interpreter}"))]
    for path, data, what in wanted:
        if path.exists() and path.read_bytes() == data:
            continue
        backup = free_name(backup_folder(xlstart, path) / (path.name + ".bak")) if path.exists() else None
        plan.steps.append(Step(what, path, backup))
        plan.files[path] = data
    return plan


def backup_folder(xlstart: Path, path: Path) -> Path:
    """Where the file ``path`` replaced by ``install`` is kept: beside it, except for XLSTART, where
    Excel opens every file at start (a kept add-in would load twice): a folder next to XLSTART."""
    return xlstart.parent / BACKUP_FOLDER if path.parent == xlstart else path.parent


def free_name(path: Path) -> Path:
    """``path``, or ``name.bak2``, ``name.bak3`` … when it exists: a backup never replaces a file."""
    n, candidate = 1, path
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}{n}")
    return candidate


def carry_out(plan: Plan) -> None:
    """Write the plan's files, each atomically through :mod:`workbook_tools.outputs` (a temp file
    beside it, fsynced, moved in; no record file is left in XLSTART, where Excel would open it).
    An existing file is first copied to its backup, which never replaces a file."""
    for step in plan.steps:
        try:
            if step.backup is not None:
                step.backup.parent.mkdir(parents=True, exist_ok=True)
                keep = outputs.plan(step.backup, kind="excel-install-backup")
                outputs.commit(keep, outputs.prepare(keep, lambda p, src=step.path: shutil.copy2(src, p)), record=False)
            target = outputs.plan(step.path, kind="excel-install", force=True)  # the old one is kept just above
            outputs.commit(target, outputs.prepare(target, lambda p, d=plan.files[step.path]: p.write_bytes(d)),
                           record=False)
        except OSError as exc:
            raise WbtError(L("无法写入 {p}：{m}", "Cannot write {p}: {m}").format(p=step.path, m=exc.strerror or exc),
                           hint=L("请先关闭 Excel（它会锁定已打开的加载项），再运行一次。",
                                  "Close Excel first (it locks the add-ins it has open), then run this again.")) from exc


# ---- doctor ------------------------------------------------------------------------------------
@dataclass
class Check:
    ok: bool | None           # None: cannot be checked from here, a reminder
    text: L


def _probe_interpreter(exe: str) -> tuple[str | None, str | None, str]:
    """(workbook_tools version, xlwings version, error) as that interpreter sees them."""
    code = "import workbook_tools, xlwings; print(workbook_tools.__version__); print(xlwings.__version__)"
    try:
        res = subprocess.run([exe, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, None, str(exc)
    lines = res.stdout.split()
    if res.returncode != 0 or len(lines) < 2:
        return None, None, (res.stderr.strip().splitlines() or ["?"])[-1]
    return lines[0], lines[1], ""


def diagnose(*, xlstart: Path | None, config: Path | None, book: Path | None = None,
             platform: str | None = None) -> list[Check]:
    """What Excel will use and what is wrong, one check per line."""
    from .. import __version__
    from .addin.build import addin_bytes

    checks: list[Check] = []
    key = interpreter_key(platform)
    values = read_config(config) if config else {}
    interp = values.get(key) or values.get("INTERPRETER")
    if config is None:
        checks.append(Check(False, L("不知道 xlwings 用户设置文件在哪里（本机没有 Excel）；请用 --config 指定。",
                                     "Where the xlwings user settings are is unknown (no Excel here); pass --config.")))
    elif not interp:
        checks.append(Check(False, L(f"{config} 中没有 {key}：Excel 会用 PATH 上的 python。请运行 wbt excel install。",
                                     f"No {key} in {config}: Excel would use the python on PATH. Run: wbt excel install")))
    elif not Path(interp).exists():
        checks.append(Check(False, L(f"设置的解释器不存在：{interp}", f"The configured interpreter does not exist: {interp}")))
    else:
        wbt_v, xlw_v, err = _probe_interpreter(interp)
        if wbt_v is None:
            checks.append(Check(False, L(f"解释器 {interp} 无法导入 workbook_tools 和 xlwings：{err}",
                                         f"The interpreter {interp} cannot import workbook_tools and xlwings: {err}")))
        else:
            checks.append(Check(True, L(f"Excel 使用的解释器：{interp}（workbook_tools {wbt_v}，xlwings {xlw_v}）",
                                        f"Excel uses {interp} (workbook_tools {wbt_v}, xlwings {xlw_v})")))
            if wbt_v != __version__:
                checks.append(Check(False, L(f"该解释器的 workbook_tools 是 {wbt_v}，本命令是 {__version__}。",
                                             f"That interpreter has workbook_tools {wbt_v}; this command is {__version__}.")))
    if xlstart is None:
        checks.append(Check(False, L("不知道 Excel 的 XLSTART 文件夹（本机没有 Excel）；请用 --xlstart 指定。",
                                     "Excel's XLSTART folder is unknown (no Excel here); pass --xlstart.")))
    else:
        ours = xlstart / ADDIN_NAME
        if not ours.exists():
            checks.append(Check(False, L(f"XLSTART 中没有 CRM 加载项：{ours}", f"No CRM add-in in XLSTART: {ours}")))
        elif ours.read_bytes() != addin_bytes():
            checks.append(Check(False, L(f"{ours} 不是本版本生成的，请运行 wbt excel install。",
                                         f"{ours} was not built by this version; run: wbt excel install")))
        else:
            checks.append(Check(True, L(f"CRM 加载项就位：{ours}", f"CRM add-in in place: {ours}")))
            _zone_check(ours, checks)
        theirs = xlstart / XLWINGS_ADDIN
        if not theirs.exists():
            checks.append(Check(False, L(f"XLSTART 中没有 xlwings 加载项：{theirs}", f"No xlwings add-in in XLSTART: {theirs}")))
        elif theirs.read_bytes() != xlwings_addin_source().read_bytes():
            checks.append(Check(False, L("XLSTART 中的 xlwings.xlam 与已安装的 xlwings 版本不同，请运行 wbt excel install。",
                                         "xlwings.xlam in XLSTART differs from the installed xlwings; run: wbt excel install")))
        else:
            checks.append(Check(True, L("xlwings 加载项与已安装的 xlwings 版本一致。",
                                        "The xlwings add-in matches the installed xlwings.")))
    if book is not None:
        _book_overrides(book, key, checks)
    checks.append(Check(None, L("在 Excel 中检查：文件 → 选项 → 信任中心 → 受信任位置 包含 XLSTART（默认包含）；"
                                "不需要“信任对 VBA 项目对象模型的访问”。",
                                "Check in Excel: File → Options → Trust Center → Trusted Locations lists XLSTART (it does "
                                "by default); 'Trust access to the VBA project object model' is NOT needed.")))
    return checks


def _zone_check(path: Path, checks: list[Check]) -> None:
    """Windows marks files from the internet (Zone.Identifier stream); Office then blocks macros."""
    if os.name != "nt":
        return
    try:
        zone = Path(f"{path}:Zone.Identifier").read_text(errors="replace")
    except OSError:
        return
    if "ZoneId=3" in zone or "ZoneId=4" in zone:
        checks.append(Check(False, L(f"{path} 被标记为来自网络，Office 会禁用其中的宏：右键 → 属性 → 勾选“解除锁定”。",
                                     f"{path} is marked as from the internet, so Office blocks its macros: "
                                     "right-click → Properties → tick Unblock.")))


def _book_overrides(book: Path, key: str, checks: list[Check]) -> None:
    """Settings that win over the user file for this workbook: its own xlwings.conf sheet or file."""
    beside = book.parent / CONF_NAME
    if beside.exists() and (key in read_config(beside) or "INTERPRETER" in read_config(beside)):
        checks.append(Check(False, L(f"{beside} 为这个文件夹另设了解释器，优先于用户设置。",
                                     f"{beside} sets another interpreter for this folder; it wins over the user setting.")))
    try:
        import python_calamine as pc

        names = pc.CalamineWorkbook.from_path(str(book)).sheet_names
    except Exception:  # noqa: BLE001 - an unreadable book is reported by the other commands
        return
    if any(n.lower() == CONF_NAME for n in names):
        checks.append(Check(False, L(f"{book.name} 含有 xlwings.conf 工作表，它的设置优先于用户设置。",
                                     f"{book.name} has an xlwings.conf sheet; its settings win over the user setting.")))
