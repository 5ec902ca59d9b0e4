"""Quota progress: won to date, expected from the pipeline, still to generate, per rep and team.

Implements *Quota progress (the three numbers a salesperson must know)* of
``specs/pipeline-metrics.md``: won to date, open pipeline, expected from
pipeline, still to generate ``max(0, quota − won − expected)``, attainment and
coverage; for the team, still to generate is the sum of each rep's own, with
the net team gap ``max(0, team quota − team won − team expected)`` beside it.

Decisions where the spec was open:

* **Owners** are matched case- and spacing-insensitively (``" ana  "`` is
  ``"Ana"``, :func:`owner_key`); a block is shown under the spelling of the
  owner's first deal (by sheet row), else the quota's.  The owner blocks are
  the owners of deals plus the owners with a quota for ``P``, sorted by name.
  Deals with no owner count in the team block only.
* **Quota for P** (:func:`quota_for`): the owner's quotas whose ``[start, end]``
  is exactly ``P`` (summed if several); else the quotas lying wholly inside
  ``P`` (summed: monthly quotas make a quarter — only those present are
  summed); else the shortest quota that contains ``P``, prorated by
  ``days(P) / days(quota)``; else none.  Quotas that only partly overlap ``P``
  are ignored.  The team quota is the sum of the owner quotas (``None`` when no
  owner has one); the team's won/open amounts include every deal.
* **Quota progress** counts open deals whose close date is in ``P`` — overdue
  ones inside ``P`` included.  ``open_count`` counts those same deals;
  ``undated_count`` counts the open deals with no close date (any period).
  Deals with no amount count as 0.
* **needed_coverage** is ``1 / win rate by count`` (the "3x rule" reading).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.metrics.facts import _OPEN, _WON, _Facts, _Lookup, _r
from sheetsync.metrics.settings import PERIODS
from sheetsync.model import Deal, Pipeline, Quota


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


@dataclass(frozen=True, slots=True)
class QuotaProgress:
    """The quota numbers of one owner (or of the team, ``owner`` None).

    For the team, ``to_generate`` is the sum of each rep's own
    still-to-generate (a rep ahead of quota does not cover a colleague's gap)
    and ``net_gap`` is ``max(0, team quota − team won − team expected)``: the
    two agree only when no rep is ahead.  ``net_gap`` is None for a rep.
    """

    owner: str | None
    quota: float | None
    won: float
    open_amount: float
    expected: float
    to_generate: float | None
    attainment: float | None
    coverage: float | None
    needed_coverage: float | None
    win_rate: float | None
    open_count: int
    undated_count: int
    net_gap: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "quota": _r(self.quota, 2),
            "won": _r(self.won, 2),
            "open_amount": _r(self.open_amount, 2),
            "expected": _r(self.expected, 2),
            "to_generate": _r(self.to_generate, 2),
            "attainment": _r(self.attainment, 4),
            "coverage": _r(self.coverage, 4),
            "needed_coverage": _r(self.needed_coverage, 4),
            "win_rate": _r(self.win_rate, 4),
            "open_count": self.open_count,
            "undated_count": self.undated_count,
            "net_gap": _r(self.net_gap, 2),
        }


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def period_bounds(as_of: dt.date, period: str = "quarter") -> tuple[dt.date, dt.date, str]:
    """The calendar period containing ``as_of``: ``(start, end, label)``, end inclusive.

    Labels: ``2026-Q4``, ``2026-11``, ``2026``.
    """
    y, m = as_of.year, as_of.month
    if period == "quarter":
        q = (m - 1) // 3 + 1
        return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}-Q{q}"
    if period == "month":
        return dt.date(y, m, 1), _month_end(y, m), f"{y}-{m:02d}"
    if period == "year":
        return dt.date(y, 1, 1), dt.date(y, 12, 31), str(y)
    raise ConfigError(
        f"unknown metrics period {period!r}", hint="use one of: " + ", ".join(PERIODS)
    )


def owner_key(name: str | None) -> str | None:
    """How owners are matched: case and spacing insensitive; blank is no owner."""
    if name is None:
        return None
    key = " ".join(name.split()).casefold()
    return key or None


def quota_for(quotas: Iterable[Quota], owner: str, start: dt.date, end: dt.date) -> float | None:
    """The owner's quota for the period ``[start, end]`` (inclusive), or None.

    In order of preference: the sum of the quotas whose period is exactly
    ``[start, end]``; the sum of the quotas lying wholly inside it (e.g. the
    monthly quotas of a quarter); the shortest quota containing it, prorated
    by days (``amount × days(period) / days(quota)``).  Quotas that only partly
    overlap the period, or whose end is before their start, are ignored.
    """
    key = owner_key(owner)
    mine = [q for q in quotas if owner_key(q.owner) == key and q.start <= q.end]
    exact = [q for q in mine if q.start == start and q.end == end]
    if exact:
        return float(sum(q.amount for q in exact))
    inside = [q for q in mine if start <= q.start and q.end <= end]
    if inside:
        return float(sum(q.amount for q in inside))
    around = [q for q in mine if q.start <= start and end <= q.end]
    if around:
        q = min(around, key=lambda q: (q.end - q.start, q.start))
        days = (end - start).days + 1
        return q.amount * days / ((q.end - q.start).days + 1)
    return None


def quota_progress(
    pipeline: Pipeline,
    deals: Iterable[Deal],
    *,
    owner: str | None,
    quota: float | None,
    period: Period,
    as_of: dt.date,
    win_rate: float | None,
) -> QuotaProgress:
    """Quota progress of ``deals`` (one owner's, or all for the team) over ``period``."""
    facts = _Facts.of(pipeline, deals, _Lookup(pipeline))
    return _progress(facts, owner=owner, quota=quota, period=period, as_of=as_of, win_rate=win_rate)


def _progress(
    facts: _Facts,
    *,
    owner: str | None,
    quota: float | None,
    period: Period,
    as_of: dt.date,
    win_rate: float | None,
) -> QuotaProgress:
    won = 0.0
    open_amount = 0.0
    expected = 0.0
    open_count = 0
    undated = 0
    start, end = period.start, period.end
    date = dt.date
    for d, weighted in zip(facts.deals, facts.weighted, strict=True):
        status = d.status
        if status is _WON:
            day = d.close_date
            # `day in period` (Period.__contains__), then not after the as-of date
            if isinstance(day, date) and start <= day <= end and day <= as_of:
                won += d.amount if d.amount is not None else 0.0
        elif status is _OPEN:
            day = d.close_date
            if day is None:
                undated += 1
            elif isinstance(day, date) and start <= day <= end:
                open_count += 1
                open_amount += d.amount if d.amount is not None else 0.0
                expected += weighted
    to_generate = attainment = coverage = None
    if quota is not None:
        to_generate = max(0.0, quota - won - expected)
        attainment = won / quota if quota else None
        remaining = max(quota - won, 0.0)
        coverage = open_amount / remaining if remaining else None
    return QuotaProgress(
        owner=owner,
        quota=quota,
        won=won,
        open_amount=open_amount,
        expected=expected,
        to_generate=to_generate,
        attainment=attainment,
        coverage=coverage,
        needed_coverage=1 / win_rate if win_rate else None,
        win_rate=win_rate,
        open_count=open_count,
        undated_count=undated,
    )


def _team_progress(team: QuotaProgress, owners: Sequence[QuotaProgress]) -> QuotaProgress:
    """The team row: still-to-generate summed over the reps' own gaps.

    ``pipeline-metrics.md``: "For the team, still to generate is the sum of
    each rep's own still-to-generate; the team-level max(0, team quota − team
    won − team expected) is shown beside it as the net team gap."  Reps without
    a quota have no gap of their own and add nothing.
    """
    if team.quota is None:
        return team
    gaps = [o.to_generate for o in owners if o.to_generate is not None]
    return replace(team, to_generate=sum(gaps), net_gap=team.to_generate)
