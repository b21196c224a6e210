"""Jobs: the only place that sequences steps. A job reads a workbook, plans with the pure
operations of :mod:`workbook_tools.ops`, applies the plan and writes the reports, with progress:

- :mod:`.place` — where the workbook is: a file (reader + file writer) or a book open in Excel
  (xlwings reader + live applier). Jobs never ask which.
- :mod:`.action` — one action (ids, tiers, validate --annotate, review, import …).
- :mod:`.month_end` — the month end, planned by :func:`workbook_tools.ops.month_end.plan_month_end`.
- :mod:`.reports` — report files: checked and rendered before the write, written after.
- :mod:`.folder` — every workbook of a folder, each in a process of its own.
- :mod:`.importing` — the files an import reads (an export's files are written by
  :mod:`workbook_tools.writer.exports`, the applier of exports).

The doors (:mod:`workbook_tools.cli`, :mod:`workbook_tools.excel.live`) parse, call a job, print.
"""
