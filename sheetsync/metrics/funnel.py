"""Funnel and conversion: the stage mix, and how many deals reached each stage.

Implements *stage mix*, *reached(s)* and *stage conversion* of *Funnel and
conversion* in ``specs/pipeline-metrics.md``: per open stage, in stage order,
count, Σ amount and Σ weighted; ``reached(s)`` the deals whose furthest stage
is at or beyond ``s``; conversion ``reached(s+1) / reached(s)``.

Decisions where the spec was open:

* **Stage mix and reached** cover every deal in the sheet (the funnel is the
  current pipeline, not the period); deals whose stage matches no known
  stage are left out (validation reports them).
* **Reached**: a deal's furthest stage is the furthest of all the evidence:
  an open deal's current stage, a lost deal's ``lost_stage`` column, and the
  ``furthest`` stage a history gives; a lost deal with no evidence reaches
  only the first stage; won deals reach every stage.  Only open stages count
  as evidence.  Won stages are reached by won deals only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sheetsync.metrics.facts import _OPEN, _Facts, _furthest, _Lookup, _r
from sheetsync.metrics.settings import StageHistory
from sheetsync.metrics.stages import _stage_of
from sheetsync.model import Deal, Outcome, Pipeline, Stage

_K = TypeVar("_K")


@dataclass(frozen=True, slots=True)
class StageMix:
    name: str
    count: int
    amount: float
    weighted: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "count": self.count,
            "amount": _r(self.amount, 2),
            "weighted": _r(self.weighted, 2),
        }


@dataclass(frozen=True, slots=True)
class StageReach:
    name: str
    reached: int
    conversion: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "reached": self.reached, "conversion": _r(self.conversion, 4)}


def stage_mix(pipeline: Pipeline, deals: Iterable[Deal] | None = None) -> list[StageMix]:
    """Count, Σ amount and Σ weighted of the open deals, per open stage in order."""
    deals = pipeline.deals if deals is None else deals
    look = _Lookup(pipeline)
    return _stage_mix(look, _Facts.of(pipeline, deals, look))


def _stage_mix(look: _Lookup, facts: _Facts) -> list[StageMix]:
    rows = {s.name: [0, 0.0, 0.0] for s in look.open_stages}
    for d, ost, weighted in zip(facts.deals, facts.open_stage, facts.weighted, strict=True):
        if ost is None or d.status is not _OPEN:
            continue
        row = rows[ost.name]
        row[0] += 1
        row[1] += d.amount if d.amount is not None else 0.0
        row[2] += weighted
    return [StageMix(name, int(c), a, w) for name, (c, a, w) in rows.items()]


def open_stage_counts(
    pipeline: Pipeline, group: Callable[[Deal], _K], deals: Iterable[Deal] | None = None
) -> dict[_K, list[int]]:
    """The count column of :func:`stage_mix` for each ``group(deal)``, in one pass.

    ``counts[g][i]`` is ``stage_mix(pipeline, deals of group g)[i].count``: the
    open deals at the i-th open stage.  The funnel tab's owner-by-stage table
    shows only these counts, so they are counted here rather than each
    owner's amounts and weighted values summed to be thrown away.  A group
    with no open deal at a known stage has no entry.
    """
    deals = pipeline.deals if deals is None else deals
    position = {s.name: i for i, s in enumerate(_Lookup(pipeline).open_stages)}
    width = len(position)
    stage_of = pipeline.stage_of
    counts: dict[_K, list[int]] = {}
    for d in deals:
        if d.status is not _OPEN:
            continue
        st = stage_of(d)
        if st is None or st.outcome is not _OPEN:
            continue
        g = group(d)
        row = counts.get(g)
        if row is None:
            row = counts[g] = [0] * width
        row[position[st.name]] += 1
    return counts


def furthest_index(pipeline: Pipeline, deal: Deal, history: StageHistory | None = None) -> float:
    """The pipeline index of the furthest open stage ``deal`` reached.

    ``math.inf`` for a won deal (it reached every stage); ``-math.inf`` when
    nothing is known (an open deal with an unknown stage).  Evidence: an open
    deal's stage, a lost deal's ``lost_stage``, the history's furthest stage;
    a lost deal with none reached the first open stage.
    """
    return _furthest(_Lookup(pipeline), deal, _stage_of(pipeline, deal), history)


def _reaches(stage: Stage, furthest: float) -> bool:
    if stage.outcome is Outcome.WON:
        return furthest == math.inf
    return furthest >= stage.index


def reached_counts(
    pipeline: Pipeline, deals: Iterable[Deal] | None = None, history: StageHistory | None = None
) -> list[StageReach]:
    """reached(s) for every non-lost stage in order, with conversion to the next stage.

    ``conversion = reached(s+1) / reached(s)``; None for the last stage or when
    reached(s) is 0.
    """
    deals = list(pipeline.deals if deals is None else deals)
    look = _Lookup(pipeline)
    stage_of = pipeline.stage_of
    return _reached(pipeline, [_furthest(look, d, stage_of(d), history) for d in deals])


def _reached(pipeline: Pipeline, furthest: Iterable[float]) -> list[StageReach]:
    funnel = sorted(
        (s for s in pipeline.stages if s.outcome is not Outcome.LOST), key=lambda s: s.index
    )
    # a deal's furthest index is one of a few values: count each value once
    tally: dict[float, int] = {}
    for f in furthest:
        tally[f] = tally.get(f, 0) + 1
    counts = [sum(n for f, n in tally.items() if _reaches(s, f)) for s in funnel]
    out = []
    for i, s in enumerate(funnel):
        conv = None
        if i + 1 < len(funnel) and counts[i]:
            conv = counts[i + 1] / counts[i]
        out.append(StageReach(s.name, counts[i], conv))
    return out
