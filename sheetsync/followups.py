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
import functools
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.lazyseq import MadeOnRead
from sheetsync.metrics import (
    MetricsSettings,
    StageHistory,
    _gc_paused,
    _Memo,
    _no_next_step,
    _overdue,
    _stale,
    appointment_stage,
    owner_key,
    presentation_stages,
)
from sheetsync.model import CellRef, Deal, Outcome, Pipeline, Stage

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


@dataclass(slots=True, unsafe_hash=True)
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

    Treat it as read-only: it is not frozen only because a 100k-deal sheet has
    hundreds of thousands of actions and frozen dataclasses are several times
    slower to build; equality and hashing are those of a frozen dataclass.
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


#: The reasons are English sentences for a sales manager; their dates follow
#: CLDR's British English patterns (through Babel): the day before the month
#: name, so "17 Nov" reads the same to every English reader and a finance
#: person finds the date in the sheet without decoding ``11/17`` or ``17/11``.
REASON_LOCALE = "en_GB"


@functools.lru_cache(maxsize=4096)
def _day(day: dt.date, year: int) -> str:
    """``17 Nov``; ``17 Nov 2025`` when not in ``year`` (the as-of date's)."""
    from babel.dates import format_skeleton

    skeleton = "MMMd" if day.year == year else "yMMMd"
    return str(format_skeleton(skeleton, day, locale=REASON_LOCALE))


@functools.lru_cache(maxsize=4096)
def _moment(when: dt.datetime, year: int) -> str:
    """``Fri 27 Nov 10:00`` (the sheet's wall time), or ``Fri 27 Nov`` when no time was written."""
    from babel.dates import format_skeleton

    skeleton = "MMMEd" if when.year == year else "yMMMEd"
    day = str(format_skeleton(skeleton, when.date(), locale=REASON_LOCALE))
    if when.time() == dt.time(0):
        return day
    return f"{day} {when:%H:%M}"


def _relative_day(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _first_cell(deal: Deal, fields: tuple[str, ...]) -> CellRef | None:
    """The first of ``fields`` the deal has a cell for."""
    cells = deal.cells
    for f in fields:
        if f in cells:
            return cells[f]
    return None


# The cells each kind of action points at, in order of preference: the cell
# to fix, then the deal's stage, deal or id cell.
_AT_APPOINTMENT = ("next_appointment", "stage", "deal", "id")
_AT_MISSED = ("next_appointment", "last_contact", "stage", "deal", "id")
_AT_LAST_CONTACT = ("last_contact", "stage", "deal", "id")
_AT_CLOSE_DATE = ("close_date", "stage", "deal", "id")
_AT_TRIAL = ("trial", "stage", "deal", "id")
_AT_DECISION_MAKER = ("decision_maker", "stage", "deal", "id")


def sort_key(action: Action) -> tuple[Any, ...]:
    """(owner, priority, due, row): owners case-insensitively, deals with no owner last."""
    key = owner_key(action.owner)
    return (key is None, key or "", action.priority, action.due, action.row, action.kind)


#: One action as the rules find it, made into an :class:`Action` only when
#: looked at: (due, row, deal, kind, when, reason, the fields whose first cell
#: the action points at).
_Record = tuple[dt.date, int, Deal, str, dt.datetime | None, str, tuple[str, ...]]

_DUE = itemgetter(0)
_ROW = itemgetter(1)


def _action(record: _Record) -> Action:
    """The :class:`Action` of ``record``, its deal's fields read now.

    The deals do not change after loading (the pipeline is read-only from
    then on), so reading them here gives what reading them when the rule
    fired would.
    """
    due, row, d, kind, when, reason, fields = record
    return Action(
        kind,
        d.key,
        d.label,
        d.company,
        d.owner,
        d.contact_name,
        tuple(d.contact_email),
        d.stage,
        d.amount,
        due,
        when,
        reason,
        _first_cell(d, fields),
        PRIORITY[kind],
        row,
        emailable(d),
    )


class FollowUps(MadeOnRead[Action]):
    """The actions of one run, in :func:`sort_key` order, each made when first looked at.

    :func:`sort_key` compares the owner, then the priority (one per kind),
    then (due, row, kind); so the rules put each action in its owner's
    group for its kind, in the order they find them, and the groups laid out
    owner by owner, kind by kind are that order once each group is sorted by
    (due, row) — stably, the kind being the same.  A group is sorted, and
    its actions made, only when a position in it is read: the Follow-ups tab
    lists the first ``[sync] max_rows`` (5,000) of a 100k-deal sheet's
    quarter of a million actions and counts the rest, so the rest are never
    sorted or made (partial selection, not sort-then-cut).  ``len`` is known
    without making any.  Equal to a list of the same actions.
    """

    __slots__ = ("_groups", "_starts", "_sorted")

    _noun = "follow-up"

    def __init__(self, groups: Iterable[list[_Record]]) -> None:
        self._groups = [g for g in groups if g]
        self._starts: list[int] = []
        n = 0
        for g in self._groups:
            self._starts.append(n)
            n += len(g)
        super().__init__(n)
        self._sorted = [False] * len(self._groups)

    def _group(self, g: int) -> list[_Record]:
        group = self._groups[g]
        if not self._sorted[g]:
            # by (due, row), stably: by row, then stably by due (two sorts on plain
            # keys are about 3x faster than one on (due, row) tuples)
            group.sort(key=_ROW)
            group.sort(key=_DUE)
            self._sorted[g] = True
        return group

    def _make(self, i: int) -> Action:
        g = bisect_right(self._starts, i) - 1
        return _action(self._group(g)[i - self._starts[g]])

    def __iter__(self) -> Iterator[Action]:
        # group by group: each sorted once, its records read in order
        made = self._made
        for g, start in enumerate(self._starts):
            for i, record in enumerate(self._group(g), start):
                action = made[i]
                if action is None:
                    action = made[i] = _action(record)
                yield action

    def tally(self) -> tuple[Counter[str | None], Counter[str]]:
        """How many actions each owner (:func:`owner_key`) and each kind has, none made."""
        owners: Counter[str | None] = Counter()
        kinds: Counter[str] = Counter()
        for group in self._groups:
            kinds[group[0][3]] += len(group)
            for record in group:
                owners[record[2].owner] += 1
        by_key: Counter[str | None] = Counter()
        for owner, n in owners.items():
            by_key[owner_key(owner)] += n
        return by_key, kinds


class _Actions:
    """The actions of one run as the rules find them: per owner, a list per kind.

    The owners' spellings of one owner (:func:`owner_key`) share their lists;
    :meth:`in_order` lays them out in :func:`sort_key` order (see
    :class:`FollowUps`).
    """

    __slots__ = ("_owners", "_groups")

    def __init__(self) -> None:
        self._owners: dict[str | None, list[list[_Record]]] = {}
        self._groups: dict[tuple[bool, str], list[list[_Record]]] = {}

    def _lists(self, owner: str | None) -> list[list[_Record]]:
        key = owner_key(owner)
        head = (key is None, key or "")
        lists = self._groups.get(head)
        if lists is None:
            lists = self._groups[head] = [[] for _ in KINDS]
        self._owners[owner] = lists
        return lists

    def add(
        self,
        deal: Deal,
        kind: str,
        due: dt.date,
        when: dt.datetime | None,
        reason: str,
        fields: tuple[str, ...],
    ) -> None:
        """Record that ``deal`` has an action of ``kind``, pointing at the first of ``fields``."""
        owner = deal.owner
        lists = self._owners.get(owner) or self._lists(owner)
        lists[PRIORITY[kind] - 1].append((due, deal.row, deal, kind, when, reason, fields))

    def in_order(self) -> FollowUps:
        return FollowUps(group for head in sorted(self._groups) for group in self._groups[head])


# --------------------------------------------------------------------------- rules


def _reminders(deals: Iterable[Deal], as_of: dt.date, s: FollowUpSettings, out: _Actions) -> None:
    for d in deals:
        if d.next_appointment is None:
            continue
        days = (d.next_appointment.date() - as_of).days
        if 0 <= days <= s.reminder_days:
            out.add(
                d,
                "appointment-reminder",
                d.next_appointment.date(),
                d.next_appointment,
                f"Meeting {_relative_day(days)}, {_moment(d.next_appointment, as_of.year)}"
                " — send the reminder",
                _AT_APPOINTMENT,
            )


def _follow_ups(deals: Iterable[Deal], as_of: dt.date, s: FollowUpSettings, out: _Actions) -> None:
    n = s.follow_up_after_days
    reasons: dict[tuple[dt.datetime | None, dt.date | None], str] = {}
    for d in deals:
        appt = d.next_appointment
        last = d.last_contact
        appt_day = appt.date() if appt is not None else None
        missed = appt_day is not None and appt_day < as_of and (last is None or last < appt_day)
        planned = appt_day is not None and appt_day >= as_of
        silent_days = (as_of - last).days if last is not None else None
        silent = not planned and silent_days is not None and silent_days > n
        if not (missed or silent):
            continue
        # the reason follows from the missed appointment and the silent last contact
        # (remembered for naive moments: equal aware ones can show other wall times)
        why = (appt if missed else None, last if silent else None)
        naive = appt is None or appt.tzinfo is None
        reason = reasons.get(why) if naive else None
        if reason is None:
            # said as a manager reads it, with the dates and days to check in the sheet
            if missed:
                assert appt is not None
                reason = f"No contact since the meeting on {_moment(appt, as_of.year)}"
                if last is not None and silent_days is not None:
                    reason += (
                        f" — last contact {_day(last, as_of.year)}, "
                        f"{_plural(silent_days, 'day')} ago"
                    )
                else:
                    reason += " — follow up"
            else:
                assert last is not None and silent_days is not None
                reason = (
                    f"No contact for {_plural(silent_days, 'day')} — last contact "
                    f"{_day(last, as_of.year)}"
                )
            if naive:
                reasons[why] = reason
        if missed:
            assert appt is not None and appt_day is not None
            out.add(d, "follow-up", appt_day, appt, reason, _AT_MISSED)
        else:
            assert last is not None
            due = last + dt.timedelta(days=n)
            out.add(d, "follow-up", due, None, reason, _AT_LAST_CONTACT)


@_gc_paused
def compute_followups(
    pipeline: Pipeline,
    as_of: dt.date,
    settings: FollowUpSettings | None = None,
    metrics_settings: MetricsSettings | None = None,
    *,
    history: StageHistory | None = None,
) -> FollowUps:
    """Every action due on ``as_of``, sorted by (owner, priority, due, row).

    A :class:`FollowUps` sequence: the actions are made, and their groups
    sorted, as far as they are read (the Follow-ups tab reads its first
    ``max_rows``), and ``len`` counts them all.

    ``metrics_settings`` and ``history`` feed the stale rule (the same as the
    metrics' so both name the same deals).  See the module notes for each kind.
    """
    settings = settings or FollowUpSettings()
    metrics_settings = metrics_settings or MetricsSettings()
    # The overdue, stale and no-next-step deals are those of the metrics' lists
    # (overdue_deals, stale_deals, no_next_step_deals), before they become
    # DealRefs; like those refs, each names its deal by row.
    by_row = {d.row: d for d in pipeline.deals}
    open_deals = [d for d in pipeline.deals if d.is_open]
    stage_named: _Memo[str | None, Stage | None] = _Memo(pipeline.stage)

    out = _Actions()
    _reminders(open_deals, as_of, settings, out)
    _follow_ups(open_deals, as_of, settings, out)

    # Many deals share a date, so the reasons (which follow from the values in
    # their keys) are made once per value.
    overdue_reasons: dict[tuple[dt.date, int], str] = {}
    for ref in _overdue(open_deals, as_of):
        d = by_row[ref.row]
        assert d.close_date is not None
        days = (as_of - ref.close_date).days  # type: ignore[operator]
        reason = overdue_reasons.get((d.close_date, days))
        if reason is None:
            reason = overdue_reasons[(d.close_date, days)] = (
                f"Close date {_day(d.close_date, as_of.year)} passed "
                f"{_plural(days, 'day')} ago — mark it won or lost, or move the date"
            )
        out.add(d, "overdue", d.close_date, None, reason, _AT_CLOSE_DATE)

    presenting = {s.name for s in presentation_stages(pipeline)}
    stale_reasons: dict[tuple[int, dt.date, str | None, int], str] = {}
    open_stages = [pipeline.stage_of(d) for d in open_deals]
    for quiet, ref, since, rot in _stale(open_deals, open_stages, as_of, metrics_settings, history):
        d = by_row[ref.row]
        stage = stage_named[d.stage]
        due = since + dt.timedelta(days=rot)
        reason = stale_reasons.get((quiet, since, d.stage, rot))
        if reason is None:
            where = f" at {d.stage}" if d.stage else ""
            reason = stale_reasons[(quiet, since, d.stage, rot)] = (
                f"Quiet for {_plural(quiet, 'day')}{where} (since {_day(since, as_of.year)})"
                " — get back in touch"
            )
        out.add(d, "stale", due, None, reason, _AT_LAST_CONTACT)
        if stage is not None and stage.name in presenting and d.trial is not True:
            out.add(
                d,
                "trial-offer",
                due,
                None,
                f"Quiet for {_plural(quiet, 'day')} at {stage.name}, no trial yet"
                " — offer a free trial or demo",
                _AT_TRIAL,
            )

    no_next_reasons: dict[dt.datetime, str] = {}
    for ref in _no_next_step(open_deals, as_of):
        d = by_row[ref.row]
        if "next_appointment" not in d.cells:
            continue
        when = d.next_appointment
        if when is None:
            due = as_of
            reason = "No next meeting booked — schedule the next step"
        else:
            due = when.date()
            naive = when.tzinfo is None  # (equal aware moments can show other wall times)
            reason = no_next_reasons.get(when) if naive else None
            if reason is None:
                reason = (
                    f"Last meeting {_moment(when, as_of.year)}, no next one booked"
                    " — schedule the next step"
                )
                if naive:
                    no_next_reasons[when] = reason
        out.add(d, "no-next-step", due, when, reason, _AT_APPOINTMENT)

    appt = appointment_stage(pipeline)
    if appt is not None:
        for d in open_deals:
            st = stage_named[d.stage]
            if (
                st is not None
                and st.outcome is Outcome.OPEN
                and st.index >= appt.index
                and "decision_maker" in d.cells
                and d.decision_maker is not True
            ):
                out.add(
                    d,
                    "decision-maker",
                    as_of,
                    None,
                    f"At {st.name}, decision maker not confirmed — make sure you are "
                    "talking to the person who can buy",
                    _AT_DECISION_MAKER,
                )

    return out.in_order()
