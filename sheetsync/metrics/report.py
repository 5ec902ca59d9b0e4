"""The metrics of one run: every figure at once, as data, as JSON and as text.

:func:`compute_metrics` gathers every section of ``specs/pipeline-metrics.md``
for the team and each owner in one pass over the deals (quota progress,
funnel, rates, follow-up lists, coaching signals), into :class:`Metrics`;
``Metrics.to_dict`` rounds (amounts, days and velocity to 2 decimals, rates
and ratios to 4) and ``Metrics.text`` renders the plain-text report.  The
definitions live with each figure: :mod:`~sheetsync.metrics.quota`,
:mod:`~sheetsync.metrics.funnel`, :mod:`~sheetsync.metrics.rates`,
:mod:`~sheetsync.metrics.activity`, :mod:`~sheetsync.metrics.coaching`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sheetsync.metrics.activity import (
    _no_next_step_refs,
    _overdue_refs,
    _stale,
    _stale_refs,
    _undated_refs,
)
from sheetsync.metrics.coaching import Signal, _Roles, _signals
from sheetsync.metrics.facts import (
    _OPEN,
    DealRef,
    _as_date,
    _closed_in_window,
    _Facts,
    _gc_paused,
    _Lookup,
    _money,
    _pct,
    _plural,
    _r,
)
from sheetsync.metrics.funnel import StageMix, StageReach, _reached, _stage_mix
from sheetsync.metrics.quota import (
    Period,
    QuotaProgress,
    _progress,
    _team_progress,
    owner_key,
    period_bounds,
    quota_for,
)
from sheetsync.metrics.rates import (
    WinRate,
    average_deal_size,
    compute_win_rate,
    sales_cycle_days,
    sales_velocity,
)
from sheetsync.metrics.settings import MetricsSettings, StageHistory
from sheetsync.model import Pipeline


@dataclass(frozen=True, slots=True)
class Metrics:
    as_of: dt.date
    period: Period
    team: QuotaProgress
    owners: list[QuotaProgress]
    stages: list[StageMix]
    reached: list[StageReach]
    win_rate: WinRate
    avg_deal_size: float | None
    cycle_days: float | None
    velocity: float | None
    overdue: Sequence[DealRef]
    stale: Sequence[DealRef]
    no_next_step: Sequence[DealRef]
    undated: Sequence[DealRef]
    signals: list[Signal]
    #: Figures from the recorded stage history (``history.HistorySummary.to_dict()``), when known.
    history: dict[str, Any] | None = None

    def to_dict(self, *, deal_lists: bool = True) -> dict[str, Any]:
        """The metrics as JSON values; ``deal_lists=False`` leaves the lists of deals out.

        The owned tabs show only how many deals each list has (``len`` of the
        attribute): on a 100k-deal sheet the four lists hold about 180,000
        deals, and turning each into a dict only to count it was a second of
        a night's run.
        """
        out: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "team": self.team.to_dict(),
            "owners": [o.to_dict() for o in self.owners],
            "stages": [s.to_dict() for s in self.stages],
            "reached": [r.to_dict() for r in self.reached],
            "win_rate": self.win_rate.to_dict(),
            "avg_deal_size": _r(self.avg_deal_size, 2),
            "cycle_days": _r(self.cycle_days, 2),
            "velocity": _r(self.velocity, 2),
        }
        if deal_lists:
            out["overdue"] = [d.to_dict() for d in self.overdue]
            out["stale"] = [d.to_dict() for d in self.stale]
            out["no_next_step"] = [d.to_dict() for d in self.no_next_step]
            out["undated"] = [d.to_dict() for d in self.undated]
        out["signals"] = [s.to_dict() for s in self.signals]
        out["history"] = self.history
        return out

    def to_text(self) -> str:
        """A plain-text report for people (no colour, fixed-width tables)."""
        return _render_text(self)


@_gc_paused
def compute_metrics(
    pipeline: Pipeline,
    as_of: dt.date,
    settings: MetricsSettings | None = None,
    history: StageHistory | None = None,
) -> Metrics:
    """Every metric of ``pipeline`` as of ``as_of`` (see the module notes)."""
    settings = settings or MetricsSettings()
    history = history or {}
    window = settings.win_rate_window_days
    period = Period(*period_bounds(as_of, settings.period))
    look = _Lookup(pipeline)
    facts = _Facts.of(pipeline, pipeline.deals, look, history, furthest=True)
    deals = facts.deals

    # owners: from the deals (first spelling by row), then from quotas for P
    names: dict[str, str] = {}
    by_owner: dict[str, list[int]] = {}  # positions in `deals`, by row
    keys: dict[str | None, str | None] = {}  # owner as written → owner_key
    for i in sorted(range(len(deals)), key=lambda i: deals[i].row):
        written = deals[i].owner
        try:
            key = keys[written]
        except KeyError:
            key = keys[written] = owner_key(written)
        if key is None:
            continue
        group = by_owner.get(key)
        if group is None:
            names[key] = " ".join(written.split())  # type: ignore[union-attr]
            group = by_owner[key] = []
        group.append(i)
    for q in pipeline.quotas:
        key = owner_key(q.owner)
        if (
            key is not None
            and key not in names
            and quota_for(pipeline.quotas, q.owner, period.start, period.end) is not None
        ):
            names[key] = " ".join(q.owner.split())
            by_owner[key] = []

    owner_keys = sorted(names, key=lambda k: (names[k].casefold(), names[k]))
    owner_facts = [facts.pick(by_owner[key]) for key in owner_keys]
    owners = [
        _progress(
            mine,
            owner=names[key],
            quota=quota_for(pipeline.quotas, names[key], period.start, period.end),
            period=period,
            as_of=as_of,
            win_rate=compute_win_rate(mine.deals, as_of, window).count,
        )
        for key, mine in zip(owner_keys, owner_facts, strict=True)
    ]
    quotas = [o.quota for o in owners if o.quota is not None]
    closed = _closed_in_window(deals, as_of, window)
    rate = compute_win_rate(closed, as_of, window)
    team = _team_progress(
        _progress(
            facts,
            owner=None,
            quota=sum(quotas) if quotas else None,
            period=period,
            as_of=as_of,
            win_rate=rate.count,
        ),
        owners,
    )

    avg = average_deal_size(closed, as_of, window)
    cycle = sales_cycle_days(closed, as_of, window)
    open_deals = [d for d in deals if d.status is _OPEN]
    open_stages = [st for d, st in zip(deals, facts.stage, strict=True) if d.status is _OPEN]
    found_stale = _stale(open_deals, open_stages, as_of, settings, history)
    stale_keys = {f[1].key for f in found_stale}

    roles = _Roles(pipeline)
    signals = _signals(facts, as_of, None, settings, roles, stale_keys)
    for o, mine in zip(owners, owner_facts, strict=True):
        signals += _signals(mine, as_of, o.owner, settings, roles, stale_keys)

    return Metrics(
        as_of=as_of,
        period=period,
        team=team,
        owners=owners,
        stages=_stage_mix(look, facts),
        reached=_reached(pipeline, facts.far),
        win_rate=rate,
        avg_deal_size=avg,
        cycle_days=cycle,
        velocity=sales_velocity(len(open_deals), avg, rate.count, cycle),
        overdue=_overdue_refs(open_deals, as_of),
        stale=_stale_refs(found_stale),
        no_next_step=_no_next_step_refs(open_deals, as_of),
        undated=_undated_refs(open_deals),
        signals=signals,
    )


def _cell(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return _money(value)
    if kind == "pct":
        return _pct(value)
    if kind == "ratio":
        return f"{value:.2f}x"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [
            str(c).ljust(widths[i]) if i < left else str(c).rjust(widths[i])
            for i, c in enumerate(r)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _progress_row(p: QuotaProgress) -> list[str]:
    return [
        p.owner if p.owner is not None else "Team",
        _cell(p.quota, "money"),
        _cell(p.won, "money"),
        _cell(p.open_amount, "money"),
        _cell(p.expected, "money"),
        _cell(p.to_generate, "money"),
        _cell(p.attainment, "pct"),
        _cell(p.coverage, "ratio"),
        _cell(p.needed_coverage, "ratio"),
        _cell(p.win_rate, "pct"),
        str(p.open_count),
        str(p.undated_count),
    ]


def _ref_line(r: DealRef, detail: str) -> str:
    who = ", ".join(x for x in (r.owner, r.stage) if x)
    amount = f", {_money(r.amount)}" if r.amount is not None else ""
    return f"  - {r.deal} ({who}{amount}) row {r.row}: {detail}".replace(" ()", "")


def _render_text(m: Metrics) -> str:
    out = [
        f"Pipeline metrics as of {m.as_of.isoformat()}",
        f"Period {m.period.label} ({m.period.start.isoformat()} to {m.period.end.isoformat()})",
        "",
        "Quota progress",
    ]
    header = [
        "owner",
        "quota",
        "won",
        "open",
        "expected",
        "to generate",
        "attained",
        "coverage",
        "needed",
        "win rate",
        "#open",
        "#undated",
    ]
    out += _table(header, [_progress_row(p) for p in [*m.owners, m.team]])
    if m.team.net_gap is not None:
        out.append(
            f"  Team to generate is the sum of each rep's own gap; net team gap "
            f"(team quota − won − expected): {_money(m.team.net_gap)}"
        )

    out += ["", "Open deals by stage"]
    out += _table(
        ["stage", "count", "amount", "weighted"],
        [[s.name, str(s.count), _money(s.amount), _money(s.weighted)] for s in m.stages],
    )

    out += ["", "Funnel (deals that reached each stage)"]
    out += _table(
        ["stage", "reached", "to next"],
        [[r.name, str(r.reached), _cell(r.conversion, "pct")] for r in m.reached],
    )

    w = m.win_rate
    out += [
        "",
        f"Win rate (deals closed in the last {w.window_days} days: {w.won} won, {w.lost} lost): "
        f"{_cell(w.count, 'pct')} by count, {_cell(w.value, 'pct')} by value",
        f"Average deal size: {_cell(m.avg_deal_size, 'money')}",
        f"Sales cycle: {'-' if m.cycle_days is None else f'{m.cycle_days:.1f} days'}",
        f"Sales velocity: {'-' if m.velocity is None else _money(m.velocity) + ' per day'}",
    ]

    lists = [
        (
            "Overdue (expected close date passed)",
            m.overdue,
            lambda r: (
                f"close date {r.extra['close_date']}, {_plural(r.extra['days_overdue'], 'day')} ago"
            ),
        ),
        (
            "Stale (quiet too long)",
            m.stale,
            lambda r: (
                f"quiet {_plural(r.extra['days_quiet'], 'day')} (allowed {r.extra['rot_days']})"
            ),
        ),
        (
            "No next step",
            m.no_next_step,
            lambda r: (
                "no next appointment"
                if r.extra["activity"] == "none"
                else f"next appointment {_as_date(r.extra['next_appointment'])} has passed"
            ),
        ),
        (
            "Undated (no expected close date, not forecast)",
            m.undated,
            lambda r: "add an expected close date",
        ),
    ]
    for title, refs, detail in lists:
        out += ["", f"{title}: {len(refs)}"]
        out += [_ref_line(r, detail(r)) for r in refs]

    out += ["", f"Signals: {len(m.signals)}"]
    for s in m.signals:
        who = s.owner if s.owner is not None else "Team"
        out.append(f"  [{who}] {s.code}: {s.message}")
        out.append(f"      advice: {s.advice}")
        if s.deals:
            out.append(f"      deals: {', '.join(s.deals)}")
    return "\n".join(out) + "\n"
