"""Exports: a masked copy, and one workbook per owner (负责人). Both make NEW files only.

The operations are pure: :func:`run_export_masked` and :func:`run_export_by_owner` return an
:class:`ExportResult` — an :class:`ActionResult` without a changeset (the user's workbook is not
touched) whose ``exports`` list holds each file to make (path + rows per sheet). ``stats`` holds
the JSON-able figures (files, row counts). :func:`write_exports` then builds every file with the
template builder, so the copies keep the template's dropdowns, formats and 代码表 settings.

Roles: ``role="full"`` (default) keeps every schema column; ``role="marketing"`` keeps basic
information and tags only: no contact person, phone, e-mail or address, no contact log and no
complaints. Columns the source has but the schema does not know are never exported.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..changeset import ActionResult
from ..i18n import L
from ..model import Finding, Settings, WorkbookModel
from ..schema import SCHEMA, CType
from .mask import TextScrubber, mask_email, mask_name, mask_phone
from .matching import name_key, norm, norm_id

ROLES = ("full", "marketing")
# Marketing sees basic information and tags only (source 001).
MARKETING_KEYS = ("customer_id", "name", "customer_type", "industry", "company_size", "founded", "region",
                  "source", "stage", "products", "needs", "follow_grade", "tier_confirmed", "tier", "band")
# Columns holding people's names outside the team (customer side); staff names are kept.
PERSON_COLUMNS = {("customers", "contact"), ("contacts", "participants")}
UNASSIGNED = "未分配"
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_TEXT_TYPES = (CType.TEXT, CType.LONGTEXT, CType.TERM, CType.LIST, CType.CUSTOMER_ID, CType.YEAR_OR_DATE)


@dataclass
class ExportFile:
    """One NEW workbook to write: ``data`` maps a data-sheet key to its rows (dicts by column key)."""

    path: Path
    data: dict[str, list[dict[str, Any]]]
    owner: str | None = None

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.data.items()}


@dataclass
class ExportResult(ActionResult):
    exports: list[ExportFile] = field(default_factory=list)
    settings: Settings | None = None


def _plain(v: Any) -> Any:
    """A raw cell value as the template builder writes it (str, int, float, date, datetime, None)."""
    t = type(v)
    if v is None or t is str or t is int:
        return v
    if t is float:
        return None if math.isnan(v) else v
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.to_pydatetime()
    if v is pd.NaT:
        return None
    if isinstance(v, bool | str | dt.datetime | dt.date | int):
        return v
    if hasattr(v, "item"):  # numpy scalar
        return _plain(v.item())
    return str(v)


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


def mask_rows(model: WorkbookModel) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Every data sheet's rows with names, phones and e-mails masked, and how many cells changed."""
    phones: list[Any] = []
    emails: list[Any] = []
    rows = {spec.key: _rows(model, spec.key) for spec in SCHEMA.data_sheets}
    for spec in SCHEMA.data_sheets:
        types = {c.key: c.type for c in spec.columns}
        for _, rec in rows[spec.key]:
            for k, v in rec.items():
                t = types[k]
                if t == CType.PHONE:
                    phones.append(v)
                elif t == CType.EMAIL:
                    emails.append(v)
    scrub = TextScrubber(phones, emails)
    counts = {"names": 0, "phones": 0, "emails": 0, "free_text": 0}
    data: dict[str, list[dict[str, Any]]] = {}
    for spec in SCHEMA.data_sheets:
        out = []
        types = {c.key: c.type for c in spec.columns}
        for _, rec in rows[spec.key]:
            new = {}
            for k, v in rec.items():
                t = types[k]
                if (spec.key, k) in PERSON_COLUMNS:
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
            out.append(new)
        data[spec.key] = out
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
    f = ExportFile(path, data)
    stats = {"files": [{"path": str(path), "rows": f.counts()}], "masked": counts, "role": role}
    summary = L(f"脱敏副本：{path.name}（客户 {len(data['customers'])} 行；已脱敏 姓名 {counts['names']}、电话 "
                f"{counts['phones']}、邮箱 {counts['emails']}、文本 {counts['free_text']} 处）",
                f"Masked copy: {path.name} ({len(data['customers'])} customers; masked {counts['names']} names, "
                f"{counts['phones']} phones, {counts['emails']} e-mails, {counts['free_text']} text cells)")
    return ExportResult("export_masked", stats=stats, summary=summary, exports=[f], settings=model.settings)


def safe_file_name(name: str) -> str:
    s = _BAD_FILE_CHARS.sub("_", name).strip(" .")
    return s[:80] or "_"


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
                        role: str = "full", owners: list[str] | None = None) -> ExportResult:
    """One workbook per 负责人 in directory ``out`` (default ``<name>_按负责人`` beside the workbook):
    their customers, and the contact-log and complaint rows of those customers (by 客户编号, or by
    客户名称 when the ID is empty). Customers without an owner go to ``未分配.xlsx``. Log rows whose
    customer cannot be found go to nobody and are reported. ``owners`` limits the export to those."""
    _check_role(role)
    outdir = Path(out) if out is not None else _default_out(model, "_按负责人")
    cust = _rows(model, "customers")
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
            for row, rec in _rows(model, key):
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
    exports: list[ExportFile] = []
    used: set[str] = set()
    for key in sorted(groups, key=lambda k: (k == "", display[k])):
        if wanted is not None and key not in wanted:
            continue
        fname = safe_file_name(display[key])
        base, n = fname, 2
        while fname.casefold() in used:
            fname, n = f"{base}_{n}", n + 1
        used.add(fname.casefold())
        exports.append(ExportFile(outdir / f"{fname}.xlsx", groups[key], owner=display[key]))
    stats = {"files": [{"path": str(e.path), "owner": e.owner, "rows": e.counts()} for e in exports],
             "owners": len(exports), "unlinked_rows": unlinked, "role": role, "out_dir": str(outdir)}
    summary = L(f"按负责人导出 {len(exports)} 个文件到 {outdir}" + (f"；{unlinked} 行找不到客户" if unlinked else ""),
                f"Exported {len(exports)} files by owner to {outdir}"
                + (f"; {unlinked} rows without a customer" if unlinked else ""))
    return ExportResult("export_by_owner", findings=findings, stats=stats, summary=summary, exports=exports,
                        settings=model.settings)


def write_exports(result: ActionResult, *, lang: str = "zh", overwrite: bool = True) -> list[Path]:
    """Build every file of an :class:`ExportResult` with the template builder; return the paths.

    The user's own workbook is never a target: a path equal to the source is refused by the
    caller (see the CLI). With ``overwrite=False`` an existing file raises ``FileExistsError``.
    """
    from ..template import build_workbook

    exports = getattr(result, "exports", [])
    written = []
    for f in exports:
        f.path.parent.mkdir(parents=True, exist_ok=True)
        if f.path.exists() and not overwrite:
            raise FileExistsError(str(f.path))
        build_workbook(f.path, lang=lang, data=f.data, settings=getattr(result, "settings", None))
        written.append(f.path)
    return written
