"""The metrics' settings: every threshold, with its default, and the shapes they share.

Implements the thresholds that ``specs/pipeline-metrics.md`` leaves to
configuration ("Thresholds are configuration with documented defaults",
section *Coaching signals*; the rot days of *Activity and follow-up*; the
window of *Funnel and conversion*) and the period ``P`` of *Quota progress*
(a calendar quarter unless configured).  Read from ``[metrics]`` by
:mod:`sheetsync.config`.

Definitions:

* ``P`` is the calendar period (``PERIODS``: quarter, month or year) that
  contains the as-of date ``T``;
* the *window* is the trailing ``win_rate_window_days`` days ``(T − window, T]``;
* a :data:`StageHistory` maps a deal key to ``(stage entered, furthest stage)``,
  as :func:`sheetsync.history.stage_history_for_metrics` derives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sheetsync.errors import ConfigError

#: The periods a quota can be tracked over.
PERIODS: tuple[str, ...] = ("quarter", "month", "year")


#: What a history module passes in: deal key → (date the deal entered its
#: current stage, name of the furthest stage it reached).  Either may be None.
StageHistory = Mapping[str, tuple[dt.date | None, str | None]]


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    """Every threshold the metrics use, with its default.

    ``period``
        ``"quarter"`` (default), ``"month"`` or ``"year"``: the calendar
        period ``P`` containing the as-of date that quotas are tracked over.
    ``win_rate_window_days`` = 365
        Win rate, average deal size and sales cycle use the deals closed in
        ``(T − window, T]``.
    ``default_rot_days`` = 14
        Quiet days that make a deal stale when its stage's ``rot_days`` is
        None (a stage's ``rot_days`` of 0, or a default of 0, turns it off).
    ``late_stage_probability`` = 0.6
        An open deal with ``p`` at least this is "late".
    ``top_empty_min_late`` = 3, ``top_empty_max_early`` = 0
        top-of-funnel-empty: at least this many late deals and at most this
        many at the appointment stage or earlier.
    ``bottom_empty_min_early`` = 5, ``bottom_empty_max_late`` = 1
        bottom-of-funnel-empty: at least this many early deals and at most
        this many late ones.
    ``closing_min_appointments`` = 5, ``closing_max_conversion`` = 0.2
        closing-weakness: at least this many deals closed in the window reached
        the appointment stage, and at most this fraction of them were won.
    ``big_deal_share`` = 0.5, ``big_deal_max_deals`` = 5, ``big_deal_min_open`` = 3
        big-deals: the fewest open deals carrying this share of the weighted
        value, when they are at most ``big_deal_max_deals`` deals and fewer
        than this share of the (at least ``big_deal_min_open``) open deals.
    """

    period: str = "quarter"
    win_rate_window_days: int = 365
    default_rot_days: int = 14
    late_stage_probability: float = 0.6
    top_empty_min_late: int = 3
    top_empty_max_early: int = 0
    bottom_empty_min_early: int = 5
    bottom_empty_max_late: int = 1
    closing_min_appointments: int = 5
    closing_max_conversion: float = 0.2
    big_deal_share: float = 0.5
    big_deal_max_deals: int = 5
    big_deal_min_open: int = 3

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ConfigError(
                f"unknown metrics period {self.period!r}",
                hint="use one of: " + ", ".join(PERIODS),
            )
        if self.win_rate_window_days < 1:
            raise ConfigError(
                f"win_rate_window_days must be at least 1, got {self.win_rate_window_days}"
            )
        if self.default_rot_days < 0:
            raise ConfigError(f"default_rot_days cannot be negative, got {self.default_rot_days}")
        for name in ("late_stage_probability", "closing_max_conversion", "big_deal_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(f"{name} must be between 0 and 1, got {value}")
