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

from .config import ValidationConfig
from .metrics import appointment_stage
from .model import Deal, Finding, Outcome, Pipeline, Report, Severity

E, W = Severity.ERROR, Severity.WARNING

#: Every finding code sheetsync emits, with its default severity and meaning.
CODES: dict[str, tuple[Severity, str]] = {
    "missing-required": (E, "a deal has no stage or no owner (or a quota row no owner)"),
    "unknown-stage": (
        E,
        "the stage is not in the stage list; the message suggests the closest one",
    ),
    "bad-amount": (E, "the amount cannot be read as money"),
    "negative-amount": (E, "the amount is below zero"),
    "ambiguous-number": (
        E,
        "an amount reads differently with a decimal comma and a decimal point, and its column does not tell which",
    ),
    "mixed-currency": (
        E,
        "an amount is in another currency than the team's and no rate converts it; it is left out",
    ),
    "unknown-currency": (E, "an amount's currency symbol or currency cell names no one currency"),
    "currency-conflict": (E, "the amount's own currency and the deal's currency column disagree"),
    "bad-rate": (E, "a row of [[rates]] or the Rates tab cannot be used"),
    "bad-status": (W, "a status cell says neither won, lost nor open; the stage decides"),
    "status-stage-disagree": (
        W,
        "the status column and a won/lost stage disagree; the status decides",
    ),
    "implausible-date": (
        E,
        "a date is decades before or after the as-of date (a typo, or a Buddhist-era year); it is left out",
    ),
    "ambiguous-probability": (
        E,
        "a fraction such as 0.5 in a column of percents could be 0.5 % or 50 %; the stage's probability applies",
    ),
    "formula-not-calculated": (
        E,
        "a formula in a read column was never calculated (the file was written by a script)",
    ),
    "formula-error": (E, "a formula in a read column shows an Excel error (#N/A, #DIV/0!...)"),
    "opt-out-assumed": (
        W,
        "a do-not-email cell that is not a plain yes or no is read as an opt-out: no email goes to the contact",
    ),
    "opt-in-column": (
        W,
        "a column says who may be emailed (opt-in); it is not read as do-not-email",
    ),
    "bad-date": (
        E,
        "a date cell (created, close date, last contact, next appointment) cannot be read as a date",
    ),
    "bad-probability": (E, "the probability is not 0-100% (or 0-1)"),
    "bad-email": (E, "an email cell holds something that is not an email address"),
    "bad-boolean": (W, "a yes/no cell (decision maker, trial) holds something else"),
    "duplicate-id": (E, "two deals share an id; sheetsync cannot tell them apart"),
    "duplicate-header": (E, "two columns have the same header; only the first is read"),
    "close-date-past": (
        W,
        "an open deal's expected close date has passed: close it or move the date",
    ),
    "won-without-close-date": (
        W,
        "a won deal has no close date, so it counts toward no quota period",
    ),
    "won-close-date-future": (W, "a won deal's close date is after the as-of date"),
    "missing-amount": (W, "an open deal past its first stage has no amount (budget unknown)"),
    "missing-close-date": (
        W,
        "an open deal past its first stage has no expected close date (timeframe unknown)",
    ),
    "close-before-created": (W, "the close date is before the created date"),
    "decision-maker-unconfirmed": (
        W,
        "an open deal at the appointment stage or later has no confirmed decision maker",
    ),
    "appointment-past": (
        W,
        "an open deal's next appointment is in the past: log it and book the next step",
    ),
    "lost-without-reason": (W, "a lost deal has no lost reason"),
    "quota-unknown-owner": (
        W,
        "a quota names an owner who has no deals (a typo in the rep's name?)",
    ),
    "duplicate-stage": (E, "the Stages tab lists a stage twice"),
    "bad-outcome": (E, "a stage's outcome is not open, won or lost"),
    "bad-stage-kind": (W, "a stage's kind is not one sheetsync knows"),
    "bad-rot-days": (E, "a stage's rot days is not a whole number of days"),
    "bad-quota": (E, "a quota is not an amount"),
    "bad-period": (E, "a quota period cannot be read (write 2026-Q4, 2026-11 or 2026)"),
    "bad-settings-tab": (W, "a Stages or Quotas tab has no header row sheetsync recognises"),
    "history-row-skipped": (W, "a row of the history tab could not be read and was left out"),
    "history-header-missing": (W, "the history tab does not start with its header"),
    "history-backfill-skipped": (
        W,
        "an --as-of run earlier than the last recorded change records no history",
    ),
}

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
