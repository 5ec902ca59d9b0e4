"""Where each rep stands: the few lines a sync leads with.

A manager opening a terminal after the nightly run wants the answer before
the bookkeeping: for each rep the quota, what is won, what the open pipeline
is expected to bring, what must still come from new prospects and the
attainment; the one coaching signal to act on first; and how long today's
follow-up list is.  :func:`standing` picks those out of the metrics and the
follow-up actions (plain data, so a caller may render it otherwise) and
:func:`standing_text` renders them; ``sheetsync sync`` and ``make demo``
print that text, so the block exists once.

Numbers are read from :class:`~sheetsync.metrics.Metrics` as computed, never
recomputed here.  Money is shown in whole units of the team's currency and
grouped the team's way (``[team] locale`` and ``currency``, through Babel's
CLDR data); the exact figures are in ``sheetsync metrics`` and the Summary
tab.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .config import TeamConfig
from .followups import KINDS, Action, FollowUps
from .metrics import Metrics, Period, QuotaProgress, Signal, owner_key
from .vocab.messages import FOLLOW_UP_LABELS  # how the one-line summary counts each kind


@dataclass(frozen=True, slots=True)
class RepStanding:
    """One row of the block: a rep (``rep`` None: the team) and their top signal."""

    rep: str | None
    progress: QuotaProgress
    follow_ups: int
    signal: Signal | None = None
    more_signals: int = 0

    def to_dict(self) -> dict[str, Any]:
        p = self.progress.to_dict()
        return {
            "rep": self.rep,
            **{
                k: p[k]
                for k in ("quota", "won", "expected", "to_generate", "attainment", "net_gap")
            },
            "follow_ups": self.follow_ups,
            "signal": self.signal.to_dict() if self.signal is not None else None,
            "more_signals": self.more_signals,
        }


@dataclass(frozen=True, slots=True)
class Standing:
    """Where each rep stands for one period, as of one day."""

    period: Period
    as_of: Any
    reps: list[RepStanding]
    team: RepStanding
    follow_ups: dict[str, int] = field(default_factory=dict)
    locale: str = "en_US"
    currency: str | None = None

    @property
    def follow_up_total(self) -> int:
        return sum(self.follow_ups.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "reps": [r.to_dict() for r in self.reps],
            "team": self.team.to_dict(),
            "follow_ups": dict(self.follow_ups),
        }


def standing(
    metrics: Metrics, actions: Iterable[Action], team: TeamConfig | None = None
) -> Standing:
    """The block's content: every rep of ``metrics``, then the team.

    A rep's top signal is the first of theirs in the metrics' order
    (:data:`~sheetsync.metrics.SIGNAL_CODES`: the funnel's shape first, then
    closing, then the deals' missing facts, then concentration), which is
    the order the method works through them.
    """
    team = team or TeamConfig()
    if isinstance(actions, FollowUps):  # counted without making every action
        per_rep, kinds = actions.tally()
        total = len(actions)
    else:
        listed = list(actions)
        per_rep = Counter(owner_key(a.owner) for a in listed)
        kinds = Counter(a.kind for a in listed)
        total = len(listed)
    signals: dict[str | None, list[Signal]] = {}
    for s in metrics.signals:
        signals.setdefault(owner_key(s.owner) if s.owner is not None else None, []).append(s)

    def row(p: QuotaProgress, key: str | None, count: int) -> RepStanding:
        mine = signals.get(key, [])
        return RepStanding(p.owner, p, count, mine[0] if mine else None, max(0, len(mine) - 1))

    reps = [
        row(p, k := owner_key(p.owner), per_rep.get(k, 0))
        for p in metrics.owners
        if p.owner is not None
    ]
    ordered = {k: kinds[k] for k in KINDS if kinds.get(k)}
    ordered.update({k: n for k, n in kinds.items() if k not in ordered})
    return Standing(
        period=metrics.period,
        as_of=metrics.as_of,
        reps=reps,
        team=row(metrics.team, None, total),
        follow_ups=ordered,
        locale=team.output_locale,
        currency=team.default_currency,
    )


# --------------------------------------------------------------------------- text


def _money(value: float | None, s: Standing) -> str:
    """Whole units, in the locale's own currency pattern (``$180,000``, ``180.000 €``)."""
    if value is None:
        return "-"
    from babel import Locale
    from babel.numbers import format_decimal, parse_pattern

    loc = Locale.parse(s.locale)
    whole = Decimal(repr(value)).quantize(Decimal(1), ROUND_HALF_UP)  # half a unit up, as money
    if not s.currency:
        return format_decimal(whole, "#,##0", locale=loc)
    pattern = parse_pattern(loc.currency_formats["standard"].pattern)
    pattern.frac_prec = (0, 0)
    return pattern.apply(whole, loc, currency=s.currency, currency_digits=False)


def _percent(value: float | None, s: Standing) -> str:
    """One decimal, in the locale's percent pattern (``60.0%``, ``60,0 %``)."""
    if value is None:
        return "-"
    from babel import Locale
    from babel.numbers import parse_pattern

    loc = Locale.parse(s.locale)
    pattern = parse_pattern(loc.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return pattern.apply(value, loc)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)]
        out.append("  " + "  ".join(cells).rstrip())
    return out


def follow_ups_line(s: Standing) -> str:
    """``Follow-ups today: 51 (6 appointment reminders, 20 follow-ups, …)``."""
    total = s.follow_up_total
    if not total:
        return "Follow-ups today: none"
    parts = []
    for kind, n in s.follow_ups.items():
        one, many = FOLLOW_UP_LABELS.get(kind, (kind, kind))
        parts.append(f"{n} {one if n == 1 else many}")
    return f"Follow-ups today: {total} ({', '.join(parts)})"


def standing_text(s: Standing) -> str:
    """The quota table, the top coaching signal per rep and today's follow-up count."""
    p = s.period
    lines = [
        f"Where each rep stands in {p.label} ({p.start.isoformat()} to {p.end.isoformat()})",
    ]
    header = (
        "rep",
        "quota",
        "won",
        "expected",
        "still to generate",
        "attainment",
        "follow-ups",
    )
    rows = [
        [
            r.rep if r.rep is not None else "Team",
            _money(r.progress.quota, s),
            _money(r.progress.won, s),
            _money(r.progress.expected, s),
            _money(r.progress.to_generate, s),
            _percent(r.progress.attainment, s),
            str(r.follow_ups),
        ]
        for r in [*s.reps, s.team]
    ]
    lines += _table(header, rows)
    if s.team.progress.net_gap is not None:
        lines.append(
            f"  Team still to generate adds up each rep's own gap; net team gap "
            f"(quota − won − expected): {_money(s.team.progress.net_gap, s)}"
        )
    if s.reps and all(r.progress.quota is None for r in s.reps):
        lines.append(
            "  (no quotas found: add a Quotas tab (Owner | Period | Quota) or [[quotas]] "
            "in sheetsync.toml)"
        )
    if s.reps:
        lines += ["", "Top coaching signal per rep"]
        width = max(len(r.rep or "") for r in s.reps)
        for r in s.reps:
            name = (r.rep or "").ljust(width)
            if r.signal is None:
                lines.append(f"  {name}  nothing to flag")
                continue
            more = f" (+{r.more_signals} more)" if r.more_signals else ""
            lines.append(f"  {name}  {r.signal.code}{more}: {r.signal.message}")
            lines.append(f"  {'':<{width}}  → {r.signal.advice}")
    lines += ["", follow_ups_line(s)]
    return "\n".join(lines) + "\n"
