"""The moment of a drafts run, in the team's time zone.

Meeting times in the sheet are wall-clock times where the team works
(``[team] timezone``, an IANA name; unset: the machine's zone).  A run has
a date (``as_of``) and a moment: ``--as-of 2026-11-26T18:33`` gives both;
a plain date is the real clock when it is today, else the start of that
day (a backfilled night sees all of that day's meetings as ahead).
A reminder is made only for a meeting still ahead of the moment.
"""

from __future__ import annotations

import datetime as dt


class AsOf(dt.date):
    """A run date that also carries the moment of the run (``at``, maybe naive)."""

    at: dt.datetime | None = None

    def __new__(cls, year: int, month: int, day: int, at: dt.datetime | None = None) -> AsOf:
        self = super().__new__(cls, year, month, day)
        self.at = at
        return self

    def __repr__(self) -> str:
        return f"AsOf({self.isoformat()}, at={self.at!r})"


def parse_as_of(text: str) -> dt.date:
    """``2026-11-26`` → a date; ``2026-11-26T18:33`` or ``2026-11-26 18:33`` → an :class:`AsOf`.

    Raises ValueError for anything else.
    """
    text = text.strip()
    if len(text) <= 10:
        return dt.date.fromisoformat(text)
    at = dt.datetime.fromisoformat(text)
    return AsOf(at.year, at.month, at.day, at)


def local(when: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """A sheet's wall-clock time (naive) as an aware time in ``tz`` (None: the machine's)."""
    if when.tzinfo is not None:
        return when.astimezone(tz) if tz is not None else when.astimezone()
    return when.replace(tzinfo=tz) if tz is not None else when.astimezone()


def run_moment(
    as_of: dt.date,
    now: dt.datetime | None,
    tz: dt.tzinfo | None,
    *,
    clock: dt.datetime | None = None,
) -> dt.datetime:
    """The moment a run judges by, aware, in ``tz`` (see the module notes).

    ``now`` is the caller's clock (tests fix it); it counts when it falls on
    ``as_of`` in the team's zone.  ``clock`` is the real time (for tests).
    """
    at = getattr(as_of, "at", None)
    if at is not None:
        return local(at, tz)
    for candidate in (now, clock or dt.datetime.now(dt.UTC)):
        if candidate is None:
            continue
        there = local(candidate, tz)
        if there.date() == as_of:
            return there
    return local(dt.datetime.combine(as_of, dt.time(0)), tz)


def is_ahead(when: dt.datetime, moment: dt.datetime, tz: dt.tzinfo | None) -> bool:
    """True when a meeting at ``when`` is still ahead of ``moment``.

    A meeting written with a date only (midnight) is ahead all of that day.
    """
    if when.tzinfo is None and when.time() == dt.time(0):
        return when.date() >= moment.date()
    return local(when, tz) > moment
