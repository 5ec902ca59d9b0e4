"""Pipeline metrics: quota progress, funnel, win rate, follow-up lists, coaching signals.

Pure functions over a :class:`~sheetsync.model.Pipeline` and an as-of date ``T``:
nothing here reads or writes anything.  The definitions are those of
``specs/pipeline-metrics.md``; where the spec leaves a choice open, the choice
made is written in the docstring of the module that makes it (and repeated on
the function), so every number can be redone by hand from the sheet.

Notation: ``T`` is the as-of date, ``P`` the calendar period (quarter, month or
year, see :class:`MetricsSettings`) that contains ``T``, ``p`` a deal's
effective probability (:meth:`Pipeline.effective_probability`), and the
*window* the trailing ``win_rate_window_days`` days ``(T − window, T]``.

Where to look (each module names the section of the spec it implements):

=============  ==============================================================
``settings``   every threshold, with its default (:class:`MetricsSettings`)
``stages``     stage roles: appointment, qualification, presentation; rot days
``facts``      what every metric looks up about a deal, once per call
``quota``      quota progress: won, expected, still to generate, team gap
``funnel``     stage mix, reached, stage conversion
``rates``      win rate, average deal size, sales cycle, velocity
``activity``   follow-up lists: overdue, stale, no next step, undated
``coaching``   coaching signals and their advice
``report``     :func:`compute_metrics`: every figure at once; the text report
=============  ==============================================================
"""

from __future__ import annotations

from sheetsync.metrics.activity import _no_next_step as _no_next_step
from sheetsync.metrics.activity import _overdue as _overdue
from sheetsync.metrics.activity import _stale as _stale
from sheetsync.metrics.activity import (
    no_next_step_deals,
    overdue_deals,
    quiet_since,
    stale_deals,
    undated_deals,
)
from sheetsync.metrics.coaching import ADVICE, SIGNAL_CODES, Signal, coaching_signals
from sheetsync.metrics.facts import DealRef
from sheetsync.metrics.facts import _gc_paused as _gc_paused
from sheetsync.metrics.facts import _Memo as _Memo
from sheetsync.metrics.funnel import (
    StageMix,
    StageReach,
    furthest_index,
    open_stage_counts,
    reached_counts,
    stage_mix,
)
from sheetsync.metrics.quota import (
    Period,
    QuotaProgress,
    owner_key,
    period_bounds,
    quota_for,
    quota_progress,
)
from sheetsync.metrics.rates import (
    WinRate,
    average_deal_size,
    compute_win_rate,
    sales_cycle_days,
    sales_velocity,
)
from sheetsync.metrics.report import Metrics, compute_metrics
from sheetsync.metrics.settings import PERIODS, MetricsSettings, StageHistory
from sheetsync.metrics.stages import (
    appointment_stage,
    presentation_stages,
    qualification_stage,
    rot_days_for,
)

__all__ = [
    "ADVICE",
    "DealRef",
    "Metrics",
    "MetricsSettings",
    "PERIODS",
    "Period",
    "QuotaProgress",
    "SIGNAL_CODES",
    "Signal",
    "StageHistory",
    "StageMix",
    "StageReach",
    "WinRate",
    "appointment_stage",
    "average_deal_size",
    "coaching_signals",
    "compute_metrics",
    "compute_win_rate",
    "furthest_index",
    "no_next_step_deals",
    "overdue_deals",
    "owner_key",
    "period_bounds",
    "presentation_stages",
    "qualification_stage",
    "quiet_since",
    "quota_for",
    "quota_progress",
    "reached_counts",
    "rot_days_for",
    "sales_cycle_days",
    "sales_velocity",
    "stage_mix",
    "open_stage_counts",
    "stale_deals",
    "undated_deals",
]
