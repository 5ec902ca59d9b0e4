"""The figures derived from the history: stage entry dates, days in stage, furthest stage, slips.

Implements what ``specs/pipeline-metrics.md`` says "needs stage history": *days
in stage* ``T − date the deal entered its stage`` and the stage-entered date of
the stale rule (*Activity and follow-up*), and the furthest stage a lost deal
reached, for *reached(s)* and stage conversion (*Funnel and conversion*);
handed to the metrics by :func:`stage_history_for_metrics`.  Average days per
stage and slipped close dates are *ours*: the spec has no row for them.

Each deal's changes are replayed into a timeline of stays (:class:`Stay`:
stage, start, whether the start is known, whether it was interrupted), from
the entries up to the end of the as-of day.

Rules chosen where the issue left a choice
------------------------------------------
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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sheetsync.history.log import History
from sheetsync.history.records import DEAL, Change, Rollup, _first_by_key
from sheetsync.metrics.facts import _gc_paused, _Memo
from sheetsync.metrics.settings import StageHistory
from sheetsync.model import (
    Deal,
    Outcome,
    Pipeline,
    Stage,
    stage_key,
)


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


class _Timeline:
    """One deal's stays and close-date changes, as :func:`_timelines` replays them."""

    __slots__ = (
        "stays",
        "present",
        "back_at",
        "closes",
        "first_close",
        "label",
        "held",
        "done",
        "slips",
    )

    def __init__(self) -> None:
        self.stays: list[Stay] = []
        self.present = False
        self.back_at: dt.datetime | None = None  # when the deal was last re-added
        self.closes: list[tuple[dt.date | None, dt.date | None]] = []
        self.first_close: dt.date | None = None
        self.label: str | None = None
        # what a rollup kept of the stays and slips before it (see `Rolled`)
        self.held: tuple[str, ...] = ()
        self.done: tuple[tuple[str, int, int], ...] = ()
        self.slips = 0

    @property
    def current(self) -> Stay | None:
        if self.stays and self.stays[-1].end is None:
            return self.stays[-1]
        return None


def _timelines(
    history: History, as_of: dt.date | None = None, *, keep: bool = False
) -> dict[str, _Timeline]:
    """Per deal key: its stays and close dates, from the log up to ``as_of``.

    With ``keep`` the replay is kept on the history for the next figure of the
    same day, which takes it (once: it is not kept alive longer) instead of
    replaying a year of log again: :func:`stage_history_for_metrics` keeps it
    for :func:`summarize` (``jobs.analyse`` asks for one, then the other).  It
    is taken only while the log is the same list, as long, with the same last
    change (the log is append-only; changes are immutable).
    """
    log = history.changes
    last = log[-1] if log else None
    base = history.base
    kept, history._replayed = history._replayed, None
    if kept is not None:
        k_as_of, k_log, k_len, k_last, k_base, lines = kept
        if (
            k_log is log
            and k_len == len(log)
            and k_last is last
            and k_as_of == as_of
            and k_base is base
        ):
            return lines  # type: ignore[no-any-return]
    out = _replay_timelines(history.until(as_of), base)
    if keep:
        history._replayed = (as_of, log, len(log), last, base, out)
    return out


def _replay_timelines(changes: list[Change], base: Rollup | None = None) -> dict[str, _Timeline]:
    out: dict[str, _Timeline] = {}
    get = out.get
    first = changes[0].at if changes else None
    if base is not None:
        first = base.began
        for key, r in base.deals.items():
            t = out[key] = _Timeline()
            t.present, t.label = r.state.present, r.state.label
            if r.stay is not None:
                stage, start, known, interrupted = r.stay
                t.stays.append(Stay(stage, start, None, known, interrupted))
            t.held, t.done, t.slips, t.first_close = r.held, r.done, r.slips, r.first_close
    for c in changes:
        t = get(c.deal_key)
        if t is None:
            t = out[c.deal_key] = _Timeline()
        name = c.field
        if name == "stage":
            stays = t.stays
            if stays and stays[-1].end is None:  # t.current
                stays[-1].end = c.at
            if c.new is not None:
                at = c.at
                stays.append(Stay(c.new, at, None, at != first and at != t.back_at))
        elif name == DEAL:
            if c.new is not None:
                if t.label is not None:  # seen before: back after a removal
                    t.back_at = c.at
                t.present, t.label = True, c.new
            else:
                t.present = False
                cur = t.current
                if cur is not None:
                    cur.interrupted = True
        elif name == "close_date":
            t.closes.append((c.old, c.new))
            if t.first_close is None and c.new is not None:
                t.first_close = c.new
    return out


class _Stages:
    """Stage lookups by name for one call (a log and a sheet spell few stage names).

    ``named[name]`` is ``pipeline.stage(name)`` and ``open[name]``
    ``_open_stage(pipeline, name)``, each looked up once per name.
    """

    __slots__ = ("named", "open")

    def __init__(self, pipeline: Pipeline) -> None:
        self.named: _Memo[str | None, Stage | None] = _Memo(pipeline.stage)
        self.open: _Memo[str | None, Stage | None] = _Memo(self._open)

    def _open(self, name: str | None) -> Stage | None:
        st = self.named[name]
        return st if st is not None and st.outcome is Outcome.OPEN else None


_KEYS: dict[str, str] = {}


def _stage_key(name: str) -> str:
    """``stage_key``, remembered (bounded: stage names are few, but a log is user-editable)."""
    key = _KEYS.get(name)
    if key is None:
        key = stage_key(name)
        if len(_KEYS) < 10_000:
            _KEYS[name] = key
    return key


def _open_stage(pipeline: Pipeline, name: str | None) -> Stage | None:
    st = pipeline.stage(name)
    return st if st is not None and st.outcome is Outcome.OPEN else None


#
# Each public figure replays the log once; `summarize` replays it once for all
# of them (the `_…_of` helpers take the replayed timelines, and the deals of
# the sheet each key's first row, `_first_by_key`).


def _entered_of(lines: dict[str, _Timeline], deals: Iterable[Deal]) -> dict[str, Stay]:
    out: dict[str, Stay] = {}
    get = lines.get
    for d in deals:
        # the open stay matching the deal's stage now (none if the log disagrees)
        t = get(d.key)
        stage = d.stage
        if t is None or stage is None or not t.stays:
            continue
        cur = t.stays[-1]
        if cur.end is None and (cur.stage == stage or _stage_key(cur.stage) == _stage_key(stage)):
            out[d.key] = cur
    return out


def stage_entered(
    history: History, pipeline: Pipeline, as_of: dt.date | None = None
) -> dict[str, dt.date]:
    """Deal key → the day it entered its current stage, per the log up to ``as_of``.

    For a stay under way when history began this is the first run's day (a
    lower bound).  Deals whose stage in the sheet differs from the log's
    (not recorded yet) are left out.
    """
    stays = _entered_of(_timelines(history, as_of), _first_by_key(pipeline.deals))
    return {k: s.start.date() for k, s in stays.items()}


def days_in_current_stage(history: History, pipeline: Pipeline, as_of: dt.date) -> dict[str, int]:
    """Deal key → whole days since it entered its current stage (``T − entered``, ≥ 0)."""
    return {
        k: max(0, (as_of - day).days) for k, day in stage_entered(history, pipeline, as_of).items()
    }


def _furthest_of(
    lines: dict[str, _Timeline], deals: Iterable[Deal], look: _Stages
) -> dict[str, str]:
    out: dict[str, str] = {}
    open_stage = look.open
    get = lines.get
    for d in deals:
        t = get(d.key)
        best: Stage | None = None
        if t is not None:
            for s in t.stays:
                st = open_stage[s.stage]
                if st is not None and (best is None or st.index > best.index):
                    best = st
            for name in t.held:
                st = open_stage[name]
                if st is not None and (best is None or st.index > best.index):
                    best = st
        st = open_stage[d.stage]
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
    lines = _timelines(history, as_of)
    return _furthest_of(lines, _first_by_key(pipeline.deals), _Stages(pipeline))


def _average_of(
    lines: dict[str, _Timeline], pipeline: Pipeline, look: _Stages | None = None
) -> dict[str, float]:
    named = (look or _Stages(pipeline)).named
    sums: dict[str, list[int]] = {}
    for t in lines.values():
        for s in t.stays:
            # s.completed, spelled out
            if s.end is not None and s.start_known and not s.interrupted:
                st = named[s.stage]
                if st is not None:
                    acc = sums.setdefault(st.name, [0, 0])
                    acc[0] += (s.end.date() - s.start.date()).days
                    acc[1] += 1
        for name, days, stays in t.done:
            st = named[name]
            if st is not None:
                acc = sums.setdefault(st.name, [0, 0])
                acc[0] += days
                acc[1] += stays
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
        times = t.slips
        for old, new in t.closes:
            if old is not None and new is not None and new > old:
                times += 1
        if times:
            out[key] = times
    return out


def slipped_deals(history: History, as_of: dt.date | None = None) -> dict[str, int]:
    """Deal key → how many times its close date was moved to a later date."""
    return _slipped_of(_timelines(history, as_of))


def _for_metrics(
    lines: dict[str, _Timeline], pipeline: Pipeline, derived: list[Any] | None = None
) -> StageHistory:
    deals = list(_first_by_key(pipeline.deals))
    furthest = _furthest_of(lines, deals, _Stages(pipeline))
    stays = _entered_of(lines, deals)
    if derived is not None:  # for summarize, which needs the same three
        derived.extend((deals, furthest, stays))
    out: dict[str, tuple[dt.date | None, str | None]] = {}
    for d in deals:
        stay = stays.get(d.key)
        entered = stay.start.date() if stay is not None and stay.start_known else None
        if entered is not None or d.key in furthest:
            out[d.key] = (entered, furthest.get(d.key))
    return out


@_gc_paused
def stage_history_for_metrics(history: History, pipeline: Pipeline, as_of: dt.date) -> StageHistory:
    """What :func:`sheetsync.metrics.compute_metrics` takes as ``history``.

    Deal key → (day it entered its current stage, furthest open stage name).
    The entered day is None when the stay's start is unknown (under way when
    history began, or begun while the deal was away): the stale rule then
    uses the deal's own dates.  Deals the log knows nothing useful about are
    left out (metrics treat them as having no history).
    """
    lines = _timelines(history, as_of, keep=True)
    derived: list[Any] = []
    out = _for_metrics(lines, pipeline, derived)
    history._derived = (lines, pipeline, len(pipeline.deals), *derived)
    return out
