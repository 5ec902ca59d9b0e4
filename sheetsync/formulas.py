"""The small formulas a never-calculated sheet holds, read exactly or not at all.

A workbook written by a script (openpyxl, xlsxwriter, pandas, Apache POI)
and never opened in Excel or LibreOffice carries its formulas without their
results: ``=C7*D7`` in an amount column reads as blank (or as xlsxwriter's
placeholder 0).  Most such formulas are tiny: a product, a sum of a few
cells, a percentage.  :func:`evaluate` computes those **exactly as Excel
would**, and refuses (returns ``None``) everything else, so the caller can
say at the cell that the formula was never calculated and how to fix it.
It is not a spreadsheet engine and must never guess: an unknown function,
a reference to another tab, text where a number is needed, an error value,
a division by zero, a circular reference — all give ``None``.

What is evaluated (ECMA-376 Part 1 §18.17 formula grammar, Excel semantics):

* number literals (``12``, ``1.5E3``), percent literals (``20%``), the
  operators ``+ - * / ^`` with Excel's precedence — negation binds tighter
  than ``^`` (``=-2^2`` is 4) and ``^`` is left-associative (``=2^3^2`` is
  64) — and parentheses;
* references to cells of the same tab (``B7``, ``$B$7``, ``Deals!B7`` when
  ``Deals`` is the tab itself): a number is its value, an **empty cell is 0**
  in arithmetic; text, a logical value, a date or an error refuses; a cell
  holding another uncalculated formula is evaluated in turn (at most
  :data:`MAX_DEPTH` levels deep; a cycle refuses);
* ``SUM``, ``MIN``, ``MAX``, ``AVERAGE``, ``COUNT`` over ranges (``B2:B9``,
  ``B:B``, ``2:2``), cells and values: in a *reference* argument empty
  cells, text and logical values are skipped (Excel's rule for these
  functions), an error refuses; ``MIN``/``MAX`` of no numbers is 0,
  ``AVERAGE`` of none is ``#DIV/0!`` (refused); ``COUNT`` also counts dates
  (they are numbers in Excel) and skips errors;
* ``ROUND(x, n)``: half away from zero, on the 15 significant digits Excel
  keeps (``ROUND(2.675, 2)`` is 2.68 and ``ROUND(-2.5, 0)`` is -3, where
  Python's ``round`` gives 2.67 and -2), ``n`` truncated toward zero and
  possibly negative; ``ABS(x)``.

The arithmetic is IEEE double precision, as Excel's is.  Excel's habit of
showing a result within about 1e-15 of zero as 0 is not reproduced: the
difference is below a billionth of a cent.

:func:`is_total_formula` tells a total or summary row by its formula
(``=SUM(C2:C40)``, ``=SUBTOTAL(109,C2:C40)``); :func:`translator` moves a
formula to another cell the way Excel fills a shared formula down (used by
:mod:`sheetsync.sources.xlsx_cells`).  All three share one tokenizer, so a
reference is recognised the same way everywhere: never inside a string, a
quoted tab name or a structured reference, never a function name
(``LOG10(``) or a name beyond the sheet's edge (``XFE1``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, NamedTuple

from .model import Grid, column_letter, column_number
from .sources.owned import EXCEL_MAX_COLS, EXCEL_MAX_ROWS

__all__ = [
    "MAX_DEPTH",
    "Evaluator",
    "evaluate",
    "is_total_formula",
    "translator",
]

#: How many uncalculated formula cells deep a reference chain is followed
#: (``C9 = C8 + 1``, ``C8 = C7 + 1`` …) before evaluation gives up.
MAX_DEPTH = 32

#: Excel's sheet size (ECMA-376 Part 1 §18.3.1.73; the sources: :mod:`.sources.owned`).
MAX_ROW, MAX_COL = EXCEL_MAX_ROWS, EXCEL_MAX_COLS

# --------------------------------------------------------------------------- tokens


class Ref(NamedTuple):
    """A reference as written: a cell, a range, whole columns or whole rows.

    ``kind`` is ``cell`` (``B7``), ``area`` (``B2:C9``), ``cols`` (``B:C``)
    or ``rows`` (``2:9``); rows and columns are 1-based, 0 where the kind has
    none.  ``sheet`` is the tab prefix as written (quotes removed), or None.
    The ``*_abs`` flags are the ``$`` signs.
    """

    kind: str
    sheet: str | None
    c1: int
    c1_abs: bool
    r1: int
    r1_abs: bool
    c2: int
    c2_abs: bool
    r2: int
    r2_abs: bool


class Tok(NamedTuple):
    kind: str  # num str bool err ref func name struct op ws
    start: int
    end: int
    value: Any


_SHEET_CHARS = r"[^\s!'\"()\[\]{},;:+\-*/^&=<>%#@]"
_SHEET = rf"(?:'(?:[^']|'')+'|(?:\[[^\]]+\])?{_SHEET_CHARS}+(?::{_SHEET_CHARS}+)?)!"
_CELL = r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})"
_CELL2 = r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]{1,7})"
_AFTER = r"(?![\w.(\[!\\?])"

_WS_RE = re.compile(r"\s+")
_STR_RE = re.compile(r'"(?:[^"]|"")*"')
_ERR_RE = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!"
    r"|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!)",
    re.I,
)
_SHEET_RE = re.compile(_SHEET)
_AREA_RE = re.compile(rf"{_CELL}(?::{_CELL2})?{_AFTER}")
_COLS_RE = re.compile(rf"(\$?)([A-Za-z]{{1,3}}):(\$?)([A-Za-z]{{1,3}}){_AFTER}")
_ROWS_RE = re.compile(rf"(\$?)([0-9]{{1,7}}):(\$?)([0-9]{{1,7}}){_AFTER}")
_NUM_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOL_RE = re.compile(r"(?:TRUE|FALSE)(?![\w.(\[])", re.I)
_IDENT_RE = re.compile(r"[^\W\d]|[_\\]")
_IDENT_TAIL_RE = re.compile(r"[\w.?\\]*")
_OP_RE = re.compile(r"<>|<=|>=|[-+*/^&=<>%(),;:{}@#!]")


class _Lex(Exception):
    """The text is not a formula this tokenizer understands."""


def _bracket_end(text: str, i: int) -> int:
    """The end of a structured reference's ``[...]`` group starting at ``i`` (nested, ``'`` escapes)."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            i += 2  # the next character is taken literally ([Col'[1']])
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise _Lex("unbalanced [")


def _sheet_name(prefix: str) -> str:
    name = prefix[:-1]
    if name.startswith("'"):
        name = name[1:-1].replace("''", "'")
    return name


def _ref_at(text: str, i: int, sheet: str | None) -> tuple[Ref, int] | None:
    """A reference starting at ``i`` (after any sheet prefix), within Excel's bounds."""
    m = _COLS_RE.match(text, i)
    if m:
        c1, c2 = column_number(m.group(2)), column_number(m.group(4))
        if c1 <= MAX_COL and c2 <= MAX_COL:
            return Ref(
                "cols", sheet, c1, bool(m.group(1)), 0, False, c2, bool(m.group(3)), 0, False
            ), m.end()
        return None
    m = _ROWS_RE.match(text, i)
    if m:
        r1, r2 = int(m.group(2)), int(m.group(4))
        if 1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW:
            return Ref(
                "rows", sheet, 0, False, r1, bool(m.group(1)), 0, False, r2, bool(m.group(3))
            ), m.end()
        return None
    m = _AREA_RE.match(text, i)
    if not m:
        return None
    c1, r1 = column_number(m.group(2)), int(m.group(4))
    if not (c1 <= MAX_COL and 1 <= r1 <= MAX_ROW):
        return None
    a1, a2 = bool(m.group(1)), bool(m.group(3))
    if m.group(6) is None:
        return Ref("cell", sheet, c1, a1, r1, a2, c1, a1, r1, a2), m.end()
    c2, r2 = column_number(m.group(6)), int(m.group(8))
    if not (c2 <= MAX_COL and 1 <= r2 <= MAX_ROW):
        return None
    return Ref("area", sheet, c1, a1, r1, a2, c2, bool(m.group(5)), r2, bool(m.group(7))), m.end()


@functools.lru_cache(maxsize=8192)
def tokenize(formula: str) -> tuple[Tok, ...] | None:
    """The formula's tokens (whitespace kept, so the text can be rebuilt), or None.

    ``formula`` is without its leading ``=`` (as stored in the file).
    None means a construct this tokenizer does not know: callers then treat
    the formula as opaque rather than risk misreading it.
    """
    try:
        return tuple(_tokens(formula))
    except _Lex:
        return None


def _tokens(text: str) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            m = _WS_RE.match(text, i)
            assert m
            out.append(Tok("ws", i, m.end(), m.group()))
            i = m.end()
            continue
        if ch == '"':
            m = _STR_RE.match(text, i)
            if not m:
                raise _Lex("unterminated string")
            out.append(Tok("str", i, m.end(), m.group()[1:-1].replace('""', '"')))
            i = m.end()
            continue
        if ch == "#":
            m = _ERR_RE.match(text, i)
            if m:
                out.append(Tok("err", i, m.end(), m.group().upper()))
                i = m.end()
                continue
            out.append(Tok("op", i, i + 1, "#"))  # spill reference operator (A1#)
            i += 1
            continue
        if ch == "[":
            j = _bracket_end(text, i)
            m = _SHEET_RE.match(text, i)
            if m and m.end() > j:  # [Book1]Sheet1!A1: an external workbook
                ref = _ref_at(text, m.end(), _sheet_name(text[i : m.end()]))
                if ref is None:
                    raise _Lex("external reference")
                out.append(Tok("ref", i, ref[1], ref[0]))
                i = ref[1]
                continue
            out.append(Tok("struct", i, j, (None, text[i:j])))  # [@Amount] inside a table
            i = j
            continue
        # a tab prefix, then a reference or a name
        m = _SHEET_RE.match(text, i) if (ch == "'" or not _OP_RE.match(ch)) else None
        if m:
            sheet = _sheet_name(m.group())
            ref = _ref_at(text, m.end(), sheet)
            if ref is not None:
                out.append(Tok("ref", i, ref[1], ref[0]))
                i = ref[1]
                continue
            e = _ERR_RE.match(text, m.end())
            if e:
                out.append(Tok("err", i, e.end(), e.group().upper()))
                i = e.end()
                continue
            nm = _ident_end(text, m.end())
            if nm is None:
                raise _Lex("tab prefix without a reference")
            out.append(Tok("name", i, nm, (sheet, text[m.end() : nm])))
            i = nm
            continue
        if ch == "'":
            raise _Lex("quote outside a tab name")
        ref = _ref_at(text, i, None) if (ch == "$" or ch.isalnum()) else None
        if ref is not None:
            out.append(Tok("ref", i, ref[1], ref[0]))
            i = ref[1]
            continue
        if ch.isdigit() or ch == ".":
            m = _NUM_RE.match(text, i)
            if not m:
                raise _Lex("bad number")
            out.append(Tok("num", i, m.end(), float(m.group())))
            i = m.end()
            continue
        m = _BOOL_RE.match(text, i)
        if m:
            out.append(Tok("bool", i, m.end(), m.group().upper() == "TRUE"))
            i = m.end()
            continue
        end = _ident_end(text, i)
        if end is not None:
            word = text[i:end]
            if end < n and text[end] == "(":
                out.append(Tok("func", i, end, word))
            elif end < n and text[end] == "[":
                j = _bracket_end(text, end)
                out.append(Tok("struct", i, j, (word, text[end:j])))
                end = j
            else:
                out.append(Tok("name", i, end, (None, word)))
            i = end
            continue
        m = _OP_RE.match(text, i)
        if not m:
            raise _Lex(f"unexpected {ch!r}")
        out.append(Tok("op", i, m.end(), m.group()))
        i = m.end()
    return out


def _ident_end(text: str, i: int) -> int | None:
    if i >= len(text) or not _IDENT_RE.match(text, i):
        return None
    m = _IDENT_TAIL_RE.match(text, i + 1)
    assert m
    return m.end()


# --------------------------------------------------------------------------- translation


def _ref_text(ref: Ref, dr: int, dc: int) -> str | None:
    def col(c: int, absolute: bool) -> str | None:
        if absolute:
            return "$" + column_letter(c)
        c += dc
        return column_letter(c) if 1 <= c <= MAX_COL else None

    def row(r: int, absolute: bool) -> str | None:
        if absolute:
            return f"${r}"
        r += dr
        return str(r) if 1 <= r <= MAX_ROW else None

    if ref.kind == "cols":
        a, b = col(ref.c1, ref.c1_abs), col(ref.c2, ref.c2_abs)
        return None if a is None or b is None else f"{a}:{b}"
    if ref.kind == "rows":
        a, b = row(ref.r1, ref.r1_abs), row(ref.r2, ref.r2_abs)
        return None if a is None or b is None else f"{a}:{b}"
    a, b = col(ref.c1, ref.c1_abs), row(ref.r1, ref.r1_abs)
    if a is None or b is None:
        return None
    if ref.kind == "cell":
        return a + b
    c, d = col(ref.c2, ref.c2_abs), row(ref.r2, ref.r2_abs)
    return None if c is None or d is None else f"{a}{b}:{c}{d}"


def translator(formula: str) -> Callable[[int, int], str | None] | None:
    """A function moving ``formula`` by (rows, cols), the way Excel fills it.

    Relative parts of every reference move (also references to other tabs,
    as in Excel); ``$`` parts stay.  The returned function gives None when a
    reference would leave the sheet (Excel would show ``#REF!``); this
    function itself gives None when the formula cannot be tokenized.  Used
    for the cells of a shared formula (ECMA-376 Part 1 §18.3.1.40, ``t="shared"``),
    which store only the first cell's text.  The tokens are found once, so
    moving the formula to each of 100,000 cells is a string join.
    """
    toks = tokenize(formula)
    if toks is None:
        return None
    pieces: list[str | tuple[str, Ref]] = []
    last = 0
    for t in toks:
        if t.kind != "ref":
            continue
        ref: Ref = t.value
        prefix_end = t.end - len(_ref_text(ref, 0, 0) or "")
        pieces.append(formula[last:prefix_end])
        pieces.append(("ref", ref))
        last = t.end
    pieces.append(formula[last:])
    if len(pieces) == 1:
        return lambda dr, dc: formula

    def move(dr: int, dc: int) -> str | None:
        if dr == 0 and dc == 0:
            return formula
        out = []
        for p in pieces:
            if isinstance(p, str):
                out.append(p)
                continue
            moved = _ref_text(p[1], dr, dc)
            if moved is None:
                return None
            out.append(moved)
        return "".join(out)

    return move


# --------------------------------------------------------------------------- parsing

# AST nodes are tuples: ("num", x) ("str", s) ("bool", b) ("err", e) ("ref", Ref)
# ("name", ...) ("struct", ...) ("neg", x) ("pct", x) ("bin", op, a, b)
# ("call", NAME, [args]) ("missing",) ("bad",)

_BINARY = {
    "=": 1,
    "<>": 1,
    "<": 1,
    ">": 1,
    "<=": 1,
    ">=": 1,
    "&": 2,
    "+": 3,
    "-": 3,
    "*": 4,
    "/": 4,
}


class _Parse(Exception):
    pass


class _Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        t = self.peek()
        if t is None:
            raise _Parse("unexpected end")
        self.i += 1
        return t

    def is_op(self, *ops: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "op" and t.value in ops

    def expr(self, min_prec: int = 1) -> tuple:
        left = self.power()
        while True:
            t = self.peek()
            if t is None or t.kind != "op" or t.value not in _BINARY:
                return left
            prec = _BINARY[t.value]
            if prec < min_prec:
                return left
            self.i += 1
            left = ("bin", t.value, left, self.expr(prec + 1))

    def power(self) -> tuple:
        left = self.percent()
        while self.is_op("^"):  # left-associative: 2^3^2 = (2^3)^2
            self.i += 1
            left = ("bin", "^", left, self.percent())
        return left

    def percent(self) -> tuple:
        node = self.unary()
        while self.is_op("%"):
            self.i += 1
            node = ("pct", node)
        return node

    def unary(self) -> tuple:
        if self.is_op("-"):
            self.i += 1
            return ("neg", self.unary())
        if self.is_op("+"):
            self.i += 1
            return self.unary()
        return self.primary()

    def primary(self) -> tuple:
        t = self.take()
        k = t.kind
        if k in ("num", "str", "bool", "err", "ref", "name", "struct"):
            if self.is_op("#", ":"):  # A1# spills, A1:Name ranges: not for us
                raise _Parse("reference operator")
            return (k, t.value)
        if k == "func":
            self.take()  # "("
            args: list[tuple] = []
            if self.is_op(")"):
                self.i += 1
                return ("call", _fname(t.value), args)
            while True:
                if self.is_op(",", ")"):
                    args.append(("missing",))
                else:
                    args.append(self.expr())
                sep = self.take()
                if sep.kind == "op" and sep.value == ",":
                    continue
                if sep.kind == "op" and sep.value == ")":
                    return ("call", _fname(t.value), args)
                raise _Parse("bad argument list")
        if k == "op" and t.value == "(":
            node = self.expr()
            close = self.take()
            if close.kind != "op" or close.value != ")":
                raise _Parse("missing )")
            return node
        raise _Parse(f"unexpected {t.value!r}")


def _fname(name: str) -> str:
    up = name.upper()
    for p in ("_XLFN.", "_XLWS."):
        if up.startswith(p):
            up = up[len(p) :]
    return up


@functools.lru_cache(maxsize=8192)
def parse(formula: str) -> tuple | None:
    """The formula's syntax tree (see the node shapes above), or None when unreadable."""
    text = formula[1:] if formula.startswith("=") else formula
    toks = tokenize(text)
    if toks is None:
        return None
    p = _Parser([t for t in toks if t.kind != "ws"])
    try:
        node = p.expr()
    except _Parse:
        return None
    if p.peek() is not None:
        return None  # two operands side by side (an intersection) or a stray token
    return node


# --------------------------------------------------------------------------- evaluation


class _Refuse(Exception):
    """Not something to evaluate exactly: the caller gets None."""


_ROUND_CONTEXT = Context(prec=60)
_NUMERIC_DATES = (dt.date, dt.datetime, dt.time, dt.timedelta)


def _finite(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        raise _Refuse("not a finite number")
    return x + 0.0  # -0.0 → 0.0


def excel_round(x: float, digits: int) -> float:
    """``ROUND(x, digits)`` as Excel does it: half away from zero, on 15 significant digits.

    Excel keeps 15 significant digits (its documented precision), so
    ``0.285*100`` (28.499999999999996 in binary) is 28.5 to it and rounds
    to 29; the decimal text of those 15 digits is rounded with
    ``ROUND_HALF_UP`` (which in :mod:`decimal` means away from zero).
    """
    if x == 0:
        return 0.0
    if digits > 15:
        digits = 15
    d = Decimal(f"{x:.15g}")
    q = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_ROUND_CONTEXT)
    return float(q) + 0.0


class Evaluator:
    """Evaluates formulas of one tab, remembering the cells it has worked out.

    :func:`evaluate` makes one for a single formula; a caller evaluating
    many cells of the same tab can keep one, so a cell summed by many
    totals is worked out once.
    """

    def __init__(self, grid: Grid, *, max_depth: int = MAX_DEPTH) -> None:
        self.grid = grid
        self.max_depth = max_depth
        self._done: dict[tuple[int, int], float | None] = {}
        self._busy: set[tuple[int, int]] = set()
        self._tab = grid.name.casefold()
        # Uncalculated formulas may lie past the values calamine returned.
        self._height = max(grid.height, max((r for r, _ in grid.formulas), default=0))
        self._width = max(grid.width, max((c for _, c in grid.formulas), default=0))

    # -- entry points -------------------------------------------------------

    def formula(self, formula: str, row: int, col: int) -> float | None:
        """The value of ``formula`` written at (row, col), or None when not exact."""
        node = parse(formula)
        if node is None:
            return None
        pos = (row, col)
        if pos in self._busy:
            return None
        self._busy.add(pos)
        try:
            return _finite(float(self._scalar(node, 0)))
        except (_Refuse, ArithmeticError, ValueError):
            return None
        finally:
            self._busy.discard(pos)

    def cell(self, row: int, col: int) -> float | None:
        """The number in a cell, working out an uncalculated formula there."""
        try:
            return self._cell_number(row, col, 0)
        except (_Refuse, ArithmeticError, ValueError):
            return None

    # -- cells --------------------------------------------------------------

    def _computed(self, pos: tuple[int, int], depth: int) -> float:
        """The value of the uncalculated formula at ``pos``."""
        if pos in self._done:
            v = self._done[pos]
            if v is None:
                raise _Refuse("known not evaluable")
            return v
        if pos in self._busy:
            raise _Refuse("circular reference")
        if depth >= self.max_depth:
            raise _Refuse("too deep")  # not remembered: a shallower path may succeed
        grid = self.grid
        if pos in grid.untranslated:
            self._done[pos] = None
            raise _Refuse("shared formula not translated")
        node = parse(grid.formulas[pos])
        if node is None:
            self._done[pos] = None
            raise _Refuse("unreadable formula")
        self._busy.add(pos)
        try:
            value = _finite(float(self._scalar(node, depth + 1)))
        except _Refuse as exc:
            if str(exc) != "too deep":
                self._done[pos] = None
            raise
        except (ArithmeticError, ValueError):
            self._done[pos] = None
            raise _Refuse("arithmetic error") from None
        finally:
            self._busy.discard(pos)
        self._done[pos] = value
        return value

    def _kind(self, row: int, col: int, depth: int) -> tuple[str, Any]:
        """What a cell holds: ``empty``, ``num``, ``text``, ``bool``, ``date``, ``error``."""
        grid = self.grid
        pos = (row, col)
        if pos in grid.errors:
            return "error", grid.errors[pos]
        if pos in grid.uncached and pos in grid.formulas:
            return "num", self._computed(pos, depth)
        v = grid.cell(row, col)
        if isinstance(v, bool):
            return "bool", v
        if isinstance(v, int | float):
            if math.isnan(v) or math.isinf(v):
                return "error", v
            return "num", float(v)
        if isinstance(v, str):
            if v == "" and pos not in grid.formulas:
                return "empty", None
            return "text", v  # a formula's "" result is text, not an empty cell
        if isinstance(v, _NUMERIC_DATES):
            return "date", v
        if v is None:
            return "empty", None
        return "text", v

    def _cell_number(self, row: int, col: int, depth: int) -> float:
        kind, v = self._kind(row, col, depth)
        if kind == "num":
            return v
        if kind == "empty":
            return 0.0
        raise _Refuse(f"{kind} in arithmetic")

    def _same_tab(self, ref: Ref) -> None:
        if ref.sheet is not None and ref.sheet.casefold() != self._tab:
            raise _Refuse("another tab")

    def _cells(self, ref: Ref) -> list[tuple[int, int]]:
        self._same_tab(ref)
        if ref.kind == "cols":
            r1, r2 = 1, MAX_ROW
            c1, c2 = sorted((ref.c1, ref.c2))
        elif ref.kind == "rows":
            r1, r2 = sorted((ref.r1, ref.r2))
            c1, c2 = 1, MAX_COL
        else:
            r1, r2 = sorted((ref.r1, ref.r2))
            c1, c2 = sorted((ref.c1, ref.c2))
        r2, c2 = min(r2, self._height), min(c2, self._width)  # past the data all is empty
        return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    # -- expressions --------------------------------------------------------

    def _scalar(self, node: tuple, depth: int) -> float:
        k = node[0]
        if k == "num":
            return node[1]
        if k == "ref":
            ref: Ref = node[1]
            if ref.kind != "cell":
                raise _Refuse("a range where a number is needed")
            self._same_tab(ref)
            return self._cell_number(ref.r1, ref.c1, depth)
        if k == "neg":
            return -self._scalar(node[1], depth)
        if k == "pct":
            return self._scalar(node[1], depth) / 100
        if k == "bin":
            op = node[1]
            a = self._scalar(node[2], depth)
            b = self._scalar(node[3], depth)
            if op == "+":
                return _finite(a + b)
            if op == "-":
                return _finite(a - b)
            if op == "*":
                return _finite(a * b)
            if op == "/":
                if b == 0:
                    raise _Refuse("#DIV/0!")
                return _finite(a / b)
            if op == "^":
                return _power(a, b)
            raise _Refuse(f"operator {op}")
        if k == "call":
            return self._call(node[1], node[2], depth)
        raise _Refuse(f"{k} is not evaluated")

    def _call(self, name: str, args: list[tuple], depth: int) -> float:
        if name in ("SUM", "MIN", "MAX", "AVERAGE", "COUNT"):
            if not args:
                raise _Refuse("no arguments")
            nums, count = self._numbers(args, depth, counting=name == "COUNT")
            if name == "COUNT":
                return float(count)
            if name == "SUM":
                return _finite(math.fsum(nums))
            if name == "AVERAGE":
                if not nums:
                    raise _Refuse("#DIV/0!")
                return _finite(math.fsum(nums) / len(nums))
            if not nums:
                return 0.0
            return min(nums) if name == "MIN" else max(nums)
        if name == "ROUND":
            if len(args) != 2 or any(a[0] == "missing" for a in args):
                raise _Refuse("ROUND takes two arguments")
            x = self._scalar(args[0], depth)
            n = self._scalar(args[1], depth)
            return excel_round(x, int(n))  # int() truncates toward zero, as Excel does
        if name == "ABS":
            if len(args) != 1 or args[0][0] == "missing":
                raise _Refuse("ABS takes one argument")
            return abs(self._scalar(args[0], depth))
        raise _Refuse(f"function {name}")

    def _numbers(self, args: list[tuple], depth: int, *, counting: bool) -> tuple[list[float], int]:
        """The numbers of SUM/MIN/MAX/AVERAGE/COUNT's arguments, Excel's way.

        A reference argument skips empty cells, text and logical values;
        an error in it refuses (COUNT skips it); a date counts for COUNT and
        refuses elsewhere (its serial number depends on the date system).
        A value argument must be a number.
        """
        nums: list[float] = []
        count = 0
        for a in args:
            if a[0] == "missing":
                raise _Refuse("empty argument")
            if a[0] != "ref":
                nums.append(self._scalar(a, depth))
                count += 1
                continue
            for r, c in self._cells(a[1]):
                kind, v = self._kind(r, c, depth)
                if kind == "num":
                    nums.append(v)
                    count += 1
                elif kind == "date":
                    if not counting:
                        raise _Refuse("a date in a sum")
                    count += 1
                elif kind == "error" and not counting:
                    raise _Refuse("an error in the range")
        return nums, count


def _power(a: float, b: float) -> float:
    """``a ^ b`` as Excel: 0^0 is #NUM!, 0^-n is #DIV/0!, a negative base needs a whole exponent."""
    if a == 0 and b <= 0:
        raise _Refuse("#NUM! or #DIV/0!")
    if a < 0 and b != int(b):
        raise _Refuse("#NUM!")
    try:
        return _finite(math.pow(a, b))
    except OverflowError:
        raise _Refuse("#NUM!") from None


def evaluate(formula: str, grid: Grid, row: int, col: int) -> float | None:
    """The exact value of ``formula`` at (row, col) of ``grid``, or None.

    ``formula`` is the text as stored (``C7*D7``; a leading ``=`` is
    accepted too).  None means "not something to compute here": the caller
    reports the cell as never calculated.  See the module docstring for
    exactly what is evaluated.
    """
    return Evaluator(grid).formula(formula, row, col)


# --------------------------------------------------------------------------- totals

#: Functions whose call over one column makes a total or summary row.
#: SUMIF/SUMIFS count: a conditional sum of the column ("won total") is a
#: summary of the deals, never a deal.  AVERAGE/MIN/MAX/COUNT/COUNTA/MEDIAN
#: count too: an "Average" or "Largest deal" row is no more a deal than a
#: total is.
TOTAL_FUNCTIONS = frozenset(
    {
        "SUM",
        "SUBTOTAL",
        "AGGREGATE",
        "SUMIF",
        "SUMIFS",
        "AVERAGE",
        "MIN",
        "MAX",
        "COUNT",
        "COUNTA",
        "MEDIAN",
    }
)

_THIS_ROW_RE = re.compile(r"@|#this\s+row", re.I)


def _struct_items(inner: str) -> list[tuple[str, str]] | None:
    """``[#Data],[Amount]`` → [(",", "#Data"), (",", "Amount")]; the separator before each item."""
    items: list[tuple[str, str]] = []
    i, sep = 0, ","
    while i < len(inner):
        ch = inner[i]
        if ch in ",:":
            sep = ch
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        if ch != "[":
            return None
        try:
            j = _bracket_end(inner, i)
        except _Lex:
            return None
        items.append((sep, inner[i + 1 : j - 1]))
        i = j
    return items


def _column_of(node: tuple, *, qualified_ok: bool = True) -> int | None:
    """The column a same-tab reference argument spans; 0 for a one-column table reference.

    None when it spans several columns, is a single cell, names another tab,
    points at the formula's own row (``[@Amount]``) or is not a reference.
    """
    if node[0] == "ref":
        ref: Ref = node[1]
        if ref.sheet is not None or ref.kind in ("cell", "rows"):
            return None
        return ref.c1 if ref.c1 == ref.c2 else None
    if node[0] == "struct":
        table, body = node[1]
        if (table is not None and not qualified_ok) or _THIS_ROW_RE.search(body):
            return None
        inner = body[1:-1].strip()
        if not inner.startswith("["):
            return 0 if inner and not inner.startswith("#") else None
        items = _struct_items(inner)
        if items is None or any(sep == ":" for sep, _ in items):
            return None  # [[Amount]:[Fee]] spans several columns
        columns = [name for _, name in items if not name.startswith("#")]
        return 0 if len(columns) == 1 else None
    return None


def _row_relative(node: tuple) -> bool:
    """Whether a criteria argument depends on the formula's own row (``A5``, ``[@Deal]``)."""
    k = node[0]
    if k == "ref":
        ref: Ref = node[1]
        return ref.kind == "cell" and not ref.r1_abs
    if k == "struct":
        return bool(_THIS_ROW_RE.search(node[1][1]))
    if k in ("neg", "pct"):
        return _row_relative(node[1])
    if k == "bin":
        return _row_relative(node[2]) or _row_relative(node[3])
    if k == "call":
        return any(_row_relative(a) for a in node[2])
    return False


def is_total_formula(formula: str, col: int | None = None) -> bool:
    """Whether ``formula`` is a total or summary of one column of its own tab.

    True for one call (a leading ``+`` allowed) of a function in
    :data:`TOTAL_FUNCTIONS` whose summed references all lie in one column
    of the same tab: ``SUM(C2:C40)``, ``SUM(C:C)``, ``SUM(C2:C9,C12:C20)``,
    ``SUBTOTAL(109,C2:C40)``, ``AGGREGATE(9,5,C2:C40)``, a table's
    one-column reference (``SUBTOTAL(109,[Amount])``, ``SUM(Deals[Amount])``),
    and ``SUMIF(H2:H40,"Won",C2:C40)`` / ``SUMIFS(C2:C40,H2:H40,"Won")``
    when no criterion depends on the formula's own row.  With ``col``, the
    column must be that one (table references are taken as matching: they
    name their column rather than number it).

    False for a single cell (``SUM(C5)``), a row's own cells (``SUM(D5:F5)``,
    ``[@Amount]``), another tab (``SUMIFS(Lines!D:D,Lines!A:A,A5)``: a deal's
    amount summed from its line items), a conditional sum keyed on the row
    (``SUMIF(A:A,A5,C:C)``, ``SUMIFS(Lines[Amount],Lines[Deal],[@Deal])``)
    and everything else.
    """
    node = parse(formula)
    if node is None or node[0] != "call" or node[1] not in TOTAL_FUNCTIONS:
        return False
    name, args = node[1], node[2]
    conditional = name in ("SUMIF", "SUMIFS")
    if name == "SUBTOTAL":
        if len(args) < 2 or args[0][0] != "num":
            return False
        refs = args[1:]
    elif name == "AGGREGATE":
        if len(args) < 3 or args[0][0] != "num" or args[1][0] != "num":
            return False
        refs = args[2:]
    elif name == "SUMIF":
        if len(args) not in (2, 3) or _row_relative(args[1]):
            return False
        refs = [args[2] if len(args) == 3 and args[2][0] != "missing" else args[0]]
    elif name == "SUMIFS":
        if len(args) < 3 or len(args) % 2 == 0:
            return False
        if any(_row_relative(a) for a in args[2::2]):
            return False
        refs = [args[0]]
    else:
        refs = args
    if not refs:
        return False
    cols = {_column_of(a, qualified_ok=not conditional) for a in refs}
    if None in cols or len(cols) != 1:
        return False
    (found,) = cols
    return col is None or found == 0 or found == col
