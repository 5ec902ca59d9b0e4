"""What a template can use: the documented context, its schema and the filters.

Templates see plain dicts built here and nothing else, so the list below *is*
the template contract: the preflight (:mod:`sheetsync.drafts.templates`)
checks every variable and attribute a template uses against
:data:`SCHEMAS`, and a test checks every context built here against it.

Prospect emails (``appointment_reminder``, ``follow_up``, ``trial_offer``)
-----------------------------------------------------------------------------
``kind``
    ``appointment-reminder``, ``follow-up`` or ``trial-offer``.
``as_of``
    The run date (a date).
``sender``
    The rep who sends it: ``name``, ``first_name``, ``email``, ``company``
    (``[drafts] sender_company``, or None).
``contact``
    ``name``, ``first_name`` (the given name, None when there is no usable
    one: an address, a title alone, initials), ``greeting_name`` and
    ``formal`` (how to greet: "Dear Dr. Weber," when formal, "Hi Jane," when
    not, "Hello," when ``greeting_name`` is None; from the deal's
    Salutation cell, else the name: :mod:`sheetsync.drafts.names`),
    ``salutation`` (the cell as written, or None), ``emails`` (the
    addresses the draft goes to).
``deal``
    ``key``, ``id``, ``name`` (the deal's title, or None), ``company``,
    ``stage``, ``stage_kind`` (``presentation``…), ``amount``,
    ``close_date``.  The deal's *notes* are internal and never offered to a
    prospect email.
``appointment``
    ``when`` (date and time, or None), ``has_time`` (False when only a date
    was written), ``days_until`` (0 today, 1 tomorrow, negative when past),
    ``place`` (the deal's Meeting place / Location / Video link cell, else
    ``[drafts] meeting_place``, else None), ``place_is_link`` (the place is a
    web address alone, ``https://…``), ``agenda`` (from the
    stage kind, ``[drafts.agenda]``, or None), ``timezone`` (the city of
    ``[team] timezone`` in the locale, ``Bangkok``; None when unset).  For a
    follow-up after a meeting, ``when`` is that meeting.  ``when`` is the
    wall-clock time written in the sheet, in the team's time zone.
``follow_up``
    ``after_meeting`` (the appointment has passed and nothing was logged
    since), ``last_contact`` (date or None), ``days_since_contact``.

The rep digest (``rep_digest``)
-------------------------------
``kind`` (``rep-digest``), ``as_of``, ``sender`` (the rep: the digest is a
draft to themselves), ``owner`` (``name``, ``first_name``, ``email``),
``period`` (``label``, ``start``, ``end``), ``quota`` (``amount`` or None,
``won``, ``expected`` — the open pipeline closing in the period, weighted by
probability — ``to_generate`` (None without a quota), ``attainment``,
``open_amount``), ``actions`` (every follow-up action of the rep, each with
``kind``, ``title``, ``deal``, ``company``, ``contact_name``,
``contact_email``, ``stage``, ``amount``, ``due``, ``when``, ``reason``,
``cell``, ``notes``, ``emailable``), ``groups`` (the same actions by kind:
``kind``, ``title``, ``actions``), ``deals`` (one line per deal, the most
urgent first: ``deal``, ``company``, ``contact_name``, ``stage``,
``amount``, ``reasons`` — all its reasons, each ``kind``, ``when`` (the
meeting), ``on`` (the meeting, or the expected close date of an overdue
deal, short in the locale: ``Fri, Nov 27, 10:00 AM``), ``days`` (since the
last contact, once per deal) and ``drafted`` (a draft about it was made
tonight) — ``kinds``, ``cell``, ``notes``; :mod:`sheetsync.drafts.digest`),
``drafts`` (the drafts prepared for the rep in this run: ``kind``,
``title``, ``deal``, ``to``, ``subject``, ``row``, ``company``), ``drafts_in``
(where the rep finds them, as codes each language set words: ``files`` —
the email files sheetsync prepared — and/or ``mailbox`` — the rep's Drafts
folder; never a server path) and ``drafts_where`` (the same in English
words, "your Drafts folder", for templates written before ``drafts_in``).

The digest is written in the rep's language (``language``: ``[drafts.languages]``,
else the team's, :func:`sheetsync.drafts.digest.rep_language`):
``templates/<code>/rep_digest.*``, its dates and money in that language's locale.

Filters
-------
All from ``[team] locale`` (or the deal's language) through Babel, CLDR's
data (:mod:`sheetsync.drafts.localize`): ``money`` (``$162,500``,
``162.500 €``; the currency is ``[team] currency``, else the locale's),
``percent`` (0.4 → ``40%``, ``40 %``), ``number``, ``date`` (``[drafts]
date_format``, CLDR ``full``), ``short_date`` (``Fri, Nov 27``, ``ศุกร์ 27
พ.ย.``), ``time`` (``[drafts] time_format``, CLDR ``short``), ``datetime``
(date, CLDR's "at", time; no time at midnight), ``day`` (``Friday, November
27``: weekday and date, no year), ``weekday`` (``Friday``), ``clock``
(``10:00 AM``; ``10:00`` in de_DE), ``day_time`` (``day`` and ``clock``
joined the locale's way: ``Freitag, 27. November um 10:00``) and
``relday(as_of)`` (CLDR's "today", "tomorrow", "übermorgen", else "in 10
days"; the built-in templates do not use it: a draft may wait a day before
it is sent).  A Thai locale writes the Buddhist-era year (2026 → พ.ศ.
2569).  Each filter turns None into an empty string, and so does ``{{ }}``
itself, so a missing value never reads "None".

``language`` (prospect emails)
    The template set the email is written in (``en``, ``th``, ``de``,
    ``es``, ``pt_BR``, ``fr``): the deal's Language cell, else ``[team]
    locale`` (:mod:`sheetsync.drafts.languages`).
``contact.greeting``
    The whole greeting line in that language, from
    :func:`sheetsync.drafts.names.greeting_line`: ``Dear Dr. Weber,``,
    ``Sehr geehrte Frau Müller,``, ``Bonjour Madame Martin,``, ``เรียน
    คุณสมชาย``; a neutral one when no name is usable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sheetsync.config import locale_currency
from sheetsync.followups import Action
from sheetsync.model import Deal, Stage

from .clock import is_ahead
from .digest import DEAL_LINE, deal_lines, rep_language, rep_locale
from .languages import DEFAULT_LANGUAGE, agenda_in, format_locale
from .localize import Formats
from .names import given_name, greeting, greeting_line
from .settings import DEFAULT_AGENDA, DraftSettings

NoneType = type(None)

# --------------------------------------------------------------------------- schema
# A spec is a type, a tuple of types (None in it: optional), a dict of specs
# (an object with exactly those keys) or a one-element list (a list of items).

SENDER: dict[str, Any] = {"name": str, "first_name": str, "email": str, "company": (str, NoneType)}

PROSPECT: dict[str, Any] = {
    "kind": str,
    "language": str,
    "as_of": dt.date,
    "sender": SENDER,
    "contact": {
        "name": (str, NoneType),
        "first_name": (str, NoneType),
        "greeting_name": (str, NoneType),
        "greeting": str,
        "formal": bool,
        "salutation": (str, NoneType),
        "emails": [str],
    },
    "deal": {
        "key": str,
        "id": (str, NoneType),
        "name": (str, NoneType),
        "company": (str, NoneType),
        "stage": (str, NoneType),
        "stage_kind": (str, NoneType),
        "amount": (float, NoneType),
        "close_date": (dt.date, NoneType),
    },
    "appointment": {
        "when": (dt.datetime, NoneType),
        "has_time": bool,
        "days_until": (int, NoneType),
        "place": (str, NoneType),
        "place_is_link": bool,
        "agenda": (str, NoneType),
        "timezone": (str, NoneType),
    },
    "follow_up": {
        "after_meeting": bool,
        "last_contact": (dt.date, NoneType),
        "days_since_contact": (int, NoneType),
    },
}

ACTION_ITEM: dict[str, Any] = {
    "kind": str,
    "title": str,
    "deal": str,
    "company": (str, NoneType),
    "contact_name": (str, NoneType),
    "contact_email": (str, NoneType),
    "stage": (str, NoneType),
    "amount": (float, NoneType),
    "due": dt.date,
    "when": (dt.datetime, NoneType),
    "reason": str,
    "cell": (str, NoneType),
    "notes": (str, NoneType),
    "emailable": bool,
}

DRAFT_ITEM: dict[str, Any] = {
    "kind": str,
    "title": str,
    "deal": str,
    "to": str,
    "subject": str,
    "row": (int, NoneType),
    "company": (str, NoneType),
}


DIGEST: dict[str, Any] = {
    "kind": str,
    "as_of": dt.date,
    "sender": SENDER,
    "owner": {"name": str, "first_name": str, "email": str},
    "period": {"label": str, "start": dt.date, "end": dt.date},
    "quota": {
        "amount": (float, NoneType),
        "won": float,
        "expected": float,
        "to_generate": (float, NoneType),
        "attainment": (float, NoneType),
        "open_amount": float,
    },
    "actions": [ACTION_ITEM],
    "groups": [{"kind": str, "title": str, "actions": [ACTION_ITEM]}],
    "deals": [DEAL_LINE],
    "drafts": [DRAFT_ITEM],
    "drafts_where": str,
    "drafts_in": [str],
    "language": str,
}

#: Template name → the context it is rendered with.
SCHEMAS: dict[str, dict[str, Any]] = {
    "appointment_reminder": PROSPECT,
    "follow_up": PROSPECT,
    "trial_offer": PROSPECT,
    "rep_digest": DIGEST,
}

#: Draft kind → template name.
TEMPLATE_FOR: dict[str, str] = {
    "appointment-reminder": "appointment_reminder",
    "follow-up": "follow_up",
    "trial-offer": "trial_offer",
    "rep-digest": "rep_digest",
}

#: How the digest titles each action kind (and the drafts).
TITLES: dict[str, str] = {
    "appointment-reminder": "Appointments to confirm",
    "follow-up": "Follow up",
    "overdue": "Past the expected close date",
    "stale": "Gone quiet",
    "no-next-step": "No next step booked",
    "decision-maker": "Confirm the decision maker",
    "trial-offer": "Offer a trial or demo",
    "rep-digest": "Morning digest",
}


def conforms(value: Any, spec: Any, path: str = "") -> list[str]:
    """Where ``value`` does not match ``spec`` (empty when it does); for tests and debugging."""
    if isinstance(spec, dict):
        if not isinstance(value, Mapping):
            return [f"{path or 'context'}: expected an object, got {type(value).__name__}"]
        errs = []
        for key in sorted(set(spec) | set(value)):
            where = f"{path}.{key}" if path else key
            if key not in value:
                errs.append(f"{where}: missing")
            elif key not in spec:
                errs.append(f"{where}: not in the schema")
            else:
                errs += conforms(value[key], spec[key], where)
        return errs
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [e for i, v in enumerate(value) for e in conforms(v, spec[0], f"{path}[{i}]")]
    types = spec if isinstance(spec, tuple) else (spec,)
    if type(value) is bool and bool not in types:
        return [f"{path}: expected {types}, got bool"]
    if dt.date in types and dt.datetime not in types and isinstance(value, dt.datetime):
        return [f"{path}: expected a date, got a datetime"]
    if not isinstance(value, types):
        return [f"{path}: expected {types}, got {type(value).__name__}"]
    return []


# --------------------------------------------------------------------------- formatting


def formats_for(settings: DraftSettings, locale: str | None = None) -> Formats:
    """The filters of ``settings`` in ``locale`` (default ``[team] locale``)."""
    return Formats(
        locale or settings.locale,
        settings.currency_code or locale_currency(settings.locale),
        date_format=settings.date_format,
        time_format=settings.time_format,
    )


def zone_city(settings: DraftSettings, locale: str | None = None) -> str | None:
    """The team's time zone as its city in ``locale`` (``Bangkok``), None when unset."""
    if not settings.timezone:
        return None
    from babel.dates import get_timezone_location

    where = get_timezone_location(
        settings.tzinfo, locale=locale or settings.locale, return_city=True
    )
    return str(where)


# --------------------------------------------------------------------------- builders


@dataclass(frozen=True, slots=True)
class Sender:
    """Who a draft is from: a rep's name and address."""

    name: str
    email: str


def first_name(name: str | None) -> str | None:
    """``"Hannah O'Neill"`` → ``Hannah``; ``"O'Neill, Hannah"`` → ``Hannah``."""
    if not name:
        return None
    if "," in name:
        rest = name.split(",", 1)[1].split()
        if rest:
            return rest[0]
    parts = name.split()
    return parts[0] if parts else None


def _clean(text: str | None) -> str | None:
    """Cell text with its whitespace (line breaks too) made single spaces."""
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def deal_text(deal: Deal | None, field: str) -> str | None:
    """A drafts-only column's cell (``meeting_place``, ``salutation``, ``language``) as text."""
    if deal is None or field not in deal.raw:
        return None
    value = deal.raw[field]
    if value is None or isinstance(value, bool):
        return None
    return _clean(str(value))


def _is_link(text: str) -> bool:
    """A web address alone (a video-call link): the HTML draft makes it a link."""
    return bool(re.fullmatch(r"https?://\S+", text, re.IGNORECASE))


def _sender(sender: Sender, settings: DraftSettings) -> dict[str, Any]:
    name = _clean(sender.name) or sender.email
    return {
        "name": name,
        "first_name": first_name(name) or name,
        "email": sender.email,
        "company": _clean(settings.sender_company),
    }


def prospect_context(
    action: Action,
    deal: Deal | None,
    stage: Stage | None,
    sender: Sender,
    as_of: dt.date,
    settings: DraftSettings,
    moment: dt.datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """The context of an email to the prospect about ``action`` (``moment``: the run's).

    ``language`` is the template set it is written in (the greeting too).
    """
    when = action.when if action.kind in ("appointment-reminder", "follow-up") else None
    if when is None and action.kind == "trial-offer" and deal is not None:
        upcoming = deal.next_appointment
        if moment is not None:
            ahead = upcoming is not None and is_ahead(upcoming, moment, settings.tzinfo)
        else:
            ahead = upcoming is not None and upcoming.date() >= as_of
        when = upcoming if ahead else None
    last_contact = deal.last_contact if deal is not None else None
    stage_kind = stage.kind if stage is not None else None
    agenda = settings.agenda.get(stage_kind or "") if stage_kind else None
    if stage is not None and stage.name.casefold() in settings.agenda:
        agenda = settings.agenda[stage.name.casefold()]
    agenda = agenda_in(language, agenda, DEFAULT_AGENDA)
    name = _clean(action.contact_name)
    place = deal_text(deal, "meeting_place") or _clean(settings.meeting_place)
    salutation = deal_text(deal, "salutation")
    greet = greeting(name, salutation)
    return {
        "kind": action.kind,
        "language": language,
        "as_of": as_of,
        "sender": _sender(sender, settings),
        "contact": {
            "name": name,
            "first_name": given_name(name),
            "greeting_name": greet[0] if greet else None,
            "greeting": greeting_line(name, salutation, language),
            "formal": bool(greet and greet[1]),
            "salutation": salutation,
            "emails": list(action.contact_email),
        },
        "deal": {
            "key": action.deal_key,
            "id": _clean(deal.id) if deal is not None else None,
            "name": _clean(deal.deal) if deal is not None else None,
            "company": _clean(action.company),
            "stage": action.stage,
            "stage_kind": stage_kind,
            "amount": action.amount,
            "close_date": deal.close_date if deal is not None else None,
        },
        "appointment": {
            "when": when,
            "has_time": when is not None and when.time() != dt.time(0),
            "days_until": (when.date() - as_of).days if when is not None else None,
            "place": place,
            "place_is_link": place is not None and _is_link(place),
            "agenda": agenda or None,
            "timezone": zone_city(settings, format_locale(language, settings.locale)),
        },
        "follow_up": {
            "after_meeting": action.kind == "follow-up" and action.when is not None,
            "last_contact": last_contact,
            "days_since_contact": (as_of - last_contact).days if last_contact else None,
        },
    }


def action_item(action: Action, notes: str | None) -> dict[str, Any]:
    """One line of the digest's list."""
    return {
        "kind": action.kind,
        "title": TITLES.get(action.kind, action.kind),
        "deal": _clean(action.deal) or action.deal_key,
        "company": _clean(action.company),
        "contact_name": _clean(action.contact_name),
        "contact_email": ", ".join(action.contact_email) or None,
        "stage": action.stage,
        "amount": action.amount,
        "due": action.due,
        "when": action.when,
        "reason": action.reason,
        "cell": str(action.cell) if action.cell is not None else None,
        "notes": notes,
        "emailable": action.emailable,
    }


def _float(x: Any) -> float | None:
    return None if x is None else float(x)


def digest_context(
    owner: Sender,
    actions: Sequence[Action],
    quota: Mapping[str, Any] | None,
    period: Mapping[str, Any],
    as_of: dt.date,
    settings: DraftSettings,
    *,
    notes: Mapping[int, str | None] | None = None,
    drafts: Sequence[Mapping[str, Any]] = (),
    drafts_where: str = "",
    drafts_in: Sequence[str] = (),
    last_contact: Mapping[int, dt.date | None] | None = None,
) -> dict[str, Any]:
    """The context of a rep's morning digest.

    ``quota`` is the owner's entry of ``Metrics.to_dict()["owners"]`` (so the
    three numbers are exactly those of the Summary tab); ``notes`` maps a
    deal's row to its notes (the digest is for the rep: internal notes help),
    ``last_contact`` a row to its last contact; ``deals`` is
    :func:`sheetsync.drafts.digest.deal_lines`.
    """
    notes = notes or {}
    items = [action_item(a, _clean(notes.get(a.row))) for a in actions]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item["kind"], []).append(item)
    q = quota or {}
    sender = _sender(owner, settings)
    companies = {a.row: _clean(a.company) for a in actions if a.company}
    language = rep_language(owner.name, settings)
    return {
        "kind": "rep-digest",
        "as_of": as_of,
        "sender": sender,
        "owner": {"name": sender["name"], "first_name": sender["first_name"], "email": owner.email},
        "period": {
            "label": str(period.get("label") or ""),
            "start": _as_date(period["start"]),
            "end": _as_date(period["end"]),
        },
        "quota": {
            "amount": _float(q.get("quota")),
            "won": float(q.get("won") or 0.0),
            "expected": float(q.get("expected") or 0.0),
            "to_generate": _float(q.get("to_generate")),
            "attainment": _float(q.get("attainment")),
            "open_amount": float(q.get("open_amount") or 0.0),
        },
        "actions": items,
        "groups": [{"kind": k, "title": TITLES.get(k, k), "actions": v} for k, v in groups.items()],
        "deals": deal_lines(
            actions,
            as_of,
            # the days and times in the digest's own language: the rep's, else the
            # team's locale when it has a set, else its territory's English (ja_JP: en_JP)
            _with(settings, locale=rep_locale(language, settings)),
            notes=notes,
            last_contact=last_contact,
            drafted={(d["row"], d["kind"]) for d in drafts if d.get("row") is not None},
        ),
        "drafts": [
            {**d, "row": d.get("row"), "company": companies.get(d.get("row"))} for d in drafts
        ],
        "drafts_where": drafts_where,
        "drafts_in": list(drafts_in),
        "language": language,
    }


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --------------------------------------------------------------------------- samples


def sample_contexts(
    name: str, settings: DraftSettings, language: str = DEFAULT_LANGUAGE
) -> list[dict[str, Any]]:
    """A full and a sparse context for ``name``, to smoke-render in the preflight.

    The sparse one has every optional value missing (no contact name, no
    company, no appointment, no quota, nothing to do), which is where
    templates break: ``{{ contact.first_name.upper() }}`` passes a parse but
    not a prospect without a name.
    """
    from sheetsync.model import CellRef

    as_of = dt.date(2026, 11, 26)
    sender = Sender("Ana Rep", "ana@example.com")
    full_action = Action(
        kind="appointment-reminder",
        deal_key="D-1",
        deal="Robot cell",
        company="Acme Ltd",
        owner="Ana Rep",
        contact_name="Jo Buyer",
        contact_email=("jo@acme.example",),
        stage="Presentation",
        amount=12500.0,
        due=as_of,
        when=dt.datetime(2026, 11, 27, 9, 30),
        reason="Meeting tomorrow, Fri 27 Nov 09:30 — send the reminder",
        cell=CellRef("Deals", 2, 14),
        priority=1,
        row=2,
        emailable=True,
    )
    sparse_action = Action(
        kind="follow-up",
        deal_key="row 3",
        deal="row 3",
        company=None,
        owner=None,
        contact_name=None,
        contact_email=("x@y.example",),
        stage=None,
        amount=None,
        due=as_of,
        when=None,
        reason="Follow up.",
        cell=None,
        priority=2,
        row=3,
        emailable=True,
    )
    full_deal = Deal(
        row=2,
        key="D-1",
        id="D-1",
        deal="Robot cell",
        company="Acme Ltd",
        contact_name="Jo Buyer",
        next_appointment=full_action.when,
        last_contact=dt.date(2026, 11, 1),
        close_date=dt.date(2026, 12, 20),
    )
    stage = Stage("Presentation", 3, 0.5, kind="presentation")
    full_settings = settings
    if not settings.meeting_place:
        full_settings = _with(settings, meeting_place="Main office, Room 2")
    if name == "rep_digest":
        period = {"label": "2026-Q4", "start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31)}
        quota = {
            "quota": 100000.0,
            "won": 40000.0,
            "expected": 25000.0,
            "to_generate": 35000.0,
            "attainment": 0.4,
            "open_amount": 60000.0,
        }
        draft = {
            "kind": "appointment-reminder",
            "title": TITLES["appointment-reminder"],
            "deal": "Robot cell",
            "to": "jo@acme.example",
            "subject": "Our meeting tomorrow",
            "row": 2,
        }
        return [
            digest_context(
                sender,
                [full_action, sparse_action]
                + [
                    _with(full_action, kind=k, when=None, due=dt.date(2026, 11, 20))
                    for k in ("overdue", "stale", "no-next-step", "decision-maker", "trial-offer")
                ],
                quota,
                period,
                as_of,
                full_settings,
                notes={2: "Wants a demo"},
                drafts=[draft],
                drafts_where="your Drafts folder",
                drafts_in=["mailbox"],
                last_contact={2: dt.date(2026, 11, 1)},
            ),
            digest_context(sender, [], None, period, as_of, settings),
        ]
    kind = {"follow_up": "follow-up", "trial_offer": "trial-offer"}.get(
        name, "appointment-reminder"
    )
    lang = {"language": language}
    return [
        prospect_context(
            _with(full_action, kind=kind), full_deal, stage, sender, as_of, full_settings, **lang
        ),
        prospect_context(
            _with(full_action, kind=kind, when=dt.datetime(2026, 11, 20)),
            full_deal,
            stage,
            sender,
            as_of,
            full_settings,
            **lang,
        ),
        prospect_context(
            _with(sparse_action, kind=kind), None, None, sender, as_of, settings, **lang
        ),
    ]


def _with(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)
