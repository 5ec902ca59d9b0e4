"""The rep digest's list: one line per deal with all its reasons, the most urgent first.

The follow-up rules (:mod:`sheetsync.followups`) give one action per rule, so
one deal can have three (a missed meeting, no next step, no decision maker).
A rep reading the morning digest wants the deal once, with what is going on
said as a colleague would say it: "Acme: meeting Fri, Nov 27, 10:00 AM —
reminder drafted; no contact for 9 days".  This module groups the actions
by deal, orders the deals, and gives each reason as data (its kind, the day
or moment it is about already written in ``[team] locale`` through Babel
(CLDR's ``MMMEd`` skeleton and short time, joined by the locale's own
date-time pattern), the days since the last contact, whether a draft was
made for it tonight); the template says it in words, so a template set in
another language words it in its own.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sheetsync.followups import KINDS, Action

from .clock import local
from .languages import format_locale, team_language
from .settings import DraftSettings

NoneType = type(None)

#: One reason of a deal's line (see :func:`deal_lines`).
REASON: dict[str, Any] = {
    "kind": str,
    "when": (dt.datetime, NoneType),
    "on": (str, NoneType),
    "days": (int, NoneType),
    "drafted": bool,
}

#: One line of the digest's list.
DEAL_LINE: dict[str, Any] = {
    "deal": str,
    "company": (str, NoneType),
    "contact_name": (str, NoneType),
    "stage": (str, NoneType),
    "amount": (float, NoneType),
    "reasons": [REASON],
    "kinds": [str],
    "cell": (str, NoneType),
    "notes": (str, NoneType),
}

#: Digest order: the most urgent kind first (a meeting to confirm before a
#: quiet deal); a deal ranks by its most urgent reason.  The follow-up list's
#: own priority order, so the digest and the Follow-ups tab never disagree.
URGENCY: tuple[str, ...] = KINDS


def rep_language(owner: str | None, settings: DraftSettings) -> str:
    """The language set a rep's digest is written in: ``[drafts.languages]``, else the team's.

    A team with a Thai rep and a German rep lists them (``"Somchai Ruangsri" =
    "th"``, ``"Jonas Weber" = "de"``); the others read the team's language
    (:func:`~sheetsync.drafts.languages.team_language`).  Names match the way
    owners match everywhere (case and spacing aside).
    """
    key = _owner_key(owner)
    if key is not None:
        for name, code in settings.languages.items():
            if _owner_key(name) == key:
                return code
    return team_language(settings.locale)


def rep_locale(language: str, settings: DraftSettings) -> str:
    """The locale of a digest in ``language``: the team's when it is that language,
    else that language in the team's territory when CLDR has it, else its own
    (:func:`~sheetsync.drafts.languages.format_locale`: a Thai rep of a de_DE team: th_TH)."""
    return format_locale(language, settings.locale)


def _owner_key(name: str | None) -> str | None:
    from sheetsync.metrics.quota import owner_key

    return owner_key(name)


@functools.cache
def _glue(locale: str) -> str:
    """The locale's short date-time pattern, ``{1}, {0}`` (en) or ``{1} {0}`` (th, fr)."""
    from babel import Locale

    return str(Locale.parse(locale).datetime_formats["short"])


def short_moment(when: dt.date | dt.datetime, settings: DraftSettings) -> str:
    """A day, or a day and time, short and in ``[team] locale``, no year.

    ``Fri, Nov 27, 10:00 AM`` (en_US), ``Fri 27 Nov, 10:00`` (en_GB),
    ``Fr., 27. Nov., 10:00`` (de_DE), ``ศุกร์ 27 พ.ย. 10:00 น.`` (th_TH).
    A sheet's time without a zone is the wall clock of ``[team] timezone``;
    one with a zone is shown in the team's.  Midnight without a zone is a
    date written without a time: the day only.
    """
    from babel.dates import format_skeleton, format_time

    loc = settings.locale
    if not isinstance(when, dt.datetime):
        return str(format_skeleton("MMMEd", when, locale=loc))
    if when.tzinfo is None and when.time() == dt.time(0):
        return str(format_skeleton("MMMEd", when.date(), locale=loc))
    there = local(when, settings.tzinfo) if when.tzinfo is not None else when
    day = format_skeleton("MMMEd", there.date(), locale=loc)
    # CLDR puts a narrow no-break space before AM/PM; plain-text readers show a box
    clock = format_time(there.time(), "short", locale=loc).replace("\u202f", " ")
    return _glue(loc).replace("{1}", str(day)).replace("{0}", clock)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    out = " ".join(str(text).split())
    return out or None


def _ranker(settings: DraftSettings) -> Callable[[Action], tuple[int, dt.date, float]]:
    """The sort key of an action: its kind's urgency, its day, then its moment (earlier first)."""
    tz = settings.tzinfo

    def rank(a: Action) -> tuple[int, dt.date, float]:
        kind = URGENCY.index(a.kind) if a.kind in URGENCY else len(URGENCY)
        moment = a.when if a.when is not None else dt.datetime.combine(a.due, dt.time(0))
        return (kind, a.due, local(moment, tz).timestamp())

    return rank


def deal_lines(
    actions: Sequence[Action],
    as_of: dt.date,
    settings: DraftSettings,
    *,
    notes: Mapping[int, str | None] | None = None,
    last_contact: Mapping[int, dt.date | None] | None = None,
    drafted: Collection[tuple[int, str]] = (),
) -> list[dict[str, Any]]:
    """One line per deal (its sheet row) with all its reasons, the most urgent deal first.

    Deals are ordered by their most urgent reason's kind (:data:`URGENCY`),
    then its due date and time (the earlier meeting first), then the larger
    amount, then the row; a deal's
    reasons follow the same order.  ``last_contact`` maps a row to its last
    contact (for "no contact for 9 days"), ``drafted`` holds the (row,
    kind) of the drafts made tonight ("reminder drafted").  The days since
    the last contact are given once per deal: on the follow-up when there is
    one, else on the stale reason.
    """
    notes = notes or {}
    last_contact = last_contact or {}
    drafted = set(drafted)
    _rank = _ranker(settings)
    by_row: dict[int, list[Action]] = {}
    for a in actions:
        by_row.setdefault(a.row, []).append(a)

    lines = []
    for row, acts in by_row.items():
        acts = sorted(acts, key=_rank)
        first = acts[0]
        last = last_contact.get(row)
        quiet = (as_of - last).days if last is not None and last <= as_of else None
        kinds = [a.kind for a in acts]
        reasons: list[dict[str, Any]] = []
        for a in acts:
            if a.kind in (r["kind"] for r in reasons):
                continue  # one reason per kind (two overdue rules would say it twice)
            when = a.when if a.kind in ("appointment-reminder", "follow-up") else None
            on: dt.date | dt.datetime | None = when
            if a.kind == "overdue":
                on = a.due  # the expected close date
            # the days since the last contact, said once: on a follow-up about a
            # silence, else on the stale reason
            says_days = a.kind == "follow-up" and when is None
            says_days |= a.kind == "stale" and not any(
                b.kind == "follow-up" and b.when is None for b in acts
            )
            days = quiet if says_days else None
            reasons.append(
                {
                    "kind": a.kind,
                    "when": when,
                    "on": short_moment(on, settings) if on is not None else None,
                    "days": days,
                    "drafted": (row, a.kind) in drafted,
                }
            )
        lines.append(
            (
                _rank(first),
                -(first.amount or 0.0),
                row,
                {
                    "deal": _clean(first.deal) or first.deal_key,
                    "company": _clean(first.company),
                    "contact_name": _clean(first.contact_name),
                    "stage": first.stage,
                    "amount": first.amount,
                    "reasons": reasons,
                    "kinds": kinds,
                    "cell": str(first.cell) if first.cell is not None else None,
                    "notes": _clean(notes.get(row)),
                },
            )
        )
    lines.sort(key=lambda t: (t[0], t[1], t[2]))
    return [line for *_, line in lines]
