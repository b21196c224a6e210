"""The declarative workbook schema (one source for template, reader, validation and docs)."""

from .crm import (
    CHANGELOG_SHEET,
    CHANGELOG_SHEETS,
    COMPLAINTS,
    CONTACTS,
    CUSTOMERS,
    HISTORY_SHEET,
    MAPPING_BLOCK,
    MARKS_SHEET,
    REVIEW_QUARTER_SHEET_FMT,
    REVIEW_QUARTER_SHEET_FMTS,
    REVIEW_SHEET_FMT,
    REVIEW_SHEET_FMTS,
    REVIEW_SHEET_SUFFIXES,
    SCHEMA,
    SETTINGS_HEADERS,
    VALIDATION_SHEET,
    VALIDATION_SHEETS,
    changelog_sheet_name,
    changelog_sheet_number,
    history_sheet_name,
    history_sheet_number,
    validation_sheet_name,
)
from .model import Column, CType, Industry, ListSpec, Schema, SettingSpec, SheetSpec, norm_header, strip_unit

__all__ = [
    "CHANGELOG_SHEET", "CHANGELOG_SHEETS", "COMPLAINTS", "CONTACTS", "CUSTOMERS", "HISTORY_SHEET", "MAPPING_BLOCK", "MARKS_SHEET",
    "REVIEW_QUARTER_SHEET_FMT", "REVIEW_QUARTER_SHEET_FMTS", "REVIEW_SHEET_FMT", "REVIEW_SHEET_FMTS",
    "REVIEW_SHEET_SUFFIXES", "SCHEMA", "SETTINGS_HEADERS", "VALIDATION_SHEET", "VALIDATION_SHEETS", "CType", "Column",
    "Industry", "ListSpec", "Schema", "SettingSpec", "SheetSpec", "changelog_sheet_name", "changelog_sheet_number",
    "history_sheet_name", "history_sheet_number", "norm_header", "strip_unit", "validation_sheet_name",
]
