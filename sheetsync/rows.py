"""Rows under the header that are not deals: totals, report lines, titles, separators.

A deals tab is rarely only deals.  Teams put a ``Total`` row under the list
(or switch on an Excel Table's Total Row), CRM report exports add a title and
a ``Confidential Information - Do Not Distribute`` footer, people group deals
under section titles ("East region") and leave separator rows between them.
Counted as deals, each of these becomes a deal with no owner and an unknown
stage, or doubles the pipeline.  This module names them; ``pipeline`` leaves
them out of the deals and ``check`` says once per kind which rows they were.

A row is only taken for one of these when it cannot be a deal: a row with
both an owner and a stage is always a deal, whatever its name says (a
company called "Total SA" is a customer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import parse as P
from .model import Grid
from .vocab.messages import SKIPPED_ROWS

__all__ = ["KINDS", "SkippedRows", "classify_rows"]

#: Kind → how ``check`` names it (singular, plural), in the order ``check`` lists them
#: (the wording is data: ``vocab/messages.toml``).
KINDS: dict[str, tuple[str, str]] = SKIPPED_ROWS


@dataclass(slots=True)
class SkippedRows:
    """Rows of one kind left out of the deals, with an example for the message."""

    kind: str
    rows: list[int] = field(default_factory=list)
    example: str = ""

    @property
    def label(self) -> str:
        one, many = KINDS[self.kind]
        return one if len(self.rows) == 1 else many

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rows": list(self.rows), "example": self.example}


def _fold(text: str) -> str:
    from .vocab.words import normalize_word

    return normalize_word(text)


_TABLES: tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]] | None = None


def _words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(total labels, subtotal labels, report phrases), folded, longest first."""
    global _TABLES
    if _TABLES is None:
        from .vocab.words import REPORT_PHRASES, WORDS

        totals: set[str] = set()
        subtotals: set[str] = set()
        for lw in WORDS.values():
            for w in lw.totals:
                f = _fold(w)
                (
                    subtotals
                    if (
                        "sub" in f or "zwischen" in f or "sous" in f or "parcial" in f or "ย่อย" in f
                    )
                    else totals
                ).add(f)
        phrases = tuple(
            (p.match, p.text if p.match == "regex" else _fold(p.text))
            for p in REPORT_PHRASES
            if _fold(p.text) not in totals | subtotals
        )
        _TABLES = (
            tuple(sorted(totals, key=len, reverse=True)),
            tuple(sorted(subtotals, key=len, reverse=True)),
            phrases,
        )
    return _TABLES


_AFTER_LABEL = re.compile(r"^(?:$|[\s:：(\[\-–—]|\d)")
_SEPARATOR = re.compile(r"^[\s\-–—=_*#.~•·]+$")


def _starts_with(text: str, words: Sequence[str]) -> str | None:
    """The word ``text`` starts with, followed by nothing, punctuation, a count or a name."""
    for w in words:
        if text.startswith(w):
            rest = text[len(w) :]
            if _AFTER_LABEL.match(rest) or (rest[:1] == " "):
                return w
            if any("\u0e00" <= c <= "\u0e7f" for c in w):  # Thai has no spaces
                return w
    return None


def total_kind(text: str) -> str | None:
    """``total`` / ``subtotal`` when a cell's text labels a totals row."""
    totals, subtotals, _ = _words()
    f = _fold(text)
    if _starts_with(f, subtotals):
        return "subtotal"
    if _starts_with(f, totals):
        return "total"
    return None


def is_report_line(text: str) -> bool:
    """True for what report exports write above or below the data."""
    _, _, phrases = _words()
    f = _fold(text)
    if re.match(r"^(?:copyright|©|\(c\))", f):
        return True
    for how, p in phrases:
        if (
            (how == "exact" and f == p)
            or (how == "prefix" and f.startswith(p))
            or (how == "contains" and p in f)
            or (how == "regex" and re.fullmatch(p, f))
        ):
            return True
    return False


def classify_rows(
    grid: Grid,
    rows: Sequence[int],
    fields: Mapping[str, int],
    *,
    is_total_formula: Callable[[str], bool] | None = None,
    status_of: Callable[[int], str | None] | None = None,
    header: Sequence[Any] | None = None,
) -> dict[int, str]:
    """Sheet row → kind, for the ``rows`` (1-based, under the header) that are not deals.

    ``fields`` maps canonical fields to columns; ``status_of`` gives a row's
    status cell text (for Pipedrive's ``deleted``); ``header`` is the header
    row's cells, which a board export (monday.com writes one per group)
    repeats above each group.
    """
    out: dict[int, str] = {}
    stage_c = fields.get("stage")
    owner_c = fields.get("owner")
    amount_c = fields.get("amount")
    totals_rows: set[int] = set()
    mapped_cols = set(fields.values())
    for t in getattr(grid, "tables", ()) or ():
        if t.totals_rows and (
            not mapped_cols or t.first_col <= max(mapped_cols) and t.last_col >= min(mapped_cols)
        ):
            totals_rows.update(range(t.last_row - t.totals_rows + 1, t.last_row + 1))
    formulas: Mapping[tuple[int, int], str] = getattr(grid, "formulas", None) or {}
    heads = _header_keys(header, mapped_cols) if header is not None else {}
    # a repeated header says the stage column's header again, word for word:
    # one string comparison per row finds the candidates
    probe = stage_c if stage_c in heads else min(heads, default=None)
    probe_text = str(header[probe - 1]).strip().casefold() if header and probe else None

    for r in rows:
        values = grid.rows[r - 1] if r - 1 < len(grid.rows) else []
        if probe_text is not None:
            v = values[probe - 1] if probe - 1 < len(values) else ""
            if (
                type(v) is str
                and v.strip().casefold() == probe_text
                and _repeats_header(values, heads)
            ):
                out[r] = "repeated-header"
                continue

        has_stage = _filled(values, stage_c)
        has_owner = _filled(values, owner_c)
        if r in totals_rows:
            out[r] = "table-total"
            continue
        if status_of is not None:
            st = status_of(r)
            if st and _fold(st) in (
                "deleted",
                "gelöscht",
                "supprimé",
                "eliminado",
                "excluído",
                "ลบแล้ว",
            ):
                out[r] = "deleted"
                continue
        if has_stage and has_owner:
            continue
        texts = [
            (c, v)
            for c, v in enumerate(values, start=1)
            if isinstance(v, str) and not P.is_blank(v)
        ]
        nonblank = [(c, v) for c, v in enumerate(values, start=1) if not P.is_blank(v)]
        kind = None
        for _c, v in texts[:4]:
            kind = total_kind(v)
            if kind:
                break
        if kind is None and amount_c is not None and is_total_formula is not None:
            f = formulas.get((r, amount_c))
            if f and is_total_formula(f) and not has_stage:
                kind = "total"
        if kind is None and len(nonblank) == 1 and texts and is_report_line(texts[0][1]):
            kind = "report-line"
        if (
            kind is None
            and nonblank
            and all(isinstance(v, str) and _SEPARATOR.match(v) for _c, v in nonblank)
        ):
            kind = "separator"
        if kind is None and len(nonblank) == 1 and texts and not has_stage and not has_owner:
            kind = "section-title"
        if kind is not None:
            out[r] = kind
    return out


def _header_keys(header: Sequence[Any], cols: set[int]) -> dict[int, str]:
    """Mapped column → its header, normalised as headers are matched."""
    from .columns import normalize_header

    return {
        c: normalize_header(header[c - 1])
        for c in cols
        if c - 1 < len(header) and isinstance(header[c - 1], str) and header[c - 1].strip()
    }


def _repeats_header(values: Sequence[Any], heads: Mapping[int, str]) -> bool:
    """A row whose mapped cells say their own headers again (at least two, and nothing else)."""
    from .columns import normalize_header

    same = 0
    for c, key in heads.items():
        v = values[c - 1] if c - 1 < len(values) else ""
        if P.is_blank(v):
            continue
        if not isinstance(v, str) or normalize_header(v) != key:
            return False
        same += 1
    return same >= 2


def _filled(values: Sequence[Any], c: int | None) -> bool:
    if c is None or c - 1 >= len(values):
        return False
    v = values[c - 1]
    if type(v) is str:  # the usual cell, without a call per row
        return bool(v) and bool(v.strip(P.STRIP_CHARS))
    return not P.is_blank(v)


def group(kinds: Mapping[int, str], grid: Grid) -> list[SkippedRows]:
    """The skipped rows by kind, in the order of :data:`KINDS`, each with an example."""
    by: dict[str, SkippedRows] = {}
    for r in sorted(kinds):
        k = kinds[r]
        s = by.setdefault(k, SkippedRows(k))
        s.rows.append(r)
        if not s.example:
            values = grid.rows[r - 1] if r - 1 < len(grid.rows) else []
            first = next((str(v).strip() for v in values if not P.is_blank(v)), "")
            s.example = first[:40]
    return [by[k] for k in KINDS if k in by]


def rows_text(rows: Sequence[int]) -> str:
    """``4, 9-12, 40``: sheet rows as ranges."""
    parts: list[str] = []
    start = prev = None
    for r in rows:
        if prev is not None and r == prev + 1:
            prev = r
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = r
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ", ".join(parts)
