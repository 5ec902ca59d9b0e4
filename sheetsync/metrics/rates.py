"""Rates and velocity: win rate, average deal size, sales cycle, sales velocity.

Implements the rate rows of *Funnel and conversion* in
``specs/pipeline-metrics.md``:

* win rate ``#won / (#won + #lost)`` over the deals closed in the window
  (default: the trailing 365 days to ``T``), open deals excluded; also
  value-weighted;
* average deal size ``Σ won amount / #won``;
* sales cycle: the mean of ``close date − created date`` over won deals;
* sales velocity ``#open × average deal size × win rate / sales cycle days``
  (money per day).

Decisions where the spec was open: win rate, average deal size and sales
cycle all use the deals closed in the window (close date in ``(T − window,
T]``); closed deals with no close date are left out.  Average deal size leaves
out won deals with no amount (from both the sum and the count).  Velocity uses
every open deal, the average deal size, the win rate by count and the cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sheetsync.metrics.facts import _amount, _closed_in_window, _r
from sheetsync.model import Deal, Outcome


@dataclass(frozen=True, slots=True)
class WinRate:
    count: float | None
    value: float | None
    won: int
    lost: int
    window_days: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": _r(self.count, 4),
            "value": _r(self.value, 4),
            "won": self.won,
            "lost": self.lost,
            "window_days": self.window_days,
        }


def compute_win_rate(deals: Iterable[Deal], as_of: dt.date, window_days: int = 365) -> WinRate:
    """Win rate over the deals closed in ``(as_of − window_days, as_of]``.

    ``count`` = #won / (#won + #lost); ``value`` = Σ won amount / Σ closed
    amount (missing amounts count 0).  Each is None when its denominator is 0.
    """
    closed = _closed_in_window(deals, as_of, window_days)
    won = [d for d in closed if d.status is Outcome.WON]
    lost = [d for d in closed if d.status is Outcome.LOST]
    won_value = sum(_amount(d) for d in won)
    total_value = won_value + sum(_amount(d) for d in lost)
    return WinRate(
        count=len(won) / len(closed) if closed else None,
        value=won_value / total_value if total_value else None,
        won=len(won),
        lost=len(lost),
        window_days=window_days,
    )


def average_deal_size(
    deals: Iterable[Deal], as_of: dt.date, window_days: int = 365
) -> float | None:
    """Σ amount / # over the won deals closed in the window that have an amount."""
    amounts = [
        d.amount
        for d in _closed_in_window(deals, as_of, window_days)
        if d.status is Outcome.WON and d.amount is not None
    ]
    return sum(amounts) / len(amounts) if amounts else None


def sales_cycle_days(deals: Iterable[Deal], as_of: dt.date, window_days: int = 365) -> float | None:
    """Mean of ``close − created`` in days over won deals closed in the window with both dates."""
    spans = [
        (d.close_date - d.created).days
        for d in _closed_in_window(deals, as_of, window_days)
        if d.status is Outcome.WON and d.created is not None and d.close_date is not None
    ]
    return sum(spans) / len(spans) if spans else None


def sales_velocity(
    open_count: int, avg_size: float | None, win_rate: float | None, cycle_days: float | None
) -> float | None:
    """``#open × average deal size × win rate / cycle days`` (money per day), or None."""
    if avg_size is None or win_rate is None or not cycle_days or cycle_days <= 0:
        return None
    return open_count * avg_size * win_rate / cycle_days
