"""Coaching signals: what the shape of a rep's funnel says to do next.

Implements *Coaching signals from the sales-pipeline method* (*ours*) of
``specs/pipeline-metrics.md``: top of funnel empty, bottom of funnel empty,
closing weakness, decision maker unknown, budget / timeframe unknown, stalled
prospect, big deals (:data:`SIGNAL_CODES`, each with its :data:`ADVICE`).
Each fired signal names the deals or counts that triggered it; the thresholds
are :class:`~sheetsync.metrics.settings.MetricsSettings`.

Decisions where the spec was open: signals are computed for the team
(``owner: None``, all deals) and for each owner.  "Early" deals are open deals
at the appointment stage or before; "late" deals are open deals with
``p ≥ late_stage_probability`` (any stage).  The funnel-shape signals look at
every open deal, whatever its close date.  ``closing-weakness`` looks at the
deals closed in the window (the same deals as the win rate): those that
reached the appointment stage, and how many of them were won.
``budget-timeframe-unknown`` treats an amount of 0 as no amount.
``big-deals`` fires when the fewest open deals carrying ``big_deal_share`` of
the weighted value are at most ``big_deal_max_deals`` and fewer than
``big_deal_share`` of the open deals with a weighted value (so an even spread
never fires), with at least ``big_deal_min_open`` such deals.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sheetsync.metrics.activity import stale_deals
from sheetsync.metrics.facts import _OPEN, _Facts, _Lookup, _money, _pct, _plural, _r
from sheetsync.metrics.settings import MetricsSettings, StageHistory
from sheetsync.metrics.stages import appointment_stage, presentation_stages, qualification_stage
from sheetsync.model import Deal, Outcome, Pipeline

#: Signal codes, in the order they are reported within a scope.
SIGNAL_CODES: tuple[str, ...] = (
    "top-of-funnel-empty",
    "bottom-of-funnel-empty",
    "closing-weakness",
    "decision-maker-unknown",
    "budget-timeframe-unknown",
    "stalled-prospect",
    "big-deals",
)


#: The advice each signal carries (from the spec's coaching table).
ADVICE: dict[str, str] = {
    "top-of-funnel-empty": "Make more prospecting (cold) calls.",
    "bottom-of-funnel-empty": (
        "Make fewer prospecting calls; research your prospects and give presentations."
    ),
    "closing-weakness": "Work on closing.",
    "decision-maker-unknown": "Confirm you are talking to the person who can buy.",
    "budget-timeframe-unknown": "Ask about budget (similar past purchases) and urgency.",
    "stalled-prospect": "Offer a free trial or demo.",
    "big-deals": "One large sale can outweigh several small ones.",
}


@dataclass(frozen=True, slots=True)
class Signal:
    """A coaching signal that fired, for one owner (``owner`` None: the team)."""

    code: str
    owner: str | None
    message: str
    advice: str
    deals: tuple[str, ...] = ()
    counts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        counts = {k: (_r(v, 4) if isinstance(v, float) else v) for k, v in self.counts.items()}
        return {
            "code": self.code,
            "owner": self.owner,
            "message": self.message,
            "advice": self.advice,
            "deals": list(self.deals),
            "counts": counts,
        }


class _Roles:
    """The stages the signals name, looked up once per pipeline (see the module notes)."""

    __slots__ = ("appt", "qual", "presenting", "dm_known")

    def __init__(self, pipeline: Pipeline) -> None:
        self.appt = appointment_stage(pipeline)
        self.qual = qualification_stage(pipeline) or self.appt
        self.presenting = {s.name for s in presentation_stages(pipeline)}
        # A sheet read without a decision-maker column says nothing about it.
        self.dm_known = not pipeline.columns or "decision_maker" in pipeline.columns


def coaching_signals(
    pipeline: Pipeline,
    deals: Sequence[Deal],
    as_of: dt.date,
    *,
    owner: str | None = None,
    settings: MetricsSettings | None = None,
    history: StageHistory | None = None,
    stale_keys: Iterable[str] | None = None,
) -> list[Signal]:
    """The coaching signals that fire for ``deals`` (one owner's, or the team's).

    ``stale_keys`` are the keys of the stale deals (computed from ``pipeline``
    when not given).  Signals come in :data:`SIGNAL_CODES` order.
    """
    settings = settings or MetricsSettings()
    if stale_keys is None:
        stale_keys = [r.key for r in stale_deals(pipeline, as_of, settings, history)]
    stale = set(stale_keys)
    roles = _Roles(pipeline)
    look = _Lookup(pipeline)
    facts = _Facts.of(pipeline, deals, look, history, furthest=roles.appt is not None)
    return _signals(facts, as_of, owner, settings, roles, stale)


def _signals(
    facts: _Facts,
    as_of: dt.date,
    owner: str | None,
    settings: MetricsSettings,
    roles: _Roles,
    stale: set[str],
) -> list[Signal]:
    """:func:`coaching_signals` over facts (furthest indices needed when there is an appointment)."""
    appt, qual, presenting = roles.appt, roles.qual, roles.presenting
    out: list[Signal] = []

    def fire(code: str, message: str, keys: Iterable[Deal], **counts: Any) -> None:
        out.append(
            Signal(
                code=code,
                owner=owner,
                message=message,
                advice=ADVICE[code],
                deals=tuple(d.key for d in keys),
                counts=counts,
            )
        )

    # One pass over the open deals sorts them into every list a signal looks at
    # (each list keeps the order of ``facts``).
    late_p = settings.late_stage_probability
    appt_i = appt.index if appt is not None else None
    qual_i = qual.index if qual is not None else None
    late: list[Deal] = []
    early: list[Deal] = []  # open stage at the appointment or before
    at_appt: list[Deal] = []  # open stage at the appointment or later, no confirmed DM
    past: list[Deal] = []  # open stage past qualification
    stalled: list[Deal] = []
    valued: list[Deal] = []  # open deals with a weighted value, and those values
    weights: list[float] = []
    for d, ost, p, weighted in zip(
        facts.deals, facts.open_stage, facts.p, facts.weighted, strict=True
    ):
        if d.status is not _OPEN:
            continue
        if p >= late_p:
            late.append(d)
        if ost is not None:
            i = ost.index
            if appt_i is not None:
                if i <= appt_i:
                    early.append(d)
                if i >= appt_i and d.decision_maker is not True:
                    at_appt.append(d)
            if qual_i is not None and i > qual_i:
                past.append(d)
            if d.key in stale and ost.name in presenting:
                stalled.append(d)
        if weighted > 0:
            valued.append(d)
            weights.append(weighted)
    threshold = _pct(settings.late_stage_probability)

    # top of funnel empty: many late deals, (almost) none at the appointment stage or before
    if (
        appt is not None
        and len(late) >= settings.top_empty_min_late
        and len(early) <= settings.top_empty_max_early
    ):
        fire(
            "top-of-funnel-empty",
            f"{_plural(len(late), 'open deal')} {'is' if len(late) == 1 else 'are'} in late "
            f"stages (p ≥ {threshold}) and {len(early) or 'none'} at "
            f"“{appt.name}” or earlier.",
            late,
            late=len(late),
            early=len(early),
        )

    # bottom of funnel empty: many early deals, few late ones
    if (
        appt is not None
        and len(early) >= settings.bottom_empty_min_early
        and len(late) <= settings.bottom_empty_max_late
    ):
        fire(
            "bottom-of-funnel-empty",
            f"{_plural(len(early), 'open deal')} {'is' if len(early) == 1 else 'are'} at "
            f"“{appt.name}” or earlier and only {len(late)} in late stages (p ≥ {threshold}).",
            early,
            early=len(early),
            late=len(late),
        )

    # closing weakness: many closed deals reached the appointment, few of them won
    if appt is not None:
        window = settings.win_rate_window_days
        start = as_of - dt.timedelta(days=window)
        reached = [
            d
            for d, far in zip(facts.deals, facts.far, strict=True)
            if d.status is not _OPEN
            and (day := d.close_date) is not None
            and start < day <= as_of
            and far >= appt.index
        ]
        won = [d for d in reached if d.status is Outcome.WON]
        if reached and len(reached) >= settings.closing_min_appointments:
            conversion = len(won) / len(reached)
            if conversion <= settings.closing_max_conversion:
                fire(
                    "closing-weakness",
                    f"Of {_plural(len(reached), 'deal')} closed in the last "
                    f"{window} days that reached “{appt.name}”, "
                    f"{len(won)} {'was' if len(won) == 1 else 'were'} won ({_pct(conversion)}).",
                    [d for d in reached if d.status is Outcome.LOST],
                    appointments=len(reached),
                    won=len(won),
                    conversion=conversion,
                )

    # decision maker unknown: open deal at or past the appointment, decision maker not confirmed
    if appt is not None and roles.dm_known:
        found = at_appt
        if found:
            fire(
                "decision-maker-unknown",
                f"{_plural(len(found), 'open deal')} at “{appt.name}” or later "
                f"{'has' if len(found) == 1 else 'have'} no confirmed decision maker.",
                found,
                deals=len(found),
            )

    # budget / timeframe unknown: open deal past qualification, no amount or no close date
    if qual is not None:
        no_amount = [d for d in past if not d.amount]
        no_date = [d for d in past if d.close_date is None]
        found = [d for d in past if not d.amount or d.close_date is None]
        if found:
            fire(
                "budget-timeframe-unknown",
                f"{_plural(len(found), 'open deal')} past “{qual.name}” "
                f"{'lacks' if len(found) == 1 else 'lack'} an amount or an expected close date "
                f"({len(no_amount)} without amount, {len(no_date)} without close date).",
                found,
                deals=len(found),
                no_amount=len(no_amount),
                no_close_date=len(no_date),
            )

    # stalled prospect: stale deal in a presentation/demo stage
    if stalled:
        fire(
            "stalled-prospect",
            f"{_plural(len(stalled), 'deal')} in a presentation/demo stage "
            f"{'has' if len(stalled) == 1 else 'have'} gone quiet past the stage's rot days.",
            stalled,
            deals=len(stalled),
        )

    # big deals: the few open deals that carry most of the weighted value.  The
    # definition sorts the deals by weighted value (largest first, then by row)
    # and takes them until they carry the share; the total is summed in that
    # order.  Only the values are needed for the total and the count (sorting
    # plain floats is much faster, and equal floats are interchangeable in a
    # sum), and the deals only when it fires (at most `big_deal_max_deals`).
    if valued and len(valued) >= settings.big_deal_min_open:

        def big_order(i: int) -> tuple[float, int]:
            return (-weights[i], valued[i].row)

        if all(type(w) is float for w in weights):
            ordered = sorted(weights, reverse=True)
        else:  # ints and floats: keep the exact order of the definition
            ordered = [weights[i] for i in sorted(range(len(weights)), key=big_order)]
        total = sum(ordered)
        target = settings.big_deal_share * total
        limit = settings.big_deal_max_deals
        carried = 0.0
        n_big = 0
        for w in ordered:
            if carried >= target - 1e-9 * total or n_big > limit:
                break  # (past the limit it cannot fire: no need to go on)
            carried += w
            n_big += 1
        if n_big <= limit and n_big < settings.big_deal_share * len(valued):
            # the first n_big of the definition's order (nsmallest is stable)
            big = [valued[i] for i in heapq.nsmallest(n_big, range(len(valued)), key=big_order)]
            fire(
                "big-deals",
                f"{n_big} of {_plural(len(valued), 'open deal')} "
                f"{'carries' if n_big == 1 else 'carry'} {_pct(carried / total)} "
                f"of the weighted pipeline ({_money(carried)} of {_money(total)}).",
                big,
                deals=n_big,
                open=len(valued),
                share=carried / total,
                weighted=carried,
                total_weighted=total,
            )
    return out
