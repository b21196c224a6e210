"""Errors a user can act on. The CLI prints them (never a traceback) and exits with ``exit_code``."""

from __future__ import annotations

from .i18n import L


class WbtError(Exception):
    """A problem explained to the user, in Chinese and English, naming sheet and cell when known."""

    exit_code = 2

    def __init__(self, message: L, *, sheet: str | None = None, cell: str | None = None,
                 hint: L | None = None, exit_code: int | None = None) -> None:
        self.message = message
        self.sheet = sheet
        self.cell = cell
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.render("en"))

    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def render(self, lang: str | None = None) -> str:
        text = self.message.get(lang)
        where = self.where()
        if where:
            text = f"[{where}] {text}"
        if self.hint is not None:
            text += ("\n  建议：" if (lang or "") != "en" and self.message.get(lang) == self.message.zh
                     else "\n  Hint: ") + self.hint.get(lang)
        return text


ERROR_PREFIX = L("错误：", "Error: ")


def error_text(exc: WbtError, lang: str | None = None) -> str:
    """How a refusal is shown to a user, the same in the CLI (stderr) and in an Excel dialog."""
    return ERROR_PREFIX.get(lang) + exc.render(lang)


class UnreadableWorkbook(WbtError):
    """The file cannot be read as a workbook (not a zip, encrypted, hostile, too large …)."""


class UnsafeWrite(WbtError):
    """A write was refused before touching the file (formula target, merged cell, lock …)."""


class WorkbookInUse(UnsafeWrite):
    """The workbook is open in Excel, WPS or LibreOffice, or another run is writing it."""


class SourceChanged(UnsafeWrite):
    """The workbook on disk is not the file the plan was made from: another program saved it after
    it was read (rows may have moved), so nothing was written."""


class PartialWrite(WbtError):
    """A run wrote some of its outputs and then failed: the message says what was written and what
    was not."""
