"""What people typed into sheetsync's tabs since the last run: kept, or reported.

The owned tabs are replaced every night, but people type into them anyway (a
rep ticks off a follow-up, writes a note beside it).  Two rules keep that
from being lost without a word (README, "Owned tabs people can write in"):

* **Done and Note are the team's.**  The Follow-ups tab's ``Done`` and
  ``Note`` cells are read back before the tab is replaced and written again
  in the row of the same action: the key is the ``Key`` column (the deal's
  id, else ``row N``) with the ``Action`` column (the action's kind).  A mark
  whose action is no longer due is dropped, and the run says so ("2 notes
  dropped …").  A Done mark also stops the email draft of that action.
* **Anything else typed is reported before it is replaced.**  Each run
  records what it wrote into the owned tabs in a hidden owned tab (kind
  ``written``).  The next run compares every cell of each owned tab as it
  reads now with that record and lists each difference (tab, cell, old →
  typed value) in its summary; then it replaces the tab as usual.  The
  record is backend-neutral: both the workbook and the Google backend write
  it as any hidden owned tab (on Google in the same ``batchUpdate`` as the
  other owned tabs), and read it back with :meth:`Source.read`.

The record is sized by what a person can usefully be told, not by the deals:

* the small tabs whose size does not grow with the deals (Summary, Funnel)
  are recorded by value, a JSON list of cells a row (:func:`encode`), so a
  typed cell is reported with the value sheetsync wrote there (``B30: 9 →
  'my typing'``);
* the tabs that list deals (Follow-ups, Data Issues: up to ``[sync]
  max_rows`` rows each, rebuilt from the team's sheet every night) are
  recorded by digest (:data:`DIGEST_KINDS`): per row a 24-bit BLAKE2b
  digest (RFC 7693) of its cells' values by meaning (:func:`canon`), then
  one character per cell (6 bits of its CRC-32, ``.`` for an empty cell).
  The row digest finds the rows that changed (a typed row goes unnoticed
  once in 16 million); the cell characters say which cell (a typed cell
  whose character happens to match, once in 64, is reported as its row).
  What sheetsync wrote is not kept, so the line says ``(sheetsync's value)
  → 'typed'``; the deal's own value is in the team's sheet, linked from the
  row's Cell column.  A Follow-ups row is about 20 characters of record
  instead of about 250.

Either way many rows share one record cell (:func:`_packed`: ``d1:`` for
digests, ``j1:`` for values, then how many rows, ``:`` and the rows), so
the record is a few dozen cells: on Google about 0.2 MB of the night's one
``batchUpdate`` at 50,000 deals, where a record row a written row was 5 MB
and pushed the night into staged writes.  A record of the earlier format
(a record row a written row, every tab by value) is still read as it is:
the first night after an upgrade compares with it cell by cell and reports
only what was really typed.  A packed cell that cannot be read (someone
edited the hidden tab) leaves its tab uncompared for a night, said once
(:attr:`OwnedEdits.unreadable`), rather than report every row as typed.

Values are compared by meaning, not by how a backend returns them: Google
gives dates as serial numbers (``UNFORMATTED_VALUE``, ``SERIAL_NUMBER``),
calamine gives ``datetime`` values, and both give whole numbers as floats.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .followups import Action
from .model import Grid, column_letter
from .outsheet import OutCell, OutSheet
from .tabs import EDITABLE_COLS, ROLES

#: The kind (in the ownership marker) of the hidden record of what was written.
WRITTEN_KIND = "written"
#: Its tab name (found by kind, so a rename does no harm).
WRITTEN_TAB = "sheetsync Written"
WRITTEN_HEADER = ("Tab", "Kind", "Row", "Cells")

#: Text longer than this is recorded by its SHA-256 digest and length, so a
#: record row stays far below a cell's 32,767 characters.
LONG_TEXT = 1000
#: A text read back at least this long but shorter than written was cut by the
#: backend's cell limit (Excel's 32,767 UTF-16 units are 16,383 characters of emoji).
CUT_AT_LEAST = 16_383
#: The tabs recorded by digest: they list deals, so they grow with the pipeline
#: (up to ``[sync] max_rows`` rows each), and are rebuilt from the team's sheet.
DIGEST_KINDS = frozenset({ROLES["follow_ups"], ROLES["data_issues"]})
#: How a record cell of digested rows begins (the format's version).
DIGEST_MARK = "d1:"
#: How a record cell of rows of values begins (a JSON list, a row each).
VALUES_MARK = "j1:"
#: The most characters of one packed record cell (Excel holds 32,767).
DIGEST_CHUNK = 30_000
#: What a typed-over cell of a digested tab is said to have held.
WRITTEN_VALUE = "(sheetsync's value)"
#: How many typed cells the summary lists one by one (then "and N more").
MAX_LISTED = 20
#: Done values that do not mean done (anything else typed in Done does).
NOT_DONE = frozenset({"no", "n", "false", "0", "not done", "-"})

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)

Key = tuple[str, str]


# --------------------------------------------------------------------------- values


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def encode(value: Any) -> Any:
    """A written cell value as JSON: text, number, bool, ``{"d": date}``, ``{"t": moment}``."""
    if isinstance(value, OutCell):
        value = value.value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime):
        return {"t": value.replace(tzinfo=None).isoformat(timespec="seconds")}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    text = str(value)
    if len(text) > LONG_TEXT:
        return {"h": _digest(text[:LONG_TEXT]), "n": len(text)}
    return text


def _same_long_text(stored: Mapping[str, Any], current: Any) -> bool:
    """A long text recorded by digest: the same start and length, or the same start cut short.

    A backend cuts a text at its cell limit (Excel 32,767 UTF-16 code units,
    Google 50,000): a text read back shorter but still that long was cut, not
    typed over.
    """
    if not isinstance(current, str) or _digest(current[:LONG_TEXT]) != stored["h"]:
        return False
    n = int(stored.get("n", 0))
    return len(current) == n or CUT_AT_LEAST <= len(current) < n


def _moment(value: Any, epoch1904: bool) -> dt.datetime | None:
    """A read value as a naive moment: a date, a datetime or a serial number."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return (_EPOCH_1904 if epoch1904 else _EPOCH_1900) + dt.timedelta(days=value)
        except OverflowError:
            return None
    return None


def same(stored: Any, current: Any, epoch1904: bool = False) -> bool:
    """Whether a cell read now still holds the value sheetsync recorded for it."""
    if stored is None:
        return current is None or current == ""
    if isinstance(stored, bool):
        return isinstance(current, bool) and current == stored
    if isinstance(stored, int | float):
        if isinstance(current, bool) or not isinstance(current, int | float):
            return False
        return math.isclose(current, stored, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(stored, dict):
        if "h" in stored:
            return _same_long_text(stored, current)
        moment = _moment(current, epoch1904)
        if moment is None:
            return False
        if "d" in stored:
            return moment == dt.datetime.combine(dt.date.fromisoformat(stored["d"]), dt.time())
        if "t" in stored:
            # a serial number holds a moment to about a microsecond; allow a second
            return abs(moment - dt.datetime.fromisoformat(stored["t"])) <= dt.timedelta(seconds=1)
        return False
    return isinstance(current, str) and current == stored


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def shown(stored: Any) -> str:
    """A recorded value as a person reads it in a report."""
    if stored is None:
        return "(empty)"
    if isinstance(stored, bool):
        return "TRUE" if stored else "FALSE"
    if isinstance(stored, dict):
        if "h" in stored:
            return f"(a text of {stored['n']:,} characters)"
        if "d" in stored:
            return str(stored["d"])
        return str(stored.get("t", "")).replace("T", " ")
    if isinstance(stored, float) and stored.is_integer():
        return str(int(stored))
    if isinstance(stored, int | float):
        return f"{stored:g}"
    return repr(_short(str(stored)))


def shown_current(current: Any, stored: Any, epoch1904: bool = False) -> str:
    """A value read now, shown like the recorded one (a serial where a date was: a date)."""
    if isinstance(stored, dict) and ("d" in stored or "t" in stored):
        moment = _moment(current, epoch1904)
        if moment is not None and not isinstance(current, str):
            return (
                moment.date().isoformat()
                if moment.time() == dt.time()
                else f"{moment:%Y-%m-%d %H:%M}"
            )
    if isinstance(current, str) and len(current) > LONG_TEXT:
        return f"(a text of {len(current):,} characters)"
    return shown(encode(current))


# --------------------------------------------------------------------------- digests


_CELL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_EMPTY = "."
_CODE_CHARS = frozenset(_CELL_CHARS + _EMPTY)
#: Characters of a row's digest (24 bits in base64url).
_ROW_DIGEST = 4
_SECOND = 86_400


def canon(value: Any) -> str:
    """A cell's value by meaning, as one string, the same whichever backend read it.

    Dates, moments and numbers are one thing to a spreadsheet (Google gives
    a date back as its serial number, calamine as a ``datetime``), so each
    becomes its 1900-system serial counted in whole seconds (1/86,400 of a
    day): a moment read back a microsecond off is the same moment.  A text
    longer than :data:`LONG_TEXT` is its start and its length, any length
    from :data:`CUT_AT_LEAST` on counting as one (a backend cuts a long text
    at its cell limit: Excel 32,767 UTF-16 units, Google 50,000 characters).
    """
    kind = type(value)
    if kind is str and len(value) <= LONG_TEXT:  # the common cases first: a short text,
        return f"s{value}" if value else ""
    if kind is float and -1e12 < value < 1e12:  # a number as read back
        return f"n{round(value * _SECOND)}"
    if isinstance(value, OutCell):
        value = value.value
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, dt.datetime | dt.date):
        moment = _moment(value, False)
        assert moment is not None
        return f"n{round((moment - _EPOCH_1900).total_seconds())}"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return f"s{value}"
        if abs(value) >= 1e12:
            return f"n{float(value)!r}"
        return f"n{round(value * _SECOND)}"
    text = str(value)
    if len(text) > LONG_TEXT:
        n = "cut" if len(text) >= CUT_AT_LEAST else str(len(text))
        return f"h{n}:{text[:LONG_TEXT]}"
    return f"s{text}"


def _cell_char(value: str) -> str:
    if not value:
        return _EMPTY
    return _CELL_CHARS[zlib.crc32(value.encode("utf-8", "surrogatepass")) & 63]


def _canons(row: Sequence[Any], skip: Iterable[int] = ()) -> list[str]:
    """The row's cells by meaning, ``skip`` columns (1-based) as empty, trailing empties cut."""
    values = list(map(canon, row))
    for c in skip:
        if c <= len(values):
            values[c - 1] = ""
    while values and not values[-1]:
        values.pop()
    return values


def row_code(row: Sequence[Any], skip: Iterable[int] = ()) -> str:
    """A row in the record of a digested tab: its digest, then a character a cell ('' when empty)."""
    values = _canons(row, skip)
    if not values:
        return ""
    joined = "\x1f".join(values).encode("utf-8", "surrogatepass")
    digest = base64.urlsafe_b64encode(hashlib.blake2b(joined, digest_size=3).digest()).decode()
    return digest + "".join(_cell_char(v) for v in values)


def _packed(sheet: OutSheet, mark: str, pieces: Sequence[str], empty: str) -> list[list[Any]]:
    """Record rows holding ``pieces`` (one a sheet row, from row 1), ``DIGEST_CHUNK`` at most a cell.

    Each record row is (tab, kind, first sheet row, ``mark``, how many rows,
    ``:``, then the pieces joined by ``|`` for digests, as a JSON list for
    values); trailing empty rows are left out.  The count lets the reader
    tell a cell someone edited from one sheetsync wrote (a lost ``|`` would
    shift every row after it).
    """
    pieces = list(pieces)
    while pieces and pieces[-1] == empty:
        pieces.pop()
    sep = "|" if mark == DIGEST_MARK else ","

    def cell(chunk: list[str]) -> str:
        body = sep.join(chunk)
        return f"{mark}{len(chunk)}:" + (body if mark == DIGEST_MARK else f"[{body}]")

    out: list[list[Any]] = []
    first, chunk, size = 1, [], len(mark) + 8  # the mark, the count (7 digits at most), ":", "[]"
    for r, piece in enumerate(pieces, 1):
        if chunk and size + len(piece) + 1 > DIGEST_CHUNK:
            out.append([sheet.name, sheet.kind, first, cell(chunk)])
            first, chunk, size = r, [], len(mark) + 8
        chunk.append(piece)
        size += len(piece) + 1
    if chunk:
        out.append([sheet.name, sheet.kind, first, cell(chunk)])
    return out


def _digest_rows(sheet: OutSheet) -> list[list[Any]]:
    """The record rows of a digested tab: one code a row (:func:`row_code`)."""
    codes = [row_code(row, sheet.editable_cols) for row in sheet.rows]
    return _packed(sheet, DIGEST_MARK, codes, "")


def _value_rows(sheet: OutSheet) -> list[list[Any]]:
    """The record rows of a tab recorded in full: one JSON list of cells a row (:func:`encode`)."""
    pieces = []
    for row in sheet.rows:
        cells = [encode(v) for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        pieces.append(json.dumps(cells, ensure_ascii=False, separators=(",", ":")))
    return _packed(sheet, VALUES_MARK, pieces, "[]")


@dataclass(frozen=True, slots=True)
class Digested:
    """A row recorded by its code (see :func:`row_code`), not by its values."""

    code: str


def _typed_digested(
    grid: Grid, r: int, now: Sequence[Any], was: Digested, skip: Iterable[int]
) -> list[Typed]:
    """The cells of row ``r`` that differ from the row recorded by digest."""
    if row_code(now, skip) == was.code:
        return []
    values = _canons(now, skip)
    chars = was.code[_ROW_DIGEST:]
    out: list[Typed] = []
    for c in range(1, max(len(values), len(chars)) + 1):
        old = chars[c - 1] if c <= len(chars) else _EMPTY
        value = values[c - 1] if c <= len(values) else ""
        if _cell_char(value) != old:
            current = now[c - 1] if c <= len(now) else None
            out.append(
                Typed(
                    grid.name,
                    f"{column_letter(c)}{r}",
                    "(empty)" if old == _EMPTY else WRITTEN_VALUE,
                    shown_current(current, None),
                )
            )
    if not out:  # a cell changed whose character happens to be the same (1 in 64)
        last = column_letter(max(len(values), len(chars), 1))
        out.append(Typed(grid.name, f"A{r}:{last}{r}", "(sheetsync's row)", "(a cell changed)"))
    return out


# --------------------------------------------------------------------------- the record


def written_sheet(sheets: Iterable[OutSheet], name: str = WRITTEN_TAB) -> OutSheet:
    """The hidden record of what this run writes into the visible owned tabs.

    Hidden tabs (the stage history, the drafts ledger) hold state that
    sheetsync reads back, not something people type in, so they are left out,
    as is a tab written by appending.  The tabs of :data:`DIGEST_KINDS` are
    recorded by digest, the others by value (module docstring); either way
    many rows share one record cell, so the record is a few dozen cells,
    not a row per written row.
    """
    rows: list[list[Any]] = [list(WRITTEN_HEADER)]
    for s in sheets:
        if s.hidden or s.append is not None or s.kind == WRITTEN_KIND:
            continue
        rows += _digest_rows(s) if s.kind in DIGEST_KINDS else _value_rows(s)
    return OutSheet(
        name=name,
        kind=WRITTEN_KIND,
        rows=rows,
        col_widths=[24.0, 14.0, 8.0, 120.0],
        freeze_rows=1,
        hidden=True,
    )


Recorded = dict[int, list[Any] | Digested | None]


def read_written(grid: Grid) -> dict[str, Recorded]:
    """The record read back: kind → sheet row → the cells written there (or their digest)."""
    return read_record(grid)[0]


def read_record(grid: Grid) -> tuple[dict[str, Recorded], set[str]]:
    """The record read back, and the kinds whose record cannot be read.

    Every format is read: packed digests (``d1:``), packed rows of values
    (``j1:``), and the format before them, a record row a written row with
    its cells as JSON (so the first night after an upgrade compares as
    before).  A row of that format that cannot be read (someone edited the
    hidden tab) is skipped: its cells are then compared as if sheetsync had
    left them empty.  A packed cell that cannot be read would make hundreds
    of rows look typed, so its kind is not compared at all, and returned in
    the set (the run says so once).  A single digest that cannot be read is
    ``None``: that row is not compared.
    """
    out: dict[str, Recorded] = {}
    damaged: set[str] = set()
    for row in grid.rows[1:]:
        _tab, kind, r, cells = (list(row) + ["", "", "", ""])[:4]
        if not isinstance(kind, str) or not kind:
            continue
        try:
            first = int(r)
        except (TypeError, ValueError):
            first = 0
        if isinstance(cells, str) and cells.startswith((DIGEST_MARK, VALUES_MARK)):
            rows = out.setdefault(kind, {})
            count, _, body = cells[len(DIGEST_MARK) :].partition(":")
            if cells.startswith(DIGEST_MARK):
                packed: Any = body.split("|")
            else:
                try:
                    packed = json.loads(body)
                except ValueError:
                    packed = None
            if first < 1 or not isinstance(packed, list) or count != str(len(packed)):
                damaged.add(kind)
            elif cells.startswith(DIGEST_MARK):
                for i, code in enumerate(packed):
                    ok = code == "" or (len(code) > _ROW_DIGEST and set(code) <= _CODE_CHARS)
                    rows[first + i] = Digested(code) if ok else None
            else:
                for i, values in enumerate(packed):
                    if isinstance(values, list) and values:
                        rows[first + i] = values
            continue
        try:
            values = json.loads(cells) if isinstance(cells, str) else None
        except ValueError:
            continue
        if isinstance(values, list) and first >= 1:
            out.setdefault(kind, {})[first] = values
    for kind in damaged:
        out.pop(kind, None)
    return out, damaged


@dataclass(frozen=True, slots=True)
class Typed:
    """One cell typed into an owned tab: where, what sheetsync wrote, what is there now."""

    tab: str
    cell: str
    old: str
    new: str

    def line(self) -> str:
        return f"{self.tab}!{self.cell}: {self.old} → {self.new}"


def typed_cells(
    grid: Grid,
    written: Mapping[int, Sequence[Any] | Digested | None],
    skip_cols: Iterable[int] = (),
) -> list[Typed]:
    """Every cell of ``grid`` that differs from what the record says was written there.

    A row recorded by digest is compared by digest; a row the record does
    not hold was written empty (a digested tab records every row up to its last).
    """
    skip = set(skip_cols)
    out: list[Typed] = []
    last = max([len(grid.rows), *written]) if written else len(grid.rows)
    digested = any(isinstance(w, Digested) for w in written.values())
    for r in range(1, last + 1):
        now = grid.rows[r - 1] if r <= len(grid.rows) else []
        was = written.get(r, Digested("") if digested else ())
        if was is None:
            continue  # the record of this row is unreadable: nothing to compare with
        if isinstance(was, Digested):
            out += _typed_digested(grid, r, now, was, skip)
            continue
        for c in range(1, max(len(now), len(was)) + 1):
            if c in skip:
                continue
            stored = was[c - 1] if c <= len(was) else None
            current = now[c - 1] if c <= len(now) else None
            if type(stored) is type(current) and stored == current:
                continue  # text and numbers as written: the common case, decided at once
            if not same(stored, current, grid.epoch1904):
                out.append(
                    Typed(
                        grid.name,
                        f"{column_letter(c)}{r}",
                        shown(stored),
                        shown_current(current, stored, grid.epoch1904),
                    )
                )
    return out


# --------------------------------------------------------------------------- Done and Note


@dataclass(frozen=True, slots=True)
class Mark:
    """The Done and Note cells of one follow-up, as the team typed them."""

    deal: str
    kind: str
    done: Any
    note: Any

    @property
    def is_done(self) -> bool:
        if self.done is None or self.done == "" or self.done is False:
            return False
        if isinstance(self.done, str):
            return self.done.strip().casefold() not in NOT_DONE
        if isinstance(self.done, int | float) and not isinstance(self.done, bool):
            return self.done != 0
        return True


def _header_row(grid: Grid, names: Sequence[str]) -> int | None:
    """The index of the first row of ``grid`` that holds every one of ``names``."""
    for i, row in enumerate(grid.rows):
        cells = {c.strip() if isinstance(c, str) else c for c in row}
        if all(n in cells for n in names):
            return i
    return None


def read_marks(grid: Grid) -> dict[Key, Mark]:
    """The Done and Note cells of the Follow-ups tab as it reads now, by (deal key, kind).

    The columns are found by their header names (a person may have moved
    them), in the first row that names Action, Done, Note and Key; a tab of an
    older version without them has no marks.
    """
    want = ("Action", "Deal", "Company", "Done", "Note", "Key")
    header = _header_row(grid, ("Action", "Done", "Note", "Key"))
    if header is None:
        return {}
    names = [c.strip() if isinstance(c, str) else c for c in grid.rows[header]]
    col = {n: names.index(n) for n in want if n in names}
    h = header
    marks: dict[Key, Mark] = {}
    for row in grid.rows[h + 1 :]:

        def get(name: str, row: list[Any] = row) -> Any:
            i = col.get(name)
            return row[i] if i is not None and i < len(row) else None

        done, note, key, kind = get("Done"), get("Note"), get("Key"), get("Action")
        if (done in (None, "") and note in (None, "")) or not key or not kind:
            continue
        label = get("Company") or get("Deal") or key
        marks[(str(key), str(kind))] = Mark(
            str(label), str(kind), None if done == "" else done, None if note == "" else note
        )
    return marks


def _plural(n: int, one: str) -> str:
    return f"{n} {one if n == 1 else one + 's'}"


def _first_marks(marks: Sequence[Mark]) -> str:
    """The first five marks as "deal (kind)", "…" after them when there are more.

    One wording for the dropped and the not-kept notes, so both lines list them alike.
    """
    listed = ", ".join(f"{m.deal} ({m.kind})" for m in marks[:5])
    return listed + ("…" if len(marks) > 5 else "")


@dataclass(slots=True)
class OwnedEdits:
    """What the run found typed into its tabs, and what it keeps of it."""

    #: (deal key, kind) → the Done/Note cells written back tonight
    marks: dict[Key, Mark] = field(default_factory=dict)
    #: the marks whose follow-up is no longer due (not written back)
    dropped: list[Mark] = field(default_factory=list)
    #: the marks of follow-ups still due but below the tab's last row (``max_rows``)
    unlisted: list[Mark] = field(default_factory=list)
    #: every other cell typed since the last run (replaced tonight)
    typed: list[Typed] = field(default_factory=list)
    #: the (deal key, kind) of the due follow-ups marked Done
    done: set[Key] = field(default_factory=set)
    #: whether a record of the last run's cells was found (else nothing could be compared)
    recorded: bool = False
    #: the tabs whose part of the record could not be read (not compared tonight)
    unreadable: list[str] = field(default_factory=list)

    def keep_for(self, actions: Sequence[Action], limit: int | None = None) -> None:
        """Keep the marks of the actions still due; move the others to ``dropped``.

        ``limit`` is the most rows the tab lists (``[sync] max_rows``): a mark
        whose action is due but falls below the last row cannot be written
        back, so it goes to ``unlisted`` (and is reported) rather than vanish.
        """
        shown = actions if limit is None else actions[:limit]
        listed = {(a.deal_key, a.kind) for a in shown}
        due = listed if limit is None else {(a.deal_key, a.kind) for a in actions}
        self.dropped = [m for k, m in self.marks.items() if k not in due]
        self.unlisted = [m for k, m in self.marks.items() if k in due and k not in listed]
        self.done = {k for k, m in self.marks.items() if k in due and m.is_done}
        self.marks = {k: m for k, m in self.marks.items() if k in listed}

    def cells(self) -> dict[Key, tuple[Any, Any]]:
        return {k: (m.done, m.note) for k, m in self.marks.items()}

    def is_done(self, action: Action) -> bool:
        """Whether the team marked ``action`` Done (listed or not: see :meth:`keep_for`)."""
        return (action.deal_key, action.kind) in self.done

    def lines(self) -> list[str]:
        """What to tell people: dropped notes, then each typed cell (the first ones)."""
        out: list[str] = []
        if self.dropped:
            out.append(
                f"{_plural(len(self.dropped), 'note')} dropped, their follow-ups are no longer "
                f"due: {_first_marks(self.dropped)}"
            )
        if self.unlisted:
            out.append(
                f"{_plural(len(self.unlisted), 'note')} not kept, their follow-ups are below the "
                f"tab's last row ([sync] max_rows): {_first_marks(self.unlisted)}"
            )
        if self.unreadable:
            out.append(
                f"the hidden '{WRITTEN_TAB}' tab was edited: what sheetsync wrote into "
                f"{', '.join(repr(t) for t in self.unreadable)} cannot be read, so cells typed "
                "there are not reported tonight (tomorrow's run compares again)"
            )
        if self.typed:
            out.append(
                f"{_plural(len(self.typed), 'cell')} typed into sheetsync's tabs "
                "since the last run, replaced now (tab!cell: written → typed):"
            )
            out += [f"  {t.line()}" for t in self.typed[:MAX_LISTED]]
            if len(self.typed) > MAX_LISTED:
                out.append(f"  … and {len(self.typed) - MAX_LISTED:,} more")
        return out


def read_owned_edits(source: Any, follow_ups_tab: str) -> OwnedEdits:
    """Read the owned tabs as they are now, before the run replaces them.

    ``follow_ups_tab`` is the configured name; the tab is found by its kind
    (``follow-ups``) when it was renamed.  Nothing is read when the source
    has no owned tabs yet (the first run).
    """
    owned: dict[str, str] = source.owned_tabs()
    by_kind: dict[str, str] = {}
    for tab, kind in owned.items():
        by_kind.setdefault(kind, tab)
    if owned.get(follow_ups_tab) == ROLES["follow_ups"]:
        by_kind[ROLES["follow_ups"]] = follow_ups_tab
    out = OwnedEdits()
    fu = by_kind.get(ROLES["follow_ups"])
    grids: dict[str, Grid] = {}
    if fu is not None:
        grids[fu] = source.read(fu)
        out.marks = read_marks(grids[fu])
    record_tab = by_kind.get(WRITTEN_KIND)
    if record_tab is None:
        return out
    out.recorded = True
    record, damaged = read_record(source.read(record_tab))
    out.unreadable = sorted(by_kind[k] for k in damaged if k in by_kind)
    for kind, rows in record.items():
        tab = by_kind.get(kind)
        if tab is None:
            continue  # the tab is gone: nothing typed there to report
        grid = grids.get(tab) or source.read(tab)
        skip = _editable_cols(grid) if kind == ROLES["follow_ups"] else ()
        out.typed += typed_cells(grid, rows, skip)
    return out


def _editable_cols(grid: Grid) -> tuple[int, ...]:
    """The Done and Note columns of a Follow-ups tab (by header, else where sheetsync puts them)."""
    for row in grid.rows[:5]:
        names = [c.strip() if isinstance(c, str) else c for c in row]
        if "Done" in names and "Note" in names:
            return (names.index("Done") + 1, names.index("Note") + 1)
    return EDITABLE_COLS
