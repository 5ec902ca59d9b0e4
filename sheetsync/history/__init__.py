"""Stage history: what changed in the deals from one run to the next.

A spreadsheet only holds each deal's *current* stage, amount, close date and
owner.  Days in stage, the stage a lost deal was lost at, average days per
stage and slipped close dates all need the past, so every sync compares the
deals with the last state it recorded and appends only the differences to an
owned, hidden tab (``sheetsync History``).  This package is that log and every
figure derived from it.  It is pure: a backend reads the tab into a
:class:`~sheetsync.model.Grid` (:meth:`History.from_grid`) and writes the
:class:`~sheetsync.outsheet.OutSheet` it returns (:meth:`History.to_outsheet`).

Where to look (each module names the section of ``specs/pipeline-metrics.md``
it serves and the rules it chose):

============  ===============================================================
``records``   the tab's fields and finding codes; a change, a deal's state
``writing``   the changes as the tab's rows, kept compact
``reading``   the tab's cells, untrusted, back into changes
``log``       :class:`History`, and recording a run (:func:`record`)
``rollup``    the tab's budget: older entries rolled up, every figure kept
``figures``   stage entered, days in stage, furthest stage, averages, slips
``summary``   every figure for one as-of date, and the summary tab's rows
============  ===============================================================
"""

from __future__ import annotations

from sheetsync.history.figures import (
    Stay,
    average_days_per_stage,
    days_in_current_stage,
    furthest_stage,
    slipped_deals,
    stage_entered,
    stage_history_for_metrics,
)
from sheetsync.history.log import History, diff, last_state, record, skipped_finding
from sheetsync.history.records import (
    ADDED,
    AMOUNT_TOLERANCE,
    BACKFILL_SKIPPED,
    COMPACT_MAX,
    DEAL,
    FIELDS,
    HEADER,
    HEADER_MISSING,
    KIND,
    LABEL_MAX,
    ROLLUP,
    ROW_KINDS,
    ROW_SKIPPED,
    TRACKED,
    Change,
    DealState,
    Rolled,
    Rollup,
    TabState,
)
from sheetsync.history.rollup import RolledUp, fold, roll_up, row_budget
from sheetsync.history.summary import (
    SLIPPED_ROWS,
    HistorySummary,
    SlippedDeal,
    history_rows,
    summarize,
)

__all__ = [
    "ADDED",
    "AMOUNT_TOLERANCE",
    "BACKFILL_SKIPPED",
    "COMPACT_MAX",
    "Change",
    "DEAL",
    "DealState",
    "FIELDS",
    "HEADER",
    "HEADER_MISSING",
    "History",
    "HistorySummary",
    "KIND",
    "LABEL_MAX",
    "ROLLUP",
    "ROW_KINDS",
    "ROW_SKIPPED",
    "Rolled",
    "RolledUp",
    "Rollup",
    "SLIPPED_ROWS",
    "SlippedDeal",
    "Stay",
    "TRACKED",
    "TabState",
    "average_days_per_stage",
    "days_in_current_stage",
    "diff",
    "fold",
    "furthest_stage",
    "history_rows",
    "last_state",
    "record",
    "roll_up",
    "row_budget",
    "skipped_finding",
    "slipped_deals",
    "stage_entered",
    "stage_history_for_metrics",
    "summarize",
]
