"""A1 notation the way the Sheets API reads and writes it.

Accepted: ``Sheet1``, ``'My tab'!A1:B2``, ``Sheet1!A:A``, ``Sheet1!A1:C``,
``Sheet1!A2:2``, ``Sheet1!1:3``, reversed corners (``D4:A1``), ``$`` anchors,
a bare ``A1:B2`` (the first visible sheet) and named ranges.  Output is
normalised like Google's: ``Sheet1!A1:B2``, whole columns resolved against
the grid (``A1:A1000``), a single cell as ``A1``, the tab quoted only when it
must be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]+)?$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")


def col_letters(index0: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    n = index0 + 1
    out = []
    while n:
        n, rem = divmod(n - 1, 26)
        out.append(chr(65 + rem))
    return "".join(reversed(out))


def col_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    """A tab title as Google writes it in a range (quoted only when needed)."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title) and not _R1C1_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(slots=True)
class Ref:
    """A parsed range before it is resolved against a sheet.

    ``title`` is None when the text had no ``!`` part (a bare tab name, a
    named range, or a bare cell range meaning the first sheet: ``name``
    holds the text then).  Bounds are 0-based, end-exclusive; None means
    unbounded (whole column / row / sheet).
    """

    title: str | None
    r0: int | None = None
    r1: int | None = None
    c0: int | None = None
    c1: int | None = None
    name: str | None = None  # named range (after '!' or bare)
    whole: bool = False  # the whole sheet


class A1Error(ValueError):
    pass


def split(text: str) -> tuple[str | None, str | None]:
    """``'It''s'!A1`` → (``It's``, ``A1``); ``Sheet1`` → (None, ``Sheet1``)."""
    if text.startswith("'"):
        i = 1
        out = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    out.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(out), None
                if rest.startswith("!"):
                    return "".join(out), rest[1:]
                raise A1Error(text)
            out.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        title, _, ref = text.rpartition("!")
        return title, ref
    return None, text


def parse_cells(ref: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """``A1:B2`` → (r0, r1, c0, c1) 0-based end-exclusive; None if not a cell range."""
    parts = ref.split(":")
    if len(parts) > 2 or not ref:
        return None
    corners = []
    for p in parts:
        m = _CELL.match(p.strip())
        if not m or (m.group(1) is None and m.group(2) is None):
            return None
        col = col_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            return None
        corners.append((row, col))
    if len(corners) == 1:
        row, col = corners[0]
        if row is None or col is None:
            # a bare "A" or "1" is not a range on its own
            return None
        return row, row + 1, col, col + 1
    (ra, ca), (rb, cb) = corners
    # "A:B", "1:2", "A1:B", "A1:2" …
    if (ca is None) != (cb is None) and ra is not None and rb is not None:
        # A1:2 -> columns from A to the end
        pass
    rows = [r for r in (ra, rb) if r is not None]
    cols = [c for c in (ca, cb) if c is not None]
    if ca is None and cb is None:
        if ra is None or rb is None:
            return None
        return min(ra, rb), max(ra, rb) + 1, None, None
    if ra is None and rb is None:
        return None, None, min(cols), max(cols) + 1
    r0 = min(rows)
    r1 = max(rows) + 1 if len(rows) == 2 else None
    c0 = min(cols)
    c1 = max(cols) + 1 if len(cols) == 2 else None
    if ca is not None and cb is None:
        # A2:2 → from column A to the last column, rows 2..2
        r1 = max(rows) + 1
        c1 = None
        if len(rows) == 1:
            r1 = None
    if ra is not None and rb is None and cb is not None:
        # A1:C → rows from 1 to the end, columns A..C
        r1 = None
        c1 = max(cols) + 1
    if ra is None and rb is not None and ca is not None:
        r0 = rb
        r1 = None
    return r0, r1, c0, c1


def parse(text: str) -> Ref:
    """Parse a range as given in a URL or body."""
    if text is None or text == "":
        raise A1Error("empty range")
    title, ref = split(text)
    if title is not None and ref is None:
        return Ref(title=title, whole=True)
    if title is None:
        assert ref is not None
        return Ref(title=None, name=ref)
    assert ref is not None
    cells = parse_cells(ref)
    if cells is None:
        return Ref(title=title, name=ref)
    r0, r1, c0, c1 = cells
    return Ref(title=title, r0=r0, r1=r1, c0=c0, c1=c1)


def fmt_range(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """``Sheet1!A1:B2`` (``Sheet1!A1`` for one cell), tab quoted when needed."""
    a = f"{col_letters(c0)}{r0 + 1}"
    b = f"{col_letters(c1 - 1)}{r1}"
    body = a if (r1 - r0 == 1 and c1 - c0 == 1) else f"{a}:{b}"
    return f"{quote_title(title)}!{body}"
