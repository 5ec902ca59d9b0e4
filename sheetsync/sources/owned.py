"""What every backend does the same way with a tab sheetsync owns.

The Excel writer (:mod:`.xlsx`, :mod:`.excel`, :mod:`.newbook`), the Google
writer (:mod:`.gsheets`, :mod:`.gsheets_write`) and the readers that guard
against oversized files (:mod:`.ods`) all check the same things about an
owned tab: is its name one the spreadsheet accepts, does it fit, which value
stands at a cell, how long may a cell's text be.  Each rule lives here once;
a backend picks the limits of its spreadsheet and says them in its own
messages.

The limits, and where they are written down:

* **Excel** (Microsoft, "Excel specifications and limits",
  https://support.microsoft.com/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3):
  a worksheet is 1,048,576 rows by 16,384 columns (also ISO/IEC 29500-1
  §18.3.1.73: ``row/@r`` at most 1048576); a cell holds 32,767 characters
  (counted in UTF-16 code units, the unit of Excel's strings); a hyperlink
  address at most 2,079 characters; a tab name (Excel's "Rename sheet"
  rules, also ISO/IEC 29500-1 §18.2.19 ``sheet/@name``) is 1 to 31
  characters, none of ``[ ] : * ? / \\``, no apostrophe at either end, and
  not ``History`` (Excel keeps that name for its change-tracking sheet).
* **Google Sheets** (Google, "Files you can store in Google Drive",
  https://support.google.com/drive/answer/37603): a spreadsheet holds at
  most 10,000,000 cells, 18,278 columns (column ``ZZZ``), and 50,000
  characters in a cell (Google's own refusal reads ``Your input contains
  more than the maximum of 50000 characters in a single cell.``).  A tab
  name of more than 100 characters is refused by the API (not documented).

How a tab name is quoted in a reference (``'My Deals'!C14``) is one rule
too, :func:`sheetsync.model.quote_tab`: the model's cell references use it
in every message, and the Excel links use it in their locations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError
from ..model import quote_tab
from ..outsheet import OutCell, OutSheet

__all__ = [
    "DEFAULT_FORMATS",
    "ISO_DATE",
    "ISO_DATETIME",
    "OwnedFormats",
    "EXCEL_MAX_CELL_TEXT",
    "EXCEL_MAX_COLS",
    "EXCEL_MAX_ROWS",
    "EXCEL_MAX_TAB_NAME",
    "EXCEL_MAX_URL",
    "GOOGLE_MAX_CELLS",
    "GOOGLE_MAX_CELL_TEXT",
    "GOOGLE_MAX_COLUMNS",
    "GOOGLE_MAX_TAB_NAME",
    "cell_at",
    "cell_parts",
    "check_outsheets",
    "cut_utf16",
    "excel_date_code",
    "excel_tab_problem",
    "formats_for_locale",
    "google_tab_problem",
    "plain",
    "quote_tab",
]

# --------------------------------------------------------------------------- limits

#: Excel's rows in a worksheet (Excel specifications and limits; ISO/IEC 29500-1 §18.3.1.73).
EXCEL_MAX_ROWS = 1_048_576
#: Excel's columns in a worksheet (column ``XFD``).
EXCEL_MAX_COLS = 16_384
#: Excel's characters in a cell, in UTF-16 code units; Excel "repairs" longer text away.
EXCEL_MAX_CELL_TEXT = 32_767
#: Excel's characters in a hyperlink address.
EXCEL_MAX_URL = 2_079
#: Excel's characters in a tab name.
EXCEL_MAX_TAB_NAME = 31
#: The characters Excel refuses in a tab name.
EXCEL_BAD_TAB_CHARS = frozenset("[]:*?/\\")

#: Google's cells in a whole spreadsheet, empty cells of every grid included.
GOOGLE_MAX_CELLS = 10_000_000
#: Google's columns in a tab (column ``ZZZ``).
GOOGLE_MAX_COLUMNS = 18_278
#: Google's characters in a cell; counted here in UTF-16 code units, the stricter reading.
GOOGLE_MAX_CELL_TEXT = 50_000
#: The longest tab name the Sheets API accepts (not documented; found by trying).
GOOGLE_MAX_TAB_NAME = 100

#: Characters XML 1.0 cannot carry at all (§2.2): such a tab name could not be saved.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# --------------------------------------------------------------------------- names


def excel_tab_problem(name: str, *, new_book: bool = False) -> str | None:
    """Why Excel will not take ``name`` as a tab name, or None.

    The reason completes a sentence about the name ("tab name 'X' …").
    ``History`` is refused only for a ``new_book``: Excel opens a workbook
    that has such a tab, so an owned tab of a workbook already in use may
    keep that name, but a workbook sheetsync makes from a copy should not
    carry a name Excel would not let its user type.
    """
    if not name or not name.strip():
        return "is empty"
    if len(name) > EXCEL_MAX_TAB_NAME:
        return f"is longer than the {EXCEL_MAX_TAB_NAME} characters Excel allows"
    if any(ch in EXCEL_BAD_TAB_CHARS for ch in name):
        return "contains one of [ ] : * ? / \\ which Excel does not allow"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe, which Excel does not allow"
    if _NOT_XML_RE.search(name) or any(ord(ch) < 32 for ch in name):
        return "contains control characters"
    if new_book and name.casefold() == "history":
        return "is History, a name Excel keeps for itself"
    return None


def google_tab_problem(name: str) -> str | None:
    """Why Google Sheets will not take ``name`` as a tab name, or None."""
    if (
        not name
        or not name.strip()
        or len(name) > GOOGLE_MAX_TAB_NAME
        or any(ord(c) < 32 for c in name)
    ):
        return "is not a valid Google Sheets tab name"
    return None


def check_outsheets(
    sheets: Sequence[OutSheet], remove: set[str], tab_problem: Callable[[str], str | None]
) -> None:
    """Refuse, before anything is written, owned tabs that cannot all be written.

    A name the spreadsheet refuses (``tab_problem`` says why) or two tabs of
    one name (spreadsheets compare tab names without case) is the user's
    setting, so a :class:`ConfigError` pointing at ``[tabs]``; a kind that is
    empty, repeated or also removed is sheetsync's own mistake (``ValueError``).
    """
    seen_names: set[str] = set()
    seen_kinds: set[str] = set()
    for out in sheets:
        name = out.name
        problem = tab_problem(name)
        if problem:
            raise ConfigError(
                f"tab name {name!r} {problem}",
                hint="set a different name in the [tabs] section of sheetsync.toml",
            )
        folded = name.casefold()
        if folded in seen_names:
            raise ConfigError(
                f"two tabs sheetsync writes are both named {name!r}",
                hint="give them different names in the [tabs] section of sheetsync.toml",
            )
        seen_names.add(folded)
        if not out.kind or _NOT_XML_RE.search(out.kind) or any(ord(c) < 32 for c in out.kind):
            raise ValueError(f"invalid owned-tab kind {out.kind!r}")
        if out.kind in seen_kinds:
            raise ValueError(f"two owned tabs of the same kind {out.kind!r}")
        if out.kind in remove:
            raise ValueError(f"kind {out.kind!r} is both written and removed")
        seen_kinds.add(out.kind)


# --------------------------------------------------------------------------- cells


def plain(item: Any) -> Any:
    """The value of an owned sheet's cell, whether written bare or as an :class:`OutCell`."""
    return item.value if isinstance(item, OutCell) else item


def cell_parts(item: Any) -> tuple[Any, str | None, str | None]:
    """An owned sheet's cell as (value, style, link), whether written bare or as an OutCell."""
    if isinstance(item, OutCell):
        return item.value, item.style, item.link
    return item, None, None


def cell_at(out: OutSheet, row: int, col: int) -> Any:
    """The value at 1-based ``row``, ``col`` of ``out``; None outside its rows."""
    if 1 <= row <= len(out.rows) and 1 <= col <= len(out.rows[row - 1]):
        return plain(out.rows[row - 1][col - 1])
    return None


def cut_utf16(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units, never between the two halves of a pair.

    Both spreadsheets count a cell's text in UTF-16 code units, the unit of
    their strings: a character outside the Basic Multilingual Plane (an
    emoji) counts two.  Cut at ``limit`` Python characters, a cell of emoji
    would hold twice the limit, which Excel "repairs" when it opens the file
    and Google refuses.
    """
    if len(text) <= limit // 2:  # even all astral characters fit
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


# --------------------------------------------------------------------------- number formats

#: The owned tabs' dates when no ``[team] locale`` is set (ISO 8601, read alike everywhere).
ISO_DATE = "yyyy-mm-dd"
#: The owned tabs' date-times when no ``[team] locale`` is set.
ISO_DATETIME = "yyyy-mm-dd hh:mm"
#: Excel's calendar prefix for the Thai Buddhist calendar (``[$-NNCCLLLL]``: number system
#: 01 = Western digits, calendar 07 = Thai Buddhist, LCID 041E = th-TH).  Under it ``yyyy``
#: is the Buddhist-era year (2026 → 2569).  Excel honours it, and so does LibreOffice
#: (checked: a 2026 date renders ``27/11/2569``); Excel's own ``bbbb`` year code and the
#: newer ``[$-th-TH,107]`` spelling are not understood by LibreOffice, which shows the
#: letters or the bare serial number.
THAI_BUDDHIST_PREFIX = "[$-107041E]"


@dataclass(frozen=True, slots=True)
class OwnedFormats:
    """The number-format codes of the owned tabs' money, date, date-time and percent cells.

    One value handed from ``jobs`` through :meth:`Source.write` to each
    backend, so a new kind of format is one field here rather than one more
    keyword on every write signature.  The codes are Excel's (ISO/IEC
    29500-1 §18.8.31); Google Sheets takes the same syntax
    (https://developers.google.com/sheets/api/guides/formats) except the
    calendar prefix, see :meth:`for_google`.  The defaults are what the
    owned tabs always had: ``"$"#,##0.00``, ISO dates, ``0.0%``.
    """

    currency: str = '"$"#,##0.00'
    date: str = ISO_DATE
    datetime: str = ISO_DATETIME
    percent: str = "0.0%"

    def for_google(self) -> OwnedFormats:
        """The same formats as Google Sheets can show them, never with a wrong year.

        Google's date patterns have no Buddhist-era year and no calendar
        prefix (its token list stops at ``y``/``yy``/``yyyy``; "Date and number
        formats", Sheets API guide): a Thai date code written there would show
        the Gregorian year under a Thai-looking pattern.  So a code with the
        Buddhist prefix becomes the ISO date with the Gregorian year, which
        nobody misreads (README, "Owned tabs in the team's locale").
        """
        if THAI_BUDDHIST_PREFIX in self.date or THAI_BUDDHIST_PREFIX in self.datetime:
            return replace(self, date=ISO_DATE, datetime=ISO_DATETIME)
        return self


#: The formats a write uses when nobody says otherwise (no ``[team]`` locale or currency).
DEFAULT_FORMATS = OwnedFormats()

#: CLDR date-field letters (UTS #35, "Date Field Symbol Table") → Excel codes.
#: Month ``M`` and minute ``m`` are both ``m`` in Excel: it tells them apart by
#: their neighbours (after ``h``, before ``s`` it is minutes), as CLDR's time patterns put them.
_CLDR_TO_EXCEL = {
    "y": "yyyy",  # every year is written in full: "26" in a tab is ambiguous
    "M": "m",
    "MM": "mm",
    "MMM": "mmm",
    "MMMM": "mmmm",
    "L": "m",
    "LL": "mm",
    "d": "d",
    "dd": "dd",
    "E": "ddd",
    "EEE": "ddd",
    "EEEE": "dddd",
    "H": "h",
    "HH": "hh",
    "h": "h",
    "hh": "hh",
    "m": "mm",
    "mm": "mm",
    "s": "ss",
    "ss": "ss",
    "a": "AM/PM",
}
#: Characters an Excel format code shows as themselves without quotes.
_PLAIN_LITERALS = set(" /-.,:")
_CLDR_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.DOTALL)


def excel_date_code(pattern: str, *, buddhist: bool = False) -> str:
    """A CLDR date or time pattern (UTS #35) as an Excel / Sheets number-format code.

    ``M/d/yy`` → ``m/d/yyyy`` (en_US), ``dd.MM.yy`` → ``dd.mm.yyyy`` (de_DE),
    ``h:mm a`` → ``h:mm AM/PM``, ``HH:mm น.`` → ``hh:mm "น."`` (th_TH).
    Years are always four digits; literal text is quoted unless it is one of
    the separators Excel shows bare.  ``buddhist`` puts Excel's Thai Buddhist
    calendar prefix in front (:data:`THAI_BUDDHIST_PREFIX`), under which
    ``yyyy`` is the Buddhist-era year.  A field Excel has no code for (an era,
    a quarter, a time zone) raises ``ValueError``: a format that silently
    drops part of the date would be wrong.
    """
    out: list[str] = []
    literal: list[str] = []  # a run of literal text, quoted as one piece

    def flush() -> None:
        text = "".join(literal).replace("\xa0", " ").replace("\u202f", " ")
        literal.clear()
        if text:
            out.append(_literal(text))

    for m in _CLDR_TOKEN.finditer(pattern):
        token = m.group(0)
        if m.group(1):
            flush()
            code = _CLDR_TO_EXCEL.get(token) or (_CLDR_TO_EXCEL["y"] if token[0] == "y" else None)
            if code is None:
                raise ValueError(f"CLDR field {token!r} in {pattern!r} has no Excel code")
            out.append(code)
        elif token.startswith("'") and len(token) > 1:
            literal.append(token[1:-1].replace("''", "'") if token != "''" else "'")
        else:
            literal.append(token)
    flush()
    code = "".join(out)
    return (THAI_BUDDHIST_PREFIX if buddhist else "") + code


def _literal(text: str) -> str:
    """Literal text in a format code: bare when Excel shows it as itself, else quoted."""
    if all(ch in _PLAIN_LITERALS for ch in text):
        return text
    return '"' + text.replace('"', "") + '"'


def _uses_buddhist_era(locale: Any) -> bool:
    """Thai writes the Buddhist-era year on dates (CLDR's default calendar for th is
    Gregorian, but the Thai government and business write พ.ศ.; README, "Owned tabs")."""
    return locale.language == "th"


def formats_for_locale(locale: str | None, currency: str, date_override: str = "") -> OwnedFormats:
    """The owned tabs' formats for ``[team] locale`` (CLDR through Babel).

    No locale and no override: the ISO defaults, so a team that set nothing
    keeps the tabs it had.  With a locale: the locale's short date pattern
    with a four-digit year (``m/d/yyyy`` en_US, ``dd/mm/yyyy`` en_GB,
    ``dd.mm.yyyy`` de_DE, ``[$-107041E]d/m/yyyy`` th_TH, a Buddhist year),
    its short date-time (the locale's glue between date and time: ``{1},
    {0}``), and its percent pattern with one decimal (``0.0 %`` de_DE).
    ``date_override`` (``[sync] date_format``) replaces the date code; the
    date-time then is that code and the locale's time.
    """
    if locale is None and not date_override:
        return OwnedFormats(currency=currency)
    from babel import Locale

    loc = Locale.parse(locale or "en_US")
    buddhist = _uses_buddhist_era(loc)
    date = date_override or excel_date_code(loc.date_formats["short"].pattern, buddhist=buddhist)
    time = excel_date_code(loc.time_formats["short"].pattern)
    glue = str(loc.datetime_formats["short"])
    if THAI_BUDDHIST_PREFIX in date:  # the prefix must open the whole code
        body = date.replace(THAI_BUDDHIST_PREFIX, "")
        datetime = THAI_BUDDHIST_PREFIX + _glue(glue, body, time)
    else:
        datetime = _glue(glue, date, time)
    if locale is None:
        return OwnedFormats(currency=currency, date=date, datetime=datetime)
    percent = loc.percent_formats[None].pattern.split(";")[0]
    percent = re.sub(r"[#,0.]+", "0.0", percent, count=1).replace("\xa0", " ")
    return OwnedFormats(currency=currency, date=date, datetime=datetime, percent=percent)


def _glue(glue: str, date: str, time: str) -> str:
    """CLDR's date-time glue (``{1}, {0}``: date, then time) filled with two codes."""
    literal = glue.replace("{1}", "\x00").replace("{0}", "\x01")
    literal = re.sub(r"'([^']*)'", r"\1", literal)
    parts = re.split("([\x00\x01])", literal)
    out = []
    for part in parts:
        if part == "\x00":
            out.append(date)
        elif part == "\x01":
            out.append(time)
        elif part:
            out.append(_literal(part))
    return "".join(out)
