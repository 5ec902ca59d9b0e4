"""Rules over a typed pipeline: each a small function yielding findings.

Reading (``pipeline.py``) already reported cells that cannot be read; the
rules here judge values that *could* be read: an open deal whose close date
has passed, a won deal with no close date, an appointment booked before the
decision maker is confirmed.  Every rule sees the whole pipeline, so one run
reports every problem.

The codes are stable (tools and people filter on them) and each is listed in
the README with its meaning; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from .codes import CODES as CODES  # re-exported: the rules' codes, as before
from .config import ValidationConfig
from .metrics import appointment_stage
from .model import Deal, Finding, Outcome, Pipeline, Report, Severity

E, W = Severity.ERROR, Severity.WARNING


Rule = Callable[[Pipeline, dt.date], Iterator[Finding]]


_RAW = object()


def _on_deal(
    d: Deal,
    field: str,
    code: str,
    severity: Severity,
    message: str,
    hint: str,
    value: Any = _RAW,
) -> Finding:
    """A finding at the cell of deal ``d``'s ``field``, carrying its raw value unless told."""
    return Finding.at(
        code,
        severity,
        message,
        d.cells[field],
        hint=hint,
        field=field,
        value=d.raw.get(field) if value is _RAW else value,
        deal=d.id,
    )


def _first_open_index(p: Pipeline) -> int:
    return min((s.index for s in p.stages if s.outcome is Outcome.OPEN), default=0)


def _unknown_past_first_stage(d: Deal, field: str, first_open: int) -> bool:
    """An open deal beyond the first open stage whose ``field`` column is there but blank."""
    return (
        d.is_open
        and d.stage_index is not None
        and d.stage_index > first_open
        and field in d.cells
        and _blank(d.raw.get(field))
    )


def rule_missing_required(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        for f in ("stage", "owner"):
            if getattr(d, f) is None and f in d.cells:
                yield _on_deal(
                    d,
                    f,
                    "missing-required",
                    E,
                    f"deal {d.label!r} has no {f}",
                    f"fill in the {f}"
                    + (" (one of the stage list)" if f == "stage" else " (the rep's name)"),
                )


def rule_duplicate_id(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first: dict[str, Deal] = {}
    for d in p.deals:
        if not d.id:
            continue
        key = d.id.strip().casefold()
        if key in first:
            other = first[key]
            yield _on_deal(
                d,
                "id",
                "duplicate-id",
                E,
                f"id {d.id!r} is also used by row {other.row}",
                "give each deal its own id",
            )
        else:
            first[key] = d


def rule_amounts(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first_open = _first_open_index(p)
    for d in p.deals:
        if d.amount is not None and d.amount < 0:
            yield _on_deal(
                d,
                "amount",
                "negative-amount",
                E,
                f"amount is negative ({d.amount:,.2f})",
                "write the deal's value as a positive amount",
            )
        elif _unknown_past_first_stage(d, "amount", first_open):
            yield _on_deal(
                d,
                "amount",
                "missing-amount",
                W,
                f"open deal {d.label!r} at {d.stage} has no amount",
                "ask the prospect about budget (what similar purchases cost them) and write it here",
                value=None,
            )


def rule_dates(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first_open = _first_open_index(p)
    for d in p.deals:
        close = d.close_date
        if d.status is Outcome.OPEN:
            if close is not None and close < as_of:
                yield _on_deal(
                    d,
                    "close_date",
                    "close-date-past",
                    W,
                    f"open deal {d.label!r} was expected to close on {close.isoformat()}",
                    "mark it won or lost, or move the expected close date",
                    value=d.close_date,
                )
            elif close is None and _unknown_past_first_stage(d, "close_date", first_open):
                yield _on_deal(
                    d,
                    "close_date",
                    "missing-close-date",
                    W,
                    f"open deal {d.label!r} at {d.stage} has no expected close date",
                    "ask about the timeframe (when do they need it?) and write the expected close date",
                    value=None,
                )
        elif d.status is Outcome.WON:
            if close is None and "close_date" in d.cells and _blank(d.raw.get("close_date")):
                yield _on_deal(
                    d,
                    "close_date",
                    "won-without-close-date",
                    W,
                    f"won deal {d.label!r} has no close date",
                    "write the date it was won, so it counts toward the right quota period",
                    value=None,
                )
            elif close is not None and close > as_of:
                yield _on_deal(
                    d,
                    "close_date",
                    "won-close-date-future",
                    W,
                    f"won deal {d.label!r} has a close date in the future ({close.isoformat()})",
                    "write the date it was actually won",
                    value=d.close_date,
                )
        if close is not None and d.created is not None and close < d.created:
            yield _on_deal(
                d,
                "close_date",
                "close-before-created",
                W,
                f"deal {d.label!r} closes ({close.isoformat()}) before it was created ({d.created.isoformat()})",
                "check both dates",
                value=d.close_date,
            )


def rule_decision_maker(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    appt = appointment_stage(p)
    if appt is None:
        return
    for d in p.deals:
        if (
            d.is_open
            and d.stage_index is not None
            and d.stage_index >= appt.index
            and "decision_maker" in d.cells
            and d.decision_maker is not True
            and not (d.decision_maker is None and not _blank(d.raw.get("decision_maker")))
        ):
            yield _on_deal(
                d,
                "decision_maker",
                "decision-maker-unconfirmed",
                W,
                f"deal {d.label!r} is at {d.stage} but the decision maker is not confirmed",
                "confirm you are talking to the person who can buy, then mark it yes",
            )


def rule_appointment_past(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        if d.is_open and d.next_appointment is not None and d.next_appointment.date() < as_of:
            yield _on_deal(
                d,
                "next_appointment",
                "appointment-past",
                W,
                f"deal {d.label!r}: the next appointment ({d.next_appointment:%Y-%m-%d %H:%M}) has passed",
                "log how it went (last contact) and book the next step",
                value=d.next_appointment,
            )


def rule_lost_reason(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        if d.status is Outcome.LOST and "lost_reason" in d.cells and not d.lost_reason:
            yield _on_deal(
                d,
                "lost_reason",
                "lost-without-reason",
                W,
                f"lost deal {d.label!r} has no lost reason",
                "write why it was lost (price, timing, competitor…): it shows where closing needs work",
                value=None,
            )


def rule_quota_owners(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    owners = {o.casefold() for o in p.owners}
    for q in p.quotas:
        if q.owner.casefold() not in owners:
            yield Finding.at(
                "quota-unknown-owner",
                W,
                f"quota for {q.owner!r} ({q.label}) matches no owner of any deal",
                q.source,
                hint="write the rep's name exactly as in the deals tab's owner column",
                field="owner",
                value=q.owner,
            )


RULES: tuple[Rule, ...] = (
    rule_missing_required,
    rule_duplicate_id,
    rule_amounts,
    rule_dates,
    rule_decision_maker,
    rule_appointment_past,
    rule_lost_reason,
    rule_quota_owners,
)


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def validate(
    pipeline: Pipeline,
    as_of: dt.date,
    read_findings: Iterable[Finding] = (),
    settings: ValidationConfig | None = None,
) -> Report:
    """Run every rule and return one report, in sheet order.

    ``read_findings`` are those met while reading (unreadable cells); the
    configuration may ignore codes or change their severity.
    """
    findings = list(read_findings)
    for rule in RULES:
        findings.extend(rule(pipeline, as_of))
    if settings is not None:
        findings = [
            replace(f, severity=Severity(settings.severity[f.code]))
            if f.code in settings.severity
            else f
            for f in findings
            if f.code not in settings.ignore
        ]
    tab_order = {t: i for i, t in enumerate(pipeline.tabs)}
    findings.sort(
        key=lambda f: (
            tab_order.get(f.tab or "", -1),
            f.row or 0,
            len(f.column or ""),
            f.column or "",
            f.code,
        )
    )
    return Report(source=pipeline.source, findings=findings)
