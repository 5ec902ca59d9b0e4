"""What each rep should do next, deal by deal: the follow-up list.

Pure: a :class:`~sheetsync.model.Pipeline` and an as-of date ``T`` in, a
sorted list of :class:`Action` out.  Nothing here reads, writes or sends; the
owned "Follow-ups" tab (``tabs.py``) and the email drafts render these values.

Action kinds (stable codes, in priority order; ``D`` is the deal's next
appointment, only open deals get actions — won and lost deals get none):

``appointment-reminder``
    ``0 ≤ D − T ≤ reminder_days`` (days, by date): remind the prospect of the
    appointment today or in the next days.  This is also the "confirm the
    appointment" email: the two were merged, one message per appointment.
``follow-up``
    Either the appointment ``D`` has passed (``D < T``) and no contact has been
    logged since (last contact empty or before ``D``); or the last contact is
    more than ``follow_up_after_days`` days before ``T`` and no appointment is
    planned (``D`` empty or passed: a booked meeting is itself the next touch,
    and its reminder is the email).  A deal gets one follow-up at most; when
    both reasons hold the reason names both.
``overdue``
    Open and expected close date before ``T`` (:func:`metrics.overdue_deals`).
``stale``
    Quiet for more than its stage's rot days (:func:`metrics.stale_deals`,
    with the same :class:`~sheetsync.metrics.MetricsSettings` and history, so
    the list matches the metrics exactly).
``no-next-step``
    No next appointment, or only one in the past
    (:func:`metrics.no_next_step_deals`); only for deals whose sheet has a
    next-appointment column (without one there is no cell to fill in).
``decision-maker``
    At the appointment stage or later (:func:`metrics.appointment_stage`) and
    the decision maker is not confirmed (blank, "no" or unreadable); only for
    deals whose sheet has a decision-maker column.
``trial-offer``
    Stale and in a presentation/demo stage (:func:`metrics.presentation_stages`)
    and ``trial`` is not True: offer a free trial or demo.

A deal can have several actions (a stale demo with no next step gets
``stale``, ``no-next-step`` and ``trial-offer``): each is a different thing to
do.  Deals marked "do not email" are still listed — the list is for the rep —
but :attr:`Action.emailable` is False for them, for deals with no readable
contact email, and (should one ever be listed) for won and lost deals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.metrics import (
    MetricsSettings,
    StageHistory,
    appointment_stage,
    no_next_step_deals,
    overdue_deals,
    owner_key,
    presentation_stages,
    stale_deals,
)
from sheetsync.model import CellRef, Deal, Outcome, Pipeline

#: Action kinds in priority order (the position is :attr:`Action.priority`).
KINDS: tuple[str, ...] = (
    "appointment-reminder",
    "follow-up",
    "overdue",
    "stale",
    "no-next-step",
    "decision-maker",
    "trial-offer",
)

PRIORITY: dict[str, int] = {kind: i + 1 for i, kind in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class FollowUpSettings:
    """The follow-up thresholds, with their defaults.

    ``reminder_days`` = 1
        An appointment reminder is due when ``0 ≤ D − T ≤ reminder_days``
        (``D`` the appointment's date, ``T`` the as-of date): with 1, for
        appointments today and tomorrow.
    ``follow_up_after_days`` = 7
        A follow-up is due when the last contact is *more* than this many days
        before ``T`` (exactly 7 days ago is not yet due).

    Staleness is not configured here: it is the metrics' rule, with the rot
    days of each stage and ``MetricsSettings.default_rot_days``.
    """

    reminder_days: int = 1
    follow_up_after_days: int = 7

    def __post_init__(self) -> None:
        for name in ("reminder_days", "follow_up_after_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name} must be a whole number of days ≥ 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Action:
    """One thing a rep should do about one deal.

    ``due`` is the date the action is measured against (earlier is more
    urgent): the appointment's date for a reminder; for a follow-up the date
    of the missed appointment, else the last contact plus
    ``follow_up_after_days``; the expected close date for ``overdue``; the
    quiet-since date plus the rot days for ``stale`` and ``trial-offer``; the
    past appointment's date, else ``T``, for ``no-next-step``; ``T`` for
    ``decision-maker``.  ``when`` is the appointment's date and time for the
    actions about an appointment.  ``cell`` is the cell to look at or fix
    (e.g. the next-meeting cell); ``row`` the deal's sheet row.
    """

    kind: str
    deal_key: str
    deal: str
    company: str | None
    owner: str | None
    contact_name: str | None
    contact_email: tuple[str, ...]
    stage: str | None
    amount: float | None
    due: dt.date
    when: dt.datetime | None
    reason: str
    cell: CellRef | None
    priority: int
    row: int
    emailable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "priority": self.priority,
            "owner": self.owner,
            "deal_key": self.deal_key,
            "deal": self.deal,
            "company": self.company,
            "contact_name": self.contact_name,
            "contact_email": list(self.contact_email),
            "stage": self.stage,
            "amount": self.amount,
            "due": self.due.isoformat(),
            "when": self.when.isoformat() if self.when is not None else None,
            "reason": self.reason,
            "cell": str(self.cell) if self.cell is not None else None,
            "row": self.row,
            "emailable": self.emailable,
        }


# --------------------------------------------------------------------------- helpers


def emailable(deal: Deal) -> bool:
    """May the prospect be emailed about ``deal``: open, not opted out, an address known."""
    return deal.is_open and not deal.do_not_email and bool(deal.contact_email)


def _plural(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


def _moment(when: dt.datetime) -> str:
    """``2026-11-27 09:30``, or just the date when no time was written (midnight)."""
    if when.time() == dt.time(0):
        return when.date().isoformat()
    return f"{when:%Y-%m-%d %H:%M}"


def _relative_day(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _cell(deal: Deal, *fields: str) -> CellRef | None:
    """The first of ``fields`` the deal has a cell for (then its stage, deal or id cell)."""
    for f in (*fields, "stage", "deal", "id"):
        if f in deal.cells:
            return deal.cells[f]
    return None


def _action(
    deal: Deal,
    kind: str,
    *,
    due: dt.date,
    reason: str,
    cell: CellRef | None,
    when: dt.datetime | None = None,
) -> Action:
    return Action(
        kind=kind,
        deal_key=deal.key,
        deal=deal.label,
        company=deal.company,
        owner=deal.owner,
        contact_name=deal.contact_name,
        contact_email=tuple(deal.contact_email),
        stage=deal.stage,
        amount=deal.amount,
        due=due,
        when=when,
        reason=reason,
        cell=cell,
        priority=PRIORITY[kind],
        row=deal.row,
        emailable=emailable(deal),
    )


def sort_key(action: Action) -> tuple[Any, ...]:
    """(owner, priority, due, row): owners case-insensitively, deals with no owner last."""
    key = owner_key(action.owner)
    return (key is None, key or "", action.priority, action.due, action.row, action.kind)


# --------------------------------------------------------------------------- rules


def _reminders(deals: Iterable[Deal], as_of: dt.date, s: FollowUpSettings) -> list[Action]:
    out = []
    for d in deals:
        if d.next_appointment is None:
            continue
        days = (d.next_appointment.date() - as_of).days
        if 0 <= days <= s.reminder_days:
            out.append(
                _action(
                    d,
                    "appointment-reminder",
                    due=d.next_appointment.date(),
                    when=d.next_appointment,
                    reason=(
                        f"Appointment {_relative_day(days)} ({_moment(d.next_appointment)}): "
                        "remind the prospect and confirm it."
                    ),
                    cell=_cell(d, "next_appointment"),
                )
            )
    return out


def _follow_ups(deals: Iterable[Deal], as_of: dt.date, s: FollowUpSettings) -> list[Action]:
    out = []
    n = s.follow_up_after_days
    for d in deals:
        appt = d.next_appointment
        missed = (
            appt is not None
            and appt.date() < as_of
            and (d.last_contact is None or d.last_contact < appt.date())
        )
        planned = appt is not None and appt.date() >= as_of
        silent_days = (as_of - d.last_contact).days if d.last_contact is not None else None
        silent = not planned and silent_days is not None and silent_days > n
        if not (missed or silent):
            continue
        parts = []
        if missed:
            assert appt is not None
            parts.append(
                f"The appointment of {_moment(appt)} has passed and no contact is logged since"
            )
        if silent:
            assert d.last_contact is not None and silent_days is not None
            parts.append(
                f"last contact {d.last_contact.isoformat()} was "
                f"{_plural(silent_days, 'day')} ago (follow up after {_plural(n, 'day')})"
            )
        reason = "; ".join(parts) + ": follow up."
        reason = reason[0].upper() + reason[1:]
        if missed:
            assert appt is not None
            action = _action(
                d,
                "follow-up",
                due=appt.date(),
                when=appt,
                reason=reason,
                cell=_cell(d, "next_appointment", "last_contact"),
            )
        else:
            assert d.last_contact is not None
            action = _action(
                d,
                "follow-up",
                due=d.last_contact + dt.timedelta(days=n),
                reason=reason,
                cell=_cell(d, "last_contact"),
            )
        out.append(action)
    return out


def compute_followups(
    pipeline: Pipeline,
    as_of: dt.date,
    settings: FollowUpSettings | None = None,
    metrics_settings: MetricsSettings | None = None,
    *,
    history: StageHistory | None = None,
) -> list[Action]:
    """Every action due on ``as_of``, sorted by (owner, priority, due, row).

    ``metrics_settings`` and ``history`` feed the stale rule (the same as the
    metrics' so both name the same deals).  See the module notes for each kind.
    """
    settings = settings or FollowUpSettings()
    metrics_settings = metrics_settings or MetricsSettings()
    by_row = {d.row: d for d in pipeline.deals}
    open_deals = [d for d in pipeline.deals if d.is_open]
    actions: list[Action] = []

    actions += _reminders(open_deals, as_of, settings)
    actions += _follow_ups(open_deals, as_of, settings)

    for ref in overdue_deals(pipeline, as_of):
        d = by_row[ref.row]
        assert d.close_date is not None
        days = ref.extra["days_overdue"]
        actions.append(
            _action(
                d,
                "overdue",
                due=d.close_date,
                reason=(
                    f"Expected to close on {d.close_date.isoformat()}, "
                    f"{_plural(days, 'day')} ago: mark it won or lost, or move the date."
                ),
                cell=_cell(d, "close_date"),
            )
        )

    presenting = {s.name for s in presentation_stages(pipeline)}
    for ref in stale_deals(pipeline, as_of, metrics_settings, history):
        d = by_row[ref.row]
        quiet, since, rot = (ref.extra[k] for k in ("days_quiet", "quiet_since", "rot_days"))
        stage = pipeline.stage(d.stage)
        due = since + dt.timedelta(days=rot)
        where = f"at {d.stage}" if d.stage else "at its stage"
        actions.append(
            _action(
                d,
                "stale",
                due=due,
                reason=(
                    f"Quiet for {_plural(quiet, 'day')} since {since.isoformat()}; "
                    f"a deal {where} goes stale after {_plural(rot, 'day')}: get back in touch."
                ),
                cell=_cell(d, "last_contact"),
            )
        )
        if stage is not None and stage.name in presenting and d.trial is not True:
            actions.append(
                _action(
                    d,
                    "trial-offer",
                    due=due,
                    reason=(
                        f"Quiet for {_plural(quiet, 'day')} at {stage.name} and no trial yet: "
                        "offer a free trial or demo."
                    ),
                    cell=_cell(d, "trial"),
                )
            )

    for ref in no_next_step_deals(pipeline, as_of):
        d = by_row[ref.row]
        if "next_appointment" not in d.cells:
            continue
        if d.next_appointment is None:
            due, when = as_of, None
            reason = "No next appointment is planned: schedule the next step."
        else:
            due, when = d.next_appointment.date(), d.next_appointment
            reason = (
                f"The last appointment ({_moment(d.next_appointment)}) has passed and no "
                "next one is booked: schedule the next step."
            )
        actions.append(
            _action(
                d,
                "no-next-step",
                due=due,
                when=when,
                reason=reason,
                cell=_cell(d, "next_appointment"),
            )
        )

    appt = appointment_stage(pipeline)
    if appt is not None:
        for d in open_deals:
            st = pipeline.stage(d.stage)
            if (
                st is not None
                and st.outcome is Outcome.OPEN
                and st.index >= appt.index
                and "decision_maker" in d.cells
                and d.decision_maker is not True
            ):
                actions.append(
                    _action(
                        d,
                        "decision-maker",
                        due=as_of,
                        reason=(
                            f"At {st.name} without a confirmed decision maker: confirm you are "
                            "talking to the person who can buy."
                        ),
                        cell=_cell(d, "decision_maker"),
                    )
                )

    actions.sort(key=sort_key)
    return actions
