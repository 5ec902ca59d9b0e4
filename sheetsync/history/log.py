"""The history log: what changed in the deals from one run to the next.

A spreadsheet only holds each deal's *current* stage, amount, close date and
owner.  The figures of ``specs/pipeline-metrics.md`` that "need stage history"
(*days in stage* and the stale rule in *Activity and follow-up*; the stage a
lost deal was lost at, for *reached(s)* in *Funnel and conversion*) need the
past, so every sync compares the deals with the last state it recorded
(:func:`diff`) and appends only the differences (:func:`record`) to an owned,
hidden tab (``sheetsync History``).  :class:`History` is that log; it is pure:
a backend reads the tab into a :class:`~sheetsync.model.Grid`
(:meth:`History.from_grid`) and writes the :class:`~sheetsync.outsheet.OutSheet`
it returns (:meth:`History.to_outsheet`).  A run appends its rows below the
ones it read (:class:`~sheetsync.outsheet.Append`): the rows already on the tab
are neither rewritten nor re-rendered.

Rules chosen where the issue left a choice
------------------------------------------
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
bounds it for any pipeline: see :mod:`sheetsync.history.rollup`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sheetsync.config import DEFAULT_TABS
from sheetsync.history.reading import (
    _COMPACT,
    _BadCell,
    _blank,
    _earlier,
    _expand_added,
    _expand_fast,
    _is_header,
    _read_rolled,
    _read_timestamp,
    _RowReader,
)
from sheetsync.history.records import (
    _NOTHING,
    ADDED,
    BACKFILL_SKIPPED,
    DEAL,
    HEADER,
    HEADER_MISSING,
    KIND,
    ROW_SKIPPED,
    Change,
    DealState,
    Rolled,
    Rollup,
    TabState,
    _amount,
    _change,
    _day,
    _label,
    _moment,
    _owner,
    _replay,
    _same,
)
from sheetsync.history.writing import _count_log_rows, _log_rows, _rollup_rows
from sheetsync.metrics.facts import _gc_paused
from sheetsync.model import (
    CellRef,
    Finding,
    Grid,
    Pipeline,
    Severity,
)
from sheetsync.outsheet import Append, OutCell, OutSheet


@dataclass(slots=True)
class History:
    """The ordered change log, and what reading or recording it had to say.

    ``changes`` is append-only and in time order.  ``problems`` are the rows
    :meth:`from_grid` skipped (warnings, positioned at their cells);
    ``skipped`` says why :func:`record` recorded nothing (a backfill), and
    ``appended`` how many changes the last :func:`record` added.  Two
    histories are equal when their changes are.
    """

    changes: list[Change] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list, compare=False)
    skipped: str | None = field(default=None, compare=False)
    appended: int = field(default=0, compare=False)
    #: the log's older part rolled up (None: the changes are the whole log)
    base: Rollup | None = None
    #: what the tab read back holds (None: not read from a tab, or not appendable)
    tab: TabState | None = field(default=None, compare=False, repr=False)
    # the state after the first `_known` changes (on top of `_state_base`):
    # rebuilt incrementally, so a nightly record does not replay a year of log
    _state: dict[str, DealState] = field(default_factory=dict, compare=False, repr=False)
    _known: int = field(default=0, compare=False, repr=False)
    _state_base: Rollup | None = field(default=None, compare=False, repr=False)
    # the last replay of the log for figures (see `_timelines`), and what
    # stage_history_for_metrics derived from it for summarize (the same day)
    _replayed: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)
    _derived: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        """The changes recorded, rolled-up ones included."""
        return len(self.changes) + (self.base.entries if self.base is not None else 0)

    @property
    def last_at(self) -> dt.datetime | None:
        """When the latest change was recorded (None for an empty log)."""
        if self.changes:
            return self.changes[-1].at
        return self.base.at if self.base is not None else None

    @property
    def first_at(self) -> dt.datetime | None:
        """When history began: the first run's moment (None for an empty log)."""
        if self.base is not None:
            return self.base.began
        return self.changes[0].at if self.changes else None

    def entries(self, as_of: dt.date | None = None) -> int:
        """The changes recorded up to the end of day ``as_of`` (rolled-up ones included)."""
        return len(self.until(as_of)) + (self.base.entries if self.base is not None else 0)

    def state(self) -> dict[str, DealState]:
        """Every deal ever seen → its last recorded state (removed ones included)."""
        if self._known > len(self.changes) or self._state_base is not self.base:
            # the list was replaced by a shorter one, or the base by another
            base = self.base
            self._state = {k: r.state for k, r in base.deals.items()} if base else {}
            self._known, self._state_base = 0, base
        if self._known < len(self.changes):
            _replay(self._state, self.changes[self._known :])
        self._known = len(self.changes)
        return self._state

    def until(self, as_of: dt.date | None) -> list[Change]:
        """The changes recorded up to the end of day ``as_of`` (all when None)."""
        if as_of is None:
            return self.changes
        end = dt.datetime.combine(as_of, dt.time.max)
        return self.changes[: bisect.bisect_right(self.changes, end, key=lambda c: c.at)]

    # -- reading and writing the tab -----------------------------------------

    @classmethod
    @_gc_paused
    def from_grid(cls, grid: Grid) -> History:
        """The log as read back from the owned history tab.

        A row that cannot be read (no timestamp, an unknown field, an amount
        that is not a number, a timestamp earlier than the row above…) is
        skipped and reported in :attr:`problems` rather than stopping the
        run: the tab is hidden but people can still edit it, and one bad row
        must not lose a year of history.  Blank rows are ignored.  A tab read
        without a problem may be appended to (:attr:`tab`); one with a
        problem is written again in full, without the rows left out.
        """
        changes: list[Change] = []
        problems: list[Finding] = []
        rolled: dict[str, Rolled] = {}
        roll_at: dt.datetime | None = None
        began: dt.datetime | None = None
        rows = grid.rows
        start = 0
        header = False
        if rows:
            if _is_header(rows[0]):
                start, header = 1, True
            elif not all(_blank(v) for v in rows[0]):
                problems.append(
                    Finding.at(
                        HEADER_MISSING,
                        Severity.WARNING,
                        "the history tab does not start with its header row "
                        f"({' | '.join(HEADER)}); reading the rows anyway",
                        CellRef(grid.name, 1, 1),
                        hint="do not edit sheetsync's history tab",
                    )
                )
        width = len(HEADER)
        read = _RowReader(grid.epoch1904)
        append = changes.append
        last: dt.datetime | None = None
        for n, row in enumerate(rows[start:], start=start + 1):
            if len(row) == width and type(row) is list:
                cells = row  # read, never changed
            else:
                cells = (list(row) + [""] * width)[:width]
            first = cells[0]
            if (first is None or isinstance(first, str)) and all(_blank(v) for v in cells):
                continue
            try:
                kind = cells[2]
                if type(kind) is str and (
                    kind in _COMPACT or (kind := kind.strip().casefold()) in _COMPACT
                ):
                    at = read.moment(cells[0])
                    key = read.key(cells[1])
                    if last is not None and at < last:
                        raise _earlier(at, last, cells[0])
                    if kind == ADDED:
                        if not _expand_fast(key, cells[3], cells[4], at, append):
                            for c in _expand_added(key, cells[3], cells[4], at):
                                append(c)
                    else:
                        if changes or (roll_at is not None and at != roll_at):
                            raise _BadCell(
                                1,
                                "a rollup row must come before every change, at the one moment "
                                "of the rollup",
                                cells[0],
                            )
                        since = _read_timestamp(cells[3], grid.epoch1904)
                        if since is None or (began is not None and since != began):
                            raise _BadCell(4, "a rollup row needs when history began", cells[3])
                        if key in rolled:
                            raise _BadCell(2, f"a second rollup row for {key!r}", cells[1])
                        rolled[key] = _read_rolled(cells[4], grid.epoch1904)
                        roll_at, began = at, since
                    last = at
                    continue
                change = read(cells)
                if last is not None and change.at < last:
                    raise _earlier(change.at, last, cells[0])
                last = change.at
            except _BadCell as bad:
                problems.append(
                    Finding.at(
                        ROW_SKIPPED,
                        Severity.WARNING,
                        f"history row {n} skipped: {bad.message}",
                        CellRef(grid.name, n, bad.col),
                        hint="do not edit sheetsync's history tab; the row is left out of "
                        "the stage history",
                        value=bad.value,
                    )
                )
                continue
            append(change)
        base = None
        if rolled:
            assert roll_at is not None and began is not None
            base = Rollup(roll_at, began, rolled, sum(r.entries for r in rolled.values()))
        tab = None
        if header and not problems:
            tab = TabState(
                grid.name, len(rows), len(changes), base, changes[-1] if changes else None
            )
        return cls(changes=changes, problems=problems, base=base, tab=tab)

    @_gc_paused
    def to_outsheet(self, name: str = DEFAULT_TABS["history"]) -> OutSheet:
        """The owned, hidden history tab: header, then the log's rows (see "The log").

        When the log was read from the tab and only grew since, the sheet
        holds just the new rows, to go below the ones the tab has
        (:attr:`OutSheet.append`; ``append.full()`` renders the whole tab for
        a backend that finds it cannot append).  Timestamps are datetimes,
        close dates dates, amounts numbers, stages, owners, keys and labels
        plain ``str`` (backends write a ``str`` as text, never as a formula,
        whatever it starts with).
        """
        tab = self.tab
        append = None
        if self._grew_from(tab):
            assert tab is not None
            rows = _log_rows(self.changes[tab.changes :])
            append = Append(after=tab.rows, source=tab.name, full=self._all_rows)
        else:
            rows = self._all_rows()
        return OutSheet(
            name=name,
            kind=KIND,
            rows=rows,
            col_widths=[18.0, 14.0, 12.0, 24.0, 24.0],
            freeze_rows=1,
            hidden=True,
            append=append,
            grows=True,
        )

    def _grew_from(self, tab: TabState | None) -> bool:
        """Whether this log is the one the tab held, with changes appended only."""
        if tab is None or tab.base is not self.base or tab.changes > len(self.changes):
            return False
        return tab.changes == 0 or self.changes[tab.changes - 1] is tab.last

    def _all_rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = [[OutCell(h, "header") for h in HEADER]]
        if self.base is not None:
            rows.extend(_rollup_rows(self.base))
        rows.extend(_log_rows(self.changes))
        return rows

    def tab_rows(self) -> int:
        """How many rows the tab holds for this log (header included)."""
        tab = self.tab
        if self._grew_from(tab):
            assert tab is not None
            return tab.rows + _count_log_rows(self.changes[tab.changes :])
        base = len(self.base.deals) if self.base is not None else 0
        return 1 + base + _count_log_rows(self.changes)


def last_state(history: History, *, include_removed: bool = False) -> dict[str, DealState]:
    """Deal key → its tracked values as last recorded, replayed from the log.

    Deals recorded as removed are left out unless ``include_removed``.
    """
    state = history.state()
    if include_removed:
        return dict(state)
    return {k: s for k, s in state.items() if s.present}


def diff(history: History, pipeline: Pipeline, at: dt.date | dt.datetime) -> list[Change]:
    """The changes from the last recorded state to ``pipeline``, stamped ``at``.

    Deals in sheet order (added deals with their ``deal`` row first, then
    their fields), then the removed deals in the order they were first seen.
    """
    at = _moment(at)
    state = history.state()
    out: list[Change] = []
    add = out.append
    current: set[str] = set()
    for d in pipeline.deals:
        key = d.key
        if key in current:  # _first_by_key
            continue
        current.add(key)
        before = state.get(key, _NOTHING)
        if not before.present:
            add(_change(Change, (key, DEAL, None, _label(d), at)))
        # the tracked values as the sheet has them now, in TRACKED order (a blank
        # stage is none, amounts finite, close dates dates, owners spaced once);
        # equal values are the same value for every field (a recorded amount is
        # finite), the rest is for _same
        stage = d.stage
        old, new = before.stage, (stage if stage and stage.strip() else None)
        if not (old == new or _same("stage", old, new)):
            add(_change(Change, (key, "stage", old, new, at)))
        old, new = before.amount, _amount(d.amount)
        if not (old == new or _same("amount", old, new)):
            add(_change(Change, (key, "amount", old, new, at)))
        old, new = before.close_date, _day(d.close_date)
        if not (old == new or _same("close_date", old, new)):
            add(_change(Change, (key, "close_date", old, new, at)))
        old, new = before.owner, _owner(d.owner)
        if not (old == new or _same("owner", old, new)):
            add(_change(Change, (key, "owner", old, new, at)))
    for key, st in state.items():
        if st.present and key not in current:
            out.append(Change(key, DEAL, st.label or key, None, at))
    return out


@_gc_paused
def record(history: History, pipeline: Pipeline, at: dt.date | dt.datetime) -> History:
    """A new history with this run's changes appended (``history`` is not changed).

    A run whose moment is before the last recorded change records nothing:
    the result has the same changes and :attr:`History.skipped` says why
    (see "Timestamps and backfills" in the module notes).
    """
    at = _moment(at)
    state = history.state()
    last = history.last_at
    if last is not None and at < last:
        return History(
            changes=list(history.changes),
            problems=list(history.problems),
            skipped=(
                f"stage history not recorded: the run's as-of ({at.isoformat(sep=' ')}) is "
                f"before the last recorded change ({last.isoformat(sep=' ')}); a backfilled "
                "run does not rewrite the history"
            ),
            base=history.base,
            tab=history.tab,
            _state=dict(state),
            _known=len(history.changes),
            _state_base=history.base,
        )
    new = diff(history, pipeline, at)
    return History(
        changes=[*history.changes, *new],
        problems=list(history.problems),
        appended=len(new),
        base=history.base,
        tab=history.tab,
        _state=dict(state),
        _known=len(history.changes),
        _state_base=history.base,
    )


def skipped_finding(history: History, tab: str) -> Finding | None:
    """:attr:`History.skipped` as a warning for the data-issues list (None if not skipped)."""
    if history.skipped is None:
        return None
    return Finding.at(
        BACKFILL_SKIPPED,
        Severity.WARNING,
        history.skipped,
        None,
        tab=tab,
        hint="run without --as-of (or with a later one) to record changes",
    )
