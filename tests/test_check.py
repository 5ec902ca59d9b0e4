"""`check` end to end on small workbooks: every finding code, in one pass, with its cell."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import ConfigError, SourceError
from sheetsync.model import Outcome

AS_OF = dt.date(2026, 11, 26)


def codes_at(report):
    return {(f.code, f.cell) for f in report.findings}


def run_check(path, **kw):
    return jobs.check(str(path), as_of=AS_OF, **kw)


def test_clean_sheet_has_no_findings(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    result = run_check(p)
    assert result.report.findings == []
    d = result.pipeline.deals[0]
    assert (d.key, d.stage, d.status, d.amount, d.owner) == (
        "D1",
        "Proposal",
        Outcome.OPEN,
        10000.0,
        "Ann",
    )
    assert d.contact_email == ("ann@acme.example",)
    assert d.next_appointment == dt.datetime(2026, 11, 27, 10, 0)


def test_every_problem_is_found_in_one_pass(tmp_path):
    rows = [
        ["Team pipeline (title row)"],
        [],
        HEADER,
        deal_row(Deal_ID="D1"),
        deal_row(
            {
                "Deal ID": "D2",
                "Deal Stage": "Negotation",
                "Est. Budget": "about 20k",
                "Contact Email": "bad@",
            }
        ),
        deal_row(
            {"Deal ID": "D1", "Sales Rep": None, "Est. Budget": -5, "Expected Close": "31/02/2026"}
        ),
        [],
        deal_row({"Deal ID": "D4", "Deal Stage": "Won", "Expected Close": None}),
        deal_row(
            {"Deal ID": "D5", "Expected Close": dt.date(2026, 10, 1), "Decision Maker?": "no"}
        ),
        deal_row({"Deal ID": "D6", "Est. Budget": None, "Expected Close": None}),
        deal_row({"Deal ID": "D7", "Next Meeting": dt.datetime(2026, 11, 20, 9, 0)}),
        deal_row({"Deal ID": "D8", "Deal Stage": "Lost", "Lost Reason": None}),
        deal_row({"Deal ID": "D9", "Deal Stage": None}),
    ]
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": rows})
    report = run_check(p).report
    found = codes_at(report)
    expected = {
        ("bad-email", "Deals!D5"),
        ("unknown-stage", "Deals!G5"),
        ("bad-amount", "Deals!H5"),
        ("duplicate-id", "Deals!A6"),
        ("missing-required", "Deals!F6"),
        ("negative-amount", "Deals!H6"),
        ("bad-date", "Deals!J6"),
        ("won-without-close-date", "Deals!J8"),
        ("decision-maker-unconfirmed", "Deals!E9"),
        ("close-date-past", "Deals!J9"),
        ("missing-amount", "Deals!H10"),
        ("missing-close-date", "Deals!J10"),
        ("appointment-past", "Deals!K11"),
        ("lost-without-reason", "Deals!L12"),
        ("missing-required", "Deals!G13"),
    }
    assert found == expected
    stage = next(f for f in report.findings if f.code == "unknown-stage")
    assert "did you mean 'Negotiation'" in stage.message
    assert (stage.tab, stage.row, stage.column, stage.field, stage.value) == (
        "Deals",
        5,
        "G",
        "stage",
        "Negotation",
    )
    assert stage.severity == "error" and stage.hint
    assert not report.valid
    # sheet order: row, then column
    assert [f.row for f in report.findings] == sorted(f.row for f in report.findings)


def test_blank_rows_are_skipped_silently(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx",
        {"Deals": [HEADER, [], deal_row(), ["", "  ", ""], deal_row(Deal_ID="D2")]},
    )
    result = run_check(p)
    assert [d.row for d in result.pipeline.deals] == [3, 5]
    assert result.report.findings == []


def test_duplicate_header_is_reported(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx",
        {"Deals": [["Stage", "Owner", "Amount", "Amount"], ["Lead", "Ann", 1, 2]]},
    )
    assert codes_at(run_check(p).report) == {("duplicate-header", "Deals!D1")}


def test_stages_and_quotas_tabs_are_read(tmp_path):
    stages = [
        ["Stage", "Probability", "Outcome", "Kind", "Rot Days"],
        ["Intro", "10%", "open", "prospecting", 7],
        ["Meeting", 0.4, "open", "appointment", ""],
        ["Signed", "", "won", "", ""],
        ["Dropped", "", "lost", "", ""],
        ["Meeting", "", "", "", ""],
    ]
    quotas = [
        ["Sales Rep", "Period", "Quota"],
        ["Ann", "2026-Q4", 100000],
        ["Bob", "Q5 2026", 5],
        ["Cy", "2026", "lots"],
    ]
    deals = [["Stage", "Owner", "Amount"], ["meeting", "Ann", 100], ["Signed", "Bob", 5]]
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": deals, "Stages": stages, "Quotas": quotas})
    result = run_check(p)
    pl = result.pipeline
    assert [(s.name, s.probability, s.outcome, s.kind, s.rot_days) for s in pl.stages] == [
        ("Intro", 0.1, Outcome.OPEN, "prospecting", 7),
        ("Meeting", 0.4, Outcome.OPEN, "appointment", None),
        ("Signed", None, Outcome.WON, None, None),
        ("Dropped", None, Outcome.LOST, None, None),
    ]
    assert [(q.owner, q.start, q.end, q.amount) for q in pl.quotas] == [
        ("Ann", dt.date(2026, 10, 1), dt.date(2026, 12, 31), 100000.0)
    ]
    assert pl.deals[0].stage == "Meeting" and pl.deals[1].status is Outcome.WON
    assert codes_at(result.report) == {
        ("duplicate-stage", "Stages!A6"),
        ("bad-period", "Quotas!B3"),
        ("bad-quota", "Quotas!C4"),
    }


def test_quota_for_unknown_owner_is_a_warning(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx",
        {
            "Deals": [HEADER, deal_row()],
            "Quotas": [["Owner", "Period", "Quota"], ["Anne", "2026-Q4", 5]],
        },
    )
    assert codes_at(run_check(p).report) == {("quota-unknown-owner", "Quotas!C2")}


def test_1904_date_system_serials_are_read_right(tmp_path):
    # 46000 in the 1900 system is 2025-12-09; in the 1904 system it is 2029-12-10.
    rows = [["Stage", "Owner", "Close Date"], ["Won", "Ann", 46000]]
    p1900 = make_workbook(tmp_path / "a.xlsx", {"Deals": rows})
    p1904 = make_workbook(tmp_path / "b.xlsx", {"Deals": rows}, date1904=True)
    assert run_check(p1900).pipeline.deals[0].close_date == dt.date(2025, 12, 9)
    assert run_check(p1904).pipeline.deals[0].close_date == dt.date(2029, 12, 10)


def test_date_cells_in_1904_workbook_are_real_dates(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx",
        {"Deals": [HEADER, deal_row({"Expected Close": dt.date(2026, 12, 15)})]},
        date1904=True,
    )
    assert run_check(p).pipeline.deals[0].close_date == dt.date(2026, 12, 15)


def test_configured_columns_and_decimal_comma(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx",
        {
            "export": [
                ["deal_stage", "sales_agent", "close_value", "close_date"],
                ["Won", "Ann", "€ 1.200,50", "03/04/2026"],
            ]
        },
    )
    (tmp_path / "sheetsync.toml").write_text(
        """
[source]
deals_tab = "export"
[columns]
stage = "deal_stage"
owner = "sales_agent"
amount = "close_value"
close_date = "close_date"
[parse]
decimal_comma = true
date_order = "dmy"
""",
        encoding="utf-8",
    )
    d = run_check(p).pipeline.deals[0]
    assert (d.amount, d.close_date) == (1200.5, dt.date(2026, 4, 3))


def test_configured_header_that_is_missing_is_a_config_error(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    (tmp_path / "sheetsync.toml").write_text(
        '[columns]\namount = "close_value"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="no column headed 'close_value'"):
        run_check(p)


def test_no_deals_tab_is_a_source_error(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Notes": [["hello"]]})
    with pytest.raises(SourceError, match="no deals tab found"):
        run_check(p)


def test_configured_deals_tab_missing_names_the_tabs(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    (tmp_path / "sheetsync.toml").write_text('[source]\ndeals_tab = "Pipeline"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"no tab named 'Pipeline' \(tabs: Deals\)"):
        run_check(p)


def test_validation_ignore_and_severity(tmp_path):
    p = make_workbook(
        tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row({"Expected Close": dt.date(2026, 10, 1)})]}
    )
    (tmp_path / "sheetsync.toml").write_text(
        '[validation]\nseverity = { close-date-past = "error" }\n', encoding="utf-8"
    )
    report = run_check(p).report
    assert [(f.code, f.severity) for f in report.findings] == [("close-date-past", "error")]
    (tmp_path / "sheetsync.toml").write_text(
        '[validation]\nignore = ["close-date-past"]\n', encoding="utf-8"
    )
    assert run_check(p).report.findings == []
    (tmp_path / "sheetsync.toml").write_text(
        '[validation]\nignore = ["no-such-code"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="unknown finding code"):
        run_check(p)


def test_check_json_output_shape(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row({"Est. Budget": "lots"})]})
    res = CliRunner().invoke(cli, ["check", str(p), "--format", "json", "--as-of", "2026-11-26"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data["source"] == str(p)
    assert data["valid"] is False
    assert data["counts"] == {"error": 1, "warning": 0}
    assert data["findings"] == [
        {
            "code": "bad-amount",
            "severity": "error",
            "tab": "Deals",
            "row": 2,
            "column": "H",
            "cell": "Deals!H2",
            "field": "amount",
            "value": "lots",
            "message": "amount: not an amount: 'lots'",
            "hint": "write an amount such as 12500, $12,500 or 12.5k",
            "deal": "D1",
        }
    ]


def test_a_lone_deals_tab_is_not_scored_against_nothing(monkeypatch):
    """Scoring counts every row of every candidate; with one candidate there is nothing to rank."""
    from sheetsync import pipeline as pipeline_mod

    def refuse(grid, refined):
        raise AssertionError("a lone candidate was scored")

    monkeypatch.setattr(pipeline_mod, "_evidence", refuse)
    from pathlib import Path

    from sheetsync.config import Config
    from sheetsync.sources.excel import ExcelSource

    book = Path(__file__).resolve().parents[1] / "sample_workbooks" / "team_pipeline.xlsx"
    src, cfg = ExcelSource(book), Config()
    skip = {cfg.source.stages_tab, cfg.source.quotas_tab, cfg.source.rates_tab}
    ranked = pipeline_mod.rank_deals_tabs(src, cfg, src.tab_names(), src.owned_tabs(), skip)
    assert [r[2].name for r in ranked] == ["Pipeline"] and ranked[0][0] == float("inf")
