"""Plain data shared by every layer: grids, deals, stages, quotas, findings.

Nothing here does I/O.  Backends produce :class:`Grid` values; ``pipeline``
turns grids into a :class:`Pipeline`; validation, metrics, follow-ups and the
owned tabs all take a ``Pipeline`` and never learn which backend it came from.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

# --------------------------------------------------------------------------- cells


@functools.lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """1 → ``A``, 27 → ``AA`` (spreadsheet column names are bijective base 26).

    Cached: every finding and deal cell names its column, and a sheet has few.
    """
    if col < 1:
        raise ValueError(f"column numbers start at 1, got {col}")
    letters = []
    while col:
        col, rem = divmod(col - 1, 26)
        letters.append(chr(65 + rem))
    return "".join(reversed(letters))


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


#: A tab name a formula may use unquoted: a letter or ``_``, then letters, digits, ``_``, ``.``.
_PLAIN_TAB = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
#: Names a formula would read as a cell: A1 style (``AB12``) or R1C1 style (``RC``, ``R1C1``,
#: ``R2C``, ``C3``, ``R``, ``C``).
_A1_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+")
_R1C1_LIKE = re.compile(r"(?:[Rr][0-9]*)?(?:[Cc][0-9]*)?")


def quote_tab(tab: str, *, always: bool = False) -> str:
    """Quote a tab name the way spreadsheets do in references: ``'My Deals'``.

    The one quoting rule of sheetsync, for messages (``'R1C1'!A2``) and for
    the references it writes.  In the formula grammar (ISO/IEC 29500-1
    §18.17.2) a sheet name must be single-quoted unless it is a plain name
    that cannot be taken for a cell reference: so ``'2026'``, ``'AB12'``
    and, since Excel also reads references in R1C1 style, ``'RC'``,
    ``'R1C1'``, ``'R2C'`` and ``'C3'``, as Excel itself writes them.  A
    quote inside the name is doubled.  ``always`` quotes every name (chart
    series references are written that way, as Excel does).
    """
    if (
        not always
        and _PLAIN_TAB.fullmatch(tab)
        and not _A1_LIKE.fullmatch(tab)
        and not _R1C1_LIKE.fullmatch(tab)
    ):
        return tab
    return "'" + tab.replace("'", "''") + "'"


class CellRef(NamedTuple):
    """A cell position: tab name, 1-based sheet row and 1-based column.

    A named tuple rather than a frozen dataclass: every deal and finding
    carries positions, and a tuple is several times cheaper to make.
    """

    tab: str
    row: int
    col: int

    @property
    def column(self) -> str:
        return column_letter(self.col)

    @property
    def a1(self) -> str:
        """``C14``: the cell without its tab."""
        return f"{self.column}{self.row}"

    def __str__(self) -> str:
        """``Deals!C14`` (tab quoted when it needs to be)."""
        return f"{quote_tab(self.tab)}!{self.a1}"


@dataclass(frozen=True, slots=True)
class TableInfo:
    """An Excel Table (a ListObject, ECMA-376 Part 1 §18.5) on a tab.

    ``name`` is the table's display name, the one formulas use
    (``Deals[Amount]``).  ``ref`` is its range as written (``A1:H41``); it
    covers the header row, the data and the total row.  ``first_row`` ..
    ``last_row`` and ``first_col`` .. ``last_col`` are that range, 1-based.
    ``header_rows`` is ``headerRowCount`` (1 unless the header is switched
    off) and ``totals_rows`` is ``totalsRowCount`` (1 when the Total Row is
    on, else 0).  ``totalsRowShown`` is deliberately not used: it only says
    the Total Row was *once* shown (§18.5.1.2; Excel writes ``0`` for a table
    that never had one and leaves it out, meaning true, after the row is
    switched off again), so it does not say a total row is there.
    """

    name: str
    ref: str
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    header_rows: int = 1
    totals_rows: int = 0

    @property
    def totals_row(self) -> int | None:
        """The sheet row of the Total Row, None when it is off."""
        return self.last_row if self.totals_rows else None

    @property
    def data_rows(self) -> range:
        """The sheet rows that hold the table's records (neither header nor total)."""
        return range(self.first_row + self.header_rows, self.last_row - self.totals_rows + 1)


@dataclass(slots=True)
class Grid:
    """One tab as read from a backend: values row by row, from cell A1.

    ``rows[0]`` is sheet row 1 and ``rows[r][c]`` is column ``c + 1``.  Values
    are what the backend gives: ``str`` (``""`` for an empty cell), ``int``,
    ``float``, ``bool``, ``datetime.date`` / ``datetime.datetime`` /
    ``datetime.time`` / ``datetime.timedelta``.  Rows may be ragged.
    ``epoch1904`` tells how bare date serial numbers in this tab count days.

    The remaining fields are what an ``.xlsx``/``.xlsm`` file says beyond the
    values (read by :mod:`sheetsync.sources.xlsx_cells`; empty for other
    backends and whenever they could not be read).  Positions are
    (1-based row, 1-based column), as for :meth:`cell`.

    ``formulas``: every formula cell → its formula as stored, without the
    leading ``=`` (``C7*D7``).  A cell of a shared formula gets the formula
    moved to its own position, as Excel shows it; every cell of a multi-cell
    array formula gets the array's formula.

    ``uncached``: the formula cells whose value in ``rows`` is not a
    calculated result: the file holds no value (openpyxl, Apache POI and
    pandas write formulas so; calamine then gives ``""``), or the value is
    the ``0`` placeholder xlsxwriter writes in a workbook flagged to be
    recalculated when opened (``fullCalcOnLoad``).  Such a workbook was made
    by a script and never opened in Excel or LibreOffice.

    ``untranslated``: formula cells whose text in ``formulas`` is not a
    formula of that cell alone: the cells of a multi-cell array formula
    (each holds one element of the array's result) and, should a shared
    formula not be movable exactly, its cells (they then carry the first
    cell's text unchanged).  :func:`sheetsync.formulas.evaluate` refuses them.

    ``errors``: cells whose value is an Excel error (``#DIV/0!``, ``#N/A``…)
    → the error; calamine gives ``""`` for them, which must not read as blank.

    ``tables``: the Excel Tables on the tab, in the file's order.

    ``currencies``: cells whose number format shows a currency (``[$€-407]``,
    ``"$"#,##0.00``) → its ISO 4217 code: a number formatted as euros is an
    amount in euros, as ``5.000 €`` typed as text would be.

    ``unnamed_currency``: cells formatted with one of Excel's built-in
    currency formats (ids 5-8), which show the currency of whoever opens the
    file and so name none.
    """

    name: str
    rows: list[list[Any]]
    epoch1904: bool = False
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: frozenset[tuple[int, int]] = frozenset()
    untranslated: frozenset[tuple[int, int]] = frozenset()
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    tables: tuple[TableInfo, ...] = ()
    currencies: dict[tuple[int, int], str] = field(default_factory=dict)
    unnamed_currency: frozenset[tuple[int, int]] = frozenset()

    def cell(self, row: int, col: int) -> Any:
        """Value at a 1-based (row, col); ``""`` outside the data."""
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


# --------------------------------------------------------------------------- stages


class Outcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class Stage:
    """A pipeline stage, in pipeline order (``index`` 0 is the first).

    ``probability`` is the stage's default win probability in [0, 1] (won
    stages count as 1 and lost ones as 0 whatever is written).  ``rot_days``
    is how many quiet days make a deal at this stage stale (0 = never; None =
    the configured default).  ``kind`` tags the stages the method talks about
    (``appointment``, ``qualification``, ``presentation``) so rules need not
    guess from names.
    """

    name: str
    index: int
    probability: float | None = None
    outcome: Outcome = Outcome.OPEN
    rot_days: int | None = None
    kind: str | None = None

    @property
    def effective_probability(self) -> float:
        if self.outcome is Outcome.WON:
            return 1.0
        if self.outcome is Outcome.LOST:
            return 0.0
        return self.probability if self.probability is not None else 0.0


# --------------------------------------------------------------------------- quotas


@dataclass(frozen=True, slots=True)
class Quota:
    """A quota for one owner over one period (``start`` .. ``end`` inclusive).

    ``owner`` is the rep's name as it appears in the deals' owner column;
    ``label`` is the period as written (``2026-Q4``) for display.
    """

    owner: str
    start: dt.date
    end: dt.date
    amount: float
    label: str = ""
    source: CellRef | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """A rep: name, and an email address when the sheet gives one."""

    name: str
    email: str | None = None


# --------------------------------------------------------------------------- deals

#: The canonical fields a deals tab can map, in a stable order.
FIELDS: tuple[str, ...] = (
    "id",
    "deal",
    "company",
    "contact_name",
    "contact_email",
    "decision_maker",
    "owner",
    "owner_email",
    "stage",
    "amount",
    "probability",
    "created",
    "close_date",
    "next_appointment",
    "last_contact",
    "trial",
    "lost_reason",
    "lost_stage",
    "do_not_email",
    "notes",
    "status",
    "currency",
    "won_time",
    "lost_time",
    # for the email drafts, read as text from deal.raw (sheetsync.drafts.context)
    "meeting_place",
    "salutation",
    "language",
)

#: Fields a deals tab must map.
REQUIRED_FIELDS: tuple[str, ...] = ("stage", "owner")


@dataclass(slots=True)
class Deal:
    """One row of the deals tab, typed.

    Unparseable cells are ``None`` here and reported as findings; ``raw``
    keeps the cell values as read (by canonical field) and ``cells`` their
    positions, so every later message can point at ``Deals!C14``.
    ``stage`` is the canonical stage name when the cell matched a known stage
    (case and spacing insensitive), otherwise the text as written with
    ``stage_index`` None.  ``status`` follows from the stage's outcome.
    """

    row: int
    key: str
    id: str | None = None
    deal: str | None = None
    company: str | None = None
    contact_name: str | None = None
    contact_email: tuple[str, ...] = ()
    decision_maker: bool | None = None
    owner: str | None = None
    owner_email: str | None = None
    stage: str | None = None
    stage_index: int | None = None
    status: Outcome = Outcome.OPEN
    amount: float | None = None
    probability: float | None = None
    created: dt.date | None = None
    close_date: dt.date | None = None
    next_appointment: dt.datetime | None = None
    last_contact: dt.date | None = None
    trial: bool | None = None
    lost_reason: str | None = None
    lost_stage: str | None = None
    do_not_email: bool = False
    notes: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    cells: Mapping[str, CellRef] = field(default_factory=dict)
    #: The ISO 4217 code the amount was written in (None: no currency known);
    #: ``amount`` is in the team's currency, ``amount_written`` as written.
    currency: str | None = None
    amount_written: float | None = None
    #: When the deal was won or lost, from won-time / lost-time columns.
    won_time: dt.date | None = None
    lost_time: dt.date | None = None

    @property
    def label(self) -> str:
        """How to name the deal to a person: its name, company, or key."""
        return self.deal or self.company or self.key

    @property
    def is_open(self) -> bool:
        return self.status is Outcome.OPEN


@dataclass(slots=True)
class Pipeline:
    """Everything read from one source, typed and ready for the rules.

    ``stages`` are in pipeline order; ``quotas`` may be empty; ``owners``
    maps an owner name to what is known of the rep (email).
    """

    source: str
    deals_tab: str
    deals: list[Deal]
    stages: list[Stage]
    quotas: list[Quota] = field(default_factory=list)
    owners: dict[str, Owner] = field(default_factory=dict)
    columns: dict[str, CellRef] = field(default_factory=dict)
    header_row: int = 1
    tabs: list[str] = field(default_factory=list)
    #: The team's currency (ISO 4217), when known, and the rates used to reach it.
    currency: str | None = None
    rates_used: list[Any] = field(default_factory=list)
    #: How the sheet was read where it could have been read otherwise: the
    #: amount column's number convention, the date calendar, the stage list…
    #: (label → explanation), for ``check`` and ``sheetsync init``.
    reading: dict[str, str] = field(default_factory=dict)
    #: Other spellings of the stages (CRM internal ids such as ``closedwon``): key → stage name.
    stage_aliases: dict[str, str] = field(default_factory=dict)
    #: Rows under the header left out as not deals (totals, report lines…), by kind.
    skipped: list[Any] = field(default_factory=list)

    _stage_index: tuple[Any, int, dict[str, Stage]] | None = field(
        default=None, repr=False, compare=False
    )

    def stage(self, name: str | None) -> Stage | None:
        """The stage called ``name`` (case and spacing insensitive).

        Looked up through an index rebuilt whenever ``stages`` is replaced or
        changes length: metrics ask this for every deal, many times.
        """
        if name is None:
            return None
        idx = self._stage_index
        if idx is None or idx[0] is not self.stages or idx[1] != len(self.stages):
            table: dict[str, Stage] = {}
            for s in self.stages:
                table.setdefault(stage_key(s.name), s)
            for s in self.stages:
                table.setdefault(s.name, s)
            idx = self._stage_index = (self.stages, len(self.stages), table)
        table = idx[2]
        found = table.get(name)
        if found is None:
            found = table.get(stage_key(name))
        return found

    def stage_of(self, deal: Deal) -> Stage | None:
        """The deal's stage: straight from its index when that still matches."""
        i = deal.stage_index
        if i is not None and i < len(self.stages):
            st = self.stages[i]
            if st.name == deal.stage:
                return st
        return self.stage(deal.stage)

    def effective_probability(self, deal: Deal) -> float:
        """The deal's own probability if filled, else its stage's; won 1, lost 0."""
        if deal.status is Outcome.WON:
            return 1.0
        if deal.status is Outcome.LOST:
            return 0.0
        if deal.probability is not None:
            return deal.probability
        st = self.stage_of(deal)
        return st.effective_probability if st else 0.0

    def open_deals(self) -> Iterator[Deal]:
        return (d for d in self.deals if d.status is Outcome.OPEN)


_STAGE_KEY_RE = re.compile(r"[^0-9a-z%]+")


def stage_key(name: str) -> str:
    """Normalise a stage name for matching: case, spacing and punctuation.

    Letters of every script count (``Négociation``, ``นัดหมาย``): Thai vowel
    and tone marks are part of the word, so combining marks are kept.
    """
    folded = name.casefold()
    if folded.isascii():
        return _STAGE_KEY_RE.sub("", folded)
    return "".join(
        c for c in folded if c.isalnum() or c == "%" or unicodedata.category(c)[0] == "M"
    )


# --------------------------------------------------------------------------- findings


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in the data: a value, never an exception.

    ``code`` is stable kebab-case (documented in the README); ``cell`` is the
    full reference (``Deals!C14``) or None when the finding is about a whole
    tab or the workbook.
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    tab: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: Any = None
    deal: str | None = None

    @property
    def cell(self) -> str | None:
        if self.tab is None or self.row is None or self.column is None:
            return None
        return f"{quote_tab(self.tab)}!{self.column}{self.row}"

    @classmethod
    def at(
        cls,
        code: str,
        severity: Severity,
        message: str,
        ref: CellRef | None,
        *,
        hint: str = "",
        field: str | None = None,
        value: Any = None,
        deal: str | None = None,
        tab: str | None = None,
        row: int | None = None,
    ) -> Finding:
        """Build a finding positioned at ``ref`` (or at a tab/row when no cell)."""
        return cls(
            code=code,
            severity=severity,
            message=message,
            hint=hint,
            tab=ref.tab if ref else tab,
            row=ref.row if ref else row,
            column=ref.column if ref else None,
            field=field,
            value=value,
            deal=deal,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "tab": self.tab,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "field": self.field,
            "value": json_value(self.value),
            "message": self.message,
            "hint": self.hint,
            "deal": self.deal,
        }


def json_value(value: Any) -> Any:
    """A cell value as JSON can hold it (dates as ISO text)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(slots=True)
class Report:
    """All findings of one check, in sheet order."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    #: Tabs that are whole text files (a CSV is one tab with no cell names of
    #: its own): tab name → the file as the user named it.  Findings in them
    #: are named ``file.csv:row:column`` (both counted from 1), the way
    #: compilers and editors name a place in a text file; everywhere else a
    #: finding keeps its spreadsheet cell (``Deals!C14``).
    file_tabs: dict[str, str] = field(default_factory=dict)
    #: Said once, above the findings: how the sheet was read where it could
    #: have been read otherwise, and advice that covers many findings at once.
    notes: list[str] = field(default_factory=list)
    #: Rows under the header that were not counted as deals, one entry per kind.
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def where(self, f: Finding) -> str | None:
        """Where to look for ``f``: ``pipeline.csv:14:3`` in a text file, else ``Deals!C14``."""
        path = self.file_tabs.get(f.tab) if f.tab is not None else None
        if path is None:
            return f.cell
        if f.row is None:
            return path
        return f"{path}:{f.row}" + (f":{column_number(f.column)}" if f.column else "")

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "valid": self.valid,
            "counts": {"error": len(self.errors), "warning": len(self.warnings)},
            "findings": [self._finding_dict(f) for f in self.findings],
            "notes": list(self.notes),
            "skipped_rows": list(self.skipped),
        }

    def _finding_dict(self, f: Finding) -> dict[str, Any]:
        d = f.to_dict()
        if self.file_tabs and f.tab in self.file_tabs:
            d["cell"] = self.where(f)
        return d


class _ByField(Mapping[str, Any]):
    """A read-only mapping over a tab's shared column map (field → 1-based column).

    One column map serves every row, so reading 100k deals does not build
    100k dictionaries nobody asks for; a subclass says what a field gives.
    """

    __slots__ = ("cols",)

    def __init__(self, cols: Mapping[str, int]) -> None:
        self.cols = cols

    def __contains__(self, field_name: object) -> bool:
        return field_name in self.cols

    def __iter__(self) -> Iterator[str]:
        return iter(self.cols)

    def __len__(self) -> int:
        return len(self.cols)


class RowCells(_ByField):
    """A deal's cell positions by field, computed on demand."""

    __slots__ = ("tab", "row")

    def __init__(self, tab: str, row: int, cols: Mapping[str, int]) -> None:
        self.tab = tab
        self.row = row
        self.cols = cols

    def __getitem__(self, field_name: str) -> CellRef:
        return CellRef(self.tab, self.row, self.cols[field_name])


class RowValues(_ByField):
    """A deal's raw cell values by field, read from the row on demand."""

    __slots__ = ("values",)

    def __init__(self, values: list[Any], cols: Mapping[str, int]) -> None:
        self.values = values
        self.cols = cols

    def __getitem__(self, field_name: str) -> Any:
        c = self.cols[field_name] - 1
        return self.values[c] if c < len(self.values) else ""
