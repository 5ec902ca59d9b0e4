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
  A two-digit year (``3 พ.ย. 69``, ``26/12/69``: Thai teams write the last
  two digits of the Buddhist-era year, 69 = 2569 = 2026 CE) is read in the
  column's calendar: as 25yy BE when the setting says so or when the
  column's four-digit years are Buddhist-era (and 25yy BE is a plausible
  date); in a column that does not say, it keeps the usual reading (2000 +
  yy, or 1900 + yy from 70) unless that one is implausible and 25yy BE is
  not, and then the column cannot tell: ``ambiguous-year`` at the cell,
  naming ``[parse] calendar``, rather than a guess either way.
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
            if v is None or v == "":  # a blank cell: nothing to read (most of such a column)
                continue
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


_DIGIT_RUN = re.compile(r"[0-9]+")


def _all_within(parsed: list[Any], lo: dt.date | None, hi: dt.date | None) -> bool:
    """Whether every read day of a column lies in ``lo``..``hi`` (no bounds: yes).

    Compared through the column's earliest and latest value; a column that
    mixes dates and date-times cannot be ordered, and says no (the caller
    then checks cell by cell).
    """
    if lo is None or hi is None:
        return True
    present = [p for p in parsed if p is not None]
    if not present:
        return True
    try:
        first, last = min(present), max(present)
    except TypeError:
        return False
    return lo <= _day(first) and _day(last) <= hi


def _day(x: dt.date) -> dt.date:
    return x.date() if isinstance(x, dt.datetime) else x


def _two_digit_year(raw: Any) -> bool:
    """Whether a text date cell wrote its year with two digits (``26/12/69``).

    A text date with no run of three or more digits cannot carry a
    four-digit year, an ISO date or a serial, so its year came from two
    digits; a ``พ.ศ.`` / ``ค.ศ.`` mark already names the era.
    """
    if not isinstance(raw, str):
        return False
    text = N.ascii_digits(raw)
    if "ศ." in text or "B.E" in text.upper() or "A.D" in text.upper():
        return False
    runs = _DIGIT_RUN.findall(text)
    return bool(runs) and all(len(r) <= 2 for r in runs)


def _buddhist_two_digit(value: Any) -> Any:
    """``value`` (read with year 2000 + yy or 1900 + yy) with its year as 25yy BE, in CE.

    None when that day does not exist (29 February)."""
    year = 2500 + value.year % 100 - BE_OFFSET
    try:
        return value.replace(year=year)
    except ValueError:
        return None


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
    # two-digit years say nothing about the calendar: the other cells decide
    two_digit = {
        i
        for i, v in enumerate(raw)
        if isinstance(v, str) and parsed[i] is not None and _two_digit_year(v)
    }
    chosen = calendar or infer_calendar([p for i, p in enumerate(parsed) if i not in two_digit])
    lo = hi = None
    if as_of is not None:
        lo = dt.date(max(1, as_of.year - past_years), 1, 1)
        hi = dt.date(min(9999, as_of.year + future_years), 12, 31)
    if not errors and not two_digit and chosen != "buddhist" and _all_within(parsed, lo, hi):
        # the usual column: every cell read, none to move or report; the loop
        # below would keep each value as it is
        return ColumnRead(parsed, note="; ".join(notes))
    out = ColumnRead([None] * len(raw))

    def plausible(x: Any) -> bool:
        day = x.date() if isinstance(x, dt.datetime) else x
        return lo is None or hi is None or lo <= day <= hi

    two_digit_be = 0
    for i, v in enumerate(raw):
        if i in errors:
            out.issues.append((i, "bad-date", f"{what} {errors[i]}", ""))
            continue
        value = parsed[i]
        if value is None:
            continue
        if i in two_digit:
            be = _buddhist_two_digit(value)
            yy = value.year % 100
            be_fits = be is not None and plausible(be)
            if chosen == "buddhist" and (calendar == "buddhist" or be_fits):
                if be is None:
                    out.issues.append(
                        (
                            i,
                            "bad-date",
                            f"{what} not a date: {P.quote(v)} (no such day in the Buddhist-era year 25{yy:02d})",
                            "",
                        )
                    )
                    continue
                value = be
                two_digit_be += 1
            elif be is not None and (
                (chosen == "buddhist" and plausible(value))
                or (calendar is None and chosen != "buddhist" and be_fits and not plausible(value))
            ):
                # two readings and the column cannot tell which: ask
                out.issues.append(
                    (
                        i,
                        "ambiguous-year",
                        f"{what} {P.quote(v)} has a two-digit year: {value.year} in the Common Era, "
                        f"or 25{yy:02d} in the Buddhist era ({be.isoformat()}); the column does not say which; "
                        "it is left out",
                        'set calendar = "buddhist" (or "gregorian") in the [parse] section, '
                        f"or write the year with four digits (25{yy:02d} or {value.year})",
                    )
                )
                continue
        elif chosen == "buddhist":
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
        if lo is not None and hi is not None and not plausible(value):
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
    if chosen == "buddhist":
        notes.append(
            "Buddhist era (year − 543)" + ("" if calendar else ", from the years the column holds")
        )
        if two_digit_be:
            notes.append(
                f"two-digit years as Buddhist-era years ({two_digit_be} cells: 69 is 2569)"
            )
    out.note = "; ".join(notes)
    return out
