"""What a column's values look like, and how well they fit a field.

A header alone can mislead: ``Status`` is the stage in one sheet and the
won/lost outcome in another; ``Contact`` holds names, addresses or dates;
``Closed`` is a date here and a TRUE/FALSE column in a Salesforce report.  So
after the headers are matched, each doubtful column is looked at: a sample
of its values is classified once (:class:`Profile`) and every candidate field
gets a share of values that fit it (:func:`fit`).  The same fits tell which
tab holds the deals (a tab whose "amount" column holds amounts beats one
whose "amount" column holds names).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from . import parse as P
from .outcomes import outcome_word

__all__ = ["Profile", "fit", "profile"]

#: Values looked at per column: enough to see its type, cheap on 100k rows.
SAMPLE = 200

_DATE_FIELDS = frozenset({"created", "close_date", "last_contact", "won_time", "lost_time"})
_DATETIME_FIELDS = frozenset({"next_appointment"})
_EMAIL_FIELDS = frozenset({"contact_email", "owner_email"})
_BOOL_FIELDS = frozenset({"decision_maker", "trial", "do_not_email"})
_NAME_FIELDS = frozenset({"owner", "contact_name"})


@dataclass(frozen=True, slots=True)
class Profile:
    """Shares (0..1) of a column's non-blank sampled values of each kind."""

    count: int
    dates: float
    numbers: float
    fractions: float  # numbers in 0..1, or written with %
    percents: float  # written with %
    money: float  # amounts (numbers, or text with a currency or grouping)
    emails: float
    booleans: float
    outcomes: float
    texts: float  # none of the above
    distinct: int

    @property
    def empty(self) -> bool:
        return self.count == 0


def profile(values: Sequence[Any]) -> Profile:
    """Classify up to :data:`SAMPLE` non-blank values, spread over the column."""
    strip = P.STRIP_CHARS
    nonblank = [
        v for v in values if v is not None and v != "" and (type(v) is not str or v.strip(strip))
    ]
    if len(nonblank) > SAMPLE:
        step = len(nonblank) / SAMPLE
        nonblank = [nonblank[int(i * step)] for i in range(SAMPLE)]
    n = len(nonblank)
    if not n:
        return Profile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    counts: Counter[str] = Counter()
    for v in nonblank:
        kind = _kind(v)
        counts.update(_SHARES_OF_KIND[kind])
        if kind == "number" and 0 <= v <= 1:
            counts["fractions"] += 1
    distinct = len({str(v).strip().casefold() for v in nonblank})
    return Profile(n, *(counts[share] / n for share in _SHARES), distinct)


#: The :class:`Profile` shares, in field order.
_SHARES = tuple(f.name for f in fields(Profile) if f.name not in ("count", "distinct"))
#: The shares a value of each kind counts toward: a number is also money (and
#: a fraction when in 0..1), a percent is also a fraction, an outcome word is
#: also text.
_SHARES_OF_KIND: dict[str, tuple[str, ...]] = {
    "date": ("dates",),
    "bool": ("booleans",),
    "number": ("numbers", "money"),
    "percent": ("percents", "fractions"),
    "money": ("money",),
    "email": ("emails",),
    "outcome": ("outcomes", "texts"),
    "text": ("texts",),
}


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, dt.date | dt.datetime):
        return "date"
    if isinstance(v, int | float):
        return "number"
    if not isinstance(v, str):
        return "text"
    text = v.strip(P.STRIP_CHARS)
    if text.endswith(("%", "％")) and P.parse_probability(text).ok:
        return "percent"
    if "@" in text and P.parse_emails(text).ok:
        return "email"
    if P.parse_bool(text).value is not None:
        return "bool"
    if any(c.isdigit() for c in text):
        if P.parse_date(text).value is not None:
            return "date"
        if P.parse_amount(text).value is not None:
            return "money"
    if outcome_word(text) is not None:
        return "outcome"
    return "text"


def fit(field: str, p: Profile) -> float:
    """The share of the column's values that fit ``field`` (1.0 for an empty column)."""
    if p.empty:
        return 1.0
    if field in _DATE_FIELDS or field in _DATETIME_FIELDS:
        return p.dates
    if field == "amount":
        return p.money - (p.fractions if p.fractions > 0.9 else 0.0)
    if field == "probability":
        return p.fractions + (
            p.numbers - p.fractions if p.numbers and p.money <= p.numbers else 0.0
        )
    if field in _EMAIL_FIELDS:
        return p.emails
    if field in _BOOL_FIELDS:
        return p.booleans
    if field == "status":
        return p.outcomes + p.booleans
    if field == "currency":
        return p.texts
    if field in _NAME_FIELDS:
        return p.texts - p.outcomes
    # other text fields (deal, company, stage, notes…): anything but addresses and dates
    return 1.0 - p.emails - p.dates
