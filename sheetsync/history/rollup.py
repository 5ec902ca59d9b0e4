"""The stage history's budget: older entries rolled up, every figure kept.

Part of the stage history that ``specs/pipeline-metrics.md`` needs for *days in
stage* (*Activity and follow-up*) and *reached(s)* (*Funnel and conversion*):
a rollup changes none of those figures, only how many rows carry them.

The history tab grows with the changes, night after night.  A pipeline of
50,000 deals with ordinary churn adds about a million rows a year: past
Excel's 1,048,576 rows in a year, and a good share of Google's 10 million
cells (which the team's own tabs count against too).  So the tab has a
budget, ``[sync] history_max_rows`` and ``history_max_cells`` (the cells are
rows x 5); a run that would take it past the budget rolls the older entries
up first.

What a rollup keeps
-------------------
Every figure derived from the history needs, per deal, only this (see
:func:`sheetsync.history.summarize` and :func:`~sheetsync.history.stage_history_for_metrics`):

* its last recorded values (stage, amount, close date, owner, label, and
  whether it is in the sheet), to compare the next night with;
* the stay it is in: stage, start (its stage entry date, for days in stage
  and the stale rule), whether the start is known, whether it was
  interrupted (a deal removed and back);
* every stage it held (for its furthest stage, so where a lost deal was lost);
* its completed stays per stage, as total days and count (for average days
  per stage);
* how many times its close date was pushed later, and its first close date
  (for the slipped deals);
* how many changes it stands for (for the "from N recorded changes" line).

So the oldest runs' rows are replaced by one ``rollup`` row per deal seen up
to the last run rolled (:class:`~sheetsync.history.Rolled`), and every
figure as of a day from then on is exactly what the full log gives
(``tests/test_rollup.py`` replays a long churny history both ways).  What is
given up is the detail: the individual rows, and figures as of a day before
the rollup (a ``--as-of`` that far back sees the rolled-up state).

How much is rolled up
---------------------
When the tab would pass the budget, the oldest runs are rolled up until the
tab is at most half the budget, so a rollup happens rarely (the tab is then
written whole once; every other night only appends).  The rolled rows are
one per deal ever seen (removed deals included, so a deal that comes back is
still compared with its last state); if that alone passes the budget (a
budget smaller than the deals), everything is rolled up and the run says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sheetsync.config import SyncSettings
from sheetsync.history.figures import _replay_timelines
from sheetsync.history.log import History
from sheetsync.history.records import COMPACT_MAX, DEAL, HEADER, Rolled, Rollup, _replay
from sheetsync.history.writing import _added_group, _added_json


def row_budget(settings: SyncSettings) -> int:
    """The most rows the history tab may have (header included)."""
    return min(settings.history_max_rows, settings.history_max_cells // len(HEADER))


@dataclass(frozen=True, slots=True)
class RolledUp:
    """What :func:`roll_up` did: the history to write, and the figures for the log."""

    history: History
    rolled: int  # changes rolled up this run (0: none)
    rows_before: int
    rows_after: int
    over_budget: bool  # even rolled up entirely, the tab passes the budget

    def message(self, budget: int) -> str:
        if self.over_budget:
            return (
                f"the stage history needs {self.rows_after:,} rows (one per deal ever seen), "
                f"more than its budget of {budget:,}; raise [sync] history_max_rows / "
                "history_max_cells"
            )
        return (
            f"stage history rolled up: {self.rolled:,} older changes condensed into one row per "
            f"deal, {self.rows_before:,} -> {self.rows_after:,} rows (budget {budget:,}); "
            "every figure is unchanged"
        )


def roll_up(history: History, max_rows: int) -> RolledUp:
    """``history`` within ``max_rows`` tab rows, its oldest runs rolled up if needed."""
    rows = history.tab_rows()
    if rows <= max_rows:
        return RolledUp(history, 0, rows, rows, False)
    changes = history.changes
    starts = _row_starts(changes)
    detail = sum(starts)
    seen = set(history.base.deals) if history.base is not None else set()
    target = max_rows // 2
    best_cut, best_rows = 0, 1 + len(seen) + detail
    i, n = 0, len(changes)
    while i < n:
        at = changes[i].at
        while i < n and changes[i].at == at:
            seen.add(changes[i].deal_key)
            detail -= starts[i]
            i += 1
        after = 1 + len(seen) + detail
        if after < best_rows or best_cut == 0:
            best_cut, best_rows = i, after
        if after <= target:
            break
    if best_cut == 0:
        return RolledUp(history, 0, rows, rows, rows > max_rows)
    rolled = History(
        changes=changes[best_cut:],
        problems=list(history.problems),
        skipped=history.skipped,
        appended=history.appended,
        base=fold(history, best_cut),
    )
    after = rolled.tab_rows()
    return RolledUp(rolled, best_cut, rows, after, after > max_rows)


def _row_starts(changes: list) -> list[int]:
    """1 where a tab row starts (an ``added`` row stands for several changes), else 0."""
    out = [1] * len(changes)
    i, n = 0, len(changes)
    while i < n:
        c = changes[i]
        size = _added_group(changes, i) if c.field == DEAL and c.old is None else 0
        if size > 1 and len(_added_json(changes[i : i + size])) <= COMPACT_MAX:
            for j in range(i + 1, i + size):
                out[j] = 0
            i += size
        else:
            i += 1
    return out


def fold(history: History, cut: int) -> Rollup:
    """The rollup of ``history``'s base and its first ``cut`` changes (see the module notes)."""
    part = history.changes[:cut]
    base = history.base
    lines = _replay_timelines(part, base)
    state = {k: r.state for k, r in base.deals.items()} if base is not None else {}
    _replay(state, part)
    entries: Counter[str] = Counter(c.deal_key for c in part)
    if base is not None:
        for key, r in base.deals.items():
            entries[key] += r.entries
    deals: dict[str, Rolled] = {}
    for key, st in state.items():
        t = lines[key]
        cur = t.current
        stay = (cur.stage, cur.start, cur.start_known, cur.interrupted) if cur else None
        held = list(dict.fromkeys([*t.held, *(s.stage for s in t.stays)]))
        done: dict[str, list[int]] = {name: [days, count] for name, days, count in t.done}
        for s in t.stays:
            if s.completed:
                assert s.end is not None
                acc = done.setdefault(s.stage, [0, 0])
                acc[0] += (s.end.date() - s.start.date()).days
                acc[1] += 1
        slips = t.slips + sum(
            1 for old, new in t.closes if old is not None and new is not None and new > old
        )
        deals[key] = Rolled(
            state=st,
            stay=stay,
            held=tuple(held),
            done=tuple((name, days, count) for name, (days, count) in done.items()),
            slips=slips,
            first_close=t.first_close,
            entries=entries[key],
        )
    at = part[-1].at if part else (base.at if base is not None else history.first_at)
    began = history.first_at
    assert at is not None and began is not None
    return Rollup(at=at, began=began, deals=deals, entries=sum(entries.values()))
