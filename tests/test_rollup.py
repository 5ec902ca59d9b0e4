"""The history's budget: a rollup condenses the oldest runs and changes no figure.

A long, churny history (stages forward and back, deals lost, won, removed
and back in another stage, close dates pushed and pulled, values cleared) is
recorded night by night; it is rolled up at several points, and every figure
derived from the history is compared, day by day after the rollup, with the
figures of the full log.  Then both go on recording the same nights, so a
rolled-up history also diffs exactly like the full one.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from test_history import CLOSE, STAGES, as_read, deal, night, pipe

from sheetsync.config import SyncSettings, config_from_dict
from sheetsync.errors import ConfigError
from sheetsync.history import (
    ROLLUP,
    History,
    average_days_per_stage,
    days_in_current_stage,
    furthest_stage,
    last_state,
    record,
    slipped_deals,
    stage_entered,
    stage_history_for_metrics,
    summarize,
)
from sheetsync.history.rollup import fold, roll_up, row_budget
from sheetsync.model import Outcome, Pipeline

NAMES = [s.name for s in STAGES]


def churn(rng: random.Random, nights: int, *, start: int = 0, deals=None, state=None):
    """(night, pipeline) pairs of a team that changes a lot, and the deals at the end."""
    deals = deals if deals is not None else {}
    gone = state if state is not None else {}
    serial = len(deals) + len(gone)
    out: list[tuple[int, Pipeline]] = []
    for n in range(start, start + nights):
        if n == start and not deals:
            for _ in range(40):
                serial += 1
                deals[f"D{serial}"] = deal(f"D{serial}", rng.choice(NAMES[:4]))
        for d in list(deals.values()):
            r = rng.random()
            if r < 0.12:
                d.stage = rng.choice(NAMES)  # forward, back, won, lost
                d.status = next(s.outcome for s in STAGES if s.name == d.stage)
            elif r < 0.17:
                base = d.close_date or CLOSE
                d.close_date = base + dt.timedelta(days=rng.choice([-9, 5, 20, 31]))
            elif r < 0.19:
                d.close_date = None
            elif r < 0.23:
                d.amount = rng.choice([None, float(rng.randrange(500, 9000))])
            elif r < 0.25:
                d.owner = rng.choice(["Ann", "Bo", "Cy", None])
            elif r < 0.27:
                gone[d.key] = deals.pop(d.key)  # removed from the sheet
        for key in list(gone):
            if rng.random() < 0.15:  # back, sometimes in another stage
                d = gone.pop(key)
                if rng.random() < 0.5:
                    d.stage = rng.choice(NAMES[:4])
                deals[key] = d
        if rng.random() < 0.3:
            serial += 1
            deals[f"D{serial}"] = deal(f"D{serial}", rng.choice(NAMES[:4]))
        if rng.random() < 0.1:  # a night with a second run
            out.append((n, pipe(*[_copy(d) for d in deals.values()])))
        out.append((n, pipe(*[_copy(d) for d in deals.values()])))
    return out, deals, gone


def _copy(d):
    return deal(
        d.key,
        d.stage,
        amount=d.amount,
        close=d.close_date,
        owner=d.owner,
        name=d.deal,
        lost_stage=d.lost_stage,
    )


def record_all(h: History, nights: list[tuple[int, Pipeline]]) -> History:
    seen: dict[int, int] = {}
    for n, p in nights:
        k = seen.get(n, 0)
        seen[n] = k + 1
        h = record(h, p, night(n) + dt.timedelta(hours=k))  # a second run that night: later
    return h


def figures(h: History, p: Pipeline, day: dt.date) -> dict:
    return {
        "summary": summarize(h, p, day),
        "metrics": stage_history_for_metrics(h, p, day),
        "entered": stage_entered(h, p, day),
        "days": days_in_current_stage(h, p, day),
        "furthest": furthest_stage(h, p, day),
        "average": average_days_per_stage(h, p, day),
        "slipped": slipped_deals(h, day),
        "entries": h.entries(day),
        "first_at": h.first_at,
    }


@pytest.fixture(scope="module")
def long_history():
    rng = random.Random(14)
    nights, deals, gone = churn(rng, 120)
    return record_all(History(), nights), nights, deals, gone


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9, 1.0])
def test_every_figure_after_the_rollup_is_the_full_logs(long_history, share):
    full, nights, _, _ = long_history
    cut = int(len(full.changes) * share)
    while cut < len(full.changes) and full.changes[cut].at == full.changes[cut - 1].at:
        cut += 1  # rollups cut between runs
    rolled = History(changes=full.changes[cut:], base=fold(full, cut))
    assert rolled.base is not None and rolled.base.entries == cut
    assert len(rolled) == len(full)
    assert last_state(rolled, include_removed=True) == last_state(full, include_removed=True)
    p = nights[-1][1]
    first = rolled.base.at.date()
    checked = 0
    for day in (first + dt.timedelta(days=k) for k in range(0, 130, 3)):
        assert figures(rolled, p, day) == figures(full, p, day), day
        checked += 1
    assert checked > 10
    # the figures have something in them to compare (the churn reached every kind)
    s = summarize(full, p, nights[-1][0] and night(nights[-1][0]).date())
    assert s.days_in_stage and s.lost_at and s.slipped and s.days_in_current_stage


def test_a_rolled_up_history_records_the_next_nights_exactly_like_the_full_one(long_history):
    full, nights, deals, gone = long_history
    rng = random.Random(41)
    more, _, _ = churn(rng, 40, start=121, deals=dict(deals), state=dict(gone))
    cut = len(full.changes) * 2 // 3
    while full.changes[cut].at == full.changes[cut - 1].at:
        cut += 1
    rolled = History(changes=full.changes[cut:], base=fold(full, cut))
    a, b = record_all(full, more), record_all(rolled, more)
    assert a.changes[len(full.changes) :] == b.changes[len(rolled.changes) :]
    p = more[-1][1]
    for k in (0, 5, 17):
        day = night(161 + k).date()
        assert figures(a, p, day) == figures(b, p, day)


@pytest.mark.parametrize(("serials", "epoch1904"), [(False, False), (True, False), (True, True)])
def test_the_rollup_rows_read_back_into_the_same_history(long_history, serials, epoch1904):
    full, nights, _, _ = long_history
    out = roll_up(full, 400)
    rolled = out.history
    sheet = rolled.to_outsheet("H")
    rows = [r for r in sheet.rows[1:] if r[2] == ROLLUP]
    assert len(rows) == len(rolled.base.deals) and len(sheet.rows) == rolled.tab_rows()
    assert all(type(r[4]) is str for r in rows)  # JSON text, never a formula
    back = History.from_grid(as_read(sheet, serials=serials, epoch1904=epoch1904))
    assert back.problems == []
    assert back == rolled and back.base == rolled.base
    p = nights[-1][1]
    day = night(125).date()
    assert figures(back, p, day) == figures(full, p, day)


def test_roll_up_keeps_the_tab_within_its_budget_and_rolls_up_rarely():
    rng = random.Random(3)
    nights, _, _ = churn(rng, 400)
    h, budget, rollups, rows = History(), 1_000, 0, []
    for n, p in nights:
        h = record(h, p, night(n) + dt.timedelta(hours=len(rows) % 2))
        out = roll_up(h, budget)
        rollups += out.rolled > 0
        assert not out.over_budget
        h = out.history
        rows.append(h.tab_rows())
        # what the backends would read back next night: the tab as written
        if out.rolled:
            h = History.from_grid(as_read(h.to_outsheet("H"), serials=True))
    assert max(rows) <= budget
    assert 1 <= rollups <= len(nights) // 20  # rolled to half the budget: rare
    # untouched under the budget: the same object, appended to as before
    small = History()
    assert roll_up(small, budget).history is small


def test_a_budget_smaller_than_the_deals_rolls_everything_and_says_so():
    deals = [deal(f"D{i}", "Lead") for i in range(120)]
    h = record(History(), pipe(*deals), night(0))
    for d in deals[:60]:
        d.stage = "Meeting"
    h = record(h, pipe(*[_copy(d) for d in deals]), night(1))
    out = roll_up(h, 100)
    assert out.over_budget and out.rows_after == 121
    assert out.history.changes == [] and len(out.history) == len(h)
    assert "raise [sync] history_max_rows" in out.message(100)


def test_the_budget_is_checked_and_bounded_by_excel_and_google():
    assert row_budget(SyncSettings()) == 500_000
    assert row_budget(SyncSettings(history_max_cells=1_000_000)) == 200_000
    for bad in ({"history_max_rows": 2_000_000}, {"history_max_cells": 20_000_000}):
        with pytest.raises(ConfigError):
            SyncSettings(**bad)
    with pytest.raises(ConfigError):
        config_from_dict({"sync": {"history_max_rows": "many"}})


def test_lost_deals_and_won_deals_keep_their_furthest_stage_through_a_rollup():
    p0 = pipe(deal("A", "Lead"), deal("B", "Lead"))
    p1 = pipe(deal("A", "Proposal"), deal("B", "Meeting"))
    p2 = pipe(deal("A", "Lost"), deal("B", "Won"))
    full = record_all(History(), [(0, p0), (4, p1), (9, p2)])
    cut = sum(1 for c in full.changes if c.at <= night(4))
    rolled = History(changes=full.changes[cut:], base=fold(full, cut))
    assert (
        furthest_stage(rolled, p2)
        == furthest_stage(full, p2)
        == {
            "A": "Proposal",
            "B": "Meeting",
        }
    )
    lost = summarize(rolled, p2, night(10).date()).lost_at
    assert lost == summarize(full, p2, night(10).date()).lost_at == {"Proposal": 1}
    assert [s for s in STAGES if s.outcome is Outcome.LOST]
