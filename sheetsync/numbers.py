"""Numbers as people write them in many countries, read through CLDR (Babel).

``12.500`` is twelve thousand five hundred in Berlin and twelve and a half in
Boston; ``1,5 Mio. €``, ``1.2 million``, ``1.2 ล้าน`` and ``1,500,000 บาท`` are
all amounts.  This module splits an amount text into its parts (sign,
currency, number, multiplier word) and reads the number under one *decimal
convention* (decimal point or decimal comma), using Babel's strict CLDR
number parser so that grouping is checked the way each locale groups
(``1,00,000`` in India, ``1'000.50`` in Switzerland).

It never decides a column's convention: :mod:`sheetsync.money` looks at a
whole column and asks here how each cell reads under each convention.

Where the words come from:

* Currency symbols, ISO 4217 codes and currency names: CLDR through Babel
  (``Locale.currency_symbols``, :func:`babel.numbers.list_currencies`,
  :func:`babel.numbers.get_currency_name`).  A symbol several currencies use
  (``$``, ``¥``) means the team locale's own currency when it has that symbol,
  else the currency CLDR's English data gives it (``$`` US dollar, ``¥`` yen).
* Multiplier words: CLDR's compact decimal formats (``0 Mio'.'`` → ``Mio.`` =
  10⁶ in German, ``0 ล้าน`` = 10⁶ in Thai, ``0 mil`` = 10³ in Spanish), plus the
  few that sheets use and CLDR does not list (:data:`EXTRA_MULTIPLIERS`).
  Words that mean different powers of ten in different languages
  (``billion`` is 10⁹ in English, 10¹² in French) follow the team's language
  when it is set, else English, and are reported as ambiguous in a column
  written with a decimal comma (continental usage).
* Digits of other scripts (Thai ``๒๕๖๙``, Arabic-Indic, Devanagari,
  full-width) are read as the digits they are (Unicode ``Nd``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "AmountText",
    "DOT",
    "COMMA",
    "ascii_digits",
    "currency_for_token",
    "digits_convention",
    "locale_decimal",
    "read_body",
    "split_amount",
]

DOT = "dot"  # decimal point, groups with comma: 1,234.50 (en, th, ja, es_MX)
COMMA = "comma"  # decimal comma, groups with dot: 1.234,50 (de, es, fr, pt, it)

#: The locale whose strict CLDR grouping stands for each convention when the
#: team has none (en_IN is tried too, for Indian lakh grouping 12,34,567).
_REPRESENTATIVE = {DOT: ("en_US", "en_IN"), COMMA: ("de_DE",)}

#: Languages whose CLDR words (currency names, multipliers) are recognised
#: without a locale being set: the ones the project ships headers for.
LANGUAGES = ("en", "de", "fr", "es", "pt", "th")

_SPACES = " \u00a0\u2007\u2009\u202f"
_APOSTROPHES = "'’"

# --------------------------------------------------------------------------- digits


@functools.cache
def _digit_table() -> dict[int, str]:
    """Every Unicode decimal digit (category Nd) → its ASCII digit."""
    table: dict[int, str] = {}
    for cp in range(0x0660, 0x1D800):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            table[cp] = str(unicodedata.digit(ch))
    return table


def ascii_digits(text: str) -> str:
    """``๒๕๖๙`` → ``2569``: digits of any script as ASCII (others unchanged)."""
    if text.isascii():
        return text
    return text.translate(_digit_table())


def digits_convention(text: str) -> str | None:
    """The convention a number written in native digits follows, or None.

    ``๑๒๐,๐๐๐`` is written in Thai digits, which only Thai writes (CLDR's
    ``thai`` numbering system is th's native one), and Thai groups with a
    comma and marks decimals with a point in those digits: it is 120,000,
    never 120.  So digits of a script that is the native numbering system
    of one of :data:`LANGUAGES` settle the cell to that language's
    convention in it (CLDR number symbols for that numbering system, through
    Babel).  ASCII digits, or digits of a script none of them writes, say
    nothing (None).
    """
    if text.isascii():
        return None
    for ch in text:
        if ch.isascii() or unicodedata.category(ch) != "Nd":
            continue
        script = unicodedata.name(ch, "").partition(" DIGIT ")[0]
        return _native_digit_conventions().get(script)
    return None


@functools.cache
def _native_digit_conventions() -> dict[str, str]:
    """Unicode script name of native digits (``THAI``) → :data:`DOT` / :data:`COMMA`.

    From CLDR: each language's ``native`` numbering system (``thai`` for
    th), whose id is the script's ISO 15924 code (``Thai``), named in
    Unicode character names by the script's English name.
    """
    from babel import Locale
    from babel.numbers import get_decimal_symbol

    scripts = Locale.parse("en").scripts
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        system = Locale.parse(lang).other_numbering_systems.get("native")
        if not system or system == "latn":
            continue
        for code, name in scripts.items():
            if code.lower() == system:
                mark = get_decimal_symbol(lang, numbering_system=system)
                out[name.upper()] = COMMA if mark == "," else DOT
    return out


# --------------------------------------------------------------------------- locales


@functools.cache
def locale_decimal(locale: str) -> str:
    """:data:`DOT` or :data:`COMMA`: how ``locale`` writes its decimal mark (CLDR)."""
    from babel.numbers import get_decimal_symbol

    return COMMA if get_decimal_symbol(locale) == "," else DOT


def language_of(locale: str | None) -> str | None:
    return locale.split("_")[0].split("-")[0].lower() if locale else None


# --------------------------------------------------------------------------- number bodies


def read_body(body: str, convention: str, locale: str | None = None) -> Decimal | None:
    """The number in ``body`` (digits and separators) under ``convention``, or None.

    The group separator of the convention (``,`` for :data:`DOT`, ``.`` for
    :data:`COMMA`), spaces and apostrophes are all accepted as thousands
    separators, one kind per number; the result is then checked by Babel's
    strict parser in ``locale`` (when it uses this convention) or in the
    convention's representative locale, so groups must be where CLDR puts
    them.
    """
    return _read_body(body, convention, locale if locale else "")


@functools.lru_cache(maxsize=65536)
def _read_body(body: str, convention: str, locale: str) -> Decimal | None:
    from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

    decimal, group = (".", ",") if convention == DOT else (",", ".")
    if body.count(decimal) > 1:
        return None
    whole, _, frac = body.partition(decimal)
    if (frac and not frac.isdigit()) or (not whole and not frac):
        return None
    seps = {_sep_kind(c) for c in whole if not c.isdigit()}
    if not seps:
        return Decimal(f"{whole or '0'}.{frac or '0'}")
    if len(seps) > 1 or seps.pop() not in (group, " ", "'"):
        return None
    locales = _REPRESENTATIVE[convention]
    if locale and locale_decimal(locale) == convention:
        locales = (locale, *locales)
    for loc in locales:
        g = get_group_symbol(loc)
        norm = "".join(c if c.isdigit() else g for c in whole)
        text = norm + (_decimal_symbol(loc) + frac if frac else "")
        try:
            return parse_decimal(text, locale=loc, strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
    return None


def _sep_kind(ch: str) -> str:
    if ch in _SPACES:
        return " "
    if ch in _APOSTROPHES:
        return "'"
    return ch


@functools.cache
def _decimal_symbol(locale: str) -> str:
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(locale)


# --------------------------------------------------------------------------- currencies


@functools.cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


#: Words sheets use for a currency that CLDR's display names do not give on
#: their own (CLDR says "Thai baht", people write "baht").
EXTRA_CURRENCY_WORDS: dict[str, str] = {
    "baht": "THB",
    "บาท": "THB",
    "euro": "EUR",
    "euros": "EUR",
    "reais": "BRL",
    "real": "BRL",
    "dollar": "USD",
    "dollars": "USD",
    "pounds": "GBP",
    "rupees": "INR",
    "rs": "INR",
    "rs.": "INR",
    "us$": "USD",
    "u$s": "USD",
    "zł": "PLN",
    "kč": "CZK",
    "ft": "HUF",
    "fr.": "CHF",
    "rmb": "CNY",
    "元": "CNY",
    "円": "JPY",
}


@functools.cache
def _symbol_table() -> tuple[dict[str, set[str]], dict[str, str]]:
    """(symbol → codes seen in any of our locales, English symbol → code)."""
    from babel import Locale

    seen: dict[str, set[str]] = {}
    for name in (
        "en",
        "en_US",
        "en_GB",
        "en_CA",
        "en_AU",
        "en_IN",
        "de",
        "de_CH",
        "fr",
        "fr_CH",
        "es",
        "es_MX",
        "pt",
        "pt_PT",
        "th",
        "ja",
        "zh",
        "it",
        "nl",
        "sv",
        "nb",
        "da",
        "is",
        "pl",
        "cs",
        "hu",
        "tr",
        "ru",
        "ko",
        "hi",
    ):
        for code, sym in Locale.parse(name).currency_symbols.items():
            if sym and sym != code and code in _iso_codes():
                seen.setdefault(sym, set()).add(code)
    english = {}
    for code, sym in Locale.parse("en").currency_symbols.items():
        if code in _iso_codes():
            english.setdefault(sym, code)
    return seen, english


@functools.cache
def _name_table() -> dict[str, str | None]:
    """Currency display names in our languages (casefolded) → code (None: ambiguous)."""
    from babel import Locale

    names: dict[str, str | None] = {}
    for lang in LANGUAGES:
        loc = Locale.parse(lang)
        for code, name in loc.currencies.items():
            if code not in _iso_codes():
                continue
            key = name.casefold()
            if key in names and names[key] != code:
                names[key] = None
            else:
                names[key] = code
    for word, code in EXTRA_CURRENCY_WORDS.items():
        names[word.casefold()] = code
    return names


@functools.cache
def _locale_symbols(locale: str) -> dict[str, str]:
    """Symbols of the currencies in use in ``locale``'s territory → code."""
    from babel import Locale
    from babel.numbers import get_currency_symbol, get_territory_currencies

    loc = Locale.parse(locale)
    out: dict[str, str] = {}
    if loc.territory:
        for code in get_territory_currencies(loc.territory, tender=True):
            out.setdefault(get_currency_symbol(code, locale), code)
    return out


def currency_for_token(token: str, locale: str | None = None) -> str | None:
    """The ISO 4217 code a currency symbol, code or name stands for, or None."""
    t = token.strip(_SPACES)
    if not t:
        return None
    if len(t) == 3 and t.isalpha() and t.upper() in _iso_codes():
        return t.upper()
    if locale:
        own = _locale_symbols(locale).get(t)
        if own:
            return own
    seen, english = _symbol_table()
    codes = seen.get(t)
    if codes:
        if len(codes) == 1:
            return next(iter(codes))
        # several currencies write this symbol (kr: SEK, NOK, DKK, ISK): only
        # CLDR's English data may settle it ($ is the US dollar there), else
        # it is no currency we can name and the cell is reported.
        return english.get(t)
    return _name_table().get(t.casefold())


@functools.cache
def _currency_tokens() -> tuple[str, ...]:
    """Every currency token we recognise, longest first (for prefix matching)."""
    seen, _ = _symbol_table()
    tokens = set(seen) | {k for k, v in _name_table().items() if v}
    return tuple(sorted(tokens, key=len, reverse=True))


# --------------------------------------------------------------------------- multipliers

#: Multiplier words sheets use that CLDR's compact formats do not list, by
#: language (``None``: every language).  ``TEUR``/``T€`` are German finance
#: usage for thousands of euros and come with their currency.
EXTRA_MULTIPLIERS: dict[str, tuple[str | None, int]] = {
    "k": (None, 3),
    "m": (None, 6),
    "mm": ("en", 6),
    "mn": ("en", 6),
    "bn": ("en", 9),
    "thousands": ("en", 3),
    "millions": ("en", 6),
    "billions": ("en", 9),
    "tsd": ("de", 3),
    "tsd.": ("de", 3),
    "mio": ("de", 6),
    "mio.": ("de", 6),
    "mrd": ("de", 9),
    "mrd.": ("de", 9),
    "mill.": ("es", 6),
    "mln": ("en", 6),
    "lakh": ("en", 5),
    "lakhs": ("en", 5),
    "lac": ("en", 5),
    "crore": ("en", 7),
    "crores": ("en", 7),
    "cr": ("en", 7),
}

#: Multiplier words glued to a currency (German finance: TEUR = thousand euros).
CURRENCY_MULTIPLIERS: dict[str, tuple[int, str]] = {
    "teur": (3, "EUR"),
    "t€": (3, "EUR"),
    "tusd": (3, "USD"),
    "mio€": (6, "EUR"),
}


@functools.cache
def _multiplier_table() -> dict[str, dict[str, int]]:
    """Multiplier word (casefolded) → {language: power of ten}, from CLDR and extras."""
    from babel import Locale

    table: dict[str, dict[str, int]] = {}
    for lang in (*LANGUAGES, "en_IN"):
        cdf = Locale.parse(lang).compact_decimal_formats
        for width in cdf:
            for _plural, patterns in cdf[width].items():
                for magnitude, pattern in patterns.items():
                    text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
                    zeros = text.count("0")
                    word = text.replace("0", "").replace("'", "").strip(_SPACES)
                    if not word or not zeros:
                        continue
                    power = len(str(magnitude)) - 1 - (zeros - 1)
                    table.setdefault(word.casefold(), {})[language_of(lang) or lang] = power
    for word, (lang, power) in EXTRA_MULTIPLIERS.items():
        entry = table.setdefault(word, {})
        if lang is None:
            for code in LANGUAGES:
                entry.setdefault(code, power)
        else:
            entry.setdefault(lang, power)
    return table


@functools.cache
def _multiplier_tokens() -> tuple[str, ...]:
    return tuple(sorted(_multiplier_table(), key=len, reverse=True))


def multiplier_power(word: str, language: str | None) -> tuple[int | None, bool]:
    """(power of ten, ambiguous) for a multiplier word.

    ``ambiguous`` is True when the word means different powers in different
    languages and ``language`` does not settle it (then English decides the
    power returned).
    """
    meanings = _multiplier_table().get(word.casefold())
    if not meanings:
        return None, False
    if language and language in meanings:
        return meanings[language], False
    powers = set(meanings.values())
    if len(powers) == 1:
        return powers.pop(), False
    return meanings.get("en", max(powers)), True


# --------------------------------------------------------------------------- splitting


@dataclass(frozen=True, slots=True)
class AmountText:
    """An amount text split into its parts (nothing read as a number yet)."""

    body: str
    negative: bool = False
    currency: str | None = None
    currency_token: str | None = None
    multiplier_word: str | None = None
    power: int = 0
    #: The multiplier word means different powers of ten in different languages.
    ambiguous_multiplier: bool = False
    #: The text itself names its convention (``1.000,-`` is decimal comma).
    convention: str | None = None


_BODY = re.compile(rf"[.,]?[0-9](?:[0-9.,{_SPACES}{_APOSTROPHES}]*[0-9])?[.,]?")
_SIGNS = "-+−–"
_MINUS = "-−–"


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


@functools.lru_cache(maxsize=16)
def _by_first_char(tokens: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """``tokens`` grouped by their first case-folded character, longest first.

    The currency tokens number in the thousands (every CLDR symbol and name
    of every language); looking only at those that can start the text keeps
    a cell's reading from trying them all.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for tok in sorted(tokens, key=len, reverse=True):
        t = tok.casefold()
        if t:
            groups.setdefault(t[0], []).append((tok, t))
    return {k: tuple(v) for k, v in groups.items()}


def _take_token(text: str, tokens: tuple[str, ...]) -> str | None:
    """The longest of ``tokens`` that starts ``text`` and ends at a word boundary."""
    folded = text.casefold()
    if not folded:
        return None
    for tok, t in _by_first_char(tokens).get(folded[0], ()):
        if folded.startswith(t):
            rest = text[len(tok) :]
            # a word token must not run into more letters ("mil" in "million");
            # Thai is written without spaces, so Thai tokens may be followed by Thai
            thai = "\u0e00" <= tok[-1] <= "\u0e7f" and "\u0e00" <= rest[:1] <= "\u0e7f"
            if rest and _is_letter(tok[-1]) and _is_letter(rest[0]) and not thai:
                continue
            return text[: len(tok)]
    return None


def split_amount(text: str, locale: str | None = None) -> AmountText | None:
    """Split a stripped amount text into sign, currency, body and multiplier.

    ``(€1,200)``, ``-$5k``, ``USD 1,000``, ``1,5 Mio. €``, ``1.2 ล้านบาท``,
    ``12.500,00 EUR``, ``(1,200)`` and ``1 000 บาท`` all split; text with more
    than one number, two currencies, two signs, a stray word or unbalanced
    parentheses is None.  Digits of other scripts must already be ASCII.
    """
    hint = None
    if text.endswith((",-", ".-", ",--", ".--", ",—", ".—")):
        text = text.rstrip("-—")  # 1.000,- : German/Swiss "no cents"
        hint = COMMA if text[-1] == "," else DOT
        text = text[:-1]
    found = list(_BODY.finditer(text))
    if len(found) != 1:
        return None
    m = found[0]
    prefix, body, suffix = text[: m.start()], m.group(0), text[m.end() :]
    language = language_of(locale)
    state = {"open": False, "close": False, "sign": None, "cur": None, "mult": None}
    cur_tokens = _currency_tokens()

    def eat(part: str, side: str) -> bool:
        i = 0
        while i < len(part):
            rest = part[i:]
            ch = rest[0]
            if ch in _SPACES or ch in "\t":
                i += 1
                continue
            if ch == "(" and side == "pre" and not state["open"]:
                state["open"] = True
                i += 1
                continue
            if ch == ")" and side == "post" and not state["close"]:
                state["close"] = True
                i += 1
                continue
            if ch in _SIGNS and state["sign"] is None and not (side == "post" and ch == "+"):
                state["sign"] = ch
                i += 1
                continue
            if side == "post" and state["mult"] is None:
                glued = _take_token(rest, tuple(CURRENCY_MULTIPLIERS))
                if glued and state["cur"] is None:
                    power, code = CURRENCY_MULTIPLIERS[glued.casefold()]
                    state["mult"] = (glued, power, False)
                    state["cur"] = (glued, code)
                    i += len(glued)
                    continue
                word = _take_token(rest, _multiplier_tokens())
                if word:
                    power, ambiguous = multiplier_power(word, language)
                    if power is not None:
                        state["mult"] = (word, power, ambiguous)
                        i += len(word)
                        continue
            if state["cur"] is None:
                tok = _take_token(rest, cur_tokens)
                if tok is None and len(rest) >= 3 and rest[:3].isalpha():
                    three = rest[:3]
                    if three.upper() in _iso_codes() and not (
                        len(rest) > 3 and _is_letter(rest[3])
                    ):
                        tok = three
                if tok:
                    code = currency_for_token(tok, locale)
                    if code or tok in _symbol_table()[0]:
                        # an ambiguous symbol (kr) is kept with no code: the
                        # column reader asks which currency it is
                        state["cur"] = (tok, code)
                        i += len(tok)
                        continue
            return False
        return True

    if not eat(prefix, "pre") or not eat(suffix, "post"):
        return None
    if state["open"] != state["close"]:
        return None
    if state["open"] and state["sign"]:
        return None
    sign = state["sign"]
    negative = bool(state["open"]) or (sign is not None and sign in _MINUS)
    cur = state["cur"]
    mult = state["mult"]
    return AmountText(
        body=body,
        negative=negative,
        currency=cur[1] if cur else None,
        currency_token=cur[0] if cur else None,
        multiplier_word=mult[0] if mult else None,
        power=mult[1] if mult else 0,
        ambiguous_multiplier=mult[2] if mult else False,
        convention=hint,
    )


def symbol_codes(token: str) -> list[str]:
    """The currencies that write ``token`` as their symbol (CLDR), sorted."""
    return sorted(_symbol_table()[0].get(token.strip(_SPACES), ()))
