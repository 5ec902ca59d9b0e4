"""Where each rep stands: the block `sync` (and so `make demo`) leads with.

The whole text of a sync of the sample workbook is pinned by a golden file;
regenerate it after an intended change with

    SHEETSYNC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_standing.py -k golden
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.config import TeamConfig
from sheetsync.standing import standing, standing_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
GOLDEN = ROOT / "tests" / "golden" / "cli" / "sync_team_pipeline.txt"
AS_OF = dt.date(2026, 11, 26)


def _team_book(tmp_path: Path, quotas: bool = True) -> Path:
    rows = [
        HEADER,
        deal_row(
            Deal_ID="A1", Sales_Rep="Ann", Deal_Stage="Won", Expected_Close=dt.date(2026, 11, 2)
        ),
        deal_row({"Est. Budget": 20000}, Deal_ID="A2", Sales_Rep="Ann", Deal_Stage="Proposal"),
        deal_row(
            Deal_ID="B1",
            Sales_Rep="Bob",
            Deal_Stage="Lead",
            Next_Meeting=dt.datetime(2026, 11, 26, 15, 0),
        ),
    ]
    tabs = {"Deals": rows}
    if quotas:
        tabs["Quotas"] = [
            ["Owner", "Period", "Quota"],
            ["Ann", "2026-Q4", 50000],
            ["Bob", "2026-Q4", 40000],
        ]
    return make_workbook(tmp_path / "team.xlsx", tabs)


def _standing(book: Path, team: TeamConfig | None = None):
    checked = jobs.check(str(book), as_of=AS_OF)
    analysis = jobs.analyse(checked)
    return standing(analysis.metrics, analysis.actions, team), analysis


def test_each_rep_row_carries_the_metrics_numbers(tmp_path):
    s, analysis = _standing(_team_book(tmp_path))
    by_rep = {r.rep: r for r in s.reps}
    assert list(by_rep) == ["Ann", "Bob"]
    ann = next(p for p in analysis.metrics.owners if p.owner == "Ann")
    assert by_rep["Ann"].progress is ann  # read from the metrics, never recomputed
    assert s.team.progress is analysis.metrics.team
    text = standing_text(s)
    assert text.splitlines()[:5] == [
        "Where each rep stands in 2026-Q4 (2026-10-01 to 2026-12-31)",
        "  rep    quota     won  expected  still to generate  attainment  follow-ups",
        "  Ann   50,000  10,000    14,000             26,000       20.0%           2",
        "  Bob   40,000       0       500             39,500        0.0%           2",
        "  Team  90,000  10,000    14,500             65,500       11.1%           4",
    ]


def test_follow_ups_are_counted_per_rep_and_by_kind(tmp_path):
    s, analysis = _standing(_team_book(tmp_path))
    # Ann's proposal meets tomorrow, Bob's lead today; both have been quiet since September.
    assert s.follow_up_total == len(analysis.actions) == 4
    assert {r.rep: r.follow_ups for r in s.reps} == {"Ann": 2, "Bob": 2}
    assert s.follow_ups == {"appointment-reminder": 2, "stale": 2}
    assert "Follow-ups today: 4 (2 appointment reminders, 2 stale deals)" in standing_text(s)


def test_the_top_signal_is_the_reps_first_and_the_rest_are_counted(tmp_path):
    # six early deals (bottom of the funnel empty), one of them carrying most of the value
    rows = [HEADER] + [
        deal_row(
            {"Deal Stage": "Lead", "Est. Budget": 100000 if i == 0 else 1000},
            Deal_ID=f"L{i}",
            Sales_Rep="Cy",
        )
        for i in range(6)
    ]
    s, analysis = _standing(make_workbook(tmp_path / "cy.xlsx", {"Deals": rows}))
    mine = [x for x in analysis.metrics.signals if x.owner == "Cy"]
    assert len(mine) >= 2
    cy = s.reps[0]
    assert cy.signal == mine[0] and cy.more_signals == len(mine) - 1
    text = standing_text(s)
    assert f"  Cy  {mine[0].code} (+{len(mine) - 1} more): {mine[0].message}" in text
    assert f"      → {mine[0].advice}" in text


def test_a_rep_without_signals_says_so_and_missing_quotas_are_explained(tmp_path):
    p = make_workbook(tmp_path / "one.xlsx", {"Deals": [HEADER, deal_row()]})
    s, _ = _standing(p)
    text = standing_text(s)
    assert text.splitlines()[2].split() == ["Ann", "-", "0", "7,000", "-", "-", "2"]
    assert "no quotas found" in text
    assert "  Ann  nothing to flag" in text


def test_money_follows_the_teams_locale_and_currency(tmp_path):
    s, _ = _standing(_team_book(tmp_path), TeamConfig(locale="de_DE", currency="EUR"))
    row = standing_text(s).splitlines()[2]
    cells = [c.strip(" ") for c in row.split("  ") if c.strip(" ")]
    assert cells[:3] == ["Ann", "50.000\xa0€", "10.000\xa0€"]
    assert row.endswith("20,0\xa0%           2")
    usd = standing_text(_standing(_team_book(tmp_path), TeamConfig(currency="USD"))[0])
    assert "  Ann   $50,000  $10,000" in usd


def test_sync_leads_with_the_block_and_hides_the_parts_unless_verbose(tmp_path):
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, book)
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26", "--dry-run"])
    lines = res.stdout.splitlines()
    assert lines[2].startswith("Where each rep stands in 2026-Q4")
    assert "parts changed" not in res.stdout
    res = CliRunner().invoke(
        cli, ["sync", str(book), "--as-of", "2026-11-26", "--dry-run", "--verbose"]
    )
    assert re.search(r"^  parts changed: \d+ \(\[Content_Types\]\.xml, ", res.stdout, re.M)


def test_sync_ends_saying_which_file_and_tab_to_open(tmp_path):
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, book)
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    assert res.exit_code == 1
    assert res.stdout.splitlines()[-1] == f"Open {book} and look at the tab 'sheetsync Summary'."
    assert res.stderr == ""  # the data errors are said on stdout, once


def test_golden_sync_text_of_the_sample_workbook(tmp_path):
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, book)
    res = CliRunner().invoke(cli, ["sync", str(book), "--as-of", "2026-11-26"])
    got = res.stdout.replace(str(book), "demo/team_pipeline.xlsx")
    got = re.sub(r"team_pipeline\.\d{8}-\d{6}-\d{6}\.xlsx", "team_pipeline.<timestamp>.xlsx", got)
    got = got.replace(str(tmp_path) + "/", "demo/")
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    assert got == GOLDEN.read_text(encoding="utf-8")


def test_the_readme_shows_the_block_the_sample_gives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    checked = jobs.check(str(SAMPLE), as_of=AS_OF)
    analysis = jobs.analyse(checked)
    block = standing_text(standing(analysis.metrics, analysis.actions, checked.config.team))
    assert f"```text\n{block}```" in readme, (
        "README's block under 'The demo, walked through' differs; it is now:\n" + block
    )
