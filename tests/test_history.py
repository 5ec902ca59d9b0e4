"""Stage history: changes recorded night by night, and the figures derived from them.

Each test builds its pipelines by hand, one per "night", records them in order
and checks the log or a figure, so the expected numbers can be counted from
the test itself.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sheetsync.history import (
    BACKFILL_SKIPPED,
    DEAL,
    HEADER,
    HEADER_MISSING,
    KIND,
    ROW_SKIPPED,
    Change,
    DealState,
    History,
    HistorySummary,
    average_days_per_stage,
    days_in_current_stage,
    diff,
    furthest_stage,
    history_rows,
    last_state,
    record,
    skipped_finding,
    slipped_deals,
    stage_entered,
    stage_history_for_metrics,
    summarize,
)
from sheetsync.metrics import MetricsSettings, compute_metrics, reached_counts, stale_deals
from sheetsync.model import Deal, Grid, Outcome, Pipeline, Severity, Stage
from sheetsync.outsheet import OutCell, OutSheet

STAGES = [
    Stage("Lead", 0, 0.1),
    Stage("Meeting", 1, 0.3),
    Stage("Proposal", 2, 0.6),
    Stage("Negotiation", 3, 0.8),
    Stage("Won", 4, 1.0, Outcome.WON),
    Stage("Lost", 5, 0.0, Outcome.LOST),
]
BY_NAME = {s.name: s for s in STAGES}
CLOSE = dt.date(2026, 6, 30)


def night(n: int) -> dt.datetime:
    """The moment of the nightly run on day ``n`` (day 0 is 2026-03-01)."""
    return dt.datetime(2026, 3, 1, 2, 0) + dt.timedelta(days=n)


def day(n: int) -> dt.date:
    return night(n).date()


def deal(
    key: str,
    stage: str | None = "Lead",
    *,
    amount: float | None = 1000.0,
    close: dt.date | None = CLOSE,
    owner: str | None = "Ann",
    name: str | None = None,
    lost_stage: str | None = None,
    last_contact: dt.date | None = None,
    created: dt.date | None = None,
) -> Deal:
    st = BY_NAME.get(stage) if stage else None
    return Deal(
        row=0,
        key=key,
        id=key,
        deal=name if name is not None else f"Deal {key}",
        owner=owner,
        stage=stage,
        stage_index=st.index if st else None,
        status=st.outcome if st else Outcome.OPEN,
        amount=amount,
        close_date=close,
        lost_stage=lost_stage,
        last_contact=last_contact,
        created=created,
    )


def pipe(*deals: Deal) -> Pipeline:
    """A pipeline of ``deals`` in sheet order (rows 2, 3, …)."""
    for i, d in enumerate(deals):
        d.row = i + 2
    return Pipeline(source="test.xlsx", deals_tab="Pipeline", deals=list(deals), stages=STAGES)


def run(nights: Sequence[tuple[int, Pipeline]], history: History | None = None) -> History:
    """Record each (day, pipeline) in order, as nightly syncs would."""
    h = history or History()
    for n, p in nights:
        h = record(h, p, night(n))
        assert h.skipped is None
    return h


def rows_of(h: History) -> list[tuple[str, str, Any, Any, int]]:
    """The log as (key, field, old, new, day) tuples, easy to compare."""
    return [(c.deal_key, c.field, c.old, c.new, (c.at.date() - day(0)).days) for c in h.changes]


# --------------------------------------------------------------------------- recording


def test_first_run_records_every_deal_as_added_with_its_values():
    h = run([(0, pipe(deal("D1", "Proposal"), deal("D2", "Lead", amount=None, owner="Bo")))])
    assert rows_of(h) == [
        ("D1", DEAL, None, "Deal D1", 0),
        ("D1", "stage", None, "Proposal", 0),
        ("D1", "amount", None, 1000.0, 0),
        ("D1", "close_date", None, CLOSE, 0),
        ("D1", "owner", None, "Ann", 0),
        ("D2", DEAL, None, "Deal D2", 0),  # no amount: no amount row
        ("D2", "stage", None, "Lead", 0),
        ("D2", "close_date", None, CLOSE, 0),
        ("D2", "owner", None, "Bo", 0),
    ]
    assert h.appended == 9
    assert all(c.at == night(0) for c in h.changes)


def test_a_night_without_changes_records_nothing():
    p = pipe(deal("D1", "Proposal"), deal("D2"))
    h1 = run([(0, p)])
    h2 = record(h1, pipe(deal("D1", "Proposal"), deal("D2")), night(1))
    assert h2.appended == 0
    assert h2.changes == h1.changes
    assert diff(h2, p, night(2)) == []


def test_each_changed_field_is_recorded_once_with_its_old_and_new_value():
    h = run(
        [
            (0, pipe(deal("D1", "Lead"))),
            (1, pipe(deal("D1", "Meeting", amount=2500.5, close=dt.date(2026, 7, 15), owner="Bo"))),
            (2, pipe(deal("D1", "Meeting", amount=2500.5, close=dt.date(2026, 7, 15), owner="Bo"))),
        ]
    )
    assert rows_of(h)[5:] == [
        ("D1", "stage", "Lead", "Meeting", 1),
        ("D1", "amount", 1000.0, 2500.5, 1),
        ("D1", "close_date", CLOSE, dt.date(2026, 7, 15), 1),
        ("D1", "owner", "Ann", "Bo", 1),
    ]
    assert last_state(h) == {
        "D1": DealState("Meeting", 2500.5, dt.date(2026, 7, 15), "Bo", "Deal D1", True)
    }


def test_values_cleared_in_the_sheet_are_recorded_as_changes_to_nothing():
    h = run([(0, pipe(deal("D1"))), (1, pipe(deal("D1", amount=None, close=None)))])
    assert rows_of(h)[5:] == [
        ("D1", "amount", 1000.0, None, 1),
        ("D1", "close_date", CLOSE, None, 1),
    ]


def test_half_a_cent_retyped_owner_and_stage_case_are_not_changes():
    h = run(
        [
            (0, pipe(deal("D1", amount=1000.0, owner="Ann Lee"), deal("D2", "Custom stage"))),
            (1, pipe(deal("D1", amount=1000.004, owner=" ann  lee "), deal("D2", "custom STAGE"))),
        ]
    )
    assert h.appended == 0
    # creeping edits are compared with the recorded value, so they add up
    h = record(
        h, pipe(deal("D1", amount=1000.006, owner="Ann Lee"), deal("D2", "Custom stage")), night(2)
    )
    assert rows_of(h)[-1:] == [("D1", "amount", 1000.0, 1000.006, 2)]


def test_a_deal_that_disappears_is_recorded_as_removed_with_its_label():
    h = run(
        [
            (0, pipe(deal("D1", name="Widget rollout"), deal("D2", name="Gadget"))),
            (1, pipe(deal("D2", name="Gadget"))),
            (2, pipe(deal("D2", name="Gadget"))),
        ]
    )
    assert rows_of(h)[10:] == [("D1", DEAL, "Widget rollout", None, 1)]
    assert h.changes[-1].is_removed and not h.changes[-1].is_added
    assert set(last_state(h)) == {"D2"}
    assert last_state(h, include_removed=True)["D1"].present is False


def test_a_new_deal_later_is_added_and_its_stay_starts_that_night():
    h = run([(0, pipe(deal("D1"))), (3, pipe(deal("D1"), deal("D9", "Meeting")))])
    assert [r[:2] for r in rows_of(h)[5:]] == [
        ("D9", DEAL),
        ("D9", "stage"),
        ("D9", "amount"),
        ("D9", "close_date"),
        ("D9", "owner"),
    ]
    p = pipe(deal("D1"), deal("D9", "Meeting"))
    assert days_in_current_stage(h, p, day(10)) == {"D1": 10, "D9": 7}
    # D9's entry was observed; D1's stay was under way when history began
    assert stage_history_for_metrics(h, p, day(10)) == {
        "D1": (None, "Lead"),
        "D9": (day(3), "Meeting"),
    }


def test_a_re_added_deal_is_compared_with_its_state_before_it_left():
    h = run(
        [
            (0, pipe(deal("D1"), deal("D2", "Lead"))),
            (1, pipe(deal("D1"), deal("D2", "Meeting"))),
            (2, pipe(deal("D1"))),  # D2's row deleted by mistake…
            (4, pipe(deal("D1"), deal("D2", "Meeting", amount=1200.0))),  # …and pasted back
        ]
    )
    assert rows_of(h)[-3:] == [
        ("D2", DEAL, "Deal D2", None, 2),
        ("D2", DEAL, None, "Deal D2", 4),
        ("D2", "amount", 1000.0, 1200.0, 4),  # the stage did not change: no stage row
    ]
    p = pipe(deal("D1"), deal("D2", "Meeting", amount=1200.0))
    # the Meeting stay continues across the absence…
    assert stage_entered(h, p) == {"D1": day(0), "D2": day(1)}
    assert stage_history_for_metrics(h, p, day(5))["D2"] == (day(1), "Meeting")
    # …but an interrupted stay never counts as a completed one
    h = record(h, pipe(deal("D1"), deal("D2", "Proposal", amount=1200.0)), night(6))
    assert average_days_per_stage(h, p) == {}


def test_a_deal_back_in_another_stage_has_an_unknown_stage_entry():
    h = run(
        [
            (0, pipe(deal("D1"), deal("D2", "Lead"))),
            (1, pipe(deal("D1"), deal("D2", "Meeting"))),
            (2, pipe(deal("D1"))),
            (5, pipe(deal("D1"), deal("D2", "Proposal"))),
        ]
    )
    assert rows_of(h)[-2:] == [
        ("D2", DEAL, None, "Deal D2", 5),
        ("D2", "stage", "Meeting", "Proposal", 5),
    ]
    p = pipe(deal("D1"), deal("D2", "Proposal"))
    assert days_in_current_stage(h, p, day(8))["D2"] == 3  # at least 3 days
    assert stage_history_for_metrics(h, p, day(8))["D2"] == (None, "Proposal")


def test_with_duplicate_keys_the_first_row_is_tracked_and_the_others_ignored():
    h = run(
        [
            (0, pipe(deal("D1", "Lead", name="first"), deal("D1", "Won", name="second"))),
            (1, pipe(deal("D1", "Meeting", name="first"), deal("D1", "Lost", name="second"))),
        ]
    )
    assert [r for r in rows_of(h) if r[1] in (DEAL, "stage")] == [
        ("D1", DEAL, None, "first", 0),
        ("D1", "stage", None, "Lead", 0),
        ("D1", "stage", "Lead", "Meeting", 1),
    ]


def test_deals_without_an_id_are_tracked_by_row_key():
    d = deal("row 7", "Lead")
    d.id = None
    h = run([(0, pipe(d))])
    assert h.changes[0].deal_key == "row 7"


def test_labels_are_cut_short_and_fall_back_on_the_key():
    h = run([(0, pipe(deal("D1", name="x" * 200), deal("D2", name="")))])
    labels = [c.new for c in h.changes if c.field == DEAL]
    assert len(labels[0]) == 60 and labels[0].endswith("…")
    assert labels[1] == "D2"


# --------------------------------------------------------------------------- backfill


def test_a_backfilled_run_before_the_last_entry_records_nothing_and_says_why():
    h = run([(0, pipe(deal("D1"))), (5, pipe(deal("D1", "Meeting")))])
    back = record(h, pipe(deal("D1", "Proposal")), night(3))
    assert back.changes == h.changes
    assert back.appended == 0
    assert back.skipped is not None and "before the last recorded change" in back.skipped
    finding = skipped_finding(back, "sheetsync History")
    assert finding is not None
    assert (finding.code, finding.severity) == (BACKFILL_SKIPPED, Severity.WARNING)
    assert skipped_finding(h, "sheetsync History") is None
    # the original is untouched and the next normal run still records
    later = record(back, pipe(deal("D1", "Proposal")), night(6))
    assert later.skipped is None
    assert rows_of(later)[-1] == ("D1", "stage", "Meeting", "Proposal", 6)


def test_a_rerun_at_the_same_moment_is_allowed_and_harmless():
    p = pipe(deal("D1", "Meeting"))
    h = run([(0, pipe(deal("D1"))), (1, p)])
    again = record(h, p, night(1))
    assert again.skipped is None and again.appended == 0
    assert again.changes == h.changes


def test_figures_for_an_earlier_as_of_use_only_the_entries_up_to_that_day():
    h = run(
        [
            (0, pipe(deal("D1"))),
            (2, pipe(deal("D1", "Meeting"))),
            (6, pipe(deal("D1", "Proposal", close=dt.date(2026, 8, 1)))),
        ]
    )
    p = pipe(deal("D1", "Meeting"))
    assert days_in_current_stage(h, p, day(4)) == {"D1": 2}
    assert furthest_stage(h, p, day(4)) == {"D1": "Meeting"}
    assert slipped_deals(h, day(4)) == {}
    assert slipped_deals(h) == {"D1": 1}
    assert summarize(h, p, day(4)).entries == 6


def test_timestamps_are_whole_seconds_without_timezone():
    at = dt.datetime(2026, 3, 1, 2, 0, 7, 654321, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    h = record(History(), pipe(deal("D1")), at)
    assert {c.at for c in h.changes} == {dt.datetime(2026, 3, 1, 2, 0, 7)}
    h = record(History(), pipe(deal("D1")), dt.date(2026, 3, 1))
    assert h.changes[0].at == dt.datetime(2026, 3, 1)


# --------------------------------------------------------------------------- figures


def test_days_in_current_stage_count_from_the_recorded_stage_change():
    h = run(
        [
            (0, pipe(deal("D1"), deal("D2"))),
            (3, pipe(deal("D1", "Meeting"), deal("D2"))),
            (7, pipe(deal("D1", "Proposal"), deal("D2"))),
        ]
    )
    p = pipe(deal("D1", "Proposal"), deal("D2"))
    assert stage_entered(h, p) == {"D1": day(7), "D2": day(0)}
    assert days_in_current_stage(h, p, day(10)) == {"D1": 3, "D2": 10}
    # a stage changed in the sheet but not recorded yet: no figure rather than a wrong one
    assert days_in_current_stage(h, pipe(deal("D1", "Negotiation")), day(10)) == {}


def test_stays_under_way_when_history_began_give_metrics_no_entered_date():
    created = day(0) - dt.timedelta(days=60)
    h = run([(0, pipe(deal("D1", "Meeting", created=created)))])
    p = pipe(deal("D1", "Meeting", created=created))
    assert days_in_current_stage(h, p, day(1)) == {"D1": 1}  # a lower bound
    assert stage_history_for_metrics(h, p, day(1)) == {"D1": (None, "Meeting")}
    # so the stale rule still sees a deal quiet since it was created, not since install day
    settings = MetricsSettings(default_rot_days=30)
    assert [
        r.key for r in stale_deals(p, day(1), settings, stage_history_for_metrics(h, p, day(1)))
    ] == ["D1"]


def test_the_stale_rule_uses_the_recorded_stage_entry():
    created = day(0) - dt.timedelta(days=60)
    h = run(
        [
            (0, pipe(deal("D1", "Lead", created=created))),
            (5, pipe(deal("D1", "Meeting", created=created))),
        ]
    )
    p = pipe(deal("D1", "Meeting", created=created))
    hist = stage_history_for_metrics(h, p, day(10))
    assert hist == {"D1": (day(5), "Meeting")}
    settings = MetricsSettings(default_rot_days=30)
    assert stale_deals(p, day(10), settings) != []  # without history: quiet since created
    assert stale_deals(p, day(10), settings, hist) == []  # moved 5 days ago
    m = compute_metrics(p, day(10), settings, history=hist)
    assert m.stale == []


def test_a_lost_deals_furthest_stage_is_the_last_open_stage_it_held():
    h = run(
        [
            (0, pipe(deal("D1", "Lead"), deal("D2", "Lead"))),
            (2, pipe(deal("D1", "Meeting"), deal("D2", "Lead"))),
            (4, pipe(deal("D1", "Proposal"), deal("D2", "Lead"))),
            (9, pipe(deal("D1", "Lost"), deal("D2", "Lost"))),
        ]
    )
    p = pipe(deal("D1", "Lost"), deal("D2", "Lost"))
    assert furthest_stage(h, p) == {"D1": "Proposal", "D2": "Lead"}
    hist = stage_history_for_metrics(h, p, day(9))
    assert hist == {"D1": (day(9), "Proposal"), "D2": (day(9), "Lead")}  # lost on day 9
    # reached(s) now follows the real transitions instead of "lost at the first stage"
    without = [r.reached for r in reached_counts(p)]
    with_history = [r.reached for r in reached_counts(p, history=hist)]
    assert without == [2, 0, 0, 0, 0]
    assert with_history == [2, 1, 1, 0, 0]
    assert summarize(h, p, day(9)).lost_at == {"Lead": 1, "Proposal": 1}


def test_a_deal_that_went_back_keeps_its_furthest_stage():
    h = run(
        [
            (0, pipe(deal("D1", "Lead"))),
            (1, pipe(deal("D1", "Negotiation"))),
            (2, pipe(deal("D1", "Meeting"))),
        ]
    )
    assert furthest_stage(h, pipe(deal("D1", "Meeting"))) == {"D1": "Negotiation"}


def test_a_deal_lost_before_history_began_uses_its_lost_stage_column():
    h = run([(0, pipe(deal("D1", "Lost", lost_stage="Meeting"), deal("D2", "Lost")))])
    p = pipe(deal("D1", "Lost", lost_stage="Meeting"), deal("D2", "Lost"))
    assert furthest_stage(h, p) == {}
    assert summarize(h, p, day(1)).lost_at == {"Meeting": 1}  # D2: no evidence, not counted


def test_average_days_per_stage_uses_completed_stays_only():
    h = run(
        [
            (0, pipe(deal("D1", "Lead"), deal("D2", "Lead"))),
            (1, pipe(deal("D1", "Lead"), deal("D2", "Lead"), deal("D3", "Lead"))),
            (3, pipe(deal("D1", "Meeting"), deal("D2", "Lead"), deal("D3", "Meeting"))),
            (7, pipe(deal("D1", "Proposal"), deal("D2", "Meeting"), deal("D3", "Meeting"))),
            (13, pipe(deal("D1", "Won"), deal("D2", "Meeting"), deal("D3", "Proposal"))),
        ]
    )
    p = pipe(deal("D1", "Won"), deal("D2", "Meeting"), deal("D3", "Proposal"))
    # Lead: only D3 (added day 1, left day 3) — D1 and D2 were in Lead before history began
    # Meeting: D1 3→7 (4 days), D3 3→13 (10 days); D2's Meeting stay is still open
    # Proposal: D1 7→13 (6 days); D3's is open
    assert average_days_per_stage(h, p) == {"Lead": 2.0, "Meeting": 7.0, "Proposal": 6.0}
    assert average_days_per_stage(h, p, day(8)) == {"Lead": 2.0, "Meeting": 4.0}


def test_slipped_deals_count_close_dates_pushed_later():
    dates = [
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 31),  # slip 1
        dt.date(2026, 7, 15),  # pulled in: not a slip, does not undo one
        dt.date(2026, 9, 30),  # slip 2
        None,  # cleared
        dt.date(2026, 12, 31),  # set again: not a slip
        dt.date(2027, 1, 31),  # slip 3
    ]
    nights = [(i, pipe(deal("D1", close=c), deal("D2"))) for i, c in enumerate(dates)]
    h = run(nights)
    assert slipped_deals(h) == {"D1": 3}
    s = summarize(h, nights[-1][1], day(len(dates)))
    assert [x.to_dict() for x in s.slipped] == [
        {
            "key": "D1",
            "deal": "Deal D1",
            "times": 3,
            "first_close": "2026-06-30",
            "close_date": "2027-01-31",
        }
    ]


# --------------------------------------------------------------------------- summary


def sample_history() -> tuple[History, Pipeline]:
    h = run(
        [
            (0, pipe(deal("D1", "Lead"), deal("D2", "Lead"))),
            (1, pipe(deal("D1", "Lead"), deal("D2", "Lead"), deal("D3", "Lead"))),
            (3, pipe(deal("D1", "Meeting"), deal("D2", "Lead"), deal("D3", "Meeting"))),
            (
                6,
                pipe(
                    deal("D1", "Proposal", close=dt.date(2026, 7, 31)),
                    deal("D2", "Lost"),
                    deal("D3", "Meeting"),
                ),
            ),
        ]
    )
    p = pipe(
        deal("D1", "Proposal", close=dt.date(2026, 7, 31)),
        deal("D2", "Lost"),
        deal("D3", "Meeting"),
    )
    return h, p


def test_summary_to_dict_has_the_metrics_json_shape():
    h, p = sample_history()
    s = summarize(h, p, day(10))
    assert isinstance(s, HistorySummary)
    assert s.to_dict() == {
        "days_in_stage": {"Lead": 2.0, "Meeting": 3.0},
        "days_in_current_stage": {"Meeting": 7.0, "Proposal": 4.0},
        "slipped": [
            {
                "key": "D1",
                "deal": "Deal D1",
                "times": 1,
                "first_close": "2026-06-30",
                "close_date": "2026-07-31",
            }
        ],
        "lost_at": {"Lead": 1},
        "entries": len(h),
        "since": "2026-03-01 02:00:00",
    }
    assert summarize(History(), p, day(10)).to_dict()["entries"] == 0


def test_history_rows_give_one_row_per_open_stage_and_the_slipped_deals():
    h, p = sample_history()
    rows = history_rows(summarize(h, p, day(10)))

    def plain(v: Any) -> Any:
        return v.value if isinstance(v, OutCell) else v

    table = [[plain(v) for v in r] for r in rows]
    assert table[0] == ["Stage history"]
    assert table[2] == ["Stage", "Average days per stay", "Days in stage now (avg)", "Lost here"]
    assert table[3:7] == [
        ["Lead", 2.0, None, 1],
        ["Meeting", 3.0, 7.0, None],
        ["Proposal", None, 4.0, None],
        ["Negotiation", None, None, None],
    ]
    assert ["Deal D1", 1, dt.date(2026, 6, 30), dt.date(2026, 7, 31)] in table
    # the slipped list is capped with a note
    many = summarize(h, p, day(10))
    capped = history_rows(
        HistorySummary(
            many.days_in_stage,
            many.days_in_current_stage,
            many.slipped * 30,
            many.lost_at,
            many.entries,
            many.since,
            many.stages,
        )
    )
    assert "5 more" in plain(capped[-1][0])
    empty = history_rows(summarize(History(), p, day(10)))
    assert "no history recorded yet" in plain(empty[1][0])


# --------------------------------------------------------------------------- the tab


def test_history_tab_is_an_owned_hidden_tab_with_typed_cells():
    h, _ = sample_history()
    sheet = h.to_outsheet("sheetsync History")
    assert isinstance(sheet, OutSheet)
    assert (sheet.name, sheet.kind, sheet.hidden, sheet.freeze_rows) == (
        "sheetsync History",
        KIND,
        True,
        1,
    )
    assert [c.value for c in sheet.rows[0]] == list(HEADER)
    # one compact row per deal added (3), then one row per later change (5 of the 20)
    assert [r[2] for r in sheet.rows[1:]] == ["added"] * 3 + ["stage"] * 3 + ["close_date"] + [
        "stage"
    ]
    added = sheet.rows[1]
    assert isinstance(added[0], OutCell) and isinstance(added[0].value, dt.datetime)
    assert added[1:4] == ["D1", "added", "Deal D1"]
    assert json.loads(added[4]) == {
        "stage": "Lead",
        "amount": 1000.0,
        "close_date": "2026-06-30",
        "owner": "Ann",
    }
    first_close = next(r for r in sheet.rows[1:] if r[2] == "close_date")
    assert type(first_close[3].value) is dt.date and type(first_close[4].value) is dt.date
    moved = run([(7, pipe(deal("D1", "Proposal", amount=2500.0)))], h).to_outsheet("H")
    first_amount = next(r for r in moved.rows[1:] if r[2] == "amount")
    assert first_amount[3].value == 1000.0 and first_amount[4] == OutCell(2500.0, "currency")


def test_text_that_looks_like_a_formula_is_written_as_plain_text():
    h = run([(0, pipe(deal("=1+1", "Lead", name='=HYPERLINK("x")', owner="@ann")))])
    sheet = h.to_outsheet("sheetsync History")
    cells = [v for r in sheet.rows[1:] for v in r[1:]]
    assert "=1+1" in cells and '=HYPERLINK("x")' in cells
    assert all(type(v) is str for v in cells)  # the values' JSON too: text, never a formula
    assert json.loads(sheet.rows[1][4])["owner"] == "@ann"


_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def as_read(sheet: OutSheet, *, serials: bool, epoch1904: bool = False) -> Grid:
    """The grid a backend would read back: dates as objects or serial floats,
    numbers as floats, empty cells as ""."""

    def cell(v: Any) -> Any:
        v = v.value if isinstance(v, OutCell) else v
        if v is None:
            return ""
        if isinstance(v, dt.date):
            if not serials:
                return v
            moment = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
            delta = moment - (_EPOCH_1904 if epoch1904 else _EPOCH_1900)
            return delta.days + delta.seconds / 86400
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
        return v

    return Grid(sheet.name, [[cell(v) for v in r] for r in sheet.rows], epoch1904=epoch1904)


@pytest.mark.parametrize(("serials", "epoch1904"), [(False, False), (True, False), (True, True)])
def test_round_trip_through_the_tab_gives_the_same_history(serials: bool, epoch1904: bool):
    h, _ = sample_history()
    h = run([(12, pipe(deal("D1", "Proposal", amount=1234.56, close=None, owner=None)))], h)
    back = History.from_grid(as_read(h.to_outsheet("H"), serials=serials, epoch1904=epoch1904))
    assert back.problems == []
    assert back == h
    assert [type(c.old) for c in back.changes] == [type(c.old) for c in h.changes]
    assert [type(c.new) for c in back.changes] == [type(c.new) for c in h.changes]
    assert last_state(back, include_removed=True) == last_state(h, include_removed=True)


def test_round_trip_through_a_real_workbook(tmp_path: Path):
    from builders import make_workbook

    from sheetsync.sources.excel import ExcelSource

    h, _ = sample_history()
    path = make_workbook(tmp_path / "book.xlsx", {"Pipeline": [["Deal ID", "Stage"]]})
    ExcelSource(path).write([h.to_outsheet("sheetsync History")])
    src = ExcelSource(path)
    assert src.owned_tabs() == {"sheetsync History": KIND}
    back = History.from_grid(src.read("sheetsync History"))
    assert back.problems == []
    assert back == h


def test_malformed_rows_are_skipped_and_reported_with_their_cell():
    good = [night(0), "D1", "stage", "", "Lead"]
    grid = Grid(
        "H",
        [
            list(HEADER),
            good,
            ["yesterday", "D1", "owner", "", "Ann"],  # row 3: timestamp
            [night(0), "", "owner", "", "Ann"],  # row 4: no key
            [night(0), "D1", "colour", "", "red"],  # row 5: unknown field
            [night(0), "D1", "amount", "", "lots"],  # row 6: amount
            [night(0), "D1", "close_date", "", "someday"],  # row 7: date
            [night(0), "D1", "deal", "", ""],  # row 8: deal row with neither
            ["", "", "", "", ""],  # blank: ignored
            [night(2), "D1", "stage", "Lead", "Meeting"],  # row 10: fine
            [night(1), "D1", "stage", "Meeting", "Proposal"],  # row 11: out of order
            [night(3), "D1", "Close Date", "", "2026-07-01"],  # row 12: fine (lenient spelling)
        ],
    )
    h = History.from_grid(grid)
    assert [(c.field, c.new) for c in h.changes] == [
        ("stage", "Lead"),
        ("stage", "Meeting"),
        ("close_date", dt.date(2026, 7, 1)),
    ]
    got = [(f.code, f.severity, f.row, f.column) for f in h.problems]
    assert got == [
        (ROW_SKIPPED, Severity.WARNING, 3, "A"),
        (ROW_SKIPPED, Severity.WARNING, 4, "B"),
        (ROW_SKIPPED, Severity.WARNING, 5, "C"),
        (ROW_SKIPPED, Severity.WARNING, 6, "E"),
        (ROW_SKIPPED, Severity.WARNING, 7, "E"),
        (ROW_SKIPPED, Severity.WARNING, 8, "D"),
        (ROW_SKIPPED, Severity.WARNING, 11, "A"),
    ]
    assert all(f.tab == "H" and f.cell for f in h.problems)
    assert "earlier than the row above" in h.problems[-1].message
    assert "not an amount" in h.problems[3].message


def test_a_tab_without_its_header_is_reported_and_still_read():
    h = History.from_grid(Grid("H", [[night(0), "D1", "stage", "", "Lead"]]))
    assert [c.new for c in h.changes] == ["Lead"]
    assert [(f.code, f.row) for f in h.problems] == [(HEADER_MISSING, 1)]
    assert History.from_grid(Grid("H", [])) == History()
    assert History.from_grid(Grid("H", [list(HEADER)])).problems == []


def test_record_keeps_the_problems_read_from_the_tab():
    grid = Grid("H", [list(HEADER), ["bad", "D1", "stage", "", "Lead"]])
    h = record(History.from_grid(grid), pipe(deal("D1")), night(0))
    assert len(h.problems) == 1
    assert h.appended == 5


def test_change_helpers_tell_added_from_removed():
    added = Change("D1", DEAL, None, "Deal D1", night(0))
    removed = Change("D1", DEAL, "Deal D1", None, night(1))
    moved = Change("D1", "stage", "Lead", "Meeting", night(1))
    assert (added.is_added, added.is_removed) == (True, False)
    assert (removed.is_added, removed.is_removed) == (False, True)
    assert (moved.is_added, moved.is_removed) == (False, False)


# --------------------------------------------------------------------------- size


def test_a_year_of_nightly_runs_on_1000_deals_stays_well_inside_spreadsheet_limits():
    """365 nights of realistic churn: the log must stay small and record fast."""
    rng = random.Random(6)
    open_stages = [s.name for s in STAGES if s.outcome is Outcome.OPEN]
    owners = ["Ann", "Bo", "Cy", "Di", "Ed"]
    start = dt.date(2026, 1, 1)
    serial = 0

    def new_deal() -> Deal:
        nonlocal serial
        serial += 1
        return deal(
            f"D{serial:05d}",
            rng.choice(open_stages),
            amount=float(rng.randrange(1_000, 100_000)),
            close=start + dt.timedelta(days=rng.randrange(30, 400)),
            owner=rng.choice(owners),
        )

    deals = [new_deal() for _ in range(1000)]
    h = History()
    timings = []
    for n in range(365):
        if n:
            for d in rng.sample(deals, 30):  # ~3 % change stage
                d.stage = rng.choice([s.name for s in STAGES if s.name != d.stage])
            for d in rng.sample(deals, 10):  # ~1 % amount
                d.amount = float(rng.randrange(1_000, 100_000))
            for d in rng.sample(deals, 10):  # ~1 % close date (mostly pushed out)
                d.close_date = (d.close_date or start) + dt.timedelta(days=rng.randrange(-10, 60))
            for d in rng.sample(deals, 5):  # ~0.5 % owner
                d.owner = rng.choice([o for o in owners if o != d.owner])
            for _ in range(3):  # ~0.3 % added or removed
                if rng.random() < 0.5:
                    deals.pop(rng.randrange(len(deals)))
                else:
                    deals.append(new_deal())
        p = pipe(*deals)
        t0 = time.perf_counter()
        h = record(h, p, dt.datetime.combine(start + dt.timedelta(days=n), dt.time(2)))
        timings.append(time.perf_counter() - t0)

    rows = h.tab_rows()  # with the header; one row per deal first seen, then per change
    cells = rows * len(HEADER)
    t0 = time.perf_counter()
    sheet = h.to_outsheet("sheetsync History")
    back = History.from_grid(as_read(sheet, serials=True))
    round_trip = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = summarize(back, pipe(*deals), start + dt.timedelta(days=365))
    summary_time = time.perf_counter() - t0
    print(
        f"\n1 year, ~1,000 deals: {rows:,} rows x {len(HEADER)} columns = {cells:,} cells "
        f"({rows / 1_048_576:.1%} of Excel's rows, {cells / 10_000_000:.1%} of Google Sheets' "
        f"cells); record: mean {sum(timings) / len(timings) * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms; tab round trip {round_trip:.2f} s; "
        f"summary {summary_time:.2f} s; {len(s.slipped)} slipped deals"
    )
    assert back == h and back.problems == []
    assert len(sheet.rows) == rows
    assert rows < 50_000  # under 5 % of Excel's 1,048,576 rows
    assert cells < 500_000  # under 5 % of Google Sheets' 10 million cells
    assert sum(timings) / len(timings) < 0.1
    assert max(timings) < 1.0


def test_text_cells_a_backend_returns_as_numbers_are_read_back_as_text():
    grid = Grid(
        "H",
        [
            list(HEADER),
            [night(0), 1234.0, "deal", "", 2024.0],
            [night(0), 1234.0, "stage", "", 3.5],
            [night(0).isoformat(), "D2", "close_date", "", "2026-07-01"],
            [night(0), "D2", "amount", "", "1,500.25"],
        ],
    )
    h = History.from_grid(grid)
    assert h.problems == []
    assert [(c.deal_key, c.new) for c in h.changes] == [
        ("1234", "2024"),
        ("1234", "3.5"),
        ("D2", dt.date(2026, 7, 1)),
        ("D2", 1500.25),
    ]


# --------------------------------------------------------------------------- replay reuse


def test_summarize_reuses_the_replay_only_for_the_same_log_and_day():
    # stage_history_for_metrics keeps its replay of the log for summarize (the
    # order jobs.analyse asks): the figures must not change when the log grew,
    # or the day differs, in between.
    p1 = pipe(deal("D1", "Lead"), deal("D2", "Meeting"))
    p2 = pipe(deal("D1", "Meeting"), deal("D2", "Meeting", close=CLOSE + dt.timedelta(days=9)))
    h = run([(0, p1), (3, p2)])

    fresh = History(changes=list(h.changes))
    stage_history_for_metrics(h, p2, day(5))
    assert summarize(h, p2, day(5)) == summarize(fresh, p2, day(5))

    stage_history_for_metrics(h, p2, day(5))
    assert summarize(h, p2, day(1)) == summarize(fresh, p2, day(1))  # another day

    stage_history_for_metrics(h, p2, day(5))
    assert summarize(fresh, p2, day(5)).days_in_stage == {}
    h.changes.append(Change("D1", "stage", "Meeting", "Proposal", night(4)))  # the log grew
    grown = History(changes=list(h.changes))
    assert summarize(h, p2, day(5)) == summarize(grown, p2, day(5))
    assert summarize(h, p2, day(5)).days_in_stage == {"Meeting": 1.0}

    later = record(h, pipe(deal("D1", "Proposal"), deal("D2", "Proposal")), night(6))
    assert stage_history_for_metrics(later, p2, day(6)) == stage_history_for_metrics(
        History(changes=list(later.changes)), p2, day(6)
    )
