"""OpenDocument spreadsheets (``.ods``, flat ``.fods``): a LibreOffice user's pipeline.

An ``.ods`` file is a zip package whose ``content.xml`` holds every table
(OpenDocument 1.3, part 3 "Schema", §9.1 tables): rows and cells carry
``table:number-rows-repeated`` / ``table:number-columns-repeated`` so a run
of identical rows or cells is written once (LibreOffice ends every sheet
with a million empty rows written that way), merged areas leave
``table:covered-table-cell`` placeholders, and typed values sit in
attributes (``office:value-type`` with ``office:value``,
``office:date-value`` in ISO 8601, ``office:time-value`` as an ISO 8601
duration, ``office:boolean-value``), the displayed text in ``<text:p>``
paragraphs.

python-calamine reads ``.ods`` fast and right for what LibreOffice writes
(measured: the sample workbook saved by LibreOffice reads cell for cell as
its ``.xlsx``; repeated rows and columns, header-row and row-group blocks,
merged cells, dates with times, percentages, currencies and booleans all
come out right).  It loses a few things, though, and for those the file is
read by :func:`read_content` below instead, which follows the schema
exactly:

* a tab or a line break inside a paragraph (``<text:tab/>``,
  ``<text:line-break/>``) is dropped, joining two words;
* a formula error (``calcext:value-type="error"``) reads as an empty cell,
  so ``#DIV/0!`` in the amount column would look like a missing amount;
* a duration of a day or more stays its ISO text (``PT36H00M00S``);
* a ``content.xml`` with white space between the elements (written by other
  tools) is refused.

The first three are found by scanning ``content.xml`` (streamed, without
parsing) before calamine reads it, the last by calamine's refusal; a flat
``.fods`` file is always read here.  Password-protected files are refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import SourceError
from ..model import Grid
from .newbook import ValuesOnlySource
from .owned import EXCEL_MAX_COLS, EXCEL_MAX_ROWS

SUFFIXES = (".ods", ".ots", ".fods")

NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
NS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
NS_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

_T = f"{{{NS_TABLE}}}"
_O = f"{{{NS_OFFICE}}}"
_X = f"{{{NS_TEXT}}}"
ERROR_TYPE = f"{{{NS_CALCEXT}}}value-type"
TABLE, ROW, CELL, COVERED = (
    _T + "table",
    _T + "table-row",
    _T + "table-cell",
    _T + "covered-table-cell",
)
ROWS_REPEATED, COLS_REPEATED = _T + "number-rows-repeated", _T + "number-columns-repeated"
VALUE_TYPE, VALUE = _O + "value-type", _O + "value"
P, S, TAB, LINE_BREAK = _X + "p", _X + "s", _X + "tab", _X + "line-break"
ANNOTATION = _O + "annotation"
#: Text elements whose content is not the cell's text.
_SKIPPED = {ANNOTATION, _X + "note", _X + "tracked-changes", _O + "annotation-end"}

MIMETYPES = (
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
)
#: Excel's limits: a sheet longer or wider than this is not a pipeline, it is a bomb.
MAX_ROWS, MAX_COLS = EXCEL_MAX_ROWS, EXCEL_MAX_COLS

#: What calamine reads differently from the schema (see the module notes):
#: plain substrings, found at memory speed; a content.xml with white space
#: between its elements makes calamine fail, which falls back anyway.
_CALAMINE_GAPS = (b":tab/>", b":tab ", b":line-break/>", b":line-break ", b'value-type="error"')
_LONG_DURATION = re.compile(rb'time-value="-?P(?:\d+D|T(?:\d{3,}|2[4-9]|[3-9]\d)H)')


# --------------------------------------------------------------------------- values


def _date(text: str) -> dt.date | dt.datetime | str:
    """``office:date-value``: ISO 8601 date or date-time (xsd:date / xsd:dateTime)."""
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text.rstrip("Z"))
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # a year LibreOffice allows and Python does not: keep it as written


_DURATION = re.compile(
    r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$", re.ASCII
)


def _time(text: str) -> dt.time | dt.timedelta | str:
    """``office:time-value``: an xsd:duration; under a day a time of day, else a duration."""
    m = _DURATION.match(text)
    if not m or text in ("P", "PT", "-P"):
        return text
    neg, days, hours, minutes, seconds = m.groups()
    delta = dt.timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float((seconds or "0").replace(",", ".")),
    )
    if neg:
        delta = -delta
    if dt.timedelta(0) <= delta < dt.timedelta(days=1):
        return (dt.datetime.min + delta).time()
    return delta


def _text(cell: ET.Element) -> str:
    """The cell's text: paragraphs joined by line breaks, spaces as ODF 1.3 §6.1.2 says."""
    paragraphs = []
    for p in cell:
        if p.tag == P or p.tag == _X + "h":
            parts: list[str] = []
            _inline(p, parts)
            paragraphs.append("".join(parts))
        elif p.tag == _X + "list":
            for item in p.iter(P):
                parts = []
                _inline(item, parts)
                paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


_WS = re.compile(r"[ \t\r\n]+")


def _chars(text: str | None, parts: list[str]) -> None:
    """Character data: runs of white space are one space (§6.1.2), none at a paragraph's start."""
    if not text:
        return
    text = _WS.sub(" ", text)
    if text.startswith(" ") and (not parts or parts[-1].endswith((" ", "\n", "\t"))):
        text = text[1:]
    if text:
        parts.append(text)


def _inline(el: ET.Element, parts: list[str]) -> None:
    _chars(el.text, parts)
    for child in el:
        tag = child.tag
        if tag == S:
            parts.append(" " * int(child.get(_X + "c") or 1))
        elif tag == TAB:
            parts.append("\t")
        elif tag == LINE_BREAK:
            parts.append("\n")
        elif tag not in _SKIPPED:
            _inline(child, parts)
        _chars(child.tail, parts)


def cell_value(cell: ET.Element) -> Any:
    """A cell's value as the Grid holds it (``""`` for an empty cell)."""
    kind = cell.get(VALUE_TYPE)
    if kind in ("float", "percentage", "currency"):
        if cell.get(ERROR_TYPE) == "error":
            return _text(cell)
        try:
            return float(cell.get(VALUE) or "")
        except ValueError:
            return _text(cell)
    if kind == "date":
        return _date(cell.get(_O + "date-value") or "")
    if kind == "time":
        return _time(cell.get(_O + "time-value") or "")
    if kind == "boolean":
        return (cell.get(_O + "boolean-value") or "").strip().lower() == "true"
    if kind == "string":
        if cell.get(ERROR_TYPE) == "error":
            return _text(cell)  # the error as LibreOffice shows it: #DIV/0!
        value = cell.get(_O + "string-value")
        return value if value is not None else _text(cell)
    return _text(cell) if len(cell) else ""


# --------------------------------------------------------------------------- the exact reader


def _count(el: ET.Element, attr: str) -> int:
    try:
        return max(1, int(el.get(attr) or 1))
    except ValueError:
        return 1


def _row_values(row: ET.Element, where: str) -> list[Any]:
    values: list[Any] = []
    pending = 0  # empty cells not written yet: only written when a value follows
    for cell in row:
        if cell.tag != CELL and cell.tag != COVERED:
            continue
        n = _count(cell, COLS_REPEATED)
        value = cell_value(cell) if cell.tag == CELL else ""
        if value == "":
            pending += n
            continue
        if len(values) + pending + n > MAX_COLS:
            raise SourceError(f"{where}: a row is wider than {MAX_COLS:,} columns")
        values.extend([""] * pending)
        pending = 0
        values.extend([value] * n)
    return values


def _sheet_tables(stream: IO[bytes]) -> Iterator[tuple[str, ET.Element]]:
    """The sheet's own tables, streamed: ``("table", el)`` when one starts,
    ``("row", el)`` for each of its rows, ``("end", el)`` when it ends.

    Tables nested in a cell are not rows of the sheet and are skipped.
    Each row and table element is cleared once the caller has read it, so
    memory stays flat on a large sheet.
    """
    depth = 0  # table:table nesting
    for event, el in ET.iterparse(stream, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == TABLE:
                depth += 1
                if depth == 1:
                    yield "table", el
            continue
        if tag == ROW and depth == 1:
            yield "row", el
            el.clear()
        elif tag == TABLE:
            depth -= 1
            if depth == 0:
                yield "end", el
                el.clear()


def read_content(stream: IO[bytes], where: str) -> dict[str, list[list[Any]]]:
    """Every table of an OpenDocument ``content.xml`` (or ``.fods``), rows from A1.

    Streams the XML (:func:`xml.etree.ElementTree.iterparse`, whose expat
    parser expands no external entities), keeps only values, and writes
    out repeated rows and cells except the trailing empty ones.  Tables
    nested in a cell are not rows of the sheet and are skipped.
    """
    tables: dict[str, list[list[Any]]] = {}
    rows: list[list[Any]] = []
    pending = 0
    name = ""
    try:
        for part, el in _sheet_tables(stream):
            if part == "table":
                name, rows, pending = el.get(_T + "name") or f"Sheet{len(tables) + 1}", [], 0
            elif part == "row":
                n = _count(el, ROWS_REPEATED)
                values = _row_values(el, where)
                if not values:
                    pending += n
                else:
                    if len(rows) + pending + n > MAX_ROWS:
                        raise SourceError(
                            f"{where}: tab {name!r} is longer than {MAX_ROWS:,} rows",
                            hint="open it in LibreOffice and delete the rows below the data",
                        )
                    rows.extend([] for _ in range(pending))
                    pending = 0
                    rows.extend(list(values) for _ in range(n))
            else:
                tables[name] = rows
    except ET.ParseError as exc:
        raise SourceError(
            f"{where}: the spreadsheet is damaged (content.xml is not well-formed XML: {exc})",
            hint="open it in LibreOffice and save it again",
        ) from None
    return tables


def read_currencies(stream: IO[bytes]) -> dict[str, dict[tuple[int, int], str]]:
    """Tab → (row, column) → ISO code of every currency cell (1-based, as in :class:`Grid`).

    ODF 1.3 part 3 §19.385: a cell of ``office:value-type="currency"`` names
    its currency in ``office:currency`` (``R$ 10.000,00`` is ``BRL``); the
    value alone would lose it, and amounts in different currencies must
    never be added together.  Rows and cells are counted with their repeats,
    as :func:`read_content` lays them out.
    """
    out: dict[str, dict[tuple[int, int], str]] = {}
    row_no = 0
    name = ""
    for part, el in _sheet_tables(stream):
        if part == "table":
            name, row_no = el.get(_T + "name") or f"Sheet{len(out) + 1}", 0
        elif part == "row":
            n_rows = min(_count(el, ROWS_REPEATED), MAX_ROWS)
            col = 0
            found: list[tuple[int, str]] = []
            for cell in el:
                if cell.tag != CELL and cell.tag != COVERED:
                    continue
                n = min(_count(cell, COLS_REPEATED), MAX_COLS)
                code = cell.get(_O + "currency") if cell.tag == CELL else None
                if code and cell.get(VALUE_TYPE) == "currency":
                    found.extend((col + k + 1, code.upper()) for k in range(n))
                col += n
            if found:
                cells = out.setdefault(name, {})
                for r in range(row_no + 1, row_no + n_rows + 1):
                    for c, code in found:
                        cells[(r, c)] = code
            row_no += n_rows
    return out


def _currency_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """:func:`read_currencies` of the file, or nothing when it holds no currency cell."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                with zf.open("content.xml") as fh:
                    if not any(
                        b'value-type="currency"' in c for c in iter(lambda: fh.read(1 << 20), b"")
                    ):
                        return {}
                with zf.open("content.xml") as fh:
                    return read_currencies(fh)
        with path.open("rb") as fh:
            return read_currencies(fh)
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return {}  # the values were read; a file this damaged reports itself there


# --------------------------------------------------------------------------- the package


def _scan_for_gaps(zf: zipfile.ZipFile, member: str = "content.xml") -> bool:
    """True when ``content.xml`` holds something calamine reads differently (see the notes)."""
    tail = b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            block = tail + chunk
            if any(token in block for token in _CALAMINE_GAPS):
                return True
            if b'time-value="' in block and _LONG_DURATION.search(block):
                return True
            tail = block[-64:]
    return False


def _check_package(path: Path, zf: zipfile.ZipFile) -> None:
    names = set(zf.namelist())
    mimetype = zf.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    if mimetype and mimetype not in MIMETYPES:
        kind = mimetype.rsplit(".", 1)[-1]
        raise SourceError(
            f"{path}: an OpenDocument {kind}, not a spreadsheet ({mimetype})",
            hint="save the pipeline from LibreOffice Calc as .ods",
        )
    if "META-INF/manifest.xml" in names:
        manifest = zf.read("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise SourceError(
                f"{path}: the spreadsheet is password-protected",
                hint="save it without a password (LibreOffice: File › Save As, untick 'Save with password')",
            )
    if "content.xml" not in names:
        raise SourceError(
            f"{path}: not an OpenDocument spreadsheet (content.xml is missing)",
            hint="save the pipeline from LibreOffice Calc as .ods",
        )


def read_ods(path: Path) -> tuple[dict[str, list[list[Any]]], str]:
    """Every tab of an ``.ods``/``.fods`` file, and which reader read it (for the log)."""
    if not path.exists():
        raise SourceError(
            f"{path}: file not found", hint="check the path (or [source] path in sheetsync.toml)"
        )
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a spreadsheet")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise SourceError(f"{path}: the file is empty", hint="restore it from a backup")
    if not head.startswith(b"PK"):
        if head.lstrip().startswith(b"<"):  # a flat OpenDocument file (.fods)
            with path.open("rb") as fh:
                return read_content(fh, str(path)), "exact"
        raise SourceError(
            f"{path}: not an OpenDocument spreadsheet (an .ods file is a zip package; this is not)",
            hint="open it in LibreOffice Calc and save it as .ods",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            _check_package(path, zf)
            if _scan_for_gaps(zf):
                with zf.open("content.xml") as fh:
                    return read_content(fh, str(path)), "exact"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SourceError(
            f"{path}: the spreadsheet is damaged ({exc})",
            hint="restore it from a backup, or open it in LibreOffice and save it again",
        ) from None
    try:
        return _read_calamine(path), "calamine"
    except SourceError:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            return read_content(fh, str(path)), "exact"


def _read_calamine(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        return {
            name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names
        }
    except Exception as exc:  # calamine raises its own types; the exact reader decides
        raise SourceError(f"{path}: {exc}") from None


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells and rows (calamine pads to the used area)."""
    out = [r[: max((i + 1 for i, v in enumerate(r) if v != ""), default=0)] for r in rows]
    while out and not out[-1]:
        out.pop()
    return out


class OdsSource(ValuesOnlySource):
    """A LibreOffice spreadsheet: every tab read; a sync writes a new ``.xlsx`` (``--output``)."""

    what = "an OpenDocument spreadsheet"

    def __init__(self, path: str | Path, *, output: str | None = None) -> None:
        super().__init__(Path(path).expanduser(), str(path), output)
        self._tabs: dict[str, list[list[Any]]] | None = None
        self._currencies: dict[str, dict[tuple[int, int], str]] | None = None
        self.reader: str | None = None

    def _load(self) -> dict[str, list[list[Any]]]:
        if self._tabs is None:
            tabs, self.reader = read_ods(self.path)
            self._tabs = {name: _trim(rows) for name, rows in tabs.items()}
        return self._tabs

    def data_tabs(self) -> list[str]:
        return list(self._load())

    def read_data(self, tab: str) -> Grid:
        tabs = self._load()
        if tab not in tabs:
            raise SourceError(
                f"{self.name}: no tab named {tab!r} (tabs: {', '.join(tabs)})",
                hint="check the tab name (or [source] deals_tab in sheetsync.toml)",
            )
        if self._currencies is None:
            self._currencies = _currency_cells(self.path)
        return Grid(name=tab, rows=tabs[tab], currencies=self._currencies.get(tab, {}))
