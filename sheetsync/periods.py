"""Quota periods: ``2026-Q4``, ``Q4 2026``, ``2026-11``, ``Nov 2026``, ``2026``, ``FY2026``, ``2026-H2``.

Spreadsheet teams write periods in many ways; this reads the common ones and
nothing else, so a typo becomes a finding rather than a silently wrong quota.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})

_Q1 = re.compile(r"^(\d{4})\s*[-/ ]?\s*q([1-4])$")
_Q2 = re.compile(r"^q([1-4])\s*[-/ ]?\s*(?:fy)?(\d{4})$")
_H1 = re.compile(r"^(\d{4})\s*[-/ ]?\s*h([12])$")
_H2 = re.compile(r"^h([12])\s*[-/ ]?\s*(\d{4})$")
_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^([a-z]+)\.?\s*[-/ ]?\s*(\d{4})$")
_YEAR = re.compile(r"^(?:fy|cy)?\s*(\d{4})$")


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date, str]:
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    return start, month_end(day.year, 3 * q + 3), f"{day.year}-Q{q + 1}"


def parse_period(text: object) -> tuple[dt.date, dt.date, str] | None:
    """``(start, end, label)`` for a period as written, or None if unreadable.

    ``end`` is inclusive.  A bare year (``2026``, ``FY2026``) is the calendar
    year: fiscal years that start in another month are not guessed.
    """
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):  # a month written as a date cell (2026-11-01)
        return dt.date(text.year, text.month, 1), month_end(text.year, text.month), f"{text:%Y-%m}"
    s = str(text).strip().lower()
    if not s:
        return None
    try:
        if m := _Q1.match(s) or _Q2.match(s):
            a, b = m.groups()
            year, q = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
            start = dt.date(year, 3 * q - 2, 1)
            return start, month_end(year, 3 * q), f"{year}-Q{q}"
        if m := _H1.match(s) or _H2.match(s):
            a, b = m.groups()
            year, h = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
            start = dt.date(year, 6 * h - 5, 1)
            return start, month_end(year, 6 * h), f"{year}-H{h}"
        if m := _YM.match(s):
            year, month = int(m.group(1)), int(m.group(2))
            return dt.date(year, month, 1), month_end(year, month), f"{year}-{month:02d}"
        if m := _MY.match(s):
            month, year = int(m.group(1)), int(m.group(2))
            return dt.date(year, month, 1), month_end(year, month), f"{year}-{month:02d}"
        if (m := _NAMED.match(s)) and m.group(1) in _MONTHS:
            year, month = int(m.group(2)), _MONTHS[m.group(1)]
            return dt.date(year, month, 1), month_end(year, month), f"{year}-{month:02d}"
        if m := _YEAR.match(s):
            year = int(m.group(1))
            return dt.date(year, 1, 1), dt.date(year, 12, 31), str(year)
    except ValueError:  # month 13, year 0
        return None
    return None
