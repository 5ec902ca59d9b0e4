"""A simulated month of nightly runs on the sample pipeline.

Thirty nights with ``--as-of``; between runs a script edits the workbook the
way the team would (deals move on, slip, close, get lost), saving it with
openpyxl as a stand-in for the team's spreadsheet program.  Checked: the
history records exactly the scripted changes with their dates, days in
stage follow from them, slipped deals are counted, and after every run the
team's own tabs are byte-identical to what the script last wrote.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from sheetsync import history as H
from sheetsync import jobs
from sheetsync.drafts import read_ledger
from sheetsync.sources.excel import ExcelSource
from sheetsync.sources.xlsx import inspect_workbook

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2026, 11, 2)
NIGHTS = 30
ORDER = ["Lead", "Qualified", "Appointment", "Presentation", "Proposal", "Negotiation"]
COL = {"id": 1, "stage": 9, "close": 13, "lost_reason": 17, "lost_at": 18}
HEADER_ROW = 4


def user_parts(path: Path) -> dict[str, bytes]:
    """Every part of the package except sheetsync's own sheets and the listings."""
    info = inspect_workbook(path)
    owned = {s.part for s in info.sheets if s.owned_kind}
    listing = {
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "docProps/app.xml",
        "xl/styles.xml",
    }
    with zipfile.ZipFile(path) as zf:
        return {
            i.filename: zf.read(i)
            for i in zf.infolist()
            if i.filename not in owned
            and i.filename not in listing
            and not i.filename.startswith(("xl/charts/", "xl/drawings/", "xl/worksheets/_rels/"))
        }


def edit_night(path: Path, day: dt.date, rnd: random.Random, log: list[tuple]) -> None:
    """The team's day: a few deals move on, one slips, now and then one closes."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Pipeline"]
    seen: set[str] = set()
    open_rows = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        deal_id = ws.cell(r, COL["id"]).value
        stage = ws.cell(r, COL["stage"]).value
        if not deal_id or deal_id in seen or stage not in ORDER or not ws.cell(r, 7).value:
            seen.add(deal_id)
            continue
        seen.add(deal_id)
        open_rows.append(r)
    rnd.shuffle(open_rows)
    for r in open_rows[:3]:  # three deals move one stage on
        stage = ws.cell(r, COL["stage"]).value
        if stage != "Negotiation":
            new = ORDER[ORDER.index(stage) + 1]
            ws.cell(r, COL["stage"]).value = new
            log.append((ws.cell(r, COL["id"]).value, "stage", stage, new, day))
    r = open_rows[3]  # one close date slips by two weeks
    close = ws.cell(r, COL["close"]).value
    if isinstance(close, dt.datetime):
        ws.cell(r, COL["close"]).value = close + dt.timedelta(days=14)
        log.append(
            (
                ws.cell(r, COL["id"]).value,
                "close_date",
                close.date(),
                (close + dt.timedelta(days=14)).date(),
                day,
            )
        )
    if day.toordinal() % 5 == 0:  # now and then one is won, one lost
        won, lost = open_rows[4], open_rows[5]
        log.append(
            (ws.cell(won, COL["id"]).value, "stage", ws.cell(won, COL["stage"]).value, "Won", day)
        )
        ws.cell(won, COL["stage"]).value = "Won"
        old_close = ws.cell(won, COL["close"]).value
        ws.cell(won, COL["close"]).value = dt.datetime.combine(day, dt.time())
        if isinstance(old_close, dt.datetime) and old_close.date() != day:
            log.append((ws.cell(won, COL["id"]).value, "close_date", old_close.date(), day, day))
        stage = ws.cell(lost, COL["stage"]).value
        log.append((ws.cell(lost, COL["id"]).value, "stage", stage, "Lost", day))
        ws.cell(lost, COL["stage"]).value = "Lost"
        ws.cell(lost, COL["lost_reason"]).value = "went with a competitor"
        ws.cell(lost, COL["lost_at"]).value = None  # the history must know where it was lost
    wb.save(path)


def test_a_month_of_nightly_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(ROOT / "sample_workbooks" / "team_pipeline.xlsx", book)
    (tmp_path / "sheetsync.toml").write_text(
        '[drafts]\nenabled = true\nout_dir = "drafts"\n', encoding="utf-8"
    )
    rnd = random.Random(2026)
    log: list[tuple] = []
    made = Counter()
    first = jobs.sync(str(book), as_of=START)
    made.update(d.kind for d in first.drafts.drafts)
    for n in range(1, NIGHTS):
        day = START + dt.timedelta(days=n)
        edit_night(book, day, rnd, log)
        written_by_team = user_parts(book)
        done = jobs.sync(str(book), as_of=day)
        assert user_parts(book) == written_by_team, f"night {n}: a team part changed"
        assert not done.history.skipped
        made.update(d.kind for d in done.drafts.drafts)
        again = jobs.sync(str(book), as_of=day)  # a second run the same night makes no draft
        assert again.drafts.drafts == [] and again.write.changed_parts == []
    last = START + dt.timedelta(days=NIGHTS - 1)

    src = ExcelSource(book)
    ledger = read_ledger(src, "sheetsync Drafts Ledger")
    identities = [e.identity for e in ledger]
    assert len(identities) == len(set(identities)) == sum(made.values()), "every draft made once"
    emls = list((tmp_path / "drafts").rglob("*.eml"))
    assert len(emls) == len(identities)
    assert made["rep-digest"] >= NIGHTS  # five reps, every morning
    for kind in ("appointment-reminder", "follow-up", "trial-offer"):
        assert made[kind] > 0, f"no {kind} in a month"  # no kind blocks another
    hist = H.History.from_grid(src.read("sheetsync History"))
    assert hist.problems == []
    recorded = {
        (c.deal_key, c.field, c.old, c.new, c.at.date())
        for c in hist.changes
        if c.field in ("stage", "close_date") and c.at.date() > START
    }
    assert recorded == set(log), "the history holds exactly the team's changes"

    # Days in stage follow from the last recorded move.
    checked = jobs.check(str(book), as_of=last)
    days = H.days_in_current_stage(hist, checked.pipeline, last)
    last_move = {}
    for key, field, _old, _new, day in log:
        if field == "stage":
            last_move[key] = day
    for key, day in last_move.items():
        assert days[key] == (last - day).days
    slipped = H.slipped_deals(hist)
    expected_slips: dict[str, int] = {}
    for key, field, old, new, _day in log:
        if field == "close_date" and new > old:
            expected_slips[key] = expected_slips.get(key, 0) + 1
    assert {k: v for k, v in slipped.items()} == expected_slips

    # Lost deals are lost at the stage they held, though the sheet does not say.
    final = jobs.metrics(str(book), as_of=last)[1].to_dict()["history"]
    lost_from = {}
    for key, field, old, new, _day in log:
        if field == "stage" and new == "Lost":
            lost_from[key] = old
    furthest = H.furthest_stage(hist, checked.pipeline, last)
    for key, stage in lost_from.items():
        assert furthest[key] == stage, key  # stages only move forward in this script
    assert sum(final["lost_at"].values()) >= len(lost_from)
    with capsys.disabled():
        print(
            f"\nmonth: {NIGHTS} nights, {len(log)} scripted changes, {len(hist)} history rows, "
            f"{len(lost_from)} lost, {sum(expected_slips.values())} slips; days in stage {final['days_in_stage']}; "
            f"drafts {dict(made)} ({len(emls)} .eml files, none twice)"
        )
