"""Reading a workbook for a command, and the one way a command runs an action on a file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..changeset import ActionResult
from ..i18n import L
from ..model import WorkbookModel
from .output import finish


def read_model(path: Path) -> WorkbookModel:
    """Read a workbook (raises WbtError with a clear message, which the CLI turns into exit 2)."""
    from ..reader import read_workbook

    return read_workbook(path)


def run_file_action(file: Path, operation: Callable[[WorkbookModel], ActionResult], *, label: L,
                    gate: Sequence[str] = (), dry_run: bool = False, as_json: bool = False, limit: int = 50,
                    model: WorkbookModel | None = None, **extra: Any) -> NoReturn:
    """Read ``file`` (or take ``model``), refuse before planning when ``gate`` is unsure of a
    column, plan, write unless ``dry_run`` (:func:`workbook_tools.jobs.action.run_action`), report
    and exit (:func:`.output.finish`)."""
    from ..jobs.action import run_action
    from ..jobs.place import FilePlace

    run = run_action(FilePlace(file), operation, label=label, gate=gate, dry_run=dry_run, model=model)
    finish(run, file, as_json=as_json, limit=limit, **extra)
