"""Turn one spreadsheet cell into a typed value, or say why it cannot be read.

Cells come from python-calamine or Google Sheets as ``None``, ``str`` (``""``
for an empty cell), ``int``, ``float`` (nan and inf included), ``bool`` or a
``datetime`` ``date`` / ``datetime`` / ``time`` / ``timedelta``.  People type
what they like into spreadsheets, so every parser here returns a
:class:`Parsed` and **never raises**: a cell that cannot be read becomes a short
message for a person (``not an amount: 'abc'``) which the pipeline layer turns
into a finding that points at the cell.  A bug in a parser must not stop a
100k-row check either, so each public parser also has a last-resort guard that
turns an unexpected exception into an error value.

Decisions taken where a strict rule would have to guess:

* Thousands separators must form groups of three digits (``1,200``,
  ``1 000``, ``1'000``), with one exception: Indian grouping (``12,34,567``,
  ``1,00,000``) is accepted with a comma separator, because it is unambiguous
  (two-digit middle groups, a three-digit last group) and ₹ sheets use it.
  ``1,20,0`` and mixed separators (``1,000 000``) are errors.
* When a text amount only reads in the *other* decimal convention (``12,5``
  or ``1.200,50`` with ``decimal_comma = false``; ``1.5`` or ``1,200.50`` with
  ``decimal_comma = true``) it is an error whose message names the setting,
  rather than a silent guess that would read other cells differently.
* ``n/a``, ``na``, ``-``, ``—``, ``tbd``, ``?``, ``unknown`` (and close
  variants) are blank for amounts, probabilities, dates and datetimes: people
  write them for "don't know", and a missing value is reported better as
  missing than as unreadable.  Text, yes/no and email cells keep them strict.
* Probabilities take a comma as decimal mark too (``12,5 %``): a probability
  never needs a thousands separator, so it cannot be misread.
* Text serial numbers (``"46000"``) need at least five digits, so that a bare
  year such as ``"2026"`` is an error instead of a date in 1905.  Eight digits
  are read as compact ISO ``YYYYMMDD`` (``"20261126"``).
* Numeric dates with the year first are always year-month-day; two-digit
  years only follow a day and month (``26/11/26``).
* Timezone offsets (``Z``, ``+01:00``, ``UTC``) and ``tzinfo`` are dropped,
  keeping the wall time as written: a sheet shows people their own local time,
  and converting would move appointments by the offset of whoever typed them.
* A weekday prefix (``Thu 26 Nov 2026``) must match the date; a mismatch is an
  error, because it means either the weekday or the date is wrong.
* Excel serial times are rounded to the millisecond (Excel's own precision),
  so that ``14:30`` stored as a float does not come back as ``14:29:59.999``.
* Emails are split by a small tokenizer instead of
  :func:`email.utils.getaddresses`, which silently drops or merges malformed
  parts; unbalanced quotes or brackets, control characters and header-like
  pieces (``Bcc:``) are errors naming the bad piece.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from . import numbers as N
from .datewords import BE_OFFSET, month_number, weekday_number

__all__ = [
    "Parsed",
    "excel_serial_to_datetime",
    "is_blank",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_emails",
    "parse_probability",
    "parse_text",
]


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of reading one cell: a typed value, blank, or an error.

    A value object rather than an exception so that reading a sheet never
    stops at the first bad cell: the caller collects every error as a finding.
    """

    value: Any = None
    error: str | None = None

    @property
    def blank(self) -> bool:
        """True when the cell holds nothing (or a "don't know" word)."""
        return self.value is None and self.error is None

    @property
    def ok(self) -> bool:
        """True when the cell was readable (a value or blank)."""
        return self.error is None


_BLANK = Parsed()

# --------------------------------------------------------------------------- helpers

#: Whitespace that people paste around values: Python's whitespace (NBSP,
#: thin and ideographic spaces included) plus the zero-width characters that
#: str.strip() leaves alone.
STRIP_CHARS = _STRIP = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
    "\u200b\u200c\u200d\u2060\ufeff"
)

#: Words people write for "don't know"; blank for numbers and dates.
_BLANK_WORDS = frozenset(
    {
        "n/a",
        "n.a.",
        "n.a",
        "na",
        "n/k",
        "-",
        "--",
        "---",
        "—",
        "–",
        "−",
        "tbd",
        "tba",
        "tbc",
        "?",
        "??",
        "???",
        "unknown",
    }
)

_MAX_QUOTE = 40

#: Public names of the "don't know" words (blank for numbers and dates).
BLANK_WORDS = _BLANK_WORDS


def _quote(raw: Any) -> str:
    """``'value'`` for a message: single quotes, control characters escaped,
    cut to about 40 characters so one wild cell cannot flood a report."""
    try:
        if isinstance(raw, str):
            text = raw
        elif isinstance(raw, dt.date | dt.time):
            text = raw.isoformat()
        else:
            text = str(raw)
    except Exception:
        text = f"<{type(raw).__name__}>"
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 1] + "…"
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"'{text}'"


def quote(raw: Any) -> str:
    """``'value'`` for a message (see :func:`_quote`)."""
    return _quote(raw)


def _strip(text: str) -> str:
    return text.strip(_STRIP)


P = ParamSpec("P")


def _never_raise(
    func: Callable[Concatenate[Any, P], Parsed],
) -> Callable[Concatenate[Any, P], Parsed]:
    """Last-resort guard: a parser bug becomes an error value, not a crash.

    The parsers are written not to raise; this only exists so that one cell
    hitting an unforeseen case cannot abort reading a whole workbook.
    """

    @functools.wraps(func)
    def guarded(raw: Any, /, *args: P.args, **kwargs: P.kwargs) -> Parsed:
        try:
            return func(raw, *args, **kwargs)
        except Exception:
            return Parsed(error=f"cannot read {_quote(raw)}")

    return guarded


def is_blank(raw: Any) -> bool:
    """True for an empty cell: ``None``, ``""`` or whitespace only (NBSP too).

    Whitespace-only cells count as empty because they look empty on screen;
    telling a person "this cell is unreadable" about a cell they see as empty
    would only confuse them.
    """
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw or not raw.strip(_STRIP)
    return False


# --------------------------------------------------------------------------- text


def _float_text(x: float) -> str:
    """A float as a person would type it: ``12`` not ``12.0``."""
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


@_never_raise
def parse_text(raw: Any) -> Parsed:
    """Any cell as stripped text, so names and ids compare as people see them.

    Numbers print without a spurious ``.0`` (an id typed as ``12`` comes back
    from Excel as ``12.0``), dates as ISO, booleans as Excel shows them
    (``TRUE``/``FALSE``).  nan and inf are errors: they are never typed text.
    """
    if raw is None:
        return _BLANK
    if isinstance(raw, str):
        text = _strip(raw)
        return Parsed(text) if text else _BLANK
    if isinstance(raw, bool):
        return Parsed("TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        return Parsed(str(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Parsed(error=f"not text: {_quote(raw)}")
        return Parsed(_float_text(raw))
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0):
            return Parsed(raw.date().isoformat())
        spec = "minutes" if raw.second == 0 and raw.microsecond == 0 else "auto"
        return Parsed(raw.replace(tzinfo=None).isoformat(" ", spec))
    if isinstance(raw, dt.date):
        return Parsed(raw.isoformat())
    if isinstance(raw, dt.time):
        spec = "minutes" if raw.second == 0 and raw.microsecond == 0 else "auto"
        return Parsed(raw.replace(tzinfo=None).isoformat(spec))
    text = _strip(str(raw))
    return Parsed(text) if text else _BLANK


# --------------------------------------------------------------------------- amounts

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+")

_DECIMAL_COMMA_HINT = (
    "looks like a decimal comma: set locale in the [team] section (e.g. de_DE) "
    "or decimal_comma = true in [parse]"
)
_DECIMAL_POINT_HINT = (
    "looks like a decimal point: set locale in the [team] section (e.g. en_US) "
    "or decimal_comma = false in [parse]"
)


def _amount_error(raw: Any, hint: str = "") -> Parsed:
    suffix = f" ({hint})" if hint else ""
    return Parsed(error=f"not an amount: {_quote(raw)}{suffix}")


def _finite_amount(raw: Any, value: float) -> Parsed:
    if not math.isfinite(value):
        return _amount_error(raw, "too large")
    return Parsed(value + 0.0)  # + 0.0 turns -0.0 into 0.0


def amount_text_value(parts: N.AmountText, convention: str, locale: str | None) -> float | None:
    """The amount ``parts`` stand for under ``convention`` (None: not readable so)."""
    if parts.convention is not None and parts.convention != convention:
        return None
    number = N.read_body(parts.body, convention, locale)
    if number is None:
        return None
    try:
        value = float(number.scaleb(parts.power))
    except (OverflowError, ArithmeticError):
        return math.inf
    return -value if parts.negative else value


@_never_raise
def parse_amount(
    raw: Any, *, decimal_comma: bool | None = False, locale: str | None = None
) -> Parsed:
    """A money amount as a float, from a number or text as people write it.

    Text may carry a currency symbol, code or name at either end, thousands
    separators, multiplier words (``k``, ``m``, ``bn``, CLDR's ``Mio.``,
    ``ล้าน``, ``mil``…) and a negative sign in front, behind, or as
    accounting parentheses ``(1,200)`` (see :mod:`sheetsync.numbers`).  The
    decimal mark follows ``decimal_comma``, else ``locale``'s (CLDR), else the
    decimal point, because ``1.200`` is 1.2 in one convention and 1200 in the
    other; values that only read in the other convention are errors that name
    the setting.  The currency is not returned here: columns are read by
    :mod:`sheetsync.money`, which keeps it.
    """
    if raw is None:
        return _BLANK
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return _amount_error(raw)
        return Parsed(raw + 0.0)
    if isinstance(raw, bool):
        return _amount_error(raw)
    if isinstance(raw, int):
        try:
            return Parsed(float(raw))
        except OverflowError:
            return _amount_error(raw, "too large")
    if not isinstance(raw, str):
        return _amount_error(raw)

    text = N.ascii_digits(_strip(raw))
    if not text or text.casefold() in _BLANK_WORDS:
        return _BLANK
    if len(text) > 200:
        return _amount_error(raw)
    if decimal_comma is None:
        convention = N.locale_decimal(locale) if locale else N.DOT
    else:
        convention = N.COMMA if decimal_comma else N.DOT
    if (_PLAIN_INTEGER if convention == N.COMMA else _PLAIN_NUMBER).fullmatch(text):
        return _finite_amount(raw, float(text))

    parts = N.split_amount(text, locale)
    if parts is None:
        return _amount_error(raw)
    value = amount_text_value(parts, convention, locale)
    if value is None:
        other = N.COMMA if convention == N.DOT else N.DOT
        if amount_text_value(parts, other, locale) is not None:
            return _amount_error(
                raw, _DECIMAL_POINT_HINT if convention == N.COMMA else _DECIMAL_COMMA_HINT
            )
        return _amount_error(raw)
    return _finite_amount(raw, value)


# --------------------------------------------------------------------------- probabilities

_PROBABILITY = re.compile(
    r"(?P<sign>[-+−–])?\s*(?P<num>[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\s*(?P<pct>[%％])?"
)


def _probability_from_number(raw: Any, x: float) -> Parsed:
    """0..1 is a fraction, above 1 up to 100 a percent (``40`` means 40%)."""
    if not math.isfinite(x):
        return Parsed(error=f"not a probability: {_quote(raw)}")
    if 0 <= x <= 1:
        return Parsed(x + 0.0)
    if 1 < x <= 100:
        return Parsed(x / 100)
    return _probability_range_error(raw)


def _probability_range_error(raw: Any) -> Parsed:
    return Parsed(error=f"probability must be between 0% and 100%: {_quote(raw)}")


@_never_raise
def parse_probability(raw: Any) -> Parsed:
    """A win probability as a float in [0, 1].

    People write ``40%``, ``0.4`` or ``40``: numbers above 1 (up to 100) are
    read as percents because nobody means a 4000% chance.  ``1`` is 100%.
    """
    if raw is None:
        return _BLANK
    if isinstance(raw, bool):
        return Parsed(error=f"not a probability: {_quote(raw)}")
    if isinstance(raw, int | float):
        try:
            return _probability_from_number(raw, float(raw))
        except OverflowError:
            return _probability_range_error(raw)
    if not isinstance(raw, str):
        return Parsed(error=f"not a probability: {_quote(raw)}")

    text = _strip(raw)
    if not text or text.casefold() in _BLANK_WORDS:
        return _BLANK
    m = _PROBABILITY.fullmatch(text)
    if m is None:
        return Parsed(error=f"not a probability: {_quote(raw)}")
    num = m["num"].replace(",", ".")
    if m["sign"] and m["sign"] != "+" and float(num) != 0:
        return _probability_range_error(raw)
    if m["pct"]:
        # "33.3e-2" rounds once, where float("33.3") / 100 would round twice.
        value = float(f"{num}e-2")
        if value > 1:
            return _probability_range_error(raw)
        return Parsed(value + 0.0)
    return _probability_from_number(raw, float(num))


# --------------------------------------------------------------------------- excel serials

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1900_EARLY = dt.datetime(1899, 12, 31)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_MAX_SERIAL_1900 = 2958465  # 9999-12-31
_MAX_SERIAL_1904 = 2958465 - 1462
_MS_PER_DAY = 86_400_000


def excel_serial_to_datetime(serial: float, *, epoch1904: bool = False) -> dt.datetime | None:
    """The naive datetime an Excel date serial stands for, or None.

    1900 system: serial 1 is 1900-01-01 and Excel counts a 29 February 1900
    that never was (serial 60), so serials from 61 on count from 1899-12-30
    and 1..59 from 1899-12-31; 60 itself is None.  1904 system (old Mac
    workbooks): serial 0 is 1904-01-01.  Serials past 9999-12-31, before the
    epoch, or not finite are None.  The fraction is the time of day, rounded
    to the millisecond (Excel's own precision) so that float noise does not
    turn 14:30 into 14:29:59.999.
    """
    try:
        if isinstance(serial, bool) or not math.isfinite(serial):
            return None
        days = math.floor(serial)
        ms = round((serial - days) * _MS_PER_DAY)
        if ms >= _MS_PER_DAY:
            days, ms = days + 1, 0
        if epoch1904:
            if not 0 <= days <= _MAX_SERIAL_1904:
                return None
            base = _EPOCH_1904
        else:
            if not 1 <= days <= _MAX_SERIAL_1900 or days == 60:
                return None
            base = _EPOCH_1900 if days > 60 else _EPOCH_1900_EARLY
        return base + dt.timedelta(days=days, milliseconds=ms)
    except (TypeError, ValueError, OverflowError):
        return None


# --------------------------------------------------------------------------- dates

_MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_SHORT = tuple(name[:3] for name in _MONTH_NAMES)
#: English month names, full or three letters (and "sept"), lowercase.
_MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(_MONTH_NAMES) if name},
    **{name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES) if name},
    "sept": 9,
}

_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: A word in any script, with dots inside (Thai ``ธ.ค.``): month and day names.
_NAME = r"(?:[^\W\d_]|[\u0E00-\u0E7F])(?:[^\W\d_]|[\u0E00-\u0E7F]|\.(?=[^\W\d_]|[\u0E00-\u0E7F]))*"
_WEEKDAY_PREFIX = re.compile(rf"(?P<wd>{_NAME})\.?\s*,?\s+", re.IGNORECASE)

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # 2026-11-26, 2026/11/26, 2026.11.26
        r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])",
        # 26/11/2026, 11/26/2026, 26.11.26 (order from date_order)
        r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])",
        # 26 Nov 2026, 26-Nov-2026, 26th of November 2026, 26. November 2026
        r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th|er|º|ª)?\.?[\s\-/]*(?:of\s+)?(?P<mon>" + _NAME + r")\.?"
        r"(?:\s*,\s*|[\s\-/.]*)(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])",
        # Nov 26, 2026, November 26 2026, Nov-26-2026
        r"(?P<mon>" + _NAME + r")\.?[\s\-/]*(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?"
        r"(?:\s*,\s*|[\s\-/.]+)(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])",
        # 2026-Nov-26, 2026 November 26
        r"(?P<y>[0-9]{4})[\s\-/.]+(?P<mon>" + _NAME + r")\.?[\s\-/.]+(?P<d>[0-9]{1,2})(?![0-9])",
    )
)
_TIME_TAIL = re.compile(
    r"""
    (?:\s*[T,@]\s*|\s+(?:at\s+)?)
    (?P<h>[0-9]{1,2})
    (?:[:.h](?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?)?
    \s*(?P<ampm>[ap]\.?\s?m\.?)?
    \s*(?:uhr|heures|hrs|น\.|นาฬิกา)?
    \s*(?P<tz>z|(?:utc|gmt)?\s*(?:[+-][0-9]{1,2}(?::?[0-9]{2})?)?)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_TIME_ALONE = re.compile(
    r"[0-9]{1,2}(?:[:.h][0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*(?:[ap]\.?\s?m\.?)?|\s*[ap]\.?\s?m\.?)",
    re.IGNORECASE,
)
_SERIAL_TEXT = re.compile(r"([0-9]+)(?:\.[0-9]+)?")
_DATE_ORDERS = ("auto", "dmy", "mdy")
_NO_DATE = "a time of day without a date"
_OUT_OF_RANGE = "outside Excel's dates"


class _Unreadable(Exception):
    """Internal: why a date text cannot be read (never leaves this module)."""


class _Ambiguous(_Unreadable):
    """Internal: a numeric date that reads both as day/month and month/day."""


def _year(text: str) -> int:
    """Four digits as written; two digits 00-69 → 2000s, 70-99 → 1900s."""
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _make_date(y: int, m: int, d: int) -> dt.date:
    if not 1 <= m <= 12:
        raise _Unreadable(f"there is no month {m}")
    try:
        return dt.date(y, m, d)
    except ValueError:
        if y < 1:
            raise _Unreadable(f"there is no year {y}") from None
        raise _Unreadable(f"{_MONTH_NAMES[m]} {y} has no day {d}") from None


def _numeric_order(a: int, b: int, y: int, order: str) -> tuple[int, int]:
    """(day, month) of ``a/b/y`` under ``date_order``."""
    if order == "dmy":
        return a, b
    if order == "mdy":
        return b, a
    if a == b or (a > 12 and b <= 12):
        return a, b
    if b > 12 and a <= 12:
        return b, a
    if a > 12 and b > 12:
        raise _Unreadable(f"there is no month {min(a, b)}")
    # Both could be the month: only the sheet's convention can tell.
    raise _Ambiguous(
        f"{a} {_MONTH_SHORT[b]} {y} or {b} {_MONTH_SHORT[a]} {y}? "
        'set date_order = "dmy" or "mdy" in the [parse] section'
    )


def _read_time(m: re.Match[str]) -> dt.time:
    h = int(m["h"])
    minute = int(m["mi"]) if m["mi"] else 0
    second = int(m["s"]) if m["s"] else 0
    micro = int(m["f"][:6].ljust(6, "0")) if m["f"] else 0
    ampm = m["ampm"]
    if ampm:
        if not 1 <= h <= 12:
            raise _Unreadable(f"there is no {h} o'clock with am/pm")
        pm = ampm[0] in "pP"
        h = (h % 12) + (12 if pm else 0)
    elif m["mi"] is None:
        raise _Unreadable("a time needs minutes (14:30) or am/pm (2pm)")
    if h > 23 or minute > 59 or second > 59:
        raise _Unreadable("not a time of day")
    return dt.time(h, minute, second, micro)


_CONNECTORS = re.compile(
    r"(?<=[0-9])\s+(?:de|del|of)\s+(?=[^\W\d_])"  # 26 de diciembre, 26th of November
    r"|(?<=[^\W\d_])\.?\s+(?:de|del)\s+(?=[0-9])"  # diciembre de 2026
    r"|^(?:le|am|el|the|den|วันที่)\s+",  # le 26 décembre, am 26. Dezember
    re.IGNORECASE,
)
_BE_MARK = re.compile(r"\s*(?:พ\.\s?ศ\.?|B\.E\.)\s*", re.IGNORECASE)
_CE_MARK = re.compile(r"\s*(?:ค\.\s?ศ\.?|A\.D\.)\s*", re.IGNORECASE)


def _read_date_text(
    text: str, order: str, epoch1904: bool, locale: str | None = None
) -> tuple[dt.date, dt.time | None]:
    """(date, time or None) from stripped text, or raise :class:`_Unreadable`.

    Digits of any script are read (Thai ``๒๖/๑๒/๒๕๖๙``), month and day names
    in the languages of :mod:`sheetsync.datewords`, connecting words
    (``de``, ``of``) are skipped, and a Buddhist-era mark (``พ.ศ.``) moves the
    year to the Common Era (year − 543).
    """
    text = N.ascii_digits(text)
    buddhist = False
    if not text.isascii() or "." in text:
        marked = _BE_MARK.sub(" ", text)
        if marked != text:
            buddhist, text = True, " ".join(marked.split())
        text = " ".join(_CE_MARK.sub(" ", text).split())
    if not text.isascii() or " " in text:
        text = _CONNECTORS.sub(" ", text).strip()
    day, when = _read_date_parts(text, order, epoch1904, locale)
    if buddhist:
        try:
            day = day.replace(year=day.year - BE_OFFSET)
        except ValueError:
            raise _Unreadable("no such day in the Buddhist-era year") from None
    return day, when


def _read_date_parts(
    text: str, order: str, epoch1904: bool, locale: str | None
) -> tuple[dt.date, dt.time | None]:
    # Fast path: the ISO date every export writes.
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return _make_date(int(iso[1]), int(iso[2]), int(iso[3])), None

    serial = _SERIAL_TEXT.fullmatch(text)
    if serial:
        digits = len(serial[1])
        if digits == 8 and serial[0] == serial[1]:
            return _make_date(int(text[:4]), int(text[4:6]), int(text[6:])), None
        if digits < 5:
            raise _Unreadable("")
        moment = excel_serial_to_datetime(float(text), epoch1904=epoch1904)
        if moment is None:
            raise _Unreadable(_OUT_OF_RANGE)
        return moment.date(), moment.time()

    weekday = None
    wm = _WEEKDAY_PREFIX.match(text)
    if wm:
        wd = _WEEKDAYS.get(wm["wd"].lower())
        if wd is None:
            wd = weekday_number(wm["wd"], locale)
        if wd is not None:
            weekday = wd
            text = text[wm.end() :]

    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        groups = m.groupdict()
        if "mon" in groups:
            month = _MONTHS.get(groups["mon"].lower()) or month_number(groups["mon"], locale)
            if month is None:
                raise _Unreadable("")
            day = _make_date(_year(groups["y"]), month, int(groups["d"]))
        elif "a" in groups:
            y = _year(groups["y"])
            d, mo = _numeric_order(int(groups["a"]), int(groups["b"]), y, order)
            day = _make_date(y, mo, d)
        else:
            day = _make_date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        rest = text[m.end() :]
        when = None
        if rest.strip():
            tm = _TIME_TAIL.fullmatch(rest)
            if tm is None:
                raise _Unreadable("")
            when = _read_time(tm)
        if weekday is not None and day.weekday() != weekday:
            raise _Unreadable(
                f"{day.day} {_MONTH_SHORT[day.month]} {day.year} is a {_WEEKDAY_NAMES[day.weekday()]}"
            )
        return day, when
    if _TIME_ALONE.fullmatch(text):
        raise _Unreadable(_NO_DATE)
    raise _Unreadable("")


def _read_moment(
    raw: Any, what: str, date_order: str, epoch1904: bool, locale: str | None = None
) -> tuple[dt.date, dt.time | None] | Parsed:
    """Shared by :func:`parse_date` and :func:`parse_datetime`: the date and
    time in a cell, or the Parsed to return (blank or error)."""

    def fail(why: str = "") -> Parsed:
        return Parsed(error=f"not a {what}: {_quote(raw)}" + (f" ({why})" if why else ""))

    if raw is None:
        return _BLANK
    if isinstance(raw, dt.datetime):
        return raw.date(), raw.time()
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, dt.time):
        return fail(_NO_DATE)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return fail()
    order = date_order.lower() if isinstance(date_order, str) else ""
    if order not in _DATE_ORDERS:
        return Parsed(error=f'date_order must be "auto", "dmy" or "mdy", not {_quote(date_order)}')
    if isinstance(raw, int | float):
        moment = excel_serial_to_datetime(raw, epoch1904=epoch1904)
        if moment is None:
            if isinstance(raw, float) and not math.isfinite(raw):
                return fail()
            if not epoch1904 and 0 < raw < 1:
                return fail(_NO_DATE)
            if not epoch1904 and 60 <= raw < 61:
                return fail("Excel's 29 February 1900 never existed")
            return fail(_OUT_OF_RANGE)
        return moment.date(), moment.time()

    text = _strip(raw)
    if not text or text.casefold() in _BLANK_WORDS:
        return _BLANK
    if len(text) > 100:
        return fail()
    try:
        return _read_date_text(text, order, epoch1904, locale)
    except _Ambiguous as exc:
        return Parsed(error=f"ambiguous date: {_quote(raw)} ({exc})")
    except _Unreadable as exc:
        return fail(str(exc))


@_never_raise
def parse_date(
    raw: Any, *, date_order: str = "auto", epoch1904: bool = False, locale: str | None = None
) -> Parsed:
    """A calendar date (``datetime.date``) from a date cell, serial or text.

    Numbers are Excel serials (``epoch1904`` for old Mac workbooks); text may
    be ISO, use English month names, or be numeric day/month/year whose
    order follows ``date_order`` — ``"auto"`` only reads it when one part is
    over 12 (or both are equal), since guessing 03/04 wrong moves a close
    date by a month without anyone noticing.  A time part is allowed and
    dropped.
    """
    got = _read_moment(raw, "date", date_order, epoch1904, locale)
    if isinstance(got, Parsed):
        return got
    return Parsed(got[0])


@_never_raise
def parse_datetime(
    raw: Any, *, date_order: str = "auto", epoch1904: bool = False, locale: str | None = None
) -> Parsed:
    """A naive ``datetime.datetime`` (appointments), from the same inputs as
    :func:`parse_date` plus a time of day (``14:30``, ``2:30 PM``,
    ``T14:30:15``).  A date alone is midnight.  A time alone is an error: an
    appointment without a day cannot be scheduled.  Timezone offsets are
    dropped, keeping the wall time as written.
    """
    got = _read_moment(raw, "date and time", date_order, epoch1904, locale)
    if isinstance(got, Parsed):
        return got
    day, when = got
    return Parsed(dt.datetime.combine(day, (when or dt.time(0)).replace(tzinfo=None)))


# --------------------------------------------------------------------------- booleans

_TRUE_WORDS = frozenset({"yes", "y", "true", "x", "✓", "✔", "☑", "✅", "1", "on"})
_FALSE_WORDS = frozenset({"no", "n", "false", "✗", "✘", "☐", "❌", "0", "off"})


@_never_raise
def parse_bool(raw: Any) -> Parsed:
    """Yes/no from a checkbox, a number 1/0, or the words and marks people use.

    ``x`` and ticks are yes; crosses are no.  Anything else is an error rather
    than a guess, because a wrong "do not email" flag is worse than none.
    """
    if raw is None:
        return _BLANK
    if isinstance(raw, bool):
        return Parsed(raw)
    if isinstance(raw, int | float):
        if raw == 1:
            return Parsed(True)
        if raw == 0:
            return Parsed(False)
        return Parsed(error=f"not yes/no: {_quote(raw)}")
    if not isinstance(raw, str):
        return Parsed(error=f"not yes/no: {_quote(raw)}")
    text = _strip(raw.replace("\ufe0f", "").replace("\ufe0e", "")).casefold()
    if not text:
        return _BLANK
    if text in _TRUE_WORDS:
        return Parsed(True)
    if text in _FALSE_WORDS:
        return Parsed(False)
    return Parsed(error=f"not yes/no: {_quote(raw)}")


# --------------------------------------------------------------------------- emails

_EMAIL_SPLIT = re.compile(r"[\s,;]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>]*)<(?P<addr>[^<>]*)>")
_LOCAL_ASCII = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~."
)
_MAILTO = "mailto:"
_SIMPLE_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)


def _chunks(text: str) -> list[str]:
    """Split at top-level ``,`` ``;`` and line breaks, keeping quoted names
    (``"Smith, Jo" <jo@x.co>``) and ``<…>`` together."""
    chunks: list[str] = []
    buf: list[str] = []
    closer = ""
    for ch in text:
        if closer:
            buf.append(ch)
            if ch == closer:
                closer = ""
            continue
        if ch in ",;\n\r":
            chunks.append("".join(buf))
            buf = []
            continue
        if ch == '"':
            closer = '"'
        elif ch == "<":
            closer = ">"
        buf.append(ch)
    chunks.append("".join(buf))
    return chunks


def _label_ok(label: str) -> bool:
    if not 1 <= len(label) <= 63 or label[0] == "-" or label[-1] == "-":
        return False
    for c in label:
        if c.isascii():
            if not (c.isalnum() or c == "-"):
                return False
        elif unicodedata.category(c)[0] not in "LMN":
            return False
    return True


def _clean_address(piece: str) -> str | None:
    """The address with its domain lowercased, or None if it is not one."""
    if len(piece) > 254 or piece.count("@") != 1:
        return None
    local, domain = piece.split("@")
    if not 1 <= len(local) <= 64 or local[0] == "." or local[-1] == "." or ".." in local:
        return None
    for c in local:
        if c not in _LOCAL_ASCII and not (not c.isascii() and c.isalnum()):
            return None
    domain = domain.lower()
    if len(domain) > 255:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_label_ok(label) for label in labels):
        return None
    tld = labels[-1]
    if not (len(tld) >= 2 and (tld.isalpha() or (tld.startswith("xn--") and len(tld) > 4))):
        return None
    return f"{local}@{domain}"


def plain_address(raw: Any) -> tuple[str] | None:
    """``(address,)`` when a cell holds one plain ASCII address, as :func:`parse_emails` reads it.

    None for anything else (blank, several addresses, a name with it, not
    text): those need the full reading.  A column of addresses is read with
    this first, one match per cell.
    """
    if not isinstance(raw, str):
        return None
    text = _strip(raw)
    if len(text) <= 254 and (m := _SIMPLE_EMAIL.fullmatch(text)) and len(m["local"]) <= 64:
        return (f"{m['local']}@{m['domain'].lower()}",)
    return None


@_never_raise
def parse_emails(raw: Any) -> Parsed:
    """Bare addresses from a cell holding one or several, de-duplicated.

    Separators are ``,`` ``;`` line breaks and spaces; ``Name <a@b.co>`` gives
    ``a@b.co``.  Every piece must be an address: these feed follow-up emails,
    so a stray ``Bcc: x@y.com`` line must be an error, never a header.
    """
    if raw is None:
        return _BLANK
    if not isinstance(raw, str):
        return Parsed(error=f"not an email address: {_quote(raw)}")
    text = _strip(raw)
    if not text:
        return _BLANK
    if (one := plain_address(text)) is not None:
        # Fast path: the one plain ASCII address nearly every cell holds.
        return Parsed(one)

    pieces: list[str] = []
    if "<" in text or '"' in text or ">" in text:
        for chunk in _chunks(text):
            chunk = _strip(chunk)
            if not chunk:
                continue
            named = _NAMED_ADDRESS.fullmatch(chunk)
            if named:
                name, addr = named["name"], _strip(named["addr"])
                if _CONTROL.search(name):
                    return Parsed(error=f"not an email address: {_quote(chunk)}")
                pieces.append(addr)
            else:
                pieces.extend(p for p in _EMAIL_SPLIT.split(chunk) if p)
    else:
        pieces = [p for p in _EMAIL_SPLIT.split(text) if p]

    found: dict[str, None] = {}
    for piece in pieces:
        addr = piece[len(_MAILTO) :] if piece[:7].lower() == _MAILTO else piece
        clean = _clean_address(addr)
        if clean is None:
            return Parsed(error=f"not an email address: {_quote(piece)}")
        found[clean] = None
    return Parsed(tuple(found)) if found else _BLANK
