"""Map a tab's header row to canonical fields.

Teams name their columns their own way ("Deal Stage", "Est. Budget", "Sales
Rep").  A header maps to a field by the configuration first, then by the
built-in synonyms below.  Matching ignores case, spacing and punctuation, so
``Est. Budget``, ``EST_BUDGET`` and ``est budget`` are one header.  The
synonym table is printed in the README; keep both in step
(``tests/test_docs.py`` checks).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import FIELDS, REQUIRED_FIELDS
from .vocab import headers as vocab_headers
from .vocab.headers import BooleanStatus
from .vocab.tabs import DEALS_TAB

#: Built-in header synonyms per canonical field, written as people write them
#: (plain data: ``vocab/tabs.toml``, table ``deals``).
SYNONYMS: dict[str, tuple[str, ...]] = dict(DEALS_TAB)

#: How many rows from the top to search for the header row.
HEADER_SCAN_ROWS = 30


def normalize_header(text: Any) -> str:
    """``Est. Budget`` → ``estbudget``; ``Deal #`` → ``dealnumber``.

    Letters and digits of every script are kept with their combining marks
    (Thai vowels and tones, accents written as combining characters), so
    ``มูลค่า`` stays itself; everything else (spaces, punctuation) goes.
    """
    s = str(text).casefold().replace("#", "number").replace("%", "percent")
    if s.isascii():
        return _NON_WORD.sub("", s)
    s = unicodedata.normalize("NFC", s)
    return "".join(c for c in s if c.isalnum() or unicodedata.category(c)[0] == "M")


_NON_WORD = re.compile(r"[\W_]+")

#: ``Amount (EUR)``, ``Value [$]``, ``Betrag in €``, ``Montant en €``, ``Valor em R$``,
#: ``Wahrscheinlichkeit in %``: a header and what its values are counted in.
_QUALIFIED = re.compile(
    r"^(?P<base>.*?\S)\s*(?:[(\[]\s*(?:(?:in|en|em)\s+)?(?P<q1>[^()\[\]]+?)\s*[)\]]"
    r"|\s(?:in|en|em)\s+(?P<q2>\S+))\s*$",
    re.IGNORECASE,
)


def header_qualifier(text: Any) -> tuple[str, str | None]:
    """``Amount (EUR)`` → (``Amount``, ``EUR``); ``Probability (%)`` → (``Probability``, ``%``).

    Teams put the unit of a column in its header.  Only a unit that is a
    currency (an ISO 4217 code, a symbol or a name CLDR knows) or a percent
    sign is taken off, so the header still maps to its field and the
    amounts keep that currency.  Anything else (``Amount (net)``, ``Betrag
    (Tsd. €)``, which counts in thousands: see :func:`header_scale`) stays
    part of the header here: a column is never read in the wrong unit.  Returns the text unchanged and None
    when the header names no such unit.
    """
    raw = str(text).strip()
    m = _QUALIFIED.match(raw)
    if m is None:
        return raw, None
    unit = (m.group("q1") or m.group("q2") or "").strip()
    if unit == "%":
        return m.group("base"), "%"
    from .numbers import currency_for_token

    code = currency_for_token(unit)
    return (m.group("base"), code) if code else (raw, None)


#: Header words for "in thousands / millions" that are not amount-cell
#: multipliers (``5 miles`` in a cell is no amount): the finance habit of
#: ``($'000)`` / ``(000s)`` and the plural words of the five languages.
_HEADER_SCALE_WORDS: dict[str, int] = {
    "000": 3,
    "'000": 3,
    "000s": 3,
    "000's": 3,
    "thousand": 3,
    "tausend": 3,
    "milliers": 3,
    "miles": 3,
    "milhares": 3,
    "million": 6,
    "millionen": 6,
    "millones": 6,
    "milhões": 6,
}


def header_scale(text: Any) -> tuple[str, int, str | None] | None:
    """``Betrag (Tsd. €)`` → (``Betrag``, 1000, ``EUR``); ``Amount ($k)`` → (``Amount``, 1000, ``USD``).

    A header that says its column counts in thousands or millions
    (``Amount (in thousands)``, ``Valor (mil R$)``, ``มูลค่า (ล้านบาท)``,
    ``Umsatz (TEUR)``, ``Revenue ($'000)``): the header without that unit,
    the factor every amount of the column is multiplied by, and the currency
    the unit names (or None).  The multiplier words are the amount cells'
    (CLDR's compact decimal formats and :data:`numbers.EXTRA_MULTIPLIERS`)
    plus a few plural header words; a word whose power differs between
    languages is not taken (a column is never read 1,000 times off).  None
    when the header names no multiplier.
    """
    from . import numbers as N

    raw = str(text).strip()
    m = _QUALIFIED.match(raw)
    if m is None:
        return None
    unit = (m.group("q1") or m.group("q2") or "").strip()
    tokens = unit.replace("'", " '").split() if "'" in unit else unit.split()
    words = [t for t in tokens if t.casefold() in _HEADER_SCALE_WORDS or t.casefold() == "'000"]
    if len(words) == 1:
        rest = "".join(t for t in tokens if t is not words[0]).strip()
        glued = unit.replace(words[0], "").replace("'", "").strip()
        code = None
        if rest or glued:
            code = N.currency_for_token(glued or rest)
            if code is None:
                return None
        return m.group("base"), 10 ** _HEADER_SCALE_WORDS[words[0].casefold()], code
    parts = N.split_amount("1 " + unit)
    if parts is None or parts.power <= 0 or parts.ambiguous_multiplier or parts.body != "1":
        return None
    if parts.currency_token is not None and parts.currency is None:
        return None  # an ambiguous currency symbol: not read
    return m.group("base"), 10**parts.power, parts.currency


#: Rank added to headers from the export and language vocabulary: any of the
#: English synonyms above is more specific than them.
VOCAB_RANK = 100

#: normalised header → (field, rank); a lower rank is a more specific name.
_SYNONYM_INDEX: dict[str, tuple[str, int]] = {}
#: normalised header → every field some source uses it for (value-checked).
_CANDIDATES: dict[str, tuple[str, ...]] = {}
#: normalised header → the yes/no status meaning (Salesforce ``Won``, ``Closed``).
BOOLEAN_STATUS: dict[str, BooleanStatus] = {}
#: normalised headers whose "yes" means "may be emailed" (never read as do-not-email).
OPT_IN: frozenset[str] = frozenset()


def _build_index() -> None:
    global OPT_IN
    cands: dict[str, list[str]] = {}

    def add(header: str, field_name: str, rank: int) -> None:
        key = normalize_header(header)
        _SYNONYM_INDEX.setdefault(key, (field_name, rank))
        got = cands.setdefault(key, [])
        if field_name not in got:
            got.append(field_name)

    for f, headers in SYNONYMS.items():
        for rank, h in enumerate(headers):
            add(h, f, rank)
    for f in FIELDS:  # a field's own name (contact_email) always maps too
        add(f, f, 0)
    for _src, f, rank, h, _confirmed in vocab_headers.iter_headers(include_unconfirmed=True):
        add(h, f, VOCAB_RANK + rank)
    for c in vocab_headers.CONFLICTS:
        got = cands.setdefault(normalize_header(c.header), [])
        got.extend(f for f in c.fields if f not in got)
    for b in vocab_headers.BOOLEAN_STATUS_HEADERS:
        BOOLEAN_STATUS.setdefault(normalize_header(b.header), b)
    OPT_IN = frozenset(
        normalize_header(h) for hs in vocab_headers.OPT_IN_HEADERS.values() for h in hs
    )
    _CANDIDATES.update({k: tuple(v) for k, v in cands.items()})


_build_index()


def candidates(header: str) -> tuple[str, ...]:
    """Every field some export or language uses ``header`` for."""
    return _CANDIDATES.get(normalize_header(header), ())


@dataclass(slots=True)
class HeaderMap:
    """Where each canonical field sits in a tab.

    ``fields`` maps a field to its 1-based column; ``duplicates`` lists
    ``(field, column, first_column)`` for a second header claiming a field;
    ``unmapped`` keeps the other headers (column → text) for messages.
    """

    row: int
    fields: dict[str, int] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    unmapped: dict[int, str] = field(default_factory=dict)

    def missing(self, required: Sequence[str] = REQUIRED_FIELDS) -> list[str]:
        return [f for f in required if f not in self.fields]


def map_headers(
    row_values: Sequence[Any],
    row_number: int,
    configured: Mapping[str, str] | None = None,
    synonyms: Mapping[str, tuple[str, int]] | None = None,
) -> HeaderMap:
    """Map one row of header cells to fields.

    ``configured`` (field → header text) wins over the synonyms; a configured
    field is never guessed from a synonym elsewhere in the row, so an explicit
    mapping cannot be overridden by accident.  ``synonyms`` defaults to the
    built-in table (normalised header → (field, rank)).

    When two headers claim one field, the more specific synonym wins ("Deal
    Stage" over "Status") and the other is left unmapped; the *same* header
    twice is ambiguous and recorded in ``duplicates``.
    """
    index = _SYNONYM_INDEX if synonyms is None else synonyms
    wanted = {normalize_header(h): f for f, h in (configured or {}).items()}
    configured_fields = set(wanted.values())
    hm = HeaderMap(row=row_number)
    ranks: dict[str, int] = {}
    for c, raw in enumerate(row_values, start=1):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        text = str(raw).strip()
        hm.headers[c] = text
        key = normalize_header(text)
        f = wanted.get(key)
        rank = -1
        if f is None:
            f, rank = index.get(key, (None, 0))
            if f is None:  # "Amount (EUR)": the header without its unit
                base, unit = header_qualifier(text)
                if unit is not None:
                    f, rank = index.get(normalize_header(base), (None, 0))
            if f is None:  # "Betrag (Tsd. €)": an amount counted in thousands
                scaled = header_scale(text)
                if scaled is not None:
                    f, rank = index.get(normalize_header(scaled[0]), (None, 0))
                    if f != "amount":
                        f, rank = None, 0
            if f in configured_fields:
                f = None
        if f is None:
            hm.unmapped[c] = text
            continue
        if f in hm.fields:
            if rank == ranks[f]:
                hm.duplicates.append((f, c, hm.fields[f]))
                continue
            if rank > ranks[f]:
                hm.unmapped[c] = text
                continue
            hm.unmapped[hm.fields[f]] = hm.headers[hm.fields[f]]
        hm.fields[f] = c
        ranks[f] = rank
    return hm


def find_header_row(
    rows: Sequence[Sequence[Any]],
    configured: Mapping[str, str] | None = None,
    required: Sequence[str] = REQUIRED_FIELDS,
    header_row: int | None = None,
) -> HeaderMap | None:
    """The header row of a tab: the first row (within the top 30) that maps
    every required field, preferring the one that maps the most fields.

    Title rows above the header ("Q4 pipeline — updated daily") are skipped
    because they map nothing.  ``header_row`` (1-based) forces a row.
    """
    if header_row is not None:
        if header_row > len(rows):
            return None
        hm = map_headers(rows[header_row - 1], header_row, configured)
        return hm if not hm.missing(required) else None
    best: HeaderMap | None = None
    for i, values in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        hm = map_headers(values, i, configured)
        if hm.missing(required):
            continue
        if best is None or len(hm.fields) > len(best.fields):
            best = hm
    return best


def synonyms_markdown() -> str:
    """The synonym table as Markdown (the README embeds this)."""
    lines = ["| field | headers recognised |", "|---|---|"]
    for f in FIELDS:
        lines.append(f"| `{f}` | " + ", ".join(SYNONYMS.get(f, ())) + " |")
    return "\n".join(lines)


@dataclass(slots=True)
class Refined:
    """A header map checked against the column values under it.

    ``boolean_status`` lists yes/no status columns (``Won``, ``Closed``) with
    their meaning; ``opt_in`` columns say who *may* be emailed and are never
    read as do-not-email; ``moved`` says which columns the values re-mapped
    (column → (from field or None, to field)) for ``check`` and ``init``.
    """

    header: HeaderMap
    boolean_status: list[tuple[int, BooleanStatus]] = field(default_factory=list)
    opt_in: list[int] = field(default_factory=list)
    moved: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    fits: dict[str, float] = field(default_factory=dict)


#: Rows (spread evenly over the sheet) whose values decide what a doubtful column holds.
PROFILE_ROWS = 5000


def refine_headers(
    hm: HeaderMap,
    rows: Sequence[Sequence[Any]],
    configured: Mapping[str, str] | None = None,
) -> Refined:
    """Settle doubtful headers by the values under them (see :mod:`.column_types`).

    ``rows`` are the data rows below the header.  A configured mapping is
    never second-guessed.  A column moves to another of its header's fields
    only when its values fit that field clearly better, and a required field
    (stage, owner) is never left without a column.
    """
    from .column_types import fit, profile

    configured_fields = set(configured or {})
    out = Refined(hm)
    profiles: dict[int, Any] = {}
    if len(rows) > PROFILE_ROWS:
        # a column's type shows in a few thousand rows spread over it; a
        # 100,000-row sheet need not be looked at whole to choose its columns
        step = len(rows) / PROFILE_ROWS
        rows = [rows[int(i * step)] for i in range(PROFILE_ROWS)]

    def prof(c: int):
        if c not in profiles:
            profiles[c] = profile([r[c - 1] if c - 1 < len(r) else "" for r in rows])
        return profiles[c]

    by_col = {c: f for f, c in hm.fields.items()}
    for c, text in hm.headers.items():
        key = normalize_header(text)
        if by_col.get(c) in configured_fields:
            continue
        b = BOOLEAN_STATUS.get(key)
        if b is not None and prof(c).booleans >= 0.8:
            out.boolean_status.append((c, b))
            old = by_col.pop(c, None)
            if old is not None and old not in REQUIRED_FIELDS:
                del hm.fields[old]
                hm.unmapped[c] = text
                out.moved[c] = (old, None)
            elif old is not None:
                by_col[c] = old
            continue
        if key in OPT_IN and c not in by_col:
            out.opt_in.append(c)

    # mapped columns whose header means several fields
    for f, c in sorted(hm.fields.items(), key=lambda x: x[1]):
        if f in configured_fields:
            continue
        options = candidates(hm.headers[c])
        if len(options) < 2:
            continue
        p = prof(c)
        here = fit(f, p)
        best, best_fit = f, here
        for g in options:
            if g != f and g not in hm.fields and fit(g, p) > best_fit:
                best, best_fit = g, fit(g, p)
        if best != f and best_fit >= here + 0.3 and f not in REQUIRED_FIELDS:
            del hm.fields[f]
            hm.fields[best] = c
            out.moved[c] = (f, best)

    # unmapped columns that one of their header's fields fits
    for c, text in sorted(hm.unmapped.items()):
        if any(c == col for col, _ in out.boolean_status) or c in out.opt_in:
            continue
        options = [g for g in candidates(text) if g not in hm.fields and g not in configured_fields]
        if not options:
            continue
        p = prof(c)
        scored = sorted(((fit(g, p), g) for g in options), reverse=True)
        if scored[0][0] >= 0.8:
            g = scored[0][1]
            hm.fields[g] = c
            del hm.unmapped[c]
            out.moved[c] = (None, g)

    out.fits = {f: fit(f, prof(c)) for f, c in hm.fields.items()}
    return out
