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

from .codes import CODES as CODES  # re-exported: the rules' codes, as before
from .config import ValidationConfig
from .metrics import appointment_stage
from .model import Deal, Finding, Outcome, Pipeline, Report, Severity

E, W = Severity.ERROR, Severity.WARNING


Rule = Callable[[Pipeline, dt.date], Iterator[Finding]]


def _first_open_index(p: Pipeline) -> int:
    return min((s.index for s in p.stages if s.outcome is Outcome.OPEN), default=0)


def rule_missing_required(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        for f in ("stage", "owner"):
            if getattr(d, f) is None and f in d.cells:
                yield Finding.at(
                    "missing-required",
                    E,
                    f"deal {d.label!r} has no {f}",
                    d.cells[f],
                    hint=f"fill in the {f}"
                    + (" (one of the stage list)" if f == "stage" else " (the rep's name)"),
                    field=f,
                    value=d.raw.get(f),
                    deal=d.id,
                )


def rule_duplicate_id(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first: dict[str, Deal] = {}
    for d in p.deals:
        if not d.id:
            continue
        key = d.id.strip().casefold()
        if key in first:
            other = first[key]
            yield Finding.at(
                "duplicate-id",
                E,
                f"id {d.id!r} is also used by row {other.row}",
                d.cells["id"],
                hint="give each deal its own id",
                field="id",
                value=d.raw.get("id"),
                deal=d.id,
            )
        else:
            first[key] = d


def rule_amounts(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first_open = _first_open_index(p)
    for d in p.deals:
        if d.amount is not None and d.amount < 0:
            yield Finding.at(
                "negative-amount",
                E,
                f"amount is negative ({d.amount:,.2f})",
                d.cells["amount"],
                hint="write the deal's value as a positive amount",
                field="amount",
                value=d.raw.get("amount"),
                deal=d.id,
            )
        elif (
            d.is_open
            and d.stage_index is not None
            and d.stage_index > first_open
            and "amount" in d.cells
            and _blank(d.raw.get("amount"))
        ):
            yield Finding.at(
                "missing-amount",
                W,
                f"open deal {d.label!r} at {d.stage} has no amount",
                d.cells["amount"],
                hint="ask the prospect about budget (what similar purchases cost them) and write it here",
                field="amount",
                value=None,
                deal=d.id,
            )


def rule_dates(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    first_open = _first_open_index(p)
    for d in p.deals:
        close = d.close_date
        if d.status is Outcome.OPEN:
            if close is not None and close < as_of:
                yield Finding.at(
                    "close-date-past",
                    W,
                    f"open deal {d.label!r} was expected to close on {close.isoformat()}",
                    d.cells["close_date"],
                    hint="mark it won or lost, or move the expected close date",
                    field="close_date",
                    value=d.close_date,
                    deal=d.id,
                )
            elif (
                close is None
                and d.stage_index is not None
                and d.stage_index > first_open
                and "close_date" in d.cells
                and _blank(d.raw.get("close_date"))
            ):
                yield Finding.at(
                    "missing-close-date",
                    W,
                    f"open deal {d.label!r} at {d.stage} has no expected close date",
                    d.cells["close_date"],
                    hint="ask about the timeframe (when do they need it?) and write the expected close date",
                    field="close_date",
                    value=None,
                    deal=d.id,
                )
        elif d.status is Outcome.WON:
            if close is None and "close_date" in d.cells and _blank(d.raw.get("close_date")):
                yield Finding.at(
                    "won-without-close-date",
                    W,
                    f"won deal {d.label!r} has no close date",
                    d.cells["close_date"],
                    hint="write the date it was won, so it counts toward the right quota period",
                    field="close_date",
                    value=None,
                    deal=d.id,
                )
            elif close is not None and close > as_of:
                yield Finding.at(
                    "won-close-date-future",
                    W,
                    f"won deal {d.label!r} has a close date in the future ({close.isoformat()})",
                    d.cells["close_date"],
                    hint="write the date it was actually won",
                    field="close_date",
                    value=d.close_date,
                    deal=d.id,
                )
        if close is not None and d.created is not None and close < d.created:
            yield Finding.at(
                "close-before-created",
                W,
                f"deal {d.label!r} closes ({close.isoformat()}) before it was created ({d.created.isoformat()})",
                d.cells["close_date"],
                hint="check both dates",
                field="close_date",
                value=d.close_date,
                deal=d.id,
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
            yield Finding.at(
                "decision-maker-unconfirmed",
                W,
                f"deal {d.label!r} is at {d.stage} but the decision maker is not confirmed",
                d.cells["decision_maker"],
                hint="confirm you are talking to the person who can buy, then mark it yes",
                field="decision_maker",
                value=d.raw.get("decision_maker"),
                deal=d.id,
            )


def rule_appointment_past(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        if d.is_open and d.next_appointment is not None and d.next_appointment.date() < as_of:
            yield Finding.at(
                "appointment-past",
                W,
                f"deal {d.label!r}: the next appointment ({d.next_appointment:%Y-%m-%d %H:%M}) has passed",
                d.cells["next_appointment"],
                hint="log how it went (last contact) and book the next step",
                field="next_appointment",
                value=d.next_appointment,
                deal=d.id,
            )


def rule_lost_reason(p: Pipeline, as_of: dt.date) -> Iterator[Finding]:
    for d in p.deals:
        if d.status is Outcome.LOST and "lost_reason" in d.cells and not d.lost_reason:
            yield Finding.at(
                "lost-without-reason",
                W,
                f"lost deal {d.label!r} has no lost reason",
                d.cells["lost_reason"],
                hint="write why it was lost (price, timing, competitor…): it shows where closing needs work",
                field="lost_reason",
                value=None,
                deal=d.id,
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
