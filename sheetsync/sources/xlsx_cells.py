"""What an ``.xlsx`` tab says beyond its values: formulas, missing results, errors, Tables.

calamine (which reads the values) gives a formula cell's cached result and
nothing else, so three things a deals sheet can hold are invisible to it:

* a formula that was never calculated (a workbook written by openpyxl,
  pandas, Apache POI — no ``<v>`` at all — or by xlsxwriter, which writes
  ``<v>0</v>`` and sets ``<calcPr fullCalcOnLoad="1">``, ECMA-376 Part 1
  §18.2.2): calamine reads ``""`` or ``0``, and the amount is silently blank
  or zero;
* an error value (``<c t="e"><v>#DIV/0!</v>``, §18.18.11): calamine reads
  ``""``;
* an Excel Table's Total Row (``xl/tables/tableN.xml``, §18.5.1.2, linked
  from the sheet's relationships by ``<tablePart r:id>``): to calamine it is
  one more row of data.

This module reads those facts for one tab, cheaply: the sheet part is found
through :func:`.xlsx.inspect_workbook` (the same package reader the
writer uses), its XML is scanned as bytes for ``<f`` (no scan at all when
there is none: most tabs typed by people), and only the cells that hold a
formula or an error are looked at.  Shared formulas (§18.3.1.40: the first
cell holds the text, the others ``<f t="shared" si="0"/>``) are moved to
each cell by :func:`sheetsync.formulas.translator`; array formulas
(``t="array" ref="C2:C9"``) give their text to every cell of their range.
A sheet laid out unusually (cells without ``r``, a namespace prefix, a
comment inside a cell) is read by a full XML parse instead, with the same
result.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..formulas import translator
from ..model import Grid, TableInfo, column_number
from .xlsx.opc import _rels_name, _resolve
from .xlsx.workbook import WorkbookInfo, inspect_workbook
from .xlsx.xmltext import _unescape

__all__ = ["CellFacts", "NO_FACTS", "read_cell_facts", "scan_sheet", "parse_table"]

log = logging.getLogger("sheetsync.excel")

RT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"

#: Cells an array formula may lend its text to; a larger range keeps only its first cell.
MAX_ARRAY_CELLS = 100_000


@dataclass(frozen=True, slots=True)
class CellFacts:
    """The facts of one tab; the fields mean what :class:`~sheetsync.model.Grid`'s do."""

    formulas: dict[tuple[int, int], str]
    uncached: frozenset[tuple[int, int]]
    untranslated: frozenset[tuple[int, int]]
    errors: dict[tuple[int, int], str]
    tables: tuple[TableInfo, ...]
    currencies: dict[tuple[int, int], str] = field(default_factory=dict)
    unnamed_currency: frozenset[tuple[int, int]] = frozenset()

    def apply(self, grid: Grid) -> Grid:
        """Fill ``grid``'s fields with these facts (and return it)."""
        grid.formulas = self.formulas
        grid.uncached = self.uncached
        grid.untranslated = self.untranslated
        grid.errors = self.errors
        grid.tables = self.tables
        grid.currencies = self.currencies
        grid.unnamed_currency = self.unnamed_currency
        return grid


NO_FACTS = CellFacts({}, frozenset(), frozenset(), {}, ())


# --------------------------------------------------------------------------- the package


def _member(zf: zipfile.ZipFile, part: str) -> zipfile.ZipInfo | None:
    """A zip member by part name (part names are case-insensitive, ECMA-376 Part 2 §6.2.2.3)."""
    want = part.replace("\\", "/").lstrip("/").lower()
    for info in zf.infolist():
        if info.filename.replace("\\", "/").lstrip("/").lower() == want:
            return info
    return None


def read_cell_facts(path: str | Path, tab: str, *, info: WorkbookInfo | None = None) -> CellFacts:
    """Formulas, uncalculated formulas, errors and Tables of ``tab`` in the workbook at ``path``.

    ``info`` is the workbook's :func:`.xlsx.inspect_workbook` when the
    caller has it already.  Raises on a damaged package (callers that must
    not fail catch everything and go without the facts); a tab that is not a
    worksheet (a chart sheet) has none.
    """
    path = Path(path)
    if info is None:
        info = inspect_workbook(path, reading=True)
    entry = next((s for s in info.sheets if s.name == tab), None)
    if entry is None or entry.part is None or entry.sheet_type != "worksheet":
        return NO_FACTS
    with zipfile.ZipFile(path) as zf:
        member = _member(zf, entry.part)
        if member is None:
            return NO_FACTS
        styles = _currency_styles(zf)
        streamed = _streamed(zf, member, styles, info.full_calc_on_load)
        if streamed is not None:
            scanned, styled, tail = streamed
            tables = _tables(zf, entry.part, tail)
        else:  # the part read whole: the exact path for what the pieces cannot decide
            data = _utf8(zf.read(member))
            scanned = scan_sheet(data, full_calc_on_load=info.full_calc_on_load)
            tables = _tables(zf, entry.part, data)
            styled = styled_cells(data, styles) if styles else {}
    currencies = {rc: cur for rc, cur in styled.items() if cur}
    unnamed = frozenset(rc for rc, cur in styled.items() if not cur)
    return CellFacts(*scanned, tables, currencies, unnamed)


#: How much of a sheet part :func:`_streamed` decompresses at a time (a
#: 100,000-row part is 70 MB of XML; read whole, it and its copies peaked at
#: 140 MB beside calamine's own read of the same part).
CHUNK = 4 << 20

_Scanned = tuple[
    dict[tuple[int, int], str],
    frozenset[tuple[int, int]],
    frozenset[tuple[int, int]],
    dict[tuple[int, int], str],
]


def _streamed(
    zf: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    styles: dict[int, str],
    full_calc_on_load: bool,
    chunk: int = CHUNK,
) -> tuple[_Scanned, dict[tuple[int, int], str], bytes] | None:
    """The facts of a sheet part read in pieces of whole rows: ``(scanned, styled, tail)``.

    Gives what :func:`scan_sheet` and :func:`styled_cells` give on the whole
    part (``tail`` is the part from ``</sheetData`` on, where the Table
    references are) while holding a few megabytes of it at a time.  Every
    fact is local to its ``<row>`` (a cell, its formula, its style), so a
    piece that ends at a ``</row>`` is read alone exactly as within the
    whole.  None when the pieces cannot decide alone and the part is to be
    read whole: a UTF-16 part, no ``sheetData``, a cell the
    byte scan does not recognise (:class:`_Odd`), styles written in an order
    the fast scan of :func:`styled_cells` does not match, or a part that
    ends early (the whole read then says what is wrong).  ``<sheetData/>``
    (no cells: a third of the corpus's tabs) is decided at once.
    """
    with zf.open(member) as fh:
        buf = fh.read(chunk)
        if buf[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return None
        sd = _SHEETDATA_RE.search(buf)
        while sd is None:
            more = fh.read(chunk)
            if not more:
                return None
            buf += more
            sd = _SHEETDATA_RE.search(buf)
        if sd.group(2):  # <sheetData/>: no cells, so no facts beyond the Tables
            return ({}, frozenset(), frozenset(), {}), {}, buf[sd.start() :] + fh.read()
        prefix = sd.group(1) or b""
        scan = _PieceScan(prefix, styles)
        if not scan.counted(buf[: sd.end()]):
            return None
        row_end = b"</" + prefix + b"row>"
        data_end = b"</" + prefix + b"sheetData"
        pending = buf[sd.end() :]
        del buf
        while True:
            end = pending.find(data_end)
            if end != -1:
                tail = pending[end:] + fh.read()
                if not scan.piece(pending[:end]) or not scan.counted(tail):
                    return None
                return scan.result(full_calc_on_load), scan.styled, tail
            more = fh.read(chunk)
            if not more:
                return None
            cut = pending.rfind(row_end)
            if cut != -1:
                cut += len(row_end)
                if not scan.piece(pending[:cut]):
                    return None
                pending = pending[cut:]
            pending += more


class _PieceScan:
    """What :func:`_streamed` gathers piece by piece (see there)."""

    def __init__(self, prefix: bytes, styles: dict[int, str]) -> None:
        self.prefix = prefix
        self.f_open = b"<" + prefix + b"f"
        self.formulas: list[_Cell] = []  # in the order the whole scan lists them:
        self.error_constants: list[_Cell] = []  # formulas first, then error constants
        self.styles = styles
        self.styled: dict[tuple[int, int], str] = {}
        self._fast = _styled_re(prefix, tuple(sorted(styles))) if styles else None
        self._by_id = {str(i).encode(): cur for i, cur in styles.items()}
        self._cols: dict[bytes, int] = {}

    def counted(self, outside: bytes) -> bool:
        """False when bytes outside the cells carry a cell style (the whole read decides)."""
        return not self.styles or not any(outside.count(b' s="%d"' % i) for i in self.styles)

    def piece(self, data: bytes) -> bool:
        """Scan whole rows; False when the whole part must be read instead."""
        n = len(data)
        if data.find(self.f_open) != -1 or _may_hold_errors(data, 0, n):
            try:
                self.formulas.extend(_formula_cells(data, 0, n, self.prefix))
                if _ERR_T_RE.search(data, 0, n):
                    self.error_constants.extend(_error_constants(data, 0, n, self.prefix))
            except _Odd:
                return False
        if self._fast is None:
            return True
        found = 0
        cols = self._cols
        for letters, row, sid in self._fast.findall(data):
            c = cols.get(letters)
            if c is None:
                c = cols[letters] = _col(letters)
            self.styled[(int(row), c)] = self._by_id[sid]
            found += 1
        return found >= sum(data.count(b' s="%d"' % i) for i in self.styles)

    def result(self, full_calc_on_load: bool) -> _Scanned:
        cells = self.formulas + self.error_constants
        if not cells:
            return {}, frozenset(), frozenset(), {}
        return _facts(cells, full_calc_on_load)


def _utf8(data: bytes) -> bytes:
    """The part as UTF-8 bytes (a UTF-16 part, which the standard allows, is re-encoded)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return text.encode("utf-8")
    return data


# --------------------------------------------------------------------------- currency formats

#: Currency symbols a number format may show outside ``[$…]`` (longest first).
_FORMAT_SYMBOLS = ("R$", "US$", "$", "€", "£", "¥", "₹", "฿", "₩", "₽", "₺", "₫", "₪")
_BRACKET_CURRENCY = re.compile(r"\[\$([^\]\-]+)(?:-[0-9A-Fa-f]+)?\]")
_QUOTED = re.compile(r'"([^"]*)"')


def format_currency(code: str) -> str | None:
    """The currency a number format shows (ISO 4217), or None.

    ECMA-376 Part 1 §18.8.31: ``[$€-407]`` and ``[$USD]`` name a currency
    (symbol or code, then the locale id), ``"€"`` and ``\\€`` are literal
    text, and ``$`` is shown as written.  Only the first section (for
    positive numbers) is read; ``[Red]`` and other bracketed codes,
    ``_`` spacing and ``*`` fill are not text.  Excel's built-in formats
    5-8 are the currency of the machine's locale and name none; they are not
    looked at (only ``numFmt`` codes are passed here).
    """
    from ..numbers import currency_for_token

    first = _first_section(code)
    m = _BRACKET_CURRENCY.search(first)
    if m:
        return currency_for_token(m.group(1).strip())
    for quoted in _QUOTED.findall(first):
        code_ = currency_for_token(quoted.strip())
        if code_:
            return code_
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|[_*\\].', "", first)
    for sym in _FORMAT_SYMBOLS:
        if sym in bare:
            return currency_for_token(sym)
    escaped = re.findall(r"\\(.)", first)
    for ch in escaped:
        code_ = currency_for_token(ch)
        if code_:
            return code_
    return None


def _first_section(code: str) -> str:
    quoted = False
    for i, ch in enumerate(code):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted and (i == 0 or code[i - 1] != "\\"):
            return code[:i]
    return code


#: Excel's built-in currency formats (ECMA-376 Part 1 §18.8.30: ids 5-8,
#: ``$#,##0_);($#,##0)`` and its red and two-decimal variants).  A workbook
#: stores only their id: Excel shows them in the currency of the locale of
#: whoever opens the file, so they name no currency at all.
BUILTIN_CURRENCY_FORMATS = frozenset({"5", "6", "7", "8"})


def _currency_styles(zf: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index (``<c s="3">``) → the currency its number format shows.

    A style with one of :data:`BUILTIN_CURRENCY_FORMATS` (and no ``numFmt``
    of the same id redefining it) maps to ``""``: a currency, but not which.
    """
    member = _member(zf, "xl/styles.xml")
    if member is None:
        return {}
    try:
        root = ET.fromstring(zf.read(member))
    except ET.ParseError:
        return {}
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    formats: dict[str, str] = dict.fromkeys(BUILTIN_CURRENCY_FORMATS, "")
    for nf in root.iter(f"{ns}numFmt"):
        fid = nf.get("numFmtId") or ""
        formats.pop(fid, None)  # a numFmt redefines a built-in id
        cur = format_currency(nf.get("formatCode") or "")
        if cur:
            formats[fid] = cur
    xfs = root.find(f"{ns}cellXfs")
    if xfs is None:
        return {}
    return {
        i: formats[xf.get("numFmtId") or ""]
        for i, xf in enumerate(xfs.findall(f"{ns}xf"))
        if (xf.get("numFmtId") or "") in formats
    }


_C_TAG = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*)>")
_S_RE = re.compile(rb"""\bs\s*=\s*["']([0-9]+)["']""")


@functools.lru_cache(maxsize=8)
def _styled_re(prefix: bytes, ids: tuple[int, ...]) -> re.Pattern[bytes]:
    """A cell written ``<c r="B7" s="3"`` with one of the style ``ids`` (see :func:`styled_cells`)."""
    alts = b"|".join(str(i).encode() for i in ids)
    return re.compile(
        b"<" + re.escape(prefix) + rb'c r="([A-Z]{1,3})([0-9]+)" s="(' + alts + rb')"'
    )


def styled_cells(data: bytes, styles: dict[int, str]) -> dict[tuple[int, int], str]:
    """(row, column) → currency of every cell whose style shows one (see :func:`format_currency`).

    Excel, LibreOffice, openpyxl and xlsxwriter write a cell's ``r`` then its
    ``s``: one regular expression finds exactly the currency-styled cells at
    memory speed.  When ``s="N"`` occurs more often than that found (another
    attribute order, or rows styled as a whole), every cell tag is looked at.
    """
    sd = _SHEETDATA_RE.search(data)
    prefix = (sd.group(1) if sd else None) or b""
    fast = _styled_re(prefix, tuple(sorted(styles)))
    out: dict[tuple[int, int], str] = {}
    by_id = {str(i).encode(): cur for i, cur in styles.items()}
    cols: dict[bytes, int] = {}
    for letters, row, sid in fast.findall(data):
        c = cols.get(letters)
        if c is None:
            c = cols[letters] = _col(letters)
        out[(int(row), c)] = by_id[sid]
    if len(out) >= sum(data.count(b' s="%d"' % i) for i in styles):
        return out
    for m in _C_TAG.finditer(data):
        attrs = m.group(1)
        s_m = _S_RE.search(attrs)
        if s_m is None:
            continue
        cur = styles.get(int(s_m.group(1)))
        if cur is None:
            continue
        r_m = _R_RE.search(attrs)
        if r_m is None:
            continue
        out[(int(r_m.group(2)), _col(r_m.group(1)))] = cur
    return out


# --------------------------------------------------------------------------- tables

_TABLE_PART_RE = re.compile(rb"<(?:[\w.-]+:)?tablePart\b([^>]*)>")
_ANY_ID_RE = re.compile(rb"""(?:^|\s)[\w.-]+:id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_A1_RANGE_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?$")


def _tables(zf: zipfile.ZipFile, sheet_part: str, data: bytes) -> tuple[TableInfo, ...]:
    ids = []
    for m in _TABLE_PART_RE.finditer(data, max(0, data.rfind(b"sheetData"))):
        idm = _ANY_ID_RE.search(m.group(1))
        if idm:
            ids.append((idm.group(1) or idm.group(2) or b"").decode("utf-8", "replace"))
    if not ids:
        return ()
    rels_member = _member(zf, _rels_name(sheet_part))
    if rels_member is None:
        return ()
    targets: dict[str, str] = {}
    for el in ET.fromstring(zf.read(rels_member)):
        if el.tag.rsplit("}", 1)[-1] != "Relationship" or el.get("Type") != RT_TABLE:
            continue
        if (el.get("TargetMode") or "").lower() == "external":
            continue
        part = _resolve(sheet_part, el.get("Target") or "")
        if part is not None:
            targets[el.get("Id") or ""] = part
    out = []
    for rid in ids:
        part = targets.get(rid)
        member = _member(zf, part) if part else None
        if member is None:
            log.debug("table part %s of %s is missing", rid, sheet_part)
            continue
        table = parse_table(zf.read(member))
        if table is not None:
            out.append(table)
    return tuple(out)


def parse_table(xml: bytes) -> TableInfo | None:
    """A table part (``xl/tables/tableN.xml``) → :class:`TableInfo`, None if unusable.

    ``headerRowCount`` defaults to 1 and ``totalsRowCount`` to 0 (the
    schema's defaults, §18.5.1.2); ``totalsRowShown`` is ignored on purpose
    (see :class:`TableInfo`).
    """
    root = ET.fromstring(xml)
    if root.tag.rsplit("}", 1)[-1] != "table":
        return None
    ref = root.get("ref") or ""
    m = _A1_RANGE_RE.match(ref)
    if not m:
        return None
    c1, r1 = column_number(m.group(1)), int(m.group(2))
    c2, r2 = (column_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)

    def count(name: str, default: int) -> int:
        try:
            return max(0, int(root.get(name, default)))
        except ValueError:
            return default

    return TableInfo(
        name=root.get("displayName") or root.get("name") or "",
        ref=ref,
        first_row=min(r1, r2),
        last_row=max(r1, r2),
        first_col=min(c1, c2),
        last_col=max(c1, c2),
        header_rows=count("headerRowCount", 1),
        totals_rows=count("totalsRowCount", 0),
    )


# --------------------------------------------------------------------------- sheet scan


@dataclass(slots=True)
class _Cell:
    """One formula or error cell as the file has it."""

    row: int
    col: int
    t: str  # the cell's type attribute ("" when absent)
    formula: str | None  # None: no <f> (an error constant)
    f_type: str = ""  # "", "shared", "array", "dataTable"
    f_ref: str = ""
    f_si: str = ""
    has_value: bool = False
    value: str = ""
    f_attrs: dict[str, str] | None = None


class _Odd(Exception):
    """The sheet is laid out in a way the byte scan does not handle: parse it fully."""


_SHEETDATA_RE = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
_F_START = re.compile(rb"[\s/>]")
_R_RE = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]+)["']""")
_T_RE = re.compile(rb"""\bt\s*=\s*["']([\w-]*)["']""")
_BYTE_ATTR_RE = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ERR_T_RE = re.compile(rb"""\st\s*=\s*["']e["']""")


def _may_hold_errors(data: bytes, start: int, end: int) -> bool:
    """Whether some cell may be of type error (``t="e"``).

    A plain search for the quoted ``e`` first (a memchr-speed scan): the
    regular expression costs about eight times as much on a large sheet and
    is only needed when the bytes are there at all.
    """
    if data.find(b'"e"', start, end) == -1 and data.find(b"'e'", start, end) == -1:
        return False
    return _ERR_T_RE.search(data, start, end) is not None


@functools.lru_cache(maxsize=8)
def _cell_re(prefix: bytes) -> re.Pattern[bytes]:
    """A formula cell, whole: ``<c …><f …>text</f><v>value</v>`` (``f`` first, as §18.3.1.4 orders it)."""
    p = re.escape(prefix)
    return re.compile(
        rb"<" + p + rb"c(\s[^<>]*)?>\s*<" + p + rb"f(\s[^<>]*?)?(?:/>|>([^<]*)</" + p + rb"f\s*>)"
        rb"\s*(?:<" + p + rb"v(?:\s[^<>]*?)?(?:(/)>|>([^<]*)</" + p + rb"v\s*>))?"
    )


@functools.lru_cache(maxsize=8)
def _value_re(prefix: bytes) -> re.Pattern[bytes]:
    p = re.escape(prefix)
    return re.compile(rb"\s*<" + p + rb"v(?:\s[^<>]*?)?(?:/>|>([^<]*)</" + p + rb"v\s*>)")


_COLS: dict[bytes, int] = {}


def _col(letters: bytes) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = _COLS[letters] = column_number(letters.decode("ascii"))
    return n


def _attrs(raw: bytes | None) -> dict[str, str]:
    if not raw:
        return {}
    out = {}
    for m in _BYTE_ATTR_RE.finditer(raw):
        name = m.group(1).decode("utf-8", "replace").rpartition(":")[2]
        val = m.group(2) if m.group(2) is not None else m.group(3)
        out[name] = _unescape(val.decode("utf-8", "replace"))
    return out


def _fast_cells(data: bytes, start: int, end: int, prefix: bytes) -> list[_Cell]:
    """The formula and error cells of ``data[start:end]`` by a byte scan, or :class:`_Odd`."""
    cells = _formula_cells(data, start, end, prefix)
    if _ERR_T_RE.search(data, start, end):
        cells.extend(_error_constants(data, start, end, prefix))
    return cells


def _formula_cells(data: bytes, start: int, end: int, prefix: bytes) -> list[_Cell]:
    """The formula cells of ``data[start:end]`` by a byte scan, or :class:`_Odd`."""
    cells: list[_Cell] = []
    cell_re = _cell_re(prefix)
    f_open = b"<" + prefix + b"f"
    step = len(f_open)
    find, rfind = data.find, data.rfind
    pos = find(f_open, start, end)
    while pos != -1:
        nxt = data[pos + step : pos + step + 1]
        if not _F_START.match(nxt):  # <family …> in rich text, not a formula
            pos = find(f_open, pos + step, end)
            continue
        cs = rfind(b"<", start, pos)
        m = cell_re.match(data, cs)
        if m is None:
            raise _Odd("a formula cell the scan does not recognise")
        head = m.group(1) or b""
        rm = _R_RE.search(head)
        if rm is None:
            raise _Odd("a cell without its reference")
        tm = _T_RE.search(head)
        f_attrs = _attrs(m.group(2))
        text = m.group(3)
        cells.append(
            _Cell(
                row=int(rm.group(2)),
                col=_col(rm.group(1).upper()),
                t=tm.group(1).decode() if tm else "",
                formula=_unescape(text.decode("utf-8")) if text else "",
                f_type=f_attrs.get("t", ""),
                f_ref=f_attrs.get("ref", ""),
                f_si=f_attrs.get("si", ""),
                has_value=m.group(4) is not None or m.group(5) is not None,
                value=_unescape(m.group(5).decode("utf-8")) if m.group(5) else "",
                f_attrs=f_attrs,
            )
        )
        pos = find(f_open, m.end(), end)
    return cells


def _error_constants(data: bytes, start: int, end: int, prefix: bytes) -> Iterator[_Cell]:
    """Cells typed as an error without a formula (``#N/A`` typed or pasted as a value)."""
    c_open = b"<" + prefix + b"c"
    value_re = _value_re(prefix)
    for m in _ERR_T_RE.finditer(data, start, end):
        cs = data.rfind(b"<", start, m.start())
        if (
            not data.startswith(c_open, cs)
            or not data[cs + len(c_open) : cs + len(c_open) + 1].isspace()
        ):
            continue
        he = data.find(b">", m.end())
        if he == -1 or data[he - 1 : he] == b"/":
            continue
        head = data[cs + len(c_open) : he]
        nxt = data[he + 1 : he + 200].lstrip()
        if nxt.startswith(b"<" + prefix + b"f"):
            continue  # a formula cell: the formula scan has it
        rm = _R_RE.search(head)
        if rm is None:
            raise _Odd("a cell without its reference")
        vm = value_re.match(data, he + 1)
        yield _Cell(
            row=int(rm.group(2)),
            col=_col(rm.group(1).upper()),
            t="e",
            formula=None,
            has_value=vm is not None,
            value=_unescape(vm.group(1).decode("utf-8")) if vm and vm.group(1) else "",
        )


def _parsed_cells(data: bytes) -> list[_Cell]:
    """The same cells by a full XML parse: rows and cells without ``r`` counted on (§18.3.1.73)."""
    cells: list[_Cell] = []
    row = 0
    col = 0
    in_data = False
    cur: _Cell | None = None
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        local = el.tag.rsplit("}", 1)[-1]
        if event == "start":
            if local == "sheetData":
                in_data = True
            elif not in_data:
                continue
            elif local == "row":
                r = el.get("r")
                row = int(r) if r and r.isdigit() else row + 1
                col = 0
            elif local == "c":
                r = el.get("r")
                m = re.match(r"\$?([A-Za-z]{1,3})\$?([0-9]+)$", r or "")
                if m:
                    col = column_number(m.group(1))
                    row = int(m.group(2))
                else:
                    col += 1
                cur = _Cell(row=row, col=col, t=el.get("t") or "", formula=None)
            continue
        if local == "sheetData":
            break
        if not in_data or cur is None:
            continue
        if local == "f":
            attrs = {k.rsplit("}", 1)[-1]: v for k, v in el.attrib.items()}
            cur.formula = el.text or ""
            cur.f_type = attrs.get("t", "")
            cur.f_ref = attrs.get("ref", "")
            cur.f_si = attrs.get("si", "")
            cur.f_attrs = attrs
        elif local == "v":
            cur.has_value = True
            cur.value = el.text or ""
        elif local == "c":
            if cur.formula is not None or cur.t == "e":
                cells.append(cur)
            cur = None
            el.clear()
        elif local == "row":
            el.clear()
    return cells


def _area(ref: str) -> tuple[int, int, int, int] | None:
    m = _A1_RANGE_RE.match(ref.strip())
    if not m:
        return None
    c1, r1 = column_number(m.group(1)), int(m.group(2))
    c2, r2 = (column_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _uncached(cell: _Cell, full_calc_on_load: bool) -> bool:
    """Whether a formula cell's value is not a calculated result.

    No ``<v>``, or an empty one (a formula whose result is an empty string
    is stored ``t="str"`` with an empty ``<v>``, §18.3.1.4 — that is a
    result); or, in a workbook flagged ``fullCalcOnLoad``, the numeric ``0``
    xlsxwriter writes in place of every result.  A script's explicit 0 is
    taken for a placeholder too: the formula is then evaluated or reported,
    never trusted blindly.
    """
    if not cell.has_value:
        return True
    if cell.value == "":
        return cell.t not in ("str", "inlineStr")
    return full_calc_on_load and cell.t in ("", "n") and cell.value.strip() == "0"


def scan_sheet(
    data: bytes, *, full_calc_on_load: bool = False
) -> tuple[
    dict[tuple[int, int], str],
    frozenset[tuple[int, int]],
    frozenset[tuple[int, int]],
    dict[tuple[int, int], str],
]:
    """``(formulas, uncached, untranslated, errors)`` of a worksheet part's XML (UTF-8 bytes)."""
    sd = _SHEETDATA_RE.search(data)
    if sd is None or sd.group(2):
        return {}, frozenset(), frozenset(), {}
    prefix = sd.group(1) or b""
    start = sd.end()
    end = data.find(b"</" + prefix + b"sheetData", start)
    if end == -1:
        raise ValueError("the sheet part has no end of its cells")
    f_open = b"<" + prefix + b"f"
    if data.find(f_open, start, end) == -1 and not _may_hold_errors(data, start, end):
        return {}, frozenset(), frozenset(), {}  # the common case: values only
    try:
        cells = _fast_cells(data, start, end, prefix)
    except _Odd as exc:
        log.debug("sheet scan: %s; parsing the sheet fully", exc)
        cells = _parsed_cells(data)
    return _facts(cells, full_calc_on_load)


def _facts(
    cells: list[_Cell], full_calc_on_load: bool
) -> tuple[
    dict[tuple[int, int], str],
    frozenset[tuple[int, int]],
    frozenset[tuple[int, int]],
    dict[tuple[int, int], str],
]:
    formulas: dict[tuple[int, int], str] = {}
    uncached: set[tuple[int, int]] = set()
    untranslated: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    masters: dict[str, _Cell] = {}
    children: list[_Cell] = []
    arrays: list[_Cell] = []
    for cell in cells:
        pos = (cell.row, cell.col)
        if cell.t == "e" and cell.has_value and cell.value:
            errors[pos] = cell.value.strip()
        if cell.formula is None:
            continue
        if cell.f_type == "shared":
            if cell.f_ref and cell.formula:
                masters.setdefault(cell.f_si, cell)
            else:
                children.append(cell)
                continue
        if cell.f_type == "dataTable":
            a = cell.f_attrs or {}
            cell.formula = f"TABLE({a.get('r1', '')},{a.get('r2', '')})"
        formulas[pos] = cell.formula
        if _uncached(cell, full_calc_on_load):
            uncached.add(pos)
        if cell.f_type in ("array", "dataTable") and cell.f_ref:
            arrays.append(cell)
    moves = {si: translator(m.formula or "") for si, m in masters.items()}
    for cell in children:
        pos = (cell.row, cell.col)
        master = masters.get(cell.f_si)
        if master is None:
            if not cell.formula:
                log.debug("shared formula %s at %s has no first cell", cell.f_si, pos)
                continue
            master = cell  # a writer that gave each cell its own text
        move = moves[cell.f_si]
        text = move(cell.row - master.row, cell.col - master.col) if move else None
        if text is None:
            text = master.formula or ""
            untranslated.add(pos)
        formulas[pos] = text
        if _uncached(cell, full_calc_on_load):
            uncached.add(pos)
    for cell in arrays:
        area = _area(cell.f_ref)
        if area is None:
            continue
        r1, c1, r2, c2 = area
        if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_ARRAY_CELLS:
            log.debug("array formula at %s spans %s: its cells are not listed", cell, cell.f_ref)
            continue
        anchor = (cell.row, cell.col)
        lost = anchor in uncached
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                pos = (r, c)
                if pos == anchor or pos in formulas:
                    continue
                formulas[pos] = cell.formula or ""
                untranslated.add(pos)
                if lost:
                    uncached.add(pos)
        if (r1, c1, r2, c2) != (cell.row, cell.col, cell.row, cell.col):
            untranslated.add(anchor)  # one element of a multi-cell result
    return formulas, frozenset(uncached), frozenset(untranslated), errors
