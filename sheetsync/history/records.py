"""The history's records: one change, one deal's recorded state, one rolled-up deal.

The stage history is what the figures of ``specs/pipeline-metrics.md`` that "need
stage history" are computed from (*days in stage* and the stale rule in
*Activity and follow-up*; a lost deal's stage in *reached(s)*, *Funnel and
conversion*).  This module holds its vocabulary: the tab's header and field
names, the finding codes, and the values that a log is made of.

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

Replaying the changes in order (:func:`_replay`) gives each deal's last
:class:`DealState`; a :class:`Rolled` is one deal's history condensed up to a
moment, and a :class:`Rollup` the set of them (see :mod:`sheetsync.history.rollup`).

Rule chosen where the issue left a choice
-----------------------------------------
* **Comparing.** Values are compared typed: stages by their normalised name
  (case, spacing and punctuation ignored, as stage matching does), owners
  case- and spacing-insensitively (``"ana "`` is ``"Ana"``: retyping a name is
  not a hand-over), amounts equal when they differ by less than
  :data:`AMOUNT_TOLERANCE` (half a cent; the comparison is with the *recorded*
  value, so creeping edits are recorded once they add up), close dates
  exactly.  A value that did not change is never written again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sheetsync.model import Deal, stage_key

#: The ``OutSheet.kind`` of the history tab (its ownership role).
KIND = "history"


#: The history tab's header row.
HEADER: tuple[str, ...] = ("Timestamp", "Deal", "Field", "Old", "New")


#: The deal fields whose changes are recorded, in the order they are written.
TRACKED: tuple[str, ...] = ("stage", "amount", "close_date", "owner")


#: The pseudo-field of the rows that mark a deal appearing or disappearing.
DEAL = "deal"


FIELDS: tuple[str, ...] = (DEAL, *TRACKED)


#: The compact rows of the tab (see "The log"): a deal added with its values, a rolled-up deal.
ADDED = "added"


ROLLUP = "rollup"


ROW_KINDS: tuple[str, ...] = (ADDED, ROLLUP)


#: A compact row's JSON longer than this is written in the long form instead
#: (Excel cells hold 32,767 characters; a cut JSON could not be read back).
COMPACT_MAX = 30_000


#: Amounts closer than this are the same amount (half a cent).
AMOUNT_TOLERANCE = 0.005


#: Labels longer than this are cut (the label only helps a person read the log).
LABEL_MAX = 60


#: Finding codes this module reports (warnings: the run goes on).
ROW_SKIPPED = "history-row-skipped"


HEADER_MISSING = "history-header-missing"


BACKFILL_SKIPPED = "history-backfill-skipped"


class Change(NamedTuple):
    """One row of the log: ``field`` of deal ``deal_key`` went from ``old`` to ``new``.

    ``field`` is one of :data:`TRACKED`, or :data:`DEAL` for a deal that
    appeared (``old`` None, ``new`` its label) or disappeared (``old`` its
    label, ``new`` None).  ``at`` is the run's as-of moment.

    A named tuple (immutable, hashable, equal by value) rather than a frozen
    dataclass: a year's log is hundreds of thousands of changes, read back
    every night, and a tuple is several times cheaper to make.
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


@dataclass(frozen=True, slots=True)
class Rolled:
    """One deal's history up to a rollup moment: what every figure needs of it.

    ``state`` is the deal as recorded; ``stay`` the stay it was in then, as
    (stage, start, start known, interrupted), or None; ``held`` every stage
    name its stays had, first held first (for the furthest stage);
    ``done`` its completed stays per stage name as (stage, total days,
    stays) (for the average days per stage); ``slips`` the close dates
    pushed later; ``first_close`` the first close date recorded;
    ``entries`` how many changes it stands for.
    """

    state: DealState
    stay: tuple[str, dt.datetime, bool, bool] | None = None
    held: tuple[str, ...] = ()
    done: tuple[tuple[str, int, int], ...] = ()
    slips: int = 0
    first_close: dt.date | None = None
    entries: int = 0


@dataclass(frozen=True, slots=True)
class Rollup:
    """The log's older part, rolled up: every deal seen up to ``at``, by key.

    ``began`` is when history began (the first run), which the figures and
    the summary's "since" keep; ``entries`` the changes rolled up.
    """

    at: dt.datetime
    began: dt.datetime
    deals: Mapping[str, Rolled]
    entries: int = 0


@dataclass(frozen=True, slots=True)
class TabState:
    """What the tab read back holds: ``rows`` rows (header included) for
    ``base`` and the first ``changes`` changes, so a run may append below."""

    name: str
    rows: int
    changes: int
    base: Rollup | None
    last: Change | None = None


#: ``Change(*values)`` without the named tuple's Python-level ``__new__`` (for the hot loops).
_change = tuple.__new__


_NO_MOMENT = object()


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


#: DealState's fields in order, and where each tracked field sits among them.
_STATE_FIELDS = ("stage", "amount", "close_date", "owner", "label", "present")


_SLOT = {name: i for i, name in enumerate(_STATE_FIELDS) if name in TRACKED}


def _replay(state: dict[str, DealState], changes: Iterable[Change]) -> None:
    """``_apply`` every change in turn, building each deal's final state only once.

    The deals' values are folded in lists and turned into :class:`DealState`
    values at the end (in the order the deals were first met, so the dict has
    the order ``_apply`` gives it): a year's log replays without a
    ``replace()`` per change.
    """
    pending: dict[str, list[Any]] = {}
    try:
        for c in changes:
            key = c.deal_key
            values = pending.get(key)
            if values is None:
                b = state.get(key, _NOTHING)
                values = [b.stage, b.amount, b.close_date, b.owner, b.label, b.present]
                pending[key] = values
            name = c.field
            if name == DEAL:
                if c.new is not None:
                    values[4] = c.new
                    values[5] = True
                else:
                    values[5] = False
            else:
                slot = _SLOT.get(name)
                if slot is None:  # not a tracked field: as _apply does (fails for no field)
                    _flush(state, pending)
                    _apply(state, c)
                    continue
                values[slot] = c.new
    finally:
        _flush(state, pending)


def _flush(state: dict[str, DealState], pending: dict[str, list[Any]]) -> None:
    for key, values in pending.items():
        state[key] = DealState(*values)
    pending.clear()


def _first_by_key(deals: Iterable[Deal]) -> Iterator[Deal]:
    """Each key's first deal in sheet order (see "Duplicate keys" in the notes)."""
    seen: set[str] = set()
    for d in deals:
        if d.key not in seen:
            seen.add(d.key)
            yield d
