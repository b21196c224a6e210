"""How a job tells its door where it is: one callback, the same for the command line (a progress
bar or a line per step) and for Excel (the status bar)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..i18n import L

Progress = Callable[[str, int, int, L], None]
"""``progress(step_key, done, total, label)``: called when a step starts (``done`` = the steps
finished before it) and when it ends (``done`` counts it)."""

READ = ("read", L("读取工作簿", "Read the workbook"))
WRITE = ("write", L("写入工作簿", "Write the workbook"))


class Steps:
    """Calls ``progress`` for the steps of one job, in their order."""

    def __init__(self, steps: Sequence[tuple[str, L]], progress: Progress | None) -> None:
        self.keys = [k for k, _ in steps]
        self.labels = dict(steps)
        self.progress = progress

    def label(self, key: str) -> L:
        return self.labels[key]

    def start(self, key: str) -> None:
        if self.progress:
            self.progress(key, self.keys.index(key), len(self.keys), self.labels[key])

    def end(self, key: str) -> None:
        if self.progress:
            self.progress(key, self.keys.index(key) + 1, len(self.keys), self.labels[key])

    def planner(self) -> Callable[[str, bool], None]:
        """The callback a planner in ops/ takes: ``(step_key, finished)``."""
        return lambda key, finished: (self.end if finished else self.start)(key)
