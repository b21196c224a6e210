"""One action on one workbook: read → the write gate → the pure operation → apply (or, in a dry
run, nothing). The command line and the Excel buttons both run their single actions through
:func:`run_action`; the month end has its own job (:mod:`.month_end`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..changeset import ActionResult
from ..i18n import L
from ..model import WorkbookModel
from .place import Applied, Place
from .progress import READ, WRITE, Progress, Steps


@dataclass
class ActionRun:
    """What one action did: its result, the model it was planned on, and the write (None: nothing
    was written — a dry run, or nothing to change)."""

    result: ActionResult
    model: WorkbookModel
    applied: Applied | None = None
    dry_run: bool = False
    read_seconds: float = 0.0
    op_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def written(self) -> bool:
        return self.applied is not None


def run_action(place: Place, operation: Callable[[WorkbookModel], ActionResult], *, label: L,
               gate: Sequence[str] = (), dry_run: bool = False, progress: Progress | None = None,
               model: WorkbookModel | None = None) -> ActionRun:
    """Read the workbook (or take ``model``, read already), refuse before planning when ``gate``
    (keys of :data:`workbook_tools.ops.needs.NEEDS`) finds a sheet or column it is not sure of,
    plan with ``operation(model)`` and write its changeset unless ``dry_run``."""
    steps = Steps((READ, ("plan", label), WRITE), progress)
    t = time.perf_counter()
    if model is None:
        steps.start("read")
        model = place.read()
        steps.end("read")
    run = ActionRun(ActionResult(""), model, dry_run=dry_run, read_seconds=time.perf_counter() - t)
    if gate:
        from ..ops.needs import check

        check(model, *gate)   # nothing is planned, let alone written, on a column the tool is unsure of
    steps.start("plan")
    t = time.perf_counter()
    run.result = operation(model)
    run.op_seconds = time.perf_counter() - t
    steps.end("plan")
    cs = run.result.changeset
    if cs and not dry_run:
        steps.start("write")
        t = time.perf_counter()
        run.applied = place.apply(cs, model)
        run.write_seconds = time.perf_counter() - t
        steps.end("write")
    return run
