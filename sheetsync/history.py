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
0.3 % are added or removed) is about 28,000 rows of 5 cells (see
``tests/test_history.py``): 2.7 % of Excel's 1,048,576 rows and 1.4 % of
Google Sheets' 10 million cells, growing by about 23,000 rows a year after the
first run's 5 rows per deal.  Recording one night takes a few milliseconds:
the last state is kept up to date as the log grows, not replayed each run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sheetsync.config import DEFAULT_TABS
from sheetsync.metrics import StageHistory
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
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.parse import excel_serial_to_datetime

#: The ``OutSheet.kind`` of the history tab (its ownership role).
KIND = "history"

#: The history tab's header row.
HEADER: tuple[str, ...] = ("Timestamp", "Deal", "Field", "Old", "New")

#: The deal fields whose changes are recorded, in the order they are written.
TRACKED: tuple[str, ...] = ("stage", "amount", "close_date", "owner")

#: The pseudo-field of the rows that mark a deal appearing or disappearing.
DEAL = "deal"

FIELDS: tuple[str, ...] = (DEAL, *TRACKED)

#: Amounts closer than this are the same amount (half a cent).
AMOUNT_TOLERANCE = 0.005

#: Labels longer than this are cut (the label only helps a person read the log).
LABEL_MAX = 60

#: Finding codes this module reports (warnings: the run goes on).
ROW_SKIPPED = "history-row-skipped"
HEADER_MISSING = "history-header-missing"
BACKFILL_SKIPPED = "history-backfill-skipped"

# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Change:
    """One row of the log: ``field`` of deal ``deal_key`` went from ``old`` to ``new``.

    ``field`` is one of :data:`TRACKED`, or :data:`DEAL` for a deal that
    appeared (``old`` None, ``new`` its label) or disappeared (``old`` its
    label, ``new`` None).  ``at`` is the run's as-of moment.
    """

    deal_key: str
    field: str
    old: Any
    new: Any
    at: dt.datetime

    @property
    def is_added(self) -> bool:
        return self.field == DEAL and self.new is not None

    @property
    def is_removed(self) -> bool:
        return self.field == DEAL and self.new is None


@dataclass(frozen=True, slots=True)
class DealState:
    """A deal's tracked values as the log last recorded them.

    ``label`` is the label recorded when the deal was (last) added, used to
    name it in a ``removed`` row; ``present`` is False once it was removed.
    """

    stage: str | None = None
    amount: float | None = None
    close_date: dt.date | None = None
    owner: str | None = None
    label: str | None = None
    present: bool = True


_NOTHING = DealState(present=False)


def _moment(at: dt.date | dt.datetime) -> dt.datetime:
    """The timestamp a run records: naive wall time, whole seconds.

    Whole seconds because the tab stores date serials, which come back a
    few microseconds off; a date alone means its midnight.
    """
    if isinstance(at, dt.datetime):
        return at.replace(tzinfo=None, microsecond=0)
    return dt.datetime.combine(at, dt.time())


def _label(deal: Deal) -> str:
    text = " ".join(deal.label.split()) or deal.key
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _owner(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def _amount(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _day(value: dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _state_of(deal: Deal) -> DealState:
    """The tracked values of a deal as the sheet has them now."""
    stage = deal.stage if deal.stage and deal.stage.strip() else None
    return DealState(
        stage=stage,
        amount=_amount(deal.amount),
        close_date=_day(deal.close_date),
        owner=_owner(deal.owner),
        label=_label(deal),
    )


def _same(name: str, old: Any, new: Any) -> bool:
    """Whether two values of field ``name`` are the same value (see module notes)."""
    if old is None or new is None:
        return old is None and new is None
    if name == "amount":
        return abs(old - new) < AMOUNT_TOLERANCE
    if name == "stage":
        return stage_key(old) == stage_key(new)
    if name == "owner":
        return " ".join(old.split()).casefold() == " ".join(new.split()).casefold()
    return bool(old == new)


def _apply(state: dict[str, DealState], c: Change) -> None:
    before = state.get(c.deal_key, _NOTHING)
    if c.field == DEAL:
        if c.new is not None:
            state[c.deal_key] = replace(before, label=c.new, present=True)
        else:
            state[c.deal_key] = replace(before, present=False)
    else:
        state[c.deal_key] = replace(before, **{c.field: c.new})


# --------------------------------------------------------------------------- the log


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
    # the state after the first `_known` changes: rebuilt incrementally, so a
    # nightly record does not replay a year of log for every run
    _state: dict[str, DealState] = field(default_factory=dict, compare=False, repr=False)
    _known: int = field(default=0, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def last_at(self) -> dt.datetime | None:
        """When the latest change was recorded (None for an empty log)."""
        return self.changes[-1].at if self.changes else None

    @property
    def first_at(self) -> dt.datetime | None:
        """When history began: the first run's moment (None for an empty log)."""
        return self.changes[0].at if self.changes else None

    def state(self) -> dict[str, DealState]:
        """Every deal ever seen → its last recorded state (removed ones included)."""
        if self._known > len(self.changes):  # the list was replaced by a shorter one
            self._state, self._known = {}, 0
        for c in self.changes[self._known :]:
            _apply(self._state, c)
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
    def from_grid(cls, grid: Grid) -> History:
        """The log as read back from the owned history tab.

        A row that cannot be read (no timestamp, an unknown field, an amount
        that is not a number, a timestamp earlier than the row above…) is
        skipped and reported in :attr:`problems` rather than stopping the
        run: the tab is hidden but people can still edit it, and one bad row
        must not lose a year of history.  Blank rows are ignored.
        """
        changes: list[Change] = []
        problems: list[Finding] = []
        rows = grid.rows
        start = 0
        if rows:
            if _is_header(rows[0]):
                start = 1
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
        for n, row in enumerate(rows[start:], start=start + 1):
            cells = (list(row) + [""] * len(HEADER))[: len(HEADER)]
            if all(_blank(v) for v in cells):
                continue
            try:
                change = _read_row(cells, grid.epoch1904)
                if changes and change.at < changes[-1].at:
                    raise _BadCell(
                        1,
                        f"its timestamp {change.at.isoformat(sep=' ')} is earlier than the row "
                        f"above ({changes[-1].at.isoformat(sep=' ')}); the log is append-only",
                        cells[0],
                    )
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
            changes.append(change)
        return cls(changes=changes, problems=problems)

    def to_outsheet(self, name: str = DEFAULT_TABS["history"]) -> OutSheet:
        """The owned, hidden history tab: header, then one typed row per change.

        Timestamps are datetimes, close dates dates, amounts numbers, stages,
        owners, keys and labels plain ``str`` (backends write a ``str`` as
        text, never as a formula, whatever it starts with).
        """
        rows: list[list[Any]] = [[OutCell(h, "header") for h in HEADER]]
        rows += [
            [
                OutCell(c.at, "datetime"),
                c.deal_key,
                c.field,
                _out(c.field, c.old),
                _out(c.field, c.new),
            ]
            for c in self.changes
        ]
        return OutSheet(
            name=name,
            kind=KIND,
            rows=rows,
            col_widths=[18.0, 14.0, 12.0, 24.0, 24.0],
            freeze_rows=1,
            hidden=True,
        )


def _out(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "close_date":
        return OutCell(value, "date")
    if name == "amount":
        return OutCell(value, "currency")
    return value


class _BadCell(Exception):
    """A history row that cannot be read: which column, why, and the value."""

    def __init__(self, col: int, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.col = col
        self.message = message
        self.value = value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_header(row: list[Any]) -> bool:
    got = [str(v).strip().casefold() for v in row[: len(HEADER)]]
    return got == [h.casefold() for h in HEADER]


def _round_second(moment: dt.datetime) -> dt.datetime:
    moment = moment.replace(tzinfo=None)
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


def _read_timestamp(value: Any, epoch1904: bool) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return _round_second(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = excel_serial_to_datetime(float(value), epoch1904=epoch1904)
        return None if moment is None else _round_second(moment)
    if isinstance(value, str):
        try:
            return _round_second(dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def _read_text(value: Any) -> str | None:
    """Text as written; a number a backend turned numeric goes back to its text."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _read_amount(value: Any) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip().replace(",", ""))
        except ValueError:
            raise _BadCell(0, f"not an amount: {value!r}", value) from None
    else:
        raise _BadCell(0, f"not an amount: {value!r}", value)
    if not math.isfinite(x):
        raise _BadCell(0, f"not an amount: {value!r}", value)
    return x


def _read_date(value: Any, epoch1904: bool) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    moment: dt.datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = excel_serial_to_datetime(float(value), epoch1904=epoch1904)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise _BadCell(0, f"not a date: {value!r}", value)
    return moment.date()


def _read_value(name: str, value: Any, epoch1904: bool) -> Any:
    if name == "amount":
        return _read_amount(value)
    if name == "close_date":
        return _read_date(value, epoch1904)
    return _read_text(value)


def _read_row(cells: list[Any], epoch1904: bool) -> Change:
    raw_at, raw_key, raw_field, raw_old, raw_new = cells
    at = _read_timestamp(raw_at, epoch1904)
    if at is None:
        raise _BadCell(1, f"no readable timestamp ({raw_at!r})", raw_at)
    key = _read_text(raw_key)
    if key is None or not key.strip():
        raise _BadCell(2, "no deal key", raw_key)
    name = str(raw_field).strip().casefold().replace(" ", "_").replace("-", "_")
    if name not in FIELDS:
        raise _BadCell(3, f"unknown field {raw_field!r} (expected one of {', '.join(FIELDS)})")
    values = []
    for col, raw in ((4, raw_old), (5, raw_new)):
        try:
            values.append(_read_value(name, raw, epoch1904))
        except _BadCell as bad:
            raise _BadCell(col, bad.message, bad.value) from None
    old, new = values
    if name == DEAL and (old is None) == (new is None):
        raise _BadCell(4, "a 'deal' row needs exactly one of Old (removed) or New (added)", raw_old)
    return Change(key, name, old, new, at)


# --------------------------------------------------------------------------- recording


def last_state(history: History, *, include_removed: bool = False) -> dict[str, DealState]:
    """Deal key → its tracked values as last recorded, replayed from the log.

    Deals recorded as removed are left out unless ``include_removed``.
    """
    state = history.state()
    if include_removed:
        return dict(state)
    return {k: s for k, s in state.items() if s.present}


def _first_by_key(deals: Iterable[Deal]) -> Iterator[Deal]:
    """Each key's first deal in sheet order (see "Duplicate keys" in the notes)."""
    seen: set[str] = set()
    for d in deals:
        if d.key not in seen:
            seen.add(d.key)
            yield d


def diff(history: History, pipeline: Pipeline, at: dt.date | dt.datetime) -> list[Change]:
    """The changes from the last recorded state to ``pipeline``, stamped ``at``.

    Deals in sheet order (added deals with their ``deal`` row first, then
    their fields), then the removed deals in the order they were first seen.
    """
    at = _moment(at)
    state = history.state()
    out: list[Change] = []
    current: set[str] = set()
    for d in _first_by_key(pipeline.deals):
        current.add(d.key)
        now = _state_of(d)
        before = state.get(d.key, _NOTHING)
        if not before.present:
            out.append(Change(d.key, DEAL, None, now.label, at))
        for name in TRACKED:
            old, new = getattr(before, name), getattr(now, name)
            if not _same(name, old, new):
                out.append(Change(d.key, name, old, new, at))
    for key, st in state.items():
        if st.present and key not in current:
            out.append(Change(key, DEAL, st.label or key, None, at))
    return out


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
            _state=dict(state),
            _known=len(history.changes),
        )
    new = diff(history, pipeline, at)
    return History(
        changes=[*history.changes, *new],
        problems=list(history.problems),
        appended=len(new),
        _state=dict(state),
        _known=len(history.changes),
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


# --------------------------------------------------------------------------- stays


@dataclass(slots=True)
class Stay:
    """A deal's time in one stage, as the log shows it.

    ``end`` is None while the deal is still in the stage (as far as the log
    goes).  ``start_known`` is False when the stay was already under way when
    history began, or began while the deal was away (removed, then back in
    another stage).  ``interrupted`` marks a stay during which the deal was
    removed for a while.
    """

    stage: str
    start: dt.datetime
    end: dt.datetime | None = None
    start_known: bool = True
    interrupted: bool = False

    @property
    def completed(self) -> bool:
        """Entered and left by observed stage changes, the deal present throughout."""
        return self.end is not None and self.start_known and not self.interrupted


@dataclass(slots=True)
class _Timeline:
    stays: list[Stay] = field(default_factory=list)
    present: bool = False
    back_at: dt.datetime | None = None  # when the deal was last re-added
    closes: list[tuple[dt.date | None, dt.date | None]] = field(default_factory=list)
    first_close: dt.date | None = None
    label: str | None = None

    @property
    def current(self) -> Stay | None:
        if self.stays and self.stays[-1].end is None:
            return self.stays[-1]
        return None


def _timelines(history: History, as_of: dt.date | None = None) -> dict[str, _Timeline]:
    """Per deal key: its stays and close dates, from the log up to ``as_of``."""
    changes = history.until(as_of)
    out: dict[str, _Timeline] = {}
    first = changes[0].at if changes else None
    for c in changes:
        t = out.get(c.deal_key)
        if t is None:
            t = out[c.deal_key] = _Timeline()
        if c.field == DEAL:
            if c.new is not None:
                if t.label is not None:  # seen before: back after a removal
                    t.back_at = c.at
                t.present, t.label = True, c.new
            else:
                t.present = False
                if t.current is not None:
                    t.current.interrupted = True
        elif c.field == "stage":
            cur = t.current
            if cur is not None:
                cur.end = c.at
            if c.new is not None:
                known = c.at != first and c.at != t.back_at
                t.stays.append(Stay(c.new, c.at, start_known=known))
        elif c.field == "close_date":
            t.closes.append((c.old, c.new))
            if t.first_close is None and c.new is not None:
                t.first_close = c.new
    return out


def _current_stay(t: _Timeline | None, deal: Deal) -> Stay | None:
    """The open stay matching the deal's stage now (None if the log disagrees)."""
    if t is None or deal.stage is None:
        return None
    cur = t.current
    if cur is None or stage_key(cur.stage) != stage_key(deal.stage):
        return None
    return cur


def _open_stage(pipeline: Pipeline, name: str | None) -> Stage | None:
    st = pipeline.stage(name)
    return st if st is not None and st.outcome is Outcome.OPEN else None


# --------------------------------------------------------------------------- figures
#
# Each public figure replays the log once; `summarize` replays it once for all
# of them (the `_…_of` helpers take the replayed timelines).


def _entered_of(lines: dict[str, _Timeline], pipeline: Pipeline) -> dict[str, Stay]:
    out: dict[str, Stay] = {}
    for d in _first_by_key(pipeline.deals):
        stay = _current_stay(lines.get(d.key), d)
        if stay is not None:
            out[d.key] = stay
    return out


def stage_entered(
    history: History, pipeline: Pipeline, as_of: dt.date | None = None
) -> dict[str, dt.date]:
    """Deal key → the day it entered its current stage, per the log up to ``as_of``.

    For a stay under way when history began this is the first run's day (a
    lower bound).  Deals whose stage in the sheet differs from the log's
    (not recorded yet) are left out.
    """
    stays = _entered_of(_timelines(history, as_of), pipeline)
    return {k: s.start.date() for k, s in stays.items()}


def days_in_current_stage(history: History, pipeline: Pipeline, as_of: dt.date) -> dict[str, int]:
    """Deal key → whole days since it entered its current stage (``T − entered``, ≥ 0)."""
    return {
        k: max(0, (as_of - day).days) for k, day in stage_entered(history, pipeline, as_of).items()
    }


def _furthest_of(lines: dict[str, _Timeline], pipeline: Pipeline) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in _first_by_key(pipeline.deals):
        t = lines.get(d.key)
        names: list[str | None] = [s.stage for s in t.stays] if t else []
        names.append(d.stage)
        best: Stage | None = None
        for name in names:
            st = _open_stage(pipeline, name)
            if st is not None and (best is None or st.index > best.index):
                best = st
        if best is not None:
            out[d.key] = best.name
    return out


def furthest_stage(
    history: History, pipeline: Pipeline, as_of: dt.date | None = None
) -> dict[str, str]:
    """Deal key → the furthest open stage it ever held (log up to ``as_of``, and now).

    For a lost deal this is the stage it was lost at.  Deals with no open
    stage anywhere in their history are left out.
    """
    return _furthest_of(_timelines(history, as_of), pipeline)


def _average_of(lines: dict[str, _Timeline], pipeline: Pipeline) -> dict[str, float]:
    sums: dict[str, list[int]] = {}
    for t in lines.values():
        for s in t.stays:
            st = pipeline.stage(s.stage)
            if s.completed and st is not None and s.end is not None:
                acc = sums.setdefault(st.name, [0, 0])
                acc[0] += (s.end.date() - s.start.date()).days
                acc[1] += 1
    return {
        s.name: sums[s.name][0] / sums[s.name][1]
        for s in sorted(pipeline.stages, key=lambda s: s.index)
        if s.name in sums
    }


def average_days_per_stage(
    history: History, pipeline: Pipeline, as_of: dt.date | None = None
) -> dict[str, float]:
    """Stage → mean length in days of the completed stays in it (pipeline order).

    Only completed stays count (see the module notes); stages with none, and
    stage names no longer in the stage list, are left out.
    """
    return _average_of(_timelines(history, as_of), pipeline)


def _slipped_of(lines: dict[str, _Timeline]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, t in lines.items():
        times = sum(1 for old, new in t.closes if old is not None and new is not None and new > old)
        if times:
            out[key] = times
    return out


def slipped_deals(history: History, as_of: dt.date | None = None) -> dict[str, int]:
    """Deal key → how many times its close date was moved to a later date."""
    return _slipped_of(_timelines(history, as_of))


def _for_metrics(lines: dict[str, _Timeline], pipeline: Pipeline) -> StageHistory:
    furthest = _furthest_of(lines, pipeline)
    stays = _entered_of(lines, pipeline)
    out: dict[str, tuple[dt.date | None, str | None]] = {}
    for d in _first_by_key(pipeline.deals):
        stay = stays.get(d.key)
        entered = stay.start.date() if stay is not None and stay.start_known else None
        if entered is not None or d.key in furthest:
            out[d.key] = (entered, furthest.get(d.key))
    return out


def stage_history_for_metrics(history: History, pipeline: Pipeline, as_of: dt.date) -> StageHistory:
    """What :func:`sheetsync.metrics.compute_metrics` takes as ``history``.

    Deal key → (day it entered its current stage, furthest open stage name).
    The entered day is None when the stay's start is unknown (under way when
    history began, or begun while the deal was away): the stale rule then
    uses the deal's own dates.  Deals the log knows nothing useful about are
    left out (metrics treat them as having no history).
    """
    return _for_metrics(_timelines(history, as_of), pipeline)


# --------------------------------------------------------------------------- summary


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


def summarize(history: History, pipeline: Pipeline, as_of: dt.date) -> HistorySummary:
    """Every history figure of ``pipeline`` as of ``as_of``, ready for JSON and the tab."""
    lines = _timelines(history, as_of)
    stages = sorted(pipeline.stages, key=lambda s: s.index)
    order = {s.name: s.index for s in stages}
    deals = list(_first_by_key(pipeline.deals))

    days_now: dict[str, list[int]] = {}
    stays = _entered_of(lines, pipeline)
    for d in deals:
        st = _open_stage(pipeline, d.stage)
        if d.is_open and st is not None and d.key in stays:
            days = max(0, (as_of - stays[d.key].start.date()).days)
            days_now.setdefault(st.name, []).append(days)

    furthest = _furthest_of(lines, pipeline)
    lost: dict[str, int] = {}
    for d in deals:
        if d.status is not Outcome.LOST:
            continue
        found = [
            st
            for st in (pipeline.stage(furthest.get(d.key)), _open_stage(pipeline, d.lost_stage))
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
    return HistorySummary(
        days_in_stage=_average_of(lines, pipeline),
        days_in_current_stage={
            k: sum(v) / len(v) for k, v in sorted(days_now.items(), key=lambda kv: order[kv[0]])
        },
        slipped=slipped,
        lost_at=dict(sorted(lost.items(), key=lambda kv: order[kv[0]])),
        entries=len(changes),
        since=changes[0].at if changes else None,
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
