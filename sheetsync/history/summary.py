"""The history summary: the derived figures for one as-of date, as the History tab shows them.

:func:`summarize` gathers, in one replay, the figures of
:mod:`~sheetsync.history.figures` (days in current stage, furthest stage,
average days per stage, slipped deals) into a :class:`HistorySummary`;
:func:`history_rows` lays it out as the rows of the owned summary tab
(at most :data:`SLIPPED_ROWS` slipped deals).  The definitions are those of
*days in stage* (*Activity and follow-up* in ``specs/pipeline-metrics.md``) and
of :mod:`~sheetsync.history.figures`; nothing new is computed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sheetsync.history.figures import (
    _average_of,
    _entered_of,
    _furthest_of,
    _slipped_of,
    _Stages,
    _timelines,
)
from sheetsync.history.log import History
from sheetsync.history.records import _day, _first_by_key
from sheetsync.metrics.facts import _gc_paused
from sheetsync.model import Outcome, Pipeline
from sheetsync.outsheet import OutCell


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
