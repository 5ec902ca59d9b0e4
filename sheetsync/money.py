"""An amount column, read as a whole: one number convention, currencies kept, rates applied.

A single cell cannot always say what it means: ``12.500`` is 12,500 with a
decimal comma and 12.5 with a decimal point.  A column usually can: if any
cell reads only one way (``1.200,50``, ``7,5``, ``3.25``), the column is
written that way.  So the convention is decided per column, in this order:

1. ``[parse] decimal_comma`` (explicit), else ``[parse] locale``, else
   ``[team] locale`` (CLDR's decimal symbol for it);
2. else the cells themselves: those that read under only one convention
   vote, and the majority wins when it is at least twice the minority;
3. else (every text amount reads both ways, or the votes are close) each
   cell whose two readings differ is an ``ambiguous-number`` finding naming
   the setting, and is left out: a number that may be 1,000 times wrong is
   never used.

Currencies: each amount keeps the currency it was written in (a symbol,
code or name in the cell, else the deal's currency column, else the team's).
The team's currency is ``[team] currency``, else its locale's, else the most
common currency written in the column.  An amount in another currency is
converted at a stated rate (``[[rates]]`` in the configuration or a ``Rates``
tab) or, without one, reported as ``mixed-currency`` at its cell and left out
of every total: different currencies are never added together.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import numbers as N
from . import parse as P

__all__ = ["AmountColumn", "CellIssue", "Rate", "RateUse", "read_amount_column"]


@dataclass(frozen=True, slots=True)
class Rate:
    """``rate`` units of the team's currency for one unit of ``currency``."""

    currency: str
    rate: float
    source: str


@dataclass(frozen=True, slots=True)
class RateUse:
    """A rate a run used: how many amounts it converted, and their total as written."""

    currency: str
    rate: float
    source: str
    count: int
    written_total: float
    team_currency: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "rate": self.rate,
            "to": self.team_currency,
            "source": self.source,
            "amounts": self.count,
            "written_total": round(self.written_total, 2),
        }


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A problem with one cell of the column (``index`` into the column)."""

    index: int
    code: str
    message: str
    hint: str


@dataclass(slots=True)
class AmountColumn:
    """What reading an amount column gave."""

    #: In the team's currency (converted where a rate applies); None: blank or left out.
    values: list[float | None]
    #: As written, in ``currencies[i]``.
    written: list[float | None]
    #: The ISO code each amount was written in (None: blank, or no currency known).
    currencies: list[str | None]
    issues: list[CellIssue] = field(default_factory=list)
    #: :data:`numbers.DOT` / :data:`numbers.COMMA`, or None when the column never needed one.
    convention: str | None = None
    #: Why that convention: ``[team] locale de_DE``, ``the column (E5 '1.200,50')``.
    convention_reason: str = ""
    team_currency: str | None = None
    rates_used: list[RateUse] = field(default_factory=list)
    #: Cells that read differently under the two conventions and were settled
    #: by the column's (or the configured) convention.
    settled: int = 0


_CONVENTION_WORDS = {N.DOT: "a decimal point", N.COMMA: "a decimal comma"}


def _fmt(value: float) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def read_amount_column(
    raw: Sequence[Any],
    *,
    decimal_comma: bool | None = None,
    locale: str | None = None,
    locale_setting: str = "[team] locale",
    team_currency: str | None = None,
    rates: dict[str, Rate] | None = None,
    currency_column: Sequence[str | None] | None = None,
    positions: Sequence[str] | None = None,
    what: str = "amount",
    currency_from: str = "the currency column",
    number_currencies: Sequence[str | None] | None = None,
) -> AmountColumn:
    """Read every cell of an amount column (see the module notes).

    ``currency_column`` holds the deal's currency column as typed (codes,
    symbols or names), ``positions`` the cells' A1 names for messages that
    point at another cell (``E5``).  ``locale_setting`` names where
    ``locale`` came from, and ``currency_from`` where ``currency_column``
    did (a column, or a header such as ``Amount (USD)``), for messages.
    ``number_currencies`` is the currency each number cell's format shows
    (an ``.xlsx`` cell formatted ``#,##0.00 [$€-407]`` holds euros): it is
    that cell's own currency, as a symbol typed in a text cell would be.
    """
    n = len(raw)
    rates = rates or {}
    values: list[float | None] = [None] * n
    written: list[float | None] = [None] * n
    currencies: list[str | None] = [None] * n
    issues: list[CellIssue] = []
    pos = positions or [f"row {i + 1}" for i in range(n)]

    # 1. split every text cell; numbers are read at once
    parts: dict[int, N.AmountText] = {}
    for i, v in enumerate(raw):
        t = type(v)
        if t is float:
            if math.isfinite(v):
                written[i] = v + 0.0
                if number_currencies is not None:
                    currencies[i] = number_currencies[i]
            else:
                issues.append(_bad(i, v))
            continue
        if t is int:
            written[i] = float(v)
            if number_currencies is not None:
                currencies[i] = number_currencies[i]
            continue
        if v is None or v == "":
            continue
        if t is not str:
            parsed = P.parse_amount(v)
            if parsed.error:
                issues.append(CellIssue(i, "bad-amount", f"{what}: {parsed.error}", _HINT))
            else:
                written[i] = parsed.value
            continue
        written_text = v.strip(P.STRIP_CHARS)
        text = N.ascii_digits(written_text)
        if not text or text.casefold() in P.BLANK_WORDS:
            continue
        if len(text) > 200:
            issues.append(_bad(i, v))
            continue
        sp = N.split_amount(text, locale)
        if sp is None:
            issues.append(_bad(i, v))
            continue
        if sp.convention is None and text is not written_text:
            # native digits (๑๒๐,๐๐๐) are written the way their language writes numbers
            native = N.digits_convention(written_text)
            if native is not None:
                sp = dataclasses.replace(sp, convention=native)
        parts[i] = sp

    # 2. the column's convention
    settled = 0
    convention, reason = _decide_convention(parts, decimal_comma, locale, locale_setting, pos)
    for i, sp in parts.items():
        readings = {c: P.amount_text_value(sp, c, locale) for c in (N.DOT, N.COMMA)}
        if convention is not None:
            value = readings[convention]
            if (
                value is not None
                and readings[N.DOT] is not None
                and readings[N.COMMA] is not None
                and readings[N.DOT] != readings[N.COMMA]
                and _plausible(sp, N.DOT)
                and _plausible(sp, N.COMMA)
            ):
                settled += 1
            if value is None:
                other = readings[N.COMMA if convention == N.DOT else N.DOT]
                issues.append(
                    CellIssue(
                        i,
                        "bad-amount",
                        f"{what}: not an amount: {P.quote(raw[i])}"
                        + (
                            f" (this column is written with {_CONVENTION_WORDS[convention]}: {reason})"
                            if other is not None
                            else ""
                        ),
                        f"write it the way the rest of the column is written, or set {locale_setting}"
                        if other is not None
                        else _HINT,
                    )
                )
                continue
        else:
            dot = readings[N.DOT] if _plausible(sp, N.DOT) else None
            comma = readings[N.COMMA] if _plausible(sp, N.COMMA) else None
            if dot is None and comma is None:
                issues.append(_bad(i, raw[i]))
                continue
            if dot is not None and comma is not None and dot != comma:
                issues.append(
                    CellIssue(
                        i,
                        "ambiguous-number",
                        f"{what} {P.quote(raw[i])} is {_fmt(comma)} with a decimal comma "
                        f"and {_fmt(dot)} with a decimal point, and nothing else in the "
                        "column tells which; it is left out",
                        "set locale in the [team] section (de_DE, pt_BR: decimal comma; "
                        "en_US, th_TH: decimal point) or decimal_comma in [parse]",
                    )
                )
                continue
            value = dot if dot is not None else comma
        if sp.ambiguous_multiplier and convention == N.COMMA:
            issues.append(
                CellIssue(
                    i,
                    "ambiguous-number",
                    f"{what} {P.quote(raw[i])}: {sp.multiplier_word!r} is 10^9 in English "
                    "and 10^12 in most languages written with a decimal comma; it is left out",
                    "set locale in the [team] section, or write the number in full",
                )
            )
            continue
        if value is None or not math.isfinite(value):
            issues.append(
                CellIssue(
                    i, "bad-amount", f"{what}: not an amount: {P.quote(raw[i])} (too large)", _HINT
                )
            )
            continue
        written[i] = value + 0.0
        if sp.currency_token is not None:
            if sp.currency is None:
                settled = _settle_symbol(sp.currency_token, team_currency, locale)
                if settled is None:
                    codes = ", ".join(N.symbol_codes(sp.currency_token))
                    issues.append(
                        CellIssue(
                            i,
                            "unknown-currency",
                            f"{what} {P.quote(raw[i])}: {sp.currency_token!r} is the symbol of "
                            f"several currencies ({codes}); it is left out",
                            "write the ISO code (e.g. SEK 12,500) or set currency in the [team] section",
                        )
                    )
                    written[i] = None
                    continue
                currencies[i] = settled
            else:
                currencies[i] = sp.currency

    # 3. the deal's currency column
    if currency_column is not None:
        for i, text in enumerate(currency_column):
            if not text or written[i] is None:
                continue
            code = N.currency_for_token(str(text), locale)
            if code is None:
                issues.append(
                    CellIssue(
                        i,
                        "unknown-currency",
                        f"{what}: {currency_from} says {P.quote(text)}, which is no "
                        "currency sheetsync knows; the amount is left out",
                        "write an ISO 4217 code such as EUR or USD in the currency column",
                    )
                )
                written[i] = None
                continue
            if currencies[i] is not None and currencies[i] != code:
                issues.append(
                    CellIssue(
                        i,
                        "currency-conflict",
                        f"{what} {P.quote(raw[i])} is written in {currencies[i]} but "
                        f"{currency_from} says {code}; it is left out",
                        f"make the amount and {currency_from} agree",
                    )
                )
                written[i] = None
                continue
            currencies[i] = code

    # 4. the team's currency, and conversion
    if team_currency is None:
        counts = Counter(c for c, w in zip(currencies, written, strict=True) if c and w is not None)
        if counts:
            top = counts.most_common()
            team_currency = top[0][0]
    used: dict[str, list[float]] = {}
    for i, w in enumerate(written):
        if w is None:
            continue
        cur = currencies[i]
        if cur is None or team_currency is None or cur == team_currency:
            currencies[i] = cur or team_currency
            values[i] = w
            continue
        rate = rates.get(cur)
        if rate is None:
            issues.append(
                CellIssue(
                    i,
                    "mixed-currency",
                    f"{what} {P.quote(raw[i])} is in {cur}, the team's currency is "
                    f"{team_currency}; with no rate for {cur} it is left out of every total",
                    f'add a rate: [[rates]] currency = "{cur}" rate = … ({team_currency} per {cur}) '
                    "in sheetsync.toml or a row in a Rates tab (Currency | Rate)",
                )
            )
            continue
        values[i] = w * rate.rate
        used.setdefault(cur, []).append(w)
    rates_used = [
        RateUse(cur, rates[cur].rate, rates[cur].source, len(ws), sum(ws), team_currency or "")
        for cur, ws in sorted(used.items())
    ]
    issues.sort(key=lambda x: x.index)
    return AmountColumn(
        values, written, currencies, issues, convention, reason, team_currency, rates_used, settled
    )


_HINT = "write an amount such as 12500, $12,500 or 12.5k"


def _bad(i: int, v: Any) -> CellIssue:
    return CellIssue(i, "bad-amount", f"amount: not an amount: {P.quote(v)}", _HINT)


def _settle_symbol(token: str, team_currency: str | None, locale: str | None) -> str | None:
    """An ambiguous symbol (``kr``) is the team's currency when that is one it stands for."""
    if team_currency and team_currency in N.symbol_codes(token):
        return team_currency
    return None


def _plausible(sp: N.AmountText, convention: str) -> bool:
    """Whether ``sp`` reads under ``convention`` as money can be written.

    An amount that names its currency cannot have more decimals than the
    currency has (CLDR's currency digits: 2 for USD and EUR, 0 for JPY), so
    ``$5,000`` is five thousand dollars, never 5.000, and ``12.500 €`` is
    twelve thousand five hundred euros.  A bare number has no such evidence.
    """
    if N.read_body(sp.body, convention) is None:
        return False
    if sp.currency is None or sp.convention is not None:
        return True
    mark = "." if convention == N.DOT else ","
    if mark not in sp.body or sp.power:
        return True
    decimals = len(sp.body.rpartition(mark)[2])
    return decimals <= _currency_digits(sp.currency)


def _currency_digits(code: str) -> int:
    from babel.numbers import get_currency_precision

    return get_currency_precision(code)


def _decide_convention(
    parts: dict[int, N.AmountText],
    decimal_comma: bool | None,
    locale: str | None,
    locale_setting: str,
    pos: Sequence[str],
) -> tuple[str | None, str]:
    if decimal_comma is not None:
        return (
            N.COMMA if decimal_comma else N.DOT
        ), f"[parse] decimal_comma = {str(decimal_comma).lower()}"
    if locale:
        return N.locale_decimal(locale), f"{locale_setting} {locale}"
    votes: dict[str, list[int]] = {N.DOT: [], N.COMMA: []}
    for i, sp in parts.items():
        if sp.convention is not None:
            votes[sp.convention].append(i)
            continue
        dot = _plausible(sp, N.DOT)
        comma = _plausible(sp, N.COMMA)
        if dot and not comma:
            votes[N.DOT].append(i)
        elif comma and not dot:
            votes[N.COMMA].append(i)
    d, c = len(votes[N.DOT]), len(votes[N.COMMA])
    if not d and not c:
        return None, ""
    if d >= 2 * c and d:
        winner = N.DOT
    elif c >= 2 * d and c:
        winner = N.COMMA
    else:
        return None, ""
    first = votes[winner][0]
    return winner, f"{pos[first]} {parts[first].body!r}"
