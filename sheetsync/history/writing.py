"""Writing the history tab: the changes as rows, kept compact.

Part of the stage history that ``specs/pipeline-metrics.md`` needs for *days in
stage* (*Activity and follow-up*) and *reached(s)* (*Funnel and conversion*):
how the log's :class:`~sheetsync.history.records.Change` values become the
rows of the owned ``sheetsync History`` tab.  :mod:`~sheetsync.history.reading`
reads exactly these rows back.

In memory the log is that list of :class:`Change` values.  On the tab two
kinds of row keep it compact, so that it grows with the changes and not
with the nights (the rows are read back into exactly the same changes):

* ``Field`` ``added`` is a deal appearing together with the values it has,
  on one row: ``Old`` its label, ``New`` the values as a JSON object
  (``{"stage": "Proposal", "amount": 1200.0, "close_date": "2026-06-30",
  "owner": "Ann"}``, absent values left out).  It stands for the ``deal``
  row and the field rows with an empty ``Old`` that :func:`diff` records
  for it, so the first run writes one row per deal, not five.  A deal that
  comes back with older values to compare keeps the long form.
* ``Field`` ``rollup`` is one deal's history up to a moment, condensed
  (:class:`Rollup`, written by :mod:`sheetsync.history.rollup` when the tab would
  pass its budget): ``Timestamp`` the last moment rolled up, ``Old`` when
  history began, ``New`` a JSON object with the deal's recorded values, the
  stay it is in (stage, start, whether the start is known, whether it was
  interrupted), every stage it held, its completed stays per stage (days
  and count), its slips and first close date, and how many changes it
  stands for.  That is everything the figures below use, so every figure as
  of a day after the rollup is the same as from the full log.  Rollup rows
  come first, all with one timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
from typing import Any

from sheetsync.history.records import (
    _NO_MOMENT,
    ADDED,
    COMPACT_MAX,
    DEAL,
    ROLLUP,
    TRACKED,
    Change,
    Rolled,
    Rollup,
)
from sheetsync.outsheet import OutCell


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ")


def _added_group(changes: list[Change], i: int) -> int:
    """How many changes from ``i`` one ``added`` row can stand for (0: none).

    A ``deal`` row adding the deal, then its field rows at the same moment,
    in :data:`TRACKED` order, each setting a value where there was none:
    exactly what :func:`_expand_added` gives back.
    """
    c = changes[i]
    if c.field != DEAL or c.old is not None or c.new is None:
        return 0
    key, at = c.deal_key, c.at
    j, slot = i + 1, -1
    n = len(changes)
    while j < n:
        f = changes[j]
        if f.deal_key != key or f.at != at or f.old is not None or f.new is None:
            break
        pos = _TRACKED_POS.get(f.field)
        if pos is None or pos <= slot:
            break
        slot = pos
        j += 1
    return j - i


_TRACKED_POS = {name: i for i, name in enumerate(TRACKED)}


def _added_json(group: list[Change]) -> str:
    values: dict[str, Any] = {}
    for f in group[1:]:
        v = f.new
        values[f.field] = v.isoformat() if isinstance(v, dt.date) else v
    return _json(values)


def _log_rows(changes: list[Change]) -> list[list[Any]]:
    """The rows of ``changes`` on the tab: compact ``added`` rows, else one row a change."""
    rows: list[list[Any]] = []
    append = rows.append
    # close dates as dates, amounts as currency, None as an empty cell; the
    # changes of a run share its moment, so they share its cell (OutCell is frozen)
    last_at: Any = _NO_MOMENT
    at_cell = OutCell(None)
    i, n = 0, len(changes)
    while i < n:
        c = changes[i]
        at = c.at
        if at is not last_at:
            at_cell, last_at = OutCell(at, "datetime"), at
        what = c.field
        if what == DEAL and c.old is None:
            size = _added_group(changes, i)
            if size:
                text = _added_json(changes[i : i + size])
                if len(text) <= COMPACT_MAX:
                    append([at_cell, c.deal_key, ADDED, c.new, text])
                    i += size
                    continue
        old, new = c.old, c.new
        if what == "close_date":
            old = None if old is None else OutCell(old, "date")
            new = None if new is None else OutCell(new, "date")
        elif what == "amount":
            old = None if old is None else OutCell(old, "currency")
            new = None if new is None else OutCell(new, "currency")
        append([at_cell, c.deal_key, what, old, new])
        i += 1
    return rows


def _count_log_rows(changes: list[Change]) -> int:
    """``len(_log_rows(changes))`` without making the rows."""
    rows, i, n = 0, 0, len(changes)
    while i < n:
        c = changes[i]
        size = _added_group(changes, i) if c.field == DEAL and c.old is None else 0
        if size and len(_added_json(changes[i : i + size])) <= COMPACT_MAX:
            i += size
        else:
            i += 1
        rows += 1
    return rows


def _rollup_rows(base: Rollup) -> list[list[Any]]:
    at = OutCell(base.at, "datetime")
    began = OutCell(base.began, "datetime")
    return [[at, key, ROLLUP, began, _rolled_json(r)] for key, r in base.deals.items()]


def _rolled_json(r: Rolled) -> str:
    st = r.state
    out: dict[str, Any] = {}
    if st.label is not None:
        out["label"] = st.label
    if not st.present:
        out["gone"] = True
    for name in TRACKED:
        v = getattr(st, name)
        if v is not None:
            out[name] = v.isoformat() if isinstance(v, dt.date) else v
    if r.stay is not None:
        stage, start, known, interrupted = r.stay
        out["stay"] = [stage, _stamp(start), known, interrupted]
    if r.held:
        out["held"] = list(r.held)
    if r.done:
        out["done"] = [list(d) for d in r.done]
    if r.slips:
        out["slips"] = r.slips
    if r.first_close is not None:
        out["first_close"] = r.first_close.isoformat()
    out["entries"] = r.entries
    return _json(out)
