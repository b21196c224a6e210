"""Exports: a masked copy, and one workbook per owner (负责人), masked or not. NEW files only.

The operations are pure: :func:`run_export_masked` and :func:`run_export_by_owner` return an
:class:`ExportResult` — an :class:`ActionResult` without a changeset (the user's workbook is not
touched) whose ``exports`` list holds each file to make (path + rows per sheet). ``stats`` holds
the JSON-able figures (files, row counts). :func:`workbook_tools.writer.exports.write_exports`
then builds every file with the template builder, so the copies keep the template's dropdowns, formats and 代码表 settings; all
files of one export are written or none (:func:`workbook_tools.outputs.write_all`), and an
existing file is replaced only when it is this tool's unchanged export of the same kind.

Roles: ``role="full"`` (default) keeps every schema column; ``role="marketing"`` keeps basic
information and tags only: no contact person, phone, e-mail or address, no contact log and no
complaints. Columns the source has but the schema does not know are never exported.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..changeset import ActionResult
from ..i18n import L, plural
from ..model import Finding, Settings, WorkbookModel
from ..schema import SCHEMA, CType
from ..values import to_python
from .mask import TextScrubber, mask_email, mask_name, mask_phone
from .matching import name_key, norm, norm_id

ROLES = ("full", "marketing")
# Marketing sees basic information and tags only (docs/domain.md#privacy).
MARKETING_KEYS = ("customer_id", "name", "customer_type", "industry", "company_size", "founded", "region",
                  "source", "stage", "products", "needs", "follow_grade", "tier_confirmed", "tier", "band")
# Columns holding people's names outside the team (customer side); staff names are kept.
PERSON_COLUMNS = {("customers", "contact"), ("contacts", "participants")}
UNASSIGNED = "未分配"
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|]+')
# names Windows reserves for devices, with any extension and in any case (CON, nul.txt, Com1 …)
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
                     *(f"{d}{n}" for d in ("com", "lpt") for n in "123456789¹²³")}
#: longest owner file name (without .xlsx): characters, and UTF-8 bytes (Linux allows 255 per name)
NAME_MAX_CHARS = 64
NAME_MAX_BYTES = 180
_TEXT_TYPES = (CType.TEXT, CType.LONGTEXT, CType.TERM, CType.LIST, CType.CUSTOMER_ID, CType.YEAR_OR_DATE)


@dataclass
class ExportFile:
    """One NEW workbook to write: ``data`` maps a data-sheet key to its rows (dicts by column key).
    ``variant`` names the kind of export (an earlier export of another variant is never replaced)."""

    path: Path
    data: dict[str, list[dict[str, Any]]]
    owner: str | None = None
    variant: str = ""

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.data.items()}


@dataclass
class ExportResult(ActionResult):
    exports: list[ExportFile] = field(default_factory=list)
    settings: Settings | None = None
    source: Path | None = None      # the workbook exported from: never a target


def _plain(v: Any) -> Any:
    """A raw cell value as the template builder writes it (str, int, float, date, datetime, None)."""
    t = type(v)
    if v is None or t is str or t is int:
        return v
    v = to_python(v)
    return v if v is None or isinstance(v, bool | str | int | float | dt.date) else str(v)


def _rows(model: WorkbookModel, key: str) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row, {key: raw value}) for the sheet's present columns, empty rows dropped."""
    sheet = model.sheet(key)
    if sheet is None:
        return []
    raw = sheet.raw
    keys = [k for k in sheet.columns if k in raw.columns]
    cols = {k: raw[k].tolist() for k in keys}
    out = []
    for i, row in enumerate(raw.index.tolist()):
        rec = {k: _plain(cols[k][i]) for k in keys}
        rec = {k: v for k, v in rec.items() if v is not None and v != ""}
        if rec:
            out.append((int(row), rec))
    return out


def _restrict(rec: dict[str, Any], role: str) -> dict[str, Any]:
    if role == "marketing":
        return {k: v for k, v in rec.items() if k in MARKETING_KEYS}
    return rec


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")


def _default_out(model: WorkbookModel, suffix: str) -> Path:
    p = Path(model.path)
    return p.with_name(f"{p.stem}{suffix}")


def _scrubber(rows: dict[str, list[tuple[int, dict[str, Any]]]]) -> TextScrubber:
    """Masks phones and e-mails in free text, knowing every phone and e-mail of the workbook."""
    phones: list[Any] = []
    emails: list[Any] = []
    for spec in SCHEMA.data_sheets:
        types = _types(spec.key)
        for _, rec in rows.get(spec.key, []):
            for k, v in rec.items():
                if types[k] == CType.PHONE:
                    phones.append(v)
                elif types[k] == CType.EMAIL:
                    emails.append(v)
    return TextScrubber(phones, emails)


def _new_counts() -> dict[str, int]:
    return {"names": 0, "phones": 0, "emails": 0, "free_text": 0}


@functools.cache
def _types(sheet_key: str) -> dict[str, CType]:
    return {c.key: c.type for c in SCHEMA.sheet(sheet_key).columns}


def mask_record(sheet_key: str, rec: dict[str, Any], scrub: TextScrubber, counts: dict[str, int]) -> dict[str, Any]:
    """One row with names, phones and e-mails masked; ``counts`` grows by the cells changed."""
    types = _types(sheet_key)
    new = {}
    for k, v in rec.items():
        t = types[k]
        if (sheet_key, k) in PERSON_COLUMNS:
            m, what = mask_name(v), "names"
        elif t == CType.PHONE:
            m, what = mask_phone(v), "phones"
        elif t == CType.EMAIL:
            m, what = mask_email(v), "emails"
        elif isinstance(v, str) and t in _TEXT_TYPES:
            m, what = scrub(v), "free_text"
        elif isinstance(v, int | float) and not isinstance(v, bool) and t in _TEXT_TYPES:
            # a number typed in a text column (a phone typed as 13800138000)
            s = str(int(v)) if float(v).is_integer() else str(v)
            m, what = (scrub(s), "free_text") if scrub(s) != s else (v, "")
        else:
            m, what = v, ""
        if what and m != v:
            counts[what] += 1
        new[k] = m
    return new


def mask_rows(model: WorkbookModel) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Every data sheet's rows with names, phones and e-mails masked, and how many cells changed."""
    rows = {spec.key: _rows(model, spec.key) for spec in SCHEMA.data_sheets}
    scrub = _scrubber(rows)
    counts = _new_counts()
    data = {key: [mask_record(key, rec, scrub, counts) for _, rec in recs] for key, recs in rows.items()}
    return data, counts


def run_export_masked(model: WorkbookModel, *, as_of: dt.date | None = None, out: str | Path | None = None,
                      role: str = "full") -> ExportResult:
    """A masked copy of the whole workbook (all data sheets, 代码表 settings kept) at ``out``
    (default: ``<name>_脱敏.xlsx`` beside the workbook)."""
    _check_role(role)
    data, counts = mask_rows(model)
    if role == "marketing":
        data = {"customers": [_restrict(r, role) for r in data["customers"]], "contacts": [], "complaints": []}
    path = Path(out) if out is not None else _default_out(model, "_脱敏.xlsx")
    f = ExportFile(path, data, variant=f"masked|{role}")
    stats = {"files": [{"path": str(path), "rows": f.counts()}], "masked": counts, "role": role}
    summary = L(f"脱敏副本：{path.name}（客户 {len(data['customers'])} 行；已脱敏 姓名 {counts['names']}、电话 "
                f"{counts['phones']}、邮箱 {counts['emails']}、文本 {counts['free_text']} 处）",
                f"Masked copy: {path.name} ({plural(len(data['customers']), 'customer')}; masked "
                f"{plural(counts['names'], 'name')}, {plural(counts['phones'], 'phone')}, "
                f"{plural(counts['emails'], 'e-mail')}, {plural(counts['free_text'], 'text cell')})")
    return ExportResult("export_masked", stats=stats, summary=summary, exports=[f], settings=model.settings,
                        source=Path(model.path) if model.path else None)


def safe_file_name(name: str) -> str:
    """A file name (without extension) every system accepts for ``name``: no characters Windows
    forbids (``<>:"/\\|?*``), no control or invisible format characters, no leading or trailing
    dots and spaces, not a Windows device name (``CON``, ``nul.txt``, ``Com1`` get a leading ``_``),
    at most NAME_MAX_CHARS characters and NAME_MAX_BYTES bytes of UTF-8."""
    s = unicodedata.normalize("NFC", str(name))
    s = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") else ch for ch in s)
    s = _BAD_FILE_CHARS.sub("_", s).strip(" .")
    s = s[:NAME_MAX_CHARS]
    while len(s.encode("utf-8")) > NAME_MAX_BYTES:
        s = s[:-1]
    s = s.rstrip(" .") or "_"
    if s.split(".")[0].rstrip(" ").casefold() in _WINDOWS_RESERVED:
        s = "_" + s
    return s


def _unique_names(names: list[str]) -> list[str]:
    """``names`` made unique as Windows and macOS compare names (case and Unicode form ignored)."""
    used: set[str] = set()
    out = []
    for name in names:
        fname, n = name, 2
        while unicodedata.normalize("NFKC", fname).casefold() in used:
            fname, n = f"{name}_{n}", n + 1
        used.add(unicodedata.normalize("NFKC", fname).casefold())
        out.append(fname)
    return out


def _link_maps(cust: list[tuple[int, dict[str, Any]]], owner_of: dict[int, str]) -> tuple[dict[str, str], dict[str, str]]:
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for row, rec in cust:
        if rec.get("customer_id") is not None:
            by_id.setdefault(norm_id(rec["customer_id"]), owner_of[row])
        if rec.get("name") is not None:
            by_name.setdefault(name_key(rec["name"]), owner_of[row])
    by_id.pop("", None)
    by_name.pop("", None)
    return by_id, by_name


def run_export_by_owner(model: WorkbookModel, *, as_of: dt.date | None = None, out: str | Path | None = None,
                        role: str = "full", owners: list[str] | None = None, mask: bool = False) -> ExportResult:
    """One workbook per 负责人 in directory ``out`` (default ``<name>_按负责人`` beside the workbook):
    their customers, and the contact-log and complaint rows of those customers (by 客户编号, or by
    客户名称 when the ID is empty). Customers without an owner go to ``未分配.xlsx``. Log rows whose
    customer cannot be found go to nobody and are reported. ``owners`` limits the export to those.
    ``mask``: names, phones and e-mails masked as in :func:`run_export_masked` (rows are linked to
    their owner by the unmasked values first)."""
    _check_role(role)
    outdir = Path(out) if out is not None else _default_out(model, "_按负责人")
    rows = {spec.key: _rows(model, spec.key) for spec in SCHEMA.data_sheets}
    cust = rows["customers"]
    display: dict[str, str] = {}
    owner_of: dict[int, str] = {}
    for row, rec in cust:
        raw_owner = rec.get("owner")
        key = norm(raw_owner) or ""
        display.setdefault(key, str(raw_owner).strip() if key else UNASSIGNED)
        owner_of[row] = key
    by_id, by_name = _link_maps(cust, owner_of)
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {
        k: {"customers": [], "contacts": [], "complaints": []} for k in display}
    for row, rec in cust:
        groups[owner_of[row]]["customers"].append(_restrict(rec, role))
    findings: list[Finding] = []
    unlinked = 0
    if role != "marketing":
        for key in ("contacts", "complaints"):
            sheet = model.sheet(key)
            for row, rec in rows[key]:
                cid = norm_id(rec.get("customer_id"))
                owner = by_id.get(cid) if cid else by_name.get(name_key(rec.get("customer_name")))
                if owner is None:
                    unlinked += 1
                    assert sheet is not None
                    col = "customer_id" if cid else "customer_name"
                    findings.append(Finding(
                        "EX-UNLINKED", "warning", sheet.name,
                        L("找不到本行的客户，未导出到任何负责人的文件", "No customer found for this row; "
                          "it is not in any owner's file"),
                        cell=sheet.cell(row, col), row=row, column=col, value=rec.get(col),
                        hint=L("请填写正确的客户编号或客户全称", "Enter the right customer ID or full name")))
                    continue
                groups[owner][key].append(rec)
    wanted = {norm(o) for o in owners} if owners else None
    keys = [k for k in sorted(groups, key=lambda k: (k == "", display[k])) if wanted is None or k in wanted]
    counts = _new_counts()
    if mask:
        scrub = _scrubber(rows)
        groups = {k: {sheet: [mask_record(sheet, r, scrub, counts) for r in recs] for sheet, recs in groups[k].items()}
                  for k in keys}
    variant = f"by-owner|{role}|{'masked' if mask else 'plain'}"
    names = _unique_names([safe_file_name(display[k]) for k in keys])
    exports = [ExportFile(outdir / f"{fname}.xlsx", groups[k], owner=display[k], variant=variant)
               for k, fname in zip(keys, names)]
    stats = {"files": [{"path": str(e.path), "owner": e.owner, "rows": e.counts()} for e in exports],
             "owners": len(exports), "unlinked_rows": unlinked, "role": role, "out_dir": str(outdir)}
    if mask:
        stats["masked"] = counts
    summary = L(f"按负责人导出 {len(exports)} 个文件到 {outdir}" + (f"；{unlinked} 行找不到客户" if unlinked else ""),
                f"Exported {plural(len(exports), 'file')} by owner to {outdir}"
                + (f"; {plural(unlinked, 'row')} without a customer" if unlinked else ""))
    return ExportResult("export_by_owner", findings=findings, stats=stats, summary=summary, exports=exports,
                        settings=model.settings, source=Path(model.path) if model.path else None)
