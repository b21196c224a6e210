"""The collector is off during a month end and a write, and back on afterwards, also after a failure."""

from __future__ import annotations

import gc

import pytest

from workbook_tools.gcpause import collector_paused


def test_collector_is_paused_and_restored() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not switch it back on early
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_month_end_runs_with_the_collector_paused(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from workbook_tools.jobs import month_end
    from workbook_tools.sample import generate_sample

    seen: list[bool] = []
    real = month_end.plan_month_end

    def spy(*a, **k):  # noqa: ANN002, ANN003, ANN202
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr(month_end, "plan_month_end", spy)
    path = tmp_path / "s.xlsx"
    generate_sample(path, customers=20, seed=1)
    month_end.run_month_end(path, month="2026-10", dry_run=True)
    assert seen == [False] and gc.isenabled()
