"""Columns whose cells mean something only together: probabilities, opt-outs, dates.

* **Probabilities** (issue rule: "a column with any value above 1 is a
  percent column, so 1 means 1 %; a header saying % decides too"): ``1`` in
  a column of ``1, 50, 80`` is 1 %, and 100 % only in a column of fractions.
  A fraction such as ``0.5`` in a percent column could be 0.5 % or 50 %: it
  is reported and left out (the stage's probability applies).
* **Do not email** fails closed: anything that is not a clear "no" in one
  of the sheet's languages blocks email to the contact; a cell that was not
  a plain "yes" either (``Unsubscribed``, ``do not email!``, ``??``) is
  reported, so the team sees what was read as an opt-out.
* **Dates** in the Buddhist era (``26/12/2569``) are read as such when the
  column's years sit in the Buddhist range (:data:`datewords.BE_MIN` ..
  :data:`datewords.BE_MAX`) or ``[parse] calendar = "buddhist"`` says so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import numbers as N
from . import parse as P
from .datewords import BE_MAX, BE_MIN, BE_OFFSET

__all__ = [
    "ColumnRead",
    "read_date_column",
    "read_opt_out_column",
    "read_probability_column",
]


@dataclass(slots=True)
class ColumnRead:
    """Typed values and ``(index, code, message, hint)`` issues of one column."""

    values: list[Any]
    issues: list[tuple[int, str, str, str]] = field(default_factory=list)
    #: How the column was read, for ``check`` and ``init`` ("percent column", "Buddhist era").
    note: str = ""


# --------------------------------------------------------------------------- probabilities


def _bare_number(v: Any) -> float | None:
    """A number typed without ``%``: a number cell, or text like ``40`` / ``0,5``."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        t = v.strip(P.STRIP_CHARS)
        if not t or t.endswith(("%", "％")):
            return None
        try:
            return float(t.replace(",", "."))
        except ValueError:
            return None
    return None


def read_probability_column(raw: Sequence[Any], header: str = "") -> ColumnRead:
    """Read a probability column, deciding per column what a bare number means."""
    header_says_percent = (
        "%" in header or "percent" in header.casefold() or "prozent" in header.casefold()
    )
    bare = [_bare_number(v) for v in raw]
    numbers = [x for x in bare if x is not None]
    above_one = any(x > 1 for x in numbers)
    fractional = [x for x in numbers if 0 < x < 1]
    percent_column = above_one or (header_says_percent and not (fractional and not above_one))
    out = ColumnRead([None] * len(raw))
    if numbers:
        if percent_column:
            out.note = "a percent column: 1 means 1 %" + (
                " (the header says %)" if header_says_percent and not above_one else ""
            )
        else:
            out.note = "fractions: 1 means 100 %"
    for i, v in enumerate(raw):
        x = bare[i]
        if x is None:
            res = P.parse_probability(v)
            if res.error:
                out.issues.append(
                    (
                        i,
                        "bad-probability",
                        f"probability {res.error}",
                        "write a probability such as 40% or 0.4",
                    )
                )
            else:
                out.values[i] = res.value
            continue
        if x < 0 or x > 100:
            out.issues.append(
                (
                    i,
                    "bad-probability",
                    f"probability must be between 0% and 100%: {P.quote(v)}",
                    "write a probability such as 40% or 0.4",
                )
            )
            continue
        if percent_column:
            if 0 < x < 1:
                out.issues.append(
                    (
                        i,
                        "ambiguous-probability",
                        f"probability {P.quote(v)} in a column of percents could be {x:g} % or "
                        f"{x * 100:g} %; the stage's probability is used instead",
                        f"write {x * 100:g} for {x * 100:g} % (this column counts in percent)",
                    )
                )
                continue
            out.values[i] = round(x / 100, 12) + 0.0
        else:
            out.values[i] = x + 0.0
    return out


# --------------------------------------------------------------------------- opt-outs


_OPT: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None


def _opt_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(clear no = may email, plain yes, opt-out phrasings), normalised, every language."""
    global _OPT
    if _OPT is None:
        from .vocab.words import WORDS, normalize_word

        may = frozenset(normalize_word(w) for lw in WORDS.values() for w in lw.may_email + lw.no)
        yes = frozenset(normalize_word(w) for lw in WORDS.values() for w in lw.yes)
        phrases = frozenset(normalize_word(w) for lw in WORDS.values() for w in lw.opt_out)
        _OPT = (may, yes - may, phrases - may)
    return _OPT


def opt_out_value(v: Any) -> tuple[bool, bool]:
    """(blocks email, plainly said): how one do-not-email cell reads.

    A clear "no" (``no``, ``false``, ``0``, ``nein``, ``ไม่``, ``subscribed``)
    lets email through; a clear "yes" (``yes``, ``x``, ``✓``, ``ja``) blocks it
    plainly; anything else blocks it too, but not plainly: the caller reports it.
    """
    from .vocab.words import normalize_word

    if P.is_blank(v):
        return False, True
    parsed = P.parse_bool(v)
    if parsed.value is False:
        return False, True
    if parsed.value is True:
        return True, True
    may, yes, _phrases = _opt_words()
    key = normalize_word(str(v).strip(P.STRIP_CHARS))
    if key in may:
        return False, True
    if key in yes:
        return True, True
    return True, False


def read_opt_out_column(raw: Sequence[Any]) -> ColumnRead:
    """Read a do-not-email column, failing closed (see the module notes)."""
    out = ColumnRead([False] * len(raw))
    cache: dict[Any, tuple[bool, bool]] = {}
    for i, v in enumerate(raw):
        if P.is_blank(v):
            continue
        key = v if isinstance(v, str | int | float | bool) else repr(v)
        if key not in cache:
            cache[key] = opt_out_value(v)
        blocks, plain = cache[key]
        out.values[i] = blocks
        if blocks and not plain:
            out.issues.append(
                (
                    i,
                    "opt-out-assumed",
                    f"do not email: {P.quote(v)} is read as an opt-out; no email goes to this contact",
                    "write yes (do not email) or no (may email) to make it plain",
                )
            )
    return out


# --------------------------------------------------------------------------- dates


def infer_calendar(days: Sequence[Any]) -> str:
    """``buddhist`` when most dated cells of a column carry Buddhist-era years."""
    years = [d.year for d in days if isinstance(d, dt.date)]
    if not years:
        return "gregorian"
    buddhist = sum(1 for y in years if BE_MIN <= y <= BE_MAX)
    return "buddhist" if buddhist * 2 > len(years) else "gregorian"


def to_gregorian(value: Any) -> Any:
    """A date or datetime with a Buddhist-era year moved to the Common Era."""
    if isinstance(value, dt.date) and BE_MIN <= value.year <= BE_MAX:
        try:
            return value.replace(year=value.year - BE_OFFSET)
        except ValueError:  # 29 February of a year that is not leap in CE
            return None
    return value


_NUMERIC_DATE = re.compile(r"^\s*([0-9]{1,2})[./\-]([0-9]{1,2})[./\-]([0-9]{2}|[0-9]{4})(?![0-9])")


def infer_date_order(raw: Sequence[Any]) -> tuple[str, str]:
    """(``dmy``/``mdy``/``auto``, the cell that shows it) from a column's numeric text dates.

    ``15.12.2026`` can only be day-month-year, ``12/15/2026`` only
    month-day-year; when a column has such cells and no others pointing the
    other way (or twice as many), its ``01.11.2026`` reads the same way.
    ``auto`` also when no cell of the column depends on the order.
    """
    votes = {"dmy": 0, "mdy": 0}
    example = {"dmy": "", "mdy": ""}
    for v in raw:
        if not isinstance(v, str):
            continue
        m = _NUMERIC_DATE.match(N.ascii_digits(v))
        if m is None:
            continue
        a, b = int(m[1]), int(m[2])
        if a > 12 >= b:
            votes["dmy"] += 1
            example["dmy"] = example["dmy"] or v.strip()
        elif b > 12 >= a:
            votes["mdy"] += 1
            example["mdy"] = example["mdy"] or v.strip()
        elif a != b:
            votes["either"] = votes.get("either", 0) + 1
    if not votes.get("either"):
        return "auto", ""  # nothing in the column depends on the order
    d, m_ = votes["dmy"], votes["mdy"]
    if d and d >= 2 * m_:
        return "dmy", example["dmy"]
    if m_ and m_ >= 2 * d:
        return "mdy", example["mdy"]
    return "auto", ""


def read_date_column(
    raw: Sequence[Any],
    make_parser: Callable[[str], Callable[[Any], P.Parsed]],
    *,
    order: str = "auto",
    calendar: str | None,
    as_of: dt.date | None,
    what: str,
    past_years: int = 40,
    future_years: int = 15,
) -> ColumnRead:
    """Read a date column: Buddhist era inferred or configured, implausible dates reported.

    ``make_parser(order)`` reads one cell in a date order (with the team's
    month names); ``order`` ``auto`` is settled by the column when it can be
    (:func:`infer_date_order`).  A date more than ``past_years`` before or ``future_years``
    after ``as_of`` is an ``implausible-date`` finding and left out (a typo
    such as 2062 for 2026 would otherwise move a deal out of every period).
    """
    notes: list[str] = []
    if order == "auto":
        inferred, example = infer_date_order(raw)
        if inferred != "auto":
            order = inferred
            kind = "day-month-year" if order == "dmy" else "month-day-year"
            notes.append(f"{kind}, as {example!r} shows")
    parse = make_parser(order)
    parsed: list[Any] = [None] * len(raw)
    errors: dict[int, str] = {}
    for i, v in enumerate(raw):
        t = type(v)
        if t is dt.date or t is dt.datetime:
            parsed[i] = v
        elif v is None or v == "":
            continue
        else:
            res = parse(v)
            if res.error:
                errors[i] = res.error
            else:
                parsed[i] = res.value
    chosen = calendar or infer_calendar(parsed)
    out = ColumnRead([None] * len(raw))
    if chosen == "buddhist":
        notes.append(
            "Buddhist era (year − 543)" + ("" if calendar else ", from the years the column holds")
        )
    out.note = "; ".join(notes)
    lo = hi = None
    if as_of is not None:
        lo = dt.date(max(1, as_of.year - past_years), 1, 1)
        hi = dt.date(min(9999, as_of.year + future_years), 12, 31)
    for i, v in enumerate(raw):
        if i in errors:
            out.issues.append((i, "bad-date", f"{what} {errors[i]}", ""))
            continue
        value = parsed[i]
        if value is None:
            continue
        if chosen == "buddhist":
            moved = to_gregorian(value)
            if moved is None:
                out.issues.append(
                    (
                        i,
                        "bad-date",
                        f"{what} not a date: {P.quote(v)} (no such day in the Buddhist-era year)",
                        "",
                    )
                )
                continue
            value = moved
        day = value.date() if isinstance(value, dt.datetime) else value
        if lo is not None and hi is not None and not lo <= day <= hi:
            hint = "check the year"
            if chosen != "buddhist" and BE_MIN <= day.year <= BE_MAX:
                hint = (
                    f"{day.year} looks like a Buddhist-era year ({day.year - BE_OFFSET}): "
                    'set calendar = "buddhist" in the [parse] section, or write the year in the Common Era'
                )
            out.issues.append(
                (
                    i,
                    "implausible-date",
                    f"{what} {day.isoformat()} is more than {past_years if day < lo else future_years} "
                    f"years {'before' if day < lo else 'after'} {as_of.isoformat() if as_of else 'today'}; it is left out",
                    hint,
                )
            )
            continue
        out.values[i] = value
    return out
