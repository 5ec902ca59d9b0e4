"""What an owned tab looks like before a backend writes it.

``tabs.py`` lays metrics, follow-ups and findings out as :class:`OutSheet`
values; each backend (the xlsx splice writer, Google Sheets) turns them into
its own format.  Neither side knows the other: the layout never sees XML or
JSON requests, and a backend never sees a metric.

Values are typed (``str``, ``int``, ``float``, ``bool``, ``date``,
``datetime``, ``None``).  A ``str`` is *always* written as text, never as a
formula, whatever it starts with: cell text comes from users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

#: Named cell styles a backend must support.
Style = Literal[
    "title",  # large bold text
    "header",  # bold, shaded, bottom border
    "bold",
    "currency",  # number with the configured currency format, 2 decimals
    "integer",  # whole number with thousands separator
    "number",  # number with 1 decimal
    "percent",  # fraction shown as 0.0 %
    "date",  # yyyy-mm-dd
    "datetime",  # yyyy-mm-dd hh:mm
    "link",  # blue underlined text (use with ``OutCell.link``)
    "muted",  # grey text for notes
]


@dataclass(frozen=True, slots=True)
class OutCell:
    """A value with a style and, optionally, a hyperlink.

    ``link`` is either an internal target written as a sheet reference
    (``Deals!C14``, tab quoted when needed) or an absolute ``https://`` /
    ``mailto:`` URL.
    """

    value: Any
    style: Style | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One series: a name and the 1-based, inclusive cell range of its values."""

    name: str
    first_row: int
    last_row: int
    col: int


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A native chart on an owned sheet (categories and values in that sheet).

    ``kind`` ``bar`` draws horizontal bars (funnels read best that way);
    ``column`` draws vertical ones.  ``anchor_row``/``anchor_col`` (1-based)
    place the chart's top-left corner; ``width``/``height`` are in cells.
    """

    title: str
    kind: Literal["bar", "column"]
    categories_col: int
    first_row: int
    last_row: int
    series: tuple[ChartSeries, ...]
    anchor_row: int
    anchor_col: int
    width: int = 8
    height: int = 15


@dataclass(slots=True)
class Append:
    """An owned tab that only grows (the stage history): write below what it has.

    The tab named ``source`` held ``after`` rows when it was read; the
    sheet's ``rows`` go below them and the rows above stay as they are, so
    a night costs what it adds, not what the tab holds.  A backend that
    cannot append safely (the tab is not the one read, or changed since)
    writes every row, ``full()``, instead.
    """

    after: int
    source: str
    full: Callable[[], list[list[Any]]]


@dataclass(slots=True)
class OutSheet:
    """One owned tab: its name, its role (``kind``) and its content.

    ``kind`` is the stable role (``summary``, ``funnel``, ``follow-ups``,
    ``data-issues``, ``history``, ``ledger``…) recorded in the ownership
    marker, so a renamed configuration still finds its own tabs.
    """

    name: str
    kind: str
    rows: list[list[Any | OutCell]] = field(default_factory=list)
    col_widths: list[float] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    freeze_rows: int = 0
    hidden: bool = False
    #: set when ``rows`` are only the rows to add below the tab's own (see Append)
    append: Append | None = None
    #: the tab only ever grows at the bottom: a backend may store it so that the
    #: next run can append to it without rewriting it
    grows: bool = False
    #: protect the tab without a password (``[sync] protect_owned_tabs``): a
    #: person can still type in ``editable_cols`` (1-based) from row
    #: ``editable_from_row`` down, and lift the protection without a password
    protected: bool = False
    editable_cols: tuple[int, ...] = ()
    editable_from_row: int = 1

    def all_rows(self) -> list[list[Any | OutCell]]:
        """Every row of the tab: ``rows``, or for an appended tab ``append.full()``."""
        return self.rows if self.append is None else self.append.full()
