"""Dates, times, money and percentages as the team's locale writes them (CLDR, through Babel).

Every word and pattern here comes from the Unicode CLDR data Babel ships
(https://cldr.unicode.org): month and day names and their abbreviations
(Thai ``พ.ย.``, not the first letters of ``พฤศจิกายน``), date and time
patterns, the word joining a date and a time (CLDR's ``atTime`` pattern:
"at", "um", "à", "เวลา"), the relative day names ("today", "morgen",
"après-demain") and the currency and percent patterns.  Nothing is written
by hand, so a team gets its language by ``[team] locale`` alone.

The one rule CLDR has but Babel does not apply is the Thai (Buddhist-era)
year: CLDR's ``th`` locale has a ``buddhist`` calendar whose year is the
Gregorian year plus 543 (2026 → พ.ศ. 2569), which Thai business letters
always use, but Babel formats the Gregorian calendar only.  For a Thai
locale :func:`buddhist_pattern` therefore rewrites a CLDR pattern's year
and era fields into the quoted Buddhist year and ``พ.ศ.`` before Babel
formats it (see :func:`format_date_localized`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

#: Years to add for the Buddhist era (CLDR ``buddhist`` calendar, era ``BE``).
BUDDHIST_OFFSET = 543

#: CLDR's Thai abbreviation of the Buddhist era (``พ.ศ.``, พุทธศักราช).
BUDDHIST_ERA = "พ.ศ."

_QUOTED = re.compile(r"('(?:[^']|'')*')")

#: ``[drafts] date_format``/``time_format`` may be one of these CLDR styles.
STYLES = ("full", "long", "medium", "short")


def is_thai(locale: str) -> bool:
    """Thai locales write the Buddhist-era year."""
    return _language(locale) == "th"


@functools.cache
def _language(locale: str) -> str:
    from babel import Locale

    return Locale.parse(locale).language


def buddhist_pattern(pattern: str, year: int) -> str:
    """A CLDR date pattern with its year fields written as the Buddhist-era ``year + 543``.

    ``y``/``yyyy``/``u``/``Y`` become the four-digit Buddhist year, ``yy``
    its last two digits, and the era field ``G`` becomes ``พ.ศ.``; quoted
    literals (``'de'``) are left alone.  ``EEEEที่ d MMMM G y`` for 27
    November 2026 → ``EEEEที่ d MMMM 'พ.ศ.' '2569'``.
    """
    be = year + BUDDHIST_OFFSET

    def year_field(m: re.Match[str]) -> str:
        return f"'{be % 100:02d}'" if len(m.group(0)) == 2 else f"'{be}'"

    parts = _QUOTED.split(pattern)
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        text = re.sub(r"G+", f"'{BUDDHIST_ERA}'", parts[i])
        parts[i] = re.sub(r"[yuY]+", year_field, text)
    return "".join(parts)


#: How French and Portuguese write the first day of a month ("le 1er décembre",
#: "1º de dezembro"): an ordinal that CLDR's patterns (a plain ``d``) lack.
FIRST_OF_MONTH: dict[str, str] = {"fr": "1er", "pt": "1º"}


def first_of_month_pattern(pattern: str, d: dt.date, locale: str) -> str:
    """``d`` written ``1er``/``1º`` on the 1st in French and Portuguese (see :data:`FIRST_OF_MONTH`)."""
    first = FIRST_OF_MONTH.get(_language(locale))
    if d.day != 1 or first is None:
        return pattern
    parts = _QUOTED.split(pattern)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?<!d)d(?!d)", f"'{first}'", parts[i])
    return "".join(parts)


def format_date_localized(d: dt.date, pattern_or_style: str, locale: str) -> str:
    """``babel.dates.format_date``, with the Buddhist-era year for a Thai locale.

    ``pattern_or_style`` is a CLDR style (``full``…) or a CLDR pattern.
    """
    from babel import Locale
    from babel.dates import format_date

    pattern = pattern_or_style
    if pattern in STYLES:
        pattern = Locale.parse(locale).date_formats[pattern].pattern
    if is_thai(locale):
        pattern = buddhist_pattern(pattern, d.year)
    pattern = first_of_month_pattern(pattern, d, locale)
    return format_date(d, pattern, locale=locale)


def _plain(text: str) -> str:
    # CLDR puts a narrow no-break space before AM/PM; plain-text mail readers
    # show it as a box or a gap, so it is written as a plain space.
    return text.replace("\u202f", " ")


@functools.cache
def _day_pattern(locale: str) -> str:
    """The locale's full date pattern without the year (and era): the weekday and the day."""
    from babel import Locale

    pattern = Locale.parse(locale).date_formats["full"].pattern
    return re.sub(r"[\s,]*(?:'de'\s*)?(?:G\s*)?y+\.?", "", pattern).strip()


@functools.cache
def _at_time(locale: str) -> str:
    """CLDR's pattern joining a full date and a time (``{1} 'at' {0}``, ``{1} 'um' {0}``)."""
    from babel import Locale

    data = Locale.parse(locale)._data
    relative = data.get("datetime_formats_relative") or {}
    pattern = relative.get("full") or data["datetime_formats"]["full"]
    return str(pattern)


def _join(pattern: str, date_text: str, time_text: str) -> str:
    out = []
    for i, part in enumerate(_QUOTED.split(pattern)):
        if i % 2:
            out.append(part[1:-1].replace("''", "'"))
        else:
            out.append(part.replace("{1}", "\0D").replace("{0}", "\0T"))
    return "".join(out).replace("\0D", date_text).replace("\0T", time_text)


def _nbsp(text: str) -> str:
    # French groups digits with a narrow no-break space (U+202F), which some
    # plain-text readers show as a box: a no-break space keeps "162 500 €"
    # together and shows everywhere.
    return text.replace("\u202f", "\xa0")


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


class Formats:
    """The templates' filters, in one locale (``[team] locale``, or a deal's language).

    ``currency`` is an ISO 4217 code (``[team] currency``, else the locale's,
    else none: the amount is written as a plain number).  Every filter turns
    None into an empty string, so a missing value never reads "None".
    """

    def __init__(
        self,
        locale: str = "en_US",
        currency: str | None = None,
        *,
        date_format: str = "full",
        time_format: str = "short",
    ) -> None:
        from babel import Locale

        self.locale = str(Locale.parse(locale))
        self.currency = currency
        self.date_format = date_format
        self.time_format = time_format

    # -- numbers ------------------------------------------------------------

    def money(self, value: Any) -> str:
        """``$162,500`` (en_US), ``162.500 €`` (de_DE), ``฿162,500.00``: cents only when there are some."""
        if _blank(value):
            return ""
        if not isinstance(value, int | float) or isinstance(value, bool):
            return str(value)
        from babel import Locale
        from babel.numbers import format_currency, format_decimal, parse_pattern

        amount = Decimal(repr(float(value))).quantize(Decimal("0.01"))
        whole = amount == amount.to_integral_value()
        if not self.currency:
            pattern_text = "#,##0" if whole else "#,##0.00"
            return _nbsp(format_decimal(amount, pattern_text, locale=self.locale))
        if not whole:
            return _nbsp(format_currency(amount, self.currency, locale=self.locale))
        loc = Locale.parse(self.locale)
        pattern = parse_pattern(loc.currency_formats["standard"].pattern)
        pattern.frac_prec = (0, 0)
        return _nbsp(pattern.apply(amount, loc, currency=self.currency, currency_digits=False))

    def percent(self, value: Any) -> str:
        """A fraction as a whole percentage in the locale's pattern: 0.4 → ``40%``, ``40 %`` (de)."""
        if _blank(value):
            return ""
        from babel.numbers import format_percent

        return _nbsp(format_percent(value, locale=self.locale))

    def number(self, value: Any) -> str:
        """A number with the locale's separators: ``1,234.5``, ``1.234,5`` (de)."""
        if _blank(value):
            return ""
        from babel.numbers import format_decimal

        return _nbsp(format_decimal(value, locale=self.locale))

    # -- dates and times ------------------------------------------------------

    def date(self, value: Any) -> str:
        """The date in ``[drafts] date_format`` (default CLDR ``full``: ``Thursday, December 3, 2026``)."""
        if _blank(value):
            return ""
        if not isinstance(value, dt.date):
            return str(value)
        return format_date_localized(_as_date(value), self.date_format, self.locale)

    def short_date(self, value: Any) -> str:
        """Weekday, day and month abbreviated by CLDR (skeleton ``MMMEd``): ``Fri, Nov 27``, ``ศุกร์ 27 พ.ย.``."""
        if _blank(value):
            return ""
        from babel.dates import format_skeleton

        return format_skeleton("MMMEd", _as_date(value), locale=self.locale)

    def time(self, value: Any) -> str:
        """The time in ``[drafts] time_format`` (default CLDR ``short``: ``4:05 PM``, ``16:05``)."""
        if _blank(value):
            return ""
        if not isinstance(value, dt.datetime | dt.time):
            return str(value)
        from babel.dates import format_time

        t = value.time() if isinstance(value, dt.datetime) else value
        return _plain(format_time(t, self.time_format, locale=self.locale))

    def datetime(self, value: Any) -> str:
        """The date, CLDR's word for "at", and the time, unless no time was written (midnight).

        ``Thursday, December 3, 2026 at 9:30 AM``, ``Donnerstag, 3. Dezember 2026 um 09:30``.
        """
        if not isinstance(value, dt.datetime) or value.time() == dt.time(0):
            return self.date(value)
        return _join(_at_time(self.locale), self.date(value), self.time(value))

    def relday(self, value: Any, as_of: dt.date) -> str:
        """CLDR's relative day: ``today``, ``tomorrow``, ``übermorgen``; else ``in 10 days``.

        From the locale's ``date_fields`` (the words a locale has: German,
        French and Thai have the day after tomorrow too), else
        ``babel.dates.format_timedelta`` with ``add_direction``.  The built-in
        templates do not use it: a draft may wait a day before it is sent.
        """
        if _blank(value):
            return ""
        from babel import Locale
        from babel.dates import format_timedelta

        delta = (_as_date(value) - as_of).days
        words = Locale.parse(self.locale)._data["date_fields"]["day"]["relative"]
        if delta in words:
            return str(words[delta])
        # a threshold no day count reaches: "in 10 days", never rounded to "in 1 week"
        return format_timedelta(
            dt.timedelta(days=delta),
            granularity="day",
            threshold=10**6,
            add_direction=True,
            locale=self.locale,
        )

    def day(self, value: Any) -> str:
        """The weekday and the date, no year, as the locale writes it.

        ``Friday, November 27`` (en_US), ``Friday, 27 November`` (en_GB),
        ``Freitag, 27. November`` (de_DE), ``วันศุกร์ที่ 27 พฤศจิกายน`` (th_TH).
        """
        if _blank(value):
            return ""
        return format_date_localized(_as_date(value), _day_pattern(self.locale), self.locale)

    def weekday(self, value: Any) -> str:
        """The weekday's full name in the locale: ``Friday``, ``Freitag``, ``วันศุกร์``."""
        if _blank(value):
            return ""
        from babel.dates import format_date

        return format_date(_as_date(value), "EEEE", locale=self.locale)

    def clock(self, value: Any) -> str:
        """The time of day in the locale's short style: ``10:00 AM`` (en_US), ``10:00`` (de)."""
        if _blank(value):
            return ""
        from babel.dates import format_time

        t = value.time() if isinstance(value, dt.datetime) else value
        return _plain(format_time(t, "short", locale=self.locale))

    def day_time(self, value: Any) -> str:
        """:meth:`day` and :meth:`clock` joined by CLDR's ``atTime`` pattern (no time at midnight).

        ``Friday, November 27 at 10:00 AM``, ``Freitag, 27. November um 10:00``,
        ``vendredi 27 novembre à 10:00``, ``วันศุกร์ที่ 27 พฤศจิกายน เวลา 10:00``.
        """
        if not isinstance(value, dt.datetime) or value.time() == dt.time(0):
            return self.day(value)
        return _join(_at_time(self.locale), self.day(value), self.clock(value))

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "money": self.money,
            "percent": self.percent,
            "number": self.number,
            "date": self.date,
            "short_date": self.short_date,
            "time": self.time,
            "datetime": self.datetime,
            "relday": self.relday,
            "day": self.day,
            "weekday": self.weekday,
            "clock": self.clock,
            "day_time": self.day_time,
        }
