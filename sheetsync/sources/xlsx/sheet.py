"""Owned sheet rendering: an :class:`OutSheet` as worksheet XML, cell by cell.

An owned tab is sheetsync's own, so its worksheet part (ISO/IEC 29500-1
§18.3: ``worksheet`` §18.3.1.99, ``sheetData`` §18.3.1.80, ``row``
§18.3.1.73, ``c`` §18.3.1.4, ``hyperlink`` §18.3.1.47) is written whole
here: values as typed cells (text inline, ``ST_Xstring`` §22.9.2.19; dates as
serial numbers in the workbook's date system, §18.17.4), styles as indexes
from :mod:`.styles`, links as ``<hyperlink>`` elements, and a growing tab
(the history) appended below its rows where :mod:`..xlsx_append` can.
Excel's limits are kept as Excel counts them: 1,048,576 rows, 16,384
columns, 32,767 UTF-16 code units of cell text, 2,079 characters of URL
(the limits and their sources are in :mod:`..owned`).

What it may touch in a user's workbook: only the worksheet part of an owned
tab (and that part's relationships); nothing of a person's tab.

Why not xlsxwriter's worksheet writer: it writes a complete new workbook
only (it cannot write one sheet part into an existing package), numbers
styles from its own stylesheet, and cannot append rows below the compressed
rows already there; the golden files pin this writer's output byte for byte.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from ...outsheet import ChartSpec, OutSheet
from .. import xlsx_append
from ..owned import (
    EXCEL_MAX_CELL_TEXT,
    EXCEL_MAX_COLS,
    EXCEL_MAX_ROWS,
    EXCEL_MAX_URL,
    OwnedFormats,
    cell_parts,
    cut_utf16,
    quote_tab,
)
from .opc import NS_MAIN, NS_REL, RT_DRAWING, RT_HYPERLINK
from .protection import protect_sheet_xml
from .styles import _Styles
from .xmltext import _CELL_TEXT_RE, _esc, _esc_attr, _xml_safe, _xstring


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


#: Column letters by number (index 0 unused), grown as wide tabs need: a tab's
#: cells ask for the same few columns row after row.
_LETTERS: list[str] = [""]


def _letters(width: int) -> list[str]:
    """``_LETTERS`` holding at least the first ``width`` columns."""
    while len(_LETTERS) <= width:
        _LETTERS.append(_col(len(_LETTERS)))
    return _LETTERS


#: Texts this long or shorter fit a cell whatever their characters (see ``cut_utf16``).
_SHORT_TEXT = EXCEL_MAX_CELL_TEXT // 2

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LEAP_BUG_END = dt.datetime(1900, 3, 1)


def _serial(value: dt.date, epoch1904: bool) -> str | None:
    """A date/datetime as an Excel serial number, or ``None`` when it cannot be one.

    The 1900 system counts the non-existent 1900-02-29 (a Lotus 1-2-3
    compatibility bug), so dates before 1900-03-01 are one day lower than a
    plain day count from 1899-12-30; the 1904 system counts from 1904-01-01.
    """
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
    else:
        moment = dt.datetime(value.year, value.month, value.day)
    if epoch1904:
        delta = moment - _EPOCH_1904
    else:
        if moment < dt.datetime(1900, 1, 1):
            return None
        delta = moment - _EPOCH_1900
        if moment < _LEAP_BUG_END:
            delta -= dt.timedelta(days=1)
    if delta < dt.timedelta(0) or moment.year > 9999:
        return None
    if not isinstance(value, dt.datetime):
        return str(delta.days)
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return repr(serial) if serial != int(serial) else str(int(serial))


_STYLE_PARTS: dict[str | None, tuple[str | None, str | None, bool, bool]] = {
    None: (None, None, False, False),
    "title": (None, "title", False, False),
    "header": (None, "bold", True, True),
    "bold": (None, "bold", False, False),
    "currency": ("<currency>", None, False, False),  # <…>: a field of OwnedFormats
    "integer": ("#,##0", None, False, False),
    "number": ("#,##0.0", None, False, False),
    "percent": ("<percent>", None, False, False),
    "date": ("<date>", None, False, False),
    "datetime": ("<datetime>", None, False, False),
    "link": (None, "link", False, False),
    "muted": (None, "muted", False, False),
}


@dataclass
class _Rendered:
    xml: bytes
    rels: list[tuple[str, str, str, bool]]  # (id, type, target, external)
    charts: list[ChartSpec]


class _CellWriter:
    """Turns typed values into ``<c>`` elements, caching style indexes."""

    def __init__(self, styles: _Styles, epoch1904: bool, formats: OwnedFormats) -> None:
        self.styles = styles
        self.epoch1904 = epoch1904
        self.formats = formats
        self._s: dict[tuple[str | None, str], int] = {}
        self._attrs: dict[tuple[str | None, str], str] = {}  # the ` s="…"` of each

    def style(self, style: str | None, value_kind: str) -> int:
        key = (style, value_kind)
        if key not in self._s:
            if style not in _STYLE_PARTS:
                raise ValueError(f"unknown cell style {style!r}")
            numfmt, font, fill, border = _STYLE_PARTS[style]
            if numfmt is None and value_kind in ("date", "datetime"):
                numfmt = f"<{value_kind}>"
            if numfmt is not None and numfmt.startswith("<"):
                numfmt = getattr(self.formats, numfmt[1:-1])
            if numfmt is None and font is None and not fill and not border:
                self._s[key] = 0
            else:
                self._s[key] = self.styles.xf(numfmt, font, fill, border)
        return self._s[key]

    def cell(self, ref: str, value: Any, style: str | None) -> str | None:
        """One ``<c>`` element (``None`` when there is nothing to write)."""
        if value is None:
            if style is None:
                return None
            return f'<c r="{ref}" s="{self.style(style, "blank")}"/>'
        if isinstance(value, str):
            return self._text(ref, value, style)
        if isinstance(value, bool):
            return f'<c r="{ref}"{self._s_attr(style, "bool")} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, dt.date):
            kind = "datetime" if isinstance(value, dt.datetime) else "date"
            serial = _serial(value, self.epoch1904)
            if serial is None:  # before the epoch: Excel cannot hold it as a date
                return self._text(ref, value.isoformat(sep=" "), style)
            return f'<c r="{ref}"{self._s_attr(style, kind)}><v>{serial}</v></c>'
        if isinstance(value, int):
            text = str(value) if abs(value) < 10**15 else _float_text(value)
        elif isinstance(value, numbers.Real):
            text = _float_text(value)
        else:
            raise TypeError(f"cannot write a {type(value).__name__} value to a cell ({ref})")
        if text is None:
            return f'<c r="{ref}"{self._s_attr(style, "num")} t="e"><v>#NUM!</v></c>'
        return f'<c r="{ref}"{self._s_attr(style, "num")}><v>{text}</v></c>'

    def _s_attr(self, style: str | None, kind: str) -> str:
        key = (style, kind)
        attr = self._attrs.get(key)
        if attr is None:
            s = self.style(style, kind)
            attr = self._attrs[key] = f' s="{s}"' if s else ""
        return attr

    def _text(self, ref: str, value: str, style: str | None) -> str:
        # (a short text with nothing to escape is written as it is: what the
        # three passes would give, without them)
        if len(value) > _SHORT_TEXT or _CELL_TEXT_RE.search(value) is not None:
            text = _esc(_xstring(cut_utf16(value, EXCEL_MAX_CELL_TEXT)))
        else:
            text = value
        return (
            f'<c r="{ref}"{self._s_attr(style, "str")} t="inlineStr">'
            f'<is><t xml:space="preserve">{text}</t></is></c>'
        )


def _float_text(value: Any) -> str | None:
    try:
        f = float(value)
    except (OverflowError, ValueError, TypeError):
        return None
    if not math.isfinite(f):
        return None
    text = repr(f)
    return text[:-2] if text.endswith(".0") else text


_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _location(location: str) -> str:
    """An internal link ``Tab!A1`` with the tab quoted wherever a formula must quote it.

    A hyperlink's ``location`` (ISO/IEC 29500-1 §18.3.1.47) is read as a
    reference in the formula grammar (§18.17.2), where a sheet name must be
    single-quoted unless it is a plain name that cannot be taken for a cell
    reference (:func:`sheetsync.model.quote_tab`, the rule messages use too:
    ``'2026'!A1``, ``'AB12'!A1``, ``'RC'!A1``, ``'R1C1'!A1``); unquoted, the
    name can be read as a cell reference and the link goes nowhere.  A
    location already quoted, or without a tab (a defined name), is left as
    it is.
    """
    if location.startswith("'") or "!" not in location:
        return location
    tab, _, ref = location.rpartition("!")
    if not tab:
        return location
    return quote_tab(tab) + "!" + ref


def _render_sheet(out: OutSheet, cells: _CellWriter) -> _Rendered:
    """The worksheet XML of one owned tab, plus the relationships it needs."""
    rels: list[tuple[str, str, str, bool]] = []
    if out.charts:
        rels.append(("rId1", RT_DRAWING, "", False))  # target filled in by the caller
    links: list[str] = []
    rows = out.all_rows()
    rows_xml, max_col, last_row = _render_rows(out.name, rows, cells, 1, links, rels)
    dim = f"A1:{_col(max_col)}{last_row}" if max_col and last_row else "A1"
    parts = [_sheet_head(out, dim)]
    if rows_xml:
        parts.extend(rows_xml)
        parts.append("</sheetData>")
    else:
        parts[0] = parts[0][: -len("<sheetData>")] + "<sheetData/>"
    parts.append(_sheet_tail(out, links)[len("</sheetData>") :])
    xml = protect_sheet_xml("".join(parts), out, cells.styles)  # [sync] protect_owned_tabs
    return _Rendered(xml.encode("utf-8"), rels, list(out.charts))


def _render_rows(
    name: str,
    rows: list[list[Any]],
    cells: _CellWriter,
    first_row: int,
    links: list[str],
    rels: list[tuple[str, str, str, bool]],
) -> tuple[list[str], int, int]:
    """``<row>`` elements of ``rows`` numbered from ``first_row``: (xml, last column, last row)."""
    rows_xml: list[str] = []
    max_col = 0
    last_row = 0
    if first_row - 1 + len(rows) > EXCEL_MAX_ROWS:
        raise ValueError(
            f"tab {name!r} has more rows than Excel allows ({first_row - 1 + len(rows)})"
        )
    text = cells._text
    for r, row in enumerate(rows, start=first_row):
        if len(row) > EXCEL_MAX_COLS:
            raise ValueError(f"tab {name!r} row {r} has more columns than Excel allows")
        row_cells: list[str] = []
        letters = _letters(len(row))
        number = str(r)
        for c, item in enumerate(row, start=1):
            if item is None:  # an empty cell: nothing to write (the cell writer's answer)
                continue
            ref = letters[c] + number
            if type(item) is str:  # plain text, the commonest cell: no style, no link
                row_cells.append(text(ref, item, None))
                if c > max_col:
                    max_col = c
                continue
            value, style, link = cell_parts(item)
            if link and style is None:
                style = "link"
            xml = cells.cell(ref, value, style)
            if xml is None:
                continue
            row_cells.append(xml)
            if c > max_col:
                max_col = c
            if link:
                display = value if isinstance(value, str) else None
                links.append(_hyperlink(ref, link, display, rels))
        if row_cells:
            rows_xml.append(f'<row r="{r}">{"".join(row_cells)}</row>')
            last_row = r
    return rows_xml, max_col, last_row


def _sheet_head(out: OutSheet, dim: str | None) -> str:
    """The worksheet XML up to and including ``<sheetData>`` (no dimension when ``dim`` is None)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">',
    ]
    if dim is not None:
        parts.append(f'<dimension ref="{dim}"/>')
    parts.append('<sheetViews><sheetView workbookViewId="0">')
    if out.freeze_rows > 0:
        top = f"A{out.freeze_rows + 1}"
        parts.append(
            f'<pane ySplit="{out.freeze_rows}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
        )
    parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    widths = [
        (i, w) for i, w in enumerate(out.col_widths, start=1) if w and w > 0 and i <= EXCEL_MAX_COLS
    ]
    if widths:
        parts.append("<cols>")
        parts.extend(
            f'<col min="{i}" max="{i}" width="{min(float(w), 255.0)!r}" customWidth="1"/>'
            for i, w in widths
        )
        parts.append("</cols>")
    parts.append("<sheetData>")
    return "".join(parts)


def _sheet_tail(out: OutSheet, links: list[str]) -> str:
    """The worksheet XML from ``</sheetData>`` to the end."""
    parts = ["</sheetData>"]
    if links:
        parts.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    if out.charts:
        parts.append('<drawing r:id="rId1"/>')
    parts.append("</worksheet>")
    return "".join(parts)


#: What :func:`_growing_member` answers for rows appended that add nothing.
_UNCHANGED = object()


def _growing_member(
    out: OutSheet,
    cells: _CellWriter,
    src: Any,
    info: zipfile.ZipInfo | None,
    read_plain: Any = None,
) -> Any:
    """A growing sheet (``out.grows``) as an appendable member: its new rows added
    below the ones it has when that is safe (see :mod:`.xlsx_append`; ``_UNCHANGED``
    when there are none), else written whole.  None when the sheet has links or
    charts (those live after its rows): it is then written as any other sheet."""
    if out.charts:
        return None
    links: list[str] = []
    rels: list[tuple[str, str, str, bool]] = []
    head = _sheet_head(out, None).encode("utf-8")
    tail = _sheet_tail(out, []).encode("utf-8")
    add = out.append
    if add is not None and info is not None and src is not None and not out.rows:
        return _UNCHANGED  # the tab read holds every row already
    if add is not None and info is not None and src is not None:
        rows_xml, _, last = _render_rows(out.name, out.rows, cells, add.after + 1, links, rels)
        if not links:
            member = xlsx_append.appended(
                src,
                info,
                head=head,
                rows=[r.encode("utf-8") for r in rows_xml],
                after=add.after,
                added=max(last - add.after, 0),
                read_plain=read_plain,
            )
            if member is not None:
                return member if rows_xml else _UNCHANGED
    links, rels = [], []
    rows_xml, _, last = _render_rows(out.name, out.all_rows(), cells, 1, links, rels)
    if links:
        return None
    return xlsx_append.full(head, [r.encode("utf-8") for r in rows_xml], tail, last)


def _hyperlink(
    ref: str, link: str, display: str | None, rels: list[tuple[str, str, str, bool]]
) -> str:
    """A ``<hyperlink>``: internal locations need no relationship, URLs get one.

    Only ``http(s):`` and ``mailto:`` URLs are written: links can come from
    cell text people typed, and a ``file:`` or ``javascript:`` link in a
    generated report is never what anyone wants.  Anything else with a
    scheme is left out (the cell keeps its text); over-long URLs too (Excel
    refuses to open a file with a link longer than 2079 characters).
    """
    disp = f' display="{_esc_attr(_xml_safe(display[:255]))}"' if display else ""
    link = _xml_safe(link.strip())
    if _SCHEME_RE.match(link):
        scheme = link.split(":", 1)[0].lower()
        if scheme not in ("http", "https", "mailto") or len(link) > EXCEL_MAX_URL:
            return ""
        rid = f"rId{len(rels) + 1}"
        rels.append((rid, RT_HYPERLINK, link, True))
        return f'<hyperlink ref="{ref}" r:id="{rid}"{disp}/>'
    location = _location(link.lstrip("#"))
    if not location:
        return ""
    return f'<hyperlink ref="{ref}" location="{_esc_attr(location)}"{disp}/>'
