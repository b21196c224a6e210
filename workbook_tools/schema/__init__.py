"""The declarative workbook schema (one source for template, reader, validation and docs)."""

from .crm import (
    CHANGELOG_SHEET,
    COMPLAINTS,
    CONTACTS,
    CUSTOMERS,
    MAPPING_BLOCK,
    MARKS_SHEET,
    REVIEW_QUARTER_SHEET_FMT,
    REVIEW_SHEET_FMT,
    REVIEW_SHEET_SUFFIXES,
    SCHEMA,
    SETTINGS_HEADERS,
    VALIDATION_SHEET,
)
from .model import Column, CType, Industry, ListSpec, Schema, SettingSpec, SheetSpec, norm_header, strip_unit

__all__ = [
    "CHANGELOG_SHEET", "COMPLAINTS", "CONTACTS", "CUSTOMERS", "MAPPING_BLOCK", "MARKS_SHEET", "REVIEW_QUARTER_SHEET_FMT",
    "REVIEW_SHEET_FMT", "REVIEW_SHEET_SUFFIXES", "SCHEMA", "SETTINGS_HEADERS",
    "VALIDATION_SHEET", "CType", "Column", "Industry", "ListSpec", "Schema", "SettingSpec", "SheetSpec",
    "norm_header", "strip_unit",
]
