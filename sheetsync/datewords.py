"""Month and day names, date order and calendars, from CLDR (Babel).

``26. Dezember 2026``, ``26 de diciembre de 2026``, ``26 déc. 2026``,
``26 ธ.ค. 2569`` and ``Freitag, 27. November 2026`` are all dates a team
writes.  The names come from CLDR through Babel (``Locale.months`` and
``Locale.days``, wide and abbreviated, format and stand-alone forms) for the
languages sheetsync reads without being told (:data:`LANGUAGES`), plus the
team's own locale when it is set.  A name that means different months in two
languages is dropped unless the team's language settles it.

The Buddhist era (Thai solar calendar, CLDR ``buddhist``): year BE = year CE
+ 543, so 2569 BE is 2026 CE.  Thai teams write it on everything; a year
between :data:`BE_MIN` and :data:`BE_MAX` is read as Buddhist when the column
is (see :mod:`sheetsync.pipeline`).
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "BE_OFFSET",
    "date_order_of",
    "month_number",
    "weekday_number",
]

#: Languages whose month and day names are read without a locale set.
LANGUAGES = ("en", "de", "fr", "es", "pt", "th", "it", "nl")

#: Thai solar calendar: BE = CE + 543.
BE_OFFSET = 543
#: Four-digit years read as Buddhist era in a Buddhist column (2443-2743 BE =
#: 1900-2200 CE); Gregorian years in such a column stay as written.
BE_MIN, BE_MAX = 2443, 2743

#: Words that join date parts and mean nothing ("26 de diciembre de 2026",
#: "le 26 décembre", "am 26. Dezember", Thai "วันที่" = "date", "พ.ศ." = BE).
CONNECTORS = frozenset({"de", "del", "of", "the", "le", "am", "den", "der", "el", "à", "a", "วันที่"})
BE_MARKERS = ("พ.ศ.", "พ.ศ", "b.e.", "be")
CE_MARKERS = ("ค.ศ.", "ค.ศ", "a.d.", "ad", "ce")


def fold(text: str) -> str:
    """Casefold, NFC, without a trailing dot: ``Dez.`` → ``dez``, ``ธ.ค.`` → ``ธ.ค``."""
    s = unicodedata.normalize("NFC", text.casefold()).strip()
    return s[:-1] if s.endswith(".") else s


@functools.cache
def _names(kind: str, locale: str | None) -> dict[str, int]:
    """Name → number (months 1-12, weekdays 0-6 Monday first) over our languages."""
    from babel import Locale

    own = Locale.parse(locale) if locale else None
    found: dict[str, set[int]] = {}
    owned: dict[str, int] = {}
    locales = [Locale.parse(lang) for lang in LANGUAGES]
    for loc in ([own] if own else []) + locales:
        table = loc.months if kind == "month" else loc.days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                try:
                    names = table[context][width]
                except KeyError:
                    continue
                for number, name in names.items():
                    key = fold(name)
                    if not key or key.isdigit():
                        continue
                    value = int(number)
                    found.setdefault(key, set()).add(value)
                    if loc is own:
                        owned.setdefault(key, value)
    out: dict[str, int] = {}
    for key, values in found.items():
        if key in owned:
            out[key] = owned[key]
        elif len(values) == 1:
            out[key] = values.pop()
    if kind == "month":
        out.setdefault("sept", 9)  # English "Sept" (CLDR: "Sep")
    return out


def month_number(word: str, locale: str | None = None) -> int | None:
    """``Dezember`` → 12, ``déc.`` → 12, ``ธ.ค.`` → 12, ``Nov`` → 11, else None."""
    return _names("month", locale).get(fold(word))


def weekday_number(word: str, locale: str | None = None) -> int | None:
    """``Freitag`` → 4, ``Thu`` → 3 (Monday is 0), else None."""
    return _names("day", locale).get(fold(word))


_ORDER = re.compile(r"[dMy]+")


@functools.cache
def date_order_of(locale: str) -> str:
    """``dmy``, ``mdy`` or ``ymd``: how ``locale`` writes a short numeric date (CLDR).

    ``de_DE`` ``dd.MM.yy`` → dmy; ``en_US`` ``M/d/yy`` → mdy; ``th_TH``
    ``d/M/yy`` → dmy; ``ja_JP`` ``y/MM/dd`` → ymd.
    """
    from babel import Locale

    pattern = Locale.parse(locale).date_formats["short"].pattern
    letters = "".join(part[0] for part in _ORDER.findall(pattern))
    return {"dMy": "dmy", "Mdy": "mdy", "yMd": "ymd"}.get(letters, "dmy")
