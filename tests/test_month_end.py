"""The month-end run and the review commands on real files (sample workbooks)."""

from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.errors import UnsafeWrite
from workbook_tools.i18n import L, set_lang
from workbook_tools.jobs.month_end import run_month_end
from workbook_tools.jobs.reports import html_path
from workbook_tools.ops.review import compute_review, run_review
from workbook_tools.ops.tiers import COMPUTED
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.writer import apply_changeset
from workbook_tools.writer.changelog import LOG_SHEET
from workbook_tools.writer.package import Package
from workbook_tools.writer.safety import list_backups

MONTH, AS_OF = "2026-10", dt.date(2026, 10, 31)   # the sample's data ends on 2026-10-31
DATA_SHEETS = ("客户基本信息", "沟通记录", "投诉登记", "代码表", "说明")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "crm.xlsx"
    generate_sample(path, customers=60, seed=7)
    return path


@pytest.fixture
def book(sample, tmp_path):
    p = tmp_path / "crm.xlsx"
    p.write_bytes(sample.read_bytes())
    return p


@pytest.fixture(autouse=True)
def zh():
    set_lang("zh")
    yield
    set_lang(None)


def _parts(path, names):
    pkg = Package.open(path)
    return {s.name: pkg.read(s.part) for s in pkg.sheets() if s.name in names}


def test_month_end_runs_every_step_and_writes_the_review(book):
    seen = []
    rep = run_month_end(book, month=MONTH, as_of=AS_OF, progress=lambda k, d, t, label: seen.append((k, d, t)))
    assert [s.key for s in rep.steps] == ["read", "validate", "ids", "tiers", "history", "review", "write",
                                                "report"]
    assert seen[-1] == ("report", 8, 8)
    assert rep.review_sheet == "2026-10 月度复盘"
    assert rep.html == html_path(book, MONTH) and rep.html.exists()
    model = read_workbook(book)
    assert "2026-10 月度复盘" in model.sheet_names
    # the KPIs it reports are those of the workbook as it now is
    dq = rep.step("validate").errors
    again = compute_review(model, month=MONTH, as_of=AS_OF, findings_errors=dq)
    assert rep.kpis == {k.key: k.value for k in again.kpis}
    assert rep.kpis["customers_total"] > 0 and rep.kpis["contacts_logged"] > 0
    html = rep.html.read_text(encoding="utf-8")
    assert "2026-10 月度复盘" in html and "<svg" in html
    # IDs were assigned (the sample leaves some empty) and the tier columns were filled
    cust = model.sheets["customers"].df
    assert cust["customer_id"].notna().all()
    assert cust["tier"].notna().any()


def test_dry_run_writes_nothing(book):
    before = book.read_bytes()
    rep = run_month_end(book, month=MONTH, as_of=AS_OF, dry_run=True)
    assert book.read_bytes() == before
    assert rep.html is None and not html_path(book, MONTH).exists()
    assert not any(s.written for s in rep.steps)
    assert rep.step("review").planned == 1


def test_rerunning_a_review_replaces_the_sheet_and_touches_nothing_else(book):
    model = read_workbook(book)
    apply_changeset(book, run_review(model, month=MONTH, as_of=AS_OF).changeset)
    first = _parts(book, DATA_SHEETS)
    names_first = read_workbook(book).sheet_names
    model = read_workbook(book)
    apply_changeset(book, run_review(model, month=MONTH, as_of=AS_OF).changeset)
    model = read_workbook(book)
    assert _parts(book, DATA_SHEETS) == first
    assert model.sheet_names == names_first
    assert model.sheet_names.count("2026-10 月度复盘") == 1


def test_cli_month_end_json(book):
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", MONTH, "--as-of", AS_OF.isoformat(), "--json"])
    assert res.exit_code in (0, 1), res.output
    out = json.loads(res.output)
    assert out["review_sheet"] == "2026-10 月度复盘" and out["html"].endswith(".html")
    assert res.exit_code == (1 if out["errors"] else 0)
    assert {s["key"] for s in out["steps"]} >= {"validate", "ids", "tiers", "review"}


def test_cli_month_end_summary_says_where_to_look(book):
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", MONTH, "--as-of", AS_OF.isoformat()])
    assert res.exit_code in (0, 1), res.output
    assert "请看" in res.output and "2026-10 月度复盘" in res.output and "HTML" in res.output


def test_cli_review_out_leaves_the_workbook_alone(book, tmp_path):
    before = book.read_bytes()
    out, html, md = tmp_path / "r" / "review.xlsx", tmp_path / "r.html", tmp_path / "r.md"
    res = CliRunner().invoke(cli, ["review", str(book), "--month", MONTH, "--as-of", AS_OF.isoformat(),
                                   "--out", str(out), "--html", str(html), "--md", str(md)])
    assert res.exit_code == 0, res.output
    assert book.read_bytes() == before
    assert read_workbook(out).sheet_names == ["2026-10 月度复盘"]
    assert "| 客户总数 |" in md.read_text(encoding="utf-8")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_review_into_the_workbook_and_errors(book, tmp_path):
    res = CliRunner().invoke(cli, ["review", str(book), "--month", MONTH, "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 0, res.output
    assert "2026-10 月度复盘" in read_workbook(book).sheet_names
    res = CliRunner().invoke(cli, ["review", str(book), "--month", "2026-13"])
    assert res.exit_code == 2 and "YYYY-MM" in res.output
    res = CliRunner().invoke(cli, ["review", str(tmp_path / "missing.xlsx"), "--month", MONTH])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_month_end_with_defects_exits_1_and_annotates_on_request(tmp_path):
    path = tmp_path / "bad.xlsx"
    generate_sample(path, customers=40, seed=11, defects=0.1)
    res = CliRunner().invoke(cli, ["month-end", str(path), "--month", MONTH, "--as-of", AS_OF.isoformat(), "--annotate"])
    assert res.exit_code == 1, res.output
    assert "数据错误" in res.output and "校验结果" in res.output
    model = read_workbook(path)
    assert "校验结果" in model.sheet_names and "2026-10 月度复盘" in model.sheet_names
    # the review counts validation's errors as its data-quality KPI
    [review_sheet] = [n for n in model.sheet_names if n.endswith("月度复盘")]
    assert review_sheet
    out = json.loads(CliRunner().invoke(cli, ["month-end", str(path), "--month", MONTH, "--as-of",
                                              AS_OF.isoformat(), "--json", "--dry-run"]).output)
    assert out["kpis"]["dq_errors"] == out["errors"] > 0


def _log(path):
    rows = list(openpyxl.load_workbook(path, read_only=True)[LOG_SHEET].iter_rows(min_row=2, values_only=True))
    return [r for r in rows if any(v is not None for v in r)]


def test_month_end_writes_once_and_logs_each_edit_under_its_step(book):
    model = read_workbook(book)
    missing_ids = int(model.sheets["customers"].df["customer_id"].isna().sum())
    assert missing_ids > 0
    rep = run_month_end(book, month=MONTH, as_of=AS_OF)
    assert rep.reads == 1                       # the IDs went into the model, not through a second read
    assert len(list_backups(book)) == 1         # one write, one backup
    assert all(rep.step(k).written for k in ("ids", "tiers", "review", "write"))
    log = _log(book)
    actions = [r[2] for r in log]   # the 操作 column: the action's Chinese name and its key
    assert actions.count("生成客户编号 ids") >= missing_ids   # a row per new customer ID
    # the computed columns: one row per column, whose counts (单元格数) add up to every cell planned
    tiers = [r for r in log if r[2] == "计算等级与跟进 tiers"]
    columns = [re.match(r"客户基本信息!([A-Z]+)", r[3]).group(1) for r in tiers]
    assert len(columns) == len(set(columns)) <= len(COMPUTED)
    assert sum(r[6] for r in tiers) == rep.step("tiers").planned
    assert ("月末一键处理 month-end", "2026-10 月度复盘") in {(r[2], r[3]) for r in log}
    assert len({r[0] for r in log}) == 1        # one time stamp: a single change-log append
    assert {r[8] for r in log} == {f".wbt-backups/{list_backups(book)[0].name}"}  # every row names the backup
    assert rep.step("write").stats["cells_written"] == rep.step("ids").planned + rep.step("tiers").planned


def test_tiers_planned_on_the_ids_about_to_be_written(book):
    """The tiers step (and its expected old values) sees the model with the new IDs; the write's
    pre-flight check of every cell passes, and the file then holds what the model said."""
    run_month_end(book, month=MONTH, as_of=AS_OF)
    model = read_workbook(book)
    for key in ("customers", "contacts", "complaints"):
        df = model.sheets[key].df
        known = set(model.sheets["customers"].df["customer_id"])
        assert df["customer_id"].dropna().isin(known).all() or key == "customers"
    assert model.sheets["customers"].df["customer_id"].notna().all()


def test_a_refused_step_leaves_the_whole_month_end_unwritten(sample, tmp_path):
    """A tier cell inside a merged range cannot be written: nothing is, not even the IDs."""
    cust = read_workbook(sample).sheets["customers"]
    col = "".join(ch for ch in cust.header_cells["tier"] if ch.isalpha())
    first = cust.header_row + 3
    src = openpyxl.load_workbook(sample)   # a test fixture only: openpyxl never saves a user's file
    src["客户基本信息"].merge_cells(f"{col}{first}:{col}{first + 1}")
    path = tmp_path / "merged.xlsx"
    src.save(path)
    before = path.read_bytes()
    assert read_workbook(path).sheets["customers"].df["customer_id"].isna().any()
    with pytest.raises(UnsafeWrite) as err:
        run_month_end(path, month=MONTH, as_of=AS_OF)
    assert err.value.sheet == "客户基本信息" and err.value.cell == f"{col}{first + 1}"
    assert path.read_bytes() == before
    assert not list_backups(path) and not html_path(path, MONTH).exists()


def test_a_missing_id_column_is_written_first_then_read_again(sample, tmp_path):
    cust = read_workbook(sample).sheets["customers"]
    src = openpyxl.load_workbook(sample)
    src["客户基本信息"].delete_cols(cust.columns["customer_id"])
    path = tmp_path / "noid.xlsx"
    src.save(path)
    rep = run_month_end(path, month=MONTH, as_of=AS_OF)
    assert rep.reads == 2 and rep.step("ids").written and rep.step("ids").apply_seconds > 0
    cust = read_workbook(path).sheets["customers"]
    assert "customer_id" in cust.columns and cust.df["customer_id"].notna().all()
    assert cust.df["tier"].notna().any()


def test_a_duplicate_id_counts_once_as_validation_reports_it(sample, tmp_path):
    cust = read_workbook(sample).sheets["customers"]
    ids = cust.df["customer_id"].dropna()
    first_id, row_b = ids.iloc[0], int(ids.index[1])
    src = openpyxl.load_workbook(sample)
    src["客户基本信息"].cell(row_b, cust.columns["customer_id"]).value = first_id
    path = tmp_path / "dup.xlsx"
    src.save(path)
    rep = run_month_end(path, month=MONTH, as_of=AS_OF, dry_run=True)
    assert rep.step("ids").errors == 2                    # the IDs step names both rows
    assert any(f.code == "DUP_ID" for f in rep.findings)
    assert rep.errors == rep.step("validate").errors     # … but it is one problem, counted once
    res = CliRunner().invoke(cli, ["month-end", str(path), "--month", MONTH, "--as-of", AS_OF.isoformat(), "--dry-run"])
    assert res.exit_code == 1 and f"发现 {rep.errors} 个数据错误" in res.output


def test_a_later_steps_error_validation_missed_is_counted_and_listed(book, monkeypatch):
    from workbook_tools.model import Finding
    from workbook_tools.ops import month_end

    real = month_end.run_tiers

    def with_error(model, **kw):
        res = real(model, **kw)
        res.findings.append(Finding("TIER-TEST", "error", "客户基本信息", L("测试错误", "test error"), "ZZ9", 9))
        return res

    monkeypatch.setattr(month_end, "run_tiers", with_error)
    rep = run_month_end(book, month=MONTH, as_of=AS_OF, dry_run=True)
    assert rep.errors == rep.step("validate").errors + 1
    assert rep.findings[-1].code == "TIER-TEST"


def test_every_step_reports_its_time_and_the_steps_add_up(book):
    rep = run_month_end(book, month=MONTH, as_of=AS_OF)
    assert all(s.seconds >= 0 for s in rep.steps)
    assert rep.step("read").seconds >= rep.read_seconds > 0
    assert sum(s.seconds for s in rep.steps) <= rep.seconds
    assert rep.step("write").apply_seconds > 0 and rep.step("write").seconds >= rep.step("write").apply_seconds
