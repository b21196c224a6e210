"""The files a job writes beside the workbook: the review's HTML and Markdown reports, a
separate review workbook. The order is fixed, for every job: every output path is checked
(:mod:`workbook_tools.outputs`: never clobber, never the source) and every report is rendered
BEFORE the workbook is written, so a refused path or a template error stops the run with nothing
written; the reports are written AFTER it, and a failure then says exactly what was written
(:class:`~workbook_tools.errors.PartialWrite`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import outputs
from ..errors import PartialWrite, WbtError
from ..i18n import L
from ..ops.review import Review, sheet_name

KINDS = {"html": "report-html", "md": "report-md", "workbook": "review-workbook"}


def html_path(path: Path, period: str, lang: str | None = "zh") -> Path:
    """Where month-end writes the HTML report: beside the workbook, named as the review sheet in the
    workbook's language: ``<name>_<YYYY-MM>_月度复盘.html`` (``<name>_<YYYY-Qn>_季度复盘.html`` for the
    quarter; ``<name>_2026-10_Monthly_review.html`` for an English workbook)."""
    return path.with_name(f"{path.stem}_{sheet_name(period, lang).replace(' ', '_')}.html")


@dataclass
class Output:
    """One checked output: where it goes and how its bytes are made (``text`` for a report,
    ``save`` for a workbook)."""

    target: outputs.Target
    text: str | None = None
    save: Callable[[Path], object] | None = None


def check_outputs(specs: Sequence[tuple[Path, str, str]], *, source: Path | None, force: bool) -> list[outputs.Target]:
    """Check every (path, format, period) before anything is written; format is a key of KINDS."""
    return outputs.plan_all([(p, KINDS[fmt], outputs.source_key(source, period) if source else period)
                             for p, fmt, period in specs], source=source, force=force)


def render(review: Review, fmt: str, *, templates: str | Path | None, lang: str | None) -> str:
    from ..report.render import render_report  # not the package: its workbook writer needs xlsxwriter

    return render_report(review, fmt, templates_dir=templates, lang=lang)


def write_outputs(items: Sequence[Output], *, after_write: bool, redo: L) -> list[Path]:
    """Write the outputs in order. ``after_write``: the workbook was written already; a failure
    then (or after an earlier output) is a :class:`PartialWrite` naming what was written, with
    ``redo`` as the hint."""
    done: list[Path] = []
    for item in items:
        try:
            if item.save is not None:
                done.append(outputs.write_with(item.target, item.save))
            else:
                done.append(outputs.write_text(item.target, item.text or ""))
        except (OSError, WbtError) as exc:
            if not (after_write or done):
                raise
            zh, en = ((exc.render("zh"), exc.render("en")) if isinstance(exc, WbtError)
                      else (exc.strerror or str(exc),) * 2)
            raise PartialWrite(L(f"{item.target.given} 无法写出（{zh}）。", f"{item.target.given} could not be "
                                 f"written ({en})."), hint=redo) from exc
    return done
