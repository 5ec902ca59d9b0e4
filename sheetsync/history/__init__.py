"""Stage history: what changed in the deals from one run to the next.

A spreadsheet only holds each deal's *current* stage, amount, close date and
owner.  Days in stage, the stage a lost deal was lost at, average days per
stage and slipped close dates all need the past, so every sync compares the
deals with the last state it recorded and appends only the differences to an
owned, hidden tab (``sheetsync History``).  This module is that log and every
figure derived from it.  It is pure: a backend reads the tab into a
:class:`~sheetsync.model.Grid` (:meth:`History.from_grid`) and writes the
:class:`~sheetsync.outsheet.OutSheet` it returns (:meth:`History.to_outsheet`).

The log
-------
One row per change, oldest first, under the header
``Timestamp | Deal | Field | Old | New``:

* ``Field`` is ``stage``, ``amount``, ``close_date`` or ``owner``, with the
  old and new values typed (stage and owner as text, amount as a number,
  close date as a date; an empty cell is "no value");
* ``Field`` ``deal`` marks a deal appearing (``Old`` empty, ``New`` its label)
  or disappearing (``Old`` its label, ``New`` empty).  An appearing deal is
  followed by one row per field it has, ``Old`` empty, so days in stage start
  on the night the deal was first seen.  The first run therefore records every
  deal as added.
* ``Deal`` is the deal's key: its id, or ``row N`` when the sheet has no id
  column (such deals are tracked by position, so inserting or sorting rows
  looks like deals being removed and added: an id column avoids that).

In memory the log is that list of :class:`Change` values.  On the tab two
kinds of row keep it compact, so that it grows with the changes and not
with the nights (the rows are read back into exactly the same changes):

* ``Field`` ``added`` is a deal appearing together with the values it has,
  on one row: ``Old`` its label, ``New`` the values as a JSON object
  (``{"stage": "Proposal", "amount": 1200.0, "close_date": "2026-06-30",
  "owner": "Ann"}``, absent values left out).  It stands for the ``deal``
  row and the field rows with an empty ``Old`` that :func:`diff` records
  for it, so the first run writes one row per deal, not five.  A deal that
  comes back with older values to compare keeps the long form.
* ``Field`` ``rollup`` is one deal's history up to a moment, condensed
  (:class:`Rollup`, written by :mod:`sheetsync.rollup` when the tab would
  pass its budget): ``Timestamp`` the last moment rolled up, ``Old`` when
  history began, ``New`` a JSON object with the deal's recorded values, the
  stay it is in (stage, start, whether the start is known, whether it was
  interrupted), every stage it held, its completed stays per stage (days
  and count), its slips and first close date, and how many changes it
  stands for.  That is everything the figures below use, so every figure as
  of a day after the rollup is the same as from the full log.  Rollup rows
  come first, all with one timestamp.

A run appends its rows below the ones it read (:class:`~sheetsync.outsheet.Append`):
the rows already on the tab are neither rewritten nor re-rendered.

Rules chosen where the issue left a choice
------------------------------------------
* **Comparing.** Values are compared typed: stages by their normalised name
  (case, spacing and punctuation ignored, as stage matching does), owners
  case- and spacing-insensitively (``"ana "`` is ``"Ana"``: retyping a name is
  not a hand-over), amounts equal when they differ by less than
  :data:`AMOUNT_TOLERANCE` (half a cent; the comparison is with the *recorded*
  value, so creeping edits are recorded once they add up), close dates
  exactly.  A value that did not change is never written again.
* **Duplicate keys.** When two rows share a key (validation reports
  ``duplicate-id``) the first row in sheet order is the one tracked and the
  later ones are ignored: the history cannot tell them apart, and following
  the first keeps the log stable instead of flip-flopping between the rows.
* **Removed and re-added deals.** A deal that disappears gets a ``deal`` row
  with its last recorded label.  If the same key comes back, it is recorded
  as added again and then compared with the state it had when it left, so a
  row that was cut and pasted back keeps its stage stay (and its days in
  stage).  A stay during which the deal was away is *interrupted*: it still
  gives days in the current stage but is left out of the averages, because
  the true moment it ended (or started, if the stage changed while away) is
  unknown.
* **Timestamps and backfills.** Changes carry the run's as-of moment (naive
  wall-clock time, whole seconds; a timezone is dropped keeping the wall
  time, as the parsers do).  The log is append-only and in time order: a run
  whose moment is *before* the last recorded change records nothing and says
  so in :attr:`History.skipped` (a backfilled ``--as-of`` run must not
  rewrite the past it did not see); a run at the *same* moment is allowed and
  records only what changed, so a rerun is harmless.  Derived figures for an
  as-of date use only the entries up to the end of that day.  A sync passes
  its as-of *date* (recorded as that day's midnight), so a nightly run and a
  ``--as-of`` replay of the same day write the same log.
* **Unreadable cells.** A value the sheet has but sheetsync cannot read
  (validation reports it) is ``None`` for the history too: it is recorded as
  cleared, and as set again once fixed.  Neither counts as a slip.
* **When history began.** Stays that were already under way on the first
  recorded run have an unknown start.  Their days in stage count from that
  first run (a lower bound, shown as such), they are left out of the average
  days per stage, and :func:`stage_history_for_metrics` gives no stage-entered
  date for them, so the stale rule falls back on the last contact and created
  dates instead of treating every deal as freshly moved on install day.
* **Average days per stage** uses *completed* stays only (entered and left by
  an observed stage change, with the deal present throughout): their length
  is final and can be redone by hand from the history tab.  Open stays are
  reported apart (days in current stage).  Days are calendar-date
  differences, so a stage entered and left on the same day is a 0-day stay.
* **Furthest stage** is the highest-index *open* stage the deal ever held in
  the log (or holds now).  A lost deal's furthest stage is therefore the last
  open stage before it was lost, which is what ``reached`` and conversion
  need.  Stage names are looked up in the current stage list; names it no
  longer has are ignored.
* **Slipped** counts the recorded close-date changes to a *later* date; a date
  set where there was none, or moved earlier, is not a slip and does not undo
  one.

Size
----
A year of nightly runs on a 1,000-deal pipeline with realistic churn (each
night 3 % of the deals change stage, 1 % amount, 1 % close date, 0.5 % owner,
0.3 % are added or removed) is about 22,000 rows of 5 cells (see
``tests/test_history.py``): 2.1 % of Excel's 1,048,576 rows and 1.1 % of
Google Sheets' 10 million cells, growing by about 21,000 rows a year after the
first run's one row per deal.  Recording one night takes a few milliseconds:
the last state is kept up to date as the log grows, not replayed each run.
The tab's budget (``[sync] history_max_rows`` and ``history_max_cells``)
bounds it for any pipeline: see :mod:`sheetsync.rollup`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import json.scanner
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sheetsync.config import DEFAULT_TABS
from sheetsync.history.figures import (
    Stay,
    _average_of,
    _entered_of,
    _furthest_of,
    _slipped_of,
    _Stages,
    _timelines,
    average_days_per_stage,
    days_in_current_stage,
    furthest_stage,
    slipped_deals,
    stage_entered,
    stage_history_for_metrics,
)
from sheetsync.history.figures import _replay_timelines as _replay_timelines
from sheetsync.history.log import History, diff, last_state, record, skipped_finding
from sheetsync.history.records import (
    ADDED,
    AMOUNT_TOLERANCE,
    BACKFILL_SKIPPED,
    COMPACT_MAX,
    DEAL,
    FIELDS,
    HEADER,
    HEADER_MISSING,
    KIND,
    LABEL_MAX,
    ROLLUP,
    ROW_KINDS,
    ROW_SKIPPED,
    TRACKED,
    Change,
    DealState,
    Rolled,
    Rollup,
    TabState,
    _day,
    _first_by_key,
)
from sheetsync.history.records import _replay as _replay
from sheetsync.history.writing import _added_group as _added_group
from sheetsync.history.writing import _added_json as _added_json
from sheetsync.metrics.facts import _gc_paused, _Memo
from sheetsync.metrics.settings import StageHistory
from sheetsync.model import (
    CellRef,
    Deal,
    Finding,
    Grid,
    Outcome,
    Pipeline,
    Severity,
    Stage,
    stage_key,
)
from sheetsync.outsheet import Append, OutCell, OutSheet
from sheetsync.parse import excel_serial_to_datetime

__all__ = [
    "ADDED",
    "AMOUNT_TOLERANCE",
    "BACKFILL_SKIPPED",
    "COMPACT_MAX",
    "Change",
    "DEAL",
    "DealState",
    "FIELDS",
    "HEADER",
    "HEADER_MISSING",
    "History",
    "HistorySummary",
    "KIND",
    "LABEL_MAX",
    "ROLLUP",
    "ROW_KINDS",
    "ROW_SKIPPED",
    "Rolled",
    "Rollup",
    "SLIPPED_ROWS",
    "SlippedDeal",
    "Stay",
    "TRACKED",
    "TabState",
    "average_days_per_stage",
    "days_in_current_stage",
    "diff",
    "furthest_stage",
    "history_rows",
    "last_state",
    "record",
    "skipped_finding",
    "slipped_deals",
    "stage_entered",
    "stage_history_for_metrics",
    "summarize",
]


@dataclass(frozen=True, slots=True)
class SlippedDeal:
    """A deal whose close date was pushed out, for the summary."""

    key: str
    deal: str
    times: int
    first_close: dt.date | None
    close_date: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "deal": self.deal,
            "times": self.times,
            "first_close": None if self.first_close is None else self.first_close.isoformat(),
            "close_date": None if self.close_date is None else self.close_date.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """The history figures for the metrics JSON and the summary tab.

    ``days_in_stage``: stage → mean days of completed stays;
    ``days_in_current_stage``: open stage → mean days its open deals have
    been in it now (lower bounds for stays under way when history began);
    ``slipped``: deals in the sheet whose close date was pushed out, most
    slips first; ``lost_at``: stage → lost deals lost there (the furthest
    open stage of the history and the lost-stage column, as ``reached``
    counts it; deals with neither are not counted); ``entries``: rows in the
    log up to the as-of day; ``since``: the first run.  Stage maps are in
    pipeline order; ``stages`` lists the open stages for the tab's table.
    """

    days_in_stage: dict[str, float]
    days_in_current_stage: dict[str, float]
    slipped: list[SlippedDeal]
    lost_at: dict[str, int]
    entries: int
    since: dt.datetime | None = None
    stages: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; days rounded to 2 decimals like the other metrics."""
        return {
            "days_in_stage": {k: round(v, 2) for k, v in self.days_in_stage.items()},
            "days_in_current_stage": {
                k: round(v, 2) for k, v in self.days_in_current_stage.items()
            },
            "slipped": [s.to_dict() for s in self.slipped],
            "lost_at": dict(self.lost_at),
            "entries": self.entries,
            "since": None if self.since is None else self.since.isoformat(sep=" "),
        }


@_gc_paused
def summarize(history: History, pipeline: Pipeline, as_of: dt.date) -> HistorySummary:
    """Every history figure of ``pipeline`` as of ``as_of``, ready for JSON and the tab."""
    lines = _timelines(history, as_of)
    stages = sorted(pipeline.stages, key=lambda s: s.index)
    order = {s.name: s.index for s in stages}
    look = _Stages(pipeline)
    derived, history._derived = history._derived, None
    if (
        derived is not None
        and derived[0] is lines
        and derived[1] is pipeline
        and derived[2] == len(pipeline.deals)
    ):
        deals, furthest, stays = derived[3:]  # what stage_history_for_metrics found
    else:
        deals = list(_first_by_key(pipeline.deals))
        furthest = _furthest_of(lines, deals, look)
        stays = _entered_of(lines, deals)

    days_now: dict[str, list[int]] = {}
    for d in deals:
        st = look.open[d.stage]
        if d.is_open and st is not None and d.key in stays:
            days = max(0, (as_of - stays[d.key].start.date()).days)
            days_now.setdefault(st.name, []).append(days)

    lost: dict[str, int] = {}
    for d in deals:
        if d.status is not Outcome.LOST:
            continue
        found = [
            st
            for st in (look.named[furthest.get(d.key)], look.open[d.lost_stage])
            if st is not None
        ]
        if found:
            name = max(found, key=lambda st: st.index).name
            lost[name] = lost.get(name, 0) + 1

    slips = _slipped_of(lines)
    slipped = [
        SlippedDeal(d.key, d.label, slips[d.key], lines[d.key].first_close, _day(d.close_date))
        for d in deals
        if d.key in slips
    ]
    slipped.sort(key=lambda s: (-s.times, s.first_close or dt.date.max, s.key))

    changes = history.until(as_of)
    base = history.base
    if base is not None:
        entries, since = len(changes) + base.entries, base.began
    else:
        entries, since = len(changes), (changes[0].at if changes else None)
    return HistorySummary(
        days_in_stage=_average_of(lines, pipeline, look),
        days_in_current_stage={
            k: sum(v) / len(v) for k, v in sorted(days_now.items(), key=lambda kv: order[kv[0]])
        },
        slipped=slipped,
        lost_at=dict(sorted(lost.items(), key=lambda kv: order[kv[0]])),
        entries=entries,
        since=since,
        stages=tuple(s.name for s in stages if s.outcome is Outcome.OPEN),
    )


#: Slipped deals listed on the summary tab (the metrics JSON has them all).
SLIPPED_ROWS = 25


def history_rows(summary: HistorySummary, *, limit: int = SLIPPED_ROWS) -> list[list[Any]]:
    """Rows the summary tab appends: a per-stage table, then the slipped deals.

    One row per open stage (and any other stage the figures name), so the
    table has the same shape every night; ``limit`` caps the slipped list,
    with a note saying how many more the metrics JSON has.
    """
    names = list(summary.stages)
    for m in (summary.days_in_stage, summary.days_in_current_stage, summary.lost_at):
        names += [n for n in m if n not in names]

    if summary.since is not None:
        since = f"from {summary.entries} recorded changes since {summary.since.date().isoformat()}"
    else:
        since = "no history recorded yet; the figures fill in over the next runs"
    rows: list[list[Any]] = [
        [OutCell("Stage history", "bold")],
        [OutCell(f"Days in stage and where deals were lost, {since}.", "muted")],
        [
            OutCell(h, "header")
            for h in ("Stage", "Average days per stay", "Days in stage now (avg)", "Lost here")
        ],
    ]
    for n in names:
        avg = summary.days_in_stage.get(n)
        now = summary.days_in_current_stage.get(n)
        lost = summary.lost_at.get(n)
        rows.append(
            [
                n,
                None if avg is None else OutCell(round(avg, 2), "number"),
                None if now is None else OutCell(round(now, 2), "number"),
                None if lost is None else OutCell(lost, "integer"),
            ]
        )
    rows.append(
        [
            OutCell(
                "Average days per stay counts completed stays only; days in stage now counts "
                "open deals, from the first run for stays already under way then.",
                "muted",
            )
        ]
    )
    rows.append([])
    rows.append([OutCell(f"Slipped deals (close date pushed out): {len(summary.slipped)}", "bold")])
    if summary.slipped:
        rows.append(
            [
                OutCell(h, "header")
                for h in ("Deal", "Times slipped", "First close date", "Close date")
            ]
        )
        for s in summary.slipped[:limit]:
            rows.append(
                [
                    s.deal,
                    OutCell(s.times, "integer"),
                    None if s.first_close is None else OutCell(s.first_close, "date"),
                    None if s.close_date is None else OutCell(s.close_date, "date"),
                ]
            )
        if len(summary.slipped) > limit:
            more = len(summary.slipped) - limit
            rows.append([OutCell(f"… and {more} more in the metrics JSON.", "muted")])
    return rows
