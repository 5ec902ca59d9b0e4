"""What every metric looks up about a deal, once per call: the shared ground of the metrics.

Implements the *Status and probability* section of ``specs/pipeline-metrics.md``
as the metrics read it: a deal's stage, effective probability ``p`` and
weighted value ``amount × p`` (no amount: 0), gathered once per call in
:class:`_Facts` so that quota progress, the funnel and the signals do not each
look them up again; and the furthest stage a deal reached (the evidence of
*reached(s)* in *Funnel and conversion*).

Definitions:

* a deal's *furthest index*: won deals reach every stage (``inf``); else the
  furthest open stage among an open deal's current stage, a lost deal's
  ``lost_stage`` column and the ``furthest`` stage a history gives; a lost
  deal with no evidence reaches only the first open stage;
* the deals *closed in the window*: won or lost, with a close date in
  ``(T − window, T]``; closed deals with no close date are left out;
* a :class:`DealRef` names a deal by its label (name, else company, else key);
* signal messages and the text report write money as ``12,345.00`` and
  rates as ``34.0 %`` (:func:`_money`, :func:`_pct`);
* rounding happens in ``to_dict`` only: amounts, days and velocity to 2
  decimals, rates and ratios to 4 (:func:`_r`).

:func:`_gc_paused` and :class:`_Memo` serve the history and the follow-ups too:
they are the two tools that keep a 100k-deal run fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from sheetsync.lazyseq import MadeOnRead
from sheetsync.metrics.settings import StageHistory
from sheetsync.metrics.stages import _open_stages
from sheetsync.model import Deal, Outcome, Pipeline, Stage


def _r(value: float | None, digits: int) -> float | None:
    if value is None:
        return None
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _json(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@dataclass(slots=True, unsafe_hash=True)
class DealRef:
    """A deal as the lists name it, plus what matters for the list (``extra``).

    Not frozen, because the lists of a 100k-deal pipeline make hundreds of
    thousands of these and a frozen dataclass is several times slower to
    build; equality and hashing are those of a frozen one (and, like before,
    ``extra`` being a dict makes hashing fail).  Treat it as read-only.
    """

    key: str
    deal: str
    owner: str | None
    stage: str | None
    amount: float | None
    row: int
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, deal: Deal, **extra: Any) -> DealRef:
        return cls(deal.key, deal.label, deal.owner, deal.stage, deal.amount, deal.row, extra)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "deal": self.deal,
            "owner": self.owner,
            "stage": self.stage,
            "amount": _r(self.amount, 2),
            "row": self.row,
        }
        out.update({k: _json(v) for k, v in self.extra.items()})
        return out


#
# Speed: a 100k-deal pipeline is the target.  Each public function below is a
# thin wrapper; `compute_metrics` looks every deal's stage, probability,
# weighted value and furthest stage up *once* (`_Facts`) and hands them to the
# internal `_…` helpers, for the team and for each owner's group, instead of
# asking the pipeline again in every pass.  The helpers keep the order of
# every loop and sum of the plain definitions, so each float is computed
# exactly as before.

_OPEN, _WON, _LOST = Outcome.OPEN, Outcome.WON, Outcome.LOST


_NO_HISTORY: tuple[None, None] = (None, None)


_P = ParamSpec("_P")


_R = TypeVar("_R")


def _gc_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with the cyclic garbage collector paused (as ``jobs`` does for a whole job).

    On a 100k-deal sheet these functions make hundreds of thousands of small
    objects that outlive the call (lists of deals, actions, history changes);
    with the collector on, each batch of them sets off a full collection that
    scans every object of the process, again and again: more time than the
    computing itself.  Nothing made here needs cycle collection; the previous
    state is restored after, and nothing changes when it is already paused.
    """

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def _amount(deal: Deal) -> float:
    return deal.amount if deal.amount is not None else 0.0


def _closed_in_window(deals: Iterable[Deal], as_of: dt.date, window_days: int) -> list[Deal]:
    start = as_of - dt.timedelta(days=window_days)
    return [
        d
        for d in deals
        if d.status is not _OPEN and (day := d.close_date) is not None and start < day <= as_of
    ]


def _history_of(history: StageHistory | None, deal: Deal) -> tuple[dt.date | None, str | None]:
    if not history:
        return None, None
    return history.get(deal.key, (None, None))


def _as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _ref(deal: Deal, extra: dict[str, Any]) -> DealRef:
    return DealRef(deal.key, deal.label, deal.owner, deal.stage, deal.amount, deal.row, extra)


_F = TypeVar("_F")


class DealRefs(MadeOnRead[DealRef]):
    """One of the metrics' deal lists, each :class:`DealRef` made when first looked at.

    The lists are found in full (their order and length are the metric), but
    a nightly sync shows only how many each holds: on a 100k-deal sheet the
    four lists name 180,000 deals that the Summary tab counts and nobody
    reads.  So a list keeps what its rule found (``found``, one entry a
    deal, in the list's order) and makes a deal's ref, with ``make``, only
    when it is read (``metrics --json`` and the text report read them all).
    ``len`` needs none made.  Equal to a list of the same refs.
    """

    __slots__ = ("_found", "_ref")

    _noun = "deal"

    def __init__(self, found: list[_F], make: Callable[[_F], DealRef]) -> None:
        super().__init__(len(found))
        self._found: list[Any] = found
        self._ref: Callable[[Any], DealRef] = make

    def _make(self, i: int) -> DealRef:
        return self._ref(self._found[i])


_K = TypeVar("_K")


_V = TypeVar("_V")


class _Memo(dict[_K, _V]):
    """``memo[key]`` is ``compute(key)``, computed once per key (a hit costs a dict lookup)."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[_K], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: _K) -> _V:
        value = self[key] = self.compute(key)
        return value


class _Lookup:
    """Stage lookups of one pipeline for the length of one call (stages do not change meanwhile).

    ``named[name]`` is ``pipeline.stage(name)``, looked up once per name (a
    sheet spells few stage names).
    """

    __slots__ = ("named", "open_stages", "first_open")

    def __init__(self, pipeline: Pipeline) -> None:
        self.named: _Memo[str | None, Stage | None] = _Memo(pipeline.stage)
        self.open_stages = _open_stages(pipeline)
        self.first_open: float = self.open_stages[0].index if self.open_stages else -math.inf


def _furthest(
    look: _Lookup, deal: Deal, stage: Stage | None, history: StageHistory | None
) -> float:
    """:func:`furthest_index` with the deal's stage (``pipeline.stage_of``) already known."""
    status = deal.status
    if status is _WON:
        return math.inf
    named = look.named
    seen = named[history.get(deal.key, _NO_HISTORY)[1] if history else None]
    other = stage if status is _OPEN else named[deal.lost_stage]
    indices = [s.index for s in (seen, other) if s is not None and s.outcome is _OPEN]
    if indices:
        return max(indices)
    if status is _LOST:
        return look.first_open
    return -math.inf


@dataclass(slots=True, eq=False)  # compared and hashed by identity, as before
class _Facts:
    """What the metrics look up about each deal, once per call, in the order of ``deals``.

    ``stage`` is ``pipeline.stage_of(deal)``; ``open_stage`` that stage when
    it is an open one, else None; ``p`` the effective probability;
    ``weighted`` amount × p (no amount: 0); ``far`` the furthest index
    (:func:`furthest_index`; ``-inf`` when not asked for).  One list per
    figure rather than a tuple per deal: on a 100k-deal sheet that is 100k
    objects fewer for the cyclic garbage collector to scan, again and again.
    """

    deals: list[Deal]
    stage: list[Stage | None]
    open_stage: list[Stage | None]
    p: list[float]
    weighted: list[float]
    far: list[float]

    @classmethod
    def of(
        cls,
        pipeline: Pipeline,
        deals: Iterable[Deal],
        look: _Lookup,
        history: StageHistory | None = None,
        *,
        furthest: bool = False,
    ) -> _Facts:
        deals = list(deals)
        stage_of = pipeline.stage_of
        probability = pipeline.effective_probability
        stage = [stage_of(d) for d in deals]
        p = [probability(d) for d in deals]
        return cls(
            deals,
            stage,
            [st if st is not None and st.outcome is _OPEN else None for st in stage],
            p,
            [
                (d.amount if d.amount is not None else 0.0) * x
                for d, x in zip(deals, p, strict=True)
            ],
            [_furthest(look, d, st, history) for d, st in zip(deals, stage, strict=True)]
            if furthest
            else [-math.inf] * len(deals),
        )

    def pick(self, indices: Iterable[int]) -> _Facts:
        """The facts of the deals at ``indices``, in that order."""
        indices = list(indices)
        lists = (self.deals, self.stage, self.open_stage, self.p, self.weighted, self.far)
        return _Facts(*([values[i] for i in indices] for values in lists))


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
